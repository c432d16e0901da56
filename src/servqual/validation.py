"""Validation of survey frames against an :class:`~servqual.Instrument`.

:func:`validate` is the single entry point researchers call on their own data
before any model: it checks columns, types, scale and pairing, applies the
chosen missing-data policy and returns the clean frame together with a
:class:`ValidationReport` saying what was used, what was dropped or imputed
and why.  Nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field

import numpy as np
import pandas as pd

from ._checks import Interval, check_data, check_frame, check_params
from ._options import check_missing
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from ._warn import warn
from .codebook import Codebook
from .errors import (
    InsufficientDataError,
    MissingColumnError,
    MissingDataWarning,
    ScaleWarning,
    UnpairedItemError,
)
from .instrument import Instrument

__all__ = ["validate", "ValidationReport"]

#: ``"fiml"`` is a model-based policy (SEM only): validation has no model to apply it to
_POLICIES = ("available", "listwise", "mean", "raise")
#: largest number of scale points checked for unused points
_MAX_POINTS = 11
#: unused points are reported only for items with at least this many answers per point
_PER_POINT = 5
#: items named in an unused-point note (one line per scale), and the number of items
#: stopping short of the same end of the scale from which it suggests a shorter scale
_MAX_LISTED, _MANY = 60, 5


@resultclass
class ValidationReport(Result):
    """What :func:`validate` found and did.

    Attributes
    ----------
    instrument : str
    policy : str
        Missing-data policy applied.
    n_input, n_used, n_dropped : int
        Rows received, rows in the clean frame, rows removed.
    dropped_rows : tuple
        Index labels of removed rows.
    drop_reasons : tuple of str
        One reason per dropped row (``"missing P3, E7"``).
    missing : Series
        Missing values per checked column (before any policy).
    imputed : Series
        Values imputed per column (``policy="mean"``), else zeros.
    columns : tuple of str
        Columns checked.
    unused_points : mapping item -> tuple
        Scale points of each item's declared scale that no respondent used.
    warnings : tuple of str
        Scale points never used, items with a large share of missing (N/A)
        answers, rows dropped (also emitted as warnings).

    Examples
    --------
    >>> from servqual import Instrument, load_dataset
    >>> df = load_dataset("mobi").astype(float)
    >>> df.loc[4, "CUSA2"] = float("nan")
    >>> _, report = validate(df, Instrument.ecsi_mobi(), "mean")
    >>> report.n_missing, int(report.imputed["CUSA2"])
    (1, 1)
    """

    instrument: str
    policy: str
    n_input: int
    n_used: int
    n_dropped: int
    dropped_rows: tuple
    drop_reasons: tuple
    missing: pd.Series = field(repr=False)
    imputed: pd.Series = field(repr=False)
    columns: tuple = field(repr=False, default=())
    coded: pd.Series | None = field(repr=False, default=None)
    unused_points: dict = field(repr=False, default_factory=dict)
    warnings: tuple = field(repr=False, default=())

    @property
    def n_missing(self) -> int:
        """Total missing cells in the checked columns."""
        return int(self.missing.sum())

    def summary(self) -> Summary:
        """Printable / HTML summary of the validation."""
        head = {
            "instrument": self.instrument,
            "missing-data policy": self.policy,
            "rows received": self.n_input,
            "rows used": self.n_used,
            "rows dropped": self.n_dropped,
            "missing cells": self.n_missing,
            "values imputed": int(self.imputed.sum()),
        }
        sections = [("Validation", head)]
        miss = self.missing[self.missing > 0]
        if len(miss) and self.coded is not None:
            coded = self.coded.reindex(miss.index).fillna(0).astype(int)
            table = pd.DataFrame({"blank": miss - coded, "missing code": coded, "missing": miss})
            head["of which missing codes (N/A)"] = int(self.coded.sum())
            sections.append(("Missing values per item: blank answers vs missing codes", table))
        elif len(miss):
            sections.append(("Missing values per item", miss.rename("missing").to_frame()))
        if self.n_dropped:
            shown = pd.DataFrame(
                {"row": list(self.dropped_rows[:20]), "reason": list(self.drop_reasons[:20])}
            )
            more = "" if self.n_dropped <= 20 else f" (first 20 of {self.n_dropped})"
            sections.append((f"Dropped rows{more}", shown))
        notes = list(self.warnings)
        if self.n_missing and self.policy == "available":
            notes.append(
                f"{self.n_missing} missing value(s) kept as NaN; analyses will report how "
                "they handle them."
            )
        return Summary("Survey validation", sections, notes)

    def __str__(self) -> str:
        return str(self.summary())

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()


@records_provenance
def validate(
    data: pd.DataFrame,
    instrument: Instrument,
    missing: str = "available",
    *,
    kinds: Iterable[str] | None = None,
    min_rows: int = 2,
    extra_columns: Iterable[str] = (),
    max_missing_share: float = 0.2,
) -> tuple[pd.DataFrame, ValidationReport]:
    """Check a survey frame against an instrument and apply a missing-data policy.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    instrument : Instrument or Codebook
        A :class:`~servqual.codebook.Codebook` also turns its missing codes
        into NaN (counted apart from blank answers in the report) and checks
        every column against its own scale.
    missing : {"available", "listwise", "mean", "raise"}
        ``"available"`` (default) keeps missing values (as NaN) and counts
        them, so that each later analysis uses the rows complete on its own
        variables; ``"listwise"`` drops incomplete rows, listing each with its
        reason; ``"mean"`` imputes item means and counts the imputations;
        ``"raise"`` raises :class:`~servqual.errors.MissingValuesError`.
        The old names ``"report"`` and ``"pairwise"`` mean ``"available"``.
    kinds : item kinds to check (default: all the instrument declares; e.g.
        ``("P",)`` for a perceptions-only SERVPERF survey).
    min_rows : int
        Fewer complete rows raise :class:`~servqual.errors.InsufficientDataError`.
    extra_columns : further numeric columns to check (e.g. outcomes).
    max_missing_share : float
        Items with a larger share of missing (N/A) answers are warned about
        (:class:`~servqual.errors.ScaleWarning`), as are points of an item's
        declared scale (its own codebook scale, else the instrument's) that no
        respondent used.  The unused-point check runs only on items with at
        least 5 answers per scale point (n >= 25 on a 1-5 scale, 35 on 1-7, 55
        on 0-10): on smaller samples a point may well go unused by chance.

    Returns
    -------
    clean : DataFrame
        All columns of ``data``; checked columns as floats, policy applied.
    report : ValidationReport

    Raises
    ------
    MissingColumnError, UnpairedItemError, DuplicateColumnError,
    NonNumericError, OutOfRangeError, ConstantItemError, EmptyDataError,
    InsufficientDataError, MissingValuesError

    Examples
    --------
    >>> from servqual import Instrument, load_dataset
    >>> clean, report = validate(load_dataset("mobi"), Instrument.ecsi_mobi())
    >>> report.n_used, report.n_dropped
    (250, 0)
    """
    missing = check_missing(missing, _POLICIES)
    check_params(
        {"min_rows": min_rows, "max_missing_share": max_missing_share},
        {
            "min_rows": Interval(1, None, integer=True),
            "max_missing_share": Interval(0, 1),
        },
    )
    coded, own_scales = None, {}
    if isinstance(instrument, Codebook):
        codebook = instrument
        data, counts = codebook.apply(data)  # missing codes -> NaN, counted apart
        coded = counts["coded"]
        instrument = codebook.instrument
        own_scales = {c: codebook.scale_of(c) for c in codebook.rated_columns()}
        extra_columns = list(extra_columns) + [
            c for c in codebook.rated_columns() if c not in instrument.all_columns()
        ]
    if not isinstance(instrument, Instrument):
        raise TypeError(
            "instrument must be a servqual.Instrument or Codebook, got "
            f"{type(instrument).__name__}."
        )
    check_data(data, allow_empty=True)
    if 0 < data.shape[0] < min_rows:  # before any per-column check ("constant" on 2 rows)
        raise InsufficientDataError(
            f"only {data.shape[0]} complete row(s) at most (the data has {data.shape[0]} rows); "
            f"at least {min_rows} needed."
        )
    kinds = list(instrument.kinds) if kinds is None else list(kinds)
    for k in kinds:
        instrument._check_kind(k)
    _check_pairing(data, instrument, kinds)
    item_cols = instrument.all_columns(kinds)
    extra = list(dict.fromkeys(c for c in extra_columns if c not in item_cols))
    columns = item_cols + extra
    scale = {c: instrument.scale for c in item_cols}
    scale.update({c: (-np.inf, np.inf) for c in extra})
    scale.update({c: own_scales[c] for c in columns if c in own_scales})
    frame = check_frame(
        data,
        columns,
        missing="raise" if missing == "raise" else "allow",
        scale=scale,
        min_rows=1,
    )
    missing_counts = frame.isna().sum().astype(int)
    rated = item_cols + [c for c in extra if c in own_scales]
    notes = _scale_notes(frame[rated], {c: scale[c] for c in rated}, max_missing_share)
    unused = notes.pop("unused")
    for text in notes["warnings"]:
        warn(text, ScaleWarning)
    clean = data.copy(deep=False)  # copy-on-write: only the checked columns are new
    clean[columns] = frame
    dropped, reasons = (), ()
    imputed = pd.Series(0, index=columns, dtype=int)
    if missing == "listwise":
        na = frame.isna()
        bad = na.any(axis=1)
        dropped = tuple(_py(i) for i in frame.index[bad])
        reasons = tuple(
            "missing " + ", ".join(na.columns[row]) for row in na.to_numpy()[bad.to_numpy()]
        )
        clean = clean.loc[~bad.to_numpy()]
        if dropped:
            notes["warnings"].append(
                f"listwise deletion dropped {len(dropped)} of {data.shape[0]} rows with missing "
                "values; see the validation report."
            )
            warn(notes["warnings"][-1], MissingDataWarning)
    elif missing == "mean":
        imputed = missing_counts.copy()
        clean[columns] = frame.fillna(frame.mean())
    n_complete = int((~clean[columns].isna().any(axis=1)).sum())
    if n_complete < min_rows:
        raise InsufficientDataError(
            f"only {n_complete} complete row(s) for instrument {instrument.name!r}; "
            f"at least {min_rows} needed (missing values per column: "
            f"{missing_counts[missing_counts > 0].to_dict()})."
        )
    report = ValidationReport(
        instrument=instrument.name,
        policy=missing,
        n_input=int(data.shape[0]),
        n_used=int(clean.shape[0]),
        n_dropped=len(dropped),
        dropped_rows=dropped,
        drop_reasons=reasons,
        missing=missing_counts,
        imputed=imputed,
        columns=tuple(columns),
        coded=None if coded is None else coded.reindex(columns).fillna(0).astype(int),
        unused_points=unused,
        warnings=tuple(notes["warnings"]),
    )
    return clean, report


def _scale_notes(items: pd.DataFrame, scales: dict, max_share: float) -> dict:
    """Points of each item's declared scale never used (on items with at least
    ``_PER_POINT`` answers per point), and items with many missing answers."""
    out: dict = {"unused": {}, "warnings": []}
    by_scale: dict = {}
    for col in items.columns:
        lo, hi = scales[col]
        n_points = hi - lo + 1
        if not (float(lo).is_integer() and float(hi).is_integer() and n_points <= _MAX_POINTS):
            continue
        v = items[col].to_numpy()
        v = v[~np.isnan(v)]
        if v.size < _PER_POINT * n_points:  # a point may go unused by chance
            continue
        seen = set(v.tolist())
        never = tuple(int(p) for p in np.arange(lo, hi + 1) if float(p) not in seen)
        if never:
            out["unused"][col] = never
            by_scale.setdefault((lo, hi), []).append(col)
    for (lo, hi), cols in by_scale.items():
        out["warnings"].append(_unused_text(lo, hi, {c: out["unused"][c] for c in cols}))
    share = items.isna().mean()
    high = share[share > max_share]
    if len(high):
        detail = ", ".join(f"{c} ({s:.0%})" for c, s in high.items())
        out["warnings"].append(
            f"item(s) with more than {max_share:.0%} missing or not-applicable answers: {detail}."
        )
    return out


def _points(points) -> str:
    """``(4, 5)`` -> ``"points 4 and 5"``, ``(1,)`` -> ``"point 1"``."""
    p = [f"{x:g}" for x in points]
    return f"point {p[0]}" if len(p) == 1 else f"points {', '.join(p[:-1])} and {p[-1]}"


def _names(cols: list) -> str:
    """``qi6, qi7, qi8 (3 items)``: the items of one line, at most ``_MAX_LISTED``."""
    names = ", ".join(map(str, cols[:_MAX_LISTED]))
    if len(cols) > _MAX_LISTED:
        names += f" and {len(cols) - _MAX_LISTED} more"
    return names + (f" ({len(cols)} items)" if len(cols) > 2 else "")


def _unused_text(lo, hi, never: dict) -> str:
    """One line for the items of one declared scale, e.g. "On the declared 1-5 scale, E5:
    point 1 never used."  Items that miss the same points are named together; when
    ``_MANY`` or more items never reach the same end of the scale, the line says they
    may have been asked on a shorter scale.

    Examples
    --------
    >>> _unused_text(1, 5, {"E5": (1,), "E7": (1,), "E9": (5,)})
    'On the declared 1-5 scale, E5, E7: point 1 never used; E9: point 5 never used.'
    """
    lo, hi = int(lo), int(hi)
    rest = {c: set(p) for c, p in never.items()}
    parts = []
    for end in ("top", "bottom"):  # many items that stop short of one end: a shorter scale?
        reach: dict = {}
        for c, pts in never.items():
            used = [p for p in range(lo, hi + 1) if p not in pts]
            last = used[-1] if end == "top" else used[0]
            if last != (hi if end == "top" else lo):
                reach.setdefault(last, []).append(c)
        for last, cols in reach.items():
            if len(cols) < _MANY:
                continue
            cut = range(last + 1, hi + 1) if end == "top" else range(lo, last)
            a, b = (lo, last) if end == "top" else (last, hi)
            parts.append(
                f"{_names(cols)}: {_points(cut)} never used, every answer within {a}-{b} "
                f"(if these questions were asked on a {a}-{b} scale, declare it under "
                "scales in the codebook)"
            )
            for c in cols:
                rest[c] -= set(cut)
    groups: dict = {}
    for c, pts in rest.items():
        if pts:
            groups.setdefault(tuple(sorted(pts)), []).append(c)
    parts += [f"{_names(cols)}: {_points(pts)} never used" for pts, cols in groups.items()]
    return f"On the declared {lo}-{hi} scale, " + "; ".join(parts) + "."


def _py(v):
    return v.item() if isinstance(v, np.generic) else v


def _check_pairing(data: pd.DataFrame, instrument: Instrument, kinds: list[str]) -> None:
    """P items need their E partners (and vice versa); name the unpaired items."""
    if not (instrument.is_paired and "P" in kinds and "E" in kinds):
        return
    have = set(data.columns)
    p_only = [
        instrument.column(i, "P")
        for i in instrument.items
        if instrument.column(i, "P") in have and instrument.column(i, "E") not in have
    ]
    e_only = [
        instrument.column(i, "E")
        for i in instrument.items
        if instrument.column(i, "E") in have and instrument.column(i, "P") not in have
    ]
    if p_only or e_only:
        parts = []
        if p_only:
            partners = [instrument.column(c[len(instrument.prefixes["P"]) :], "E") for c in p_only]
            parts.append(f"perception item(s) {p_only} have no expectation partner {partners}")
        if e_only:
            partners = [instrument.column(c[len(instrument.prefixes["E"]) :], "P") for c in e_only]
            parts.append(f"expectation item(s) {e_only} have no perception partner {partners}")
        hint = (
            " For a perceptions-only (SERVPERF) survey pass kinds=('P',)."
            if p_only and not any(c in have for c in instrument.columns("E"))
            else ""
        )
        raise UnpairedItemError("; ".join(parts) + "." + hint)
    missing = [c for k in kinds for c in instrument.columns(k) if c not in have]
    if missing:
        raise MissingColumnError(
            f"item column(s) {missing} of instrument {instrument.name!r} not found in the data."
        )
