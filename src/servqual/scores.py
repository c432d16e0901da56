"""SERVQUAL scoring: composites, P−E gaps, weighted scores, zones of tolerance.

All functions take a survey frame and an :class:`~servqual.Instrument`, read
columns from the instrument, validate through :func:`servqual.validate`'s
checks and return tidy DataFrames indexed like the input.  Missing values
propagate as NaN (a composite with a missing item is NaN) unless
``min_items`` allows averaging the items present; the count of such rows is
never hidden: call :func:`servqual.validate` first to see it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import (
    Interval,
    as_py,
    check_columns,
    check_data,
    check_frame,
    check_params,
    check_weights,
)
from ._result import records_provenance
from ._warn import warn
from .errors import DataError, InputTypeError, MissingDataWarning, ParameterError
from .instrument import Instrument
from .weighting import design_effect, kish_neff, weighted_mean_se

__all__ = [
    "composites",
    "item_gaps",
    "dimension_gaps",
    "servqual_score",
    "weighted_servqual_score",
    "zone_of_tolerance",
    "gap_profile",
    "composite_profile",
]


def _check_instrument(instrument) -> Instrument:
    if not isinstance(instrument, Instrument):
        raise InputTypeError(
            f"instrument must be a servqual.Instrument, got {type(instrument).__name__}."
        )
    return instrument


def _items(data: pd.DataFrame, instrument: Instrument, kind: str | None) -> pd.DataFrame:
    _check_instrument(instrument)
    cols = instrument.columns(kind)
    frame = check_frame(data, cols, missing="allow", scale=instrument.scale, allow_constant=True)
    na = frame.isna().sum()
    if na.any():  # kept (scores use the items answered), but never silently
        detail = ", ".join(f"{c!r}: {int(k)}" for c, k in na[na > 0].items())
        warn(
            f"missing values in {detail}; scores average the items answered, and a row "
            "lacking an item a score needs gets NaN there.",
            MissingDataWarning,
        )
    lo, hi = instrument.scale
    for stem in instrument.reverse:
        c = instrument.column(stem, kind)
        frame[c] = lo + hi - frame[c]
    return frame


def _block_means(frame: pd.DataFrame, groups: Mapping[str, list], min_items: int | None):
    out = {}
    for name, cols in groups.items():
        block = frame[cols]
        need = len(cols) if min_items is None else min(min_items, len(cols))
        enough = block.notna().sum(axis=1) >= need
        out[name] = block.mean(axis=1).where(enough)
    return pd.DataFrame(out, index=frame.index)


def composites(
    data: pd.DataFrame,
    instrument: Instrument,
    kind: str | None = "P",
    *,
    min_items: int | None = None,
) -> pd.DataFrame:
    """Dimension composites: the mean of each dimension's items (reverse keyed).

    Parameters
    ----------
    data : DataFrame
    instrument : Instrument
    kind : item kind (``"P"``, ``"E"``, ...) or ``None`` for single-kind instruments.
    min_items : int, optional
        Average the items present when at least this many are; by default a
        missing item makes the composite NaN.

    A respondent's composite does not depend on respondent weights; their
    weighted means (Taylor-linearised SEs, Kish's effective n, design effect)
    are :func:`composite_profile`, and for P, E and P−E :func:`gap_profile`.

    Examples
    --------
    >>> from servqual import Instrument, load_dataset
    >>> c = composites(load_dataset("mobi"), Instrument.ecsi_mobi(), kind=None)
    >>> list(c.columns)[:3]
    ['image', 'expectation', 'quality']
    """
    if kind == "P" and not instrument.prefixes:
        kind = None
    frame = _items(data, instrument, kind)
    return _block_means(frame, instrument.dimension_columns(kind), min_items)


def item_gaps(data: pd.DataFrame, instrument: Instrument, *, minus: str = "E") -> pd.DataFrame:
    """Item gap scores ``P - E`` (or ``P - A``, ``P - D`` with ``minus``).

    Columns are named ``G<item>`` (``"MSA<item>"``/``"MSS<item>"`` style names
    are left to the caller).

    Examples
    --------
    >>> from servqual import Instrument, simulate_survey
    >>> df, _ = simulate_survey(5, seed=0)
    >>> g = item_gaps(df, Instrument.servqual22())
    >>> bool((g["G1"] == df["P1"] - df["E1"]).all())
    True
    """
    p = _items(data, instrument, "P")
    e = _items(data, instrument, minus)
    g = p.to_numpy() - e.to_numpy()
    return pd.DataFrame(g, index=data.index, columns=[f"G{i}" for i in instrument.items])


def dimension_gaps(
    data: pd.DataFrame, instrument: Instrument, *, minus: str = "E", min_items: int | None = None
) -> pd.DataFrame:
    """Dimension gap scores: mean item gap per dimension.

    Per respondent (no weights); their weighted means with SEs, effective n and
    design effect are :func:`gap_profile` (``weights=``) or
    :func:`composite_profile` with ``kind="gap"``.

    Examples
    --------
    >>> from servqual import Instrument, simulate_survey
    >>> df, _ = simulate_survey(200, seed=0)
    >>> dimension_gaps(df, Instrument.servqual22()).shape
    (200, 5)
    """
    g = item_gaps(data, instrument, minus=minus)
    groups = {d: [f"G{i}" for i in items] for d, items in instrument.dimensions.items()}
    return _block_means(g, groups, min_items)


def servqual_score(data: pd.DataFrame, instrument: Instrument) -> pd.Series:
    """Unweighted SERVQUAL score: the mean of the dimension gaps, per respondent.

    Examples
    --------
    >>> from servqual import Instrument, simulate_survey
    >>> df, _ = simulate_survey(100, seed=0)
    >>> float(servqual_score(df, Instrument.servqual22()).mean()) < 0
    True
    """
    return dimension_gaps(data, instrument).mean(axis=1, skipna=False).rename("servqual")


def weighted_servqual_score(
    data: pd.DataFrame,
    instrument: Instrument,
    importance: Mapping[str, float] | pd.DataFrame | str = "IMP_",
    *,
    tol: float = 0.5,
) -> pd.Series:
    """Weighted SERVQUAL score from a 100-point importance allocation.

    Parameters
    ----------
    importance : mapping dimension -> points, a DataFrame with one column per
        dimension (points per respondent), or a column prefix (default
        ``"IMP_"``: columns ``IMP_<dimension>``).  Points must sum to 100
        (within ``tol``) for every respondent.

    Examples
    --------
    >>> from servqual import Instrument, simulate_survey
    >>> df, _ = simulate_survey(100, seed=0)
    >>> weighted_servqual_score(df, Instrument.servqual22()).shape
    (100,)
    """
    check_data(data)
    dims = list(_check_instrument(instrument).dimensions)
    if isinstance(importance, str):
        cols = [importance + d for d in dims]
        check_columns(data, cols, what="importance column")
        w = check_frame(data, cols, scale=(0, 100), allow_constant=True)
        w.columns = dims
    elif isinstance(importance, pd.DataFrame):
        check_data(importance, name="importance")
        check_columns(importance, dims, what="importance column")
        w = check_frame(importance, dims, scale=(0, 100), allow_constant=True)
        if len(w) != len(data):
            raise DataError(
                f"importance has {len(w)} row(s) but data has {len(data)}: give one row of "
                "points per respondent (in the same order)."
            )
    elif isinstance(importance, Mapping):
        unknown = set(importance) ^ set(dims)
        if unknown:
            raise ParameterError(
                f"importance must give points for exactly the dimensions {dims}; "
                f"mismatched: {sorted(unknown)}."
            )
        w = pd.DataFrame([[float(importance[d]) for d in dims]] * len(data), columns=dims,
                         index=data.index)  # fmt: skip
    else:
        raise InputTypeError(
            "importance must be a mapping, a DataFrame or a column prefix string, got "
            f"{type(importance).__name__}."
        )
    totals = w.sum(axis=1)
    bad = ((totals - 100).abs() > tol).to_numpy()
    if bad.any():
        pos = np.flatnonzero(bad)[0]
        raise DataError(
            f"importance points must sum to 100: row {as_py(w.index[pos])!r} sums to "
            f"{totals.iloc[pos]:g} ({int(bad.sum())} row(s) off by more than {tol:g})."
        )
    g = dimension_gaps(data, instrument)
    return ((g * w.to_numpy()).sum(axis=1, min_count=len(dims)) / 100).rename("weighted_servqual")


def zone_of_tolerance(data: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Measures of service adequacy (MSA = P − A) and superiority (MSS = P − D).

    The instrument needs kinds ``P``, ``A`` (adequate) and ``D`` (desired),
    e.g. ``Instrument.servqual22().with_prefixes(P="P", A="A", D="D")``.
    Returns per-respondent dimension scores ``msa_<dimension>``,
    ``mss_<dimension>`` and ``zone_<dimension>``: ``"below"`` (P < A),
    ``"within"`` or ``"above"`` (P > D).

    Examples
    --------
    >>> import pandas as pd
    >>> inst = Instrument.from_mapping({"speed": ["1"]}, prefixes={"P": "P", "A": "A", "D": "D"})
    >>> z = zone_of_tolerance(pd.DataFrame({"P1": [3, 5], "A1": [4, 3], "D1": [6, 6]}), inst)
    >>> z["zone_speed"].tolist()
    ['below', 'within']
    """
    check_data(data)
    for k in ("P", "A", "D"):
        if k not in _check_instrument(instrument).prefixes:
            raise ParameterError(
                f"instrument {instrument.name!r} lacks kind {k!r}: zone of tolerance needs "
                "P (perceived), A (adequate) and D (desired) items."
            )
    msa = dimension_gaps(data, instrument, minus="A")
    mss = dimension_gaps(data, instrument, minus="D")
    p = composites(data, instrument, "P")
    a = composites(data, instrument, "A")
    d = composites(data, instrument, "D")
    inverted = (a > d).to_numpy()
    if inverted.any():
        r, c = np.argwhere(inverted)[0]
        raise DataError(
            f"adequate expectations exceed desired ones for dimension {a.columns[c]!r} at row "
            f"{as_py(a.index[r])!r}: the zone of tolerance is undefined there."
        )
    out = {}
    for dim in instrument.dimensions:
        out[f"msa_{dim}"] = msa[dim]
        out[f"mss_{dim}"] = mss[dim]
        zone = np.where(p[dim] < a[dim], "below", np.where(p[dim] > d[dim], "above", "within"))
        out[f"zone_{dim}"] = pd.Series(zone, index=data.index).where(p[dim].notna().to_numpy())
    return pd.DataFrame(out, index=data.index)


def gap_profile(
    data: pd.DataFrame, instrument: Instrument, *, ci: float = 0.95, weights=None
) -> pd.DataFrame:
    """Mean P, E and P−E per dimension with t-based confidence intervals.

    Returns one row per dimension with columns ``n``, ``P``, ``E``, ``gap``,
    ``gap_se``, ``gap_ci_lower``, ``gap_ci_upper`` and likewise ``P_ci_*``,
    ``E_ci_*`` (respondents with a missing item in a dimension are excluded
    from that dimension, and ``n`` says how many remain).

    With respondent ``weights`` (column name or array) the means are weighted,
    the SEs are Taylor-linearised (R ``survey``'s ``svymean`` on
    ``svydesign(ids = ~1, weights = ~w)``; with equal weights this is
    ``sd / sqrt(n)``), and columns ``n_eff`` (Kish) and ``deff`` are added.
    Per-respondent scores (:func:`composites`, :func:`item_gaps`,
    :func:`dimension_gaps`) do not depend on respondent weights; summarise
    them with :func:`servqual.weighting.weighted_means`.

    Examples
    --------
    >>> from servqual import Instrument, simulate_survey
    >>> df, _ = simulate_survey(300, seed=0)
    >>> int(gap_profile(df, Instrument.servqual22()).loc["reliability", "n"])
    300
    """
    check_params({"ci": ci}, {"ci": Interval(0, 1, closed="neither")})
    w_all = check_weights(weights, check_data(data))
    if not instrument.is_paired:
        raise ParameterError(f"instrument {instrument.name!r} has no P and E kinds.")
    p = composites(data, instrument, "P")
    e = composites(data, instrument, "E")
    rows = []
    for dim in instrument.dimensions:
        ok = p[dim].notna() & e[dim].notna()
        pp, ee = p.loc[ok, dim].to_numpy(), e.loc[ok, dim].to_numpy()
        n = int(ok.sum())
        t = stats.t.ppf(0.5 + ci / 2, n - 1) if n > 1 else np.nan
        row = {"dimension": dim, "n": n}
        w = None if w_all is None else w_all[ok.to_numpy()]
        if w is not None:
            pos = w.sum() > 0
            row["n_eff"] = kish_neff(w) if pos else 0.0
            row["deff"] = design_effect(w) if pos else np.nan
        for name, x in (("P", pp), ("E", ee), ("gap", pp - ee)):
            if w is not None and n and w.sum() > 0:
                m, se = (float(v) for v in weighted_mean_se(x, w))
            else:
                m = x.mean() if n else np.nan
                se = x.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
            row[name] = m
            row[f"{name}_se"] = se
            row[f"{name}_ci_lower"] = m - t * se
            row[f"{name}_ci_upper"] = m + t * se
        rows.append(row)
    return pd.DataFrame(rows).set_index("dimension")


@records_provenance
def composite_profile(data: pd.DataFrame, instrument: Instrument, kind: str | None = "P", *,
                      weights=None, min_items: int | None = None, ci: float = 0.95):  # fmt: skip
    """Mean composite (or P−E gap) per dimension with respondent weights.

    ``kind`` is an item kind (``"P"``, ``"E"``, ``None`` for single-kind
    instruments) or ``"gap"`` (:func:`dimension_gaps`).  With ``weights``
    (column name or array) the means are weighted and their SEs
    Taylor-linearised -- R ``survey``'s ``svymean`` on ``svydesign(ids = ~1,
    weights = ~w)`` -- beside Kish's effective n and the design effect;
    without, the SE is ``sd / sqrt(n)``.  A respondent missing an item of a
    dimension is left out of that dimension (``n`` says how many remain).

    Returns
    -------
    servqual.weighting.WeightedMeans
        ``table`` indexed by dimension: ``n``, ``n_eff``, ``deff``, ``mean``,
        ``se``, ``ci_lower``, ``ci_upper`` (normal interval).

    Examples
    --------
    >>> from servqual import Instrument, load_dataset
    >>> df = load_dataset("servqual_sim").iloc[:200]
    >>> r = composite_profile(df, Instrument.servqual22(), "gap", weights=[1.0, 2.0] * 100)
    >>> r.table.index.tolist()[:2], bool(r.table["deff"].gt(1).all())
    (['tangibles', 'reliability'], True)
    """
    from .weighting import WeightedMeans, weighted_means

    w = check_weights(weights, check_data(data))
    if kind == "gap":
        frame = dimension_gaps(data, instrument, min_items=min_items)
    else:
        frame = composites(data, instrument, kind, min_items=min_items)
    res = weighted_means(frame, list(frame.columns), weights=w, ci=ci)
    return WeightedMeans(table=res.table.rename_axis("dimension"), ci=res.ci,
                         weighted=res.weighted, warnings=res.warnings)  # fmt: skip
