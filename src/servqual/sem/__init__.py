"""Structural equation modelling (covariance-based SEM, ordinal estimation).

``fit(model, data)`` estimates a model written in lavaan syntax by maximum
likelihood and returns a :class:`SEMResult`; ``invariance`` compares
configural, metric and scalar multigroup models; ``rater_model`` and
``gap_model`` write model syntax; ``simulate_data`` draws data from a
population model.  Ordinal estimation (polychoric correlations, DWLS/WLSMV)
lives in :mod:`servqual.sem.polychoric` and :mod:`servqual.sem.wlsmv`.
"""

from .builders import gap_model, rater_model
from .fit import fit
from .from_moments import fit_moments
from .invariance import invariance
from .result import SEMResult
from .simulate import population_moments, simulate_data
from .syntax import build_partable, parse

__all__ = [
    "fit",
    "fit_moments",
    "simulate_data",
    "population_moments",
    "rater_model",
    "gap_model",
    "invariance",
    "SEMResult",
    "parse",
    "build_partable",
]
