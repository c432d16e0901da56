"""Validation of linked unit-level frames (customers, managers, contact staff)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .._checks import Interval, check_columns, check_data, check_params
from ..errors import DataError, InsufficientDataError, MissingValuesError, ParameterError

__all__ = ["UnlinkedUnitsError", "TooFewRespondentsError", "check_linked", "FRAMES"]

FRAMES = ("customers", "managers", "staff")


class UnlinkedUnitsError(DataError):
    """Units present in one of the linked frames but absent from another.

    ``units`` maps ``(present_in, absent_from)`` to the list of unit ids.
    """

    def __init__(self, message: str, units: dict[tuple[str, str], list]):
        super().__init__(message)
        self.units = units


class TooFewRespondentsError(InsufficientDataError):
    """Units with fewer respondents than the user's threshold.

    ``units`` maps frame name to ``{unit_id: n_respondents}``.
    """

    def __init__(self, message: str, units: dict[str, dict]):
        super().__init__(message)
        self.units = units


def _min_counts(min_respondents) -> dict[str, int]:
    if isinstance(min_respondents, Mapping):
        bad = set(min_respondents) - set(FRAMES)
        if bad:
            raise ParameterError(
                f"min_respondents keys {sorted(bad)} are invalid: expected keys among {FRAMES}."
            )
        out = {f: 2 for f in FRAMES}
        out.update(min_respondents)
    else:
        out = {f: min_respondents for f in FRAMES}
    for f, v in out.items():
        check_params(
            {f"min_respondents[{f!r}]": v},
            {f"min_respondents[{f!r}]": Interval(1, None, integer=True)},
        )
    return {f: int(v) for f, v in out.items()}


def _show(units, limit: int = 10) -> str:
    units = list(units)
    text = ", ".join(repr(u) for u in units[:limit])
    return text + (f" ... ({len(units)} in all)" if len(units) > limit else "")


def check_linked(
    customers: pd.DataFrame,
    managers: pd.DataFrame,
    staff: pd.DataFrame,
    *,
    min_respondents: int | Mapping[str, int] = 2,
    unit: str = "unit_id",
) -> dict[str, pd.Series]:
    """Check that three survey frames describe the same units, each well enough.

    Parameters
    ----------
    customers, managers, staff : DataFrame
        One row per respondent, linked by the ``unit`` column.
    min_respondents : int or mapping
        Fewest respondents a unit needs in each frame (an int for all frames,
        or ``{"customers": 10, "managers": 2, "staff": 3}``; unspecified frames
        need 2, the fewest for a within-unit variance).
    unit : str
        Name of the unit identifier column.

    Returns
    -------
    dict
        Frame name -> respondents per unit (Series indexed by unit id, sorted).

    Raises
    ------
    MissingValuesError
        A unit id is missing (names the frame and rows).
    UnlinkedUnitsError
        A unit appears in one frame and not another (names the units).
    TooFewRespondentsError
        A unit has fewer respondents than ``min_respondents`` (names the units).

    Examples
    --------
    >>> from servqual.gaps import simulate_units, check_linked
    >>> c, m, s, _ = simulate_units(4, 5, 2, seed=0)
    >>> check_linked(c, m, s)["customers"].tolist()
    [5, 5, 5, 5]
    """
    mins = _min_counts(min_respondents)
    frames = {"customers": customers, "managers": managers, "staff": staff}
    counts = {}
    for name, df in frames.items():
        check_data(df, name=name)
        check_columns(df, [unit], what=f"{name} unit column")
        ids = df[unit]
        if ids.isna().any():
            rows = df.index[ids.isna().to_numpy()].tolist()
            raise MissingValuesError(
                f"{name}: column {unit!r} is missing at row(s) {_show(rows)}; every respondent "
                "must belong to a unit (they are not dropped silently)."
            )
        counts[name] = ids.value_counts(sort=False).sort_index()
    problems: dict[tuple[str, str], list] = {}
    for a in FRAMES:
        for b in FRAMES:
            if a != b:
                only = sorted(set(counts[a].index) - set(counts[b].index), key=str)
                if only:
                    problems[(a, b)] = only
    if problems:
        text = "; ".join(
            f"unit(s) {_show(u)} appear in {a} but not in {b}" for (a, b), u in problems.items()
        )
        raise UnlinkedUnitsError(
            f"the linked frames do not cover the same units: {text}. Remove or complete these "
            "units explicitly.",
            problems,
        )
    few = {}
    for name in FRAMES:
        c = counts[name]
        low = c[c < mins[name]]
        if len(low):
            few[name] = {k: int(v) for k, v in low.items()}
    if few:
        text = "; ".join(
            f"{name}: "
            + ", ".join(f"{u!r} ({n})" for u, n in list(d.items())[:10])
            + (f" ... ({len(d)} units)" if len(d) > 10 else "")
            + f" < min_respondents={mins[name]}"
            for name, d in few.items()
        )
        raise TooFewRespondentsError(
            f"unit(s) with too few respondents: {text}. Lower the threshold or remove these "
            "units explicitly.",
            few,
        )
    return counts
