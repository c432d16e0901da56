"""Sufficient statistics by wave × segment from a (dask) DataFrame.

The tracking estimates rest on counts, weighted means and centred
cross-products: per group ``n``, ``sum w``, ``sum w²``, the weighted mean and
``sum w (x - mean)(x - mean)ᵀ``.  :func:`moments` computes them partition by
partition (``map_partitions``) and merges the small per-partition tables, so a
dask DataFrame partitioned by wave is never collected row by row; a pandas
frame gives the same numbers.

Numerics: every partition centres its cross-products at its own weighted
mean and the partial results are merged with the pairwise update of Chan,
Golub & LeVeque (1983), ``M = M_a + M_b + d dᵀ w_a w_b / (w_a + w_b)`` with
``d = mean_b - mean_a``, so data with a large mean (1e6) and a unit variance
keep their covariance to ~1e-10 (raw sums ``sum w x xᵀ`` would lose it).

``fourth=True`` adds a second pass for the sandwich (robust) standard errors
of a weighted SEM: ``sum w² u uᵀ`` with ``u = [1, y, vech(y yᵀ)]`` and ``y``
the row centred at its group's weighted mean (see :meth:`Moments.products`).

From a :class:`Moments` come weighted means, covariance and correlation
matrices, drivers (:meth:`Moments.shapley`, :meth:`Moments.relative_weights`),
SEM (:func:`servqual.sem.fit_moments`) and PLS (:func:`servqual.pls.fit_moments`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._checks import check_columns
from .errors import (
    InputTypeError,
    InsufficientDataError,
    MissingValuesError,
    OutOfRangeError,
    ParameterError,
)

__all__ = ["Moments", "moments"]

_SEP = "\x1f"


def _merge(a, b):
    """Chan et al. pairwise merge of ``(n, sw, sw2, mean, m2)`` tuples."""
    n_a, sw_a, sw2_a, m_a, c_a = a
    n_b, sw_b, sw2_b, m_b, c_b = b
    sw = sw_a + sw_b
    if sw_b == 0:
        return n_a + n_b, sw, sw2_a + sw2_b, m_a, c_a
    if sw_a == 0:
        return n_a + n_b, sw, sw2_a + sw2_b, m_b, c_b
    d = m_b - m_a
    mean = m_a + d * (sw_b / sw)
    m2 = c_a + c_b + np.outer(d, d) * (sw_a * sw_b / sw)
    return n_a + n_b, sw, sw2_a + sw2_b, mean, m2


def _vech_index(k):
    return np.triu_indices(k)


def _expand(k: int) -> np.ndarray:
    """Matrix ``E`` with ``[1, y, vec(y yᵀ)] = E [1, y, vech(y yᵀ)]``."""
    iu = _vech_index(k)
    r = 1 + k + iu[0].size
    E = np.zeros((1 + k + k * k, r))
    E[: 1 + k, : 1 + k] = np.eye(1 + k)
    for j, (a, b) in enumerate(zip(*iu)):
        E[1 + k + a * k + b, 1 + k + j] = 1.0
        E[1 + k + b * k + a, 1 + k + j] = 1.0
    return E


def shift_matrix(d: np.ndarray) -> np.ndarray:
    """``T`` with ``[1, y + d, vec((y + d)(y + d)ᵀ)] = T [1, y, vec(y yᵀ)]``."""
    k = d.size
    T = np.eye(1 + k + k * k)
    T[1 : 1 + k, 0] = d
    for a in range(k):
        for b in range(k):
            r = 1 + k + a * k + b
            T[r, 0] = d[a] * d[b]
            T[r, 1 + a] += d[b]
            T[r, 1 + b] += d[a]
    return T


class Moments:
    """Per-group counts and weighted moments.

    Attributes (one entry per group, in the order of ``groups``): ``n``
    (rows), ``sw`` (sum of weights), ``sw2`` (sum of squared weights),
    ``means`` (groups x k weighted means), ``m2`` (groups x k x k centred
    cross-products ``sum w (x - mean)(x - mean)ᵀ``), and with
    ``fourth=True`` ``g4`` (groups x r x r, ``sum w² u uᵀ``).  ``groups`` is
    the index of the groups (a MultiIndex for several keys); ``weighted``
    says whether the rows had weights.
    """

    def __init__(self, columns, groups, n, sw, sw2, means, m2, g4=None, weighted=False):
        self.columns = list(columns)
        self.groups = groups
        self.n, self.sw, self.sw2, self.means, self.m2 = n, sw, sw2, means, m2
        self.g4 = g4
        self.weighted = bool(weighted)

    @property
    def sx(self) -> np.ndarray:
        """Weighted sums ``sum w x`` per group."""
        return self.means * self.sw[:, None]

    @property
    def sxx(self) -> np.ndarray:
        """Raw weighted cross-products ``sum w x xᵀ`` per group."""
        return self.m2 + self.sw[:, None, None] * self.means[:, :, None] * self.means[:, None, :]

    def _index(self, group) -> int:
        try:
            return self.groups.get_loc(group)
        except KeyError:
            raise ParameterError(
                f"group {group!r} is not in the moments; expected one of {list(self.groups)} "
                "(group labels are strings) or None for all rows."
            ) from None

    def _pick(self, group):
        """``(n, sw, sw2, mean, m2)`` of one group or (``None``) of all rows."""
        if group is not None:
            i = self._index(group)
            return self.n[i], self.sw[i], self.sw2[i], self.means[i], self.m2[i]
        acc = None
        for i in range(len(self.n)):
            cur = (self.n[i], self.sw[i], self.sw2[i], self.means[i], self.m2[i])
            acc = cur if acc is None else _merge(acc, cur)
        return acc

    def count(self, group=None) -> int:
        """Rows in ``group`` (``None``: all rows)."""
        return int(self._pick(group)[0])

    def mean(self, group=None) -> pd.Series:
        """Weighted means of the columns in ``group`` (``None``: all rows)."""
        return pd.Series(self._pick(group)[3], index=self.columns)

    def cov(self, group=None, *, ddof: int = 0) -> pd.DataFrame:
        """Weighted covariance (``ddof=0``: divide by ``sum w``, as
        :func:`servqual.weighting.weighted_cov`; ``ddof=1``: times ``n / (n - 1)``)."""
        n, sw, _, _, m2 = self._pick(group)
        c = m2 / sw
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

    def products(self, group=None, center=None) -> np.ndarray:
        """``sum w² u uᵀ`` with ``u = [1, x - center, vec((x - center)(x - center)ᵀ)]``.

        ``center`` defaults to the weighted mean of ``group`` (``None``: all
        rows).  Needs ``moments(..., fourth=True)``.
        """
        if self.g4 is None:
            raise ParameterError(
                "these moments have no fourth-order products: compute them with "
                "moments(..., fourth=True)."
            )
        k = len(self.columns)
        E = _expand(k)
        mean = self._pick(group)[3]
        center = mean if center is None else np.asarray(center, float)
        idx = range(len(self.n)) if group is None else [self._index(group)]
        out = np.zeros((E.shape[0], E.shape[0]))
        for i in idx:
            T = shift_matrix(self.means[i] - center)
            TE = T @ E
            out += TE @ self.g4[i] @ TE.T
        return out

    def shapley(self, target: str, predictors: Sequence[str], group=None) -> pd.Series:
        """Shapley values (LMG) of ``predictors`` for ``target`` from the moments."""
        from .drivers.importance import shapley_from_corr

        cols = [*predictors, target]
        sv, _ = shapley_from_corr(self.corr(group).loc[cols, cols].to_numpy())
        return pd.Series(sv, index=list(predictors), name="importance")

    def relative_weights(self, target: str, predictors: Sequence[str], group=None) -> pd.Series:
        """Johnson's relative weights of ``predictors`` for ``target`` from the moments."""
        from .drivers.importance import relative_weights_from_corr

        cols = [*predictors, target]
        rw = relative_weights_from_corr(self.corr(group).loc[cols, cols].to_numpy())
        return pd.Series(rw, index=list(predictors), name="importance")


def _groups(frame: pd.DataFrame, by):
    """``(key, row positions)`` per group; the key joins the ``str`` of the group values."""
    if not by:
        return [("", np.arange(len(frame)))]
    out = []
    for key, idx in frame.groupby(by, sort=True, observed=True).indices.items():
        vals = key if isinstance(key, tuple) else (key,)
        out.append((_SEP.join(str(v) for v in vals), idx))
    return out


def _columns(k: int) -> list[str]:
    return ["_key", "n", "sw", "sw2", *[f"m{j}" for j in range(k)],
            *[f"c{j}" for j in range(k * k)]]  # fmt: skip


def _partial(frame: pd.DataFrame, columns, by, weights) -> pd.DataFrame:
    """One row per group of ``frame``: n, sums of w and w², mean, centred products."""
    x = frame[columns].to_numpy(dtype=float)
    w = np.ones(len(frame)) if weights is None else frame[weights].to_numpy(dtype=float)
    k = len(columns)
    cols = _columns(k)
    if len(frame) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "_key" else float) for c in cols})
    rows = []
    for key, idx in _groups(frame, by):
        xi, wi = x[idx], w[idx]
        sw = wi.sum()
        mean = wi @ xi / sw if sw > 0 else xi[0]
        xc = xi - mean
        rows.append([key, len(idx), sw, wi @ wi, *mean, *((xc * wi[:, None]).T @ xc).ravel()])
    return pd.DataFrame(rows, columns=cols)


def _partial4(frame: pd.DataFrame, columns, by, weights, centers) -> pd.DataFrame:
    """One row per group: ``sum w² u uᵀ`` (vech-packed ``u``) about the group's mean."""
    x = frame[columns].to_numpy(dtype=float)
    w = np.ones(len(frame)) if weights is None else frame[weights].to_numpy(dtype=float)
    k = len(columns)
    iu = _vech_index(k)
    r = 1 + k + iu[0].size
    cols = ["_key", *[f"g{j}" for j in range(r * r)]]
    if len(frame) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "_key" else float) for c in cols})
    rows = []
    for key, idx in _groups(frame, by):
        y = x[idx] - centers[key]
        u = np.hstack([np.ones((idx.size, 1)), y, y[:, iu[0]] * y[:, iu[1]]])
        wi = w[idx]
        rows.append([key, *((u * (wi * wi)[:, None]).T @ u).ravel()])
    return pd.DataFrame(rows, columns=cols)


def _run(data, fn, args, meta_frame):
    if isinstance(data, pd.DataFrame):
        return fn(data, *args)
    meta = fn(meta_frame, *args)
    return data.map_partitions(fn, *args, meta=meta).compute()


def moments(data, columns: Sequence[str], by: Sequence[str] | str | None = None, *,
            weights: str | None = None, fourth: bool = False) -> Moments:  # fmt: skip
    """Counts, weighted means and centred cross-products of ``columns`` by ``by``.

    ``data`` is a pandas or dask DataFrame; with a dask DataFrame each
    partition is reduced to one row per group on the workers; only those rows
    are brought back and merged (Chan et al.'s stable pairwise update).
    ``weights`` names a column of respondent weights.  ``fourth=True`` also
    computes the weighted fourth-order products a weighted SEM needs for its
    robust standard errors (a second pass over the data).

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
        meta_frame = None
    else:
        if not type(data).__module__.startswith("dask"):
            raise InputTypeError(
                f"data is a {type(data).__name__}: expected a pandas or dask DataFrame."
            )
        missing = [c for c in need if c not in data.columns]
        if missing:
            check_columns(pd.DataFrame(columns=list(data.columns)), need)
        meta_frame = data._meta.iloc[:0]
    parts = _run(data, _partial, (columns, by, weights), meta_frame)
    if parts.empty:
        raise InsufficientDataError("data has no rows.")
    k = len(columns)
    mcols = [f"m{j}" for j in range(k)]
    if parts[mcols].isna().any(axis=None):
        raise MissingValuesError(f"column(s) {columns} have missing values: drop them first.")
    if weights is not None and (parts["sw"] < 0).any():
        raise OutOfRangeError(f"weight column {weights!r} has negative values.")
    merged = {}
    for row in parts.itertuples(index=False):  # partition order: deterministic
        mean, m2 = np.array(row[4 : 4 + k], float), np.array(row[4 + k :], float)
        cur = (int(row.n), float(row.sw), float(row.sw2), mean, m2.reshape(k, k))
        key = row[0]
        merged[key] = cur if key not in merged else _merge(merged[key], cur)
    order = sorted(merged)
    vals = [merged[key] for key in order]
    keys = [s.split(_SEP) for s in order]
    groups = (pd.MultiIndex.from_tuples([tuple(x) for x in keys], names=by) if len(by) > 1
              else pd.Index([x[0] for x in keys], name=by[0] if by else None))  # fmt: skip
    out = Moments(columns, groups, np.array([v[0] for v in vals]), np.array([v[1] for v in vals]),
                  np.array([v[2] for v in vals]), np.array([v[3] for v in vals]),
                  np.array([v[4] for v in vals]), weighted=weights is not None)  # fmt: skip
    if fourth:
        centers = {key: merged[key][3] for key in order}
        p4 = _run(data, _partial4, (columns, by, weights, centers), meta_frame)
        r = 1 + k + k * (k + 1) // 2
        tot = p4.groupby("_key", sort=True).sum()
        out.g4 = tot.loc[order].to_numpy(float).reshape(-1, r, r)
    return out
