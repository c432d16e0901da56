"""Convergent and discriminant validity: HTMT, HTMT2, composite reliability, AVE,
Fornell-Larcker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._checks import (
    Interval,
    as_py,
    check_data,
    check_frame,
    check_params,
    check_weights,
)
from .._options import check_missing
from .._warn import warn
from ..errors import (
    NonNumericError,
    OutOfRangeError,
    ParameterError,
    ServqualWarning,
    SpecificationError,
)
from ..weighting import weighted_corr


# ---------------------------------------------------------------- HTMT
def _pairwise_corr(x: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Correlations of the columns of ``x``, each pair on its complete rows (weighted if ``w``)."""
    if not np.isnan(x).any():
        return np.corrcoef(x, rowvar=False) if w is None else weighted_corr(x, w)
    if w is None:
        return pd.DataFrame(x).corr().to_numpy()
    k = x.shape[1]
    r = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            ok = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
            r[i, j] = r[j, i] = weighted_corr(x[ok][:, [i, j]], w[ok])[0, 1]
    return r


def _check_blocks(
    data: pd.DataFrame, blocks: Mapping[str, Sequence[str]], missing: str = "raise"
) -> dict:
    if not isinstance(blocks, Mapping) or len(blocks) < 2:
        raise SpecificationError(
            "blocks must be a mapping construct -> list of columns with at least 2 constructs; "
            f"got {blocks!r}."
        )
    out = {}
    seen: dict[str, str] = {}
    for name, cols in blocks.items():
        cols = [cols] if isinstance(cols, str) else list(cols)
        if not cols:
            raise SpecificationError(f"block {name!r} has no columns.")
        for c in cols:
            if c in seen:
                raise SpecificationError(
                    f"column {c!r} is in blocks {seen[c]!r} and {name!r}; each item may "
                    "belong to one construct only."
                )
            seen[c] = name
        out[name] = cols
    missing = check_missing(missing, ("raise", "available"))
    check_frame(
        data,
        list(seen),
        min_rows=1 if missing == "available" else 3,
        missing="allow" if missing == "available" else "raise",
    )
    return out


def _htmt_generic(data, blocks, mean, weights=None, missing: str = "raise") -> pd.DataFrame:
    check_data(data)
    blocks = _check_blocks(data, blocks, missing)
    cols = [c for cs in blocks.values() for c in cs]
    w = None if weights is None else check_weights(weights, data)
    r = _pairwise_corr(data[cols].to_numpy(float), w)
    pos = {c: i for i, c in enumerate(cols)}
    idx = {b: np.array([pos[c] for c in cs]) for b, cs in blocks.items()}
    names = list(blocks)
    mono = {}
    for b in names:
        ii = idx[b]
        if len(ii) < 2:
            mono[b] = np.nan
        else:
            mono[b] = mean(r[np.ix_(ii, ii)][np.triu_indices(len(ii), 1)])
    out = np.full((len(names), len(names)), np.nan)
    for a_i, a in enumerate(names):
        for b_i in range(a_i + 1, len(names)):
            b = names[b_i]
            het = mean(r[np.ix_(idx[a], idx[b])].ravel())
            v = het / np.sqrt(mono[a] * mono[b]) if mono[a] * mono[b] > 0 else np.nan
            out[a_i, b_i] = out[b_i, a_i] = v
    return pd.DataFrame(out, index=pd.Index(names, name="construct"), columns=names)


def htmt(
    data: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    *,
    weights=None,
    missing: str = "raise",
) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations (Henseler, Ringle & Sarstedt 2015).

    For constructs i, j: the mean correlation between items of i and items of
    j divided by the geometric mean of the average within-block correlations of
    i and of j (Henseler et al. 2015, *JAMS* 43, 115-135, eq. 6).  Pearson
    correlations are used as they are (not their absolute values).  Returns a
    symmetric construct x construct DataFrame with NaN on the diagonal and for
    single-item constructs (their monotrait correlation is undefined).
    Values above 0.85-0.90 signal a lack of discriminant validity.  With
    respondent ``weights`` the correlations are weighted. ``missing="raise"``
    (default) refuses missing values; ``"available"`` uses pairwise-complete
    correlations.

    Examples
    --------
    >>> import servqual
    >>> mobi = servqual.load_dataset("mobi")
    >>> h = htmt(mobi, {"value": ["PERV1", "PERV2"], "sat": ["CUSA1", "CUSA2", "CUSA3"]})
    >>> round(float(h.loc["value", "sat"]), 3)
    0.741
    """
    out = _htmt_generic(data, blocks, np.mean, weights, missing)
    _warn_undefined(out, blocks, "HTMT", "a construct's mean within-block correlation is <= 0")
    return out


def _warn_undefined(out: pd.DataFrame, blocks, what: str, why: str) -> None:
    """Warn about NaN entries between multi-item blocks (single-item NaNs are documented)."""
    multi = [b for b, cols in blocks.items() if not isinstance(cols, str) and len(cols) > 1]
    sub = out.loc[multi, multi].to_numpy()
    bad = [
        (multi[i], multi[j]) for i, j in zip(*np.triu_indices(len(multi), 1)) if np.isnan(sub[i, j])
    ]
    if bad:
        pairs = ", ".join(f"{a}-{b}" for a, b in bad)
        warn(
            f"{what} is undefined for {pairs}: {why}; those entries are NaN.",
            ServqualWarning,
        )


def htmt2(
    data: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    *,
    weights=None,
    missing: str = "raise",
) -> pd.DataFrame:
    """HTMT2: HTMT with geometric instead of arithmetic means.

    Roemer, Schuberth & Henseler (2021), *Industrial Management & Data
    Systems* 121(12), 2637-2650: consistent under congeneric (not only
    tau-equivalent) measurement.  Defined only when the correlations involved
    are positive; a pair with a non-positive correlation gets NaN and a
    warning.

    Examples
    --------
    >>> import servqual
    >>> mobi = servqual.load_dataset("mobi")
    >>> h = htmt2(mobi, {"value": ["PERV1", "PERV2"], "sat": ["CUSA1", "CUSA2", "CUSA3"]})
    >>> round(float(h.loc["value", "sat"]), 3)
    0.728
    """

    def gmean(v):
        v = np.asarray(v, dtype=float)
        return float(np.exp(np.mean(np.log(v)))) if np.all(v > 0) else np.nan

    out = _htmt_generic(data, blocks, gmean, weights, missing)
    why = "an item correlation involved is <= 0 (geometric means need positive correlations)"
    _warn_undefined(out, blocks, "HTMT2", why)
    return out


# ---------------------------------------------------------------- CR / AVE / FL
def _loadings(loadings, name="loadings") -> np.ndarray:
    vals = list(loadings.values()) if isinstance(loadings, Mapping) else loadings
    try:
        lam = np.ravel(np.asarray(vals, dtype=float))
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={loadings!r} is invalid: expected numbers.") from None
    if lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ParameterError(f"{name}={loadings!r} is invalid: expected finite numbers.")
    return lam


def composite_reliability(loadings, *, error_var=None) -> float:
    """Composite reliability rho_C (Joereskog 1971) / McDonald's omega.

    ``(sum lambda)^2 / ((sum lambda)^2 + sum theta)``.  With standardized
    loadings and ``error_var=None``, ``theta = 1 - lambda^2`` (rho_C as
    reported in PLS/CFA software).  With unstandardized loadings and their
    error variances from a CFA, the result is omega, the reliability of the
    unit-weighted raw sum score.

    Examples
    --------
    >>> round(composite_reliability([0.7, 0.8, 0.9]), 4)
    0.8446
    """
    lam = _loadings(loadings)
    if error_var is None:
        if np.any(np.abs(lam) > 1):
            raise ParameterError(
                f"loadings={list(lam)} contain |lambda| > 1: standardized loadings expected "
                "(or pass error_var)."
            )
        theta = 1.0 - lam**2
    else:
        theta = _loadings(error_var, "error_var")
        if theta.shape != lam.shape:
            raise ParameterError(f"error_var has {theta.size} values but loadings has {lam.size}.")
    s = lam.sum() ** 2
    return float(s / (s + theta.sum()))


def ave(loadings) -> float:
    """Average variance extracted (Fornell & Larcker 1981): mean squared standardized loading.

    Examples
    --------
    >>> round(ave([0.7, 0.8, 0.9]), 4)
    0.6467
    """
    lam = _loadings(loadings)
    if np.any(np.abs(lam) > 1):
        raise ParameterError(
            f"loadings={list(lam)} contain |lambda| > 1: standardized loadings expected."
        )
    return float(np.mean(lam**2))


def fornell_larcker(ave_values: Mapping[str, float], corr: pd.DataFrame) -> pd.DataFrame:
    """Fornell & Larcker (1981) criterion: sqrt(AVE) must exceed every correlation.

    Parameters
    ----------
    ave_values : mapping construct -> AVE
    corr : DataFrame
        Construct (latent or composite) correlation matrix with the same labels.

    Returns
    -------
    DataFrame indexed by construct with columns ``sqrt_ave``, ``max_abs_corr``,
    ``most_correlated`` and ``passed`` (``sqrt_ave > max_abs_corr``).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame([[1, .6], [.6, 1]], index=["a", "b"], columns=["a", "b"])
    >>> fornell_larcker({"a": 0.5, "b": 0.3}, c)["passed"].tolist()
    [True, False]
    """
    if not isinstance(corr, pd.DataFrame):
        raise TypeError(f"corr must be a pandas DataFrame, got {type(corr).__name__}.")
    names = list(ave_values)
    missing = [n for n in names if n not in corr.index or n not in corr.columns]
    if missing:
        raise SpecificationError(f"construct(s) {missing} not found in corr's labels.")
    for n in names:  # NaN: not estimable (a single-item construct)
        if not (isinstance(ave_values[n], float) and np.isnan(ave_values[n])):
            check_params({f"AVE of {n!r}": ave_values[n]}, {f"AVE of {n!r}": Interval(0, 1)})
    try:
        r = corr.loc[names, names].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise NonNumericError("corr must hold numbers (correlations).") from None
    bad = np.isinf(r) | (np.abs(np.nan_to_num(r)) > 1 + 1e-9)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise OutOfRangeError(
            f"corr[{names[i]!r}, {names[j]!r}] = {as_py(r[i, j])!r} is not a correlation: "
            "expected a value in [-1, 1]."
        )
    rows = []
    for a in names:
        others = [b for b in names if b != a]
        c = corr.loc[a, others].astype(float).abs()
        best = c.idxmax() if len(c) and c.notna().any() else None
        m = float(c.max()) if best is not None else np.nan
        s = float(np.sqrt(ave_values[a]))
        rows.append(
            {
                "construct": a,
                "sqrt_ave": s,
                "max_abs_corr": m,
                "most_correlated": best,
                "passed": bool(s > m) if best is not None else True,
            }
        )
    return pd.DataFrame(rows).set_index("construct")


def htmt_from_corr(corr: np.ndarray, blocks: Sequence[Sequence[int]]) -> np.ndarray:
    """Vectorised HTMT on one or a stack of item correlation matrices.

    ``corr`` has shape ``(p, p)`` or ``(b, p, p)``; ``blocks`` lists the item
    positions of each construct.  Returns ``(m, m)`` or ``(b, m, m)`` with the
    same definition as :func:`htmt` (NaN on the diagonal and for single-item
    blocks).  Used for bootstrap HTMT intervals, where a stack of resampled
    correlation matrices is available.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[1, .5, .2, .2], [.5, 1, .2, .2], [.2, .2, 1, .5], [.2, .2, .5, 1]])
    >>> round(float(htmt_from_corr(r, [[0, 1], [2, 3]])[0, 1]), 3)
    0.4
    """
    r = np.asarray(corr, dtype=float)
    single = r.ndim == 2
    if single:
        r = r[None]
    m = len(blocks)
    sizes = np.array([len(b) for b in blocks], dtype=float)
    A = np.zeros((r.shape[-1], m))
    for j, ii in enumerate(blocks):
        A[np.asarray(ii), j] = 1.0
    sums = np.swapaxes(A, 0, 1) @ r @ A  # (b, m, m): sums of correlations per block pair
    het = sums / np.outer(sizes, sizes)
    diag = np.einsum("bjj->bj", sums)
    with np.errstate(invalid="ignore", divide="ignore"):
        mono = np.where(sizes > 1, (diag - sizes) / (sizes * (sizes - 1)), np.nan)
        den = mono[:, :, None] * mono[:, None, :]
        out = np.where(den > 0, het / np.sqrt(np.where(den > 0, den, 1.0)), np.nan)
    idx = np.arange(m)
    out[:, idx, idx] = np.nan
    return out[0] if single else out
