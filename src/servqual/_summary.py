"""Summary objects: print as text, render as HTML in a notebook.

A :class:`Summary` is a titled list of sections, each a DataFrame, a mapping of
label -> value, or a paragraph of text, plus the warnings attached to the
result.  Computing never prints: ``result.summary()`` builds one of these.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["Summary"]


def _fmt(v, digits: int) -> str:
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return ""
        return f"{v:.{digits}f}"
    return str(v)


@dataclass(frozen=True)
class Summary:
    """A printable, HTML-renderable summary.

    Parameters
    ----------
    title : str
    sections : sequence of (heading, content)
        ``content`` is a DataFrame, a mapping or a string.
    warnings : sequence of str
    digits : int
        Decimals for floats.

    Examples
    --------
    >>> s = Summary("Demo", [("Fit", {"n": 10, "r2": 0.5})])
    >>> print(s)  # doctest: +NORMALIZE_WHITESPACE
    Demo
    ====
    <BLANKLINE>
    Fit
      n   10
      r2  0.500
    """

    title: str
    sections: Sequence[tuple[str, object]] = field(default_factory=tuple)
    warnings: Sequence[str] = field(default_factory=tuple)
    digits: int = 3

    def as_text(self) -> str:
        lines = [self.title, "=" * len(self.title)]
        for heading, content in self.sections:
            lines += ["", heading]
            if isinstance(content, pd.DataFrame):
                lines.append(
                    content.to_string(float_format=lambda v: _fmt(v, self.digits), na_rep="")
                )
            elif isinstance(content, Mapping):
                width = max((len(str(k)) for k in content), default=0)
                for k, v in content.items():
                    lines.append(f"  {str(k):<{width}}  {_fmt(v, self.digits)}")
            else:
                lines.append(str(content))
        if self.warnings:
            lines += ["", "Warnings"]
            lines += [f"  ! {w}" for w in self.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        parts = [f"<div class='servqual-summary'><h4>{html.escape(self.title)}</h4>"]
        for heading, content in self.sections:
            parts.append(f"<h5>{html.escape(heading)}</h5>")
            if isinstance(content, pd.DataFrame):
                parts.append(content.to_html(float_format=lambda v: _fmt(v, self.digits)))
            elif isinstance(content, Mapping):
                rows = "".join(
                    f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_fmt(v, self.digits))}"
                    "</td></tr>"
                    for k, v in content.items()
                )
                parts.append(f"<table>{rows}</table>")
            else:
                parts.append(f"<pre>{html.escape(str(content))}</pre>")
        if self.warnings:
            items = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
            parts.append(f"<h5>Warnings</h5><ul style='color:#a00'>{items}</ul>")
        parts.append("</div>")
        return "".join(parts)
