"""Respondent weights: weighted estimators with linearised SEs, and raking.

The estimators here are the building blocks every weighted analysis of the
package uses (scores, metrics, drivers, reliability) and that comparisons
between segments and waves can reuse: they take a data vector and a weight
vector and return the estimate, its standard error and the effective n.

With weights ``w_i`` (any positive scale), the weighted mean is the ratio
``ybar = sum w y / sum w``.  Its variance by Taylor linearisation, for a
single-stage design with replacement (R ``survey``'s
``svydesign(ids = ~1, weights = ~w)``), is

    var(ybar) = n / (n - 1) * sum_i u_i^2,   u_i = w_i (y_i - ybar) / sum w,

so an NPS (the mean of +100/0/-100 codes) and a top-box share (the mean of a
0/1 indicator) get their SEs the same way.  Kish's effective sample size is
``n_eff = (sum w)^2 / sum w^2`` and his design effect of weighting
``deff = n / n_eff = 1 + cv(w)^2``.

:func:`rake` finds weights whose weighted margins equal target margins by
iterative proportional fitting (Deming & Stephan 1940), optionally trimming
large weights between sweeps.  (``balance`` pins numpy < 2 and scikit-learn
< 1.4 on Python 3.11 and pulls in plotting stacks; ``weightipy`` needs
``watchdog`` and ``requests``: a small IPF here is simpler to keep.)

References
----------
Kish, L. (1965). *Survey Sampling*. Wiley (effective n, design effect).
Deming, W. E., & Stephan, F. F. (1940). On a least squares adjustment of a
sampled frequency table when the expected marginal totals are known. *Annals
of Mathematical Statistics* 11(4), 427-444.
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import (
    Interval,
    as_py,
    check_columns,
    check_data,
    check_frame,
    check_params,
    check_unique_index,
    check_weights,
)
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from ._warn import warn
from .errors import (
    ConvergenceWarning,
    DataError,
    DegenerateResultWarning,
    EmptyDataError,
    InsufficientDataError,
    MissingValuesError,
    ParameterError,
)

__all__ = [
    "Estimate",
    "mean_estimate",
    "share_estimate",
    "nps_estimate",
    "kish_neff",
    "rows_kept",
    "design_effect",
    "weighted_mean_se",
    "weighted_cov",
    "weighted_corr",
    "correlation",
    "weighted_means",
    "WeightedMeans",
    "rake",
    "RakeResult",
]


def kish_neff(w) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``.

    Examples
    --------
    >>> kish_neff([1, 1, 1, 1]), round(kish_neff([1, 1, 1, 3]), 4)
    (4.0, 3.0)
    """
    w = np.asarray(w, dtype=float)
    return float(w.sum() ** 2 / np.sum(w * w))


def rows_kept(w: np.ndarray, data: pd.DataFrame, kept: pd.DataFrame) -> np.ndarray:
    """The weights (one per row of ``data``) of the rows of ``kept``, matched by label.

    ``kept`` is ``data`` after rows were dropped (listwise deletion); the index
    of ``data`` must be unique (:class:`~servqual.errors.DuplicateIndexError`).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, None, 3.0]}, index=[10, 11, 12])
    >>> rows_kept(np.array([1.0, 2.0, 3.0]), df, df.dropna()).tolist()
    [1.0, 3.0]
    """
    check_unique_index(data, why="weights are matched to the rows kept")
    return pd.Series(w, index=data.index).loc[kept.index].to_numpy(dtype=float)


def design_effect(w) -> float:
    """Kish's design effect of weighting ``n sum w^2 / (sum w)^2 = 1 + cv(w)^2``.

    Examples
    --------
    >>> design_effect([1, 1, 1, 3])
    1.3333333333333333
    """
    w = np.asarray(w, dtype=float)
    return float(w.size / kish_neff(w))


def weighted_mean_se(x, w=None) -> tuple[np.ndarray, np.ndarray]:
    """Weighted means of the columns of ``x`` and their linearised standard errors.

    ``x`` is (n,) or (n, k) without missing values; ``w`` (n,) non-negative
    weights (``None``: equal weights, giving ``sd / sqrt(n)``).  The SE is
    R ``survey``'s for ``svydesign(ids = ~1, weights = ~w)``:
    ``sqrt(n / (n - 1) * sum u_i^2)`` with ``u_i = w_i (x_i - xbar) / sum w``.
    Returns arrays shaped like one row of ``x``; SE is NaN when n < 2.

    Examples
    --------
    >>> m, se = weighted_mean_se([1.0, 2.0, 3.0, 4.0], [1, 1, 1, 1])
    >>> float(m), round(float(se), 6)
    (2.5, 0.645497)
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    w = np.ones(n) if w is None else np.asarray(w, dtype=float)
    tw = w.sum()
    m = np.tensordot(w, x, axes=1) / tw
    if n < 2:
        return m, np.full_like(m, np.nan)
    u = (w / tw).reshape((n,) + (1,) * (x.ndim - 1)) * (x - m)
    se = np.sqrt(n / (n - 1) * np.sum(u * u, axis=0))
    return m, se


def weighted_cov(x, w=None, *, ddof: int = 0) -> np.ndarray:
    """Weighted covariance matrix of the columns of ``x``.

    ``ddof=0`` divides by ``sum w`` (lavaan's sampling-weighted covariance);
    ``ddof=1`` by ``sum w (n - 1) / n`` (sampling weights rescaled to sum to
    n, then the usual ``n - 1``: equal weights give ``np.cov``).

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 4.0]])
    >>> np.allclose(weighted_cov(x, ddof=1), np.cov(x, rowvar=False))
    True
    """
    x = np.asarray(x, dtype=float)
    w = np.ones(x.shape[0]) if w is None else np.asarray(w, dtype=float)
    tw = w.sum()
    m = w @ x / tw
    xc = x - m
    n = x.shape[0]
    denom = tw if ddof == 0 else tw * (n - 1) / n
    return (xc * w[:, None]).T @ xc / denom


def correlation(x, w=None) -> np.ndarray:
    """Pearson correlation of the columns of ``x``: ``np.corrcoef`` or, with ``w``, weighted.

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 4.0]])
    >>> bool(np.allclose(correlation(x, [1, 1, 1]), correlation(x)))
    True
    """
    if w is None:
        return np.corrcoef(np.asarray(x, dtype=float), rowvar=False)
    return weighted_corr(x, w)


def weighted_corr(x, w=None) -> np.ndarray:
    """Weighted Pearson correlation matrix of the columns of ``x``.

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 4.0]])
    >>> np.allclose(weighted_corr(x), np.corrcoef(x, rowvar=False))
    True
    """
    c = weighted_cov(x, w)
    d = np.sqrt(np.diag(c))
    r = c / np.outer(d, d)
    np.fill_diagonal(r, 1.0)
    return r


# ------------------------------------------------------- reusable estimates
class Estimate(NamedTuple):
    """One estimate with its SE, n, Kish's effective n and design effect."""

    estimate: float
    se: float
    n: int
    n_eff: float
    deff: float


def _estimate(x: np.ndarray, w, scale: float = 1.0) -> Estimate:
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    if w is None:
        m, se = weighted_mean_se(x)
        return Estimate(scale * float(m), scale * float(se), n, float(n), 1.0)
    w = np.asarray(w, dtype=float)
    m, se = weighted_mean_se(x, w)
    return Estimate(scale * float(m), scale * float(se), n, kish_neff(w), design_effect(w))


def mean_estimate(x, w=None) -> Estimate:
    """Mean of ``x`` (no missing values) with its linearised SE (R ``survey``'s ``svymean``).

    The building block for comparisons between segments and waves: with
    ``w=None`` the SE is ``sd / sqrt(n)``.

    Examples
    --------
    >>> e = mean_estimate([1.0, 2.0, 3.0, 4.0], [1, 1, 1, 3])
    >>> e.estimate, round(e.n_eff, 3)
    (3.0, 3.0)
    """
    return _estimate(x, w)


def share_estimate(flags, w=None) -> Estimate:
    """Share (0-1) of ``flags`` that are true, with its linearised SE.

    Examples
    --------
    >>> e = share_estimate([True, False, True, True])
    >>> e.estimate, round(e.se, 4)
    (0.75, 0.25)
    """
    return _estimate(np.asarray(flags, dtype=bool).astype(float), w)


def nps_estimate(scores, w=None) -> Estimate:
    """NPS (points) of 0-10 answers: trinomial SE unweighted, linearised SE weighted.

    The same numbers as :func:`servqual.metrics.nps` (which validates its input).

    Examples
    --------
    >>> e = nps_estimate([10] * 3 + [8] * 2 + [3])
    >>> round(e.estimate, 2), round(e.se, 2)
    (33.33, 30.43)
    """
    v = np.asarray(scores, dtype=float)
    code = (v >= 9).astype(float) - (v <= 6)
    if w is not None:
        return _estimate(code, w, 100.0)
    n = v.shape[0]
    pp, pd_ = float(np.mean(v >= 9)), float(np.mean(v <= 6))
    se = 100.0 * np.sqrt(max(pp + pd_ - (pp - pd_) ** 2, 0.0) / n)
    return Estimate(100.0 * (pp - pd_), float(se), n, float(n), 1.0)


# --------------------------------------------------------------------- means
@resultclass
class WeightedMeans(Result):
    """Weighted means with linearised SEs, Kish's effective n and design effect.

    ``table`` has one row per column: ``n``, ``n_eff``, ``deff``, ``mean``,
    ``se``, ``ci_lower``, ``ci_upper`` (normal interval, as
    ``confint(svymean(...))``).
    """

    table: pd.DataFrame
    ci: float
    weighted: bool
    warnings: tuple[str, ...] = ()

    def summary(self) -> Summary:
        title = "Weighted means" if self.weighted else "Means"
        return Summary(title, [("Estimates", self.table)], self.warnings)


@records_provenance
def weighted_means(data: pd.DataFrame, columns: Sequence[str] | str, *, weights=None,
                   ci: float = 0.95) -> WeightedMeans:  # fmt: skip
    """Means of ``columns`` with respondent ``weights``, their SEs and effective n.

    Each column uses its non-missing rows (their count is ``n``); the SE is
    the Taylor-linearised SE of R ``survey``'s ``svymean`` for
    ``svydesign(ids = ~1, weights = ~w)``.

    Parameters
    ----------
    data : DataFrame
    columns : column name or list of them (numeric)
    weights : column name or array, optional
        One non-negative weight per row (see :func:`servqual._checks.check_weights`).
    ci : float
        Confidence level of the normal interval.

    Examples
    --------
    >>> df = pd.DataFrame({"q": [1.0, 2.0, 3.0, 4.0], "w": [1, 1, 1, 3]})
    >>> r = weighted_means(df, "q", weights="w")
    >>> float(r.table.loc["q", "mean"]), float(r.table.loc["q", "deff"])
    (3.0, 1.3333333333333333)
    """
    check_params({"ci": ci}, {"ci": Interval(0, 1, closed="neither")})
    data = check_data(data)
    columns = [columns] if isinstance(columns, str) else list(columns)
    if not columns:
        raise ParameterError("columns is empty: expected at least one column name.")
    w = check_weights(weights, data)
    check_columns(data, columns)
    frame = check_frame(data, columns, missing="allow", allow_constant=True)
    z = stats.norm.ppf(0.5 + ci / 2)
    rows, warns = [], []
    for c in columns:
        ok = frame[c].notna().to_numpy()
        wc = np.ones(int(ok.sum())) if w is None else w[ok]
        if ok.sum() == 0 or wc.sum() <= 0:
            raise EmptyDataError(f"column {c!r} has no non-missing answer with a positive weight.")
        m, se = weighted_mean_se(frame[c].to_numpy()[ok], wc)
        if (~ok).any():
            warns.append(f"{int((~ok).sum())} missing value(s) in {c!r} left out of its mean.")
        if ok.sum() < 2:
            msg = f"column {c!r} has a single answer: its standard error is undefined (NaN)."
            warns.append(msg)
            warn(msg, DegenerateResultWarning)
        rows.append({"column": c, "n": int(ok.sum()), "n_eff": kish_neff(wc),
                     "deff": design_effect(wc), "mean": float(m), "se": float(se),
                     "ci_lower": float(m - z * se), "ci_upper": float(m + z * se)})  # fmt: skip
    from .errors import MissingDataWarning

    for msg in warns:
        if "missing value" in msg:
            warn(msg, MissingDataWarning)
    table = pd.DataFrame(rows).set_index("column")
    return WeightedMeans(table=table, ci=ci, weighted=w is not None, warnings=tuple(warns))


# --------------------------------------------------------------------- raking
@resultclass
class RakeResult(Result):
    """Raked weights and their diagnostics.

    Attributes
    ----------
    weights : Series
        One weight per row of the data (index of the data), summing to ``total``.
    margins : DataFrame
        ``variable``, ``category``, ``target``, ``achieved`` (weighted shares)
        and ``sample`` (unweighted shares).
    n, n_eff, deff, max_weight, min_weight : diagnostics
        ``max_weight`` and ``min_weight`` relative to the mean weight.
    iterations, converged, max_error : IPF sweeps, whether every margin is
        within ``tol``, and the largest absolute margin error (shares).
    """

    weights: pd.Series
    margins: pd.DataFrame
    n: int
    n_eff: float
    deff: float
    max_weight: float
    min_weight: float
    iterations: int
    converged: bool
    max_error: float
    n_trimmed: int = 0
    warnings: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.margins

    def summary(self) -> Summary:
        info = {
            "n": self.n,
            "effective n (Kish)": self.n_eff,
            "design effect": self.deff,
            "largest weight / mean": self.max_weight,
            "smallest weight / mean": self.min_weight,
            "weights trimmed": self.n_trimmed,
            "IPF sweeps": self.iterations,
            "converged": self.converged,
            "largest margin error": self.max_error,
        }
        return Summary("Raking (IPF)", [("Diagnostics", info), ("Margins", self.margins)],
                       self.warnings)  # fmt: skip


def _targets(data: pd.DataFrame, targets) -> list[tuple[str, np.ndarray, list, np.ndarray]]:
    """Validated margins: (column, category codes per row, categories, target shares)."""
    if not isinstance(targets, Mapping) or not targets:
        raise ParameterError(
            f"targets={targets!r} is invalid: expected a dict column -> {{category: share}}."
        )
    check_columns(data, list(targets), what="raking column")
    out = []
    for col, margin in targets.items():
        if isinstance(margin, pd.Series):
            margin = margin.to_dict()
        if not isinstance(margin, Mapping) or not margin:
            raise ParameterError(
                f"targets[{col!r}] is invalid: expected a non-empty dict category -> share."
            )
        s = data[col]
        if s.isna().any():
            row = s.index[np.flatnonzero(s.isna().to_numpy())[0]]
            raise MissingValuesError(
                f"raking column {col!r} is missing at row {as_py(row)!r}: every respondent "
                "needs a category to be raked (impute it or give it its own category)."
            )
        cats = list(margin)
        shares = np.array([margin[c] for c in cats], dtype=float)
        bad = ~np.isfinite(shares) | (shares < 0)
        if bad.any():
            c = cats[int(np.flatnonzero(bad)[0])]
            raise ParameterError(
                f"targets[{col!r}][{c!r}] = {margin[c]!r} is invalid: expected a finite share >= 0."
            )
        if shares.sum() <= 0:
            raise ParameterError(f"targets[{col!r}] are all zero: expected a positive total.")
        values = s.to_numpy()
        lookup = {c: i for i, c in enumerate(cats)}
        codes = np.array([lookup.get(v, -1) for v in values])
        stray = codes < 0
        if stray.any():
            i = int(np.flatnonzero(stray)[0])
            others = sorted({str(v) for v in values[stray]})
            raise DataError(
                f"raking column {col!r} holds category {as_py(values[i])!r} (row "
                f"{as_py(s.index[i])!r}) that has no target; categories without a target: "
                f"{others}. Add them to targets[{col!r}] (0 to weight them out)."
            )
        counts = np.bincount(codes, minlength=len(cats))
        empty = [c for c, k, t in zip(cats, counts, shares) if k == 0 and t > 0]
        if empty:
            raise InsufficientDataError(
                f"raking column {col!r}: no respondent in category {empty[0]!r}, which has a "
                "positive target; no weighting can reach it (merge it with a neighbour)."
            )
        out.append((str(col), codes, cats, shares / shares.sum(), float(shares.sum())))
    totals = [t[4] for t in out]
    sums_to_one = [abs(t - 1) < 1e-6 for t in totals]
    if not all(sums_to_one) and max(totals) - min(totals) > 1e-6 * max(totals):
        detail = ", ".join(f"{t[0]!r}: {t[4]:g}" for t in out)
        raise ParameterError(
            f"the target margins have different totals ({detail}): give shares that sum "
            "to 1 or counts with the same total for every column."
        )
    return [t[:4] for t in out]


@records_provenance
def rake(
    data: pd.DataFrame,
    targets: Mapping[str, Mapping[object, float]],
    *,
    weights=None,
    trim: float | None = None,
    total: float | None = None,
    max_iter: int = 1000,
    tol: float = 1e-10,
) -> RakeResult:
    """Rake (iterative proportional fitting) respondent weights to target margins.

    Each sweep scales the weights so that every column's weighted category
    shares equal its targets in turn; sweeps repeat until every margin is
    within ``tol``.  With ``trim``, weights above ``trim`` times the mean
    weight are capped after each sweep (and the margins re-raked), so the
    result trades exact margins for a smaller design effect only when the
    cap binds at convergence (then a warning says how far the margins are).

    Parameters
    ----------
    data : DataFrame
    targets : dict column -> {category: share}
        Population shares (or counts with one total for all columns) for
        every category of each raking column; a category present in the data
        must have a target (0 weights it out).
    weights : column name or array, optional
        Base (design) weights to start from; equal by default.
    trim : float, optional
        Cap for weights relative to the mean weight (e.g. 5); > 1.
    total : float, optional
        Sum of the returned weights (default: the number of rows, so the mean
        weight is 1).
    max_iter, tol : IPF sweeps and tolerance on the margin shares.

    Returns
    -------
    RakeResult

    Examples
    --------
    >>> df = pd.DataFrame({"sex": list("mmmfff"), "age": list("yooyyo")})
    >>> r = rake(df, {"sex": {"m": 0.6, "f": 0.4}, "age": {"y": 0.3, "o": 0.7}})
    >>> r.margins[["variable", "category", "target", "achieved"]].round(6)
      variable category  target  achieved
    0      sex        m     0.6       0.6
    1      sex        f     0.4       0.4
    2      age        y     0.3       0.3
    3      age        o     0.7       0.7
    >>> r.converged, round(r.n_eff, 3)
    (True, 5.147)
    """
    check_params(
        {"max_iter": max_iter, "tol": tol},
        {"max_iter": Interval(1, None, integer=True), "tol": Interval(0, None, closed="neither")},
    )
    if trim is not None:
        check_params({"trim": trim}, {"trim": Interval(1, None, closed="neither")})
    data = check_data(data)
    n = len(data)
    if total is None:
        total = float(n)
    check_params({"total": total}, {"total": Interval(0, None, closed="neither")})
    base = check_weights(weights, data)
    w = np.ones(n) if base is None else base.copy()
    margins = _targets(data, targets)
    warns = []
    for col, codes, cats, shares in margins:
        counts = np.bincount(codes, minlength=len(cats))
        thin = [c for c, k, t in zip(cats, counts, shares) if k == 1 and t > 0]
        if thin:
            msg = (
                f"raking column {col!r}: category {thin[0]!r} has a single respondent, who "
                "alone carries its whole target share; consider merging categories."
            )
            warns.append(msg)
            warn(msg, DegenerateResultWarning)

    def error(w):
        tw = w.sum()
        return max(
            float(np.max(np.abs(np.bincount(codes, w, len(cats)) / tw - shares)))
            for _, codes, cats, shares in margins
        )

    n_trim, it, err = 0, 0, error(w)
    while it < max_iter and err > tol:
        it += 1
        for _, codes, cats, shares in margins:
            have = np.bincount(codes, w, len(cats))
            factor = np.divide(shares * w.sum(), have, out=np.zeros(len(cats)), where=have > 0)
            w = w * factor[codes]
        if trim is not None:
            cap = trim * w.sum() / np.count_nonzero(w)
            over = w > cap
            if over.any():
                n_trim = int(over.sum())
                w = np.minimum(w, cap)
        err = error(w)
    converged = err <= tol
    if not converged:
        msg = (
            f"raking did not reach the targets within tol={tol:g} after {it} sweeps (largest "
            f"share error {err:.2e})"
            + (f"; the trim at {trim:g} x the mean weight binds" if trim is not None else "")
            + "."
        )
        warns.append(msg)
        warn(msg, ConvergenceWarning)
    w = w * total / w.sum()
    rows = []
    tw = w.sum()
    for col, codes, cats, shares in margins:
        ach = np.bincount(codes, w, len(cats)) / tw
        samp = np.bincount(codes, minlength=len(cats)) / n
        for c, t, a, s in zip(cats, shares, ach, samp):
            rows.append({"variable": col, "category": c, "target": t, "achieved": a, "sample": s})
    mean_w = tw / n
    return RakeResult(
        weights=pd.Series(w, index=data.index, name="weight"),
        margins=pd.DataFrame(rows),
        n=n,
        n_eff=kish_neff(w),
        deff=design_effect(w),
        max_weight=float(w.max() / mean_w),
        min_weight=float(w.min() / mean_w),
        iterations=it,
        converged=bool(converged),
        max_error=float(err),
        n_trimmed=n_trim,
        warnings=tuple(warns),
    )
