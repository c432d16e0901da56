"""servqual: service quality, satisfaction and loyalty modelling.

Submodules (imported on first use): ``instrument``, ``validation``,
``scores``, ``simulate``, ``datasets``, ``figures``, ``sem``, ``measurement``,
``drivers``, ``kano``, ``metrics``, ``pls``, ``retention``, ``wom``,
``claims``, ``gaps``, ``errors``, ``weighting``, ``survival``.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "instrument",
    "validation",
    "scores",
    "simulate",
    "datasets",
    "figures",
    "sem",
    "measurement",
    "drivers",
    "kano",
    "metrics",
    "pls",
    "retention",
    "wom",
    "complaints",
    "diffusion",
    "customer_base",
    "claims",
    "gaps",
    "errors",
    "economics",
    "ipa",
    "prca",
    "codebook",
    "readers",
    "weighting",
    "survival",
}

# public name -> (module, attribute)
_LAZY = {
    "Instrument": ("servqual.instrument", "Instrument"),
    "validate": ("servqual.validation", "validate"),
    "ValidationReport": ("servqual.validation", "ValidationReport"),
    "simulate_survey": ("servqual.simulate", "simulate_survey"),
    "Truth": ("servqual.simulate", "Truth"),
    "load_dataset": ("servqual.datasets", "load_dataset"),
    "list_datasets": ("servqual.datasets", "list_datasets"),
    "reliability": ("servqual.measurement", "reliability"),
    "simulate_units": ("servqual.gaps", "simulate_units"),
    "UnitTruth": ("servqual.gaps", "UnitTruth"),
    "Codebook": ("servqual.codebook", "Codebook"),
    "read_codebook": ("servqual.codebook", "read_codebook"),
    "write_codebook": ("servqual.codebook", "write_codebook"),
    "read_survey": ("servqual.readers", "read_survey"),
    "Survey": ("servqual.readers", "Survey"),
    "rake": ("servqual.weighting", "rake"),
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        mod, attr = _LAZY[name]
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
            raise AttributeError(f"servqual.{name} needs module {mod}, not installed") from None
        value = getattr(module, attr)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"servqual.{name}")
    raise AttributeError(f"module 'servqual' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
