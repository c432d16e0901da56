"""Covariance-based structural equation modelling (lavaan syntax, ML).

``fit(model, data)`` estimates a model written in lavaan syntax and returns a
:class:`SEMResult`; ``invariance`` compares configural, metric and scalar
multigroup models; ``rater_model`` and ``gap_model`` write model syntax.
"""

from .builders import gap_model, rater_model
from .fit import fit
from .invariance import invariance
from .result import SEMResult
from .simulate import population_moments, simulate_data
from .syntax import build_partable, parse

__all__ = ["fit", "simulate_data", "population_moments", "rater_model", "gap_model",
           "invariance", "SEMResult", "parse", "build_partable"]
