"""Unit-level gap scores and within-unit agreement (ICC(1), ICC(2), rwg(J))."""

from __future__ import annotations

import warnings
from dataclasses import field

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import Interval, Options, as_1d_numeric, check_columns, check_frame, check_params
from .._options import check_missing
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from .._warn import warn
from ..errors import (
    DegenerateResultWarning,
    InsufficientDataError,
    MissingDataWarning,
    MissingValuesError,
    NonNumericError,
    OutOfRangeError,
    ParameterError,
)
from ._columns import MANAGER_SCALES, STAFF_SCALES, item_map, scale_items
from ._linked import check_linked

__all__ = ["UnitScores", "unit_scores", "icc_oneway", "rwg_j"]

GAP_SOURCES = {"P": "customers", "E": "customers", "ME": "managers", "SS": "managers",
               "CP": "managers", "DP": "staff"}  # fmt: skip


def icc_oneway(values, groups) -> dict[str, float]:
    """ICC(1) and ICC(2) from a one-way random-effects ANOVA (Bliese 2000).

    ``ICC(1) = (MSB - MSW) / (MSB + (k0 - 1) MSW)`` with ``k0`` the adjusted
    mean group size ``(N - sum n_j^2 / N) / (J - 1)`` for unequal groups, and
    ``ICC(2) = (MSB - MSW) / MSB`` (reliability of the group means).

    Examples
    --------
    >>> r = icc_oneway([1.0, 2, 3, 5, 6, 7], ["a", "a", "a", "b", "b", "b"])
    >>> round(r["icc1"], 3), round(r["icc2"], 3)
    (0.885, 0.958)

    Missing values are left out with a :class:`MissingDataWarning` saying how
    many; infinite values and missing group labels raise.
    """
    v = as_1d_numeric(values, name="values", missing="allow")
    g = np.asarray(groups, dtype=object).ravel()
    if g.size != v.size:
        raise ParameterError(
            f"groups has {g.size} label(s) but values has {v.size}: expected one label per value."
        )
    if pd.isna(g).any():
        pos = int(np.flatnonzero(pd.isna(g))[0])
        raise MissingValuesError(f"groups is missing at position {pos}: every value needs a group.")
    ok = np.isfinite(v)
    if not ok.all():
        warn(
            f"icc_oneway: {int((~ok).sum())} missing value(s) left out "
            f"(first at position {int(np.flatnonzero(~ok)[0])}).",
            MissingDataWarning,
        )
    return _icc_oneway(v[ok], g[ok])


def _icc_oneway(v: np.ndarray, g: np.ndarray) -> dict[str, float]:
    codes, _ = pd.factorize(g, sort=True)
    n_j = np.bincount(codes).astype(float)
    n_j = n_j[n_j > 0]
    _, codes = np.unique(codes, return_inverse=True)
    J, N = n_j.size, v.size
    if J < 2 or N - J < 1:
        raise InsufficientDataError(
            f"ICC needs at least 2 groups and a within-group df: got {J} group(s), {N} values."
        )
    means = np.bincount(codes, weights=v) / n_j
    grand = v.mean()
    ssb = float(np.sum(n_j * (means - grand) ** 2))
    ssw = float(np.sum((v - means[codes]) ** 2))
    if not (np.isfinite(ssb) and np.isfinite(ssw)):
        raise OutOfRangeError(
            f"values up to {np.abs(v).max():.3g} overflow the sums of squares; rescale them."
        )
    msb, msw = ssb / (J - 1), ssw / (N - J)
    k0 = (N - np.sum(n_j**2) / N) / (J - 1)
    f = msb / msw if msw > 0 else np.inf
    if not msw > 0:
        warn(
            "icc_oneway: no variation within groups (every group is constant): ICC(1) is 1 and "
            "the F statistic infinite.",
            DegenerateResultWarning,
        )
    return {
        "icc1": float((msb - msw) / (msb + (k0 - 1) * msw)),
        "icc2": (msb - msw) / msb if msb > 0 else np.nan,
        "F": f,
        "df_between": J - 1,
        "df_within": N - J,
        "p_value": float(stats.f.sf(f, J - 1, N - J)),
        "msb": msb,
        "msw": msw,
        "k0": float(k0),
    }


def rwg_j(items: np.ndarray, n_points: int) -> float:
    """rwg(J) within-group agreement on ``J`` parallel items (James et al. 1984).

    ``items`` is ``(respondents, J)``; the null is the uniform distribution on
    ``n_points`` options, variance ``(A^2 - 1) / 12``.  When the mean item
    variance exceeds the null variance the index is set to 0 (the usual
    truncation).  NaN with fewer than 2 respondents.

    Examples
    --------
    >>> import numpy as np
    >>> round(rwg_j(np.array([[4, 5], [5, 5], [4, 4]]), 7), 3)
    0.957
    """
    check_params({"n_points": n_points}, {"n_points": Interval(2, 1001, integer=True)})
    try:
        x = np.asarray(items, dtype=float)
    except (TypeError, ValueError):
        raise NonNumericError("items must hold numbers (respondents x items).") from None
    if x.ndim != 2:
        raise ParameterError(
            f"items must be two-dimensional (respondents x items), not {x.ndim}-D."
        )
    if np.isinf(x).any():
        raise OutOfRangeError("items hold an infinite value.")
    if x.shape[0] < 2:
        return np.nan
    s2 = np.nanmean(np.nanvar(x, axis=0, ddof=1))
    ratio = s2 / ((n_points**2 - 1) / 12.0)
    if ratio >= 1:
        return 0.0
    J = x.shape[1]
    return float(J * (1 - ratio) / (J * (1 - ratio) + ratio))


@resultclass
class UnitScores(Result):
    """Result of :func:`unit_scores`.

    Attributes
    ----------
    table : DataFrame
        One row per unit: ``unit_id``, respondents per frame (``n_customers``,
        ``n_managers``, ``n_staff``), ``gap{1..5}_{dimension}`` and
        ``gap{k}_overall``, ``gap5_overall_se`` (SE of the unit mean over its
        customers), unit means of ``SAT``/``LOY`` and of each antecedent scale
        present, and ``rwg_P``, ``rwg_E``, ``rwg_ME``, ``rwg_SS``, ``rwg_CP``,
        ``rwg_DP``.
    agreement : DataFrame
        One row per respondent-level measure: ICC(1), ICC(2), the ANOVA F test
        and the median / share >= .70 of rwg(J) over units.
    rwg : DataFrame
        Long table ``unit_id, measure, source, rwg``.
    customers : DataFrame
        Customer-level scores: ``unit_id``, ``PE_overall`` and ``PE_<dim>``
        (mean P - E), ``P_overall``/``P_<dim>``, ``E_overall``, ``SAT``, ``LOY``.
    dimensions : tuple of str
    antecedents : tuple of str
        Antecedent scales found in the frames.
    warnings : tuple of str
    """

    table: pd.DataFrame
    agreement: pd.DataFrame
    rwg: pd.DataFrame
    customers: pd.DataFrame
    dimensions: tuple[str, ...]
    antecedents: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def unit(self) -> str:
        """Name of the unit identifier column (``unit=`` of :func:`unit_scores`)."""
        return str(self.table.columns[0])

    def gap_table(self, which: str = "overall") -> pd.DataFrame:
        """Units x gaps 1-5 for one dimension (or ``"overall"``).

        Examples
        --------
        >>> from servqual.gaps import simulate_units, unit_scores
        >>> sc = unit_scores(*simulate_units(12, 10, 4, seed=2, managers_per_unit=4)[:3])
        >>> sc.gap_table("reliability").shape
        (12, 5)
        """
        check_params({"which": which}, {"which": Options((*self.dimensions, "overall"))})
        cols = [f"gap{k}_{which}" for k in range(1, 6)]
        out = self.table.set_index(self.unit)[cols]
        out.columns = [f"gap{k}" for k in range(1, 6)]
        return out

    def summary(self) -> Summary:
        """Mean gaps per dimension, respondents per unit and within-unit agreement."""
        means = pd.DataFrame(
            {
                f"gap{k}": [self.table[f"gap{k}_{d}"].mean() for d in (*self.dimensions, "overall")]
                for k in range(1, 6)
            },
            index=[*self.dimensions, "overall"],
        )
        n = self.table[["n_customers", "n_managers", "n_staff"]]
        info = {
            "units": len(self.table),
            "customers (min/median/max per unit)": _mmm(n["n_customers"]),
            "managers (min/median/max per unit)": _mmm(n["n_managers"]),
            "staff (min/median/max per unit)": _mmm(n["n_staff"]),
        }
        agree = self.agreement.set_index("measure")[
            ["source", "icc1", "icc2", "F", "p_value", "rwg_median", "rwg_share_70"]
        ]
        return Summary(
            "Unit gap scores",
            [("Data", info), ("Mean gaps over units", means), ("Within-unit agreement", agree)],
            self.warnings,
        )


def _mmm(s: pd.Series) -> str:
    return f"{int(s.min())} / {s.median():g} / {int(s.max())}"


def _scale_present(frame: pd.DataFrame, scale: str, name: str) -> bool:
    cols = scale_items(scale)
    have = [c for c in cols if c in frame.columns]
    if have and len(have) < len(cols):
        check_columns(frame, cols, what=f"{name} item of scale {scale}")
    return bool(have)


@records_provenance
def unit_scores(
    customers: pd.DataFrame,
    managers: pd.DataFrame,
    staff: pd.DataFrame,
    instrument=None,
    *,
    min_respondents=2,
    missing: str = "raise",
    unit: str = "unit_id",
) -> UnitScores:
    """Gaps 1-5 per unit, RATER dimension and overall, with within-unit agreement.

    Parameters
    ----------
    customers, managers, staff : DataFrame
        Linked survey frames (column conventions in :mod:`servqual.gaps`).
    instrument : Instrument, optional
        Customer P/E instrument (default: the 22-item RATER SERVQUAL, 1-7).
    min_respondents : int or mapping
        Fewest respondents per unit and frame (see :func:`check_linked`);
        units below it raise, naming them.
    missing : {"raise", "available"}
        ``"raise"`` (default: with few respondents per unit a missing answer
        moves a unit mean, so the user decides): missing item values raise,
        naming columns and counts.
        ``"available"``: means use the available values; counts are reported
        in ``warnings`` (and warned).
    unit : str
        Unit identifier column.

    Returns
    -------
    UnitScores

    Examples
    --------
    >>> from servqual.gaps import simulate_units, unit_scores
    >>> c, m, s, _ = simulate_units(10, 15, 3, seed=2)
    >>> res = unit_scores(c, m, s)
    >>> res.table.shape[0], list(res.gap_table().columns)
    (10, ['gap1', 'gap2', 'gap3', 'gap4', 'gap5'])
    """
    missing = check_missing(missing, ("raise", "available"))
    counts = check_linked(customers, managers, staff, min_respondents=min_respondents, unit=unit)
    dims, scale = item_map(instrument)
    n_points = int(round(scale[1] - scale[0] + 1))
    items = [i for d in dims.values() for i in d]
    pol = "raise" if missing == "raise" else "allow"
    notes: list[str] = []

    def load(frame, name, prefixes, extra=()):
        cols = [f"{p}{i}" for p in prefixes for i in items] + list(extra)
        data = check_frame(frame, cols, missing=pol, scale=scale, allow_constant=True)
        n_na = int(data.isna().sum().sum())
        if n_na:
            worst = data.isna().sum().sort_values(ascending=False)
            notes.append(
                f"{name}: {n_na} missing value(s) (most in {worst.index[0]!r}: "
                f"{int(worst.iloc[0])}); unit means use the available values."
            )
        data.insert(0, unit, frame[unit].to_numpy())
        return data

    sat = [c for c in ("SAT1", "SAT2", "SAT3") if c in customers.columns]
    loy = [c for c in ("LOY1", "LOY2") if c in customers.columns]
    m_scales = [s for s in MANAGER_SCALES if _scale_present(managers, s, "managers")]
    s_scales = [s for s in STAFF_SCALES if _scale_present(staff, s, "staff")]
    cust = load(customers, "customers", ["P", "E"], sat + loy)
    man = load(managers, "managers", ["ME", "SS", "CP"],
               [c for s in m_scales for c in scale_items(s)])  # fmt: skip
    stf = load(staff, "staff", ["DP"], [c for s in s_scales for c in scale_items(s)])
    units = counts["customers"].index

    def item_means(data, prefix):
        cols = [f"{prefix}{i}" for i in items]
        out = data.groupby(unit, sort=True)[cols].mean().reindex(units)
        return out.to_numpy()

    bars = {p: item_means(cust, p) for p in ("P", "E")}
    bars.update({p: item_means(man, p) for p in ("ME", "SS", "CP")})
    bars["DP"] = item_means(stf, "DP")
    item_gap = {
        1: bars["ME"] - bars["E"],
        2: bars["SS"] - bars["ME"],
        3: bars["DP"] - bars["SS"],
        4: bars["DP"] - bars["CP"],
    }
    # customer-level scores
    P = cust[[f"P{i}" for i in items]].to_numpy()
    E = cust[[f"E{i}" for i in items]].to_numpy()
    D = P - E
    pos = {i: j for j, i in enumerate(items)}
    cs = {unit: cust[unit].to_numpy()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing rows -> NaN, reported
        cs["PE_overall"] = np.nanmean(D, axis=1)
        cs["P_overall"] = np.nanmean(P, axis=1)
        cs["E_overall"] = np.nanmean(E, axis=1)
        for d, its in dims.items():
            idx = [pos[i] for i in its]
            cs[f"PE_{d}"] = np.nanmean(D[:, idx], axis=1)
            cs[f"P_{d}"] = np.nanmean(P[:, idx], axis=1)
        if sat:
            cs["SAT"] = np.nanmean(cust[sat].to_numpy(), axis=1)
        if loy:
            cs["LOY"] = np.nanmean(cust[loy].to_numpy(), axis=1)
    cscores = pd.DataFrame(cs, index=customers.index)
    g5 = cscores.groupby(unit, sort=True)

    table = pd.DataFrame({unit: units})
    table["n_customers"] = counts["customers"].to_numpy()
    table["n_managers"] = counts["managers"].reindex(units).to_numpy()
    table["n_staff"] = counts["staff"].reindex(units).to_numpy()
    for k in range(1, 5):
        for d, its in dims.items():
            table[f"gap{k}_{d}"] = np.nanmean(item_gap[k][:, [pos[i] for i in its]], axis=1)
        table[f"gap{k}_overall"] = np.nanmean(item_gap[k], axis=1)
    for d in dims:
        table[f"gap5_{d}"] = g5[f"PE_{d}"].mean().reindex(units).to_numpy()
    table["gap5_overall"] = g5["PE_overall"].mean().reindex(units).to_numpy()
    table["gap5_overall_se"] = (
        (g5["PE_overall"].std(ddof=1) / np.sqrt(g5["PE_overall"].count())).reindex(units).to_numpy()
    )
    for col in ("SAT", "LOY"):
        if col in cscores:
            table[col] = g5[col].mean().reindex(units).to_numpy()
    # antecedent composites (respondent mean of 3 items, then unit mean)
    resp = {}
    for data, scs, src in ((man, m_scales, "managers"), (stf, s_scales, "staff")):
        for s in scs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                v = np.nanmean(data[scale_items(s)].to_numpy(), axis=1)
            resp[s] = (v, data[unit].to_numpy(), src, data[scale_items(s)].to_numpy())
            table[s] = pd.Series(v).groupby(data[unit].to_numpy()).mean().reindex(units).values

    # agreement: ICC per respondent-level composite, rwg(J) per unit
    blocks = {
        "P": (P, cust[unit].to_numpy()),
        "E": (E, cust[unit].to_numpy()),
    }
    for p in ("ME", "SS", "CP"):
        blocks[p] = (man[[f"{p}{i}" for i in items]].to_numpy(), man[unit].to_numpy())
    blocks["DP"] = (stf[[f"DP{i}" for i in items]].to_numpy(), stf[unit].to_numpy())
    measures = {}
    for p, (x, g) in blocks.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            measures[p] = (np.nanmean(x, axis=1), g, GAP_SOURCES[p], x)
    measures["P-E"] = (cscores["PE_overall"].to_numpy(), cust[unit].to_numpy(), "customers", None)
    if sat:
        measures["SAT"] = (cscores["SAT"].to_numpy(), cust[unit].to_numpy(), "customers",
                           cust[sat].to_numpy())  # fmt: skip
    measures.update(resp)
    rows, rwg_rows = [], []
    for name, (v, g, src, x) in measures.items():
        ok = np.isfinite(v)  # respondents without a score do not enter the ICC
        r = _icc_oneway(v[ok], np.asarray(g, dtype=object)[ok])
        rw = []
        if x is not None:
            codes = pd.Categorical(g, categories=units).codes
            for j, u in enumerate(units):
                val = rwg_j(x[codes == j], n_points)
                rw.append(val)
                rwg_rows.append({unit: u, "measure": name, "source": src, "rwg": val})
        rw = np.asarray(rw, dtype=float)
        rows.append(
            {
                "measure": name,
                "source": src,
                "icc1": r["icc1"],
                "icc2": r["icc2"],
                "F": r["F"],
                "df_between": r["df_between"],
                "df_within": r["df_within"],
                "p_value": r["p_value"],
                "rwg_median": float(np.nanmedian(rw)) if rw.size else np.nan,
                "rwg_share_70": float(np.mean(rw[np.isfinite(rw)] >= 0.7)) if rw.size else np.nan,
            }
        )
    rwg_long = pd.DataFrame(rwg_rows)
    for p in blocks:
        table[f"rwg_{p}"] = (
            rwg_long[rwg_long.measure == p].set_index(unit)["rwg"].reindex(units).to_numpy()
        )
    agreement = pd.DataFrame(rows)
    low = agreement[(agreement.icc1 < 0.05) & agreement.measure.isin(["P-E", "ME", "SS", "CP",
                                                                      "DP"])]  # fmt: skip
    for _, r in low.iterrows():
        notes.append(
            f"ICC(1) of {r['measure']} is {r['icc1']:.3f} (< .05): units barely differ on it, "
            "so its unit mean is mostly noise."
        )
    gap_cols = [c for c in table if c.startswith("gap") and not c.endswith("_se")]
    bad = table.loc[table[gap_cols].isna().any(axis=1), unit].tolist()
    if bad:
        notes.append(f"gap scores could not be computed (all values missing) for units {bad}.")
    for n in notes:
        warn(n, MissingDataWarning if "missing" in n else UserWarning)
    return UnitScores(
        table=table,
        agreement=agreement,
        rwg=rwg_long,
        customers=cscores.reset_index(drop=True),
        dimensions=tuple(dims),
        antecedents=tuple(m_scales + s_scales),
        warnings=tuple(notes),
    )
