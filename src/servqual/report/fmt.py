"""Numbers and tables formatted for reading: percent, intervals, p-values, plain headers.

Every table of the report is a :class:`Table`: raw values under plain-word
headers (what the Excel workbook holds) plus, per column, how to show it in
the HTML.  The HTML shows an interval as one "[a, b]" column and a missing
value as "—".
"""

from __future__ import annotations

import html
import math
from types import MappingProxyType

import pandas as pd

DASH = "—"

#: code names of the package's tables -> plain headers (no code name reaches the page)
HEADERS = {
    "n": "Respondents",
    "n_items": "Items",
    "alpha": "Cronbach's alpha",
    "alpha_ci_lower": "alpha, lower",
    "alpha_ci_upper": "alpha, upper",
    "omega": "McDonald's omega",
    "ave": "Average variance extracted",
    "max_htmt": "Highest HTMT",
    "P": "Perception",
    "E": "Expectation",
    "gap": "Gap (P − E)",
    "gap_ci_lower": "gap, lower",
    "gap_ci_upper": "gap, upper",
    "importance": "Importance",
    "performance": "Performance",
    "quadrant": "Quadrant",
    "penalty": "Penalty",
    "reward": "Reward",
    "factor": "Kind of factor",
    "loading": "Loading",
    "std_loading": "Standardised loading",
}


def num(v, digits: int = 2) -> str:
    """``v`` with ``digits`` decimals; missing as "—"; no "-0.00" for a small negative.

    Examples
    --------
    >>> num(0.12345), num(float("nan")), num(-1.0, 1), num(-0.001), num(-0.4, 0)
    ('0.12', '—', '-1.0', '0.00', '0')
    """
    if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v):
        return DASH
    if isinstance(v, bool):
        return "yes" if v else "no"
    if digits == 0:
        out = f"{v:,.0f}" if abs(v) >= 10_000 else f"{v:.0f}"
    else:
        out = f"{float(v):.{digits}f}"
    # a value that rounds to zero is shown as zero, not as "-0.00"
    return out[1:] if out.startswith("-") and not out.strip("-0.,") else out


def pct(v, digits: int = 1) -> str:
    """A percentage (already in percent) with one decimal: ``45.6%``.

    Examples
    --------
    >>> pct(45.64)
    '45.6%'
    """
    s = num(v, digits)
    return s if s == DASH else s + "%"


def interval(lo, hi, digits: int = 2, unit: str = "") -> str:
    """An interval as ``[a, b]``.

    Examples
    --------
    >>> interval(0.1234, 0.5, 2), interval(10, 20.04, 1, "%")
    ('[0.12, 0.50]', '[10.0%, 20.0%]')
    """
    a, b = num(lo, digits), num(hi, digits)
    if DASH in (a, b):
        return DASH
    return f"[{a}{unit}, {b}{unit}]"


def pval(p) -> str:
    """A p-value for reading: ``<0.001`` below one in a thousand, else 3 decimals.

    Examples
    --------
    >>> pval(0.00002), pval(0.0456)
    ('<0.001', '0.046')
    """
    if p is None or pd.isna(p):
        return DASH
    return "<0.001" if p < 0.001 else f"{p:.3f}"


_FORMATS = {
    "int": lambda v: num(v, 0),
    "num1": lambda v: num(v, 1),
    "num2": lambda v: num(v, 2),
    "num3": lambda v: num(v, 3),
    "pct": pct,
    "p": pval,
    "yesno": lambda v: "yes" if v else "no",
    "text": lambda v: DASH if v is None or (isinstance(v, float) and pd.isna(v)) else str(v),
}


_DIGITS = {"num1": 1, "num3": 3, "pct": 1, "int": 0}


class Table:
    """One report table: raw values under plain headers, and how to show them.

    Parameters
    ----------
    key : short name (the Excel sheet's name is made from it)
    title : heading shown above the table
    frame : the values, one column per header, default index
    describe : header -> what the column means, in plain words (Excel "columns" sheet)
    formats : header -> ``int``, ``num1``, ``num2``, ``num3``, ``pct`` (already
        percent), ``p`` or ``text`` (default ``num2`` for numbers, ``text`` else),
        or a tuple of those, one per row
    intervals : (shown header, lower header, upper header, format) joined as "[a, b]";
        the format may be a tuple, one per row

    A table is immutable: ``frame`` hands out a copy.

    Examples
    --------
    >>> t = Table("x", "X", pd.DataFrame({"a": [1.5], "lo": [1.0], "hi": [2.0]}),
    ...           intervals=(("95% CI", "lo", "hi", "num1"),))
    >>> "[1.0, 2.0]" in t.to_html()
    True
    """

    __slots__ = ("key", "title", "_frame", "describe", "formats", "intervals")

    def __init__(self, key: str, title: str, frame: pd.DataFrame, describe=None, formats=None,
                 intervals: tuple = ()):  # fmt: skip
        for name, value in (("key", key), ("title", title), ("_frame", frame.copy()),
                            ("describe", MappingProxyType(dict(describe or {}))),
                            ("formats", MappingProxyType(dict(formats or {}))),
                            ("intervals", tuple(intervals))):  # fmt: skip
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError(f"a report Table is read-only; {name!r} cannot be set")

    def __repr__(self) -> str:
        return f"Table({self.key!r}, {self.title!r}, {self._frame.shape[0]} rows)"

    @property
    def frame(self) -> pd.DataFrame:
        """The values (a copy)."""
        return self._frame.copy()

    def _format_of(self, col) -> str:
        if col in self.formats:
            return self.formats[col]
        if pd.api.types.is_bool_dtype(self._frame[col]):
            return "yesno"
        if pd.api.types.is_integer_dtype(self._frame[col]):
            return "int"
        if pd.api.types.is_numeric_dtype(self._frame[col]):
            return "num2"
        return "text"

    def shown(self) -> pd.DataFrame:
        """The table as shown: formatted strings, intervals joined."""
        f = self._frame
        out = pd.DataFrame(index=f.index)
        joined = {lo: (name, hi, fmt) for name, lo, hi, fmt in self.intervals}
        skip = {hi for _, _, hi, _ in self.intervals}

        def per_row(fmt):
            return list(fmt) if isinstance(fmt, tuple) else [fmt] * len(f)

        for col in f.columns:
            if col in skip:
                continue
            if col in joined:
                name, hi, fmt = joined[col]
                out[name] = [
                    interval(a, b, _DIGITS.get(k, 2), "%" if k == "pct" else "")
                    for a, b, k in zip(f[col], f[hi], per_row(fmt))
                ]
            else:
                kinds = per_row(self._format_of(col))
                out[col] = [_FORMATS[k](v) for v, k in zip(f[col], kinds)]
        return out

    def to_html(self) -> str:
        """``<table>`` in a scrolling wrapper, with the title as caption."""
        shown = self.shown()
        head = "".join(f"<th scope='col'>{html.escape(str(c))}</th>" for c in shown.columns)
        text = [
            c in self._frame.columns and self._format_of(c) in ("text", "yesno")
            for c in shown.columns
        ]
        rows = []
        for _, r in shown.iterrows():
            cells = []
            for j, v in enumerate(r):
                tag = "th scope='row'" if j == 0 else ("td class='txt'" if text[j] else "td")
                cells.append(f"<{tag}>{html.escape(str(v))}</{tag.split()[0]}>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        cap = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return (
            f"<div class='table-wrap'><table id='t-{self.key}'>{cap}<thead><tr>{head}</tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
        )


def dedupe(notes) -> tuple[str, ...]:
    """Notes in order, each once.

    Examples
    --------
    >>> dedupe(["a", "b", "a"])
    ('a', 'b')
    """
    return tuple(dict.fromkeys(n for n in notes if n))
