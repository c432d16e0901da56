"""``servqual.sem.fit``: covariance-based SEM with lavaan-grade output.

Internal flow: syntax -> parameter table (lavaan defaults) -> RAM model ->
discrepancy problem (``MLProblem``; other estimators plug in by providing
``objective``/``value_grad``/``information`` on the same RAM model) ->
estimates, standard errors, fit indices, warnings -> :class:`SEMResult`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._checks import (
    Interval,
    Options,
    check_data,
    check_frame,
    check_params,
    check_rng,
)
from .._options import (
    DEFAULT_N_BOOT,
    check_missing,
    check_n_boot,
    check_n_jobs,
    renamed,
    resolve_progress,
)
from .._resampling import one_blas_thread
from .._result import records_provenance
from .._warn import warn
from ..errors import (
    IdentificationWarning,
    MissingDataWarning,
    ParameterError,
    SpecificationError,
)
from .indices import fit_indices
from .ml import MLProblem, sample_moments, start_values

# the pieces live by concept in prepare / solution / param_table; these names stay
# importable from servqual.sem.fit (from_moments and older code import them here)
from .param_table import _param_table, _r2, _with_thresholds  # noqa: F401
from .prepare import Prepared, _structure, build_prepared, prepare  # noqa: F401
from .result import SEMResult
from .solution import _check_solution, solution_warnings  # noqa: F401
from .syntax import model_variables, parse

__all__ = ["fit", "Prepared", "prepare"]


@renamed(bootstrap="n_boot")
@records_provenance
def fit(
    model: str,
    data: pd.DataFrame,
    *,
    estimator: str = "ML",
    group: str | None = None,
    se: str = "standard",
    n_boot: int = 0,
    ci: float = 0.95,
    ci_method: str = "percentile",
    seed=None,
    n_jobs: int = 1,
    progress="auto",
    missing: str = "listwise",
    group_equal=(),
    meanstructure: bool | None = None,
    ordered=None,
    std_lv: bool = False,
    fixed_x: bool = True,
    weights=None,
) -> SEMResult:
    """Fit a structural equation model written in lavaan syntax by maximum likelihood.

    Parameters
    ----------
    model : str
        lavaan model syntax (``=~``, ``~``, ``~~``, ``~ 1``, ``:=``, labels,
        fixed values).  Defaults follow lavaan's ``sem()``.  A regression
        term ``A:B`` of two latent variables is a latent interaction
        estimated with product indicators (latent ``A_x_B``; see
        :mod:`servqual.sem.interactions`).
    data : DataFrame
        One row per respondent; columns named as in ``model``.
    estimator : {"ML", "MLM", "MLR", "WLSMV"}
        Normal-theory maximum likelihood (lavaan's default); ``"MLM"``: ML
        with sandwich SEs (expected-information bread) and the
        Satorra-Bentler scaled test (same as ``se="robust"``); ``"MLR"``: ML
        with Huber-White SEs (observed-information bread) and the
        Yuan-Bentler T2* scaled test, also with ``missing="fiml"``.  Both
        add to ``fit_indices`` the scaled statistic (``chi2_scaled``,
        ``scaling_factor``, ``pvalue_scaled``, ``baseline_chi2_scaled``),
        lavaan's ``cfi_scaled``/``tli_scaled``/``rmsea_scaled`` and the
        robust ``cfi_robust``/``tli_robust``/``rmsea_robust`` of
        Brosseau-Liard & Savalei.  Or DWLS on
        polychoric correlations with robust SEs and the scaled-and-shifted
        test (ordinal Likert items; single group, no intercepts).  For WLSMV
        ``fit_indices`` holds the scaled statistics; log-likelihood, AIC and
        BIC are NaN.
    group : str, optional
        Column defining groups for a multigroup fit.
    se : {"standard", "robust", "bootstrap"}
        Expected-information SEs (lavaan default); ``"robust"``: sandwich SEs
        (expected-information bread, case-wise score meat -- lavaan's
        ``estimator="MLM"`` SEs) plus the Satorra-Bentler scaled test in
        ``result.robust_test``; or bootstrap SEs and intervals.  With
        ``estimator="WLSMV"`` the bootstrap resamples rows (within each group,
        with ``group``), recomputes the polychorics and refits the same model
        (``group_equal`` included); the threshold rows keep their analytic
        (sandwich) SEs.  Bootstrap SEs are the replicates' standard deviations
        with divisor B, as lavaan's.  Replicates that fail to converge are excluded and
        counted in a warning; replicates with an improper solution (lavaan's
        post-check: a negative variance, or a latent or residual covariance
        matrix not positive definite) are kept, as lavaan keeps them, and
        counted in an ``ImproperSolutionWarning``.
    n_boot : int
        Replicates when ``se="bootstrap"`` (0, the default, means 1000 there;
        otherwise at least :func:`~servqual._options.min_n_boot` of ``ci``).
        ``bootstrap=`` is its old name.
    ci : float
        Confidence level of ``ci_lower``/``ci_upper``.
    ci_method : {"percentile", "bca"}
        Bootstrap interval type.
    seed, n_jobs, progress
        Bootstrap randomness (bit-identical whatever ``n_jobs``), workers
        (``n_jobs=0`` raises) and progress bar (``"auto"``).
    missing : {"listwise", "available", "fiml", "raise"}
        ``"listwise"`` (default; ``"available"`` is the same for one model)
        drops rows with missing values in the model's variables and reports
        them (MissingDataWarning, with a hint that ``"fiml"`` exists);
        ``"fiml"`` uses every row through the observed-data likelihood with a
        mean structure (H1 moments by EM, observed-information SEs; ML
        estimator, standard SEs only); ``"raise"`` refuses missing values.
    group_equal : sequence of str
        Across-group equality constraints: ``"loadings"``, ``"intercepts"``,
        ``"means"``, ``"residuals"``, ``"lv.variances"``, ``"lv.covariances"``,
        ``"regressions"`` (as lavaan's ``group.equal``).
    meanstructure : bool, optional
        Add intercepts (default: only for multigroup fits or ``~ 1`` in the model).
    ordered : True or sequence of str, optional
        Declare the observed indicators ordinal (as lavaan's ``ordered=``):
        ``True`` for all of them, or their column names.  Declaring items
        ordinal selects ``estimator="WLSMV"`` (polychoric correlations, DWLS);
        every observed variable of the model must then be ordinal (whole
        numbers) -- mixed continuous/ordinal models are not supported and raise
        :class:`~servqual.errors.ParameterError`.
    std_lv : bool
        Identify factors by fixing every latent (residual) variance to 1
        and estimating all loadings (lavaan's ``std.lv = TRUE``); default:
        the first loading of each factor is fixed to 1.
    fixed_x : bool
        Exogenous observed covariates' variances, covariances and means are
        fixed at their sample values and the log-likelihood, AIC and BIC are
        conditional on them (lavaan's default ``fixed.x = TRUE``); ``False``
        estimates them and reports the joint likelihood.
    weights : column name or array, optional
        Sampling weights, as lavaan's ``sampling.weights``: normalised to sum
        to N, they give weighted sample moments for the ML objective and
        robust (sandwich) SEs with the observed-information bread and
        weighted case-wise scores (lavaan's ``se = "robust.huber.white"``,
        ``information = "observed"``).  ``se`` is then always ``"robust"``;
        ``estimator="ML"`` or ``"MLR"`` (which adds lavaan's Yuan-Bentler
        scaled test and the scaled/robust indices from weighted scores) with
        listwise deletion; FIML, MLM, WLSMV and the bootstrap with weights
        raise :class:`~servqual.errors.ParameterError`.  In a multigroup fit the
        weights are normalised over all groups and a group's size is its weight total.

    Returns
    -------
    SEMResult

    Examples
    --------
    >>> import servqual
    >>> hs = servqual.load_dataset("holzinger_swineford")
    >>> res = fit("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6", hs)
    >>> round(res.fit_indices["chi2"], 3), res.fit_indices["df"]
    (24.361, 8)
    """
    check_params(
        {
            "estimator": estimator,
            "se": se,
            "ci": ci,
            "ci_method": ci_method,
            "std_lv": std_lv,
            "fixed_x": fixed_x,
        },
        {
            "estimator": Options(("ML", "MLM", "MLR", "WLSMV")),
            "se": Options(("standard", "robust", "bootstrap")),
            "ci": Interval(0, 1, closed="neither"),
            "ci_method": Options(("percentile", "bca")),
            "std_lv": bool,
            "fixed_x": bool,
        },
    )
    missing = check_missing(missing, ("listwise", "available", "fiml", "raise"))
    if missing == "available":  # one model: the rows complete on its own variables
        missing = "listwise"
    if group_equal and group is None:
        raise ParameterError(
            f"group_equal={tuple(group_equal)!r} needs a multigroup fit: pass group=<column>."
        )
    n_boot = check_n_boot(n_boot, ci=ci)
    n_jobs = check_n_jobs(n_jobs)
    progress = resolve_progress(progress)
    if n_boot and se != "bootstrap":
        raise ParameterError(f"n_boot={n_boot} needs se='bootstrap' (got se={se!r}).")
    check_rng(seed)  # a bad seed is a ParameterError naming it, before any fitting
    if weights is not None:
        weights = _check_sampling_weights(weights, data, group, estimator, se, missing, ordered)
        se = "robust"
    if ordered is not None and ordered is not False:
        estimator = _check_ordered(model, data, ordered, estimator)
    # the matrices are small: one BLAS thread is faster and does not compete
    # with other processes (or bootstrap workers) for the cores
    with one_blas_thread():
        return _fit(
            model,
            data,
            estimator=estimator,
            group=group,
            se=se,
            n_boot=n_boot,
            ci=ci,
            ci_method=ci_method,
            seed=seed,
            n_jobs=n_jobs,
            progress=progress,
            missing=missing,
            group_equal=group_equal,
            meanstructure=meanstructure,
            std_lv=std_lv,
            fixed_x=fixed_x,
            weights=weights,
        )


def _check_sampling_weights(weights, data, group, estimator, se, missing, ordered):
    """Validated sampling weights (one per row) for the combinations supported."""
    from .._checks import check_weights

    w = check_weights(weights, check_data(data))
    unsupported = []
    if estimator not in ("ML", "MLR") or (ordered is not None and ordered is not False):
        unsupported.append(f"estimator={estimator!r}/ordered")
    if se == "bootstrap":
        unsupported.append("se='bootstrap'")
    if missing != "listwise":
        unsupported.append(f"missing={missing!r}")
    if unsupported:
        raise ParameterError(
            "sampling weights are supported for estimator='ML' or 'MLR' with listwise "
            f"deletion (missing='listwise'); not with {', '.join(unsupported)}."
        )
    return w


def _check_ordered(model, data, ordered, estimator) -> str:
    """Validate an ``ordered=`` declaration and return the estimator it selects."""
    observed, _ = model_variables(parse(model))
    if ordered is True:
        declared = list(observed)
    elif isinstance(ordered, str) or not hasattr(ordered, "__iter__"):
        raise ParameterError(
            f"ordered={ordered!r} is invalid: expected True or a list of column names."
        )
    else:
        declared = list(ordered)
    unknown = [c for c in declared if c not in observed]
    if unknown:
        raise SpecificationError(
            f"ordered variable(s) {unknown} are not observed variables of the model."
        )
    continuous = [c for c in observed if c not in declared]
    if continuous:
        raise ParameterError(
            f"ordered= declares only some indicators ordinal; {continuous} would stay "
            "continuous, and mixed continuous/ordinal models are not supported: declare all "
            "observed variables ordered, or fit them as continuous with estimator='ML'."
        )
    if estimator != "ML" and estimator != "WLSMV":
        raise ParameterError(f"estimator={estimator!r} cannot be used with ordered items.")
    if isinstance(data, pd.DataFrame):
        check_frame(data, declared, missing="allow", integer=True)
    return "WLSMV"


def _ml_estimate(prep, problem, se):
    ram = problem.model
    theta0 = start_values(ram, problem.moments)
    theta, converged, iters, optimizer = problem.fit(theta0)
    warns: list[tuple[type, str]] = [(MissingDataWarning, n) for n in prep.notes]
    indices = fit_indices(problem, theta)
    info = problem.information(theta)
    ev = np.linalg.eigvalsh(info) if ram.q else np.ones(1)
    if ram.q and ev.min() <= 1e-10 * max(ev.max(), 1e-300):
        weak = np.argmax(np.abs(np.linalg.eigh(info)[1][:, 0]))
        row = ram.partable[ram.partable["par"] == weak].iloc[0]
        warns.append(
            (
                IdentificationWarning,
                "the information matrix is singular: the model may not be identified "
                f"(check parameter {row.lhs} {row.op} {row.rhs}).",
            )
        )
        vcov = np.linalg.pinv(problem.N * info)
    else:
        vcov = np.linalg.inv(problem.N * info)
    if prep.weights is not None:
        from .robust import _robust_vcov

        vcov = _robust_vcov(problem, theta, prep.arrays, weights=prep.weights, bread="observed")
    elif se in ("robust", "mlr"):
        from .robust import _robust_vcov

        bread = "observed" if se == "mlr" else "expected"
        vcov = _robust_vcov(problem, theta, prep.arrays, bread=bread)
    return theta, vcov, converged, iters, optimizer, indices, warns


def _fit(
    model,
    data,
    *,
    estimator,
    group,
    se,
    n_boot,
    ci,
    ci_method,
    seed,
    n_jobs,
    progress,
    missing,
    group_equal,
    meanstructure,
    std_lv=False,
    fixed_x=True,
    weights=None,
):
    if estimator == "WLSMV" and meanstructure is None:
        meanstructure = False  # delta parameterization: no intercepts, even with groups
    if estimator in ("MLM", "MLR"):
        if se not in ("standard", "robust"):
            raise ParameterError(
                f"se={se!r} cannot be combined with estimator={estimator!r}, whose standard "
                "errors are robust: use se='standard' (or estimator='ML' for the bootstrap)."
            )
        if estimator == "MLM" and missing == "fiml":
            raise ParameterError(
                "estimator='MLM' needs complete data; use estimator='MLR' with missing='fiml'."
            )
        se = "robust" if estimator == "MLM" else "mlr"
    elif se == "robust" and estimator == "ML" and weights is None:
        estimator = "MLM"
    prep = prepare(
        model,
        data,
        group=group,
        missing=missing,
        meanstructure=meanstructure,
        group_equal=group_equal,
        std_lv=std_lv,
        fixed_x=fixed_x,
        weights=weights,
    )
    ram = prep.model
    if estimator == "WLSMV":
        from .ordinal import wlsmv_estimate

        if missing == "fiml":
            raise ParameterError("missing='fiml' needs estimator='ML'.")
        if se not in ("standard", "bootstrap"):
            raise ParameterError(
                f"se={se!r} is not available with estimator='WLSMV': its standard errors "
                "are already robust (sandwich); use se='standard' or se='bootstrap'."
            )
        theta, vcov, estimated, indices, problem, converged, msgs = wlsmv_estimate(
            prep, ram, group_equal=tuple(group_equal)
        )
        problem.group_equal = tuple(group_equal)  # the bootstrap refits the same model
        iters, optimizer = 0, "DWLS"
        warns: list[tuple[type, str]] = [(MissingDataWarning, n) for n in prep.notes]
        warns += [(None, m) for m in msgs]  # already emitted by the DWLS engine
    else:
        if "thresholds" in tuple(group_equal):
            raise ParameterError(
                "group_equal='thresholds' constrains the thresholds of ordinal items: it needs "
                "estimator='WLSMV' (ordered=True)."
            )
        if missing == "fiml":
            from .fiml import FIMLProblem

            if se not in ("standard", "mlr"):
                raise ParameterError(
                    f"se={se!r} is not available with missing='fiml': expected se='standard' "
                    "or estimator='MLR'."
                )
            if any(grp.exo_s[0].size for grp in ram.groups):
                raise ParameterError(
                    "missing='fiml' does not support exogenous observed "
                    "covariates (fixed.x); model them with '~~' statements."
                )
            problem = FIMLProblem(ram, list(prep.arrays))
        else:
            problem = MLProblem(ram, sample_moments(list(prep.arrays), prep.weights))
        theta, vcov, converged, iters, optimizer, indices, warns = _ml_estimate(prep, problem, se)
        estimated = None
    warns += solution_warnings(problem, theta, prep, converged, iters, optimizer, indices)
    if prep.weights is not None and se != "mlr":
        warns.append(
            (
                None,
                "sampling weights: chi2 and the indices from it are the unscaled ML statistic "
                "on the weighted moments (lavaan's 'chisq'); estimator='MLR' adds the "
                "Yuan-Bentler scaled test.",
            )
        )
    draws = None
    if se == "bootstrap":
        from .bootstrap import bootstrap_estimates

        draws, boot_notes = bootstrap_estimates(
            prep,
            problem,
            theta,
            n_boot=n_boot or DEFAULT_N_BOOT,
            seed=seed,
            n_jobs=n_jobs,
            progress=progress,
        )
        warns += [(None, m) for m in boot_notes]  # already issued by the bootstrap
    robust_test = {}
    if estimator == "WLSMV":
        robust_test = {
            k: indices[k] for k in ("chi2_scaled", "scaling_factor", "shift", "df", "pvalue_scaled")
        }
    if se == "mlr" or (se == "robust" and prep.weights is None):
        from .robust import robust_fit

        robust_test = robust_fit(
            problem, theta, prep.arrays, indices, mlr=se == "mlr", weights=prep.weights
        )
        indices.update(robust_test)
        robust_test = {
            k: robust_test[k] for k in ("chi2_scaled", "scaling_factor", "df", "pvalue_scaled")
        }
    if hasattr(problem, "patterns") and np.isfinite(indices["chi2"]):
        # lavaan 0.6.13+: Zhang & Savalei's FIML-corrected robust indices, V3 with a
        # scaled test (MLR), V6 for plain ML
        from .fiml_corrected import fiml_corrected_indices

        indices.update(
            fiml_corrected_indices(
                problem,
                theta,
                prep.arrays,
                indices["df"],
                indices["baseline_df"],
                version="V3" if se == "mlr" else "V6",
            )
        )
    params = _param_table(prep, problem, theta, vcov, ci, draws, ci_method)
    if estimated is not None:  # WLSMV: derived residual variances have no SE
        par = np.r_[ram.partable["par"].to_numpy(), np.full(len(prep.defined), -1)]
        derived = np.zeros(len(params), dtype=bool)
        derived[: len(par)] = (par >= 0) & ~estimated[np.clip(par, 0, None)]
        params.loc[derived, ["se", "z", "pvalue", "ci_lower", "ci_upper"]] = np.nan
    if estimator == "WLSMV":
        params = _with_thresholds(
            params,
            problem.polychorics,
            ci,
            prep.group_labels,
            getattr(problem, "ordinal_rows", None),
        )
    for cls, msg in warns:
        if cls is not None and cls is not MissingDataWarning:
            warn(msg, cls)
    r2 = _r2(problem, theta, prep.group_labels)
    return SEMResult(
        model=model,
        estimator=estimator,
        se="robust" if se == "mlr" else se,
        ci=ci,
        group=group,
        group_labels=prep.group_labels,
        converged=converged,
        iterations=iters,
        optimizer=optimizer,
        params=params,
        fit_indices=indices,
        r2=r2,
        warnings=tuple(m for _, m in warns),
        _prep=prep,
        _problem=problem,
        _theta=theta,
        _vcov=vcov,
        _draws=draws,
        robust_test=robust_test,
    )


# ---------------------------------------------------------------- deprecated alias
def _factor_syntax(factors: Mapping[str, Sequence[str]]) -> str:
    if not isinstance(factors, Mapping) or not factors:
        raise SpecificationError(f"factors must be a non-empty mapping; got {factors!r}.")
    return "\n".join(f"{f} =~ " + " + ".join(map(str, cols)) for f, cols in factors.items())


def cfa_wlsmv(data: pd.DataFrame, factors: Mapping[str, Sequence[str]], *, ci: float = 0.95):
    """Deprecated alias of ``servqual.sem.fit(<factors as syntax>, data, estimator="WLSMV")``.

    Returns the same :class:`~servqual.sem.SEMResult` as :func:`servqual.sem.fit`
    (marker-variable identification; the standardized loadings are the
    ``std_all`` column). Use ``sem.fit`` directly; this alias will be removed
    in the next release.

    Examples
    --------
    >>> import warnings, servqual
    >>> df, truth = servqual.simulate_survey(500, seed=4)
    >>> from servqual.sem.wlsmv import cfa_wlsmv  # the old import path works too
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FutureWarning)
    ...     res = cfa_wlsmv(df, {"tangibles": ["P1", "P2", "P3", "P4"],
    ...                          "reliability": ["P5", "P6", "P7", "P8", "P9"]})
    >>> type(res).__name__, res.fit_indices["df"]
    ('SEMResult', 26)
    """
    warn(
        "cfa_wlsmv(data, factors) is deprecated: use servqual.sem.fit(model, data, "
        'estimator="WLSMV") (the same result type as every SEM fit); cfa_wlsmv will be '
        "removed in the next release.",
        FutureWarning,
    )
    return fit(_factor_syntax(factors), data, estimator="WLSMV", ci=ci)
