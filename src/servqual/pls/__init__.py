"""PLS path modelling (PLS-PM) for ACSI/ECSI-type satisfaction models.

``fit(model, data, ...)`` estimates a model given in lavaan-like syntax or as
a :class:`PLSModel` (``fit_moments`` from :func:`servqual.moments.moments` of
a dask DataFrame); ``ecsi_model()`` is the seven-construct ECSI model for the
``mobi`` data.  The result (:class:`PLSResult`) holds outer weights/loadings,
paths with direct/indirect/total effects, R^2, f^2, inner VIF, reliability
(alpha, rho_C, rho_A, AVE), HTMT, Fornell-Larcker, GoF, construct scores,
``index(construct)`` (ACSI 0-100) and ``ipma(target)``.  Bootstraps are
vectorised over stacks of resampled covariance matrices.
"""

from .estimator import fit
from .from_moments import fit_moments
from .invariance import BootstrapMGAResult, MICOMResult, mga_bootstrap, micom
from .ipma import ipma_table
from .mga import MGAResult, mga
from .moderation import simple_slopes
from .predict import PredictResult, predict
from .result import PLSResult
from .simulate import EcsiTruth, simulate_ecsi
from .spec import Block, PLSModel, ecsi_model, parse_model

__all__ = [
    "fit",
    "fit_moments",
    "PLSModel",
    "PLSResult",
    "Block",
    "parse_model",
    "ecsi_model",
    "ipma_table",
    "mga",
    "MGAResult",
    "mga_bootstrap",
    "BootstrapMGAResult",
    "micom",
    "MICOMResult",
    "predict",
    "simple_slopes",
    "PredictResult",
    "simulate_ecsi",
    "EcsiTruth",
]
