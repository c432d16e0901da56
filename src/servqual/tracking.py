"""Tracking: metrics by wave, control charts, trend and driver stability.

* :func:`track` — NPS, top-box share or mean by wave (and segment) with CIs
  (NPS and means: normal interval on the trinomial / linearised SE; top-box:
  Wilson interval, at Kish's effective n with weights).
* :func:`control_chart` — a p-chart for a top-box share (limits
  ``p̄ ± 3 sqrt(p̄(1 − p̄)/n_i)``), an NPS chart with trinomial limits
  (``N̄ ± 3 · 100 sqrt(p̄_P + p̄_D − (p̄_P − p̄_D)²)/sqrt(n_i)`` from the pooled
  shares) and an I-MR chart of wave means (``x̄ ± 2.66 MR̄``, MR upper limit
  ``3.267 MR̄``), each with the Western Electric rules flagged
  (:func:`western_electric`).  With weights, ``n_i`` is Kish's effective n.
* :func:`trend` — the slope per wave of the wave estimates, by weighted least
  squares with known variances (weights ``1/se_i²``), with its CI.
* :func:`driver_stability` — Shapley shares of R² per wave with bootstrap
  CIs, rank stability (Kendall's W over waves, Spearman between consecutive
  waves) and the test of change between the first and last wave
  (:func:`servqual.compare.compare_drivers`).

References
----------
Western Electric (1956). *Statistical Quality Control Handbook*. Western
Electric Co. (rules 1-4).
Montgomery, D. C. (2013). *Introduction to Statistical Quality Control*, 7th
ed. Wiley (p-chart, I-MR chart constants 2.66 and 3.267).
Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings.
*Annals of Mathematical Statistics* 10(3), 275-287.
"""

from __future__ import annotations

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
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from ._warn import warn
from .compare import _prepare, _stat, compare_drivers, driver_shares_by, wilson
from .errors import DegenerateResultWarning, InsufficientDataError, MissingValuesError

__all__ = ["Tracking", "track", "ControlChart", "control_chart", "western_electric", "Trend",
           "trend", "DriverStability", "driver_stability"]  # fmt: skip

_METRICS = Options(("nps", "topbox", "mean"))
_CI = Interval(0, 1, closed="neither")


# ------------------------------------------------------------------ by wave
@resultclass
class Tracking(Result):
    """A metric by wave (and segment): ``table`` with ``wave``, [``segment``,]
    ``n``, ``n_eff``, ``estimate``, ``se``, ``ci_lower``, ``ci_upper``."""

    table: pd.DataFrame
    metric: str
    ci: float
    weighted: bool
    warnings: tuple[str, ...] = ()

    def summary(self) -> Summary:
        w = "weighted " if self.weighted else ""
        return Summary(f"Tracking of {w}{self.metric}", [("By wave", self.table)], self.warnings)


def _order(values) -> list:
    return sorted((as_py(x) for x in pd.unique(values)), key=lambda x: (str(type(x)), x))


def _by_wave(v, g, w, metric, ci):
    """Rows (wave, n, n_eff, estimate, se, ci_lower, ci_upper) for each level of ``g``."""
    z = stats.norm.ppf(0.5 + ci / 2)
    rows = []
    for lev in _order(g):
        m = g == lev
        est, _ = _stat(metric, v[m], None if w is None else w[m])
        if metric == "topbox":
            n = est.n_eff
            lo, hi = wilson(est.estimate, n, z)  # at Kish's effective n with weights
        else:
            lo, hi = est.estimate - z * est.se, est.estimate + z * est.se
        rows.append({"wave": lev, "n": est.n, "n_eff": est.n_eff, "estimate": est.estimate,
                     "se": est.se, "ci_lower": float(lo), "ci_upper": float(hi)})  # fmt: skip
    return rows


@records_provenance
def track(
    data: pd.DataFrame,
    column: str,
    wave: str,
    *,
    metric: str = "nps",
    segment: str | None = None,
    weights=None,
    top_box: float | None = None,
    ci: float = 0.95,
) -> Tracking:
    """A metric of ``column`` by ``wave`` (and ``segment``) with confidence intervals.

    Examples
    --------
    >>> df = pd.DataFrame({"ltr": [10, 9, 3, 8, 10, 10, 6, 9], "wave": [1] * 4 + [2] * 4})
    >>> track(df, "ltr", "wave").table["estimate"].tolist()
    [25.0, 50.0]
    """
    check_params({"metric": metric, "ci": ci}, {"metric": _METRICS, "ci": _CI})
    data = check_data(data)
    check_columns(data, [wave], what="wave column")
    if segment is not None:
        check_columns(data, [segment], what="segment column")
    v, g, w, warns = _prepare(data, column, wave, weights, metric, top_box)
    if segment is None:
        rows = _by_wave(v, g, w, metric, ci)
        table = pd.DataFrame(rows)
    else:
        if data[segment].isna().any():
            row = data.index[data[segment].isna().to_numpy()][0]
            raise MissingValuesError(
                f"segment column {segment!r} is missing at row {row!r}: give every row a segment."
            )
        _, seg, _, _ = _prepare(data, column, segment, weights, metric, top_box)
        parts = []
        for s in _order(seg):
            m = seg == s
            for r in _by_wave(v[m], g[m], None if w is None else w[m], metric, ci):
                parts.append({"wave": r.pop("wave"), "segment": s, **r})
        table = pd.DataFrame(parts).sort_values(["wave", "segment"], kind="stable")
        table = table.reset_index(drop=True)
    for r in table.itertuples():
        if r.n < 2:
            warns.append(f"wave {r.wave!r} has a single answer: its SE is undefined (NaN).")
    if warns:
        for msg in warns:
            warn(msg, DegenerateResultWarning)
    return Tracking(table=table, metric=metric, ci=ci, weighted=w is not None,
                    warnings=tuple(warns))  # fmt: skip


# ----------------------------------------------------------- control charts
def western_electric(z) -> pd.DataFrame:
    """Western Electric rules 1-4 on values in sigma units ``z`` (``(x - centre) / sigma``).

    A point is flagged for a rule when it completes a run that breaks it:
    rule 1, the point is beyond 3 sigma; rule 2, two of the last three are
    beyond 2 sigma on the same side; rule 3, four of the last five beyond
    1 sigma on the same side; rule 4, the last eight on the same side.

    Examples
    --------
    >>> western_electric([0.5, 3.2, -0.1]).sum().tolist()
    [1, 0, 0, 0]
    """
    z = np.asarray(z, dtype=float)
    n = z.size
    out = np.zeros((n, 4), dtype=bool)
    out[:, 0] = np.abs(z) > 3
    for i in range(n):
        for sign in (1, -1):
            s = sign * z
            if i >= 2 and (s[i - 2 : i + 1] > 2).sum() >= 2:
                out[i, 1] = True
            if i >= 4 and (s[i - 4 : i + 1] > 1).sum() >= 4:
                out[i, 2] = True
            if i >= 7 and (s[i - 7 : i + 1] > 0).all():
                out[i, 3] = True
    return pd.DataFrame(out, columns=["rule1", "rule2", "rule3", "rule4"])


@resultclass
class ControlChart(Result):
    """A control chart by wave.

    ``table``: ``wave``, ``n``, ``value``, ``center``, ``sigma``, ``lcl``,
    ``ucl``, ``rule1``..``rule4`` and ``out_of_control`` (any rule); for
    ``kind="imr"`` also ``moving_range`` and ``mr_ucl``.
    """

    table: pd.DataFrame
    kind: str
    metric: str
    center: float
    warnings: tuple[str, ...] = ()

    @property
    def violations(self) -> pd.DataFrame:
        """The waves that break at least one rule."""
        t = self.table
        return t[t["out_of_control"]].copy()

    def summary(self) -> Summary:
        title = (f"{self.kind} chart of {self.metric}: centre {self.center:.4g}, "
                 f"{int(self.table['out_of_control'].sum())} wave(s) out of control")  # fmt: skip
        return Summary(title, [("By wave", self.table)], self.warnings)


@records_provenance
def control_chart(
    data: pd.DataFrame,
    column: str,
    wave: str,
    *,
    metric: str = "nps",
    weights=None,
    top_box: float | None = None,
    sigma: float = 3.0,
) -> ControlChart:
    """Control chart of a metric across waves with Western Electric rules.

    ``metric="topbox"`` gives a p-chart, ``"nps"`` an NPS chart with
    trinomial limits and ``"mean"`` an I-MR chart of the wave means.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"ltr": rng.integers(0, 11, 1200), "wave": np.repeat(range(12), 100)})
    >>> ch = control_chart(df, "ltr", "wave")
    >>> ch.kind, len(ch.table)
    ('nps', 12)
    """
    check_params({"metric": metric, "sigma": sigma},
                 {"metric": _METRICS, "sigma": Interval(0, None, closed="neither")})  # fmt: skip
    data = check_data(data)
    check_columns(data, [wave], what="wave column")
    v, g, w, warns = _prepare(data, column, wave, weights, metric, top_box)
    levels = _order(g)
    if len(levels) < 2:
        raise InsufficientDataError(
            f"wave column {wave!r} has {len(levels)} wave(s) with answers: a control chart "
            "needs at least 2."
        )
    rows = _by_wave(v, g, w, metric, 0.95)
    t = pd.DataFrame(rows)[["wave", "n", "n_eff", "estimate"]].rename(columns={"estimate": "value"})
    neff = t["n_eff"].to_numpy()
    ww = np.ones(v.size) if w is None else w
    if metric == "topbox":
        kind = "p"
        pbar = float(ww @ v / ww.sum())
        sd = np.sqrt(pbar * (1 - pbar) / neff)
        center = pbar
        lo_clip, hi_clip = 0.0, 1.0
    elif metric == "nps":
        kind = "nps"
        pp = float(ww @ (v >= 9) / ww.sum())
        pd_ = float(ww @ (v <= 6) / ww.sum())
        center = 100 * (pp - pd_)
        sd = 100 * np.sqrt(max(pp + pd_ - (pp - pd_) ** 2, 0.0) / neff)
        lo_clip, hi_clip = -100.0, 100.0
    else:
        kind = "imr"
        x = t["value"].to_numpy()
        mr = np.abs(np.diff(x))
        mrbar = float(mr.mean())
        center = float(x.mean())
        sd = np.full(x.size, mrbar / 1.128)  # d2 for n = 2: 2.66 = 3 / 1.128
        t["moving_range"] = np.concatenate([[np.nan], mr])
        t["mr_ucl"] = 3.267 * mrbar
        lo_clip, hi_clip = -np.inf, np.inf
    t["center"] = center
    t["sigma"] = sd
    t["lcl"] = np.maximum(center - sigma * sd, lo_clip)
    t["ucl"] = np.minimum(center + sigma * sd, hi_clip)
    with np.errstate(divide="ignore", invalid="ignore"):
        zz = np.where(sd > 0, (t["value"].to_numpy() - center) / sd, 0.0)
    rules = western_electric(zz)
    if sigma != 3.0:  # rule 1 follows the chosen limits
        rules["rule1"] = np.abs(zz) > sigma
    t = pd.concat([t, rules], axis=1)
    t["out_of_control"] = rules.any(axis=1).to_numpy()
    if kind == "imr":
        t.loc[t["moving_range"] > t["mr_ucl"], "out_of_control"] = True
    return ControlChart(table=t, kind=kind, metric=metric, center=float(center),
                        warnings=tuple(warns))  # fmt: skip


# -------------------------------------------------------------------- trend
@resultclass
class Trend(Result):
    """Linear trend of a metric per wave: ``slope`` (per unit of ``time``), its
    ``se``, CI and p; ``table`` holds the wave estimates it was fitted to."""

    slope: float
    se: float
    ci_lower: float
    ci_upper: float
    p: float
    intercept: float
    metric: str
    ci: float
    table: pd.DataFrame
    warnings: tuple[str, ...] = ()

    def summary(self) -> Summary:
        title = (f"Trend of {self.metric}: {self.slope:+.4g} per wave "
                 f"[{self.ci_lower:.4g}, {self.ci_upper:.4g}], p = {self.p:.3g}")  # fmt: skip
        return Summary(title, [("Wave estimates", self.table)], self.warnings)


@records_provenance
def trend(
    data: pd.DataFrame,
    column: str,
    wave: str,
    *,
    metric: str = "nps",
    weights=None,
    top_box: float | None = None,
    time: Sequence[float] | None = None,
    ci: float = 0.95,
) -> Trend:
    """Linear trend of the wave estimates, weighted by their precision.

    The slope ``b`` minimises ``sum (y_i - a - b t_i)² / se_i²`` over waves
    ``i`` with ``t_i`` the wave's position (0, 1, ...) or ``time``; with
    known sampling variances its SE is ``sqrt([(X' V⁻¹ X)⁻¹]_bb)`` and the
    interval is normal.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 2, 3, 4, 3, 4, 5], "wave": np.repeat([1, 2, 3], 3)})
    >>> round(trend(df, "y", "wave", metric="mean").slope, 6)
    1.0
    """
    check_params({"metric": metric, "ci": ci}, {"metric": _METRICS, "ci": _CI})
    tr = track(data, column, wave, metric=metric, weights=weights, top_box=top_box, ci=ci)
    tab = tr.table
    k = len(tab)
    if k < 3:
        raise InsufficientDataError(
            f"wave column {wave!r} has {k} wave(s) with answers: a trend needs at least 3."
        )
    t = np.arange(k, dtype=float) if time is None else np.asarray(time, dtype=float)
    if t.shape != (k,):
        raise InsufficientDataError(f"time has {t.size} value(s); expected one per wave ({k}).")
    se = tab["se"].to_numpy()
    if not np.all(np.isfinite(se) & (se > 0)):
        bad = tab["wave"].to_numpy()[~(np.isfinite(se) & (se > 0))][0]
        raise InsufficientDataError(
            f"wave {bad!r} has no usable standard error (one answer or no variation)."
        )
    X = np.column_stack([np.ones(k), t])
    vinv = 1 / se**2
    cov = np.linalg.inv(X.T @ (X * vinv[:, None]))
    beta = cov @ (X.T @ (vinv * tab["estimate"].to_numpy()))
    s = float(np.sqrt(cov[1, 1]))
    z = stats.norm.ppf(0.5 + ci / 2)
    b = float(beta[1])
    return Trend(slope=b, se=s, ci_lower=b - z * s, ci_upper=b + z * s,
                 p=float(2 * stats.norm.sf(abs(b / s))), intercept=float(beta[0]),
                 metric=metric, ci=ci, table=tab.assign(time=t),
                 warnings=tr.warnings)  # fmt: skip


# --------------------------------------------------------- driver stability
@resultclass
class DriverStability(Result):
    """Driver importance across waves.

    ``table``: one row per wave × driver with ``share`` (Shapley share of R²),
    ``ci_lower``, ``ci_upper`` (bootstrap percentile) and ``rank``;
    ``kendall_w`` (concordance of the rankings over waves, 1 = identical),
    ``rank_correlation`` (Spearman between consecutive waves), and
    ``change`` the comparison of the first and last wave.
    """

    table: pd.DataFrame
    kendall_w: float
    rank_correlation: pd.DataFrame
    change: object
    warnings: tuple[str, ...] = ()

    def summary(self) -> Summary:
        return Summary(
            f"Driver stability across waves: Kendall's W = {self.kendall_w:.3f}",
            [("Shares by wave", self.table), ("Consecutive waves", self.rank_correlation),
             ("First vs last wave", self.change.table)],
            self.warnings,
        )  # fmt: skip


def _kendall_w(ranks: np.ndarray) -> float:
    """Kendall's W of an (m raters, k items) rank matrix (no tie correction)."""
    m, k = ranks.shape
    r = ranks.sum(axis=0)
    s = float(((r - r.mean()) ** 2).sum())
    return 12 * s / (m * m * (k**3 - k))


@records_provenance
def driver_stability(
    data: pd.DataFrame,
    target: str,
    predictors: Sequence[str],
    wave: str,
    *,
    weights=None,
    n_boot: int = DEFAULT_N_BOOT,
    ci: float = 0.95,
    seed=None,
    n_jobs: int = 1,
    progress="auto",
) -> DriverStability:
    """Shapley shares of R² per wave with bootstrap CIs and their rank stability.

    The CIs are bootstrap percentile intervals.  Where one excludes its share
    (replicates skewed away from a share near 0 or 1, or too few of them), it
    is widened to include the share and a :class:`DegenerateResultWarning`
    names the wave and the driver.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame(rng.normal(size=(600, 2)), columns=["a", "b"])
    >>> df["wave"] = np.repeat([1, 2, 3], 200)
    >>> df["y"] = df.a + 0.4 * df.b + rng.normal(size=600)
    >>> r = driver_stability(df, "y", ["a", "b"], "wave", n_boot=100, seed=1)
    >>> round(r.kendall_w, 2)
    1.0
    """
    check_params({"ci": ci}, {"ci": _CI})
    check_n_boot(n_boot, ci=ci, allow_zero=False)
    check_n_jobs(n_jobs)
    data = check_data(data)
    predictors = list(predictors)
    levels, shares, draws, warns = driver_shares_by(
        data, target, predictors, wave, weights=weights, n_boot=n_boot, seed=seed,
        n_jobs=n_jobs, progress=resolve_progress(progress), what="wave",
    )  # fmt: skip
    if len(levels) < 2:
        raise InsufficientDataError(
            f"wave column {wave!r} has {len(levels)} wave: driver stability needs at least 2."
        )
    rows = []
    ranks = np.empty((len(levels), len(predictors)))
    n_issued = len(warns)  # the bootstrap's own notes: already issued
    for i, lev in enumerate(levels):
        lo, hi = np.nanquantile(draws[i], [0.5 - ci / 2, 0.5 + ci / 2], axis=0)
        out = (shares[i] < lo) | (shares[i] > hi)
        if out.any():  # a share near 0 or 1 with few replicates: widen, and say so
            first = predictors[int(np.flatnonzero(out)[0])]
            warns.append(
                f"wave {lev!r}: the bootstrap interval of {first!r} excludes its share "
                "(skewed replicates: a share near 0 or 1, or too few of them); the interval "
                "is widened to include it."
            )
            lo, hi = np.fmin(lo, shares[i]), np.fmax(hi, shares[i])
        rk = stats.rankdata(-shares[i], method="average")
        ranks[i] = rk
        for j, p in enumerate(predictors):
            rows.append({"wave": lev, "driver": p, "share": shares[i][j], "ci_lower": lo[j],
                         "ci_upper": hi[j], "rank": rk[j]})  # fmt: skip
    rc = pd.DataFrame(
        [{"wave_a": levels[i], "wave_b": levels[i + 1],
          "spearman": float(stats.spearmanr(shares[i], shares[i + 1]).statistic)}
         for i in range(len(levels) - 1)]
    )  # fmt: skip
    ends = data[wave].isin([levels[0], levels[-1]]).to_numpy()
    w = check_weights(weights, data)
    change = compare_drivers(data[ends], target, predictors, wave, groups=[levels[0], levels[-1]],
                             weights=None if w is None else w[ends], n_boot=n_boot, ci=ci,
                             seed=seed, n_jobs=n_jobs, progress=progress)  # fmt: skip
    for msg in warns[n_issued:]:
        warn(msg, DegenerateResultWarning)
    return DriverStability(table=pd.DataFrame(rows), kendall_w=_kendall_w(ranks),
                           rank_correlation=rc, change=change,
                           warnings=tuple(warns))  # fmt: skip
