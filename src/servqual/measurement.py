"""Measurement quality: reliability, convergent and discriminant validity.

Primitives (usable on any item blocks, e.g. by the PLS module):

- :func:`cronbach_alpha` with :func:`feldt_ci` (Feldt 1965 F-based interval);
- :func:`htmt` (Henseler, Ringle & Sarstedt 2015) and :func:`htmt2`
  (Roemer, Schuberth & Henseler 2021, geometric means);
- :func:`composite_reliability` (rho_C / omega), :func:`ave`,
  :func:`fornell_larcker`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import field

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import (
    Interval,
    as_py,
    check_data,
    check_frame,
    check_params,
    check_weights,
)
from ._options import check_missing
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from ._warn import warn
from .errors import (
    ConvergenceWarning,
    ImproperSolutionWarning,
    InsufficientDataError,
    MissingDataWarning,
    NonNumericError,
    NotPositiveDefiniteWarning,
    OutOfRangeError,
    ParameterError,
    ServqualWarning,
    SpecificationError,
)
from .factor import one_factor_ml
from .weighting import kish_neff, rows_kept, weighted_corr, weighted_cov

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


# ---------------------------------------------------------------- alpha
def cronbach_alpha(
    data: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    standardized: bool = False,
    weights=None,
) -> float:
    """Cronbach's alpha of the items ``columns`` of ``data``.

    ``alpha = k/(k-1) * (1 - sum(item variances) / variance(sum score))``.
    With ``standardized=True`` the items are standardized first, giving
    ``k r/(1 + (k-1) r)`` with ``r`` the mean inter-item correlation (the value
    seminr reports as "alpha").  Missing values raise
    :class:`~servqual.errors.MissingValuesError`; handle them first (see
    :func:`servqual.validate`).  With respondent ``weights`` (column name or
    array) the variances and correlations are weighted.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 3, 4], "c": [2, 2, 4, 4]})
    >>> round(cronbach_alpha(df), 4)
    0.9388
    """
    w = check_weights(weights, check_data(data))
    x = check_frame(data, columns, min_rows=2).to_numpy()
    k = x.shape[1]
    if k < 2:
        raise InsufficientDataError(
            f"Cronbach's alpha needs at least 2 items; got {k} (columns {list(columns or [])})."
        )
    if standardized:
        r = np.corrcoef(x, rowvar=False) if w is None else weighted_corr(x, w)
        rbar = r[np.triu_indices(k, 1)].mean()
        return float(k * rbar / (1 + (k - 1) * rbar))
    if w is not None:
        S = weighted_cov(x, w, ddof=1)
        return float(k / (k - 1) * (1.0 - np.trace(S) / S.sum()))
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1.0 - item_var / total_var))


def feldt_ci(alpha: float, *, n: int, k: int, ci: float = 0.95) -> tuple[float, float]:
    """Feldt (1965) confidence interval for Cronbach's alpha.

    Under the classical model, ``(1 - alpha) / (1 - alpha_hat)`` follows an F
    distribution with ``n - 1`` and ``(n - 1)(k - 1)`` degrees of freedom
    (Feldt, L. S. 1965, *Psychometrika* 30, 357-370; Feldt, Woodruff & Salih
    1987, *Applied Psychological Measurement* 11, 93-103, eq. 2).

    Examples
    --------
    >>> lo, hi = feldt_ci(0.8, n=100, k=5)
    >>> round(lo, 3), round(hi, 3)
    (0.731, 0.856)
    """
    check_params(
        {"alpha": alpha, "n": n, "k": k, "ci": ci},
        {
            "alpha": Interval(None, 1, closed="neither"),
            "n": Interval(3, None, integer=True),
            "k": Interval(2, None, integer=True),
            "ci": Interval(0, 1, closed="neither"),
        },
    )
    d1, d2 = n - 1, (n - 1) * (k - 1)
    g = 1.0 - ci
    lower = 1.0 - (1.0 - alpha) * stats.f.ppf(1.0 - g / 2, d1, d2)
    upper = 1.0 - (1.0 - alpha) * stats.f.ppf(g / 2, d1, d2)
    return float(lower), float(upper)


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


# ---------------------------------------------------------------- difference scores
def difference_score_reliability(
    r_pp: float, r_ee: float, r_pe: float, sd_p: float, sd_e: float
) -> float:
    """Reliability of a difference score ``D = P - E`` (Lord 1958; Brown, Churchill & Peter 1993).

    ``r_D = (sP^2 r_PP + sE^2 r_EE - 2 sP sE r_PE) / (sP^2 + sE^2 - 2 sP sE r_PE)``
    with ``r_PP``, ``r_EE`` the reliabilities of the components, ``r_PE``
    their correlation and ``sP``, ``sE`` their standard deviations (assumes
    uncorrelated measurement errors of P and E).

    Examples
    --------
    >>> round(difference_score_reliability(0.8, 0.8, 0.5, 1.0, 1.0), 4)
    0.6
    """
    check_params(
        {"r_pp": r_pp, "r_ee": r_ee, "r_pe": r_pe, "sd_p": sd_p, "sd_e": sd_e},
        {
            "r_pp": Interval(0, 1),
            "r_ee": Interval(0, 1),
            "r_pe": Interval(-1, 1),
            "sd_p": Interval(0, None, closed="neither"),
            "sd_e": Interval(0, None, closed="neither"),
        },
    )
    if sd_p**2 + sd_e**2 - 2 * sd_p * sd_e * r_pe <= 1e-12 * (sd_p**2 + sd_e**2):
        raise ParameterError(
            f"r_pe={r_pe!r} with sd_p={sd_p!r} and sd_e={sd_e!r} gives the difference P - E "
            "zero variance: its reliability is undefined."
        )
    num = sd_p**2 * r_pp + sd_e**2 * r_ee - 2 * sd_p * sd_e * r_pe
    den = sd_p**2 + sd_e**2 - 2 * sd_p * sd_e * r_pe
    return float(num / den)


# ---------------------------------------------------------------- reliability()
@resultclass
class ReliabilityResult(Result):
    """Measurement quality of each dimension of an instrument.

    Attributes
    ----------
    table : DataFrame, one row per dimension
        ``n`` (respondents who answered all the dimension's items: the rows
        its statistics use), ``n_items``, ``alpha`` with ``alpha_ci_lower``/``alpha_ci_upper``
        (Feldt), ``alpha_std`` (standardized alpha), ``omega`` (reliability of
        the raw sum from the one-factor ML CFA), ``rho_c`` (composite
        reliability from standardized loadings), ``ave``, ``sqrt_ave``,
        ``max_factor_corr``, ``fornell_larcker`` (passed?), ``max_htmt``,
        ``max_htmt2``, ``min_loading``, ``max_loading``, ``heywood``.
    loadings : DataFrame, one row per item
        ``dimension item loading error_var std_loading identified_by``.
    factor_corr : DataFrame
        Factor correlations: sum-score correlations disattenuated with omega,
        ``r(sum_A, sum_B) / sqrt(omega_A omega_B)`` (consistent under the
        congeneric model; a joint CFA with :mod:`servqual.sem` gives the full ML
        value).
    htmt, htmt2 : DataFrame
        Heterotrait-monotrait ratios (:func:`htmt`, :func:`htmt2`).
    fornell_larcker : DataFrame
        :func:`fornell_larcker` on AVE and ``factor_corr``.
    difference : DataFrame, one row per dimension (empty unless the instrument
        pairs P and E items): ``r_pp``, ``r_ee`` (alpha of the P and E
        composites), ``r_pe``, ``sd_p``, ``sd_e``, ``r_d`` (Lord's reliability of
        the P−E composite) and ``alpha_gap_items`` (naive alpha of the item
        differences, for comparison).
    n : int
        Respondents used by at least one dimension.
    kind, ci, validation, warnings

    The tables are returned as copies, so editing one leaves the result intact.

    Examples
    --------
    >>> import servqual
    >>> res = servqual.reliability(servqual.load_dataset("servqual_sim").head(300),
    ...                            servqual.Instrument.servqual22())
    >>> list(res.table.index)
    ['tangibles', 'reliability', 'responsiveness', 'assurance', 'empathy']
    >>> t = res.table
    >>> t.loc["tangibles", "alpha"] = 0.0
    >>> bool(res.table.loc["tangibles", "alpha"] > 0)
    True
    """

    table: pd.DataFrame
    loadings: pd.DataFrame
    factor_corr: pd.DataFrame
    htmt: pd.DataFrame
    htmt2: pd.DataFrame
    fornell_larcker: pd.DataFrame
    difference: pd.DataFrame
    n: int
    kind: str | None
    ci: float
    validation: object = field(repr=False)
    warnings: tuple[str, ...] = ()

    def summary(self) -> Summary:
        """Printable / HTML summary."""
        pct = f"{100 * self.ci:g}%"
        cols = [
            "n",
            "n_items",
            "alpha",
            "alpha_ci_lower",
            "alpha_ci_upper",
            "omega",
            "rho_c",
            "ave",
            "fornell_larcker",
            "max_htmt",
            "max_htmt2",
        ]
        sections = [
            (
                "Sample",
                {
                    "respondents": self.n,
                    "items": "" if self.kind is None else self.kind,
                    "alpha CI": f"{pct} Feldt (1965)",
                },
            ),
            ("Reliability and convergent validity", self.table[cols]),
            ("HTMT (Henseler et al. 2015)", self.htmt),
            ("HTMT2 (Roemer et al. 2021)", self.htmt2),
            ("Factor correlations (disattenuated)", self.factor_corr),
            (
                "Standardized loadings",
                self.loadings.set_index(["dimension", "item"])[["std_loading"]],
            ),
        ]
        if len(self.difference):
            sections.append(
                ("P−E difference scores (Lord; Brown, Churchill & Peter 1993)", self.difference)
            )
        return Summary("Measurement quality", sections, self.warnings)

    def __str__(self) -> str:
        return str(self.summary())


def _emit(messages: list, text: str, category) -> None:
    messages.append(text)
    warn(text, category)


def _reversed_items(frame: pd.DataFrame, instrument, kind) -> pd.DataFrame:
    """The items of ``kind`` (only those: one copy of them, not of the frame), reverse-keyed
    items flipped."""
    lo, hi = instrument.scale
    out = frame[[c for c in instrument.columns(kind) if c in frame.columns]].astype(float)
    for stem in instrument.reverse:
        c = instrument.column(stem, kind)
        if c in out:
            out[c] = lo + hi - out[c]
    return out


@records_provenance
def reliability(
    data: pd.DataFrame,
    instrument,
    *,
    kind: str | None = "P",
    ci: float = 0.95,
    missing: str = "available",
    weights=None,
) -> ReliabilityResult:
    """Reliability, convergent and discriminant validity per dimension.

    Cronbach's alpha with Feldt CI, omega and rho_C from a congeneric one-factor
    ML CFA per dimension, AVE, the Fornell-Larcker check, HTMT and HTMT2,
    standardized loadings; for P−E instruments also the reliability of the
    difference scores (Lord's formula; Brown, Churchill & Peter 1993).

    Parameters
    ----------
    data : DataFrame
    instrument : Instrument
    kind : item kind to analyse (``"P"`` or ``"E"``).  Ignored for
        instruments without item kinds (e.g. ``Instrument.ecsi_mobi()``).
    ci : confidence level of the alpha interval.
    missing : {"available", "listwise", "mean", "raise"}
        ``"available"`` (default): each dimension uses the respondents who
        answered all *its* items (``table["n"]``), cross-dimension statistics
        (factor correlations, HTMT) pairwise-complete ones; ``"listwise"``:
        only respondents complete on every item of every dimension; ``"mean"``:
        item-mean imputation (counted); ``"raise"``: refuse missing answers.
        Passed to :func:`servqual.validate`, whose report is ``.validation``.
    weights : column name or array, optional
        Respondent weights: alpha, omega, rho_C, AVE, loadings, factor correlations and
        HTMT use weighted moments; the Feldt CI uses Kish's effective n (the P−E
        difference-score table stays unweighted).

    Examples
    --------
    >>> import servqual
    >>> inst = servqual.Instrument.from_mapping(
    ...     {"image": [f"IMAG{i}" for i in range(1, 6)], "value": ["PERV1", "PERV2"],
    ...      "satisfaction": ["CUSA1", "CUSA2", "CUSA3"]}, scale=(1, 10))
    >>> res = reliability(servqual.load_dataset("mobi"), inst)
    >>> res.table["alpha"].round(3).tolist()
    [0.714, 0.817, 0.77]
    """
    from .instrument import Instrument
    from .validation import validate

    check_data(data)
    check_params({"ci": ci}, {"ci": Interval(0, 1, closed="neither")})
    missing = check_missing(missing, ("available", "listwise", "mean", "raise"))
    if not isinstance(instrument, Instrument):
        raise TypeError(
            f"instrument must be a servqual.Instrument, got {type(instrument).__name__}."
        )
    if not instrument.prefixes:
        kind = None
    else:
        instrument._check_kind(kind)
    # the P-E difference-score table needs both kinds; a perceptions-only
    # (SERVPERF) survey, with no E column at all, gets its P items alone (an
    # E item without its P partner still raises UnpairedItemError)
    paired = (
        instrument.is_paired
        and kind in ("P", "E")
        and any(c in data.columns for c in instrument.columns("E"))
    )
    kinds = ["P", "E"] if paired else ([kind] if kind is not None else None)
    w_all = check_weights(weights, check_data(data))
    clean, report = validate(data, instrument, missing, kinds=kinds, min_rows=3)
    w = None if w_all is None else rows_kept(w_all, data, clean)
    msgs: list[str] = []
    items = _reversed_items(clean, instrument, kind)
    blocks = instrument.dimension_columns(kind)
    all_cols = [c for cols in blocks.values() for c in cols]
    complete = {d: items[cols].notna().all(axis=1).to_numpy() for d, cols in blocks.items()}
    n = int(np.column_stack(list(complete.values())).any(axis=1).sum())
    if missing == "available" and items[all_cols].isna().to_numpy().any():
        n_all = int(items[all_cols].notna().all(axis=1).sum())
        _emit(
            msgs,
            "available-case reliability: each dimension uses the respondents who answered "
            "all its items (table column 'n': "
            + ", ".join(f"{d} {int(c.sum())}" for d, c in complete.items())
            + f"; {n_all} answered every item).",
            MissingDataWarning,
        )

    rows, load_rows, sums, omegas = [], [], {}, {}
    for dim, cols in blocks.items():
        block = items.loc[complete[dim], cols]
        if block.shape[0] < 3:
            raise InsufficientDataError(
                f"dimension {dim!r}: only {block.shape[0]} respondent(s) answered all its "
                f"items {cols}; at least 3 needed."
            )
        wb = None if w is None else w[complete[dim]]
        x = block.to_numpy(float)
        k = len(cols)
        sums[dim] = items[cols].sum(axis=1, min_count=k).to_numpy()
        row = {"dimension": dim, "n": int(block.shape[0]), "n_items": k}
        n_f = int(block.shape[0]) if wb is None else max(3, int(round(kish_neff(wb))))
        if k < 2:
            row.update(
                alpha=np.nan,
                alpha_ci_lower=np.nan,
                alpha_ci_upper=np.nan,
                alpha_std=np.nan,
                omega=np.nan,
                rho_c=np.nan,
                ave=np.nan,
                heywood=False,
            )
            _emit(
                msgs,
                f"dimension {dim!r} has a single item: reliability is not estimable.",
                ServqualWarning,
            )
            for c in cols:
                load_rows.append(
                    {
                        "dimension": dim,
                        "item": c,
                        "loading": np.nan,
                        "error_var": np.nan,
                        "std_loading": np.nan,
                        "identified_by": "single item",
                    }
                )
            omegas[dim] = np.nan
            rows.append(row)
            continue
        a = cronbach_alpha(block, cols, weights=wb)
        lo_, hi_ = feldt_ci(a, n=n_f, k=k, ci=ci) if a < 1 else (np.nan, np.nan)
        S = np.cov(x, rowvar=False) if wb is None else weighted_cov(x, wb, ddof=1)
        if np.linalg.eigvalsh(S)[0] <= 1e-12 * np.trace(S):
            _emit(
                msgs,
                f"dimension {dim!r}: the item covariance matrix is not positive "
                "definite (collinear items).",
                NotPositiveDefiniteWarning,
            )
        fit = one_factor_ml(S)
        if not fit.converged:
            _emit(
                msgs,
                f"dimension {dim!r}: the one-factor ML fit did not converge"
                + (" (the two items are not positively correlated)" if k == 2 else "")
                + ".",
                ConvergenceWarning,
            )
        if fit.heywood:
            _emit(
                msgs,
                f"dimension {dim!r}: Heywood case (an item's residual variance is at "
                "its lower bound); omega, rho_C and AVE are unreliable.",
                ImproperSolutionWarning,
            )
        lam = fit.std_loadings
        ok = np.all(np.isfinite(lam))
        om = composite_reliability(fit.loadings, error_var=fit.error_var) if ok else np.nan
        omegas[dim] = om
        row.update(
            alpha=a,
            alpha_ci_lower=lo_,
            alpha_ci_upper=hi_,
            alpha_std=cronbach_alpha(block, cols, standardized=True, weights=wb),
            omega=om,
            rho_c=composite_reliability(lam) if ok else np.nan,
            ave=ave(lam) if ok else np.nan,
            heywood=fit.heywood,
        )
        if a < 0:
            _emit(
                msgs,
                f"dimension {dim!r}: negative alpha ({a:.3f}); check reverse-keyed items.",
                ServqualWarning,
            )
        for j, c in enumerate(cols):
            load_rows.append(
                {
                    "dimension": dim,
                    "item": c,
                    "loading": fit.loadings[j],
                    "error_var": fit.error_var[j],
                    "std_loading": lam[j],
                    "identified_by": fit.identified_by,
                }
            )
        rows.append(row)

    table = pd.DataFrame(rows).set_index("dimension")
    loadings = pd.DataFrame(load_rows)
    names = list(blocks)
    sc = np.atleast_2d(_pairwise_corr(np.column_stack([sums[d] for d in names]), w))
    om = np.array([omegas[d] for d in names])
    fc = sc / np.sqrt(np.outer(om, om))
    np.fill_diagonal(fc, 1.0)
    factor_corr = pd.DataFrame(fc, index=pd.Index(names, name="dimension"), columns=names)
    if np.any(np.abs(fc[~np.eye(len(names), dtype=bool)]) > 1):
        _emit(
            msgs,
            "a disattenuated factor correlation exceeds 1: the dimensions are not "
            "empirically distinct.",
            ImproperSolutionWarning,
        )
    fl = fornell_larcker(table["ave"].to_dict(), factor_corr) if len(names) > 1 else None
    if len(names) > 1:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            h = htmt(items, blocks, weights=w, missing="available")
            h2 = htmt2(items, blocks, weights=w, missing="available")
        for w in caught:
            _emit(msgs, str(w.message), w.category)
    else:
        h = h2 = pd.DataFrame(np.nan, index=names, columns=names)
    table["sqrt_ave"] = np.sqrt(table["ave"])
    table["max_factor_corr"] = fl["max_abs_corr"] if fl is not None else np.nan
    table["fornell_larcker"] = fl["passed"] if fl is not None else True
    table["max_htmt"] = h.max(axis=1)
    table["max_htmt2"] = h2.max(axis=1)
    g = loadings.groupby("dimension", sort=False)["std_loading"]
    table["min_loading"] = g.min()
    table["max_loading"] = g.max()

    difference = (
        _difference_table(clean, instrument)
        if paired
        else pd.DataFrame(
            columns=["r_pp", "r_ee", "r_pe", "sd_p", "sd_e", "r_d", "alpha_gap_items"]
        )
    )
    return ReliabilityResult(
        table=table,
        loadings=loadings,
        factor_corr=factor_corr,
        htmt=h,
        htmt2=h2,
        fornell_larcker=fl if fl is not None else pd.DataFrame(),
        difference=difference,
        n=n,
        kind=kind,
        ci=ci,
        validation=report,
        warnings=tuple(msgs),
    )


def _difference_table(clean: pd.DataFrame, instrument) -> pd.DataFrame:
    P = _reversed_items(clean, instrument, "P")
    E = _reversed_items(clean, instrument, "E")
    rows = []
    for dim, stems in instrument.dimensions.items():
        pc = [instrument.column(s, "P") for s in stems]
        ec = [instrument.column(s, "E") for s in stems]
        ok = P[pc].notna().all(axis=1) & E[ec].notna().all(axis=1)
        Pd, Ed = P.loc[ok], E.loc[ok]
        p = Pd[pc].to_numpy(float).mean(axis=1)
        e = Ed[ec].to_numpy(float).mean(axis=1)
        if len(stems) < 2:
            r_pp = r_ee = a_gap = np.nan
        else:
            r_pp, r_ee = cronbach_alpha(Pd, pc), cronbach_alpha(Ed, ec)
            gaps = pd.DataFrame(Pd[pc].to_numpy(float) - Ed[ec].to_numpy(float))
            a_gap = cronbach_alpha(gaps)
        sd_p, sd_e = p.std(ddof=1), e.std(ddof=1)
        r_pe = float(np.corrcoef(p, e)[0, 1])
        rows.append(
            {
                "dimension": dim,
                "r_pp": r_pp,
                "r_ee": r_ee,
                "r_pe": r_pe,
                "sd_p": sd_p,
                "sd_e": sd_e,
                "r_d": difference_score_reliability(r_pp, r_ee, r_pe, sd_p, sd_e),
                "alpha_gap_items": a_gap,
            }
        )
    return pd.DataFrame(rows).set_index("dimension")
