"""Nonparametric bootstrap of SEM estimates through ``_resampling.run_bootstrap``.

Each replicate computes the resample's moments directly from a NumPy array
(no pandas), rebuilds only the sample statistics of the ML problem and
re-estimates by Fisher scoring warm-started at the full-sample solution.
Replicates that fail to converge are counted as failures, never dropped
silently.
"""

from __future__ import annotations

import numpy as np

from .._resampling import bca_ci, jackknife, percentile_ci, run_bootstrap, warn_failures
from .ml import MLProblem, sample_moments

__all__ = ["Refit", "bootstrap_estimates", "boot_intervals"]


class Refit:
    """Picklable statistic: row indices -> free parameters + defined parameters."""

    def __init__(self, model, defined, X, codes, n_groups, theta, label_fn):
        self.model = model
        self.defined = defined
        self.X = X
        self.codes = codes
        self.n_groups = n_groups
        self.theta = theta
        self.label_fn = label_fn

    def estimate(self, idx: np.ndarray) -> np.ndarray:
        Xb = self.X[idx]
        if self.n_groups == 1:
            arrays = [Xb]
        else:
            cb = self.codes[idx]
            arrays = [Xb[cb == g] for g in range(self.n_groups)]
        problem = MLProblem(self.model, sample_moments(arrays))
        theta, ok, it, _ = problem.fit(self.theta, warm=True)
        if not ok:
            raise RuntimeError(f"refit did not converge after {it} iterations")
        return theta

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        theta = self.estimate(idx)
        if len(self.defined):
            return np.concatenate([theta, self.label_fn(theta)])
        return theta


def make_refit(prep, theta) -> Refit:
    from .fit import label_values

    X = np.vstack(prep.arrays)
    codes = np.repeat(np.arange(len(prep.arrays)), [a.shape[0] for a in prep.arrays])
    pt = prep.model.partable
    defined = prep.defined

    return Refit(prep.model, defined, X, codes, len(prep.arrays), theta,
                 _LabelFn(pt, defined, label_values))


class _LabelFn:
    def __init__(self, pt, defined, label_values):
        self.pt = pt[["label", "par", "fixed"]].copy()
        self.defined = defined
        self.label_values = label_values

    def __call__(self, theta):
        return self.defined.evaluate(self.label_values(self.pt, theta))


def bootstrap_estimates(prep, problem, theta, *, n_boot, seed, n_jobs, progress):
    """Run the bootstrap; returns ``(BootstrapDraws, failure text or None)``."""
    refit = make_refit(prep, theta)
    strata = refit.codes if refit.n_groups > 1 else None
    k = prep.model.q + len(prep.defined)
    draws = run_bootstrap(refit, refit.X.shape[0], n_boot, k=k, seed=seed, n_jobs=n_jobs,
                          progress=progress, strata=strata, desc="SEM bootstrap")
    return draws, warn_failures(draws, stacklevel=4)


def boot_intervals(prep, problem, theta, draws, ci, method):
    """Bootstrap SEs and ``ci`` intervals (percentile or BCa) for all estimates."""
    refit = make_refit(prep, theta)
    full = (np.concatenate([theta, refit.label_fn(theta)]) if len(prep.defined)
            else np.asarray(theta))
    valid = draws.valid
    se = valid.std(axis=0, ddof=1) if valid.shape[0] > 1 else np.full(full.size, np.nan)
    if method == "bca":
        jack = jackknife(refit, refit.X.shape[0], max_groups=200)
        lo, hi = bca_ci(full, valid, jack, ci)
    else:
        lo, hi = percentile_ci(valid, ci)
    return se, lo, hi
