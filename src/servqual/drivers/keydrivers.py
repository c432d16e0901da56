"""One table of driver importance across methods, with bootstrap uncertainty."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field

import numpy as np
import pandas as pd

from .._checks import Options, check_params, check_rng
from .._options import (
    DEFAULT_N_BOOT,
    check_ci,
    check_ci_method,
    check_n_boot,
    check_n_jobs,
    renamed,
    resolve_progress,
)
from .._resampling import (
    bca_ci,
    bootstrap_notes,
    index_counts,
    jackknife_moments,
    percentile_ci,
    run_bootstrap,
)
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from .._warn import warn
from ..errors import ParameterError
from ..weighting import correlation as correlation_w
from ..weighting import kish_neff
from ._data import check_pd, prepare_weighted, resolve_groups
from .importance import relative_weights_from_corr, shapley_from_corr

__all__ = ["KeyDriversResult", "key_drivers", "METHODS"]

METHODS = ("shapley", "relative_weights", "beta", "correlation", "random_forest")
_LINEAR = ("shapley", "relative_weights", "beta", "correlation")


@resultclass
class KeyDriversResult(Result):
    """Driver importance by several methods, with bootstrap intervals.

    Attributes
    ----------
    table : DataFrame
        Tidy, one row per (``method``, ``driver``): ``importance`` (Shapley and
        relative weights in R² units; ``beta`` the standardized coefficient;
        ``correlation`` the zero-order r; ``random_forest`` the held-out R² drop),
        ``share`` (Shapley/relative weights: fraction of R²; beta, correlation:
        absolute value / sum of absolute values; forest: fraction of summed importance),
        ``rank`` (by absolute importance), ``se`` (bootstrap SD), ``ci_lower``,
        ``ci_upper`` (percentile or BCa, see ``ci_method``) and ``p_first``
        (share of resamples in which the driver ranks first by that method).
        The random forest is not bootstrapped (its interval columns are NaN).
    r2 : float
        Full-model R² of the linear regression.
    draws : mapping method -> ndarray (n_valid, p), read-only
        Bootstrap replicates of the importance (successful replicates only).
    """

    table: pd.DataFrame
    r2: float
    n: int
    target: str
    n_boot: int
    n_failed: int
    ci: float
    ci_method: str
    draws: dict = field(repr=False, default_factory=dict)
    warnings: tuple[str, ...] = ()
    n_eff: float | None = None  # Kish's effective n with respondent weights

    @property
    def interval(self) -> str:
        """Deprecated name of :attr:`ci_method`."""

        warn(
            "KeyDriversResult.interval is renamed ci_method; .interval will be removed in "
            "the next release.",
            FutureWarning,
        )
        return self.ci_method

    def wide(self, column: str = "importance") -> pd.DataFrame:
        """``column`` as a driver × method table."""
        wide = self.table.pivot(index="driver", columns="method", values=column)
        return wide.loc[
            list(dict.fromkeys(self.table["driver"])), list(dict.fromkeys(self.table["method"]))
        ]

    def summary(self) -> Summary:
        return Summary(
            f"Key drivers of {self.target!r}",
            [
                (
                    "Model",
                    {
                        "n": self.n,
                        "effective n (Kish)": self.n if self.n_eff is None else self.n_eff,
                        "R²": self.r2,
                        "bootstrap replicates": self.n_boot,
                        "failed replicates": self.n_failed,
                        "interval level": self.ci,
                        "interval": self.ci_method,
                    },
                ),
                ("Importance", self.table.set_index(["method", "driver"])),
                ("Rank by method", self.wide("rank")),
            ],
            self.warnings,
        )


def _batch_corr(x: np.ndarray, idx: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Correlation matrices of the resamples ``idx`` (m, n) of rows of ``x`` (n, q)
    (for a statistic that needs the row indices too; else :func:`_counts_corr`)."""
    return _counts_corr(x, index_counts(idx, x.shape[0]), weights)


def _counts_corr(x: np.ndarray, W: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Correlation matrices of the resamples whose row counts are ``W`` (m, n) of ``x`` (n, q).

    ``W`` is float64, as :func:`~servqual._resampling.run_bootstrap` passes it with
    ``counts=np.float64``.  With respondent ``weights`` each drawn row carries its
    weight (a row drawn twice counts with twice its weight): the weighted
    correlation of the resample.

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0]])
    >>> float(_counts_corr(x, np.ones((1, 3)))[0, 0, 1].round(6))  # the sample correlation
    0.720577
    """
    n, q = x.shape
    if weights is None:
        tot = np.full((W.shape[0], 1), float(n))
        xc = x - x.mean(axis=0)
    else:
        W = W * weights
        tot = W.sum(axis=1, keepdims=True)
        xc = x - weights @ x / weights.sum()
    mean = W @ xc / tot
    outer = (xc[:, :, None] * xc[:, None, :]).reshape(n, q * q)
    cov = (W @ outer).reshape(-1, q, q) / tot[:, :, None] - mean[:, :, None] * mean[:, None, :]
    sd = np.sqrt(np.einsum("mii->mi", cov))
    return cov / sd[:, :, None] / sd[:, None, :]


def _cov_to_corr(covs: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.einsum("mii->mi", covs))
    return covs / sd[:, :, None] / sd[:, None, :]


def _linear_importance(corr: np.ndarray, methods: Sequence[str], units) -> np.ndarray:
    """(B, len(methods) * g) importances from a batch of correlation matrices."""
    p = corr.shape[-1] - 1
    out = []
    for m in methods:
        if m == "shapley":
            out.append(shapley_from_corr(corr, units)[0])
        elif m == "relative_weights":
            w = relative_weights_from_corr(corr)
            if units is not None:  # raw weights are additive: a set's weight is the sum
                w = np.stack([w[:, u].sum(axis=1) for u in units], axis=1)
            out.append(w)
        elif m == "beta":
            out.append(np.linalg.solve(corr[:, :p, :p], corr[:, :p, p][..., None])[..., 0])
        else:  # correlation
            out.append(corr[:, :p, p])
    return np.concatenate(out, axis=1)


def _share(method: str, imp: np.ndarray, r2: float) -> np.ndarray:
    if method in ("shapley", "relative_weights"):
        return imp / r2 if r2 > 0 else np.full(imp.shape, np.nan)
    a = np.abs(imp) if method in ("beta", "correlation") else np.clip(imp, 0, None)
    s = a.sum()
    return a / s if s > 0 else np.full(imp.shape, np.nan)


@renamed(bootstrap="n_boot", interval="ci_method")
@records_provenance
def key_drivers(
    data: pd.DataFrame,
    target: str,
    predictors: Sequence[str] | None = None,
    methods: Sequence[str] = ("shapley", "relative_weights", "beta"),
    *,
    groups: Mapping[str, Sequence[str]] | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    ci: float = 0.95,
    ci_method: str = "percentile",
    seed=None,
    n_jobs: int = 1,
    progress="auto",
    missing: str = "listwise",
    forest_options: dict | None = None,
    weights=None,
) -> KeyDriversResult:
    """Importance of each driver by several methods, side by side, with
    bootstrap percentile intervals and the probability of ranking first.

    Each bootstrap replicate computes one correlation matrix, from which all
    linear methods follow (Shapley/LMG, relative weights, standardized betas,
    zero-order correlations); resamples are processed in vectorised batches
    through :func:`servqual._resampling.run_bootstrap`, as row counts (one
    product of the counts with the rows' cross-products per batch).

    Parameters
    ----------
    methods : sequence of {"shapley", "relative_weights", "beta", "correlation",
        "random_forest"}
        ``"random_forest"`` (cross-validated permutation importance) is
        reported without bootstrap intervals (refitting forests per replicate
        would take hours).
    groups : dict group -> list of columns, optional
        Importance of groups of predictors (e.g. SERVQUAL dimensions from
        their items): Shapley enters each group's columns together; a group's
        relative weight is the sum of its columns' raw weights.  Only
        ``"shapley"`` and ``"relative_weights"`` are available with groups.
    n_boot : int
        Replicates (0 for point estimates only; otherwise at least
        :func:`~servqual._options.min_n_boot` of ``ci``).  ``bootstrap=`` is its
        old name.
    ci_method : {"percentile", "bca"}
        Percentile intervals, or bias-corrected and accelerated ones (the
        acceleration from a leave-one-out jackknife; costs n extra fits).
        ``interval=`` is its old name.
    seed, n_jobs, progress
        Bootstrap randomness (results are bit-identical whatever ``n_jobs``),
        workers and progress bar (``"auto"``).
    forest_options : dict, optional
        Keyword arguments for :func:`forest_importance`.
    weights : column name or array, optional
        Respondent weights: the linear methods use the weighted correlation
        matrix and each bootstrap resample carries its respondents' weights.
        Not available with ``"random_forest"``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    >>> df["y"] = df.a + 0.5 * df.b + rng.normal(size=300)
    >>> res = key_drivers(df, "y", ["a", "b", "c"], n_boot=200, seed=1, progress=False)
    >>> res.wide("p_first")["shapley"].round(2).tolist()
    [1.0, 0.0, 0.0]
    """
    if isinstance(methods, str) or not isinstance(methods, Sequence) or not methods:
        raise ParameterError(f"methods={methods!r} is invalid: expected a list from {METHODS}.")
    for m in methods:
        check_params({"methods": m}, {"methods": Options(METHODS)})
    if len(set(methods)) != len(methods):
        raise ParameterError(f"methods={list(methods)!r} lists a method twice.")
    ci = check_ci(ci)
    n_boot = check_n_boot(n_boot, ci=ci)
    ci_method = check_ci_method(ci_method)
    n_jobs = check_n_jobs(n_jobs)
    progress = resolve_progress(progress)
    rng = check_rng(seed)
    predictors, names, units = resolve_groups(predictors, groups)
    if units is not None:
        bad = [m for m in methods if m not in ("shapley", "relative_weights")]
        if bad:
            raise ParameterError(
                f"methods {bad} cannot be computed for groups of predictors; with `groups` "
                "use 'shapley' and/or 'relative_weights'."
            )
    if weights is not None and "random_forest" in methods:
        raise ParameterError(
            "weights are not supported with method 'random_forest'; drop it or the weights."
        )
    frame, notes, rw = prepare_weighted(data, target, predictors, weights=weights, missing=missing)
    x = frame[[*predictors, target]].to_numpy()
    corr = np.corrcoef(x, rowvar=False) if rw is None else correlation_w(x, rw)
    check_pd(corr[:-1, :-1], predictors)
    k_x = len(predictors)
    r2 = float(corr[:k_x, k_x] @ np.linalg.solve(corr[:k_x, :k_x], corr[:k_x, k_x]))
    p = len(names)  # drivers: predictors, or groups of them
    lin = [m for m in methods if m in _LINEAR]
    point = {}
    if lin:
        est = _linear_importance(corr[None], lin, units)[0]
        point.update({m: est[i * p : (i + 1) * p] for i, m in enumerate(lin)})
    boot_seed, forest_seed = rng.integers(0, 2**63 - 1, size=2)
    if "random_forest" in methods:
        from .forest import forest_importance

        opts = {"seed": int(forest_seed), "n_jobs": n_jobs, **(forest_options or {})}
        fres = forest_importance(frame, target, predictors, **opts)
        point["random_forest"] = fres["importance"].to_numpy()
        notes.append(
            "random_forest importance is cross-validated permutation importance without "
            "bootstrap intervals."
        )
    draws: dict[str, np.ndarray] = {}
    n_failed = 0
    if lin and n_boot > 0:
        res = run_bootstrap(
            lambda W: _linear_importance(_counts_corr(x, W, rw), lin, units),
            len(frame),
            n_boot,
            k=len(lin) * p,
            seed=int(boot_seed),
            n_jobs=n_jobs,
            progress=progress,
            batched=True,
            counts=np.float64,  # the resamples' row counts, counted as they are drawn
            desc="key drivers",
        )
        notes += bootstrap_notes(res)
        n_failed = res.n_failed
        valid = res.valid
        draws = {m: valid[:, i * p : (i + 1) * p] for i, m in enumerate(lin)}
        if ci_method == "bca":
            jack = jackknife_moments(  # exact (weighted) leave-one-out, moments down-dated
                lambda means, covs: _linear_importance(_cov_to_corr(covs), lin, units),
                x,
                weights=rw,
            )
            blo, bhi = bca_ci(est, valid, jack, ci)
    rows = []
    for m in methods:
        imp = point[m]
        d = draws.get(m)
        if d is not None and len(d):
            if ci_method == "bca":
                i = lin.index(m)
                lo, hi = blo[i * p : (i + 1) * p], bhi[i * p : (i + 1) * p]
            else:
                lo, hi = percentile_ci(d, ci)
            se = d.std(axis=0, ddof=1) if len(d) > 1 else np.full(p, np.nan)
            first = np.bincount(np.abs(d).argmax(axis=1), minlength=p) / len(d)
        else:
            lo = hi = se = first = np.full(p, np.nan)
        rank = pd.Series(-np.abs(imp)).rank(method="min").astype(int).to_numpy()
        share = _share(m, imp, r2)
        for j, name in enumerate(names):
            rows.append(
                {
                    "method": m,
                    "driver": name,
                    "importance": imp[j],
                    "share": share[j],
                    "rank": rank[j],
                    "se": se[j],
                    "ci_lower": lo[j],
                    "ci_upper": hi[j],
                    "p_first": first[j],
                }
            )
    return KeyDriversResult(
        table=pd.DataFrame(rows),
        r2=r2,
        n=len(frame),
        target=target,
        n_boot=n_boot,
        n_failed=n_failed,
        ci=ci,
        ci_method=ci_method,
        draws=draws,
        warnings=tuple(notes),
        n_eff=None if rw is None else kish_neff(rw),
    )
