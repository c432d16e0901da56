"""Nonparametric bootstrap of SEM estimates through ``_resampling.run_bootstrap``.

The ML refits take each stack of resamples as row counts (drawn and counted
replicate by replicate, ``run_bootstrap(..., counts=...)``): one product of the
counts with the rows' cross-products gives every resample's moments (exactly,
in single precision, for integer-coded answers), and the stack is refitted at
once (:func:`batch_fit`), warm-started at the full-sample solution.  Replicates
that fail to converge there are refitted one by one; those that still fail are
counted as failures, never dropped silently.
"""

from __future__ import annotations

import numpy as np

from .._resampling import (
    PartialBatch,
    bca_ci,
    bootstrap_notes,
    default_batch_size,
    index_counts,
    jackknife,
    jackknife_moments,
    percentile_ci,
    resample_products,
    run_bootstrap,
)
from .._warn import warn
from ..errors import ImproperSolutionWarning
from .batch import batch_fit
from .ml import MLProblem, SampleMoments, sample_moments
from .solution import improper_replicates

__all__ = ["Refit", "bootstrap_estimates", "boot_intervals"]


class Refit:
    """Picklable statistic: a resample -> free parameters + defined parameters.

    :meth:`from_counts` (the bootstrap's batched statistic) takes a stack of
    resamples as row counts (K, n) and computes all their moments at once (one
    matrix product with the per-row cross-products, per group for a multigroup
    model, whose resamples are drawn within the groups), then refits the stack
    at once (:func:`batch_fit`).  Called with row indices -- 1-D, one resample
    (the jackknife), or a 2-D stack -- it does the same from those.
    """

    def __init__(self, model, defined, X, codes, n_groups, theta, label_fn, hess_inv=None):
        self.model = model
        self.defined = defined
        self.X = X
        self.codes = codes
        self.n_groups = n_groups
        self.theta = theta
        self.label_fn = label_fn
        self.hess_inv = hess_inv
        self._cross = None
        self._groups = None

    def _refit(self, moments) -> np.ndarray:
        problem = MLProblem(self.model, moments)
        theta, ok, it, _ = problem.fit(self.theta, warm=True, hess_inv=self.hess_inv)
        if not ok:
            raise RuntimeError(f"refit did not converge after {it} iterations")
        return theta

    def estimate(self, idx: np.ndarray) -> np.ndarray:
        Xb = self.X[idx]
        if self.n_groups == 1:
            arrays = [Xb]
        else:
            cb = self.codes[idx]
            arrays = [Xb[cb == g] for g in range(self.n_groups)]
        return self._refit(sample_moments(arrays))

    def _batch_moments(self, idx2: np.ndarray):
        """Means (K, p) and covariances (K, p, p) of a stack of resamples (row indices)."""
        return self._count_moments(self._counts(idx2, self._products()[2].dtype))

    def _products(self):
        """``(shift, sym, Z)`` of :func:`resample_products`, built once."""
        if self._cross is None:
            self._cross = resample_products(self.X, self.X.shape[0])
        return self._cross

    def _count_moments(self, W: np.ndarray):
        """Means (K, p) and covariances (K, p, p) of the resamples whose row counts
        are ``W`` (K, n): one product of the counts with the per-row cross-products
        and values (n, p(p+1)/2 + p), see :func:`resample_products`."""
        shift, sym, Z = self._products()
        return _from_counts(W.astype(Z.dtype, copy=False), shift, sym, Z, self.X.shape[0])

    def _count_dtype(self):
        """The dtype the moment products take the counts in (no conversion needed)."""
        return self._products()[2].dtype if self.n_groups == 1 else np.dtype(np.int64)

    def _counts(self, idx2: np.ndarray, dtype) -> np.ndarray:
        """Resample counts (K, n) of a stack of row indices."""
        return index_counts(idx2, self.X.shape[0], dtype)

    def _group_moments(self, idx2: np.ndarray):
        """Per group, means (K, p) and covariances (K, p, p) of a stack of resamples
        (row indices) drawn within the groups (each group keeps its size)."""
        return self._group_count_moments(self._counts(idx2, np.int64))

    def _group_count_moments(self, counts: np.ndarray):
        """:meth:`_group_moments` from the resamples' row counts (K, n)."""
        if self._groups is None:
            self._groups = []
            for g in range(self.n_groups):
                rows = np.flatnonzero(self.codes == g)
                self._groups.append((rows, *resample_products(self.X[rows], rows.size)))
        out = []
        for rows, shift, sym, Z in self._groups:
            Wg = counts[:, rows]
            if not np.all(Wg.sum(axis=1) == rows.size):  # the sizes the products assume
                raise RuntimeError("multigroup resamples must be drawn within the groups")
            out.append(_from_counts(Wg.astype(Z.dtype), shift, sym, Z, rows.size))
        return [m for m, _ in out], [c for _, c in out]

    def from_counts(self, W: np.ndarray) -> np.ndarray:
        """Estimates (K, k) of the resamples whose row counts are ``W`` (K, n)
        (drawn within the groups for a multigroup model): the bootstrap's
        batched statistic (``run_bootstrap(..., counts=...)``)."""
        if self.n_groups == 1:
            means, covs = self._count_moments(W)
            return self.from_moments(means, covs, self.X.shape[0])
        means, covs = self._group_count_moments(W)
        return self.from_moments(means, covs, np.bincount(self.codes, minlength=self.n_groups))

    def _batch(self, idx2: np.ndarray) -> np.ndarray:
        return self.from_counts(self._counts(idx2, np.int64))

    def from_moments(self, means, covs, n_obs) -> np.ndarray:
        """Refit the model to stacks of means (K, p) and ML covariances (K, p, p).

        For a multigroup model, ``means`` and ``covs`` are lists (one stack per
        group) and ``n_obs`` the group sizes.
        """
        multi = isinstance(means, (list, tuple))
        mg = list(means) if multi else [means]
        cg = list(covs) if multi else [covs]
        n = np.atleast_1d(np.asarray(n_obs))
        K = mg[0].shape[0]
        thetas, ok = np.tile(self.theta, (K, 1)), np.zeros(K, dtype=bool)
        if self.hess_inv is not None:
            if multi:
                thetas, ok = batch_fit(
                    self.model, tuple(cg), tuple(mg), self.theta, self.hess_inv,
                    weights=n / n.sum(),
                )  # fmt: skip
            else:
                thetas, ok = batch_fit(self.model, cg[0], mg[0], self.theta, self.hess_inv)
        failed, msgs = np.zeros(K, dtype=bool), []
        for b in np.flatnonzero(~ok):  # stragglers: the full single-resample optimiser
            try:
                moments = SampleMoments(tuple(c[b] for c in cg), tuple(m[b] for m in mg), n)
                thetas[b] = self._refit(moments)
            except Exception as exc:  # this replicate fails; the others stand
                failed[b] = True
                msgs.append(f"{type(exc).__name__}: {exc}")
        k = thetas.shape[1] + len(self.defined)
        out = np.stack(
            [np.full(k, np.nan) if f else self._finish(t) for t, f in zip(thetas, failed)]
        )
        if failed.any():
            raise PartialBatch(out, failed, msgs)
        return out

    def _finish(self, theta):
        if len(self.defined):
            return np.concatenate([theta, self.label_fn(theta)])
        return theta

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        if idx.ndim == 2:
            return self._batch(idx)
        return self._finish(self.estimate(idx))


def _from_counts(W, shift, sym, Z, size):
    """Means and ML covariances of the resamples whose row counts are ``W`` (K, n)."""
    K, p = W.shape[0], shift.size
    both = (W @ Z).astype(float, copy=False) / size
    m = both[:, both.shape[1] - p :]
    C = both[:, sym].reshape(K, p, p)
    C -= m[:, :, None] * m[:, None, :]
    return m + shift, C


def make_refit(prep, theta, problem=None) -> Refit:
    from .defined import label_values

    X = np.vstack(prep.arrays)
    codes = np.repeat(np.arange(len(prep.arrays)), [a.shape[0] for a in prep.arrays])
    pt = prep.model.partable
    defined = prep.defined

    hess_inv = None
    if problem is not None:
        try:
            hess_inv = np.linalg.inv(2.0 * problem.information(theta))
        except np.linalg.LinAlgError:
            hess_inv = None
    return Refit(
        prep.model,
        defined,
        X,
        codes,
        len(prep.arrays),
        theta,
        _LabelFn(pt, defined, label_values),
        hess_inv,
    )


class _LabelFn:
    """Label -> value lookup without pandas (inner loop of the bootstrap)."""

    def __init__(self, pt, defined, label_values):
        first = {}
        for lab, par, fixed in zip(pt["label"], pt["par"], pt["fixed"]):
            if isinstance(lab, str) and lab not in first:
                first[lab] = (int(par), float(fixed))
        self.names = list(first)
        self.par = np.array([first[n][0] for n in self.names], dtype=int)
        self.fixed = np.array([first[n][1] for n in self.names])
        self.defined = defined

    def __call__(self, theta):
        vals = np.where(self.par >= 0, theta[np.clip(self.par, 0, None)], self.fixed)
        return self.defined.evaluate(dict(zip(self.names, vals.tolist())))


def _statistic(prep, theta, problem):
    """The resample statistic: ML refits, or polychoric + DWLS refits for WLSMV."""
    if getattr(problem, "polychoric", None) is not None:
        from .defined import label_values
        from .ordinal import WLSMVGroupsRefit, WLSMVRefit

        pt = prep.model.partable
        if len(prep.arrays) > 1:
            return WLSMVGroupsRefit(
                prep,
                _LabelFn(pt, prep.defined, label_values),
                len(prep.defined),
                getattr(problem, "group_equal", ()),
                gamma=problem.gamma,
            )
        return WLSMVRefit(
            prep.model,
            prep.arrays[0],
            list(prep.model.observed),
            theta,
            problem.bases[0],
            _LabelFn(pt, prep.defined, label_values),
            len(prep.defined),
            gamma=problem.gamma,
        )
    return make_refit(prep, theta, problem)


def bootstrap_estimates(prep, problem, theta, *, n_boot, seed, n_jobs, progress):
    """Run the bootstrap; returns ``(BootstrapDraws, notes for the result's warnings)``."""
    refit = _statistic(prep, theta, problem)
    batched = isinstance(refit, Refit)
    strata = refit.codes if refit.n_groups > 1 else None
    k = prep.model.q + len(prep.defined)
    n = refit.X.shape[0]
    draws = run_bootstrap(
        refit.from_counts if batched else refit,
        n,
        n_boot,
        k=k,
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
        strata=strata,
        desc="SEM bootstrap",
        batched=batched,
        # batched ML refits: larger stacks amortise the per-call cost of the
        # stacked linear algebra (250 resamples per stack at B = 1000)
        batch_size=default_batch_size(n_boot, n, parts=4) if batched else None,
        # the refits need the resamples' moments only: row counts, counted as drawn
        counts=refit._count_dtype() if batched else None,
    )
    return draws, bootstrap_notes(draws) + improper_note(prep, problem, draws)


def improper_note(prep, problem, draws) -> tuple[str, ...]:
    """The count of replicates with an improper solution, issued as a warning.

    lavaan's post-check on every successful replicate (:func:`improper_replicates`);
    like lavaan, the replicates are kept in the standard errors and intervals.
    """
    bases = getattr(problem, "bases", None)
    ok = ~draws.failed
    if bases is None or not ok.any():
        return ()
    q = prep.model.q
    bad = improper_replicates(prep.model, draws.estimates[ok, :q], bases)
    if not bad.any():
        return ()
    text = (
        f"{int(bad.sum())} of {int(ok.sum())} bootstrap replicates have an improper "
        "solution (a negative variance, or a latent or residual covariance matrix that is "
        "not positive definite); they are kept in the standard errors and intervals, as "
        "lavaan keeps them."
    )
    warn(text, ImproperSolutionWarning)
    return (text,)


def boot_intervals(prep, problem, theta, draws, ci, method):
    """Bootstrap SEs and ``ci`` intervals (percentile or BCa) for all estimates."""
    valid = draws.valid
    # lavaan's bootstrap SE (lav_model_nvcov_bootstrap, 0.6.14): the covariance of the
    # replicates with divisor B (cov(COEF) * (B - 1) / B), not B - 1
    se = valid.std(axis=0, ddof=0) if valid.shape[0] > 1 else np.full(valid.shape[1], np.nan)
    if method == "bca":
        refit = _statistic(prep, theta, problem)
        full = (
            np.concatenate([theta, refit.label_fn(theta)])
            if len(prep.defined)
            else np.asarray(theta)
        )
        if isinstance(refit, Refit) and refit.n_groups == 1:  # ML: exact leave-one-out
            n = refit.X.shape[0]
            jack = jackknife_moments(
                lambda means, covs: refit.from_moments(means, covs, n - 1), refit.X, ddof=0
            )
        else:  # multigroup or WLSMV (polychorics): randomly assigned (seeded) groups
            jack = jackknife(refit, refit.X.shape[0], max_groups=200)
        lo, hi = bca_ci(full, valid, jack, ci)
    else:
        lo, hi = percentile_ci(valid, ci)
    return se, lo, hi
