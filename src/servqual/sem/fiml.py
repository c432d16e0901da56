"""Full-information ML (``missing="fiml"``) with a mean structure.

Rows are grouped by missingness pattern; pattern ``k`` with observed
variables ``o`` and ``n_k`` rows contributes

    n_k [log|Sigma_oo| + tr(Sigma_oo^-1 S_k) + (xbar_k - mu_o)' Sigma_oo^-1 (xbar_k - mu_o)]

to ``-2 log L`` (``S_k`` and ``xbar_k`` the pattern's covariance and mean).
The gradient is the complete-data one with the pattern weights embedded in
``p x p`` matrices (``RAMModel.ml_gradient`` is linear in them), so one call
per group suffices.  The unrestricted (H1) moments come from the EM
algorithm; ``chi2 = 2 (logL_H1 - logL_H0)``.  Standard errors use the
observed information (lavaan's default for ``missing = "ml"``), obtained by
differencing the analytic gradient.
"""

from __future__ import annotations

import numpy as np

from .ml import MLProblem, SampleMoments, observed_information

__all__ = ["FIMLProblem", "em_moments"]

_LOG2PI = float(np.log(2 * np.pi))


def _patterns(X: np.ndarray):
    obs = ~np.isnan(X)
    keys, inv = np.unique(obs, axis=0, return_inverse=True)
    out = []
    for k, key in enumerate(keys):
        o = np.flatnonzero(key)
        if o.size == 0:
            continue
        rows = X[inv.ravel() == k][:, o]
        mu = rows.mean(axis=0)
        dev = rows - mu
        out.append((o, rows.shape[0], mu, dev.T @ dev / rows.shape[0]))
    return out


def em_moments(X: np.ndarray, *, tol: float = 1e-10, max_iter: int = 5000):
    """Saturated normal ML mean and covariance with missing values (EM)."""
    n, p = X.shape
    mu = np.nanmean(X, axis=0)
    Sigma = np.diag(np.nanvar(X, axis=0))
    obs = ~np.isnan(X)
    keys, inv = np.unique(obs, axis=0, return_inverse=True)
    inv = inv.ravel()
    groups = [(np.flatnonzero(k), np.flatnonzero(~k), X[inv == i]) for i, k in enumerate(keys)]
    for _ in range(max_iter):
        T1 = np.zeros(p)
        T2 = np.zeros((p, p))
        for o, m, rows in groups:
            if o.size == 0:
                xhat = np.tile(mu, (rows.shape[0], 1))
                T1 += xhat.sum(0)
                T2 += xhat.T @ xhat + rows.shape[0] * Sigma
                continue
            xhat = rows.copy()
            if m.size:
                B = np.linalg.solve(Sigma[np.ix_(o, o)], Sigma[np.ix_(o, m)])
                xhat[:, m] = mu[m] + (rows[:, o] - mu[o]) @ B
                C = Sigma[np.ix_(m, m)] - Sigma[np.ix_(m, o)] @ B
            T1 += xhat.sum(0)
            T2 += xhat.T @ xhat
            if m.size:
                T2[np.ix_(m, m)] += rows.shape[0] * C
        mu_new = T1 / n
        S_new = T2 / n - np.outer(mu_new, mu_new)
        delta = max(np.max(np.abs(mu_new - mu)), np.max(np.abs(S_new - Sigma)))
        mu, Sigma = mu_new, S_new
        if delta < tol:
            break
    return mu, Sigma


class FIMLProblem(MLProblem):
    """ML problem whose discrepancy is the observed-data (FIML) likelihood."""

    def __init__(self, model, arrays):
        self.patterns = [_patterns(X) for X in arrays]
        em = [em_moments(X) for X in arrays]
        moments = SampleMoments(
            tuple(c for _, c in em), tuple(m for m, _ in em), np.array([X.shape[0] for X in arrays])
        )
        super().__init__(model, moments)
        self.arrays = arrays
        self._F1 = self._raw_F_at(moments)

    def _raw_F_at(self, moments) -> float:
        """Observed-data ``-2 logL / N`` (no constants) at the saturated moments."""
        total = 0.0
        for g, pats in enumerate(self.patterns):
            Sig, mu = moments.cov[g], moments.mean[g]
            for o, n_k, xbar, S in pats:
                So = Sig[np.ix_(o, o)]
                Si = np.linalg.inv(So)
                d = xbar - mu[o]
                total += n_k * (np.linalg.slogdet(So)[1] + np.sum(S * Si) + d @ Si @ d)
        return total / self.N

    def _raw(self, theta, need_grad: bool):
        total = 0.0
        grad = np.zeros(self.model.q)
        for g, pats in enumerate(self.patterns):
            parts = self.model.moments(theta, g, self.bases[g])
            Sigma, mu = parts[0], parts[1]
            p = Sigma.shape[0]
            W = np.zeros((p, p))
            r = np.zeros(p)
            for o, n_k, xbar, S in pats:
                So = Sigma[np.ix_(o, o)]
                try:
                    L = np.linalg.cholesky(So)
                except np.linalg.LinAlgError:
                    return np.inf, None
                Li = np.linalg.inv(L)
                Si = Li.T @ Li
                d = xbar - mu[o]
                rs = Si @ d
                total += n_k * (2 * np.log(np.diag(L)).sum() + np.sum(S * Si) + d @ rs)
                if need_grad:
                    W[np.ix_(o, o)] += n_k * (Si @ (So - S - np.outer(d, d)) @ Si)
                    r[o] += n_k * rs
            if need_grad:
                grad += self.model.ml_gradient(theta, g, self.bases[g], W, r, parts)
        return total / self.N, (grad / self.N if need_grad else None)

    def objective(self, theta) -> float:
        F, _ = self._raw(theta, False)
        return float(F - self._F1)

    def value_grad(self, theta):
        F, g = self._raw(theta, True)
        return float(F - self._F1), g

    def information(self, theta, per_group: bool = False):
        """Observed information per observation (half the Hessian of F)."""
        return observed_information(self, theta)

    def fit(self, theta0, *, warm: bool = False, hess_inv=None):
        if hess_inv is None:
            try:
                hess_inv = np.linalg.inv(2.0 * MLProblem.information(self, theta0))
            except np.linalg.LinAlgError:
                hess_inv = None
        if hess_inv is not None:
            theta, ok, it = self.fisher(theta0, max_iter=1000, hess_inv=hess_inv)
            if ok:
                return theta, True, it, "quasi-Newton (BFGS)"
        theta, ok, it = self.lbfgs(theta0)
        return theta, ok, it, "L-BFGS-B"

    def loglik(self, theta) -> float:
        F, _ = self._raw(theta, False)
        return float(-0.5 * (self.N * F + self._n_obs_values() * _LOG2PI))

    def loglik_h1(self) -> float:
        return float(-0.5 * (self.N * self._F1 + self._n_obs_values() * _LOG2PI))

    def _n_obs_values(self) -> int:
        return int(sum(n_k * o.size for pats in self.patterns for o, n_k, _, _ in pats))

    def baseline(self) -> tuple[float, int]:
        """Independence model: available-case means and variances per variable."""
        ll_b = 0.0
        df = 0
        for X in self.arrays:
            p = X.shape[1]
            for j in range(p):
                x = X[~np.isnan(X[:, j]), j]
                v = x.var()
                ll_b += -0.5 * x.size * (_LOG2PI + np.log(v) + 1.0)
            df += p * (p - 1) // 2
        return float(2 * (self.loglik_h1() - ll_b)), int(df)
