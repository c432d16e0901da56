"""Simulate multivariate-normal data from a population model in lavaan syntax."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import Interval, check_params, check_rng
from .._warn import warn
from ..errors import NotPositiveDefiniteWarning, SpecificationError
from .model import build_model
from .syntax import build_partable, model_variables, parse

__all__ = ["population_moments", "simulate_data"]


def population_moments(model: str) -> tuple[pd.DataFrame, pd.Series]:
    """Implied covariance and mean of a population model with fixed values.

    Every loading, regression and covariance the user writes must carry a
    value (``f =~ 1*x1 + 0.8*x2``, ``y ~ 0.4*f``); variances not written are
    1 and covariances 0 (as in lavaan's ``simulateData``); intercepts default
    to 0.  Free (unvalued) user parameters raise :class:`SpecificationError`.

    Examples
    --------
    >>> cov, mean = population_moments("f =~ 1*x1 + 0.5*x2; x1 ~~ 0.5*x1; x2 ~~ 0.75*x2")
    >>> cov.round(3).to_numpy().tolist()
    [[1.5, 0.5], [0.5, 1.0]]
    """
    statements = parse(model)
    observed, latent = model_variables(statements)
    pt = build_partable(statements, auto_fix_first=False, meanstructure=True)
    free_user = pt[pt["free"] & pt["user"]]
    if len(free_user):
        r = free_user.iloc[0]
        raise SpecificationError(
            f"population model parameter {r.lhs} {r.op} {r.rhs} has no value; write e.g. "
            f"'{r.lhs} {r.op} 0.5*{r.rhs}'."
        )
    pt = pt.copy()
    var = (pt["op"] == "~~") & (pt["lhs"] == pt["rhs"])
    auto = pt["free"] | pt["exo"]
    pt.loc[auto & var, "fixed"] = 1.0
    pt.loc[auto & ~var, "fixed"] = 0.0
    pt["free"] = False
    pt["exo"] = False
    ram = build_model(pt, observed, latent)
    grp = ram.groups[0]
    Sigma, mu, *_ = ram.moments(np.zeros(0), 0, (grp.A0, grp.S0, grp.m0))
    return (pd.DataFrame(Sigma, index=observed, columns=observed), pd.Series(mu, index=observed))


def simulate_data(model: str, n: int, *, seed=None) -> pd.DataFrame:
    """``n`` multivariate-normal rows from a population model (see
    :func:`population_moments`).

    Examples
    --------
    >>> df = simulate_data("f =~ 1*x1 + 0.8*x2 + 0.6*x3", 500, seed=1)
    >>> df.shape
    (500, 3)
    """
    check_params({"n": n}, {"n": Interval(1, None, integer=True)})
    cov, mean = population_moments(model)
    ev = np.linalg.eigvalsh(cov.to_numpy())
    if ev.min() <= 0:
        warn(
            f"the population covariance is not positive definite (smallest "
            f"eigenvalue {ev.min():.3g}).",
            NotPositiveDefiniteWarning,
        )
    rng = check_rng(seed)
    X = rng.multivariate_normal(mean.to_numpy(), cov.to_numpy(), size=n, method="eigh")
    return pd.DataFrame(X, columns=cov.columns)
