"""One vocabulary for the options that recur across servqual.

Every public function that offers one of these options uses *this* name, this
meaning and this check (the vocabulary test walks the public API to keep it so):

==============  ==============================================================
option          meaning
==============  ==============================================================
``n_boot``      bootstrap replicates; ``0`` switches the bootstrap off where the
                function has another way to its result; otherwise at least
                :func:`min_n_boot`.  Defaults: :data:`N_BOOT_RULE`, function by
                function in :data:`N_BOOT_DEFAULTS`.
``ci``          confidence level of every interval, in (0, 1); default 0.95.
``ci_method``   how a bootstrap interval is formed: ``"percentile"`` or
                ``"bca"`` (and ``"normal"`` where offered).
``seed``        ``None``, a non-negative int, a ``SeedSequence`` or a
                ``numpy.random.Generator``; never NumPy's global state.
``n_jobs``      parallel workers: a positive int, or ``-1`` for all cores.
                Results are bit-identical whatever ``n_jobs`` is.
``progress``    ``"auto"`` (default: a bar in terminals and notebooks, none in
                scripts, pipes and CI), ``True`` or ``False``.
``missing``     missing-data policy, one of :data:`MISSING_POLICIES`.
``weights``     respondent weights: a column name of the data, or an array of
                one non-negative finite weight per row.
==============  ==============================================================

Renamed options keep working for one release: :func:`renamed` maps the old
keyword to the new one with a :class:`FutureWarning`.

Missing data
------------
One vocabulary, :data:`MISSING_POLICIES`: ``"listwise"`` (rows complete on
*every* variable the call uses), ``"available"`` (available-case: each block,
pair or model uses the rows complete on *its own* variables), ``"fiml"``
(full-information ML, SEM only), ``"mean"`` (explicit item-mean imputation,
counted) and ``"raise"``. Old names: ``"pairwise"``, ``"omit"`` and
``"report"`` mean ``"available"`` (with a :class:`FutureWarning`). Every
policy reports what it did: rows dropped or values imputed are counted on the
result (``n_missing``, ``n_dropped``, a table column ``n``, ``warnings``) and
warned about (:class:`~servqual.errors.MissingDataWarning`); nothing is
dropped silently. The defaults, chosen per analysis (:data:`MISSING_DEFAULTS`
holds the same table as data, and a test checks the signatures against it):

=================================  ==========  =============================================
analysis                           default     why / what else is offered
=================================  ==========  =============================================
``validate``                       available   keeps NaN and counts them, so each later
                                               analysis uses its own complete rows;
                                               also listwise, mean, raise
``measurement.reliability``        available   each block on that block's complete cases
                                               (``table["n"]``); HTMT pairwise-complete;
                                               also listwise, mean, raise
``metrics.nps``, ``csat``, ``csi`` available   a single item's answered cases (CSI: each
                                               item's own answers); also listwise, raise
``ipa.ipa``                        available   each attribute on the rows complete on the
                                               pair it uses (rating + importance/outcome);
                                               also listwise, raise
``kano.kano`` (and helpers)        available   each feature on the respondents who answered
                                               both of its questions (also in
                                               ``classify_frame``, ``continuous_scores``);
                                               also listwise, raise
drivers (``ols``, ``logistic``,    listwise    one model: the rows complete on the model's
``ordinal_logit``, ``shapley``,                variables (``available`` is the same);
``relative_weights``,                          also mean (predictors), raise
``key_drivers``, ``stated_vs_derived``,
``forest_importance``),
``ipa.penalty_reward``
``sem.fit``, ``invariance``        listwise    on the model's variables, with a hint that
                                               ``fiml`` exists; also available (= listwise),
                                               fiml, raise
``pls.fit`` (``mga``, ``predict``) mean        as seminr/SmartPLS; also listwise
                                               (= available), raise
``measurement.htmt``, ``htmt2``    raise       primitives on a clean frame; ``available``
                                               uses pairwise-complete correlations
``economics.what_if``              listwise    one chain of models on the same customers;
                                               also available (= listwise), raise
``survival.life_table``, ``cox``   listwise    customers with a missing tenure, flag or
                                               covariate; also raise
``gaps.unit_scores``               raise       few respondents per unit: a missing answer
                                               moves a unit mean, the user decides;
                                               also available
=================================  ==========  =============================================
"""

from __future__ import annotations

import functools
import inspect
import math
import os
import sys
from collections.abc import Callable

from ._checks import Interval, Options, check_params
from ._warn import warn
from .errors import ParameterError

__all__ = [
    "VOCABULARY",
    "MISSING_POLICIES",
    "MISSING_DEFAULTS",
    "N_BOOT_RULE",
    "N_BOOT_DEFAULTS",
    "DEFAULT_N_BOOT",
    "renamed",
    "check_ci",
    "check_n_boot",
    "check_n_perm",
    "min_n_boot",
    "check_n_jobs",
    "check_ci_method",
    "check_missing",
    "resolve_progress",
]

#: canonical option name -> one-line meaning (documented in the API reference)
VOCABULARY: dict[str, str] = {
    "n_boot": "number of bootstrap replicates (0: no bootstrap, where allowed)",
    "ci": "confidence level of intervals, in (0, 1)",
    "ci_method": "bootstrap interval: 'percentile' or 'bca'",
    "seed": "None, int, SeedSequence or numpy Generator",
    "n_jobs": "parallel workers (-1: all cores); results do not depend on it",
    "progress": "'auto', True or False",
    "missing": "missing-data policy: 'listwise', 'available', 'fiml', 'mean' or 'raise'",
    "weights": "respondent weights: a column name or one weight per row",
}

#: old keyword -> canonical keyword (accepted for one release, with a FutureWarning)
ALIASES: dict[str, str] = {
    "bootstrap": "n_boot",
    "interval": "ci_method",
    "n_bootstrap": "n_boot",
    "nboot": "n_boot",
    "random_state": "seed",
    "rng": "seed",
}

#: the one missing-data vocabulary
MISSING_POLICIES: tuple[str, ...] = ("listwise", "available", "fiml", "mean", "raise")
#: function -> (default policy, policies offered); documented in the module docstring
MISSING_DEFAULTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "servqual.validation.validate": ("available", ("available", "listwise", "mean", "raise")),
    "servqual.measurement.reliability": (
        "available",
        ("available", "listwise", "mean", "raise"),
    ),
    "servqual.metrics.nps": ("available", ("available", "listwise", "raise")),
    "servqual.metrics.csat": ("available", ("available", "listwise", "raise")),
    "servqual.metrics.csi": ("available", ("available", "listwise", "raise")),
    "servqual.ipa.ipa": ("available", ("available", "listwise", "raise")),
    "servqual.kano.kano": ("available", ("available", "listwise", "raise")),
    "servqual.kano.classify_frame": ("available", ("available", "listwise", "raise")),
    "servqual.kano.continuous_scores": ("available", ("available", "listwise", "raise")),
    "servqual.drivers.ols": ("listwise", ("listwise", "available", "mean", "raise")),
    "servqual.drivers.logistic": ("listwise", ("listwise", "available", "mean", "raise")),
    "servqual.drivers.ordinal_logit": ("listwise", ("listwise", "available", "mean", "raise")),
    "servqual.drivers.shapley": ("listwise", ("listwise", "available", "mean", "raise")),
    "servqual.drivers.relative_weights": (
        "listwise",
        ("listwise", "available", "mean", "raise"),
    ),
    "servqual.drivers.key_drivers": ("listwise", ("listwise", "available", "mean", "raise")),
    "servqual.drivers.stated_vs_derived": (
        "listwise",
        ("listwise", "available", "mean", "raise"),
    ),
    "servqual.drivers.forest_importance": (
        "listwise",
        ("listwise", "available", "mean", "raise"),
    ),
    "servqual.ipa.penalty_reward": ("listwise", ("listwise", "available", "raise")),
    "servqual.sem.fit": ("listwise", ("listwise", "available", "fiml", "raise")),
    "servqual.pls.fit": ("mean", ("mean", "listwise", "available", "raise")),
    "servqual.pls.mga": ("mean", ("mean", "listwise", "available", "raise")),
    "servqual.pls.predict": ("mean", ("mean", "listwise", "available", "raise")),
    "servqual.sem.invariance": ("listwise", ("listwise", "available", "fiml", "raise")),
    "servqual.measurement.htmt": ("raise", ("raise", "available")),
    "servqual.measurement.htmt2": ("raise", ("raise", "available")),
    "servqual.economics.what_if": ("listwise", ("listwise", "available", "raise")),
    "servqual.survival.life_table": ("listwise", ("listwise", "raise")),
    "servqual.survival.cox": ("listwise", ("listwise", "raise")),
    "servqual.gaps.unit_scores": ("raise", ("raise", "available")),
}

#: old policy names -> current ones
_MISSING_ALIASES = {"pairwise": "available", "omit": "available", "report": "available"}

#: the default number of replicates where the bootstrap *is* the method
DEFAULT_N_BOOT = 1000

N_BOOT_RULE = (
    "n_boot defaults to DEFAULT_N_BOOT (1000) where the bootstrap is the only source of "
    "the function's intervals or tests (key-driver shares, stated vs derived importance, "
    "what-if money, CSI, SERVQUAL vs SERVPERF, bootstrap MGA, driver comparisons and "
    "stability, the survey report's key drivers), and to 0 (no bootstrap) where the "
    "function has analytic standard errors of its own and the bootstrap is an option "
    "(sem.fit, pls.fit). A bootstrap, when asked for, needs at least "
    "max(20, 2 / (1 - ci)) replicates (min_n_boot)."
)

#: public function -> its ``n_boot`` default under :data:`N_BOOT_RULE` (a test checks
#: every public signature against this table, and that no other default exists)
N_BOOT_DEFAULTS: dict[str, int] = {
    "servqual.drivers.key_drivers": DEFAULT_N_BOOT,
    "servqual.drivers.stated_vs_derived": DEFAULT_N_BOOT,
    "servqual.economics.what_if": DEFAULT_N_BOOT,
    "servqual.metrics.csi": DEFAULT_N_BOOT,
    "servqual.gaps.servqual_vs_servperf": DEFAULT_N_BOOT,
    "servqual.pls.mga_bootstrap": DEFAULT_N_BOOT,
    "servqual.compare.compare_drivers": DEFAULT_N_BOOT,
    "servqual.tracking.driver_stability": DEFAULT_N_BOOT,
    "servqual.report.survey_report": DEFAULT_N_BOOT,
    "servqual.sem.fit": 0,
    "servqual.pls.fit": 0,
}


def renamed(**old_to_new: str) -> Callable:
    """Decorator: accept old keyword names for one release, with a FutureWarning.

    ``@renamed(bootstrap="n_boot")`` lets ``f(bootstrap=200)`` mean
    ``f(n_boot=200)``; giving both raises :class:`ParameterError`.

    Examples
    --------
    >>> import warnings
    >>> @renamed(bootstrap="n_boot")
    ... def f(*, n_boot=0):
    ...     return n_boot
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     f(bootstrap=200), w[0].category.__name__
    (200, 'FutureWarning')
    """

    def decorate(func):
        params = inspect.signature(func).parameters
        for new in old_to_new.values():
            if new not in params:
                raise TypeError(f"{func.__qualname__} has no parameter {new!r}")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise ParameterError(
                            f"{func.__name__}() got both {old}= and {new}=; {old}= is the old "
                            f"name of {new}=: pass only {new}=."
                        )
                    warn(
                        f"{func.__name__}({old}=...) is renamed {new}=; {old}= will be "
                        "removed in the next release.",
                        FutureWarning,
                    )
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        wrapper.__renamed__ = dict(old_to_new)
        return wrapper

    return decorate


def check_ci(ci) -> float:
    """Validate a confidence level in (0, 1)."""
    check_params({"ci": ci}, {"ci": Interval(0, 1, closed="neither")})
    return float(ci)


def min_n_boot(ci: float = 0.95) -> int:
    """Fewest replicates for a ``ci`` interval: ``max(20, ceil(2 / (1 - ci)))``.

    With fewer, each tail of a percentile interval holds less than one
    replicate and the interval is an extrapolation.

    Examples
    --------
    >>> min_n_boot(0.95), min_n_boot(0.99)
    (40, 200)
    """
    return int(max(20, math.ceil(2.0 / (1.0 - ci) - 1e-9)))


def check_n_boot(n_boot, *, ci: float = 0.95, allow_zero: bool = True) -> int:
    """Validate ``n_boot``: 0 (off, where allowed) or at least :func:`min_n_boot`.

    Examples
    --------
    >>> check_n_boot(500)
    500
    >>> check_n_boot(5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    servqual.errors.ParameterError: n_boot=5 is too small for a 95% interval: ... 40 ...
    """
    check_params({"n_boot": n_boot}, {"n_boot": Interval(0, None, integer=True)})
    n_boot = int(n_boot)
    need = min_n_boot(ci)
    if n_boot == 0 and allow_zero:
        return 0
    if n_boot < need:
        off = "0 (no bootstrap) or " if allow_zero else ""
        raise ParameterError(
            f"n_boot={n_boot} is too small for a {ci:.0%} interval: use {off}at least "
            f"{need} replicates."
        )
    return n_boot


def check_n_perm(n_perm, *, alpha: float = 0.05) -> int:
    """Validate ``n_perm``: enough permutations for a p-value to fall below ``alpha``.

    A permutation p-value is at least ``1 / (n_perm + 1)``, so fewer than
    ``ceil(1 / alpha) - 1`` permutations can never reject.

    Examples
    --------
    >>> check_n_perm(999)
    999
    >>> check_n_perm(5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    servqual.errors.ParameterError: n_perm=5 is too few: ... at least 19 ...
    """
    check_params({"n_perm": n_perm}, {"n_perm": Interval(1, None, integer=True)})
    need = max(math.ceil(1.0 / alpha - 1e-9) - 1, 1)
    if int(n_perm) < need:
        raise ParameterError(
            f"n_perm={int(n_perm)} is too few: a permutation p-value is at least "
            f"1/(n_perm + 1), so it needs at least {need} permutations to fall below "
            f"{alpha:g}."
        )
    return int(n_perm)


def check_n_jobs(n_jobs) -> int:
    """Validate ``n_jobs``: a positive int or a negative one counting back from all cores."""
    check_params({"n_jobs": n_jobs}, {"n_jobs": Interval(None, None, integer=True)})
    if n_jobs == 0:
        raise ParameterError("n_jobs=0 is invalid: expected a positive number or -1 (all cores).")
    return int(n_jobs)


def check_ci_method(ci_method, allowed: tuple[str, ...] = ("percentile", "bca")) -> str:
    """Validate ``ci_method`` against the methods a function offers."""
    check_params({"ci_method": ci_method}, {"ci_method": Options(tuple(allowed))})
    return ci_method


def check_missing(missing, allowed: tuple[str, ...] = MISSING_POLICIES) -> str:
    """Validate a ``missing=`` policy; old names (``"pairwise"``) map to new ones.

    Examples
    --------
    >>> check_missing("listwise")
    'listwise'
    """
    if isinstance(missing, str) and missing in _MISSING_ALIASES:
        new = _MISSING_ALIASES[missing]
        warn(
            f"missing={missing!r} is renamed missing={new!r}; the old name will be removed "
            "in the next release.",
            FutureWarning,
        )
        missing = new
    check_params({"missing": missing}, {"missing": Options(tuple(allowed))})
    return missing


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (a ``ZMQInteractiveShell`` or a subclass, e.g. Colab's).

    Only looks at an IPython already imported: a script never imports it here.
    """
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except Exception:  # noqa: BLE001 - IPython without a shell
        return False
    if ip is None:
        return False
    if any(c.__name__ == "ZMQInteractiveShell" for c in type(ip).__mro__):
        return True
    try:
        return "IPKernelApp" in getattr(ip, "config", {})
    except TypeError:
        return False


def resolve_progress(progress) -> bool:
    """``"auto"`` -> on in an interactive terminal or notebook, off in scripts and CI.

    Examples
    --------
    >>> resolve_progress(False)
    False
    """
    check_params({"progress": progress}, {"progress": [Options(("auto",)), bool]})
    if progress != "auto":
        return bool(progress)
    if os.environ.get("CI") or os.environ.get("SERVQUAL_PROGRESS", "").lower() in ("0", "off"):
        return False
    if _in_notebook():
        return True
    stream = sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())
