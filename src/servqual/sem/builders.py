"""Model builders that write readable, editable lavaan syntax."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .._checks import Options, check_params
from ..errors import ParameterError

__all__ = ["rater_model", "gap_model", "OUTCOME_ITEMS"]

#: Default item columns of the outcome factors (as in ``simulate_survey``).
OUTCOME_ITEMS: dict[str, tuple[str, ...]] = {
    "satisfaction": ("SAT1", "SAT2", "SAT3"),
    "loyalty": ("LOY1", "LOY2", "LTR"),
}


def _line(lhs: str, op: str, rhs: Sequence[str]) -> str:
    return f"{lhs} {op} " + " + ".join(rhs)


def rater_model(
    instrument,
    outcomes: Sequence[str] = ("satisfaction", "loyalty"),
    *,
    scores: str = "P",
    items: Mapping[str, Sequence[str]] | None = None,
    labels: bool = True,
) -> str:
    """lavaan syntax for the RATER measurement model plus RATER -> satisfaction -> loyalty.

    Parameters
    ----------
    instrument : Instrument
        Its dimensions become latent factors measured by their item columns.
    outcomes : sequence of str
        Outcome factors in causal order (each regressed on the previous one;
        the first on the five RATER factors).  Empty for a pure CFA.
    scores : {"P", "P-E"}
        ``"P"`` (SERVPERF) uses perception columns; ``"P-E"`` (SERVQUAL) uses
        gap columns ``G1..G22`` (= P - E, as in ``simulate_survey``).
    items : mapping, optional
        Outcome factor -> item columns (default :data:`OUTCOME_ITEMS`).
    labels : bool
        Label the structural paths (``b_<dimension>``, ``b_<outcome>``) and
        define each dimension's indirect effect on the last outcome with ``:=``.

    Examples
    --------
    >>> from servqual import Instrument
    >>> print(rater_model(Instrument.servqual22()).splitlines()[1])
    tangibles =~ P1 + P2 + P3 + P4
    """
    check_params({"scores": scores}, {"scores": Options(("P", "P-E"))})
    if instrument.kinds:
        if scores == "P":
            cols = instrument.dimension_columns("P")
        else:
            cols = {
                d: ["G" + c[len(instrument.prefixes["P"]) :] for c in v]
                for d, v in instrument.dimension_columns("P").items()
            }
    else:
        if scores == "P-E":
            raise ParameterError("scores='P-E' needs an instrument with P and E kinds.")
        cols = instrument.dimension_columns()
    item_map = dict(OUTCOME_ITEMS)
    if items:
        item_map.update({k: tuple(v) for k, v in items.items()})
    outcomes = list(outcomes)
    missing = [o for o in outcomes if o not in item_map]
    if missing:
        raise ParameterError(
            f"outcome(s) {missing} have no item columns: pass items={{'{missing[0]}': [...]}}."
        )
    dims = list(cols)
    title = "SERVPERF (perceptions)" if scores == "P" else "SERVQUAL (P - E gap scores)"
    lines = [f"# measurement model: {title}"]
    lines += [_line(d, "=~", cols[d]) for d in dims]
    if outcomes:
        lines.append("# outcomes")
        lines += [_line(o, "=~", item_map[o]) for o in outcomes]
        lines.append("# structural model")
        prev = dims
        for o in outcomes:
            terms = [f"b_{p}*{p}" if labels else p for p in prev]
            lines.append(_line(o, "~", terms))
            prev = [o]
        if labels and len(outcomes) >= 2:
            lines.append("# indirect effects on the last outcome")
            chain = "*".join(f"b_{o}" for o in outcomes[:-1])
            for d in dims:
                lines.append(f"ind_{d} := b_{d}*{chain}")
    return "\n".join(lines) + "\n"


_GAP_DEFAULT = {
    "gap1": "gap1",
    "gap2": "gap2",
    "gap3": "gap3",
    "gap4": "gap4",
    "gap5": "gap5",
    "satisfaction": "satisfaction",
}


def gap_model(
    *, columns: Mapping[str, str] | None = None, satisfaction_items: Sequence[str] | None = None
) -> str:
    """lavaan syntax of the extended gap model: gaps 1-4 -> gap 5 -> satisfaction.

    An observed-variable path model on one row per service unit (e.g. the
    ``gap_table()`` of ``servqual.gaps.unit_scores``): columns ``gap1``..
    ``gap4`` (provider gaps from manager and staff surveys), ``gap5`` (the
    customers' mean P - E) and ``satisfaction`` (mean customer satisfaction).
    Rename with ``columns={"gap5": "G5", ...}``.  With
    ``satisfaction_items`` satisfaction is a latent factor measured by those
    columns instead (customer-level data with gap scores attached).

    Examples
    --------
    >>> print(gap_model())  # doctest: +NORMALIZE_WHITESPACE
    # extended gap model (Zeithaml, Berry & Parasuraman 1988)
    gap5 ~ g1*gap1 + g2*gap2 + g3*gap3 + g4*gap4
    satisfaction ~ s5*gap5
    # indirect effects of the provider gaps on satisfaction
    ind_gap1 := g1*s5
    ind_gap2 := g2*s5
    ind_gap3 := g3*s5
    ind_gap4 := g4*s5
    """
    cmap = dict(_GAP_DEFAULT)
    if columns:
        bad = [k for k in columns if k not in cmap]
        if bad:
            raise ParameterError(f"columns keys {bad} are invalid: expected {list(cmap)}.")
        cmap.update(columns)
    lines = ["# extended gap model (Zeithaml, Berry & Parasuraman 1988)"]
    sat = cmap["satisfaction"]
    if satisfaction_items:
        lines.append(_line(sat, "=~", list(satisfaction_items)))
    lines.append(_line(cmap["gap5"], "~", [f"g{k}*{cmap[f'gap{k}']}" for k in range(1, 5)]))
    lines.append(f"{sat} ~ s5*{cmap['gap5']}")
    lines.append("# indirect effects of the provider gaps on satisfaction")
    lines += [f"ind_{cmap[f'gap{k}']} := g{k}*s5" for k in range(1, 5)]
    return "\n".join(lines) + "\n"
