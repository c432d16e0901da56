"""PLS path model specification: lavaan-like syntax or a builder.

Syntax (one statement per line, ``#`` starts a comment)::

    Image        =~ IMAG1 + IMAG2 + IMAG3      # reflective block (mode A)
    Value        <~ PERV1 + PERV2              # composite block (mode B)
    Satisfaction ~ Image + Value               # structural paths

The specification is checked when built: every construct needs items, an item
may belong to one block only, paths must join declared constructs and the
structural model must be acyclic (recursive).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import SpecificationError

__all__ = ["Block", "PLSModel", "parse_model", "ecsi_model"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_MODES = ("A", "B", "U")
_MODE_ALIASES = {"unit": "U", "mode_a": "A", "mode_b": "B"}


@dataclass(frozen=True)
class Block:
    """One construct: its name, indicator columns and estimation mode.

    ``"A"`` (reflective, correlation weights), ``"B"`` (composite, regression
    weights) or ``"U"`` (unit weights: every item weighted equally, the
    composite standardised -- seminr's ``unit_weights``).
    """

    name: str
    items: tuple[str, ...]
    mode: str = "A"


@dataclass(frozen=True)
class PLSModel:
    """A validated PLS path model (measurement blocks + acyclic structural model).

    Build it from syntax with :func:`parse_model` or with the builder methods
    :meth:`empty`, :meth:`reflective`, :meth:`composite` and :meth:`path`
    (each returns a new model).

    Examples
    --------
    >>> m = (PLSModel.empty().reflective("Image", ["IMAG1", "IMAG2"])
    ...      .reflective("Sat", ["CUSA1", "CUSA2"]).path("Image", "Sat"))
    >>> m.constructs, m.paths
    (('Image', 'Sat'), (('Image', 'Sat'),))
    """

    blocks: tuple[Block, ...] = ()
    paths: tuple[tuple[str, str], ...] = ()

    # ----------------------------------------------------------------- builder
    @classmethod
    def empty(cls) -> PLSModel:
        """A model with no constructs (start of the builder chain)."""
        return cls()

    def _add_block(self, name: str, items: Iterable[str], mode: str) -> PLSModel:
        _check_name(name, "construct")
        if isinstance(items, str):
            items = [items]
        items = tuple(items)
        if name in self.constructs:
            raise SpecificationError(f"construct {name!r} is declared twice.")
        return PLSModel(self.blocks + (Block(name, items, mode),), self.paths)

    def reflective(self, name: str, items: Iterable[str]) -> PLSModel:
        """Add a reflective (mode A) block."""
        return self._add_block(name, items, "A")

    def composite(self, name: str, items: Iterable[str]) -> PLSModel:
        """Add a composite/formative (mode B) block."""
        return self._add_block(name, items, "B")

    def unit(self, name: str, items: Iterable[str]) -> PLSModel:
        """Add a unit-weighted block (equal weights, like a standardised sum score)."""
        return self._add_block(name, items, "U")

    def path(self, sources: str | Iterable[str], target: str) -> PLSModel:
        """Add structural paths ``source -> target`` (one or several sources)."""
        if isinstance(sources, str):
            sources = [sources]
        new = tuple((s, target) for s in sources if (s, target) not in self.paths)
        return PLSModel(self.blocks, self.paths + new)

    # --------------------------------------------------------------- queries
    @property
    def constructs(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.blocks)

    @property
    def items(self) -> tuple[str, ...]:
        """All indicator columns, block by block."""
        return tuple(i for b in self.blocks for i in b.items)

    def block(self, name: str) -> Block:
        for b in self.blocks:
            if b.name == name:
                return b
        raise SpecificationError(
            f"unknown construct {name!r}; the model has {', '.join(self.constructs)}."
        )

    def predecessors(self, name: str) -> tuple[str, ...]:
        return tuple(s for s, t in self.paths if t == name)

    @property
    def endogenous(self) -> tuple[str, ...]:
        """Constructs with at least one incoming path, in construct order."""
        return tuple(c for c in self.constructs if self.predecessors(c))

    def with_modes(self, modes: Mapping[str, str] | None) -> PLSModel:
        """Copy with the estimation mode of some blocks changed (``{"Value": "B"}``)."""
        if not modes:
            return self
        modes = {k: _MODE_ALIASES.get(str(v).lower(), v) for k, v in modes.items()}
        for name, mode in modes.items():
            self.block(name)
            if mode not in _MODES:
                raise SpecificationError(
                    f"mode {mode!r} of construct {name!r} is invalid: expected 'A', 'B' or 'unit'."
                )
        blocks = tuple(Block(b.name, b.items, modes.get(b.name, b.mode)) for b in self.blocks)
        return PLSModel(blocks, self.paths)

    def validate(self) -> PLSModel:
        """Check the specification; return it (raises :class:`SpecificationError`)."""
        if not self.blocks:
            raise SpecificationError("the model has no constructs.")
        seen: dict[str, str] = {}
        for b in self.blocks:
            if not b.items:
                raise SpecificationError(f"construct {b.name!r} has no items.")
            if b.mode not in _MODES:
                raise SpecificationError(
                    f"mode {b.mode!r} of construct {b.name!r} is invalid: expected 'A', 'B' or 'U'."
                )
            for it in b.items:
                _check_name(it, f"item of construct {b.name!r}")
                if it in seen:
                    where = (
                        f"twice in construct {b.name!r}"
                        if seen[it] == b.name
                        else f"in constructs {seen[it]!r} and {b.name!r}"
                    )
                    raise SpecificationError(
                        f"item {it!r} is used {where}; each item may measure one construct."
                    )
                seen[it] = b.name
        names = set(self.constructs)
        for s, t in self.paths:
            for c in (s, t):
                if c not in names:
                    if c in seen:
                        raise SpecificationError(
                            f"path {s} -> {t}: {c!r} is an item of construct {seen[c]!r}, "
                            "not a construct."
                        )
                    raise SpecificationError(
                        f"path {s} -> {t}: construct {c!r} has no items; declare them with "
                        f"'=~' or '<~' (constructs with items: {', '.join(self.constructs)})."
                    )
            if s == t:
                raise SpecificationError(f"construct {s!r} has a path to itself.")
        if not self.paths:
            raise SpecificationError("the model has no structural paths ('~' statements).")
        linked = {c for p in self.paths for c in p}
        lonely = [c for c in self.constructs if c not in linked]
        if lonely:
            raise SpecificationError(
                f"construct(s) {lonely} take part in no structural path; PLS needs every "
                "construct connected to the inner model."
            )
        cycle = _find_cycle(self.constructs, self.paths)
        if cycle:
            raise SpecificationError(
                "the structural model has a cycle "
                + " -> ".join(cycle)
                + "; PLS path models must be recursive."
            )
        return self

    def syntax(self) -> str:
        """The model as lavaan-like syntax."""
        op = {"A": "=~", "B": "<~", "U": "=~"}
        lines = [f"{b.name} {op[b.mode]} {' + '.join(b.items)}" for b in self.blocks]
        units = [b.name for b in self.blocks if b.mode == "U"]
        if units:
            lines.append(f"# unit weights: {', '.join(units)}")
        for c in self.endogenous:
            lines.append(f"{c} ~ {' + '.join(self.predecessors(c))}")
        return "\n".join(lines)


def _check_name(name, what: str) -> None:
    if not isinstance(name, str) or not name.strip():
        raise SpecificationError(f"{what} name {name!r} is invalid: expected a non-empty string.")


def _find_cycle(nodes, edges) -> list[str] | None:
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for s, t in edges:
        succ[s].append(t)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in succ[n]:
            if state.get(m) == 1:
                return stack[stack.index(m) :] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in nodes:
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def statements(syntax: str):
    """Yield ``(line number, operator, lhs, terms)`` per statement (lhs name checked)."""
    for lineno, raw in enumerate(syntax.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        op = next((o for o in ("=~", "<~", "~") if o in line), None)
        if op is None:
            raise SpecificationError(f"line {lineno} {raw.strip()!r}: expected '=~', '<~' or '~'.")
        lhs, rhs = (part.strip() for part in line.split(op, 1))
        if not _NAME.match(lhs):
            raise SpecificationError(f"line {lineno}: {lhs!r} is not a valid construct name.")
        yield lineno, op, lhs, [t.strip() for t in rhs.split("+") if t.strip()]


def parse_model(syntax: str) -> PLSModel:
    """Parse lavaan-like syntax into a validated :class:`PLSModel`.

    ``=~`` declares a reflective (mode A) block, ``<~`` a composite (mode B)
    block and ``~`` structural paths.

    Examples
    --------
    >>> m = parse_model('''
    ...     Image =~ IMAG1 + IMAG2 + IMAG3
    ...     Sat   =~ CUSA1 + CUSA2
    ...     Sat ~ Image''')
    >>> m.block("Image").items
    ('IMAG1', 'IMAG2', 'IMAG3')
    """
    if not isinstance(syntax, str):
        raise SpecificationError(f"model syntax must be a string, got {type(syntax).__name__}.")
    model = PLSModel()
    for lineno, op, lhs, terms in statements(syntax):
        mode = {"=~": "A", "<~": "B", "~": None}[op]
        bad = [t for t in terms if not _NAME.match(t)]
        if bad:
            raise SpecificationError(f"line {lineno}: {bad[0]!r} is not a valid name.")
        if mode is not None:
            if not terms:
                raise SpecificationError(f"construct {lhs!r} has no items (line {lineno}).")
            model = model._add_block(lhs, terms, mode)
        else:
            if not terms:
                raise SpecificationError(f"line {lineno}: {lhs!r} ~ needs at least one predictor.")
            model = model.path(terms, lhs)
    return model.validate()


def ecsi_model() -> PLSModel:
    """The seven-construct ECSI model for the ``mobi`` data (Tenenhaus et al. 2005).

    Image -> expectation, satisfaction, loyalty; expectation -> quality, value,
    satisfaction; quality -> value, satisfaction; value -> satisfaction;
    satisfaction -> complaints, loyalty; complaints -> loyalty.  All blocks
    reflective (mode A).

    Examples
    --------
    >>> ecsi_model().endogenous
    ('Expectation', 'Quality', 'Value', 'Satisfaction', 'Complaints', 'Loyalty')
    """
    return parse_model(ECSI_SYNTAX)


ECSI_SYNTAX = """
Image        =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation  =~ CUEX1 + CUEX2 + CUEX3
Quality      =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
Value        =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Complaints   =~ CUSCO
Loyalty      =~ CUSL1 + CUSL2 + CUSL3
Expectation  ~ Image
Quality      ~ Expectation
Value        ~ Expectation + Quality
Satisfaction ~ Image + Expectation + Quality + Value
Complaints   ~ Satisfaction
Loyalty      ~ Image + Satisfaction + Complaints
"""
