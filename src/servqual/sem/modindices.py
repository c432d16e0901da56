"""Modification indices: score tests of parameters fixed to zero."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .indices import residual_sd, score_tests, total_sd
from .ml import MLProblem
from .model import build_model

__all__ = ["modification_indices"]


def _candidates(pt: pd.DataFrame, observed, latent) -> pd.DataFrame:
    present = set()
    for row in pt.itertuples():
        if row.op == "~~":
            present.add((row.group, "~~", *sorted((row.lhs, row.rhs))))
        elif row.op in ("=~", "~"):
            present.add((row.group, row.op, row.lhs, row.rhs))
            if row.op == "~":  # a regression occupies the pair
                present.add((row.group, "~~", *sorted((row.lhs, row.rhs))))
    exo = set(pt.loc[pt["exo"], "lhs"])
    ind = [v for v in observed if v not in exo]
    rows = []
    for g in sorted(pt["group"].unique()):
        for f in latent:
            for x in ind:
                if (g, "=~", f, x) not in present:
                    rows.append((f, "=~", x, g))
        for vars_ in (ind, latent):
            for i, a in enumerate(vars_):
                for b in vars_[i + 1 :]:
                    if (g, "~~", *sorted((a, b))) not in present:
                        rows.append((a, "~~", b, g))
    cand = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "group"])
    cand["free"] = True
    cand["label"] = None
    cand["fixed"] = np.nan
    cand["user"] = False
    cand["exo"] = False
    return cand


def modification_indices(result) -> pd.DataFrame:
    """Unsorted MI/EPC table of a complete-data ML result (see ``SEMResult.modindices``).

    Examples
    --------
    >>> import servqual
    >>> res = servqual.sem.fit("f =~ x1 + x2 + x3 + x4",
    ...                        servqual.load_dataset("holzinger_swineford"))
    >>> mi = modification_indices(res)
    >>> list(mi.columns[:5]), len(mi)  # the 6 residual covariances among x1..x4
    (['lhs', 'op', 'rhs', 'mi', 'epc'], 6)
    """
    prep = result._prep
    ram = prep.model
    base = ram.partable.drop(columns="par")
    cand = _candidates(base, list(ram.observed), list(ram.latent))
    cols = ["lhs", "op", "rhs", "mi", "epc", "sepc_all"]
    if cand.empty:
        return pd.DataFrame(columns=cols)
    ext_pt = pd.concat([base, cand], ignore_index=True)
    ext = build_model(ext_pt, list(ram.observed), list(ram.latent), prep.equalities)
    problem = MLProblem(ext, result._problem.moments)
    theta = np.concatenate([np.asarray(result._theta), np.zeros(ext.q - ram.q)])
    free = np.arange(ext.q) < ram.q
    mi, epc = score_tests(problem, theta, free)
    out = cand[["lhs", "op", "rhs", "group"]].copy()
    out["mi"] = mi
    out["epc"] = epc
    # completely standardized EPC
    names = ram.groups[0].names
    idx = {n: i for i, n in enumerate(names)}
    sds = [total_sd(result._problem, result._theta, g)[0] for g in range(len(ram.groups))]
    # a covariance candidate is between residuals: lavaan scales it by the
    # residual standard deviations (a residual correlation)
    rsd = [residual_sd(result._problem, result._theta, g) for g in range(len(ram.groups))]
    sepc = []
    for row, e in zip(out.itertuples(), epc):
        sd = sds[row.group]
        if row.op == "=~":
            sepc.append(e * sd[idx[row.lhs]] / sd[idx[row.rhs]])
        else:
            r = rsd[row.group]
            with np.errstate(divide="ignore", invalid="ignore"):
                sepc.append(e / (r[idx[row.lhs]] * r[idx[row.rhs]]))
    out["sepc_all"] = sepc
    if result.group_labels != (None,):
        out["group"] = [result.group_labels[g] for g in out["group"]]
        cols.insert(3, "group")
    return out[cols]
