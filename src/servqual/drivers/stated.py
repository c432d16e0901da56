"""Stated versus derived importance (a gap-1 diagnostic).

Customers' and managers' 100-point importance allocations are compared with
the importance derived from ratings (Shapley share of R²), with rank
agreement (Kendall τ-b) and bootstrap intervals; :func:`rank_claim` tests a
claim such as "customers rank reliability and responsiveness first".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import (
    Interval,
    Options,
    as_py,
    check_columns,
    check_data,
    check_frame,
    check_params,
    check_rng,
    check_unique_index,
)
from .._options import (
    DEFAULT_N_BOOT,
    check_ci,
    check_n_boot,
    check_n_jobs,
    renamed,
    resolve_progress,
)
from .._resampling import bootstrap_notes, percentile_ci, run_bootstrap
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from ..errors import OutOfRangeError, ParameterError
from ._data import check_pd, prepare, resolve_groups
from .importance import shapley_from_corr
from .keydrivers import _batch_corr

__all__ = ["StatedDerivedResult", "stated_vs_derived", "RankClaimResult", "rank_claim"]

_TOTAL_TOL = 0.5  # allocations must sum to 100 within rounding


def _allocations(frame: pd.DataFrame, stated: Mapping[str, str], who: str) -> np.ndarray:
    cols = list(stated.values())
    check_columns(frame, cols, what=f"{who} allocation column")
    a = check_frame(frame, cols, scale=(0, 100), allow_constant=True).to_numpy()
    total = a.sum(axis=1)
    bad = np.abs(total - 100) > _TOTAL_TOL
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise OutOfRangeError(
            f"{who} allocations must sum to 100 per row: row {as_py(frame.index[i])!r} of columns "
            f"{cols} sums to {total[i]:g}."
        )
    return a


def _tau(a: np.ndarray, b: np.ndarray) -> float:
    return float(stats.kendalltau(a, b).statistic)


@resultclass
class StatedDerivedResult(Result):
    """Stated (customers, managers) versus derived importance.

    Attributes
    ----------
    table : DataFrame
        Tidy, one row per (``dimension``, ``source``) with ``source`` in
        customers / managers / derived: ``importance`` (percent of the total),
        bootstrap percentile ``ci_lower`` / ``ci_upper`` and ``rank``.
    gaps : DataFrame
        Per dimension, ``gap`` = managers − customers stated importance
        (points) with limits; empty without managers.
    agreement : DataFrame
        Kendall τ-b between the rankings (``comparison``, ``tau``, ``ci_lower``,
        ``ci_upper``).
    """

    table: pd.DataFrame
    gaps: pd.DataFrame
    agreement: pd.DataFrame
    n_customers: int
    n_managers: int
    n_boot: int
    ci: float
    warnings: tuple[str, ...] = ()

    def wide(self, column: str = "importance") -> pd.DataFrame:
        """``column`` as a dimension × source table."""
        w = self.table.pivot(index="dimension", columns="source", values=column)
        return w.loc[
            list(dict.fromkeys(self.table["dimension"])), list(dict.fromkeys(self.table["source"]))
        ]

    def summary(self) -> Summary:
        sections = [
            (
                "Samples",
                {
                    "customers": self.n_customers,
                    "managers": self.n_managers,
                    "bootstrap replicates": self.n_boot,
                },
            ),
            ("Importance (% of total)", self.wide()),
            ("Rank", self.wide("rank")),
            ("Rank agreement (Kendall τ-b)", self.agreement),
        ]
        if len(self.gaps):
            sections.append(("Managers − customers (points)", self.gaps.set_index("dimension")))
        return Summary(
            "Stated versus derived importance (gap-1 diagnostic)", sections, self.warnings
        )


@renamed(bootstrap="n_boot")
@records_provenance
def stated_vs_derived(
    data: pd.DataFrame,
    stated: Mapping[str, str],
    target: str,
    groups: Mapping[str, Sequence[str]],
    *,
    managers: pd.DataFrame | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    ci: float = 0.95,
    seed=None,
    n_jobs: int = 1,
    progress="auto",
    missing: str = "listwise",
) -> StatedDerivedResult:
    """Compare stated 100-point importance allocations with derived importance.

    Derived importance is each dimension's Shapley share of the R² of
    ``target`` on the dimension's rating columns (``groups``).  Customers
    (rows of ``data``) and managers (rows of ``managers``) are resampled
    independently in each bootstrap replicate.

    Parameters
    ----------
    data : DataFrame
        Customer survey: allocation columns, rating columns and ``target``.
    stated : dict dimension -> allocation column
        The same columns are read from ``managers``; rows sum to 100.
    target : str
        Satisfaction (or loyalty) column.
    groups : dict dimension -> rating columns
        Same dimensions as ``stated``.
    managers : DataFrame, optional
        Managers' allocations.
    n_boot, ci, seed, n_jobs, progress
        Bootstrap replicates (0: none, else at least 40 for a 95% interval;
        ``bootstrap=`` is the old name), interval level, randomness (bit-identical
        whatever ``n_jobs``), workers and progress bar (``"auto"``).

    Examples
    --------
    >>> from servqual import simulate_survey, Instrument
    >>> df, truth = simulate_survey(600, seed=1)
    >>> groups = {d: [f"P{i}" for i in items]
    ...           for d, items in Instrument.servqual22().dimensions.items()}
    >>> stated = {d: f"IMP_{d}" for d in groups}
    >>> res = stated_vs_derived(df, stated, "SAT1", groups, n_boot=50, seed=1,
    ...                         progress=False)
    >>> int(res.wide("rank").loc["reliability", "derived"])
    1
    """
    ci = check_ci(ci)
    n_boot = check_n_boot(n_boot, ci=ci)
    n_jobs = check_n_jobs(n_jobs)
    progress = resolve_progress(progress)
    if not isinstance(stated, Mapping) or not stated:
        raise ParameterError(
            f"stated={stated!r} is invalid: expected a dict dimension -> allocation column."
        )
    if not isinstance(groups, Mapping) or set(groups) != set(stated):
        got = list(groups) if isinstance(groups, Mapping) else groups
        raise ParameterError(
            f"groups must have the same dimensions as stated ({list(stated)}); got {got}."
        )
    dims = list(stated)
    groups = {d: groups[d] for d in dims}
    rng = check_rng(seed)
    check_data(data)
    check_unique_index(data, why="allocations are matched to ratings by row label")
    predictors, _, units = resolve_groups(None, groups)
    frame, notes = prepare(data, target, predictors, missing=missing)
    cust = _allocations(data.loc[frame.index], stated, "customer")
    man = None if managers is None else _allocations(managers, stated, "manager")
    x = frame[[*predictors, target]].to_numpy()
    corr = np.corrcoef(x, rowvar=False)
    check_pd(corr[:-1, :-1], predictors)
    g = len(dims)

    def derived_share(c):
        sv, r2 = shapley_from_corr(c, units)
        return 100 * sv / r2[:, -1:]

    est_c = cust.mean(axis=0)
    est_d = derived_share(corr[None])[0]
    est_m = man.mean(axis=0) if man is not None else None
    seeds = rng.integers(0, 2**63 - 1, size=2)
    draws_c = draws_d = draws_m = None
    n_failed = 0
    if n_boot > 0:
        res = run_bootstrap(
            lambda idx: np.hstack(
                [np.stack([cust[i].mean(axis=0) for i in idx]), derived_share(_batch_corr(x, idx))]
            ),
            len(frame),
            n_boot,
            k=2 * g,
            seed=int(seeds[0]),
            n_jobs=n_jobs,
            progress=progress,
            batched=True,
            desc="stated vs derived",
        )
        notes += bootstrap_notes(res)
        n_failed = res.n_failed
        ok = ~res.failed
        draws_c, draws_d = res.estimates[ok, :g], res.estimates[ok, g:]
        if man is not None:
            mres = run_bootstrap(
                lambda idx: man[idx].mean(axis=0),
                len(man),
                n_boot,
                k=g,
                seed=int(seeds[1]),
                progress=False,
            )
            notes += bootstrap_notes(mres)
            draws_m = mres.estimates[ok]
    rows = []
    sources = [("customers", est_c, draws_c), ("derived", est_d, draws_d)]
    if man is not None:
        sources.insert(1, ("managers", est_m, draws_m))
    for name, est, dr in sources:
        lo, hi = percentile_ci(dr, ci) if dr is not None else (np.full(g, np.nan),) * 2
        rank = pd.Series(-est).rank(method="min").astype(int).to_numpy()
        for j, d in enumerate(dims):
            rows.append(
                {
                    "dimension": d,
                    "source": name,
                    "importance": est[j],
                    "ci_lower": lo[j],
                    "ci_upper": hi[j],
                    "rank": rank[j],
                }
            )
    table = pd.DataFrame(rows)
    gaps = pd.DataFrame(columns=["dimension", "gap", "ci_lower", "ci_upper"])
    if man is not None:
        lo, hi = (
            percentile_ci(draws_m - draws_c, ci)
            if draws_m is not None
            else (np.full(g, np.nan),) * 2
        )
        gaps = pd.DataFrame(
            {"dimension": dims, "gap": est_m - est_c, "ci_lower": lo, "ci_upper": hi}
        )
    pairs = [("customers vs derived", est_c, est_d, draws_c, draws_d)]
    if man is not None:
        pairs += [
            ("managers vs derived", est_m, est_d, draws_m, draws_d),
            ("customers vs managers", est_c, est_m, draws_c, draws_m),
        ]
    rows = []
    for label, a, b, da, db in pairs:
        taus = (
            np.array([_tau(u, v) for u, v in zip(da, db)]) if da is not None else np.array([np.nan])
        )
        lo, hi = (
            np.nanquantile(taus, [(1 - ci) / 2, (1 + ci) / 2])
            if da is not None
            else (np.nan, np.nan)
        )
        rows.append({"comparison": label, "tau": _tau(a, b), "ci_lower": lo, "ci_upper": hi})
    if g < 4:
        notes.append(f"Kendall τ over {g} dimensions takes few values; read it with care.")
    return StatedDerivedResult(
        table=table,
        gaps=gaps,
        agreement=pd.DataFrame(rows),
        n_customers=len(frame),
        n_managers=0 if man is None else len(man),
        n_boot=n_boot - n_failed,
        ci=ci,
        warnings=tuple(notes),
    )


@resultclass
class RankClaimResult(Result):
    """Test of a claim that the ``top`` dimensions receive the largest allocations.

    Attributes
    ----------
    comparisons : DataFrame
        One row per (claimed, other) pair: ``mean_difference`` (points),
        ``statistic``, one-sided ``p_value``.
    ranking : DataFrame
        Mean allocation and rank per dimension.
    p_value : float
        Intersection–union test: the claim holds only if every pairwise
        difference is positive, so its p-value is the largest pairwise one.
    supported : bool
        ``p_value < alpha``.
    """

    top: tuple[str, ...]
    comparisons: pd.DataFrame
    ranking: pd.DataFrame
    p_value: float
    supported: bool
    alpha: float
    n: int
    who: str

    def summary(self) -> Summary:
        verdict = "supported" if self.supported else "not supported"
        return Summary(
            f"Claim: {self.who} rank {', '.join(self.top)} above the other dimensions",
            [
                (
                    "Test",
                    {
                        "n": self.n,
                        "test": "intersection-union of one-sided paired tests",
                        "p-value": self.p_value,
                        "alpha": self.alpha,
                        "verdict": verdict,
                    },
                ),
                ("Mean allocation", self.ranking),
                ("Pairwise comparisons", self.comparisons),
            ],
        )


@records_provenance
def rank_claim(
    allocations: pd.DataFrame,
    top: Sequence[str],
    *,
    columns: Mapping[str, str] | None = None,
    test: str = "t",
    alpha: float = 0.05,
    who: str = "respondents",
) -> RankClaimResult:
    """Test whether the ``top`` dimensions get more importance points than all others.

    For every claimed dimension ``c`` and other dimension ``o`` a one-sided
    paired test of ``allocation_c − allocation_o > 0`` is run (t-test or
    Wilcoxon signed-rank); the claim is supported when all of them reject,
    i.e. when the largest p-value is below ``alpha`` (intersection–union
    test, no multiplicity correction needed).

    Parameters
    ----------
    allocations : DataFrame
        One row per respondent, one column per dimension (or see ``columns``),
        rows summing to 100.
    top : list of str
        Claimed leading dimensions, e.g. ``["reliability", "responsiveness"]``.
    columns : dict dimension -> column, optional
        Defaults to each column named after its dimension.

    Examples
    --------
    >>> from servqual import simulate_survey
    >>> df, _ = simulate_survey(400, seed=2)
    >>> cols = {d: f"IMP_{d}" for d in ["tangibles", "reliability", "responsiveness",
    ...                                 "assurance", "empathy"]}
    >>> rank_claim(df, ["reliability"], columns=cols).supported
    True
    """
    check_params(
        {"test": test, "alpha": alpha},
        {"test": Options(("t", "wilcoxon")), "alpha": Interval(0, 1, closed="neither")},
    )
    if columns is None:
        if not isinstance(allocations, pd.DataFrame):
            raise TypeError(
                f"allocations must be a pandas DataFrame, got {type(allocations).__name__}."
            )
        columns = {str(c): c for c in allocations.columns}
    if isinstance(top, str) or not isinstance(top, Sequence) or not top:
        raise ParameterError(f"top={top!r} is invalid: expected a list of dimension names.")
    unknown = [t for t in top if t not in columns]
    if unknown:
        raise ParameterError(f"top dimension(s) {unknown} not among {list(columns)}.")
    others = [d for d in columns if d not in top]
    if not others:
        raise ParameterError("top lists every dimension; nothing to compare against.")
    a = pd.DataFrame(_allocations(allocations, columns, who), columns=list(columns))
    rows = []
    for c in top:
        for o in others:
            diff = a[c] - a[o]
            if test == "t":
                r = stats.ttest_1samp(diff, 0.0, alternative="greater")
            else:
                r = stats.wilcoxon(diff, alternative="greater", zero_method="zsplit")
            p = float(r.pvalue) if np.isfinite(r.pvalue) else 1.0
            rows.append(
                {
                    "claimed": c,
                    "other": o,
                    "mean_difference": float(diff.mean()),
                    "statistic": float(r.statistic),
                    "p_value": p,
                }
            )
    comp = pd.DataFrame(rows)
    mean = a.mean()
    ranking = pd.DataFrame(
        {"mean_allocation": mean, "rank": (-mean).rank(method="min").astype(int)}
    )
    ranking.index.name = "dimension"
    p = float(comp["p_value"].max())
    return RankClaimResult(tuple(top), comp, ranking, p, bool(p < alpha), alpha, len(a), who)
