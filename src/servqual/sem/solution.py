"""Checks of an estimated SEM solution: non-positive-definite sample, implied and
latent covariance matrices, negative variances (Heywood cases)."""

from __future__ import annotations

import numpy as np

from ..errors import (
    ConvergenceWarning,
    IdentificationWarning,
    ImproperSolutionWarning,
    NotPositiveDefiniteWarning,
)
from .ml import MLProblem

__all__ = ["improper_replicates", "solution_warnings"]


def solution_warnings(problem, theta, prep, converged, iters, optimizer, indices) -> list:
    """Non-convergence, negative df and improper-solution warnings ``(class, message)``."""
    out = []
    if not converged:
        out.append(
            (
                ConvergenceWarning,
                f"the optimizer ({optimizer}) did not converge after {iters} iterations; "
                "estimates are not trustworthy.",
            )
        )
    if indices["df"] < 0:
        out.append(
            (
                IdentificationWarning,
                f"the model has negative degrees of freedom (df = {indices['df']}): "
                "it is not identified.",
            )
        )
    return out + _check_solution(problem, theta, prep.model.partable, prep.group_labels)


def _check_solution(problem: MLProblem, theta, pt, group_labels) -> list[tuple[type, str]]:
    out = []
    model = problem.model
    for g, grp in enumerate(model.groups):
        gname = "" if group_labels[g] is None else f" (group {group_labels[g]!r})"
        ev = np.linalg.eigvalsh(problem.moments.cov[g])
        if ev.min() <= 1e-10 * max(ev.max(), 1e-300):
            out.append(
                (
                    NotPositiveDefiniteWarning,
                    f"the sample covariance matrix{gname} is not positive definite "
                    f"(smallest eigenvalue {ev.min():.3g}); chi2 and log-likelihood are "
                    "not defined.",
                )
            )
        Sigma, _, _, S, _ = model.moments(theta, g, problem.bases[g])
        ev = np.linalg.eigvalsh(Sigma)
        if ev.min() <= 0:
            out.append(
                (
                    NotPositiveDefiniteWarning,
                    f"the model-implied covariance matrix{gname} is not positive definite "
                    f"(smallest eigenvalue {ev.min():.3g}).",
                )
            )
        lat = np.arange(grp.p, grp.v)
        if lat.size:
            psi = S[np.ix_(lat, lat)]
            evl = np.linalg.eigvalsh(psi)
            if evl.min() < -1e-10 and not (np.diag(psi) < 0).any():
                out.append(
                    (
                        NotPositiveDefiniteWarning,
                        f"the latent (residual) covariance matrix{gname} is not positive "
                        f"definite (smallest eigenvalue {evl.min():.3g}).",
                    )
                )
        neg = [i for i in range(grp.v) if S[i, i] < 0]
        if neg:
            detail = ", ".join(f"{grp.names[i]} ~~ {grp.names[i]} = {S[i, i]:.3f}" for i in neg)
            out.append(
                (
                    ImproperSolutionWarning,
                    f"negative variance estimate(s) (Heywood case){gname}: {detail}.",
                )
            )
    return out


#: lavaan's tolerance for a negative eigenvalue in its post-estimation check
_EIG_TOL = np.finfo(float).eps ** 0.75


def _stack(base, R, rows, cols, vals, sym=True):
    """``R`` copies of ``base`` with ``vals`` (R, len(rows)) at ``(rows, cols)``."""
    out = np.broadcast_to(base, (R, *base.shape)).copy()
    if rows.size:
        out[:, rows, cols] = vals
        if sym:
            out[:, cols, rows] = vals
    return out


def improper_replicates(model, thetas: np.ndarray, bases) -> np.ndarray:
    """Which rows of ``thetas`` (R, q) are improper solutions, as lavaan's post-check.

    A row is improper when, in some group, a variance (observed or latent) is
    negative, the covariance matrix of the latent variables implied by the
    model (``cov.lv``) is not positive definite, or the residual covariance
    matrix of the observed variables is not (eigenvalues below
    ``-eps^(3/4)``, lavaan's tolerance; each matrix checked only when its
    variances are non-negative, as lavaan does).  Vectorised over the rows:
    used on every bootstrap replicate.

    Examples
    --------
    >>> from servqual import sem
    >>> from servqual.datasets import load_dataset
    >>> res = sem.fit("f =~ x1 + x2 + x3", load_dataset("holzinger_swineford"))
    >>> t = np.vstack([res._theta, res._theta])
    >>> t[1, res._prep.model.partable.query("lhs == 'x1' and op == '~~'")["par"].iloc[0]] = -0.1
    >>> improper_replicates(res._problem.model, t, res._problem.bases).tolist()
    [False, True]
    """
    thetas = np.atleast_2d(np.asarray(thetas, float))
    R = thetas.shape[0]
    bad = np.zeros(R, dtype=bool)
    for g, grp in enumerate(model.groups):
        A0, S0, _ = bases[g]
        p, v = grp.p, grp.v
        sr, sc, sk = grp.s_pos
        ar, ac, ak = grp.a_pos
        dia = sr == sc
        d = np.broadcast_to(np.diag(S0), (R, v)).copy()
        d[:, sr[dia]] = thetas[:, sk[dia]]
        ov_bad, lv_bad = (d[:, :p] < 0).any(axis=1), (d[:, p:] < 0).any(axis=1)
        bad |= ov_bad | lv_bad
        rows = np.flatnonzero(~lv_bad)
        if v > p and rows.size:
            t = thetas[rows]
            lat_to_obs = (A0[p:, :p] != 0).any() or bool(((ar >= p) & (ac < p)).any())
            if not lat_to_obs:  # latent block of (I - A)^-1 is (I - A_ll)^-1
                ll = (sr >= p) & (sc >= p)
                Psi = _stack(S0[p:, p:], rows.size, sr[ll] - p, sc[ll] - p, t[:, sk[ll]])
                al = (ar >= p) & (ac >= p)
                All = _stack(A0[p:, p:], rows.size, ar[al] - p, ac[al] - p, t[:, ak[al]], False)
                Bl = np.linalg.inv(np.eye(v - p) - All)
                cov_lv = Bl @ Psi @ Bl.transpose(0, 2, 1)
            else:  # paths from observed to latent variables: the whole (I - A)^-1
                S = _stack(S0, rows.size, sr, sc, t[:, sk])
                A = _stack(A0, rows.size, ar, ac, t[:, ak], False)
                Bl = np.linalg.inv(np.eye(v) - A)[:, p:, :]
                cov_lv = Bl @ S @ Bl.transpose(0, 2, 1)
            bad[rows] |= _not_positive(cov_lv)
        ob = (sr < p) & (sc < p)
        rows = np.flatnonzero(~ov_bad)
        off = (S0[:p, :p] - np.diag(np.diag(S0[:p, :p])) != 0).any()
        if ((ob & ~dia).any() or off) and rows.size:  # a diagonal Theta is positive definite here
            Th = _stack(S0[:p, :p], rows.size, sr[ob], sc[ob], thetas[rows][:, sk[ob]])
            bad[rows] |= _not_positive(Th)
    return bad


def _not_positive(mats: np.ndarray) -> np.ndarray:
    """Which matrices of a stack have an eigenvalue below ``-eps^(3/4)`` (lavaan's check).

    A Cholesky factorisation of the whole stack succeeds in the usual case, all
    of them positive definite; only then are the eigenvalues not needed.
    """
    try:
        np.linalg.cholesky(mats)
        return np.zeros(mats.shape[0], dtype=bool)
    except np.linalg.LinAlgError:
        return np.linalg.eigvalsh(mats)[:, 0] < -_EIG_TOL
