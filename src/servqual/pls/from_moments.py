"""``servqual.pls.fit_moments``: PLS path modelling from (dask) sufficient statistics.

Lohmöller's algorithm needs only the item correlation matrix (standardised
indicators; the covariance matrix with ``scaled=False``): outer weights,
loadings, paths, R², effects, reliability, HTMT, f² and VIFs come from a
:class:`servqual.moments.Moments` exactly as :func:`servqual.pls.fit` gets them
from the rows (weighted moments: weighted PLS).  Construct scores need the
rows: the result's score tables are empty and its warnings say so; there is no
bootstrap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import Interval, Options, check_params
from .._result import records_provenance
from ..errors import InputTypeError, SpecificationError
from ..measurement import htmt_from_corr
from .core import Structure
from .estimator import (
    _as_model,
    _check_collinear,
    _corr_from_cov,
    _resolve_consistent,
    _rho_a_checks,
    add_diagnostics,
    estimate_checked,
    tables,
)
from .result import PLSResult

__all__ = ["fit_moments"]

NO_SCORES = (
    "fitted from moments: construct scores (scores, scores_raw, scores_100) need the rows "
    "and are empty; so are the 0-100 index and the IPMA; there is no bootstrap."
)


@records_provenance
def fit_moments(
    model,
    moments,
    *,
    group=None,
    modes: dict | None = None,
    scheme: str = "path",
    scaled: bool = True,
    consistent=False,
    tol: float = 1e-7,
    max_iter: int = 300,
) -> PLSResult:
    """Fit a PLS path model from :func:`servqual.moments.moments` of the data.

    The counterpart of :func:`servqual.pls.fit` for data too large for one
    machine (a dask DataFrame): weights, loadings, paths, R², reliability,
    HTMT, f² and VIFs equal those of ``pls.fit`` on the rows (complete data;
    weighted moments give weighted PLS).

    Parameters
    ----------
    model : str or PLSModel
        As in :func:`servqual.pls.fit` (no interaction terms or higher-order
        constructs: they need construct scores).
    moments : Moments
        Every item of the model must be one of its columns.
    group : label, optional
        The group of the moments to fit (labels are strings); ``None``
        pools all rows.
    modes, scheme, scaled, consistent, tol, max_iter
        As in :func:`servqual.pls.fit`.

    Returns
    -------
    PLSResult
        With empty score tables, and no 0-100 index or IPMA (they need the
        rows), which its ``warnings`` say.

    Examples
    --------
    >>> import servqual
    >>> from servqual.moments import moments
    >>> mobi = servqual.load_dataset("mobi")
    >>> items = ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5", "CUSA1", "CUSA2", "CUSA3"]
    >>> res = fit_moments('''Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
    ...                      Sat =~ CUSA1 + CUSA2 + CUSA3
    ...                      Sat ~ Image''', moments(mobi, items))
    >>> round(float(res.r2["Sat"]), 3), len(res.scores)
    (0.485, 0)
    """
    from ..moments import Moments

    if not isinstance(moments, Moments):
        raise InputTypeError(
            f"moments is a {type(moments).__name__}: expected the result of "
            "servqual.moments.moments(data, columns, ...)."
        )
    check_params(
        {"scheme": scheme, "scaled": scaled, "tol": tol, "max_iter": max_iter},
        {
            "scheme": Options(("path", "centroid", "factorial")),
            "scaled": bool,
            "tol": Interval(0, None, closed="neither"),
            "max_iter": Interval(1, None, integer=True),
        },
    )
    scale = (np.nan, np.nan)  # the moments do not know the response scale
    if isinstance(model, str) and ":" in model.replace(":=", ""):
        raise SpecificationError(
            "interaction terms need construct scores, i.e. the rows: fit them with pls.fit."
        )
    model = _as_model(model).with_modes(modes).validate()
    unknown = [c for c in model.items if c not in moments.columns]
    if unknown:
        raise SpecificationError(
            f"item(s) {unknown} are not columns of the moments ({moments.columns})."
        )
    which = _resolve_consistent(model, consistent)
    items = list(model.items)
    n = moments.count(group)
    cov = moments.cov(group, ddof=1).loc[items, items].to_numpy()
    mean = moments.mean(group).loc[items].to_numpy()
    sd = np.sqrt(np.diag(cov))
    C = _corr_from_cov(cov)
    S = C if scaled else cov
    st = Structure.from_model(model)
    _check_collinear(model, C, st)
    est, consistent, more = estimate_checked(model, st, S, which, scheme, tol, max_iter)
    warns = [NO_SCORES, *more]
    converged = bool(est.converged[0])
    names = pd.Index(model.constructs, name="construct")
    h = pd.DataFrame(htmt_from_corr(C, st.blocks), index=names, columns=list(names))
    tabs = tables(model, st, est, S, None, None, None, sd, scaled, scale, mean,
                  n=n, htmt_table=h)  # fmt: skip
    add_diagnostics(tabs, model, st, S, C, n, scheme, tol, max_iter, consistent, "reestimate")
    warns += _rho_a_checks(tabs["reliability"], consistent)
    return PLSResult(
        model=model,
        scheme=scheme,
        scaled=scaled,
        consistent=consistent,
        n=n,
        iterations=int(est.iterations[0]),
        converged=converged,
        item_scale=scale,
        data=pd.DataFrame(columns=items, dtype=float),
        bootstrap=None,
        ci=0.95,
        extended=None,
        warnings=tuple(warns),
        **tabs,
    )
