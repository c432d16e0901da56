"""Measurement invariance: configural, metric and scalar multigroup models."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from .._warn import warn
from .fit import fit

__all__ = ["invariance"]

_STEPS = (("configural", ()), ("metric", ("loadings",)), ("scalar", ("loadings", "intercepts")))


def invariance(
    model: str, data: pd.DataFrame, *, group: str, missing: str = "listwise"
) -> pd.DataFrame:
    """Fit configural, metric (equal loadings) and scalar (plus equal
    intercepts) models across ``group`` and compare them.

    Each row after the first is compared with the previous one by a
    likelihood-ratio test (``delta_chi2`` on ``delta_df``); ``delta_cfi`` and
    ``delta_rmsea`` are differences from the previous row.  Warnings of the
    individual fits are collected in ``df.attrs["warnings"]``.

    Examples
    --------
    >>> import servqual
    >>> hs = servqual.load_dataset("holzinger_swineford")
    >>> tab = invariance("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; "
    ...                  "speed =~ x7 + x8 + x9", hs, group="school")
    >>> tab["df"].tolist()
    [48, 54, 60]
    """
    if group is None:
        from ..errors import ParameterError

        raise ParameterError("group=None is invalid: invariance needs the grouping column.")
    rows, notes = [], []
    prev = None
    for name, equal in _STEPS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = fit(model, data, group=group, group_equal=equal, missing=missing)
        for w in caught:
            text = f"{name}: {w.message}"
            if text not in [t for _, t in notes]:
                notes.append((w.category, text))
        fi = res.fit_indices
        row = {
            "chi2": fi["chi2"],
            "df": fi["df"],
            "delta_chi2": np.nan,
            "delta_df": np.nan,
            "pvalue": np.nan,
            "cfi": fi["cfi"],
            "delta_cfi": np.nan,
            "rmsea": fi["rmsea"],
            "delta_rmsea": np.nan,
            "aic": fi["aic"],
            "bic": fi["bic"],
            "converged": res.converged,
        }
        if prev is not None:
            dchi = fi["chi2"] - prev["chi2"]
            ddf = fi["df"] - prev["df"]
            row.update(
                delta_chi2=dchi,
                delta_df=ddf,
                pvalue=float(stats.chi2.sf(dchi, ddf)) if ddf > 0 else np.nan,
                delta_cfi=fi["cfi"] - prev["cfi"],
                delta_rmsea=fi["rmsea"] - prev["rmsea"],
            )
        rows.append(row)
        prev = row
    out = pd.DataFrame(rows, index=pd.Index([s for s, _ in _STEPS], name="model"))
    out["delta_df"] = out["delta_df"].astype("Int64")
    out.attrs["warnings"] = tuple(t for _, t in notes)
    for cat, text in notes:
        warn(text, cat)
    return out
