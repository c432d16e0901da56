"""SERVQUAL (P - E) vs SERVPERF (P only) as predictors of satisfaction.

Cronin & Taylor (1992, "Measuring service quality: a reexamination and
extension", *Journal of Marketing* 56(3), 55-68) argued that performance-only
scores (SERVPERF) explain more variance in overall evaluations than
perception-minus-expectation scores (SERVQUAL).  :func:`servqual_vs_servperf`
makes the comparison on the user's own customers: R^2, adjusted R^2 and
K-fold cross-validated R^2 of the two predictor sets, with bootstrap CIs for
each and for their differences.
"""

from __future__ import annotations

from dataclasses import field

import numpy as np
import pandas as pd

from .._checks import Interval, Options, check_frame, check_params, check_rng
from .._options import DEFAULT_N_BOOT, check_ci, check_n_boot, check_n_jobs, resolve_progress
from .._resampling import bootstrap_notes, percentile_ci, run_bootstrap
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from ..errors import ParameterError
from ._columns import item_map

__all__ = ["PerformanceComparison", "servqual_vs_servperf"]

MODELS = ("SERVQUAL (P-E)", "SERVPERF (P)")
METRICS = ("r2", "adj_r2", "cv_r2")


@resultclass
class PerformanceComparison(Result):
    """Result of :func:`servqual_vs_servperf`.

    Attributes
    ----------
    table : DataFrame
        One row per model (``"SERVQUAL (P-E)"``, ``"SERVPERF (P)"``):
        ``n_predictors``, ``r2``, ``adj_r2``, ``cv_r2`` and ``<metric>_low`` /
        ``<metric>_high`` bootstrap percentile CIs.
    difference : DataFrame
        ``metric``, ``estimate`` (SERVQUAL minus SERVPERF), ``ci_low``, ``ci_high``.
    n : int
    folds : int
    n_boot : int
    predictors : str
    warnings : tuple of str
    """

    table: pd.DataFrame
    difference: pd.DataFrame
    n: int
    folds: int
    n_boot: int
    predictors: str
    ci: float
    warnings: tuple[str, ...] = field(default=())

    def summary(self) -> Summary:
        """Settings, R^2 statistics of both scores with CIs and their difference."""
        info = {
            "customers": self.n,
            "predictors": self.predictors,
            "cross-validation folds": self.folds,
            "bootstrap replicates": self.n_boot,
            "confidence level": self.ci,
        }
        return Summary(
            "SERVQUAL vs SERVPERF (Cronin & Taylor 1992)",
            [
                ("Design", info),
                ("Variance explained", self.table.set_index("model")),
                ("SERVQUAL minus SERVPERF", self.difference.set_index("metric")),
            ],  # fmt: skip
            self.warnings,
        )


def _fit_r2(X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    n, p = X.shape
    A = np.column_stack([np.ones(n), X])
    beta, *_ = np.linalg.lstsq(A, y, rcond=None)
    sse = float(np.sum((y - A @ beta) ** 2))
    sst = float(np.sum((y - y.mean()) ** 2))
    r2 = 1 - sse / sst
    return r2, 1 - (1 - r2) * (n - 1) / (n - p - 1)


def _oof_sq_errors(X: np.ndarray, y: np.ndarray, fold: np.ndarray) -> np.ndarray:
    e2 = np.empty_like(y)
    A = np.column_stack([np.ones(len(y)), X])
    for f in np.unique(fold):
        test = fold == f
        beta, *_ = np.linalg.lstsq(A[~test], y[~test], rcond=None)
        e2[test] = (y[test] - A[test] @ beta) ** 2
    return e2


@records_provenance
def servqual_vs_servperf(
    customers: pd.DataFrame,
    instrument=None,
    *,
    outcome=("SAT1", "SAT2", "SAT3"),
    predictors: str = "dimensions",
    folds: int = 10,
    n_boot: int = DEFAULT_N_BOOT,
    ci: float = 0.95,
    seed=None,
    n_jobs: int = 1,
    progress="auto",
) -> PerformanceComparison:
    """Compare P - E (SERVQUAL) with P-only (SERVPERF) scores as predictors of satisfaction.

    Both models are OLS regressions of the outcome (mean of the ``outcome``
    items) on either the per-dimension mean P - E scores or the per-dimension
    mean P scores (``predictors="dimensions"``), or on the single overall
    score (``"overall"``).  Reported: R^2, adjusted R^2 and K-fold
    cross-validated R^2 (``1 - sum of out-of-fold squared errors / total sum
    of squares``; both models use the same folds).  CIs are nonparametric
    bootstrap percentile intervals over customers: R^2 and adjusted R^2 are
    refitted on each resample; the CV R^2 interval resamples the customers'
    out-of-fold errors (it is conditional on the fold models, i.e. it reflects
    sampling of evaluation cases, not refitting).  Differences are paired on
    the same resamples.  Customers are treated as independent (no clustering
    by unit).

    Parameters
    ----------
    customers : DataFrame
        ``P1..``, ``E1..`` and the outcome items; no missing values.
    instrument : Instrument, optional
        P/E instrument (default: 22-item RATER SERVQUAL, 1-7).
    outcome : sequence of str
        Outcome item columns (averaged).
    predictors : {"dimensions", "overall"}
    folds : int
        Cross-validation folds (``len(customers)`` gives leave-one-out).
    n_boot : int
    ci : float
    seed : int, SeedSequence or Generator, optional
        Folds and bootstrap resamples; results do not depend on ``n_jobs``.
    n_jobs : int
    progress : {"auto", True, False}

    Returns
    -------
    PerformanceComparison

    Examples
    --------
    >>> from servqual.gaps import simulate_units, servqual_vs_servperf
    >>> cust = simulate_units(20, 15, 2, seed=3)[0]
    >>> res = servqual_vs_servperf(cust, n_boot=40, seed=1, progress=False)
    >>> res.table["model"].tolist()
    ['SERVQUAL (P-E)', 'SERVPERF (P)']
    """
    outcome = [outcome] if isinstance(outcome, str) else list(outcome)
    check_params(
        {"predictors": predictors, "folds": folds},
        {
            "predictors": Options(("dimensions", "overall")),
            "folds": Interval(2, None, integer=True),
        },
    )
    ci = check_ci(ci)
    n_boot = check_n_boot(n_boot, ci=ci, allow_zero=False)
    n_jobs = check_n_jobs(n_jobs)
    progress = resolve_progress(progress)
    dims, scale = item_map(instrument)
    items = [i for d in dims.values() for i in d]
    cols = [f"{p}{i}" for p in "PE" for i in items]
    data = check_frame(customers, cols + outcome, scale=scale, allow_constant=True)
    n = len(data)
    if folds > n:
        raise ParameterError(f"folds={folds} is invalid: expected at most n={n} customers.")
    y = data[outcome].to_numpy().mean(axis=1)
    P = data[[f"P{i}" for i in items]].to_numpy()
    D = P - data[[f"E{i}" for i in items]].to_numpy()
    pos = {i: j for j, i in enumerate(items)}
    groups = (
        [[pos[i] for i in its] for its in dims.values()]
        if predictors == "dimensions"
        else [list(range(len(items)))]
    )
    Xq = np.column_stack([D[:, g].mean(axis=1) for g in groups])
    Xp = np.column_stack([P[:, g].mean(axis=1) for g in groups])
    k = Xq.shape[1]
    if n < k + 3:
        from ..errors import InsufficientDataError

        raise InsufficientDataError(f"{n} customers are too few for {k} predictors.")
    rng = check_rng(seed)
    fold = rng.permutation(n) % folds
    e2q, e2p = _oof_sq_errors(Xq, y, fold), _oof_sq_errors(Xp, y, fold)

    def stat(idx):
        yy = y[idx]
        sst = np.sum((yy - yy.mean()) ** 2)
        rq, aq = _fit_r2(Xq[idx], yy)
        rp, ap = _fit_r2(Xp[idx], yy)
        cq, cp = 1 - e2q[idx].sum() / sst, 1 - e2p[idx].sum() / sst
        return [rq, aq, cq, rp, ap, cp, rq - rp, aq - ap, cq - cp]

    full = np.asarray(stat(np.arange(n)))
    draws = run_bootstrap(
        stat, n, n_boot, k=9, seed=rng, n_jobs=n_jobs, progress=progress, desc="SERVQUAL/SERVPERF"
    )
    notes = list(bootstrap_notes(draws))
    lo, hi = percentile_ci(draws.valid, ci)
    rows = []
    for m, model in enumerate(MODELS):
        row = {"model": model, "n_predictors": k}
        for j, metric in enumerate(METRICS):
            c = 3 * m + j
            row[metric], row[f"{metric}_low"], row[f"{metric}_high"] = full[c], lo[c], hi[c]
        rows.append(row)
    diff = pd.DataFrame(
        {"metric": list(METRICS), "estimate": full[6:], "ci_low": lo[6:], "ci_high": hi[6:]}
    )
    return PerformanceComparison(
        table=pd.DataFrame(rows),
        difference=diff,
        n=n,
        folds=folds,
        n_boot=n_boot,
        predictors=predictors,
        ci=ci,
        warnings=tuple(notes),
    )
