"""Measurement quality: reliability, convergent and discriminant validity.

Primitives (usable on any item blocks, e.g. by the PLS module):

- :func:`cronbach_alpha` with :func:`feldt_ci` (Feldt 1965 F-based interval);
- :func:`htmt` (Henseler, Ringle & Sarstedt 2015) and :func:`htmt2`
  (Roemer, Schuberth & Henseler 2021, geometric means);
- :func:`composite_reliability` (rho_C / omega), :func:`ave`,
  :func:`fornell_larcker`.

Modules: ``_alpha`` (alpha, Feldt CI, difference-score reliability),
``_validity`` (HTMT, HTMT2, rho_C, AVE, Fornell-Larcker) and ``_reliability``
(:func:`reliability`, which combines them per dimension of an instrument).
"""

from ._alpha import cronbach_alpha, difference_score_reliability, feldt_ci
from ._reliability import (
    ReliabilityResult,
    _reversed_items,  # noqa: F401 - used by servqual.report
    reliability,
)
from ._validity import (
    ave,
    composite_reliability,
    fornell_larcker,
    htmt,
    htmt2,
    htmt_from_corr,  # noqa: F401 - used by servqual.pls
)

__all__ = [
    "cronbach_alpha",
    "feldt_ci",
    "htmt",
    "htmt2",
    "composite_reliability",
    "ave",
    "fornell_larcker",
    "difference_score_reliability",
    "reliability",
    "ReliabilityResult",
]
