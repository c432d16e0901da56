"""Tests of differences between segments and between waves.

One tidy table per comparison: ``metric``, ``group_a``, ``group_b``,
``estimate_a``, ``estimate_b``, ``difference`` (a − b), ``ci_lower``,
``ci_upper``, ``statistic``, ``p``, ``p_adjusted``, ``n_a``, ``n_b``,
``n_eff_a``, ``n_eff_b``.  Methods:

* **NPS** (independent samples): z test with the trinomial variance of each
  NPS (Rocks 2016); with respondent weights, each NPS's Taylor-linearised SE.
* **Top-box / CSAT share**: Newcombe's (1998, method 10) hybrid score
  interval of the difference from two Wilson intervals (with weights: Wilson
  at the weighted share and Kish's effective n); p from the two-proportion
  z test (pooled, as R ``prop.test(correct = FALSE)``; weighted: linearised SEs).
* **Mean or gap score**: Welch's t test (R ``t.test``); with weights, the
  design-based t test of R ``survey``'s ``svyttest`` (``ids = ~1``).
* **Paired** (the same respondents in two waves, linked by an id column):
  the mean of the per-respondent change of the NPS code (+100/0/−100), of
  the top-box flag or of the score, with its t interval (R ``t.test(paired = TRUE)``).
* **Driver importance** (:func:`compare_drivers`): stratified bootstrap of
  the difference in Shapley shares of R² between two segments, and how often
  the top driver differs.

Many segments at once: all pairs (``pairs="all"``) or each segment against
the rest (``pairs="rest"``), with Holm or Benjamini–Hochberg adjustment
(statsmodels ``multipletests``).

References
----------
Newcombe, R. G. (1998). Interval estimation for the difference between
independent proportions: comparison of eleven methods. *Statistics in
Medicine* 17(8), 873-890.
Rocks, B. (2016). Interval estimation for the "net promoter score". *The
American Statistician* 70(4), 365-372.
Holm, S. (1979). A simple sequentially rejective multiple test procedure.
*Scandinavian Journal of Statistics* 6(2), 65-70.
Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate.
*JRSS B* 57(1), 289-300.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import (
    Interval,
    Options,
    as_py,
    check_columns,
    check_data,
    check_params,
    check_weights,
)
from ._options import DEFAULT_N_BOOT, check_n_boot, check_n_jobs, resolve_progress
from ._resampling import bootstrap_notes, run_bootstrap
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from ._warn import warn
from .errors import (
    DegenerateResultWarning,
    DuplicateIndexError,
    InsufficientDataError,
    MissingValuesError,
    NonNumericError,
    OutOfRangeError,
    ParameterError,
)
from .weighting import kish_neff, mean_estimate, nps_estimate, share_estimate, weighted_mean_se

__all__ = ["Comparison", "compare", "compare_paired", "DriverComparison", "compare_drivers",
           "newcombe_interval", "adjust_p", "z_difference", "wilson"]  # fmt: skip

_METRICS = Options(("nps", "topbox", "mean"))
_PAIRS = Options(("all", "rest"))
_ADJUST = Options(("holm", "fdr_bh", "none"))
_CI = Interval(0, 1, closed="neither")
COLUMNS = ["metric", "group_a", "group_b", "estimate_a", "estimate_b", "difference",
           "ci_lower", "ci_upper", "statistic", "p", "p_adjusted", "n_a", "n_b",
           "n_eff_a", "n_eff_b"]  # fmt: skip


@resultclass
class Comparison(Result):
    """Differences between groups (segments or waves) as a tidy table.

    ``table`` has the columns listed in :mod:`servqual.compare`; ``adjust``
    is the multiple-testing method of ``p_adjusted``.
    """

    table: pd.DataFrame
    metric: str
    ci: float
    adjust: str
    weighted: bool
    warnings: tuple[str, ...] = ()

    def summary(self) -> Summary:
        w = "weighted " if self.weighted else ""
        title = f"Comparison of {w}{self.metric} ({self.adjust} adjustment)"
        return Summary(title, [("Differences", self.table)], self.warnings)


def wilson(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval of a share ``p`` on ``n`` (possibly effective) answers, ``z`` quantile.

    Examples
    --------
    >>> [round(x, 4) for x in wilson(0.3, 100, 1.959963984540054)]
    [0.2189, 0.3958]
    """
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return float(centre - half), float(centre + half)


def newcombe_interval(p1: float, n1: float, p2: float, n2: float, *,
                      ci: float = 0.95) -> tuple[float, float]:  # fmt: skip
    """Newcombe's hybrid score interval of ``p1 - p2`` (method 10 of Newcombe 1998).

    ``n1``, ``n2`` may be effective sample sizes (weighted shares).

    Examples
    --------
    >>> [round(x, 4) for x in newcombe_interval(56 / 70, 70, 48 / 80, 80)]  # Newcombe's example
    [0.0524, 0.3339]
    """
    z = stats.norm.ppf(0.5 + ci / 2)
    l1, u1 = wilson(p1, n1, z)
    l2, u2 = wilson(p2, n2, z)
    d = p1 - p2
    return float(d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)), float(
        d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    )


def z_difference(est_a, se_a, est_b, se_b, *, ci: float = 0.95):
    """Vectorised z test of ``est_a - est_b`` for independent estimates with SEs.

    Returns ``(difference, se, z, p, ci_lower, ci_upper)`` (arrays or floats).
    The NPS comparison of :func:`compare` is this with the trinomial (or
    linearised) SE of each NPS.

    Examples
    --------
    >>> d, se, z, p, lo, hi = z_difference(40.0, 3.0, 30.0, 4.0)
    >>> float(d), float(se), round(float(p), 4)
    (10.0, 5.0, 0.0455)
    """
    d = np.asarray(est_a, dtype=float) - np.asarray(est_b, dtype=float)
    se = np.hypot(se_a, se_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        zs = np.where(se > 0, d / se, np.nan)
    q = stats.norm.ppf(0.5 + ci / 2)
    return d, se, zs, 2 * stats.norm.sf(np.abs(zs)), d - q * se, d + q * se


def adjust_p(p, method: str = "holm") -> np.ndarray:
    """Adjusted p values (statsmodels ``multipletests``); ``"none"`` returns them unchanged.

    Examples
    --------
    >>> adjust_p([0.01, 0.04, 0.03], "holm").round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    check_params({"adjust": method}, {"adjust": _ADJUST})
    p = np.asarray(p, dtype=float)
    if method == "none" or np.sum(~np.isnan(p)) <= 1:  # one test: nothing to adjust
        return p.copy()
    from statsmodels.stats.multitest import multipletests

    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method=method)[1]
    return out


def _values(data: pd.DataFrame, column: str, metric: str, top_box: float | None):
    s = data[column]
    if not pd.api.types.is_numeric_dtype(s.dtype) or s.dtype == bool:
        bad = pd.to_numeric(s, errors="coerce").isna() & s.notna()
        row = s.index[bad.to_numpy()][0] if bad.any() else s.index[0]
        raise NonNumericError(
            f"column {column!r} holds {s.loc[row]!r} at row {row!r}: expected numeric answers."
        )
    v = s.to_numpy(dtype=float, na_value=np.nan)
    if metric == "nps":
        bad = ~np.isnan(v) & ((v < 0) | (v > 10) | (v != np.round(v)))
        if bad.any():
            row = s.index[np.flatnonzero(bad)[0]]
            raise ParameterError(
                f"column {column!r} holds {s.loc[row]!r} at row {row!r}: expected whole-number "
                "0-10 answers for an NPS."
            )
    if metric == "topbox":
        if top_box is None:
            raise ParameterError(
                "metric='topbox' needs top_box=: the lowest answer counted as satisfied "
                "(e.g. top_box=4 on a 1-5 scale)."
            )
        return np.where(np.isnan(v), np.nan, (v >= top_box).astype(float))
    return v


def _prepare(data, column, by, weights, metric, top_box):
    data = check_data(data)
    check_columns(data, [column], what="column")
    check_columns(data, [by], what="segment column")
    w = check_weights(weights, data)
    v = _values(data, column, metric, top_box)
    g = data[by].to_numpy()
    if pd.api.types.is_numeric_dtype(data[by]) and not pd.api.types.is_bool_dtype(data[by]):
        inf = np.isinf(data[by].to_numpy(dtype=float, na_value=np.nan))
        if inf.any():  # a group (wave, segment) labelled inf is a data error, not a group
            row = data.index[np.flatnonzero(inf)[0]]
            raise OutOfRangeError(
                f"column {by!r} holds an infinite value at row {row!r}: expected a group "
                "label (a wave number, a segment)."
            )
    keep = ~np.isnan(v) & pd.notna(data[by]).to_numpy()
    if w is not None:
        keep &= w > 0
    warns = []
    n_drop = int((~keep).sum())
    if n_drop:
        warns.append(
            f"{n_drop} row(s) with a missing {column!r} or {by!r} (or zero weight) left out."
        )
    return v[keep], g[keep], None if w is None else w[keep], warns


def _stat(metric: str, v: np.ndarray, w):
    if metric == "nps":
        code = 100.0 * ((v >= 9).astype(float) - (v <= 6))
        return nps_estimate(v, w), code
    if metric == "topbox":
        return share_estimate(v > 0.5, w), v
    return mean_estimate(v, w), v


def _pair_row(metric, name_a, va, wa, name_b, vb, wb, ci, weighted) -> dict:
    ea, xa = _stat(metric, va, wa)
    eb, xb = _stat(metric, vb, wb)
    d = ea.estimate - eb.estimate
    if metric == "mean" and not weighted:  # Welch
        t = stats.ttest_ind(va, vb, equal_var=False)
        se = np.sqrt(va.var(ddof=1) / va.size + vb.var(ddof=1) / vb.size)
        df = t.df
        stat, p = float(t.statistic), float(t.pvalue)
        q = stats.t.ppf(0.5 + ci / 2, df)
        lo, hi = d - q * se, d + q * se
    elif metric == "mean":  # svyttest: one design over both groups, df = n - 2
        n = va.size + vb.size
        ua = wa / wa.sum() * (va - ea.estimate)
        ub = wb / wb.sum() * (vb - eb.estimate)
        se = np.sqrt(n / (n - 1) * (np.sum(ua * ua) + np.sum(ub * ub)))
        stat = d / se
        df = n - 2
        p = float(2 * stats.t.sf(abs(stat), df))
        q = stats.t.ppf(0.5 + ci / 2, df)
        lo, hi = d - q * se, d + q * se
    elif metric == "topbox":
        lo, hi = newcombe_interval(ea.estimate, ea.n_eff, eb.estimate, eb.n_eff, ci=ci)
        if weighted:
            se = np.hypot(ea.se, eb.se)
        else:
            pool = (va.sum() + vb.sum()) / (va.size + vb.size)
            se = np.sqrt(pool * (1 - pool) * (1 / va.size + 1 / vb.size))
        stat = d / se if se > 0 else np.nan
        p = float(2 * stats.norm.sf(abs(stat))) if se > 0 else np.nan
    else:  # nps
        d, se, stat, p, lo, hi = z_difference(ea.estimate, ea.se, eb.estimate, eb.se, ci=ci)
        p = float(p)
    return {"metric": metric, "group_a": name_a, "group_b": name_b,
            "estimate_a": ea.estimate, "estimate_b": eb.estimate, "difference": d,
            "ci_lower": float(lo), "ci_upper": float(hi), "statistic": float(stat), "p": p,
            "p_adjusted": np.nan, "n_a": ea.n, "n_b": eb.n, "n_eff_a": ea.n_eff,
            "n_eff_b": eb.n_eff}  # fmt: skip


@records_provenance
def compare(
    data: pd.DataFrame,
    column: str,
    by: str,
    *,
    metric: str = "nps",
    weights=None,
    pairs: str = "all",
    adjust: str = "holm",
    top_box: float | None = None,
    groups: Sequence | None = None,
    ci: float = 0.95,
) -> Comparison:
    """Compare a metric of ``column`` between the segments (or waves) in ``by``.

    Parameters
    ----------
    data : DataFrame
    column : str
        The answers: 0-10 likelihood to recommend (``metric="nps"``), a
        rating (``"topbox"`` with ``top_box``), or a score or gap (``"mean"``).
    by : str
        Segment or wave column.
    metric : {"nps", "topbox", "mean"}
    weights : column name or array, optional
        Respondent weights.
    pairs : {"all", "rest"}
        All pairs of groups, or each group against all the others.
    adjust : {"holm", "fdr_bh", "none"}
        Multiple-testing adjustment of ``p_adjusted`` across the rows.
    top_box : float, optional
        Lowest answer counted as satisfied (``metric="topbox"``).
    groups : list, optional
        The groups to compare (default: all, sorted).
    ci : float

    Examples
    --------
    >>> df = pd.DataFrame({"ltr": [10, 9, 9, 7, 3, 10, 6, 5, 8, 2, 9, 10],
    ...                    "seg": ["a"] * 6 + ["b"] * 6})
    >>> r = compare(df, "ltr", "seg")
    >>> round(float(r.table.loc[0, "difference"]), 2)  # NPS 50 (seg a) - (-16.67) (seg b)
    66.67
    """
    check_params({"metric": metric, "pairs": pairs, "adjust": adjust, "ci": ci},
                 {"metric": _METRICS, "pairs": _PAIRS, "adjust": _ADJUST, "ci": _CI})  # fmt: skip
    v, g, w, warns = _prepare(data, column, by, weights, metric, top_box)
    present = [as_py(x) for x in pd.unique(g)]
    if groups is None:
        levels = sorted(present, key=str)
    else:
        levels = list(groups)
        unknown = [x for x in levels if x not in set(present)]
        if unknown:
            raise ParameterError(
                f"group(s) {unknown} not found in column {by!r} (with an answer in {column!r}); "
                f"it holds {sorted(map(str, present))[:12]}."
            )
    if len(levels) < 2:
        raise InsufficientDataError(
            f"column {by!r} has {len(levels)} group(s) with answers: at least 2 needed to compare."
        )
    for lev in levels:
        k = int((g == lev).sum())
        if k < 2:
            raise InsufficientDataError(
                f"segment {lev!r} of {by!r} has {k} respondent(s) with an answer in {column!r}: "
                "at least 2 needed for a standard error."
            )
    weighted = w is not None

    def part(mask):
        return v[mask], None if w is None else w[mask]

    rows = []
    if pairs == "all":
        for a, b in itertools.combinations(levels, 2):
            rows.append(_pair_row(metric, a, *part(g == a), b, *part(g == b), ci, weighted))
    else:
        inside = np.isin(g, levels)
        for a in levels:
            rows.append(_pair_row(metric, a, *part(g == a), "rest", *part(inside & (g != a)),
                                  ci, weighted))  # fmt: skip
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["p_adjusted"] = adjust_p(table["p"].to_numpy(), adjust)
    for msg in warns:
        warn(msg, DegenerateResultWarning)
    return Comparison(table=table, metric=metric, ci=ci, adjust=adjust, weighted=weighted,
                      warnings=tuple(warns))  # fmt: skip


@records_provenance
def compare_paired(
    data: pd.DataFrame,
    column: str,
    *,
    wave: str,
    id: str,
    waves: Sequence | None = None,
    metric: str = "nps",
    weights=None,
    weights_wave: str = "first",
    top_box: float | None = None,
    ci: float = 0.95,
) -> Comparison:
    """Change of a metric between two waves of the same panel, linked by ``id``.

    The per-respondent change ``d_i`` (of the NPS code +100/0/−100, of the
    top-box flag, or of the score) is averaged over the respondents answering
    in both waves; its t interval and test are R's ``t.test(a, b, paired =
    TRUE)`` (weighted: the linearised SE of the weighted mean of ``d_i``).
    ``difference`` is wave a − wave b.

    A panel member has a weight in each wave; ``weights_wave`` says which one
    weights the change: ``"first"`` (default: the panel as recruited, the
    usual base of a longitudinal weight), ``"second"`` (as of the later wave)
    or ``"mean"`` (the average of the two).

    Examples
    --------
    >>> df = pd.DataFrame({"id": [1, 2, 3, 4] * 2, "wave": [1] * 4 + [2] * 4,
    ...                    "ltr": [10, 9, 5, 8, 10, 6, 5, 7]})
    >>> r = compare_paired(df, "ltr", wave="wave", id="id")
    >>> float(r.table.loc[0, "difference"]), int(r.table.loc[0, "n_a"])
    (50.0, 4)
    """
    check_params({"metric": metric, "ci": ci, "weights_wave": weights_wave},
                 {"metric": _METRICS, "ci": _CI,
                  "weights_wave": Options(("first", "second", "mean"))})  # fmt: skip
    data = check_data(data)
    check_columns(data, [column], what="column")
    check_columns(data, [wave], what="wave column")
    check_columns(data, [id], what="respondent id column")
    w_all = check_weights(weights, data)
    levels = [as_py(x) for x in (sorted(pd.unique(data[wave].dropna()), key=str)
                                 if waves is None else waves)]  # fmt: skip
    if len(levels) != 2:
        raise ParameterError(
            f"a paired comparison needs exactly two waves; {wave!r} gives {levels[:8]} "
            "(pass waves=(a, b))."
        )
    v = _values(data, column, metric, top_box)
    if metric == "nps":
        v = 100.0 * ((v >= 9).astype(float) - (v <= 6) + np.where(np.isnan(v), np.nan, 0))
    parts = []
    for lev in levels:
        in_wave = (data[wave] == lev).fillna(False).to_numpy(dtype=bool)
        mask = in_wave & ~np.isnan(v)
        if not in_wave.any():
            raise ParameterError(f"wave {lev!r} not found in column {wave!r}.")
        ids = np.array([as_py(x) for x in data[id].to_numpy()[mask]], dtype=object)
        dup = pd.Index(ids).duplicated()
        if dup.any():
            raise DuplicateIndexError(
                f"respondent id {ids[dup][0]!r} appears more than once in wave {lev!r} of "
                f"{wave!r}: each respondent needs one answer per wave."
            )
        s = pd.Series(v[mask], index=ids)
        ws = pd.Series(np.ones(mask.sum()) if w_all is None else w_all[mask], index=ids)
        parts.append((s, ws))
    common = parts[0][0].index.intersection(parts[1][0].index)
    if len(common) < 2:
        raise InsufficientDataError(
            f"waves {levels[0]!r} and {levels[1]!r} of {wave!r} share {len(common)} respondent "
            f"id(s) in {id!r} with answers: a paired comparison needs at least 2."
        )
    a = parts[0][0].loc[common].to_numpy()
    b = parts[1][0].loc[common].to_numpy()
    wa = None
    if w_all is not None:
        w1, w2 = (part[1].loc[common].to_numpy() for part in parts)
        wa = {"first": w1, "second": w2, "mean": (w1 + w2) / 2}[weights_wave]
        if not wa.sum() > 0:
            raise OutOfRangeError(
                f"the {weights_wave} wave's weights of the {len(common)} respondents in "
                "both waves are all zero: nothing to average."
            )
    d = a - b
    n = d.size
    if wa is None:
        m, se = float(d.mean()), float(d.std(ddof=1) / np.sqrt(n))
        ma, mb, neff = float(a.mean()), float(b.mean()), float(n)
    else:
        m, se = (float(x) for x in weighted_mean_se(d, wa))
        ma, mb, neff = float(wa @ a / wa.sum()), float(wa @ b / wa.sum()), kish_neff(wa)
    q = stats.t.ppf(0.5 + ci / 2, n - 1)
    stat = m / se if se > 0 else np.nan
    p = float(2 * stats.t.sf(abs(stat), n - 1)) if se > 0 else np.nan
    warns = []
    n_unpaired = len(parts[0][0]) + len(parts[1][0]) - 2 * n
    if n_unpaired:
        warns.append(f"{n_unpaired} answer(s) from respondents not in both waves left out.")
    row = {"metric": metric, "group_a": levels[0], "group_b": levels[1], "estimate_a": ma,
           "estimate_b": mb, "difference": m, "ci_lower": m - q * se, "ci_upper": m + q * se,
           "statistic": stat, "p": p, "p_adjusted": p, "n_a": n, "n_b": n, "n_eff_a": neff,
           "n_eff_b": neff}  # fmt: skip
    return Comparison(table=pd.DataFrame([row], columns=COLUMNS), metric=f"paired {metric}",
                      ci=ci, adjust="none", weighted=w_all is not None,
                      warnings=tuple(warns))  # fmt: skip


# ------------------------------------------------------------------ drivers
@resultclass
class DriverComparison(Result):
    """Difference in Shapley shares of R² between two segments, bootstrapped.

    ``table`` (one row per driver): ``share_a``, ``share_b``, ``difference``,
    ``ci_lower``, ``ci_upper``, ``p`` (two-sided bootstrap p: twice the
    smaller tail share of the differences around zero), ``p_adjusted``.
    ``top_a``/``top_b`` are the top drivers, ``p_top_differs`` the share of
    bootstrap replicates in which the two segments' top drivers differ.
    """

    table: pd.DataFrame
    group_a: object
    group_b: object
    top_a: str
    top_b: str
    p_top_differs: float
    n_boot: int
    ci: float
    adjust: str
    warnings: tuple[str, ...] = ()

    def summary(self) -> Summary:
        title = (f"Driver importance, {self.group_a!r} vs {self.group_b!r}: top drivers "
                 f"{self.top_a!r} / {self.top_b!r} (differ in {self.p_top_differs:.0%} of "
                 "resamples)")  # fmt: skip
        return Summary(title, [("Shapley shares", self.table)], self.warnings)


def _batched_shares(x: np.ndarray, counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Shapley shares of R² for each row of ``counts`` (resample row counts; each drawn
    row carries its respondent weight), target last: the weighted correlation of
    each resample from one product of the counts with the rows' cross-products."""
    from .drivers.importance import shapley_from_corr
    from .drivers.keydrivers import _counts_corr

    corr = _counts_corr(x, counts, weights)
    idx = np.arange(corr.shape[-1])
    corr[:, idx, idx] = 1.0
    sv, r2 = shapley_from_corr(corr)
    return sv / r2[:, -1:]


def _numeric_column(data: pd.DataFrame, column: str) -> None:
    """A predictor or target must be numeric (not text, bool or categorical) and finite."""
    s = data[column]
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        bad = (pd.to_numeric(s, errors="coerce").isna() & s.notna()).to_numpy(dtype=bool)
        if not bad.any():
            bad = s.notna().to_numpy(dtype=bool)
        if bad.any():
            row = s.index[np.flatnonzero(bad)[0]]
            raise NonNumericError(
                f"column {column!r} holds {as_py(s.loc[row])!r} at row {row!r} ({s.dtype} "
                "data): expected numeric answers (a rating or score)."
            )
        return
    v = s.to_numpy(dtype=float, na_value=np.nan)
    inf = np.isinf(v)
    if inf.any():
        row = s.index[np.flatnonzero(inf)[0]]
        raise OutOfRangeError(
            f"column {column!r} holds an infinite value at row {row!r}: expected a finite answer."
        )


def driver_shares_by(data, target, predictors, by, *, levels=None, weights=None,
                     n_boot=DEFAULT_N_BOOT, seed=None, n_jobs=1, progress=False,
                     what="segment"):  # fmt: skip
    """Shapley shares of R² in each group of ``by`` and their stratified bootstrap draws.

    Returns ``(levels, shares, draws, warnings)``: ``shares[s]`` is (p,),
    ``draws[s]`` (n_boot, p) with NaN rows for failed replicates.  Each group
    is resampled on its own; a replicate carries the respondent weights.
    """
    data = check_data(data)
    predictors = list(predictors)
    check_columns(data, [target, *predictors], what="column")
    check_columns(data, [by], what=f"{what} column")
    w = check_weights(weights, data)
    for c in [*predictors, target]:
        _numeric_column(data, c)
    if levels is None:
        levels = sorted((as_py(x) for x in pd.unique(data[by].dropna())), key=str)
    if not levels:
        raise InsufficientDataError(
            f"{what} column {by!r} has no {what} labels (every row is missing): nothing to compare."
        )
    xs, ws, warns = [], [], []
    for lev in levels:
        mask = (data[by] == lev).fillna(False).to_numpy(dtype=bool)
        frame = data.loc[mask, [*predictors, target]]
        if frame.isna().any(axis=None):
            raise MissingValuesError(
                f"{what} {lev!r} has missing values in "
                f"{frame.columns[frame.isna().any()].tolist()}: drop or impute them first."
            )
        n = frame.shape[0]
        if n < len(predictors) + 3:
            raise InsufficientDataError(
                f"{what} {lev!r} of {by!r} has {n} respondent(s): at least {len(predictors) + 3} "
                f"needed for {len(predictors)} drivers."
            )
        xs.append(frame.to_numpy(dtype=float))
        ws.append(np.ones(n) if w is None else w[mask])
    x = np.vstack(xs)
    wl = np.concatenate(ws)
    strata = np.repeat(np.arange(len(levels)), [a.shape[0] for a in xs])
    p_, s_ = len(predictors), len(levels)
    rows_of = [np.flatnonzero(strata == s) for s in range(s_)]

    def statistic(counts):  # (m, n) row counts of stratified resamples, float64
        out = np.empty((counts.shape[0], s_ * p_))
        for s, rows in enumerate(rows_of):
            with np.errstate(invalid="ignore", divide="ignore"):
                out[:, s * p_ : (s + 1) * p_] = _batched_shares(x[rows], counts[:, rows], wl[rows])
        return out

    shares = [_batched_shares(x[r], np.ones((1, r.size)), wl[r])[0] for r in rows_of]
    boot = run_bootstrap(statistic, x.shape[0], n_boot, k=s_ * p_, seed=seed, n_jobs=n_jobs,
                         progress=progress, batched=True, counts=np.float64,
                         strata=strata, desc="driver shares")  # fmt: skip
    est = np.where(boot.failed[:, None], np.nan, boot.estimates)
    warns += bootstrap_notes(boot, " (a singular resample gives non-finite shares)")
    draws = [est[:, s * p_ : (s + 1) * p_] for s in range(s_)]
    return levels, shares, draws, warns


@records_provenance
def compare_drivers(
    data: pd.DataFrame,
    target: str,
    predictors: Sequence[str],
    by: str,
    *,
    groups: Sequence | None = None,
    weights=None,
    n_boot: int = DEFAULT_N_BOOT,
    ci: float = 0.95,
    adjust: str = "holm",
    seed=None,
    n_jobs: int = 1,
    progress="auto",
) -> DriverComparison:
    """Compare Shapley shares of R² of ``predictors`` between two segments of ``by``.

    Each segment is resampled on its own (stratified bootstrap); a replicate
    carries the respondent weights (multiplied by the resampling counts).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.normal(size=(400, 2)), columns=["a", "b"])
    >>> df["seg"] = np.repeat(["x", "y"], 200)
    >>> df["y"] = np.where(df.seg == "x", df.a, df.b) + rng.normal(size=400)
    >>> r = compare_drivers(df, "y", ["a", "b"], "seg", n_boot=200, seed=1)
    >>> r.top_a, r.top_b
    ('a', 'b')
    """
    check_params({"ci": ci, "adjust": adjust}, {"ci": _CI, "adjust": _ADJUST})
    check_n_boot(n_boot, ci=ci, allow_zero=False)
    check_n_jobs(n_jobs)
    data = check_data(data)
    predictors = list(predictors)
    check_columns(data, [target, *predictors], what="column")
    check_columns(data, [by], what="segment column")
    present = sorted((as_py(x) for x in pd.unique(data[by].dropna())), key=str)
    levels = present if groups is None else list(groups)
    unknown = [x for x in levels if x not in set(present)]
    if unknown:
        raise ParameterError(f"group(s) {unknown} not found in column {by!r}.")
    if len(levels) != 2:
        raise ParameterError(
            f"compare_drivers compares two segments; {by!r} gives {levels[:8]} (pass groups=)."
        )
    _, shares, draws, warns = driver_shares_by(
        data, target, predictors, by, levels=levels, weights=weights, n_boot=n_boot, seed=seed,
        n_jobs=n_jobs, progress=resolve_progress(progress),
    )  # fmt: skip
    ok = np.isfinite(draws[0]).all(axis=1) & np.isfinite(draws[1]).all(axis=1)
    dd = (draws[0] - draws[1])[ok]
    diff = shares[0] - shares[1]
    lo, hi = np.quantile(dd, [0.5 - ci / 2, 0.5 + ci / 2], axis=0)
    p = np.minimum(1.0, 2 * np.minimum((dd <= 0).mean(axis=0), (dd >= 0).mean(axis=0)))
    table = pd.DataFrame({"share_a": shares[0], "share_b": shares[1], "difference": diff,
                          "ci_lower": lo, "ci_upper": hi, "p": p,
                          "p_adjusted": adjust_p(p, adjust)},
                         index=pd.Index(predictors, name="driver"))  # fmt: skip
    top_diff = float(np.mean(draws[0][ok].argmax(axis=1) != draws[1][ok].argmax(axis=1)))
    return DriverComparison(table=table, group_a=levels[0], group_b=levels[1],
                            top_a=predictors[int(shares[0].argmax())],
                            top_b=predictors[int(shares[1].argmax())], p_top_differs=top_diff,
                            n_boot=n_boot, ci=ci, adjust=adjust, warnings=tuple(warns))  # fmt: skip
