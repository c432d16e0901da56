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

__all__ = ["solution_warnings"]


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
