"""What the report analyses, resolved from a codebook's roles or from the arguments."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..codebook import Codebook, _stem
from ..errors import InputTypeError, ServqualWarning
from ..instrument import RATER, Instrument

_DEFAULT = object()
#: report ``missing`` policies (``_options`` vocabulary) and old names still accepted
POLICIES = ("listwise", "available", "mean", "raise")
ALIASES = {"pairwise": "available", "report": "available"}


@dataclass(frozen=True)
class Plan:
    """Columns and roles of one report."""

    instrument: Instrument
    codebook: Codebook | None
    sat: list
    loy: list
    recommend: str | None
    csat_item: str | None
    kind: str | None
    paired: bool
    policy: str
    weight: str | None = None
    churn: tuple | None = None  # (column, positive level)
    tenure: str | None = None
    segments: tuple = ()
    pairs: dict = field(default_factory=dict)

    def label(self, column: str) -> str:
        """The codebook's wording of ``column`` (item, block or outcome), else its name."""
        if self.codebook is not None:
            out = self.codebook.label(column)
        else:  # the built-in instrument's wording (P1 -> "Equipment looks modern")
            out = self.instrument.labels.get(_stem(self.instrument, column), column)
        if out == column and column in self.instrument.dimensions:
            return column.replace("_", " ").capitalize()  # 'sales_support' -> 'Sales support'
        return out

    def scale_of(self, column: str):
        if self.codebook is not None:
            return self.codebook.scale_of(column)
        return self.instrument.scale

    def role_hint(self, role: str) -> str:
        if self.codebook is not None:
            return f"the codebook declares no {role} role (roles: {role}: [...])"
        return f"no {role} items found in the data"

    def block_names(self) -> dict[str, str]:
        """Block key -> the name the report's analyses give its column: the block's label.

        Analyses run on columns named by the labels, so that their warnings and figures
        speak the report's language ("attribute 'Sales support'", not 'sales_support').
        Falls back to the keys when two labels coincide or one is a column name the
        analyses use themselves (``satisfaction``, the weight column).
        """
        dims = list(self.instrument.dimensions)
        names = {d: str(self.label(d)) for d in dims}
        taken = {"satisfaction", self.weight if isinstance(self.weight, str) else None}
        if len(set(names.values())) < len(names) or taken & set(names.values()):
            return {d: d for d in dims}
        return names

    def labelled_instrument(self) -> Instrument:
        """The instrument with its blocks named by :meth:`block_names`."""
        names = self.block_names()
        dims = {names[d]: items for d, items in self.instrument.dimensions.items()}
        return replace(self.instrument, dimensions=dims)

    def block_of(self, name: str) -> str:
        """The block key of a name given by :meth:`block_names` (inverse)."""
        return {v: k for k, v in self.block_names().items()}.get(name, name)

    def reword(self, note: str) -> str:
        """``note`` with each quoted block key ('sales_support') replaced by its label.

        A safety net for messages of analyses that must name blocks by their keys
        (the SEM's latent variables are identifiers): a quoted name, or a name beside
        a model-syntax operator (``key ~~ key``, ``key =~ q1``, ``y ~ key``), is
        unambiguous; a bare word is left alone.

        Examples
        --------
        >>> inst = Instrument.from_mapping({"speed": ["q1", "q2"]}, scale=(1, 5))
        >>> cb = Codebook(inst, labels={"speed": "Speed of service"})
        >>> plan = make_plan(pd.DataFrame({"q1": [1], "q2": [2]}), cb, None, None, None,
        ...                  None, "listwise")
        >>> plan.reword("attribute 'speed': speed ~~ speed = -0.1 at speed")
        "attribute 'Speed of service': Speed of service ~~ Speed of service = -0.1 at speed"
        >>> plan.reword("(check parameter speed =~ q2); satisfaction ~ speed")
        '(check parameter Speed of service =~ q2); satisfaction ~ Speed of service'
        """
        names = {d: str(self.label(d)) for d in self.instrument.dimensions}
        names = {d: lab for d, lab in names.items() if lab != d}
        if not names:
            return note
        keys = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
        note = re.sub(r"(['\"])(" + keys + r")\1",
                      lambda m: m.group(1) + names[m.group(2)] + m.group(1), note)  # fmt: skip
        # a key right before an operator, or right after one (the operator kept)
        syntax = (r"(?<![\w.])(" + keys + r")(?= (?:=~|~~|~) )"
                  r"|((?:=~|~~|~) )(" + keys + r")(?![\w.])")  # fmt: skip
        return re.sub(syntax, lambda m: names[m.group(1)] if m.group(1)
                      else m.group(2) + names[m.group(3)], note)  # fmt: skip

    @property
    def blocks_name(self) -> str:
        return "RATER" if tuple(self.instrument.dimensions) == RATER else "quality blocks"


def make_plan(data, instrument, satisfaction, loyalty, recommend, csat_item, policy,
              weights=None) -> Plan:  # fmt: skip
    """Resolve the columns of each role (codebook roles, overridden by the arguments)."""
    if isinstance(instrument, Codebook):
        cb, inst = instrument, instrument.instrument
        roles = cb.roles
        sat = list(roles.satisfaction) if satisfaction is None else list(satisfaction)
        loy = list(roles.loyalty) if loyalty is None else list(loyalty)
        rec = roles.recommend if recommend is _DEFAULT else recommend
        extra = {"weight": roles.weight, "churn": roles.churn, "tenure": roles.tenure,
                 "segments": tuple(roles.segment), "pairs": dict(cb.pairs)}  # fmt: skip
    elif isinstance(instrument, Instrument):
        cb, inst = None, instrument
        sat = ["SAT1", "SAT2", "SAT3"] if satisfaction is None else list(satisfaction)
        loy = ["LOY1", "LOY2", "LTR"] if loyalty is None else list(loyalty)
        rec = "LTR" if recommend is _DEFAULT else recommend
        sat = [c for c in sat if c in data.columns]
        loy = [c for c in loy if c in data.columns]
        extra = {}  # the simulator's names, when present
        if "churn" in data.columns:
            extra["churn"] = ("churn", None)
        if "segment" in data.columns:
            extra["segments"] = ("segment",)
    else:
        raise InputTypeError(
            "instrument must be a servqual.Instrument or Codebook, got "
            f"{type(instrument).__name__}."
        )
    if weights is not None:
        extra["weight"] = weights
    paired = inst.is_paired and all(c in data.columns for c in inst.columns("E"))
    kind = "P" if inst.prefixes else None
    if csat_item is None:
        csat_item = sat[0] if sat else None
    return Plan(inst, cb, sat, loy, rec or None, csat_item or None, kind, paired, policy,
                **extra)  # fmt: skip


def caught(fn):
    """Run ``fn`` and return (value, warning messages)."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        value = fn()
    return value, tuple(
        str(w.message) for w in rec if issubclass(w.category, (ServqualWarning, UserWarning))
    )


def used_rows(frame: pd.DataFrame, cols, what: str) -> tuple[pd.DataFrame, tuple]:
    """Rows complete on ``cols``, and a note when some were left out."""
    sub = frame.dropna(subset=list(cols))
    if sub.shape[0] < frame.shape[0]:
        return sub, (f"{what} used the {sub.shape[0]} of {frame.shape[0]} respondents "
                     "complete on its variables.",)  # fmt: skip
    return sub, ()


def weights_of(data: pd.DataFrame, plan: Plan) -> np.ndarray | None:
    """The respondent weights (one per row of ``data``), or None."""
    if plan.weight is None:
        return None
    w = plan.weight
    if isinstance(w, str):
        return data[w].to_numpy(dtype=float)
    return np.asarray(w, dtype=float)
