"""``servqual.sem.fit_moments``: ML SEM from (dask) sufficient statistics.

Normal-theory ML needs only the sample mean, the covariance matrix (divisor
``sum w``) and ``N``: a :class:`servqual.moments.Moments` computed on a dask
DataFrame gives the same estimates and expected-information standard errors as
:func:`servqual.sem.fit` on the rows.  With respondent weights
(``moments(..., weights=...)``) the estimates are those of lavaan's
``sampling.weights``; their sandwich standard errors need the weighted
case-wise scores, whose cross-product

    B = (N / sum w)² L (sum_i w_i² u_i u_iᵀ) Lᵀ,   u_i = [1, y_i, vec(y_i y_iᵀ)],

is linear in the fourth-order products of ``moments(..., fourth=True)``
(``y_i = x_i - c`` with ``c`` the model-implied mean, or the sample mean
without a mean structure; ``L`` holds the coefficients of the score of the
normal log-likelihood in ``u``).
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from .._checks import Interval, check_params
from .._result import records_provenance
from .._warn import warn
from ..errors import (
    InputTypeError,
    InsufficientDataError,
    ParameterError,
    SpecificationError,
)
from .fit import _ml_estimate, _param_table, _r2, build_prepared, solution_warnings
from .ml import MLProblem, SampleMoments
from .result import SEMResult
from .syntax import model_variables, parse

__all__ = ["fit_moments"]


def _meat(problem, theta, g, products, center_is_mean: bool, scale: float) -> np.ndarray:
    """Cross-product of group ``g``'s weighted case-wise scores from ``sum w² u uᵀ``."""
    model = problem.model
    Sigma, mu, *_ = model.moments(theta, g, problem.bases[g])
    dS, dm = model.jacobian(theta, g, problem.bases[g])
    p, q = Sigma.shape[0], dS.shape[0]
    Si = np.linalg.inv(Sigma)
    c0 = -0.5 * np.einsum("ab,qab->q", Si, dS)
    C1 = dm @ Si if model.groups[g].meanstructure else np.zeros((q, p))
    C2 = 0.5 * np.einsum("ac,qab,bd->qcd", Si, dS, Si).reshape(q, p * p)
    L = np.hstack([c0[:, None], C1, C2])
    M = products(None if center_is_mean else mu)
    return scale * scale * (L @ M @ L.T)


@records_provenance
def fit_moments(
    model: str,
    moments,
    *,
    group=None,
    groups=None,
    group_equal=(),
    ci: float = 0.95,
    meanstructure: bool | None = None,
    std_lv: bool = False,
    fixed_x: bool = True,
) -> SEMResult:
    """Fit a lavaan-syntax SEM by ML from :func:`servqual.moments.moments` of the data.

    The counterpart of :func:`servqual.sem.fit` for data too large for one
    machine: compute the moments on a dask DataFrame (one pass; a second with
    ``fourth=True`` for weighted data) and fit here.  Estimates, fit indices
    and standard errors equal those of ``sem.fit`` on the rows (listwise
    complete data): expected-information SEs without weights; with weighted
    moments, lavaan's ``sampling.weights`` fit with robust (Huber-White,
    observed-information) SEs, as ``sem.fit(..., weights=...)``.

    Parameters
    ----------
    model : str
        lavaan model syntax (no latent interaction terms ``A:B``: their
        product indicators need the rows).
    moments : Moments
        From :func:`servqual.moments.moments`; every observed variable of the
        model must be one of its columns.
    group : label, optional
        The group of the moments to fit (e.g. ``("3", "north")`` for wave 3,
        segment north; labels are strings); ``None`` pools all rows.
    groups : sequence of labels or "all", optional
        Fit a multigroup model, one group per label (as ``sem.fit(...,
        group=<column>)`` on those groups' rows; ``"all"``: every group of the
        moments); ``group`` must then be ``None``.
    group_equal, ci, meanstructure, std_lv, fixed_x
        As in :func:`servqual.sem.fit`.

    Returns
    -------
    SEMResult
        ML; no bootstrap (modification indices need no rows and work).

    Examples
    --------
    >>> import servqual
    >>> from servqual.moments import moments
    >>> hs = servqual.load_dataset("holzinger_swineford")
    >>> m = moments(hs, ["x1", "x2", "x3", "x4", "x5", "x6"])
    >>> res = fit_moments("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6", m)
    >>> round(res.fit_indices["chi2"], 3), res.fit_indices["df"]
    (24.361, 8)
    """
    from ..moments import Moments

    if not isinstance(moments, Moments):
        raise InputTypeError(
            f"moments is a {type(moments).__name__}: expected the result of "
            "servqual.moments.moments(data, columns, ...)."
        )
    check_params(
        {"ci": ci, "std_lv": std_lv, "fixed_x": fixed_x},
        {"ci": Interval(0, 1, closed="neither"), "std_lv": bool, "fixed_x": bool},
    )
    if ":" in model.replace(":=", ""):
        raise SpecificationError(
            "latent interaction terms (A:B) need the rows for their product indicators: "
            "fit them with sem.fit on a data frame."
        )
    statements = parse(model)
    observed, latent = model_variables(statements)
    unknown = [v for v in observed if v not in moments.columns]
    if unknown:
        raise SpecificationError(
            f"unknown variable(s) {unknown}: not columns of the moments "
            f"({moments.columns}) and not latent variables defined with '=~'."
        )
    if groups is not None and group is not None:
        raise ParameterError("pass group= (one group) or groups= (a multigroup fit), not both.")
    if groups is None:
        labels = [group]
    else:
        labels = (
            list(moments.groups) if isinstance(groups, str) and groups == "all" else list(groups)
        )
        if len(labels) < 2:
            raise ParameterError(f"groups={groups!r}: a multigroup fit needs at least two groups.")
    if group_equal and groups is None:
        raise ParameterError(
            f"group_equal={tuple(group_equal)!r} needs a multigroup fit: pass groups=[...]."
        )
    for lab in labels:
        n = moments.count(lab)
        if n < len(observed) + 1:
            where = "" if lab is None else f" in group {lab!r}"
            raise InsufficientDataError(
                f"only {n} row(s){where} in the moments; at least {len(observed) + 1} needed "
                f"for {len(observed)} observed variables."
            )
    if moments.weighted and moments.g4 is None:
        raise ParameterError(
            "weighted moments need their fourth-order products for the robust standard "
            "errors of a weighted SEM: compute them with moments(..., weights=..., fourth=True)."
        )
    idx = [moments.columns.index(v) for v in observed]
    with threadpool_limits(1):
        multi = groups is not None
        return _fit(model, moments, labels, idx, statements, observed, latent, ci,
                    meanstructure, tuple(group_equal), std_lv, fixed_x, multi)  # fmt: skip


def _fit(model, moments, labels, idx, statements, observed, latent, ci, meanstructure,
         group_equal, std_lv, fixed_x, multigroup) -> SEMResult:  # fmt: skip
    means = tuple(moments.mean(g).to_numpy()[idx] for g in labels)
    covs = tuple(moments.cov(g).to_numpy()[np.ix_(idx, idx)] for g in labels)
    counts = np.array([moments.count(g) for g in labels], dtype=float)
    sws = np.array([moments._pick(g)[1] for g in labels])
    weighted = moments.weighted
    # sem.fit normalises sampling weights to sum to N over all groups; a group's size
    # is then its weight total
    scale = counts.sum() / sws.sum()
    sizes = sws * scale if weighted and multigroup else counts
    levels = tuple(labels) if multigroup else (None,)
    prep = build_prepared(
        statements, observed, latent, (), levels, (), None,
        meanstructure=meanstructure, group_equal=group_equal, std_lv=std_lv, fixed_x=fixed_x,
    )  # fmt: skip
    problem = MLProblem(prep.model, SampleMoments(covs, means, sizes))
    theta, vcov, converged, iters, optimizer, indices, warns = _ml_estimate(
        prep, problem, "standard"
    )
    if weighted:
        from .robust import observed_information

        k = len(moments.columns)
        sel = np.r_[0, 1 + np.array(idx), [1 + k + a * k + b for a in idx for b in idx]]
        B = 0.0
        for g, lab in enumerate(labels):

            def products(center, lab=lab):
                full = center if center is None else _embed(center, idx, moments.mean(lab))
                return moments.products(lab, full)[np.ix_(sel, sel)]

            center_is_mean = not prep.model.groups[g].meanstructure
            B = B + _meat(problem, theta, g, products, center_is_mean, scale)
        Ai = np.linalg.inv(observed_information(problem, theta))
        vcov = Ai @ B @ Ai
        warns.append(
            (
                None,
                "sampling weights: chi2 and the indices from it are the unscaled ML statistic "
                "on the weighted moments (lavaan's 'chisq'); no scaled test is computed.",
            )
        )
    warns += solution_warnings(problem, theta, prep, converged, iters, optimizer, indices)
    params = _param_table(prep, problem, theta, vcov, ci, None, "percentile")
    for cls, msg in warns:
        if cls is not None:
            warn(msg, cls)
    return SEMResult(
        model=model,
        estimator="ML",
        se="robust" if weighted else "standard",
        ci=ci,
        group=", ".join(map(str, moments.groups.names)) if multigroup else None,
        group_labels=prep.group_labels,
        converged=converged,
        iterations=iters,
        optimizer=optimizer,
        params=params,
        fit_indices=indices,
        r2=_r2(problem, theta, prep.group_labels),
        warnings=tuple(m for _, m in warns),
        _prep=prep,
        _problem=problem,
        _theta=theta,
        _vcov=vcov,
        _draws=None,
        robust_test={},
    )


def _embed(center, idx, mean):
    """A full-length centre: ``center`` on the model's columns, the mean elsewhere."""
    full = mean.to_numpy().copy()
    full[idx] = center
    return full
