"""Sufficient statistics by wave × segment from a (dask) DataFrame.

The tracking estimates rest on sums, cross-products and counts: per group,
``n``, ``sum w``, ``sum w²``, ``sum w x`` and ``sum w x xᵀ``.  :func:`moments`
computes them partition by partition (``map_partitions``) and adds the small
per-partition tables, so a dask DataFrame partitioned by wave is never
collected row by row; a pandas frame gives the same numbers.  From a
:class:`Moments` come weighted means, covariance and correlation matrices,
and drivers fitted on them (:meth:`Moments.shapley`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._checks import check_columns
from .errors import InputTypeError, InsufficientDataError, MissingValuesError

__all__ = ["Moments", "moments"]


class Moments:
    """Per-group sums: ``n``, ``sw`` (sum w), ``sw2``, ``sx`` (k), ``sxx`` (k × k).

    ``groups`` is the index of the groups (a MultiIndex for several keys).
    """

    def __init__(self, columns, groups, n, sw, sw2, sx, sxx):
        self.columns = list(columns)
        self.groups = groups
        self.n, self.sw, self.sw2, self.sx, self.sxx = n, sw, sw2, sx, sxx

    def _pick(self, group):
        if group is None:  # pooled over all groups
            return (self.n.sum(), self.sw.sum(), self.sw2.sum(), self.sx.sum(0),
                    self.sxx.sum(0))  # fmt: skip
        i = self.groups.get_loc(group)
        return self.n[i], self.sw[i], self.sw2[i], self.sx[i], self.sxx[i]

    def mean(self, group=None) -> pd.Series:
        """Weighted means of the columns in ``group`` (``None``: all rows)."""
        _, sw, _, sx, _ = self._pick(group)
        return pd.Series(sx / sw, index=self.columns)

    def cov(self, group=None, *, ddof: int = 0) -> pd.DataFrame:
        """Weighted covariance (``ddof=0``: divide by ``sum w``, as
        :func:`servqual.weighting.weighted_cov`)."""
        n, sw, _, sx, sxx = self._pick(group)
        m = sx / sw
        c = sxx / sw - np.outer(m, m)
        if ddof:
            c = c * n / (n - 1)
        return pd.DataFrame(c, index=self.columns, columns=self.columns)

    def corr(self, group=None) -> pd.DataFrame:
        c = self.cov(group).to_numpy()
        d = np.sqrt(np.diag(c))
        r = c / np.outer(d, d)
        np.fill_diagonal(r, 1.0)
        return pd.DataFrame(r, index=self.columns, columns=self.columns)

    def n_eff(self, group=None) -> float:
        _, sw, sw2, _, _ = self._pick(group)
        return float(sw * sw / sw2)

    def shapley(self, target: str, predictors: Sequence[str], group=None) -> pd.Series:
        """Shapley values (LMG) of ``predictors`` for ``target`` from the moments."""
        from .drivers.importance import shapley_from_corr

        cols = [*predictors, target]
        sv, _ = shapley_from_corr(self.corr(group).loc[cols, cols].to_numpy())
        return pd.Series(sv, index=list(predictors), name="importance")


def _partial(frame: pd.DataFrame, columns, by, weights) -> pd.DataFrame:
    x = frame[columns].to_numpy(dtype=float)
    w = np.ones(len(frame)) if weights is None else frame[weights].to_numpy(dtype=float)
    k = len(columns)
    cols = ["_key", "n", "sw", "sw2", *[f"sx{j}" for j in range(k)],
            *[f"sxx{j}" for j in range(k * k)]]  # fmt: skip
    if len(frame) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "_key" else float) for c in cols})
    keys = frame[by].astype(str).agg("\x1f".join, axis=1) if by else pd.Series("", frame.index)
    rows = []
    for key, idx in keys.groupby(keys, sort=True).indices.items():
        xi, wi = x[idx], w[idx]
        rows.append([key, len(idx), wi.sum(), wi @ wi, *(wi @ xi),
                     *((xi * wi[:, None]).T @ xi).ravel()])  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def moments(data, columns: Sequence[str], by: Sequence[str] | str | None = None, *,
            weights: str | None = None) -> Moments:  # fmt: skip
    """Sums, cross-products and counts of ``columns`` by ``by`` (pandas or dask frame).

    With a dask DataFrame each partition is reduced to one row per group on
    the workers; only those rows are brought back and added.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 1, 4, 3], "wave": [1, 1, 2, 2]})
    >>> m = moments(df, ["a", "b"], "wave")
    >>> m.mean("1").tolist(), round(float(m.corr().loc["a", "b"]), 3)
    ([1.5, 1.5], 0.6)
    """
    columns = list(columns)
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    need = [*columns, *by, *([weights] if weights else [])]
    if isinstance(data, pd.DataFrame):
        check_columns(data, need)
        if data[need].isna().any(axis=None):
            bad = data[need].columns[data[need].isna().any()].tolist()
            raise MissingValuesError(f"column(s) {bad} have missing values: drop them first.")
        parts = _partial(data, columns, by, weights)
    else:
        if not type(data).__module__.startswith("dask"):
            raise InputTypeError(
                f"data is a {type(data).__name__}: expected a pandas or dask DataFrame."
            )
        missing = [c for c in need if c not in data.columns]
        if missing:
            check_columns(pd.DataFrame(columns=list(data.columns)), need)
        meta = _partial(data._meta.iloc[:0], columns, by, weights)
        parts = data.map_partitions(_partial, columns, by, weights, meta=meta).compute()
    if parts.empty:
        raise InsufficientDataError("data has no rows.")
    tot = parts.groupby("_key", sort=True).sum()
    k = len(columns)
    n = tot["n"].to_numpy()
    if tot[[f"sx{j}" for j in range(k)]].isna().any(axis=None):
        raise MissingValuesError(f"column(s) {columns} have missing values: drop them first.")
    keys = [s.split("\x1f") for s in tot.index]
    groups = (pd.MultiIndex.from_tuples([tuple(x) for x in keys], names=by) if len(by) > 1
              else pd.Index([x[0] for x in keys], name=by[0] if by else None))  # fmt: skip
    return Moments(columns, groups, n, tot["sw"].to_numpy(), tot["sw2"].to_numpy(),
                   tot[[f"sx{j}" for j in range(k)]].to_numpy(),
                   tot[[f"sxx{j}" for j in range(k * k)]].to_numpy().reshape(-1, k, k))  # fmt: skip
