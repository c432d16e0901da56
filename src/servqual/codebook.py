"""The questionnaire as a file: a YAML codebook kept beside the data.

A :class:`Codebook` says which column measures what: the blocks (dimensions)
and their items, each item's response scale, the codes that mean "not
applicable" or "don't know", the question wording in any language, value
labels, stated-importance and perception/expectation partners, and the
*roles* of the other columns (satisfaction, recommend, loyalty, churn, tenure,
segment, wave, weight, unit, id).  :func:`read_codebook` and
:func:`write_codebook` read and write it; :meth:`Codebook.apply` turns
missing codes into missing values and counts them apart from blank answers.
The format is documented in ``docs/codebook.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from .errors import CodebookError, ServqualError
from .instrument import Instrument

__all__ = ["Codebook", "Roles", "read_codebook", "write_codebook", "codebook_from_instrument"]

#: top-level keys of a codebook file
KEYS = (
    "name",
    "scale",
    "scales",
    "missing_codes",
    "dimensions",
    "reverse",
    "prefixes",
    "importance",
    "pairs",
    "labels",
    "value_labels",
    "roles",
)
#: role -> True when it holds a list of columns
ROLE_LISTS = {
    "satisfaction": True,
    "recommend": False,
    "loyalty": True,
    "churn": False,
    "tenure": False,
    "segment": True,
    "wave": False,
    "weight": False,
    "unit": False,
    "id": False,
}


def _mp(d=None) -> MappingProxyType:
    return MappingProxyType(dict(d or {}))


@dataclass(frozen=True)
class Roles:
    """Which columns play which part in the analyses (all optional).

    Examples
    --------
    >>> r = Roles(satisfaction=("q1",), churn=("Churn", "Yes"))
    >>> r.columns()
    ['q1', 'Churn']
    """

    satisfaction: tuple[str, ...] = ()
    recommend: str | None = None
    loyalty: tuple[str, ...] = ()
    churn: tuple[str, object] | None = None  # (column, positive level)
    tenure: str | None = None
    segment: tuple[str, ...] = ()
    wave: str | None = None
    weight: str | None = None
    unit: str | None = None
    id: str | None = None

    def columns(self) -> list[str]:
        """Every column named by a role, in role order, without repeats."""
        return list(dict.fromkeys(c for _, c in self.by_column()))

    def by_column(self) -> list[tuple[str, str]]:
        """(role key, column) pairs, e.g. ``("roles.tenure", "tenure")``."""
        pairs = []
        for role, is_list in ROLE_LISTS.items():
            v = getattr(self, role)
            if v is None:
                continue
            cols = [v[0]] if role == "churn" else (list(v) if is_list else [v])
            pairs += [(f"roles.{role}", c) for c in cols]
        return pairs

    def outcome_columns(self) -> list[str]:
        """Numeric rated outcomes: satisfaction, loyalty and recommend items."""
        cols = list(self.satisfaction) + list(self.loyalty)
        if self.recommend and self.recommend not in cols:
            cols.append(self.recommend)
        return cols

    def to_dict(self) -> dict:
        out: dict = {}
        for role, is_list in ROLE_LISTS.items():
            v = getattr(self, role)
            if v is None or (is_list and not v):
                continue
            if role == "churn":
                out[role] = {"column": v[0], "positive": _plain(v[1])}
            else:
                out[role] = list(v) if is_list else v
        return out


@dataclass(frozen=True, eq=False)
class Codebook:
    """A questionnaire: an :class:`~servqual.Instrument` plus what a data file needs.

    Parameters
    ----------
    instrument : Instrument
        Blocks, items, default scale, reverse keying (and kinds for a P/E design).
    scales : mapping of column -> (low, high)
        Item scales that differ from ``instrument.scale`` (outcome items too).
    missing_codes : tuple of numbers
        Codes meaning "not applicable" / "don't know" in every item.
    item_missing_codes : mapping of column -> tuple
        Codes of one column; they *replace* the global codes for that column.
    labels : mapping of column -> question wording (any language)
    value_labels : mapping of column -> {code: label}
    importance : mapping of item -> its stated-importance column
    pairs : mapping of perception column -> expectation column
    roles : Roles

    Examples
    --------
    >>> from servqual import Instrument
    >>> cb = Codebook(Instrument.from_mapping({"speed": ["q1", "q2"]}, scale=(1, 5)),
    ...               missing_codes=(0,), roles=Roles(satisfaction=("sat",)))
    >>> data, counts = cb.apply(pd.DataFrame({"q1": [1, 0, 5], "q2": [2, None, 0],
    ...                                       "sat": [3, 4, 5]}))
    >>> counts.loc["q2"].to_dict()
    {'blank': 1, 'coded': 1, 'n_valid': 1}
    """

    instrument: Instrument
    scales: Mapping[str, tuple[float, float]] = field(default_factory=_mp)
    missing_codes: tuple = ()
    item_missing_codes: Mapping[str, tuple] = field(default_factory=_mp)
    labels: Mapping[str, str] = field(default_factory=_mp)
    value_labels: Mapping[str, Mapping] = field(default_factory=_mp)
    importance: Mapping[str, str] = field(default_factory=_mp)
    pairs: Mapping[str, str] = field(default_factory=_mp)
    roles: Roles = field(default_factory=Roles)

    def __post_init__(self):
        if not isinstance(self.instrument, Instrument):
            raise CodebookError(
                f"instrument must be a servqual.Instrument, got {type(self.instrument).__name__}."
            )
        object.__setattr__(self, "scales", _mp({k: tuple(v) for k, v in self.scales.items()}))
        object.__setattr__(self, "missing_codes", tuple(self.missing_codes))
        object.__setattr__(
            self, "item_missing_codes",
            _mp({k: tuple(v) for k, v in self.item_missing_codes.items()}),
        )  # fmt: skip
        for name in ("labels", "importance", "pairs"):
            object.__setattr__(self, name, _mp(getattr(self, name)))
        object.__setattr__(
            self, "value_labels", _mp({k: _mp(v) for k, v in self.value_labels.items()})
        )
        _check_consistency(self)

    # ------------------------------------------------------------------ access
    @property
    def name(self) -> str:
        """The instrument's name."""
        return self.instrument.name

    @property
    def items(self) -> list[str]:
        """Item columns of the blocks (every kind for a P/E design)."""
        return self.instrument.all_columns()

    def rated_columns(self) -> list[str]:
        """Item, importance and rated outcome columns (those with a scale)."""
        cols = list(self.items)
        cols += [c for c in self.importance.values() if c not in cols]
        cols += [c for c in self.roles.outcome_columns() if c not in cols]
        cols += [c for c in self.scales if c not in cols]
        return cols

    def scale_of(self, column: str) -> tuple[float, float]:
        """The response scale of ``column`` (its own, else the default)."""
        return tuple(self.scales.get(column, self.instrument.scale))

    def codes_of(self, column: str) -> tuple:
        """The missing codes of ``column`` (its own, else the global ones)."""
        return self.item_missing_codes.get(column, self.missing_codes)

    def label(self, column: str) -> str:
        """The wording of ``column``, else the column name.

        Examples
        --------
        >>> cb = codebook_from_instrument(Instrument.servqual22())
        >>> cb.label("P1")
        'Equipment looks modern'
        """
        if not isinstance(column, str):
            return column
        stem = _stem(self.instrument, column)
        for key in (column, stem):
            if key in self.labels:
                return self.labels[key]
        return self.instrument.labels.get(stem, column)

    # ------------------------------------------------------------------- data
    def check(self, data: pd.DataFrame) -> None:
        """Raise :class:`CodebookError` if a column the codebook names is not in ``data``."""
        have = set(map(str, data.columns))
        named = [(f"dimensions.{self.instrument.dimension_of(_stem(self.instrument, c))}", c)
                 for c in self.items]  # fmt: skip
        named += [(f"importance.{k}", v) for k, v in self.importance.items()]
        named += [(f"pairs.{k}", v) for k, v in self.pairs.items()]
        named += [("pairs", k) for k in self.pairs]
        named += self.roles.by_column()
        named += [(f"scales.{c}", c) for c in self.scales]
        missing = [(k, c) for k, c in named if c not in have]
        if missing:
            shown = "; ".join(f"{k}: {c!r}" for k, c in missing[:8])
            more = f" (and {len(missing) - 8} more)" if len(missing) > 8 else ""
            raise CodebookError(
                f"codebook {self.name!r} names column(s) not in the data: {shown}{more}. "
                f"The data has {len(have)} columns, e.g. {sorted(have)[:6]}."
            )

    def apply(self, data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Turn missing codes into NaN; count them apart from blank answers.

        Returns
        -------
        data : DataFrame
            A copy with every rated column numeric and its codes set to NaN.
        counts : DataFrame
            Per rated column: ``blank`` (empty before), ``coded`` (a missing
            code) and ``n_valid``.
        """
        from ._checks import check_data

        data = check_data(data)
        self.check(data)
        out = data.copy()
        rows = {}
        for col in self.rated_columns():
            s = out[col]
            if not pd.api.types.is_numeric_dtype(s):
                num = pd.to_numeric(s, errors="coerce")
                bad = s.notna() & num.isna()
                if bad.any():
                    from .errors import NonNumericError

                    first = s[bad].iloc[0]
                    raise NonNumericError(
                        f"column {col!r} holds text, e.g. {first!r} in row {s[bad].index[0]!r}; "
                        "expected numbers (declare text codes in value_labels and recode them)."
                    )
                s = num
            blank = int(s.isna().sum())
            codes = self.codes_of(col)
            coded = s.isin(codes) if codes else pd.Series(False, index=s.index)
            out[col] = s.astype(float).mask(coded)
            rows[col] = {"blank": blank, "coded": int(coded.sum()),
                         "n_valid": int(out[col].notna().sum())}  # fmt: skip
        counts = pd.DataFrame.from_dict(rows, orient="index", columns=["blank", "coded", "n_valid"])
        counts.index.name = "column"
        return out, counts.astype(int)

    # ------------------------------------------------------------- conversion
    def to_dict(self) -> dict:
        """The codebook as plain data (what :func:`write_codebook` writes)."""
        inst = self.instrument
        d: dict = {"name": inst.name, "scale": [_plain(v) for v in inst.scale]}
        if self.scales:
            d["scales"] = {k: [_plain(x) for x in v] for k, v in self.scales.items()}
        if self.item_missing_codes:
            codes = {"all": [_plain(c) for c in self.missing_codes]}
            codes.update({k: [_plain(c) for c in v] for k, v in self.item_missing_codes.items()})
            d["missing_codes"] = codes
        elif self.missing_codes:
            d["missing_codes"] = [_plain(c) for c in self.missing_codes]
        d["dimensions"] = {k: list(v) for k, v in inst.dimensions.items()}
        if inst.reverse:
            d["reverse"] = list(inst.reverse)
        if inst.prefixes:
            d["prefixes"] = dict(inst.prefixes)
        for key in ("importance", "pairs"):
            if getattr(self, key):
                d[key] = dict(getattr(self, key))
        labels = dict(inst.labels)
        labels.update(self.labels)
        if labels:
            d["labels"] = labels
        if self.value_labels:
            d["value_labels"] = {
                k: {_plain(c): str(lab) for c, lab in v.items()}
                for k, v in self.value_labels.items()
            }
        roles = self.roles.to_dict()
        if roles:
            d["roles"] = roles
        return d

    @classmethod
    def from_dict(cls, spec: Mapping, *, source: str = "codebook") -> Codebook:
        """Build a codebook from plain data (a parsed YAML file); see ``docs/codebook.md``."""
        return _parse(spec, source)

    def with_roles(self, **roles) -> Codebook:
        """The same codebook with some roles replaced.

        Examples
        --------
        >>> cb = codebook_from_instrument(Instrument.servqual22())
        >>> cb.with_roles(satisfaction=["SAT1"]).roles.satisfaction
        ('SAT1',)
        """
        spec = self.roles.to_dict()
        spec.update(roles)
        return replace(self, roles=_parse_roles(spec, "codebook"))

    def __repr__(self) -> str:
        inst = self.instrument
        dims = ", ".join(f"{d}({len(v)})" for d, v in inst.dimensions.items())
        lo, hi = inst.scale
        roles = ", ".join(self.roles.to_dict())
        codes = f"; missing codes {list(self.missing_codes)}" if self.missing_codes else ""
        return (
            f"Codebook({inst.name!r}: {dims}; scale {lo:g}-{hi:g}{codes}"
            + (f"; roles: {roles}" if roles else "")
            + ")"
        )


# --------------------------------------------------------------------- parsing
def _plain(v):
    """NumPy scalars and integral floats as plain Python (for YAML)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _stem(inst: Instrument, column: str) -> str:
    for p in inst.prefixes.values():
        if p and column.startswith(p) and column[len(p) :] in inst.items:
            return column[len(p) :]
    return column


def _err(key: str, value, expected: str, source: str):
    return CodebookError(f"{source}: {key}: {value!r} is invalid: {expected}")


def _names(value, key: str, source: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise _err(key, value, "expected a column name or a non-empty list of column names.",
                   source)  # fmt: skip
    out = []
    for v in value:
        if not isinstance(v, (str, int)) or isinstance(v, bool):
            raise _err(key, v, "expected a column name.", source)
        out.append(str(v))
    return out


def _number(v, key, source) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise _err(key, v, "expected a finite number.", source)
    return v


def _scale(value, key: str, source: str) -> tuple:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise _err(key, value, "expected [low, high], e.g. [1, 5].", source)
    lo, hi = (_number(v, key, source) for v in value)
    if not lo < hi:
        raise _err(key, list(value), f"the minimum {lo} must be below the maximum {hi}.", source)
    return lo, hi


def _codes(value, key: str, source: str) -> tuple:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise _err(key, value, "expected a list of numeric codes, e.g. [0, 9].", source)
    return tuple(_number(v, key, source) for v in value)


def _mapping(spec, key, source) -> dict:
    v = spec.get(key) or {}
    if not isinstance(v, Mapping):
        raise _err(key, v, "expected a mapping (key: value lines).", source)
    return {str(k): val for k, val in v.items()}


def _parse(spec: Mapping, source: str) -> Codebook:
    if not isinstance(spec, Mapping):
        raise CodebookError(
            f"{source}: expected a mapping of keys ({', '.join(KEYS)}), got {type(spec).__name__}."
        )
    unknown = [k for k in spec if k not in KEYS]
    if unknown:
        raise CodebookError(
            f"{source}: unknown key {unknown[0]!r}: expected one of {', '.join(KEYS)}."
        )
    name = str(spec.get("name") or Path(source).stem)
    scale = _scale(spec.get("scale", [1, 5]), "scale", source)
    dims_raw = _mapping(spec, "dimensions", source)
    if not dims_raw:
        raise CodebookError(f"{source}: dimensions: at least one block of items is needed.")
    dims: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for block, items in dims_raw.items():
        dims[block] = _names(items, f"dimensions.{block}", source)
        for it in dims[block]:
            if it in seen:
                raise CodebookError(
                    f"{source}: dimensions: item {it!r} is listed in two blocks, "
                    f"{seen[it]!r} and {block!r}; an item belongs to one block."
                )
            seen[it] = block
    reverse = _names(spec["reverse"], "reverse", source) if spec.get("reverse") else []
    for r in reverse:
        if r not in seen:
            raise _err("reverse", r, "not an item of any block in dimensions.", source)
    prefixes = {str(k): str(v) for k, v in _mapping(spec, "prefixes", source).items()}
    labels = {k: str(v) for k, v in _mapping(spec, "labels", source).items()}
    try:
        inst = Instrument(name=name, dimensions=dims, scale=scale, reverse=tuple(reverse),
                          prefixes=prefixes,
                          labels={k: v for k, v in labels.items() if k in seen})  # fmt: skip
    except ServqualError as exc:  # pragma: no cover - the checks above catch these first
        raise CodebookError(f"{source}: {exc}") from None
    scales = {
        k: _scale(v, f"scales.{k}", source) for k, v in _mapping(spec, "scales", source).items()
    }
    # a block name in scales applies to each of its items
    for block in [b for b in scales if b in dims]:
        s = scales.pop(block)
        for kind in list(prefixes) or [None]:
            for col in inst.dimension_columns(kind)[block]:
                scales.setdefault(col, s)
    raw_codes = spec.get("missing_codes") or []
    item_codes: dict[str, tuple] = {}
    if isinstance(raw_codes, Mapping):
        raw_codes = {str(k): v for k, v in raw_codes.items()}
        codes = _codes(raw_codes.pop("all", []), "missing_codes.all", source)
        item_codes = {k: _codes(v, f"missing_codes.{k}", source) for k, v in raw_codes.items()}
    else:
        codes = _codes(raw_codes, "missing_codes", source)
    value_labels = {}
    for col, vl in _mapping(spec, "value_labels", source).items():
        if not isinstance(vl, Mapping):
            raise _err(f"value_labels.{col}", vl, "expected a mapping code: label.", source)
        value_labels[col] = {_plain(c): str(lab) for c, lab in vl.items()}
    importance = {k: str(v) for k, v in _mapping(spec, "importance", source).items()}
    pairs = {k: str(v) for k, v in _mapping(spec, "pairs", source).items()}
    roles = _parse_roles(spec.get("roles") or {}, source)
    try:
        return Codebook(inst, scales=scales, missing_codes=codes, item_missing_codes=item_codes,
                        labels=labels, value_labels=value_labels, importance=importance,
                        pairs=pairs, roles=roles)  # fmt: skip
    except CodebookError as exc:
        msg = str(exc)
        raise CodebookError(msg if msg.startswith(source) else f"{source}: {msg}") from None


def _parse_roles(spec, source: str) -> Roles:
    if not isinstance(spec, Mapping):
        raise _err("roles", spec, "expected a mapping role: column(s).", source)
    kw: dict = {}
    for role, value in spec.items():
        role = str(role)
        key = f"roles.{role}"
        if role not in ROLE_LISTS:
            raise CodebookError(
                f"{source}: roles: unknown role {role!r}: expected one of {', '.join(ROLE_LISTS)}."
            )
        if value is None or value == [] or value == "":
            raise _err(key, value, "the role points nowhere: name a column or delete the line.",
                       source)  # fmt: skip
        if role == "churn":
            if isinstance(value, Mapping):
                if "column" not in value or "positive" not in value:
                    raise _err(key, dict(value), "expected {column: NAME, positive: LEVEL}.",
                               source)  # fmt: skip
                kw[role] = (str(value["column"]), _plain(value["positive"]))
            else:
                raise _err(key, value, "expected {column: NAME, positive: LEVEL}, e.g. "
                           "{column: Churn, positive: 'Yes'}.", source)  # fmt: skip
        elif ROLE_LISTS[role]:
            kw[role] = tuple(_names(value, key, source))
        else:
            names = _names(value, key, source)
            if len(names) != 1:
                raise _err(key, value, "expected one column.", source)
            kw[role] = names[0]
    return Roles(**kw)


def _check_consistency(cb: Codebook) -> None:
    """Cross-key checks: missing codes outside scales, recommend 0-10, known items."""
    inst = cb.instrument
    items = set(inst.all_columns())
    for col in cb.rated_columns():
        lo, hi = cb.scale_of(col)
        for code in cb.codes_of(col):
            if lo <= code <= hi:
                key = f"missing_codes.{col}" if col in cb.item_missing_codes else "missing_codes"
                raise CodebookError(
                    f"{key}: code {_plain(code)!r} lies inside the scale {_plain(lo)}-"
                    f"{_plain(hi)} of {col!r}, so it would delete real answers; choose a code "
                    f"outside the scale"
                    + ("" if col in cb.item_missing_codes else f" or give {col!r} its own codes "
                       f"(missing_codes: {{all: [...], {col}: []}})")
                    + "."
                )  # fmt: skip
    rec = cb.roles.recommend
    if rec is not None and cb.scale_of(rec) != (0, 10):
        lo, hi = cb.scale_of(rec)
        raise CodebookError(
            f"roles.recommend: {rec!r} is on a {_plain(lo)}-{_plain(hi)} scale; NPS needs a "
            f"0-10 item. Declare scales: {{{rec}: [0, 10]}} if it is one, or list it under "
            "roles.loyalty instead."
        )
    for item, partner in cb.importance.items():
        if item not in items:
            raise CodebookError(
                f"importance: {item!r} is not an item of any block; importance pairs an item "
                "with its stated-importance column."
            )
        if partner in items:
            raise CodebookError(
                f"importance.{item}: {partner!r} is itself an item of a block; an importance "
                "column is asked separately."
            )
    role_cols = {c: k for k, c in cb.roles.by_column()}
    for col, key in role_cols.items():
        if col in items and key not in ("roles.satisfaction", "roles.loyalty"):
            raise CodebookError(
                f"{key}: {col!r} is an item of a block; a role names another column."
            )


# ----------------------------------------------------------------------- files
def read_codebook(path: str | Path) -> Codebook:
    """Read a YAML codebook (format: ``docs/codebook.md``).

    Raises :class:`~servqual.errors.CodebookError` naming the key and value of
    a malformed entry, and :class:`~servqual.errors.ReadError` for a file that
    cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cb.yml"
    >>> _ = p.write_text("scale: [1, 5]\\nmissing_codes: [0]\\n"
    ...                  "dimensions: {speed: [q1, q2], care: [q3]}\\n"
    ...                  "roles: {satisfaction: [sat]}\\n", encoding="utf-8")
    >>> read_codebook(p)
    Codebook('cb': speed(2), care(1); scale 1-5; missing codes [0]; roles: satisfaction)
    """
    import yaml

    from .errors import ReadError

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ReadError(f"{path}: no such codebook file.") from None
    except UnicodeDecodeError as exc:
        raise ReadError(f"{path}: the codebook is not UTF-8 text ({exc.reason}).") from None
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CodebookError(
            f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}."
        ) from None
    if spec is None:
        raise CodebookError(f"{path}: the codebook is empty.")
    return _parse(spec, str(path))


def write_codebook(codebook: Codebook, path: str | Path, *, force: bool = False) -> Path:
    """Write ``codebook`` as YAML (atomically; an existing file needs ``force=True``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from servqual import Instrument
    >>> cb = codebook_from_instrument(Instrument.from_mapping({"care": ["q1", "q2"]},
    ...                                                       scale=(1, 5)))
    >>> p = write_codebook(cb, pathlib.Path(tempfile.mkdtemp()) / "cb.yml")
    >>> read_codebook(p).to_dict() == cb.to_dict()
    True
    """
    import yaml

    from ._io import write_text

    if not isinstance(codebook, Codebook):
        from .errors import InputTypeError

        raise InputTypeError(
            f"codebook must be a servqual Codebook, got {type(codebook).__name__}."
        )
    text = "# servqual codebook (format: docs/codebook.md)\n" + yaml.safe_dump(
        codebook.to_dict(), allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
    )
    return write_text(path, text, force=force)


def codebook_from_instrument(
    instrument: Instrument, *, roles: Mapping | None = None, missing_codes: Iterable = (),
    scales: Mapping | None = None,
) -> Codebook:  # fmt: skip
    """Wrap an :class:`~servqual.Instrument` in a codebook (roles optional).

    Examples
    --------
    >>> cb = codebook_from_instrument(Instrument.servqual22(),
    ...                               roles={"satisfaction": ["SAT1", "SAT2"]})
    >>> cb.roles.satisfaction, len(cb.items)
    (('SAT1', 'SAT2'), 44)
    """
    return Codebook(
        instrument,
        scales=scales or {},
        missing_codes=tuple(missing_codes),
        roles=_parse_roles(dict(roles or {}), "roles"),
    )
