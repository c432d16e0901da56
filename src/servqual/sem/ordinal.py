"""``estimator="WLSMV"`` for :func:`servqual.sem.fit`: DWLS on polychoric correlations.

The RAM model of the syntax is handed to :func:`servqual.sem.wlsmv.dwls_ram`
(delta parameterization: latent responses have unit variance, thresholds are
saturated), which estimates the free structural parameters from the
polychoric correlations with robust (sandwich) standard errors and the
scaled-and-shifted test statistic (lavaan's ``WLSMV`` default).  Starting
values come from an ML fit to the polychoric correlation matrix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .indices import FIT_KEYS
from .ml import MLProblem, SampleMoments, start_values

__all__ = ["wlsmv_estimate"]


def wlsmv_estimate(prep, ram):
    """Returns ``(theta, vcov, estimated, indices, problem, converged, messages)``."""
    from .polychoric import polychoric_moments
    from .wlsmv import dwls_ram

    if len(prep.arrays) != 1:
        raise ParameterError("estimator='WLSMV' supports single-group models only.")
    if any(grp.meanstructure for grp in ram.groups) or any(grp.exo_s[0].size for grp in ram.groups):
        raise ParameterError(
            "estimator='WLSMV' needs a model of ordinal indicators without intercepts or "
            "exogenous observed covariates."
        )
    names = list(ram.observed)
    frame = pd.DataFrame(prep.arrays[0], columns=names)
    mom = polychoric_moments(frame, names)
    R = mom.corr.loc[names, names].to_numpy()
    n = prep.arrays[0].shape[0]
    sm = SampleMoments((R,), (np.zeros(len(names)),), np.array([n]))
    problem = MLProblem(ram, sm)
    theta_ml, _, _, _ = problem.fit(start_values(ram, sm))
    out = dwls_ram(ram, mom, theta_ml, base=problem.bases[0])
    fit = out.fit
    q = ram.q
    vcov = np.zeros((q, q))
    est = out.estimated
    vcov[np.ix_(est, est)] = fit.vcov
    fi = fit.fit_indices
    indices = dict.fromkeys(FIT_KEYS, np.nan)
    indices.update(
        chi2=float(fi["chi2_scaled"]),
        df=int(fi["df"]),
        pvalue=float(fi["pvalue_scaled"]),
        baseline_chi2=float(fi["baseline_chi2_scaled"]),
        baseline_df=int(fi["baseline_df"]),
        cfi=float(fi["cfi"]),
        tli=float(fi["tli"]),
        rmsea=float(fi["rmsea"]),
        n=int(n),
    )
    Sigma = ram.moments(out.theta, 0, problem.bases[0])[0]
    iu = np.triu_indices(len(names), 1)
    indices["srmr"] = float(np.sqrt(np.mean(np.r_[(R - Sigma)[iu], np.zeros(len(names))] ** 2)))
    messages = list(mom.warnings) + list(fit.warnings)
    return out.theta, vcov, est, indices, problem, bool(fit.converged), messages
