"""SEM figures: a matplotlib path diagram and a forest plot of structural effects."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle

from ._registry import FigureSpec, register

__all__ = ["plot_path_diagram", "plot_structural_forest", "stars"]


def stars(p: float) -> str:
    """Significance stars: *** p < .001, ** p < .01, * p < .05."""
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _levels(nodes, regs):
    level = {n: 0 for n in nodes}
    for _ in range(len(nodes)):
        changed = False
        for lhs, rhs in regs:
            if level[lhs] < level[rhs] + 1:
                level[lhs] = level[rhs] + 1
                changed = True
        if not changed:
            break
    return level


def plot_path_diagram(result, *, indicators: bool = True, ax=None):
    """Path diagram of a fitted :class:`~servqual.sem.SEMResult` (no graphviz).

    Latent variables are ellipses, observed variables rectangles.  Arrows
    carry completely standardized estimates (``std_all``) with significance
    stars; non-significant structural paths (p >= .05) are dashed.  Variables
    are placed in columns by their depth in the structural model; indicators
    of exogenous factors sit to their left, those of the others below.

    Returns the Axes.

    Examples
    --------
    >>> import servqual
    >>> from matplotlib.figure import Figure
    >>> hs = servqual.load_dataset("holzinger_swineford")
    >>> res = servqual.sem.fit("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6", hs)
    >>> ax = plot_path_diagram(res, ax=Figure().add_subplot())
    >>> sum(isinstance(p, Ellipse) for p in ax.patches)
    2
    """
    ax = ax if ax is not None else plt.gca()
    p = result.params
    if "group" in p.columns:
        p = p[p["group"] == result.group_labels[0]]
    latent = list(result._prep.model.latent)
    load = p[p["op"] == "=~"]
    reg = p[p["op"] == "~"]
    nodes = list(latent) + [
        v for v in dict.fromkeys(list(reg["lhs"]) + list(reg["rhs"])) if v not in latent
    ]
    level = _levels(nodes, list(zip(reg["lhs"], reg["rhs"])))
    n_levels = max(level.values()) + 1
    pos: dict[str, tuple[float, float]] = {}
    x0 = 3.0 if indicators and len(load) else 0.0
    for lev in range(n_levels):
        col = [n for n in nodes if level[n] == lev]
        if lev == 0 and indicators:
            # stack level-0 latents by the number of their indicators
            sizes = [max(1, int((load["lhs"] == n).sum())) for n in col]
            tops = np.cumsum([0] + sizes)
            total = tops[-1]
            for n, a, s in zip(col, tops[:-1], sizes):
                pos[n] = (x0, total - (a + s / 2))
        else:
            ys = np.linspace(0, 1, len(col) + 2)[1:-1][::-1]
            height = max(
                1.0, sum(max(1, int((load["lhs"] == n).sum())) for n in nodes if level[n] == 0)
            )
            for n, y in zip(col, ys):
                pos[n] = (x0 + 4.2 * lev, y * height)
    ymax = max(y for _, y in pos.values()) + 1
    boxes: dict[str, tuple[float, float]] = {}
    if indicators:
        for f in latent:
            items = list(load.loc[load["lhs"] == f, "rhs"])
            fx, fy = pos[f]
            for i, it in enumerate(items):
                if level[f] == 0:
                    boxes[it] = (0.0, fy + (len(items) - 1) / 2 - i)
                else:
                    # wide enough apart that the loading labels above the boxes never touch
                    boxes[it] = (fx + (i - (len(items) - 1) / 2) * 1.35, fy - 2.4)
    ew, eh = 2.5, 0.9
    for n, (x, y) in pos.items():
        if n in latent:
            ax.add_patch(Ellipse((x, y), ew, eh, facecolor="#E8F1FA", edgecolor="0.15", lw=1))
        else:
            ax.add_patch(
                Rectangle((x - 1.0, y - 0.35), 2.0, 0.7, facecolor="white", edgecolor="0.15", lw=1)
            )
        ax.text(x, y, n, ha="center", va="center", fontsize=6.5)
    for n, (x, y) in boxes.items():
        ax.add_patch(
            Rectangle((x - 0.32, y - 0.22), 0.64, 0.44, facecolor="white", edgecolor="0.3", lw=0.8)
        )
        ax.text(x, y, n, ha="center", va="center", fontsize=5.5)

    def edge(c, other, shape):
        """Point where the segment c -> other leaves the node drawn at c."""
        dx, dy = other[0] - c[0], other[1] - c[1]
        kind, a, b = shape
        if kind == "ellipse":
            t = 1.0 / np.sqrt((dx / a) ** 2 + (dy / b) ** 2)
        else:
            t = min(a / abs(dx) if dx else np.inf, b / abs(dy) if dy else np.inf)
        return c[0] + t * dx, c[1] + t * dy

    def shape_of(n):
        if n in boxes:
            return ("box", 0.32, 0.22)
        return ("ellipse", ew / 2, eh / 2) if n in latent else ("box", 1.0, 0.35)

    def arrow(na, nb, text, dashed=False, lw=0.8, color="0.2", at=0.5):
        ca = pos[na] if na in pos else boxes[na]
        cb = pos[nb] if nb in pos else boxes[nb]
        a, b = edge(ca, cb, shape_of(na)), edge(cb, ca, shape_of(nb))
        arr = FancyArrowPatch(
            a,
            b,
            arrowstyle="-|>",
            mutation_scale=7,
            lw=lw,
            color=color,
            linestyle="--" if dashed else "-",
            shrinkA=0,
            shrinkB=0,
        )
        ax.add_patch(arr)
        mx, my = a[0] + at * (b[0] - a[0]), a[1] + at * (b[1] - a[1])
        ax.text(
            mx,
            my,
            text,
            fontsize=5.5,
            ha="center",
            va="center",
            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85),
        )

    if indicators:
        for r in load.itertuples():
            # exogenous factors' labels sit mid-way; the others' just above their box
            at = 0.62 if level[r.lhs] == 0 else 0.72
            arrow(r.lhs, r.rhs, f"{r.std_all:.2f}{stars(r.pvalue)}", color="0.45", at=at)
    for r in reg.itertuples():
        sig = np.isfinite(r.pvalue) and r.pvalue < 0.05
        arrow(
            r.rhs,
            r.lhs,
            f"{r.std_all:.2f}{stars(r.pvalue)}",
            dashed=not sig,
            lw=1.4 if sig else 0.9,
            at=0.45,
        )
    xs = [x for x, _ in list(pos.values()) + list(boxes.values())]
    ys = [y for _, y in list(pos.values()) + list(boxes.values())]
    ax.set_xlim(min(xs) - 1.0, max(xs) + 1.0)
    ax.set_ylim(min(ys) - 0.8, max(max(ys), ymax - 1) + 0.8)
    ax.set_axis_off()
    ax.set_title(
        f"Path diagram (n = {result.n:,}; completely standardized; * p<.05, ** p<.01, *** p<.001)",
        fontsize=8,
    )
    return ax


def plot_structural_forest(result, *, include_defined: bool = True, ax=None):
    """Forest plot of structural effects (``~``) and defined effects (``:=``)
    with their confidence intervals (the result's ``ci_lower``/``ci_upper``).

    Returns the Axes; points are the unstandardized estimates.

    Examples
    --------
    >>> import servqual
    >>> from matplotlib.figure import Figure
    >>> pd_ = servqual.load_dataset("political_democracy")
    >>> res = servqual.sem.fit("ind60 =~ x1 + x2 + x3; dem60 =~ y1 + y2 + y3 + y4; "
    ...                        "dem60 ~ ind60", pd_)
    >>> ax = plot_structural_forest(res, ax=Figure().add_subplot())
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['dem60 ← ind60']
    """
    ax = ax if ax is not None else plt.gca()
    p = result.params
    ops = ["~", ":="] if include_defined else ["~"]
    rows = p[p["op"].isin(ops)].reset_index(drop=True)
    if "group" in rows.columns:
        rows["name"] = [f"[{g}] " if o == "~" else "" for g, o in zip(rows["group"], rows["op"])]
    else:
        rows["name"] = ""
    rows["name"] += [
        f"{a} ← {b}" if o == "~" else f"{a} (defined)"
        for a, o, b in zip(rows["lhs"], rows["op"], rows["rhs"])
    ]
    y = np.arange(len(rows))[::-1]
    for op, marker, lab in (("~", "o", "direct path"), (":=", "s", "defined (e.g. indirect)")):
        m = (rows["op"] == op).to_numpy()
        if not m.any():
            continue
        r = rows[m]
        err = np.vstack([r["est"] - r["ci_lower"], r["ci_upper"] - r["est"]])
        ax.errorbar(r["est"], y[m], xerr=err, fmt=marker, capsize=3, ms=5, label=lab)
    ax.axvline(0, color="0.5", lw=0.8, ls=":")
    ax.set_yticks(y, rows["name"])
    level = int(round(100 * result.ci))
    ax.set_xlabel(f"Unstandardized effect (latent units), {level}% CI")
    ax.set_ylabel("Effect")
    ax.set_title(f"Structural effects (n = {result.n:,})")
    if len(rows) > 1:
        ax.legend(loc="best", fontsize=7)
    return ax


def _rater_fit():
    import warnings

    from ..datasets import load_dataset
    from ..instrument import Instrument
    from ..sem import fit, rater_model

    df = load_dataset("servqual_sim")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit(rater_model(Instrument.servqual22()), df)


register(
    FigureSpec(
        name="sem_path_diagram_sim",
        draw=lambda ax, res: plot_path_diagram(res, ax=ax),
        data=_rater_fit,
        figsize=(6.4, 8.0),
        description="RATER -> satisfaction -> loyalty SEM on servqual_sim: standardized estimates.",
    )
)
register(
    FigureSpec(
        name="sem_structural_forest_sim",
        draw=lambda ax, res: plot_structural_forest(res, ax=ax),
        data=_rater_fit,
        figsize=(6.4, 4.2),
        description="Structural and indirect effects of the RATER SEM on servqual_sim (95% CIs).",
    )
)
