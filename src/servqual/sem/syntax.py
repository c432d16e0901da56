"""lavaan model syntax -> a tidy parameter table.

Supported statements (one per line or separated by ``;``; ``#`` and ``!``
start comments; a formula may continue on the next line after a trailing
``+``)::

    f =~ x1 + a*x2 + 0.5*x3      # measurement (labels, fixed values)
    y ~ b*f + x                  # regressions
    x1 ~~ x2                     # (co)variances
    x1 ~ 1                       # intercepts / means
    ind := a*b                   # defined parameters
    a == b                       # equality constraints between labels
    f =~ NA*x1 + x2              # NA* frees a parameter (e.g. first loading)
    f =~ c(l1, l2)*x2            # one modifier per group (multigroup)

:func:`parse` returns the user's statements; :func:`build_partable` adds the
defaults of lavaan's ``sem()``/``cfa()``: first loading fixed to 1, residual
variances of every variable free, covariances among exogenous latent
variables free, covariances among purely dependent variables free,
exogenous observed covariates fixed at their sample moments (``fixed.x``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..errors import SpecificationError

__all__ = ["Statement", "parse", "build_partable", "model_variables"]

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_OPS = (":=", "=~", "~~", "==", "~", "<", ">")


@dataclass(frozen=True)
class Statement:
    """One parsed term: ``lhs op rhs`` with per-group modifiers.

    ``fixed`` and ``label`` are tuples (one entry per ``c()`` element, or a
    single entry applying to all groups); ``None`` means "no modifier".
    ``free_flag`` is True when ``NA*`` frees a parameter explicitly.
    """

    lhs: str
    op: str
    rhs: str
    label: tuple = (None,)
    fixed: tuple = (None,)
    free_flag: bool = False
    line: int = 0


def _split_statements(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = re.split(r"[#!]", raw, maxsplit=1)[0]
        for part in line.split(";"):
            part = part.strip()
            if not part:
                continue
            if out and (out[-1][1].endswith(("+", "*", "=~", "~~", "~", ":=")) or part[0] in "+*"):
                out[-1] = (out[-1][0], out[-1][1] + " " + part)
            else:
                out.append((lineno, part))
    return out


def _find_op(stmt: str, lineno: int) -> tuple[str, str, str]:
    for op in _OPS:
        pos = stmt.find(op)
        if pos >= 0:
            if op == "~" and stmt[pos : pos + 2] == "~~":
                continue
            return stmt[:pos].strip(), op, stmt[pos + len(op) :].strip()
    raise SpecificationError(
        f"line {lineno}: no operator in {stmt!r}; expected one of =~, ~, ~~, :=, ==."
    )


def _check_name(tok: str, lineno: int, stmt: str) -> str:
    if not _NAME.match(tok):
        raise SpecificationError(
            f"line {lineno}: invalid token {tok!r} in {stmt!r}; expected a variable name."
        )
    return tok


def _parse_modifier(mod: str, lineno: int, stmt: str):
    """Return (labels tuple, fixed tuple, free_flag) for the text before ``*``."""
    mod = mod.strip()
    m = re.fullmatch(r"c\((.*)\)", mod)
    items = [t.strip() for t in m.group(1).split(",")] if m else [mod]
    labels, fixed, free_flag = [], [], False
    for it in items:
        if _NUMBER.match(it):
            labels.append(None)
            fixed.append(float(it))
        elif it == "NA":
            labels.append(None)
            fixed.append(None)
            free_flag = True
        elif _NAME.match(it):
            labels.append(it)
            fixed.append(None)
        else:
            raise SpecificationError(
                f"line {lineno}: invalid modifier {it!r} in {stmt!r}; expected a label, "
                "a number or NA before '*'."
            )
    return tuple(labels), tuple(fixed), free_flag


def parse(model: str) -> list[Statement]:
    """Parse lavaan syntax into :class:`Statement` objects (no defaults added).

    Raises :class:`~servqual.errors.SpecificationError` naming the offending
    token and line.

    Examples
    --------
    >>> [(s.lhs, s.op, s.rhs, s.label[0]) for s in parse("f =~ x1 + a*x2")]
    [('f', '=~', 'x1', None), ('f', '=~', 'x2', 'a')]
    """
    if not isinstance(model, str):
        raise SpecificationError(f"model must be a string of lavaan syntax, got {type(model)}.")
    out: list[Statement] = []
    for lineno, stmt in _split_statements(model):
        lhs, op, rhs = _find_op(stmt, lineno)
        if op in ("<", ">"):
            raise SpecificationError(
                f"line {lineno}: inequality constraint {stmt!r} is not supported; "
                "use '==' between labels or fixed values."
            )
        if not lhs:
            raise SpecificationError(f"line {lineno}: missing left-hand side in {stmt!r}.")
        if not rhs:
            raise SpecificationError(f"line {lineno}: missing right-hand side in {stmt!r}.")
        if op == ":=":
            _check_name(lhs, lineno, stmt)
            out.append(Statement(lhs, op, rhs, line=lineno))
            continue
        if op == "==":
            _check_name(lhs, lineno, stmt)
            _check_name(rhs, lineno, stmt)
            out.append(Statement(lhs, op, rhs, line=lineno))
            continue
        lhss = [_check_name(t.strip(), lineno, stmt) for t in lhs.split("+")]
        terms = [t.strip() for t in rhs.split("+")]
        for term in terms:
            if not term:
                raise SpecificationError(f"line {lineno}: empty term ('+ +') in {stmt!r}.")
            if "*" in term:
                mod, _, var = term.rpartition("*")
                labels, fixed, free_flag = _parse_modifier(mod, lineno, stmt)
            else:
                var, labels, fixed, free_flag = term, (None,), (None,), False
            var = var.strip()
            if var == "1" and op == "~":
                for lh in lhss:
                    out.append(Statement(lh, "~1", "", labels, fixed, free_flag, lineno))
                continue
            _check_name(var, lineno, stmt)
            for lh in lhss:
                out.append(Statement(lh, op, var, labels, fixed, free_flag, lineno))
    if not out:
        raise SpecificationError("the model has no statements.")
    return out


def model_variables(statements: list[Statement]) -> tuple[list[str], list[str]]:
    """``(observed, latent)`` variable names in order of first appearance.

    Examples
    --------
    >>> model_variables(parse("f =~ x1 + x2 + x3; y ~ f"))
    (['x1', 'x2', 'x3', 'y'], ['f'])
    """
    latent: list[str] = []
    for s in statements:
        if s.op == "=~" and s.lhs not in latent:
            latent.append(s.lhs)
    observed: list[str] = []
    # indicators first (lavaan order), then other variables
    for s in statements:
        if s.op == "=~" and s.rhs not in latent and s.rhs not in observed:
            observed.append(s.rhs)
    for s in statements:
        if s.op in ("~", "~~", "~1"):
            for v in (s.lhs, s.rhs):
                if v and v not in latent and v not in observed:
                    observed.append(v)
    return observed, latent


def _mod_for_group(tup: tuple, g: int, n_groups: int, what: str, s: Statement):
    if len(tup) == 1:
        return tup[0]
    if len(tup) != n_groups:
        raise SpecificationError(
            f"line {s.line}: c() modifier for {s.lhs} {s.op} {s.rhs} has {len(tup)} "
            f"{what}s but the data have {n_groups} groups."
        )
    return tup[g]


def build_partable(
    statements: list[Statement],
    *,
    n_groups: int = 1,
    meanstructure: bool = False,
    auto_fix_first: bool = True,
    std_lv: bool = False,
    fixed_x: bool = True,
) -> pd.DataFrame:
    """Full parameter table with lavaan's ``sem()`` defaults.

    Columns: ``lhs op rhs group free label fixed user`` where ``free`` is
    True for estimated parameters, ``fixed`` the fixed value (NaN when free,
    and NaN for exogenous-covariate moments fixed later at sample values,
    marked ``exo``), ``user`` whether the user wrote the row.  ``std_lv``
    (lavaan's ``std.lv``) fixes every latent (residual) variance to 1 and
    frees the first loadings; ``fixed_x=False`` (lavaan's ``fixed.x``)
    estimates the exogenous covariates' (co)variances and means.

    Examples
    --------
    >>> pt = build_partable(parse("f =~ x1 + x2 + x3"))
    >>> pt[["lhs", "op", "rhs", "free"]].head(2).values.tolist()
    [['f', '=~', 'x1', False], ['f', '=~', 'x2', True]]
    """
    observed, latent = model_variables(statements)
    reg = [s for s in statements if s.op == "~"]
    dep = {s.lhs for s in reg}
    pred = {s.rhs for s in reg}
    indicators = {s.rhs for s in statements if s.op == "=~"}
    # exogenous observed covariates: only predictors, never dependent or indicator
    ov_x = [v for v in observed if v in pred and v not in dep and v not in indicators]
    # lavaan's fixed.x: exogenous covariates' moments are fixed at sample
    # values -- unless the user writes a (co)variance for one of them, in
    # which case all exogenous covariates get free (co)variances instead.
    free_x: list[str] = []
    if auto_fix_first and std_lv:
        auto_fix_first = False
    if not fixed_x or any(s.op == "~~" and (s.lhs in ov_x or s.rhs in ov_x) for s in statements):
        free_x, ov_x = ov_x, []
    rows: list[dict] = []

    def add(lhs, op, rhs, g, free, label, fixed, user, exo=False):
        rows.append(
            dict(
                lhs=lhs,
                op=op,
                rhs=rhs,
                group=g,
                free=free,
                label=label,
                fixed=fixed,
                user=user,
                exo=exo,
            )
        )

    def key(lhs, op, rhs):
        if op == "~~":
            return (op,) + tuple(sorted((lhs, rhs)))
        return (lhs, op, rhs)

    for g in range(n_groups):
        seen: set = set()
        first_done: set = set()
        for s in statements:
            if s.op in (":=", "=="):
                continue
            k = key(s.lhs, s.op, s.rhs)
            if k in seen:
                raise SpecificationError(
                    f"line {s.line}: parameter {s.lhs} {s.op} {s.rhs} is specified twice."
                )
            seen.add(k)
            label = _mod_for_group(s.label, g, n_groups, "label", s)
            fixed = _mod_for_group(s.fixed, g, n_groups, "value", s)
            free = fixed is None
            if s.op == "=~" and s.lhs not in first_done:
                first_done.add(s.lhs)
                if auto_fix_first and fixed is None and not s.free_flag:
                    free, fixed = False, 1.0
            add(s.lhs, s.op, s.rhs, g, free, label, fixed, True)
        # residual / latent variances
        for v in observed + latent:
            if v in ov_x:
                continue
            if key(v, "~~", v) not in seen:
                if std_lv and v in latent:
                    add(v, "~~", v, g, False, None, 1.0, False)
                else:
                    add(v, "~~", v, g, True, None, None, False)
                seen.add(key(v, "~~", v))
        # exogenous latent covariances (and free exogenous covariates, see above);
        # as lavaan's lv.x, a latent is exogenous only if it is neither regressed
        # on anything nor an indicator of another latent (a first-order factor
        # of a second-order factor is endogenous: its variance is a residual)
        # (lavaan adds no covariances between exogenous latents and covariates)
        lv_x = [f for f in latent if f not in dep and f not in indicators]
        for block in (lv_x, free_x):
            for i, a in enumerate(block):
                for b in block[i + 1 :]:
                    if key(a, "~~", b) not in seen:
                        add(a, "~~", b, g, True, None, None, False)
                        seen.add(key(a, "~~", b))
        # purely dependent variables (dependent, never predictor, not indicator)
        pure_y = [
            v for v in observed + latent if v in dep and v not in pred and v not in indicators
        ]
        for i, a in enumerate(pure_y):
            for b in pure_y[i + 1 :]:
                if key(a, "~~", b) not in seen:
                    add(a, "~~", b, g, True, None, None, False)
                    seen.add(key(a, "~~", b))
        # fixed.x: exogenous covariate moments fixed at sample values
        for i, a in enumerate(ov_x):
            for b in ov_x[i:]:
                if key(a, "~~", b) in seen:
                    raise SpecificationError(
                        f"{a} ~~ {b}: exogenous covariates' (co)variances are fixed at their "
                        "sample values; remove this statement."
                    )
                add(a, "~~", b, g, False, None, None, False, exo=True)
        if meanstructure:
            for v in observed:
                if (v, "~1", "") in seen:
                    continue
                add(v, "~1", "", g, v not in ov_x, None, None, False, exo=v in ov_x)
            for f in latent:
                if (f, "~1", "") not in seen:
                    add(f, "~1", "", g, False, None, 0.0, False)
    pt = pd.DataFrame(
        rows, columns=["lhs", "op", "rhs", "group", "free", "label", "fixed", "user", "exo"]
    )
    pt["fixed"] = pt["fixed"].astype(float)
    return pt
