"""The parameter table of :func:`servqual.sem.fit` (lavaan's ``parameterEstimates``
columns: estimates, SEs, z, p, CIs, ``std.lv``/``std.all``), R-squared, and the
threshold / scale-factor / latent-mean rows of ordinal (WLSMV) fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .defined import label_values
from .indices import standardized
from .ml import MLProblem
from .prepare import Prepared

__all__: list[str] = []


def _r2(problem: MLProblem, theta, group_labels) -> pd.Series:
    from .indices import total_sd

    rows = []
    for g, grp in enumerate(problem.model.groups):
        sd, omega = total_sd(problem, theta, g)
        _, _, _, S, _ = problem.model.moments(theta, g, problem.bases[g])
        A = problem.model.matrices(theta, g, problem.bases[g])[0]
        for i, name in enumerate(grp.names):
            if np.any(A[i] != 0):
                rows.append(
                    {"group": group_labels[g], "variable": name, "r2": 1.0 - S[i, i] / omega[i, i]}
                )
    out = pd.DataFrame(rows, columns=["group", "variable", "r2"])
    if group_labels == (None,):
        return pd.Series(
            out["r2"].to_numpy(), index=pd.Index(out["variable"], name="variable"), name="r2"
        )
    return out.set_index(["group", "variable"])["r2"]


def _param_table(prep: Prepared, problem: MLProblem, theta, vcov, ci, draws, ci_method):
    ram = prep.model
    pt = ram.partable
    est = np.where(pt["par"] >= 0, theta[np.clip(pt["par"], 0, None)], pt["fixed"])
    # exogenous covariates: sample values
    for r, row in enumerate(pt.itertuples()):
        if row.exo:
            g = row.group
            idx = ram.groups[g].names
            i = idx.index(row.lhs)
            est[r] = (
                problem.moments.mean[g][i]
                if row.op == "~1"
                else problem.moments.cov[g][i, idx.index(row.rhs)]
            )
    sd = np.sqrt(np.clip(np.diag(vcov), 0, None)) if ram.q else np.zeros(0)
    se_col = np.where(pt["par"] >= 0, sd[np.clip(pt["par"], 0, None)] if ram.q else np.nan, np.nan)
    std_lv, std_all = standardized(problem, theta, pt, est)
    out = pd.DataFrame(
        {
            "lhs": pt["lhs"],
            "op": pt["op"],
            "rhs": pt["rhs"],
            "group": pt["group"],
            "label": pt["label"].where(
                pt["label"].notna() & ~pt["label"].astype(str).str.startswith(".eq."), ""
            ),
            "est": est,
            "se": se_col,
            "free": pt["par"] >= 0,
        }
    )
    out["std_lv"] = std_lv
    out["std_all"] = std_all
    if len(prep.defined):
        from .bootstrap import _LabelFn

        fn = _LabelFn(pt, prep.defined, label_values)

        dest, dcov = prep.defined.delta(fn, theta, vcov)
        dstd = []
        for col in ("std_lv", "std_all"):
            vals = {}
            for row, v in zip(pt.itertuples(), out[col]):
                if isinstance(row.label, str) and row.label not in vals:
                    vals[row.label] = v
            dstd.append(prep.defined.evaluate(vals))
        drows = pd.DataFrame(
            {
                "lhs": prep.defined.names,
                "op": ":=",
                "rhs": prep.defined.exprs,
                "group": 0,
                "label": prep.defined.names,
                "est": dest,
                "se": np.sqrt(np.clip(np.diag(dcov), 0, None)),
                "free": False,
                "std_lv": dstd[0],
                "std_all": dstd[1],
            }
        )
        out = pd.concat([out, drows], ignore_index=True)
    z = out["se"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = np.where(z > 0, out["est"] / z, np.nan)
    crit = stats.norm.ppf(0.5 + ci / 2)
    lo = out["est"] - crit * out["se"]
    hi = out["est"] + crit * out["se"]
    if draws is not None:
        from .bootstrap import boot_intervals

        bse, blo, bhi = boot_intervals(prep, problem, theta, draws, ci, ci_method)
        pos = np.concatenate(
            [np.where(pt["par"] >= 0, pt["par"], -1), ram.q + np.arange(len(prep.defined))]
        )
        valid = pos >= 0
        se_b = np.full(len(out), np.nan)
        lo_b = np.full(len(out), np.nan)
        hi_b = np.full(len(out), np.nan)
        se_b[valid], lo_b[valid], hi_b[valid] = bse[pos[valid]], blo[pos[valid]], bhi[pos[valid]]
        out["se"], lo, hi = se_b, lo_b, hi_b
        with np.errstate(divide="ignore", invalid="ignore"):
            zval = np.where(se_b > 0, out["est"] / se_b, np.nan)
    out["z"] = zval
    out["pvalue"] = 2 * stats.norm.sf(np.abs(zval))
    out["ci_lower"] = np.where(np.isfinite(out["se"]), lo, np.nan)
    out["ci_upper"] = np.where(np.isfinite(out["se"]), hi, np.nan)
    if prep.group_labels != (None,):
        out["group"] = [
            prep.group_labels[g] if f != ":=" else "" for g, f in zip(out["group"], out["op"])
        ]
    cols = [
        "lhs",
        "op",
        "rhs",
        "label",
        "est",
        "se",
        "z",
        "pvalue",
        "ci_lower",
        "ci_upper",
        "std_lv",
        "std_all",
    ]
    if prep.group_labels != (None,):
        cols.insert(3, "group")
    return out[cols]


def _with_thresholds(params: pd.DataFrame, moms, ci: float, labels, model_rows=None):
    """Append lavaan's threshold rows (``item | t1``) to a WLSMV parameter table; with
    shared parameters (``model_rows``, multigroup invariance) the model's thresholds,
    scale factors (``~*~``) and latent means (``~1``)."""
    rows = []
    crit = stats.norm.ppf(0.5 + ci / 2)
    if model_rows is not None:
        for r in model_rows.itertuples():
            se = r.se if r.se > 0 else np.nan
            z = r.est / se
            # lavaan's standardisation: thresholds on the y* scale (times delta), latent
            # means per latent SD, scale factors 1
            std = r.est * r.scale if r.op in ("|", "~1") else 1.0
            rows.append(
                {
                    "group": labels[r.group],
                    "lhs": r.lhs,
                    "op": r.op,
                    "rhs": r.rhs,
                    "label": "",
                    "est": float(r.est),
                    "se": float(r.se),
                    "z": z,
                    "pvalue": float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan,
                    "ci_lower": r.est - crit * se,
                    "ci_upper": r.est + crit * se,
                    "std_lv": float(std if r.op == "~1" else r.est),
                    "std_all": float(std),
                }
            )
        return pd.concat([params, pd.DataFrame(rows, columns=params.columns)], ignore_index=True)
    for lab, mom in zip(labels, moms):
        for item, tau in mom.thresholds.items():
            for t, v in tau.items():
                se = float(np.sqrt(mom.thresholds_gamma[f"{item}|{t}"] / (mom.n - 1)))
                rows.append(
                    {
                        "group": lab,
                        "lhs": item,
                        "op": "|",
                        "rhs": t,
                        "label": "",
                        "est": float(v),
                        "se": se,
                        "z": v / se,
                        "pvalue": float(2 * stats.norm.sf(abs(v / se))),
                        "ci_lower": v - crit * se,
                        "ci_upper": v + crit * se,
                        "std_lv": float(v),
                        "std_all": float(v),
                    }
                )
    return pd.concat([params, pd.DataFrame(rows, columns=params.columns)], ignore_index=True)
