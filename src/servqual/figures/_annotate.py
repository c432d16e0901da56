"""Small drawing helpers shared by plot functions."""

from __future__ import annotations


def label_quadrants(ax, labels, *, fontsize: int = 8, color: str = "0.35") -> None:
    """Write quadrant names in the corners of ``ax``.

    ``labels`` maps corners ``"top left"``, ``"top right"``, ``"bottom left"``,
    ``"bottom right"`` to text.
    """
    corners = {
        "top left": (0.02, 0.98),
        "top right": (0.98, 0.98),
        "bottom left": (0.02, 0.02),
        "bottom right": (0.98, 0.02),
    }
    for corner, text in labels.items():
        tx, ty = corners[corner]
        ax.text(
            tx, ty, text, transform=ax.transAxes, fontsize=fontsize, color=color,
            ha="left" if tx < 0.5 else "right", va="top" if ty > 0.5 else "bottom",
        )  # fmt: skip
