"""Deterministic point-label placement (no overlaps, no randomness).

:func:`place_labels` puts each label at the first of a fixed list of
candidate positions around its point (right, above-right, above, ... at growing
distances) whose box overlaps neither an earlier label, any plotted point, any
text already on the Axes (quadrant names), nor the Axes edge; a leader line
joins a label set further out to its point.  Box sizes are estimated from the
font size and the characters (East Asian wide characters count a full em), so
the placement does not depend on the rendering backend and is identical on
every machine.  Long labels wrap onto two lines.
"""

from __future__ import annotations

import textwrap
import unicodedata

import numpy as np

__all__ = ["place_labels", "wrap_label", "text_width_em"]

# unit directions, tried in this order at each distance
_DIRS = ((1, 0), (0.71, 0.71), (0, 1), (-0.71, 0.71), (-1, 0), (-0.71, -0.71), (0, -1),
         (0.71, -0.71))  # fmt: skip
_DIRS = _DIRS + tuple(
    (round(float(np.cos(a)), 3), round(float(np.sin(a)), 3))
    for a in np.deg2rad(np.arange(22.5, 360.0, 45.0))
)
_RADII = (4.0, 9.0, 16.0, 25.0, 36.0, 50.0, 66.0, 85.0, 105.0, 130.0)  # points
_POINT = 4.0  # half size of a plotted point's box, points


def text_width_em(text: str) -> float:
    """Width of one line of ``text`` in em (wide East Asian characters count 1).

    Examples
    --------
    >>> text_width_em("abc"), text_width_em("服务")
    (1.86, 2.0)
    """
    return round(sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.62 for c in text), 6)


def wrap_label(text: str, width: float = 18.0, lines: int = 2) -> str:
    """Wrap a long label onto at most ``lines`` lines of about ``width`` em-ish units.

    Examples
    --------
    >>> wrap_label("Employees are consistently courteous with customers")
    'Employees are consistently\\ncourteous with customers'
    >>> wrap_label("short")
    'short'
    """
    text = str(text)
    if text_width_em(text) <= width * 0.62 * 1.4:
        return text
    if any(unicodedata.east_asian_width(c) in "WF" for c in text):
        step = max(1, int(width * 0.62))  # CJK: no spaces, cut by characters
        parts = [text[i : i + step] for i in range(0, len(text), step)]
    else:
        parts = textwrap.wrap(text, width=int(width * 1.5)) or [text]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1].rstrip() + "\u2026"
    return "\n".join(parts)


def _box(x, y, w, h, ha, va):
    x0 = x if ha == "left" else x - w if ha == "right" else x - w / 2
    y0 = y if va == "bottom" else y - h if va == "top" else y - h / 2
    return (x0, y0, x0 + w, y0 + h)


def _overlap(a, b) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def _text_box(t, scale):
    """Estimated box (points) of a Text already on the Axes."""
    x, y = t.get_transform().transform(t.get_position()) * scale
    lines = t.get_text().split("\n")
    fs = t.get_fontsize()
    w = fs * max(text_width_em(s) for s in lines) + 2
    h = fs * 1.35 * len(lines) + 1
    return _box(x, y, w, h, t.get_ha(), t.get_va())


def place_labels(ax, x, y, labels, *, fontsize: float = 7.0, color: str = "0.1"):
    """Label points ``(x, y)`` (data units) without overlaps; return the annotations.

    Call last, when the limits, titles and legend are final.  Positions depend only on the data,
    the limits, the figure size and the labels.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure(figsize=(4, 3)).add_subplot()
    >>> _ = ax.scatter([0, 0.01, 1], [0, 0.01, 1])
    >>> ax.set_xlim(-0.5, 1.5); ax.set_ylim(-0.5, 1.5)
    (-0.5, 1.5)
    (-0.5, 1.5)
    >>> anns = place_labels(ax, [0, 0.01, 1], [0, 0.01, 1], ["a", "b", "c"])
    >>> len(anns), anns[0].get_text()
    (3, 'a')
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    # lay the figure out first (constrained layout moves the Axes at draw time)
    ax.figure.draw_without_rendering()
    scale = 72.0 / ax.figure.dpi  # display pixels -> points
    pts = ax.transData.transform(np.column_stack([x, y])) * scale
    frame = ax.bbox.extents * scale
    taken = [_text_box(t, scale) for t in ax.texts if t.get_text()]
    obstacles = [(px - _POINT, py - _POINT, px + _POINT, py + _POINT) for px, py in pts]
    out = []
    for k, (label, (px, py)) in enumerate(zip(labels, pts)):
        text = wrap_label(label)
        lines = text.split("\n")
        w = fontsize * max(text_width_em(s) for s in lines) + 2
        h = fontsize * 1.35 * len(lines) + 1
        best = None
        for r in _RADII:
            for dx, dy in _DIRS:
                ha = "left" if dx > 0.1 else "right" if dx < -0.1 else "center"
                va = "bottom" if dy > 0.1 else "top" if dy < -0.1 else "center"
                ox, oy = r * dx, r * dy
                b = _box(px + ox, py + oy, w, h, ha, va)
                inside = b[0] >= frame[0] and b[1] >= frame[1]
                inside = inside and b[2] <= frame[2] and b[3] <= frame[3]
                cost = sum(_overlap(b, o) for o in taken)
                cost += sum(_overlap(b, o) for j, o in enumerate(obstacles) if j != k)
                cost += 0.0 if inside else 1e6
                if best is None or cost < best[0]:
                    best = (cost, ox, oy, ha, va, b, r)
                if cost == 0.0:
                    break
            if best[0] == 0.0:
                break
        _, ox, oy, ha, va, b, r = best
        taken.append(b)
        arrow = dict(arrowstyle="-", lw=0.5, color="0.55", shrinkA=0, shrinkB=3) if r > 9 else None
        out.append(
            ax.annotate(
                text,
                (x[k], y[k]),
                xytext=(ox, oy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                color=color,
                arrowprops=arrow,
            )  # fmt: skip
        )
    return out
