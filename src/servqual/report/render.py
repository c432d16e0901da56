"""Pieces of HTML: embedded figures, skipped and guarded sections."""

from __future__ import annotations

import base64
import html
import io

import numpy as np
from matplotlib.figure import Figure

from ..errors import ServqualError
from ..figures._registry import style_context


def figure(draw, figsize=(6.4, 4.0), alt: str = "figure") -> tuple[str, bytes]:
    """Draw on a fresh Axes; return the ``<img>`` (PNG data URI) and the PNG bytes."""
    with style_context():
        fig = Figure(figsize=figsize)
        draw(fig.add_subplot())
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None}, bbox_inches="tight")
    png = buf.getvalue()
    data = base64.b64encode(png).decode("ascii")
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>", png


def skip(sid: str, title: str, why: str):
    """A section that says why it was not computed."""
    from .model import Section

    return Section(sid, title, "<p>Not computed.</p>", (why,))


def guarded(sid: str, title: str, make):
    """A section, or one naming why its model could not be computed."""
    try:
        return make()
    except (ServqualError, ValueError, np.linalg.LinAlgError) as exc:
        return skip(sid, title, f"not computed: {exc}")
