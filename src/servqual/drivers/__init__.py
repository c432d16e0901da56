"""Key-driver analysis: which attributes drive satisfaction and loyalty.

Relative importance (:func:`shapley`, :func:`relative_weights`), regression
models, random-forest permutation importance, bootstrap comparison of methods
(:func:`key_drivers`) and stated-versus-derived importance.
"""

from .forest import ForestImportanceResult, forest_importance
from .importance import (
    RelativeWeightsResult,
    ShapleyResult,
    relative_weights,
    relative_weights_from_corr,
    shapley,
    shapley_from_corr,
)
from .keydrivers import METHODS, KeyDriversResult, key_drivers
from .regression import RegressionResult, logistic, ols, ordinal_logit
from .stated import RankClaimResult, StatedDerivedResult, rank_claim, stated_vs_derived

__all__ = [
    "RankClaimResult",
    "StatedDerivedResult",
    "rank_claim",
    "stated_vs_derived",
    "METHODS",
    "KeyDriversResult",
    "key_drivers",
    "ForestImportanceResult",
    "forest_importance",
    "RegressionResult",
    "logistic",
    "ols",
    "ordinal_logit",
    "RelativeWeightsResult",
    "ShapleyResult",
    "relative_weights",
    "relative_weights_from_corr",
    "shapley",
    "shapley_from_corr",
]
