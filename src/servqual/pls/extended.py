"""Interaction terms and higher-order constructs in PLS models (seminr 2.x conventions).

Syntax (on top of :func:`servqual.pls.parse_model`)::

    Image =~ IMAG1 + IMAG2 + IMAG3
    Expectation =~ CUEX1 + CUEX2 + CUEX3
    Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    Satisfaction ~ Image + Expectation + Image*Expectation   # interaction term
    Overall =~ Image + Expectation                          # higher-order construct

**Interactions** ``A*B`` (Henseler & Chin 2010; both ``A`` and ``B`` must also
be predictors of the same target) are built as seminr does:

* ``"product_indicator"``: every product of the standardised items of ``A``
  and ``B`` is an indicator of the interaction construct (mode A);
* ``"orthogonal"``: those products, each residualised on all items of ``A``
  and ``B`` (OLS with intercept);
* ``"two_stage"`` (default; Hair et al. 2022): the model without interaction
  terms is estimated first, and the product of the standardised first-stage
  scores of ``A`` and ``B`` is the single indicator of the interaction.
  As seminr 2.x does, the interaction's path is then reported on the metric
  of that raw product (``beta / sd(product)``, the coefficient of the
  unstandardised product in the score regression) and its scores are the raw
  product; bootstrap SEs and intervals are rescaled by the full-sample SD.

**Higher-order constructs** ``H =~ A + B`` (``A``, ``B`` declared constructs):

* ``"two_stage"`` (default; seminr's ``two_stage_HOC``): stage 1 estimates
  the model with ``H`` replaced by its dimensions (``H``'s antecedents point to
  every dimension, every dimension to ``H``'s outcomes); stage 2 measures ``H``
  by the standardised stage-1 scores of its dimensions;
* ``"repeated"`` (repeated indicators, Becker et al. 2012): ``H`` is measured
  by all items of its dimensions (copied as ``H.item``) and, for a reflective
  ``=~`` HOC, ``H -> A`` and ``H -> B`` are structural paths (for a composite
  ``<~`` HOC, ``A -> H`` and ``B -> H``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd

from ..errors import DataError, SpecificationError
from .consistent import correct
from .core import Structure, estimate, standardise
from .spec import PLSModel, statements

__all__ = [
    "ExtendedSpec",
    "parse_extended",
    "is_extended",
    "build",
    "rescale_two_stage",
    "f2_reestimated_extended",
    "lean_fit",
]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class ExtendedSpec:
    """Parsed extended syntax: blocks, paths (terms may be ``A*B``) and HOCs."""

    blocks: tuple[tuple[str, tuple[str, ...], str], ...]  # name, items/dimensions, mode
    paths: tuple[tuple[str, str], ...]
    hocs: tuple[str, ...]  # names of blocks whose "items" are constructs

    @property
    def interactions(self) -> tuple[tuple[str, str], ...]:
        seen = []
        for s, _ in self.paths:
            if "*" in s:
                a, b = s.split("*")
                if (a, b) not in seen:
                    seen.append((a, b))
        return tuple(seen)


def is_extended(syntax) -> bool:
    """True when ``syntax`` has interaction terms or higher-order constructs."""
    if not isinstance(syntax, str):
        return False
    spec = parse_extended(syntax)
    return bool(spec.hocs or spec.interactions)


def parse_extended(syntax: str) -> ExtendedSpec:
    """Split the syntax into blocks, paths and higher-order constructs (no validation)."""
    blocks, paths = [], []
    for lineno, op, lhs, terms in statements(syntax):
        for t in terms:  # plain names are checked by parse_model
            parts = t.split("*")
            if len(parts) > 1 and (
                len(parts) > 2 or not all(_NAME.match(p.strip()) for p in parts)
            ):
                raise SpecificationError(f"line {lineno}: {t!r} is not a valid name or A*B term.")
            if len(parts) == 2 and op != "~":
                raise SpecificationError(
                    f"line {lineno}: interaction {t!r} can only be a predictor in a '~' line."
                )
        terms = ["*".join(p.strip() for p in t.split("*")) for t in terms]
        if op == "~":
            paths += [(t, lhs) for t in terms]
        else:
            blocks.append((lhs, tuple(terms), "A" if op == "=~" else "B"))
    names = {b[0] for b in blocks}
    hocs = []
    for name, items, _ in blocks:
        dims = [i for i in items if i in names]
        if dims and len(dims) != len(items):
            raise SpecificationError(
                f"construct {name!r} mixes constructs {dims} and items "
                f"{[i for i in items if i not in names]}; a higher-order construct is "
                "measured by constructs only."
            )
        if dims:
            hocs.append(name)
    return ExtendedSpec(tuple(blocks), tuple(paths), tuple(hocs))


def _model(blocks, paths) -> PLSModel:
    m = PLSModel.empty()
    for name, items, mode in blocks:
        m = m._add_block(name, items, mode)
    for s, t in paths:
        m = m.path(s, t)
    return m


def build(syntax: str | ExtendedSpec, data: pd.DataFrame, *, interaction: str, hoc: str, fit_stage):
    """Resolve HOCs and interactions; return ``(PLSModel, data, info)``.

    ``fit_stage(model, data)`` estimates a first-stage model (a plain fit with
    the user's settings) and returns its result.
    """
    spec = syntax if isinstance(syntax, ExtendedSpec) else parse_extended(syntax)
    blocks = {name: (items, mode) for name, items, mode in spec.blocks}
    paths = [p for p in spec.paths]
    data = data.copy()
    info: dict = {"interactions": {}, "hocs": {}, "first_stage": {}}
    for h in spec.hocs:
        dims = blocks[h][0]
        for d in dims:
            if d in spec.hocs:
                raise SpecificationError(f"higher-order construct {h!r} has HOC dimension {d!r}.")
        info["hocs"][h] = {"dimensions": dims, "method": hoc}
    if spec.hocs and hoc == "repeated":
        for h in spec.hocs:
            dims, mode = blocks[h]
            items = []
            for d in dims:
                for it in blocks[d][0]:
                    new = f"{h}.{it}"
                    data[new] = data[it]
                    items.append(new)
            blocks[h] = (tuple(items), mode)
            paths += [(h, d) if mode == "A" else (d, h) for d in dims]
    elif spec.hocs:  # two-stage
        stage_paths = [p for p in paths if "*" not in p[0]]
        for h in spec.hocs:
            dims = blocks[h][0]
            ante = [s for s, t in stage_paths if t == h]
            outs = [t for s, t in stage_paths if s == h]
            stage_paths = [p for p in stage_paths if h not in p]
            stage_paths += [(a, d) for a in ante for d in dims]
            stage_paths += [(d, o) for d in dims for o in outs]
        stage_blocks = [(n, blocks[n][0], blocks[n][1]) for n in blocks if n not in spec.hocs]
        linked = {c for p in stage_paths for c in p}
        stage_blocks = [b for b in stage_blocks if b[0] in linked]
        first = fit_stage(_model(stage_blocks, stage_paths), data)
        info["first_stage"]["hoc"] = first
        for h in spec.hocs:
            for d in blocks[h][0]:
                if d in data.columns:
                    raise DataError(
                        f"the data already have a column {d!r}; rename it, the two-stage "
                        f"HOC {h!r} stores the stage-1 scores of dimension {d!r} under that name."
                    )
                data[d] = first.scores[d].to_numpy()
        linked2 = {c for p in paths for c in p if "*" not in c}
        linked2 |= {c for p in paths if "*" in p[0] for c in p[0].split("*")}
        for name in list(blocks):
            if name not in spec.hocs and name not in linked2:
                del blocks[name]  # dimensions only used by a HOC leave the stage-2 model
    for a, b in spec.interactions:
        for c in (a, b):
            if c not in blocks:
                raise SpecificationError(f"interaction {a}*{b}: {c!r} is not a construct.")
        for s, t in paths:
            if s == f"{a}*{b}":
                preds = {x for x, y in paths if y == t}
                missing = [c for c in (a, b) if c not in preds]
                if missing:
                    raise SpecificationError(
                        f"interaction {a}*{b} -> {t}: {missing} must also be direct "
                        f"predictors of {t!r} (the main effects of a moderation model)."
                    )
    inter = spec.interactions
    if inter and interaction == "two_stage":
        main_paths = [p for p in paths if "*" not in p[0]]
        main_blocks = [(n, it, md) for n, (it, md) in blocks.items()]
        first = fit_stage(_model(main_blocks, main_paths), data)
        info["first_stage"]["interaction"] = first
    for a, b in inter:
        name = f"{a}*{b}"
        ia, ib = blocks[a][0], blocks[b][0]
        if interaction == "two_stage":
            sc = first.scores
            col = f"{name}_intxn"
            data[col] = sc[a].to_numpy() * sc[b].to_numpy()
            items = (col,)
        else:
            za = standardise(data[list(ia)].to_numpy(float), None, True)[2]
            zb = standardise(data[list(ib)].to_numpy(float), None, True)[2]
            cols = {}
            for i, x in enumerate(ia):
                for j, y in enumerate(ib):
                    cols[f"{x}*{y}"] = za[:, i] * zb[:, j]
            prod = pd.DataFrame(cols, index=data.index)
            if interaction == "orthogonal":
                Z = np.column_stack([np.ones(len(data)), data[list(dict.fromkeys(ia + ib))]])
                coef, *_ = np.linalg.lstsq(Z, prod.to_numpy(), rcond=None)
                prod = pd.DataFrame(prod.to_numpy() - Z @ coef, index=data.index, columns=cols)
            for c in prod.columns:
                data[c] = prod[c]
            items = tuple(prod.columns)
        blocks[name] = (items, "A")
        info["interactions"][name] = {"iv": a, "moderator": b, "method": interaction}
    model = _model([(n, it, md) for n, (it, md) in blocks.items()], paths).validate()
    return model, data, info


def rescale_two_stage(tabs: dict, info: dict, frame: pd.DataFrame) -> None:
    """Report two-stage interaction paths per unit of the raw score product (seminr 2.x)."""
    for name, spec in info["interactions"].items():
        if spec["method"] != "two_stage":
            continue
        prod = frame[f"{name}_intxn"].to_numpy(float)
        factor = 1.0 / prod.std(ddof=1)
        spec["scale"] = factor
        p = tabs["paths"]
        rows = p["source"] == name
        cols = [
            c
            for c in ("estimate", "se", "ci_lower", "ci_upper", "bca_lower", "bca_upper")
            if c in p.columns
        ]
        p.loc[rows, cols] = p.loc[rows, cols] * factor
        e = tabs["effects"]
        rows = e["source"] == name
        cols = [c for c in e.columns if c.startswith(("direct", "indirect", "total"))]
        e.loc[rows, cols] = e.loc[rows, cols] * factor
        tabs["scores"][name] = prod


def _without_path(spec: ExtendedSpec, source: str, target: str) -> ExtendedSpec | None:
    """``spec`` without the path ``source -> target`` (constructs left unlinked leave too);
    None when ``source`` is a main effect of an interaction that also predicts ``target``:
    without it the model is no longer a moderation model (``build`` refuses it)."""
    if (
        any("*" in s and t == target and source in s.split("*") for s, t in spec.paths)
        and "*" not in source
    ):
        return None
    paths = tuple(p for p in spec.paths if p != (source, target))
    linked = {c for s, t in paths for c in (*s.split("*"), t)}
    hocs = tuple(h for h in spec.hocs if h in linked)
    for name, items, _ in spec.blocks:
        if name in hocs:
            linked |= set(items)
    return ExtendedSpec(tuple(b for b in spec.blocks if b[0] in linked), paths, hocs)


def f2_reestimated_extended(
    spec: ExtendedSpec, paths: pd.DataFrame, r2: pd.Series, *, interaction: str, hoc: str, refit
) -> np.ndarray:
    """seminr's f^2 of every path of an interaction/HOC model: the *whole* procedure
    (first stage included) estimated again without the path.

    ``refit(reduced_spec)`` returns the R^2 (Series by construct) of the reduced model.
    The main effects of an interaction get NaN, as in seminr (the model without them
    is not a moderation model); their R^2-based ``f2_r2`` is still reported.  Paths
    that ``spec`` does not list (repeated-indicator HOC paths) and models whose
    built indicators do not depend on the structure (product-indicator, orthogonal,
    repeated indicators) keep the stage-2 re-estimate already in ``paths``.
    """
    staged = (spec.interactions and interaction == "two_stage") or (
        spec.hocs and hoc == "two_stage"
    )
    out = paths["f2_reestimated"].to_numpy(dtype=float).copy()
    for k, (s, t) in enumerate(zip(paths["source"], paths["target"])):
        if (s, t) not in spec.paths:
            continue
        reduced = _without_path(spec, s, t)
        if reduced is None:
            out[k] = np.nan
            continue
        if not staged:
            continue
        r2_in = float(r2[t])
        r2_ex = float(refit(reduced)[t]) if any(tt == t for _, tt in reduced.paths) else 0.0
        out[k] = (r2_in - r2_ex) / (1.0 - r2_in)
    return out


def lean_fit(model: PLSModel, data: pd.DataFrame, *, scheme, scaled, tol, max_iter,
             weights=None, consistent=False) -> SimpleNamespace:  # fmt: skip
    """``scores`` and ``r2`` of a plain model on complete data, as :func:`servqual.pls.fit`
    computes them, without its tables and diagnostics (for the many re-estimations of
    f^2).  ``weights``: respondent weights of the rows, or None; ``consistent``: False,
    True or construct names."""
    st = Structure.from_model(model)
    raw = data[list(model.items)].to_numpy(dtype=float)
    w = None if weights is None else weights * weights.size / weights.sum()
    _, _, X, S = standardise(raw, w, scaled)
    est = estimate(S, st, scheme=scheme, tol=tol, max_iter=max_iter)
    if consistent is not False and len(consistent):
        which = None if consistent is True else tuple(
            j for j, c in enumerate(model.constructs) if c in consistent
        )  # fmt: skip
        est = correct(est, S[None], st, which)
    names = list(model.constructs)
    return SimpleNamespace(
        scores=pd.DataFrame(X @ est.W[0], index=data.index, columns=names),
        r2=pd.Series(est.r2[0], index=names),
    )
