"""Key-driver analysis: which attributes drive satisfaction and loyalty.

Relative importance (:func:`shapley`, :func:`relative_weights`), regression
models, random-forest permutation importance, bootstrap comparison of methods
(:func:`key_drivers`) and stated-versus-derived importance.
"""

from .importance import (
    RelativeWeightsResult,
    ShapleyResult,
    relative_weights,
    relative_weights_from_corr,
    shapley,
    shapley_from_corr,
)

__all__ = [
    "RelativeWeightsResult",
    "ShapleyResult",
    "relative_weights",
    "relative_weights_from_corr",
    "shapley",
    "shapley_from_corr",
]
