"""``servqual.sem.fit``: covariance-based SEM with lavaan-grade output.

Internal flow: syntax -> parameter table (lavaan defaults) -> RAM model ->
discrepancy problem (``MLProblem``; other estimators plug in by providing
``objective``/``value_grad``/``information`` on the same RAM model) ->
estimates, standard errors, fit indices, warnings -> :class:`SEMResult`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from .._checks import (
    Interval,
    Options,
    check_columns,
    check_data,
    check_frame,
    check_identical,
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
    ConvergenceWarning,
    IdentificationWarning,
    ImproperSolutionWarning,
    InsufficientDataError,
    MissingDataWarning,
    MissingValuesError,
    NotPositiveDefiniteWarning,
    OutOfRangeError,
    ParameterError,
    SpecificationError,
)
from .defined import DefinedParameters, label_values
from .indices import fit_indices, standardized
from .ml import MLProblem, sample_moments, start_values
from .model import RAMModel, build_model
from .result import SEMResult
from .syntax import build_partable, model_variables, parse

__all__ = ["fit", "Prepared", "prepare"]

_GROUP_EQUAL = (
    "loadings",
    "intercepts",
    "means",
    "residuals",
    "lv.variances",
    "lv.covariances",
    "regressions",
)
_OPMAP = {"loadings": ("=~",), "regressions": ("~",), "intercepts": ("~1",)}


@dataclass(frozen=True)
class Prepared:
    """Everything needed to estimate (and re-estimate on resamples)."""

    model: RAMModel
    defined: DefinedParameters
    arrays: tuple[np.ndarray, ...]  # per-group data matrices (observed columns)
    group_labels: tuple
    statements: tuple
    equalities: tuple
    notes: tuple[str, ...]
    weights: tuple[np.ndarray, ...] | None = None  # per-group sampling weights (sum N)


def _apply_group_equal(pt: pd.DataFrame, group_equal, latent) -> pd.DataFrame:
    pt = pt.copy()
    for what in group_equal:
        if what == "thresholds":
            raise ParameterError(
                "group_equal='thresholds' (lavaan's threshold invariance for ordinal items) is "
                "not supported: WLSMV fits the configural multigroup model only."
            )
        if what not in _GROUP_EQUAL:
            raise ParameterError(
                f"group_equal entry {what!r} is invalid: expected one of {_GROUP_EQUAL}."
            )
    if pt["group"].nunique() < 2 or not group_equal:
        return pt
    for i, row in enumerate(pt.itertuples()):
        if not row.free or isinstance(row.label, str):
            continue
        lat_l, lat_r = row.lhs in latent, row.rhs in latent
        hit = False
        if row.op in ("=~", "~"):
            hit = ("loadings" if row.op == "=~" else "regressions") in group_equal
        elif row.op == "~1":
            hit = ("means" if lat_l else "intercepts") in group_equal
        elif row.op == "~~":
            if lat_l and lat_r:
                hit = ("lv.variances" if row.lhs == row.rhs else "lv.covariances") in group_equal
            elif not lat_l and not lat_r:
                hit = "residuals" in group_equal
        if hit:
            pt.loc[pt.index[i], "label"] = f".eq.{row.lhs}{row.op}{row.rhs}"
    if "intercepts" in group_equal and "means" not in group_equal:
        # lavaan: with equal intercepts, latent means are free beyond the first group
        m = (pt["op"] == "~1") & pt["lhs"].isin(latent) & (pt["group"] > 0) & ~pt["user"]
        pt.loc[m, "free"] = True
        pt.loc[m, "fixed"] = np.nan
    return pt


def prepare(
    model: str,
    data: pd.DataFrame,
    *,
    group=None,
    missing="listwise",
    meanstructure=None,
    group_equal=(),
    std_lv=False,
    fixed_x=True,
    weights=None,
) -> Prepared:
    """Parse, validate the data and build the RAM model.

    ``weights`` (validated, one per row of ``data``) become per-group
    sampling weights of the rows kept, normalised to sum to the total N
    (lavaan's ``sampling.weights.normalization = "total"``).
    """
    from .interactions import expand_interactions

    model, data, _ = expand_interactions(model, data)
    statements = parse(model)
    observed, latent = model_variables(statements)
    check_data(data)
    if isinstance(data, pd.DataFrame):
        unknown = [v for v in observed if v not in data.columns]
        if unknown:
            raise SpecificationError(
                f"unknown variable(s) {unknown}: not columns of the data and not latent "
                "variables defined with '=~'."
            )
    if group is not None and group not in getattr(data, "columns", ()):
        raise SpecificationError(f"group column {group!r} is not in the data.")
    cols = list(observed)
    check_columns(data, cols)
    if data.shape[0] < len(observed) + 1:
        raise InsufficientDataError(
            f"only {data.shape[0]} row(s) in the data; at least {len(observed) + 1} needed for "
            f"{len(observed)} observed variables."
        )
    frame = check_frame(data, cols, missing="allow")
    notes = []
    na_rows = frame.isna().any(axis=1).to_numpy().copy()
    if group is not None:
        gcol = data[group]
        na_rows |= gcol.isna().to_numpy()
    if missing == "fiml":
        # FIML keeps every row with at least one observed value (and a group)
        all_na = frame.isna().all(axis=1).to_numpy()
        na_any = frame.isna().any(axis=1).to_numpy()
        if group is not None:
            all_na = all_na | data[group].isna().to_numpy()
        if na_any.any() or all_na.any():
            counts = frame.isna().sum()
            detail = ", ".join(f"{c}: {int(k)}" for c, k in counts[counts > 0].items())
            msg = (
                f"FIML: {int(na_any.sum())} of {len(frame)} rows have missing values "
                f"(missing per column: {detail}); they are used through the observed-data "
                f"likelihood, {int(all_na.sum())} rows with no observed value dropped."
            )
            notes.append(msg)
            warn(msg, MissingDataWarning)
        na_rows = all_na
    elif na_rows.any() and missing == "raise":
        counts = frame.isna().sum()
        detail = ", ".join(f"{c!r}: {int(k)}" for c, k in counts[counts > 0].items())
        raise MissingValuesError(
            f"missing values in column(s) {detail}; choose missing='listwise' (drop those "
            "rows) or missing='fiml' (use every observed value)."
        )
    elif na_rows.any():
        counts = frame.isna().sum()
        parts = [f"{c}: {int(k)}" for c, k in counts[counts > 0].items()]
        if group is not None and data[group].isna().any():
            parts.append(f"{group} (group): {int(data[group].isna().sum())}")
        detail = ", ".join(parts)
        msg = (
            f"listwise deletion dropped {int(na_rows.sum())} of {len(frame)} rows with "
            f"missing values (missing per column: {detail}); missing='fiml' would use "
            "every observed value instead."
        )
        notes.append(msg)
        warn(msg, MissingDataWarning)
    keep = ~na_rows
    X = frame.to_numpy(float)[keep]
    check_identical(X, cols)
    wk = None
    if weights is not None:
        wk = np.asarray(weights, float)[keep]
        if not (wk > 0).any():
            raise OutOfRangeError("every usable row has weight 0: no data to fit.")
        wk = wk * wk.size / wk.sum()
    if group is None:
        levels = (None,)
        arrays = (X,)
        wts = None if wk is None else (wk,)
    else:
        gv = data[group].to_numpy()[keep]
        levels = tuple(pd.unique(gv))
        arrays = tuple(X[gv == lev] for lev in levels)
        wts = None if wk is None else tuple(wk[gv == lev] for lev in levels)
    min_n = len(observed) + 1
    for lev, A in zip(levels, arrays):
        if A.shape[0] < min_n:
            where = "" if lev is None else f" in group {lev!r}"
            raise InsufficientDataError(
                f"only {A.shape[0]} usable rows{where}; at least {min_n} needed for "
                f"{len(observed)} observed variables."
            )
    has_means = any(s.op == "~1" for s in statements)
    ms = bool(meanstructure) if meanstructure is not None else (len(levels) > 1 or has_means)
    if missing == "fiml":
        ms = True  # FIML needs the mean structure
    key = (model, len(levels), ms, tuple(group_equal), bool(std_lv), bool(fixed_x))
    try:
        hash(key)
    except TypeError:  # e.g. a list inside group_equal: validated (and refused) uncached
        ram, defined, equalities = _structure.__wrapped__(*key)
    else:
        ram, defined, equalities = _structure(*key)
    return Prepared(ram, defined, arrays, levels, tuple(statements), equalities, tuple(notes), wts)


@functools.lru_cache(maxsize=32)
def _structure(model: str, n_groups: int, ms: bool, group_equal: tuple, std_lv: bool, fixed_x):
    """Parameter table, RAM model and defined parameters of a syntax (cached: the
    same model is typically fitted many times -- subsamples, groups, studies).
    Everything returned is treated as immutable downstream."""
    statements = parse(model)
    observed, latent = model_variables(statements)
    pt = build_partable(
        statements, n_groups=n_groups, meanstructure=ms, std_lv=std_lv, fixed_x=fixed_x
    )
    pt = _apply_group_equal(pt, group_equal, latent)
    equalities = tuple((s.lhs, s.rhs) for s in statements if s.op == "==")
    ram = build_model(pt, observed, latent, equalities)
    labels = set(pt["label"].dropna())
    defined = DefinedParameters([s for s in statements if s.op == ":="], labels)
    return ram, defined, equalities


def _check_solution(problem: MLProblem, theta, pt, group_labels) -> list[tuple[type, str]]:
    out = []
    model = problem.model
    for g, grp in enumerate(model.groups):
        gname = "" if group_labels[g] is None else f" (group {group_labels[g]!r})"
        ev = np.linalg.eigvalsh(problem.moments.cov[g])
        if ev.min() <= 1e-10 * max(ev.max(), 1e-300):
            out.append(
                (
                    NotPositiveDefiniteWarning,
                    f"the sample covariance matrix{gname} is not positive definite "
                    f"(smallest eigenvalue {ev.min():.3g}); chi2 and log-likelihood are "
                    "not defined.",
                )
            )
        Sigma, _, _, S, _ = model.moments(theta, g, problem.bases[g])
        ev = np.linalg.eigvalsh(Sigma)
        if ev.min() <= 0:
            out.append(
                (
                    NotPositiveDefiniteWarning,
                    f"the model-implied covariance matrix{gname} is not positive definite "
                    f"(smallest eigenvalue {ev.min():.3g}).",
                )
            )
        lat = np.arange(grp.p, grp.v)
        if lat.size:
            psi = S[np.ix_(lat, lat)]
            evl = np.linalg.eigvalsh(psi)
            if evl.min() < -1e-10 and not (np.diag(psi) < 0).any():
                out.append(
                    (
                        NotPositiveDefiniteWarning,
                        f"the latent (residual) covariance matrix{gname} is not positive "
                        f"definite (smallest eigenvalue {evl.min():.3g}).",
                    )
                )
        neg = [i for i in range(grp.v) if S[i, i] < 0]
        if neg:
            detail = ", ".join(f"{grp.names[i]} ~~ {grp.names[i]} = {S[i, i]:.3f}" for i in neg)
            out.append(
                (
                    ImproperSolutionWarning,
                    f"negative variance estimate(s) (Heywood case){gname}: {detail}.",
                )
            )
    return out


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
        ``result.robust_test``; or bootstrap SEs and intervals.
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
        ML with listwise deletion only; no scaled test.  In a multigroup fit the
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
    from .._checks import check_data, check_weights

    w = check_weights(weights, check_data(data))
    unsupported = []
    if estimator != "ML" or (ordered is not None and ordered is not False):
        unsupported.append(f"estimator={estimator!r}/ordered")
    if se == "bootstrap":
        unsupported.append("se='bootstrap'")
    if missing != "listwise":
        unsupported.append(f"missing={missing!r}")
    if unsupported:
        raise ParameterError(
            "sampling weights are supported for ML with listwise deletion; "
            f"not with {', '.join(unsupported)}."
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
        theta, vcov, estimated, indices, problem, converged, msgs = wlsmv_estimate(prep, ram)
        iters, optimizer = 0, "DWLS"
        warns: list[tuple[type, str]] = [(MissingDataWarning, n) for n in prep.notes]
        warns += [(None, m) for m in msgs]  # already emitted by the DWLS engine
    else:
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
    if not converged:
        warns.append(
            (
                ConvergenceWarning,
                f"the optimizer ({optimizer}) did not converge after {iters} iterations; "
                "estimates are not trustworthy.",
            )
        )
    if indices["df"] < 0:
        warns.append(
            (
                IdentificationWarning,
                f"the model has negative degrees of freedom (df = {indices['df']}): "
                "it is not identified.",
            )
        )
    warns += _check_solution(problem, theta, ram.partable, prep.group_labels)
    if prep.weights is not None:
        warns.append(
            (
                None,
                "sampling weights: chi2 and the indices from it are the unscaled ML statistic "
                "on the weighted moments (lavaan's 'chisq'); no scaled test is computed.",
            )
        )
    draws = None
    if se == "bootstrap":
        from .bootstrap import bootstrap_estimates

        draws, boot_warn = bootstrap_estimates(
            prep,
            problem,
            theta,
            n_boot=n_boot or DEFAULT_N_BOOT,
            seed=seed,
            n_jobs=n_jobs,
            progress=progress,
        )
        if boot_warn:
            from ..errors import BootstrapFailureWarning

            warns.append((BootstrapFailureWarning, boot_warn))
    robust_test = {}
    if estimator == "WLSMV":
        robust_test = {
            k: indices[k] for k in ("chi2_scaled", "scaling_factor", "shift", "df", "pvalue_scaled")
        }
    if se in ("robust", "mlr") and prep.weights is None:
        from .robust import robust_fit

        robust_test = robust_fit(problem, theta, prep.arrays, indices, mlr=se == "mlr")
        indices.update(robust_test)
        robust_test = {
            k: robust_test[k] for k in ("chi2_scaled", "scaling_factor", "df", "pvalue_scaled")
        }
    params = _param_table(prep, problem, theta, vcov, ci, draws, ci_method)
    if estimated is not None:  # WLSMV: derived residual variances have no SE
        par = np.r_[ram.partable["par"].to_numpy(), np.full(len(prep.defined), -1)]
        derived = np.zeros(len(params), dtype=bool)
        derived[: len(par)] = (par >= 0) & ~estimated[np.clip(par, 0, None)]
        params.loc[derived, ["se", "z", "pvalue", "ci_lower", "ci_upper"]] = np.nan
    if estimator == "WLSMV":
        params = _with_thresholds(params, problem.polychorics, ci, prep.group_labels)
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


def _r2(problem: MLProblem, theta, group_labels) -> pd.Series:
    labs, names, vals = [], [], []
    for g, grp in enumerate(problem.model.groups):
        _, _, B, S, _ = problem.model.moments(theta, g, problem.bases[g])
        omega = np.einsum("ij,jk,ik->i", B, S, B)  # diag(B S B')
        A = problem.model.matrices(theta, g, problem.bases[g])[0]
        for i in np.flatnonzero(np.any(A != 0, axis=1)):
            labs.append(group_labels[g])
            names.append(grp.names[i])
            vals.append(1.0 - S[i, i] / omega[i])
    r2 = np.array(vals, dtype=float)
    if group_labels == (None,):
        return pd.Series(r2, index=pd.Index(names, name="variable"), name="r2")
    index = pd.MultiIndex.from_arrays([labs, names], names=["group", "variable"])
    return pd.Series(r2, index=index, name="r2")


def _param_table(prep: Prepared, problem: MLProblem, theta, vcov, ci, draws, ci_method):
    ram = prep.model
    pt = ram.partable
    t = ram.rows  # the table as NumPy arrays: no pandas until the result is built
    parc = np.clip(t.par, 0, None)
    est = np.where(t.par >= 0, theta[parc] if ram.q else np.nan, t.fixed)
    # exogenous covariates: sample values
    for r in np.flatnonzero(t.exo):
        g, i, j = t.group[r], t.i_lhs[r], t.i_rhs[r]
        est[r] = problem.moments.mean[g][i] if t.op[r] == "~1" else problem.moments.cov[g][i, j]
    sd = np.sqrt(np.clip(np.diag(vcov), 0, None)) if ram.q else np.zeros(0)
    se = np.where(t.par >= 0, sd[parc] if ram.q else np.nan, np.nan)
    std_lv, std_all = standardized(problem, theta, pt, est)
    label = [lab if isinstance(lab, str) and not lab.startswith(".eq.") else "" for lab in t.label]
    cols = {
        "lhs": list(t.lhs),
        "op": list(t.op),
        "rhs": list(t.rhs),
        "group": list(t.group),
        "label": label,
        "est": est,
        "se": se,
        "std_lv": std_lv,
        "std_all": std_all,
    }
    if len(prep.defined):
        from .bootstrap import _LabelFn

        fn = _LabelFn(pt, prep.defined, label_values)
        dest, dcov = prep.defined.delta(fn, theta, vcov)
        dstd = []
        for col in (std_lv, std_all):
            vals = {}
            for lab, v in zip(t.label, col):
                if isinstance(lab, str) and lab not in vals:
                    vals[lab] = v
            dstd.append(prep.defined.evaluate(vals))
        nd = len(prep.defined)
        extra = {
            "lhs": list(prep.defined.names),
            "op": [":="] * nd,
            "rhs": list(prep.defined.exprs),
            "group": [0] * nd,
            "label": list(prep.defined.names),
            "est": dest,
            "se": np.sqrt(np.clip(np.diag(dcov), 0, None)),
            "std_lv": dstd[0],
            "std_all": dstd[1],
        }
        for k, v in extra.items():
            cols[k] = (
                cols[k] + v
                if isinstance(cols[k], list)
                else np.concatenate([cols[k], np.asarray(v, float)])
            )
    est_all, se_all = cols["est"], cols["se"]
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = np.where(se_all > 0, est_all / se_all, np.nan)
    crit = stats.norm.ppf(0.5 + ci / 2)
    lo = est_all - crit * se_all
    hi = est_all + crit * se_all
    if draws is not None:
        from .bootstrap import boot_intervals

        bse, blo, bhi = boot_intervals(prep, problem, theta, draws, ci, ci_method)
        pos = np.concatenate(
            [np.where(t.par >= 0, t.par, -1), ram.q + np.arange(len(prep.defined))]
        )
        valid = pos >= 0
        se_b = np.full(len(est_all), np.nan)
        lo_b = np.full(len(est_all), np.nan)
        hi_b = np.full(len(est_all), np.nan)
        se_b[valid], lo_b[valid], hi_b[valid] = bse[pos[valid]], blo[pos[valid]], bhi[pos[valid]]
        se_all, lo, hi = se_b, lo_b, hi_b
        with np.errstate(divide="ignore", invalid="ignore"):
            zval = np.where(se_b > 0, est_all / se_b, np.nan)
    se_fin = np.isfinite(se_all)
    cols["se"] = se_all
    cols["z"] = zval
    cols["pvalue"] = 2 * special.ndtr(-np.abs(zval))
    cols["ci_lower"] = np.where(se_fin, lo, np.nan)
    cols["ci_upper"] = np.where(se_fin, hi, np.nan)
    order = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper"]
    order += ["std_lv", "std_all"]
    if prep.group_labels != (None,):
        cols["group"] = [
            prep.group_labels[g] if f != ":=" else "" for g, f in zip(cols["group"], cols["op"])
        ]
        order.insert(3, "group")
    return pd.DataFrame({k: cols[k] for k in order})


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


def _with_thresholds(params: pd.DataFrame, moms, ci: float, labels) -> pd.DataFrame:
    """Append lavaan's threshold rows (``item | t1``) to a WLSMV parameter table."""
    rows = []
    crit = stats.norm.ppf(0.5 + ci / 2)
    for lab, mom in zip(labels, moms):
        for item, tau in mom.thresholds.items():
            for t, v in tau.items():
                se = float(np.sqrt(mom.thresholds_gamma[f"{item}|{t}"] / (mom.n - 1)))
                rows.append(
                    {
                        "group": lab,
                        "lhs": item,
                        "op": "|",
                        "rhs": t,
                        "label": "",
                        "est": float(v),
                        "se": se,
                        "z": v / se,
                        "pvalue": float(2 * stats.norm.sf(abs(v / se))),
                        "ci_lower": v - crit * se,
                        "ci_upper": v + crit * se,
                        "std_lv": float(v),
                        "std_all": float(v),
                    }
                )
    return pd.concat([params, pd.DataFrame(rows, columns=params.columns)], ignore_index=True)
