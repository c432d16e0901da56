"""Instruments: which survey column measures what.

An :class:`Instrument` declares the dimensions and their items, the response
scale, reverse-keyed items and, for designs that ask the same item several
ways (perception P, expectation E, adequate A, desired D, ...), the column
prefix of each *kind*.  Every scoring and modelling function reads column
names from here instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from ._checks import check_scale
from .errors import ParameterError, SpecificationError

__all__ = ["Instrument", "RATER", "RATER_NAMES", "SERVQUAL22_ITEMS"]

#: RATER dimensions in SERVQUAL (1991) item order.
RATER = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")

#: RATER dimension names per language (``Instrument.servqual22(language=...)``)
RATER_NAMES = {
    "en": RATER,
    "zh": ("有形度", "信赖度", "反应度", "专业度", "同理度"),
}

#: Paraphrased wording of the 22 SERVQUAL items (our own words, after the
#: 1991 revision by Parasuraman, Berry & Zeithaml).
SERVQUAL22_ITEMS = {
    "1": "Equipment looks modern",
    "2": "Facilities look appealing",
    "3": "Staff look neat and professional",
    "4": "Materials (leaflets, statements) look appealing",
    "5": "Does what it promises by the promised time",
    "6": "Shows real interest in solving a customer's problem",
    "7": "Gets the service right the first time",
    "8": "Delivers the service at the time it says",
    "9": "Keeps records free of errors",
    "10": "Tells customers exactly when things will happen",
    "11": "Serves customers promptly",
    "12": "Staff are always willing to help",
    "13": "Staff are never too busy to answer requests",
    "14": "Staff behaviour instils confidence",
    "15": "Customers feel safe in their transactions",
    "16": "Staff are consistently courteous",
    "17": "Staff have the knowledge to answer questions",
    "18": "Gives customers individual attention",
    "19": "Opening hours suit all customers",
    "20": "Staff give customers personal attention",
    "21": "Has the customer's best interests at heart",
    "22": "Staff understand customers' specific needs",
}

_SERVQUAL_DIMS = {
    "tangibles": ("1", "2", "3", "4"),
    "reliability": ("5", "6", "7", "8", "9"),
    "responsiveness": ("10", "11", "12", "13"),
    "assurance": ("14", "15", "16", "17"),
    "empathy": ("18", "19", "20", "21", "22"),
}


def _freeze(mapping: Mapping[str, Iterable[str]]) -> MappingProxyType:
    return MappingProxyType({str(k): tuple(str(i) for i in v) for k, v in mapping.items()})


@dataclass(frozen=True, eq=True)
class Instrument:
    """A questionnaire: dimensions, items, scale, reverse keying, item kinds.

    Parameters
    ----------
    name : str
    dimensions : mapping of dimension -> item stems
        With ``prefixes`` empty the stems *are* the column names; otherwise
        the column of item ``s`` of kind ``k`` is ``prefixes[k] + s``.
    scale : (low, high)
        Response scale, e.g. ``(1, 7)``.
    reverse : item stems that are reverse keyed (scored ``low + high - x``).
    prefixes : mapping of kind -> column prefix, e.g. ``{"P": "P", "E": "E"}``.
    scales : mapping of scale name -> column names
        Further multi-item scales measured once (e.g. antecedents of a gap),
        not asked per kind.
    labels : mapping of item stem -> wording.

    Examples
    --------
    >>> inst = Instrument.servqual22()
    >>> inst.columns("P")[:3]
    ['P1', 'P2', 'P3']
    >>> inst.dimension_columns("E")["tangibles"]
    ['E1', 'E2', 'E3', 'E4']
    """

    name: str
    dimensions: Mapping[str, tuple[str, ...]]
    scale: tuple[float, float]
    reverse: tuple[str, ...] = ()
    prefixes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    scales: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self):
        object.__setattr__(self, "dimensions", _freeze(self.dimensions))
        object.__setattr__(self, "scales", _freeze(self.scales))
        object.__setattr__(self, "prefixes", MappingProxyType(dict(self.prefixes)))
        object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))
        object.__setattr__(self, "scale", check_scale(self.scale))
        object.__setattr__(self, "reverse", tuple(str(r) for r in self.reverse))
        if not self.dimensions:
            raise SpecificationError(f"instrument {self.name!r} has no dimensions.")
        seen: dict[str, str] = {}
        for dim, items in self.dimensions.items():
            if not items:
                raise SpecificationError(f"dimension {dim!r} has no items.")
            for it in items:
                if it in seen:
                    raise SpecificationError(
                        f"item {it!r} is listed under both {seen[it]!r} and {dim!r}."
                    )
                seen[it] = dim
        bad = [r for r in self.reverse if r not in seen]
        if bad:
            raise SpecificationError(
                f"reverse-keyed item(s) {bad} are not items of the instrument."
            )
        for k, p in self.prefixes.items():
            if not isinstance(p, str):
                raise SpecificationError(f"prefix of kind {k!r} must be a string, got {p!r}.")

    # ------------------------------------------------------------------ access
    @property
    def items(self) -> tuple[str, ...]:
        """All item stems, in dimension order.

        Examples
        --------
        >>> Instrument.servqual22().items[:3]
        ('1', '2', '3')
        """
        return tuple(i for items in self.dimensions.values() for i in items)

    @property
    def kinds(self) -> tuple[str, ...]:
        """Item kinds (e.g. ``("P", "E")``); ``()`` for a single-kind instrument.

        Examples
        --------
        >>> Instrument.servqual22().kinds, Instrument.ecsi_mobi().kinds
        (('P', 'E'), ())
        """
        return tuple(self.prefixes)

    @property
    def is_paired(self) -> bool:
        """True for a P−E design (both kinds ``"P"`` and ``"E"`` declared).

        Examples
        --------
        >>> Instrument.servqual22().is_paired
        True
        """
        return "P" in self.prefixes and "E" in self.prefixes

    def _check_kind(self, kind: str | None) -> None:
        if kind is None:
            if self.prefixes:
                raise ParameterError(
                    f"kind=None is ambiguous for instrument {self.name!r}: expected one of "
                    f"{list(self.prefixes)}."
                )
        elif kind not in self.prefixes:
            raise ParameterError(
                f"kind={kind!r} is invalid for instrument {self.name!r}: expected "
                + (f"one of {list(self.prefixes)}." if self.prefixes else "None.")
            )

    def column(self, item: str, kind: str | None = None) -> str:
        """Column name of one item of one kind.

        Examples
        --------
        >>> Instrument.servqual22().column("5", "E")
        'E5'
        """
        self._check_kind(kind)
        return item if kind is None else self.prefixes[kind] + item

    def columns(self, kind: str | None = None) -> list[str]:
        """Column names of all items of ``kind``.

        Examples
        --------
        >>> Instrument.servqual22().columns("P")[-2:]
        ['P21', 'P22']
        """
        return [self.column(i, kind) for i in self.items]

    def dimension_columns(self, kind: str | None = None) -> dict[str, list[str]]:
        """Mapping dimension -> its item columns of ``kind``.

        Examples
        --------
        >>> Instrument.servqual22().dimension_columns("P")["reliability"]
        ['P5', 'P6', 'P7', 'P8', 'P9']
        """
        return {d: [self.column(i, kind) for i in items] for d, items in self.dimensions.items()}

    def dimension_of(self, item: str) -> str:
        """The dimension an item stem belongs to.

        Examples
        --------
        >>> Instrument.servqual22().dimension_of("7")
        'reliability'
        """
        for d, items in self.dimensions.items():
            if item in items:
                return d
        raise ParameterError(f"item {item!r} is not in instrument {self.name!r}.")

    def scale_columns(self) -> list[str]:
        """Columns of the extra multi-item scales.

        Examples
        --------
        >>> Instrument.gap_manager().scale_columns()[:4]
        ['MRO1', 'MRO2', 'MRO3', 'UPC1']
        """
        return [c for cols in self.scales.values() for c in cols]

    def all_columns(self, kinds: Iterable[str] | None = None) -> list[str]:
        """Every column the instrument declares (items of ``kinds`` + extra scales).

        Examples
        --------
        >>> len(Instrument.servqual22().all_columns())   # 22 P + 22 E
        44
        """
        kinds = list(self.prefixes) if kinds is None else list(kinds)
        cols = [c for k in kinds for c in self.columns(k)] if kinds else self.columns()
        return cols + self.scale_columns()

    def with_prefixes(self, **prefixes: str) -> Instrument:
        """The same instrument asked with other kinds, e.g. ``P="P", A="A", D="D"``.

        Examples
        --------
        >>> Instrument.servqual22().with_prefixes(P="P", A="MIN", D="DES").columns("D")[0]
        'DES1'
        """
        return replace(self, prefixes=prefixes)

    # --------------------------------------------------------------- builders
    @classmethod
    def from_mapping(
        cls,
        dimensions: Mapping[str, Iterable[str]],
        *,
        scale: tuple[float, float] = (1, 7),
        reverse: Iterable[str] = (),
        prefixes: Mapping[str, str] | None = None,
        name: str = "custom",
        labels: Mapping[str, str] | None = None,
    ) -> Instrument:
        """An instrument for your own questionnaire.

        Examples
        --------
        >>> inst = Instrument.from_mapping({"speed": ["q1", "q2"], "care": ["q3", "q4"]},
        ...                                scale=(1, 5), reverse=["q2"])
        >>> inst.dimension_columns()
        {'speed': ['q1', 'q2'], 'care': ['q3', 'q4']}
        """
        if not isinstance(dimensions, Mapping):
            raise TypeError(
                "dimensions must be a mapping of dimension -> items, got "
                f"{type(dimensions).__name__}."
            )
        dims = {}
        for d, items in dimensions.items():
            if isinstance(items, str):
                raise SpecificationError(
                    f"dimension {d!r}: items must be a list of column names, got the string "
                    f"{items!r}."
                )
            dims[d] = tuple(items)
        return cls(
            name=name,
            dimensions=dims,
            scale=scale,
            reverse=tuple(reverse),
            prefixes=prefixes or {},
            labels=labels or {},
        )

    @classmethod
    def servqual22(cls, language: str = "en") -> Instrument:
        """The 22-item SERVQUAL (Parasuraman, Berry & Zeithaml 1991), P and E, 7-point.

        Tangibles 1-4, reliability 5-9, responsiveness 10-13, assurance 14-17,
        empathy 18-22; columns ``P1..P22`` and ``E1..E22``.  ``language="zh"``
        names the dimensions as Chinese CX trainers do: 有形度 (tangibles),
        信赖度 (reliability), 反应度 (responsiveness), 专业度 (assurance),
        同理度 (empathy).

        >>> list(Instrument.servqual22(language="zh").dimensions)
        ['有形度', '信赖度', '反应度', '专业度', '同理度']

        Examples
        --------
        >>> Instrument.servqual22().dimensions["assurance"]
        ('14', '15', '16', '17')
        """
        if language not in RATER_NAMES:
            raise ParameterError(
                f"language={language!r} is invalid: expected one of {sorted(RATER_NAMES)}."
            )
        names = RATER_NAMES[language]
        return cls(
            name="servqual22" if language == "en" else f"servqual22_{language}",
            dimensions={names[i]: items for i, items in enumerate(_SERVQUAL_DIMS.values())},
            scale=(1, 7),
            prefixes={"P": "P", "E": "E"},
            labels=SERVQUAL22_ITEMS,
        )

    @classmethod
    def ecsi_mobi(cls) -> Instrument:
        """The ECSI mobile-phone survey (Tenenhaus et al. 2005), 10-point.

        Examples
        --------
        >>> Instrument.ecsi_mobi().dimension_columns()["value"]
        ['PERV1', 'PERV2']
        """
        dims = {
            "image": [f"IMAG{i}" for i in range(1, 6)],
            "expectation": [f"CUEX{i}" for i in range(1, 4)],
            "quality": [f"PERQ{i}" for i in range(1, 8)],
            "value": ["PERV1", "PERV2"],
            "satisfaction": [f"CUSA{i}" for i in range(1, 4)],
            "complaints": ["CUSCO"],
            "loyalty": [f"CUSL{i}" for i in range(1, 4)],
        }
        return cls(name="ecsi_mobi", dimensions=dims, scale=(1, 10))

    @classmethod
    def gap_customer(cls) -> Instrument:
        """Five-gap customer survey: the SERVQUAL P/E items (gap 5 = P − E).

        Examples
        --------
        >>> Instrument.gap_customer().kinds
        ('P', 'E')
        """
        return replace(cls.servqual22(), name="gap_customer")

    @classmethod
    def gap_manager(cls) -> Instrument:
        """Five-gap manager survey (after Zeithaml, Berry & Parasuraman 1988).

        Per SERVQUAL item: ``ME`` what managers believe customers expect
        (gap 1), ``SS`` the service standard specified (gap 2), ``CP`` the
        level promised in external communications (gap 4).  Antecedent scales
        (three items each, 1-7): gap 1 marketing research orientation ``MRO``,
        upward communication ``UPC``; gap 2 management commitment ``COM``,
        goal setting ``GOAL``, task standardisation ``TSTD``, perception of
        feasibility ``FEAS``.

        Examples
        --------
        >>> Instrument.gap_manager().columns("SS")[:2]
        ['SS1', 'SS2']
        """
        scales = {
            "marketing_research_orientation": _three("MRO"),
            "upward_communication": _three("UPC"),
            "management_commitment": _three("COM"),
            "goal_setting": _three("GOAL"),
            "task_standardisation": _three("TSTD"),
            "perceived_feasibility": _three("FEAS"),
        }
        return cls(
            name="gap_manager",
            dimensions=_SERVQUAL_DIMS,
            scale=(1, 7),
            prefixes={"ME": "ME", "SS": "SS", "CP": "CP"},
            scales=scales,
            labels=SERVQUAL22_ITEMS,
        )

    @classmethod
    def gap_staff(cls) -> Instrument:
        """Five-gap contact-staff survey (after Zeithaml, Berry & Parasuraman 1988).

        Per SERVQUAL item: ``DP`` the performance delivered (gaps 3 and 4).
        Antecedent scales (three items each, 1-7): gap 3 teamwork ``TW``,
        employee-job fit ``EJF``, technology-job fit ``TJF``, perceived control
        ``PC``, supervisory control systems ``SC``, role conflict ``RC``, role
        ambiguity ``RA``; gap 4 horizontal communication ``HC``, propensity to
        overpromise ``OP``.

        Examples
        --------
        >>> Instrument.gap_staff().scales["teamwork"]
        ('TW1', 'TW2', 'TW3')
        """
        scales = {
            "teamwork": _three("TW"),
            "employee_job_fit": _three("EJF"),
            "technology_job_fit": _three("TJF"),
            "perceived_control": _three("PC"),
            "supervisory_control": _three("SC"),
            "role_conflict": _three("RC"),
            "role_ambiguity": _three("RA"),
            "horizontal_communication": _three("HC"),
            "propensity_to_overpromise": _three("OP"),
        }
        return cls(
            name="gap_staff",
            dimensions=_SERVQUAL_DIMS,
            scale=(1, 7),
            prefixes={"DP": "DP"},
            scales=scales,
            labels=SERVQUAL22_ITEMS,
        )

    def __repr__(self) -> str:
        dims = ", ".join(f"{d}({len(v)})" for d, v in self.dimensions.items())
        kinds = f", kinds={list(self.prefixes)}" if self.prefixes else ""
        lo, hi = self.scale
        return f"Instrument({self.name!r}: {dims}; scale {lo:g}-{hi:g}{kinds})"


def _three(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in (1, 2, 3))
