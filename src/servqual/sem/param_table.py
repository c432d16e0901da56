"""The parameter table of :func:`servqual.sem.fit` (lavaan's ``parameterEstimates``
columns: estimates, SEs, z, p, CIs, ``std.lv``/``std.all``), R-squared, and the
threshold / scale-factor / latent-mean rows of ordinal (WLSMV) fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from .defined import label_values
from .indices import standardized
from .ml import MLProblem
from .prepare import Prepared

__all__: list[str] = []


def _r2(problem: MLProblem, theta, group_labels) -> pd.Series:
    labs, names, vals = [], [], []
    for g, grp in enumerate(problem.model.groups):
        _, _, B, S, _ = problem.model.moments(theta, g, problem.bases[g])
        omega = np.einsum("ij,jk,ik->i", B, S, B)  # diag(B S B')
        A = problem.model.matrices(theta, g, problem.bases[g])[0]
        for i in np.flatnonzero(np.any(A != 0, axis=1)):
            labs.append(group_labels[g])
            names.append(grp.names[i])
            vals.append(1.0 - S[i, i] / omega[i])
    r2 = np.array(vals, dtype=float)
    if group_labels == (None,):
        return pd.Series(r2, index=pd.Index(names, name="variable"), name="r2")
    index = pd.MultiIndex.from_arrays([labs, names], names=["group", "variable"])
    return pd.Series(r2, index=index, name="r2")


def _param_table(prep: Prepared, problem: MLProblem, theta, vcov, ci, draws, ci_method):
    ram = prep.model
    pt = ram.partable
    t = ram.rows  # the table as NumPy arrays: no pandas until the result is built
    parc = np.clip(t.par, 0, None)
    est = np.where(t.par >= 0, theta[parc] if ram.q else np.nan, t.fixed)
    # exogenous covariates: sample values
    for r in np.flatnonzero(t.exo):
        g, i, j = t.group[r], t.i_lhs[r], t.i_rhs[r]
        est[r] = problem.moments.mean[g][i] if t.op[r] == "~1" else problem.moments.cov[g][i, j]
    sd = np.sqrt(np.clip(np.diag(vcov), 0, None)) if ram.q else np.zeros(0)
    se = np.where(t.par >= 0, sd[parc] if ram.q else np.nan, np.nan)
    std_lv, std_all = standardized(problem, theta, pt, est)
    label = [lab if isinstance(lab, str) and not lab.startswith(".eq.") else "" for lab in t.label]
    cols = {
        "lhs": list(t.lhs),
        "op": list(t.op),
        "rhs": list(t.rhs),
        "group": list(t.group),
        "label": label,
        "est": est,
        "se": se,
        "std_lv": std_lv,
        "std_all": std_all,
    }
    if len(prep.defined):
        from .bootstrap import _LabelFn

        fn = _LabelFn(pt, prep.defined, label_values)
        dest, dcov = prep.defined.delta(fn, theta, vcov)
        dstd = []
        for col in (std_lv, std_all):
            vals = {}
            for lab, v in zip(t.label, col):
                if isinstance(lab, str) and lab not in vals:
                    vals[lab] = v
            dstd.append(prep.defined.evaluate(vals))
        nd = len(prep.defined)
        extra = {
            "lhs": list(prep.defined.names),
            "op": [":="] * nd,
            "rhs": list(prep.defined.exprs),
            "group": [0] * nd,
            "label": list(prep.defined.names),
            "est": dest,
            "se": np.sqrt(np.clip(np.diag(dcov), 0, None)),
            "std_lv": dstd[0],
            "std_all": dstd[1],
        }
        for k, v in extra.items():
            cols[k] = (
                cols[k] + v
                if isinstance(cols[k], list)
                else np.concatenate([cols[k], np.asarray(v, float)])
            )
    est_all, se_all = cols["est"], cols["se"]
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = np.where(se_all > 0, est_all / se_all, np.nan)
    crit = stats.norm.ppf(0.5 + ci / 2)
    lo = est_all - crit * se_all
    hi = est_all + crit * se_all
    if draws is not None:
        from .bootstrap import boot_intervals

        bse, blo, bhi = boot_intervals(prep, problem, theta, draws, ci, ci_method)
        pos = np.concatenate(
            [np.where(t.par >= 0, t.par, -1), ram.q + np.arange(len(prep.defined))]
        )
        valid = pos >= 0
        se_b = np.full(len(est_all), np.nan)
        lo_b = np.full(len(est_all), np.nan)
        hi_b = np.full(len(est_all), np.nan)
        se_b[valid], lo_b[valid], hi_b[valid] = bse[pos[valid]], blo[pos[valid]], bhi[pos[valid]]
        se_all, lo, hi = se_b, lo_b, hi_b
        with np.errstate(divide="ignore", invalid="ignore"):
            zval = np.where(se_b > 0, est_all / se_b, np.nan)
    se_fin = np.isfinite(se_all)
    cols["se"] = se_all
    cols["z"] = zval
    cols["pvalue"] = 2 * special.ndtr(-np.abs(zval))
    cols["ci_lower"] = np.where(se_fin, lo, np.nan)
    cols["ci_upper"] = np.where(se_fin, hi, np.nan)
    order = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper"]
    order += ["std_lv", "std_all"]
    if prep.group_labels != (None,):
        cols["group"] = [
            prep.group_labels[g] if f != ":=" else "" for g, f in zip(cols["group"], cols["op"])
        ]
        order.insert(3, "group")
    return pd.DataFrame({k: cols[k] for k in order})


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
