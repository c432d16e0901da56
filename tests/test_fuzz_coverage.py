"""No public data function can slip out of the fuzz suite (issue #14).

Walks the public API (:func:`servqual._api.public_api`, the same list the
documentation is generated from) and finds every function with a parameter
annotated as a DataFrame or named like a data frame.  Each must be exercised
by ``tests/_api.DATA_CALLS`` (through ``FUZZED``) or be listed, with its
reason, in ``EXEMPT``.
"""

import importlib
import inspect

from _api import DATA_CALLS, FUZZED

from servqual._api import public_api

DATA_NAMES = {"data", "df", "frame", "customers", "allocations"}

#: public functions taking a DataFrame that stay out of the dirty-frame fuzz, and why
EXEMPT = {
    # plots: they draw what a model function (fuzzed) computed; the figure tests cover them
    "servqual.figures.ordinal.plot_ordinal_bias": "plots a table made by ordinal_loading_bias",
    "servqual.figures.pls.plot_ipma": "plots a table made by pls.ipma",
    "servqual.figures.profile.plot_gap_profile": "a plot; its numbers come from gap_profile",
    "servqual.figures.profile.plot_item_distribution": "a plot of item counts",
    # the whole report: an end-to-end run of fuzzed functions, minutes per call, and
    # src/servqual/report.py is being rewritten on another branch (its CLI tests cover it)
    "servqual.report.compute.survey_report": "end to end over fuzzed functions; too slow",
    # not respondent data
    "servqual.measurement._validity.fornell_larcker": "takes a correlation matrix and AVEs",
    "servqual.weighting.rows_kept": "helper aligning weights to a frame already validated",
    "servqual.sem.ordinal_bias.ordinal_loading_bias": "simulation-study helper (known loadings)",
}


def _key(f) -> str:
    f = inspect.unwrap(f)
    return f"{f.__module__}.{f.__qualname__}"


def public_data_functions() -> dict[str, str]:
    """Defining name -> public name of every public function that takes a DataFrame."""
    out = {}
    for mod, names in public_api().items():
        m = importlib.import_module(mod)
        for n in names:
            f = getattr(m, n)
            if not inspect.isfunction(f):
                continue
            params = inspect.signature(inspect.unwrap(f)).parameters.values()
            if any("DataFrame" in str(p.annotation) or p.name in DATA_NAMES for p in params):
                out.setdefault(_key(f), f"{mod}.{n}")
    return out


def test_every_public_data_function_is_fuzzed_or_exempt():
    found = public_data_functions()
    fuzzed = {_key(f) for f in FUZZED.values()}
    missing = {k: v for k, v in found.items() if k not in fuzzed and k not in EXEMPT}
    assert not missing, f"public data functions outside tests/_api.DATA_CALLS: {missing}"
    # the walk does find them: every fuzzed data function is seen by it
    assert fuzzed - set(found) <= {_key(f) for f in (FUZZED["multilevel"],
                                                     FUZZED["explain_gap5"])}  # fmt: skip
    assert len(found) >= 40


def test_exemptions_are_real_and_not_fuzzed():
    found = public_data_functions()
    stale = set(EXEMPT) - set(found)
    assert not stale, f"exempt names that are no longer public data functions: {stale}"
    assert not set(EXEMPT) & {_key(f) for f in FUZZED.values()}


def test_every_fuzz_entry_names_its_function():
    assert set(FUZZED) == set(DATA_CALLS)
    for name, f in FUZZED.items():
        assert name.split(".")[-1] == inspect.unwrap(f).__name__, name
