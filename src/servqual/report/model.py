"""The computed report: :class:`Section` and :class:`SurveyReport` (HTML, Excel, PowerPoint)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from .._result import Result, resultclass
from .._summary import Summary
from .css import CSS, PRINT_SCRIPT
from .fmt import Table, dedupe


@dataclass(frozen=True)
class Section:
    """One report section: id, title, HTML body, notes (warnings, skips), tables, method note.

    Examples
    --------
    >>> Section("x", "X", "<p>hi</p>", ("a note",)).notes
    ('a note',)
    """

    id: str
    title: str
    body: str
    notes: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    method: str = ""

    def to_html(self, heading: int = 2, major: bool = True) -> str:
        """The section as ``<section id=...>`` with its heading, method note and notes."""
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in dedupe(self.notes))
        cls = " class='major'" if major else ""
        return (
            f"<section id='{self.id}'{cls}><h{heading}>{html.escape(self.title)}</h{heading}>"
            + self.body
            + (f"<p class='method'>{self.method}</p>" if self.method else "")
            + (f"<ul class='notes'>{notes}</ul>" if notes else "")
            + "</section>"
        )


@resultclass
class SurveyReport(Result):
    """The computed report; :meth:`to_html` renders it, :meth:`write` saves it.

    Attributes
    ----------
    title : str
    sections : tuple of Section
        The analyses, after the executive summary.
    executive : Section or None
        The executive summary (headline metrics, gap profile, top drivers,
        priority actions, the worth of a one-point improvement).
    appendix : tuple of Section
        Technical detail, collapsed in the HTML.
    footer : mapping
        ``version``, ``seed``, ``sha256`` (of the data file, when known), ``date``.
    images : mapping of name -> PNG bytes (the executive summary's figures)
    """

    title: str
    sections: tuple[Section, ...]
    executive: Section | None = None
    appendix: tuple[Section, ...] = ()
    footer: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    images: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[str, ...] = ()

    def all_sections(self) -> list[Section]:
        """Executive summary, sections and appendix, in report order."""
        head = [self.executive] if self.executive is not None else []
        return head + list(self.sections) + list(self.appendix)

    def tables(self) -> list[Table]:
        """Every table of the report, in report order (what the workbook holds)."""
        out, seen = [], set()
        for t in (t for s in self.all_sections() for t in s.tables):
            if id(t) not in seen:  # the executive summary repeats some tables
                seen.add(id(t))
                out.append(t)
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per section: ``id``, ``title``, ``notes`` (count)."""
        return pd.DataFrame(
            [{"id": s.id, "title": s.title, "notes": len(s.notes)} for s in self.all_sections()]
        )

    def summary(self) -> Summary:
        """The sections and their notes."""
        rows = self.to_frame().set_index("id") if self.all_sections() else pd.DataFrame()
        notes = dedupe(n for s in self.all_sections() for n in s.notes)
        return Summary(self.title, [("Sections", rows)], notes)

    def to_html(self) -> str:
        """A self-contained HTML document (figures embedded as PNG data URIs)."""
        toc = [self.executive] if self.executive is not None else []
        toc += list(self.sections)
        links = "".join(f"<li><a href='#{s.id}'>{html.escape(s.title)}</a></li>" for s in toc)
        if self.appendix:
            links += "<li><a href='#appendix'>Technical appendix</a></li>"
        parts = [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            f"<title>{html.escape(self.title)}</title><style>{CSS}</style></head><body>",
            f"<header><h1>{html.escape(self.title)}</h1>{self._subtitle()}</header>",
            f"<nav aria-label='Contents'><strong>Contents</strong><ol>{links}</ol></nav>",
            "<main>",
        ]
        if self.executive is not None:
            parts.append(self.executive.to_html(major=False))
        # a page break before each computed section; skipped ones follow on the same page
        parts += [s.to_html(major=s.body != "<p>Not computed.</p>") for s in self.sections]
        if self.appendix:
            inner = "".join(s.to_html(heading=3, major=False) for s in self.appendix)
            parts.append(
                "<section id='appendix' class='major'><h2>Technical appendix</h2>"
                "<details><summary>Show the technical detail (measurement model, "
                f"missing answers per item, model syntax)</summary>{inner}</details></section>"
            )
        parts += ["</main>", self._footer(), PRINT_SCRIPT, "</body></html>"]
        return "\n".join(parts)

    def _subtitle(self) -> str:
        f = self.footer
        if not f:
            return ""
        bits = [f"Report date {f.get('date', '')}"]
        if f.get("source"):
            bits.append(f"data file {html.escape(str(f['source']))}")
        return f"<p class='subtitle'>{' · '.join(bits)}</p>"

    def _footer(self) -> str:
        f = self.footer
        if not f:
            return "<footer></footer>"
        items = [
            f"servqual {html.escape(str(f.get('version', '')))}",
            f"seed {html.escape(str(f.get('seed')))}",
            f"bootstrap replicates {html.escape(str(f.get('n_boot')))}",
            f"missing answers: {html.escape(str(f.get('missing')))}",
        ]
        if f.get("sha256"):
            items.append(f"data file sha256 <code>{f['sha256']}</code>")
        items.append(f"date {html.escape(str(f.get('date')))}")
        return "<footer><p>" + " · ".join(items) + "</p></footer>"

    def write(
        self, outdir: str | Path, *, force: bool = False, workbook: bool = True,
        slides: bool = True,
    ) -> Path:  # fmt: skip
        """Write ``report.html``, ``report.xlsx`` and ``summary.pptx`` into ``outdir``.

        A non-empty ``outdir`` needs ``force=True``; the folder (or, with
        ``force``, its files) appears complete or not at all.  The PowerPoint
        needs the ``report`` extra (python-pptx); without it a note says so.
        """
        from .._io import atomic_dir, write_bytes, write_text
        from .slides import summary_pptx
        from .workbook import workbook_bytes

        outdir = Path(outdir)
        html_text = self.to_html()
        xlsx = workbook_bytes(self.tables()) if workbook else None
        pptx = summary_pptx(self) if slides else None
        with atomic_dir(outdir, force=force) as tmp:
            write_text(tmp / "report.html", html_text)
            if xlsx is not None:
                write_bytes(tmp / "report.xlsx", xlsx)
            if pptx is not None:
                write_bytes(tmp / "summary.pptx", pptx)
        return outdir / "report.html"
