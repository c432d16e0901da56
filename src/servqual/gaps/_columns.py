"""Column conventions of the linked gap-model surveys (customers, managers, staff)."""

from __future__ import annotations

import re

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

#: RATER dimensions of the 22-item SERVQUAL (Parasuraman, Zeithaml & Berry 1988).
RATER: dict[str, tuple[int, ...]] = {
    "tangibles": (1, 2, 3, 4),
    "reliability": (5, 6, 7, 8, 9),
    "responsiveness": (10, 11, 12, 13),
    "assurance": (14, 15, 16, 17),
    "empathy": (18, 19, 20, 21, 22),
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
    """Dimension -> item suffixes (``"1"``..``"22"``) and the response scale.

    ``instrument`` is a :class:`servqual.Instrument` with P/E columns (its
    ``dimension_columns("P")`` gives ``P1..``) or ``None`` for the 22-item
    RATER SERVQUAL on a 1-7 scale.
    """
    if instrument is None:
        return {d: tuple(str(i) for i in items) for d, items in RATER.items()}, (1.0, 7.0)
    cols = instrument.dimension_columns("P")
    out = {}
    for dim, names in cols.items():
        suffixes = []
        for c in names:
            m = re.fullmatch(r"P(.+)", str(c))
            if m is None:
                from ..errors import SpecificationError

                raise SpecificationError(
                    f"instrument column {c!r} of dimension {dim!r} is not a perception column "
                    "'P<item>': the gap model needs a P/E instrument such as servqual22()."
                )
            suffixes.append(m.group(1))
        out[dim] = tuple(suffixes)
    lo, hi = instrument.scale
    return out, (float(lo), float(hi))
