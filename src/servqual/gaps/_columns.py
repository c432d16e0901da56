"""Column conventions of the linked gap-model surveys (customers, managers, staff)."""

from __future__ import annotations

from ..instrument import Instrument

__all__ = [
    "RATER",
    "ANTECEDENTS",
    "MANAGER_SCALES",
    "STAFF_SCALES",
    "SCALE_LABELS",
    "GAPS",
    "item_map",
    "scale_items",
]

#: RATER dimensions of the 22-item SERVQUAL -> item numbers (from Instrument.servqual22()).
RATER: dict[str, tuple[int, ...]] = {
    d: tuple(int(i) for i in items) for d, items in Instrument.servqual22().dimensions.items()
}

GAPS = ("gap1", "gap2", "gap3", "gap4")

#: Organisational antecedents of gaps 1-4 (Zeithaml, Berry & Parasuraman 1988).
ANTECEDENTS: dict[str, tuple[str, ...]] = {
    "gap1": ("MRO", "UPC"),
    "gap2": ("COM", "GOAL", "TSTD", "FEAS"),
    "gap3": ("TW", "EJF", "TJF", "PC", "SC", "RC", "RA"),
    "gap4": ("HC", "OP"),
}
MANAGER_SCALES = ANTECEDENTS["gap1"] + ANTECEDENTS["gap2"]
STAFF_SCALES = ANTECEDENTS["gap3"] + ANTECEDENTS["gap4"]
SCALE_LABELS = {
    "MRO": "marketing research orientation",
    "UPC": "upward communication",
    "COM": "management commitment to service quality",
    "GOAL": "goal setting",
    "TSTD": "task standardisation",
    "FEAS": "perception of feasibility",
    "TW": "teamwork",
    "EJF": "employee-job fit",
    "TJF": "technology-job fit",
    "PC": "perceived control",
    "SC": "supervisory control systems",
    "RC": "role conflict",
    "RA": "role ambiguity",
    "HC": "horizontal communication",
    "OP": "propensity to overpromise",
}


def scale_items(scale: str) -> list[str]:
    """The three item columns of an antecedent scale, e.g. ``MRO1..MRO3``."""
    return [f"{scale}{j}" for j in (1, 2, 3)]


def item_map(instrument=None) -> tuple[dict[str, tuple[str, ...]], tuple[float, float]]:
    """Dimension -> item stems (``"1"``..``"22"``) and the response scale.

    ``instrument`` is a paired P/E :class:`servqual.Instrument` whose columns
    are ``P<stem>``/``E<stem>`` (the convention the manager ``ME/SS/CP`` and
    staff ``DP`` columns follow), or ``None`` for
    :meth:`Instrument.gap_customer` (22-item RATER SERVQUAL, 1-7).
    """
    from ..errors import SpecificationError

    if instrument is None:
        instrument = Instrument.gap_customer()
    if not isinstance(instrument, Instrument):
        raise TypeError(
            f"instrument must be a servqual.Instrument, got {type(instrument).__name__}."
        )
    if dict(instrument.prefixes) != {"P": "P", "E": "E"}:
        raise SpecificationError(
            f"instrument {instrument.name!r} has kinds {dict(instrument.prefixes)}: the gap "
            "model needs P/E columns 'P<item>'/'E<item>' (e.g. Instrument.gap_customer())."
        )
    dims = {d: tuple(items) for d, items in instrument.dimensions.items()}
    lo, hi = instrument.scale
    return dims, (float(lo), float(hi))
