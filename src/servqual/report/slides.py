"""The executive summary as a PowerPoint deck (python-pptx, the ``report`` extra)."""

from __future__ import annotations

import datetime as _dt
import io

from .._warn import warn
from .workbook import _fixed_zip_times

#: shown when python-pptx is absent
NO_PPTX = "summary.pptx not written: python-pptx is not installed (pip install 'servqual[report]')."


def summary_pptx(report) -> bytes | None:
    """The deck's bytes: a title slide, then one slide per executive-summary table and figure.

    Deterministic for a fixed report date: fixed core properties and zip
    timestamps.  Returns ``None`` (with a warning) when python-pptx is absent.
    """
    try:
        from pptx import Presentation
        from pptx.util import Cm, Pt
    except ImportError:
        warn(NO_PPTX, UserWarning)
        return None
    ex = report.executive
    prs = Presentation()
    prs.slide_width, prs.slide_height = Cm(33.867), Cm(19.05)  # 16:9
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = report.title
    f = report.footer
    slide.placeholders[
        1
    ].text = f"Executive summary · {f.get('date', '')} · servqual {f.get('version', '')}"
    tables = list(ex.tables) if ex is not None else []
    for t in tables:
        shown = t.shown()
        if shown.empty:
            continue
        s = prs.slides.add_slide(prs.slide_layouts[5])
        s.shapes.title.text = t.title
        rows, cols = min(shown.shape[0], 12) + 1, shown.shape[1]
        width = prs.slide_width - Cm(2)
        shape = s.shapes.add_table(rows, cols, Cm(1), Cm(4), width, Cm(1) * rows)
        tab = shape.table
        for j, c in enumerate(shown.columns):
            tab.cell(0, j).text = str(c)
        for i in range(rows - 1):
            for j in range(cols):
                tab.cell(i + 1, j).text = str(shown.iat[i, j])
        for cell in (tab.cell(i, j) for i in range(rows) for j in range(cols)):
            for p in cell.text_frame.paragraphs:
                for r in p.runs:
                    r.font.size = Pt(12 if cols < 6 else 10)
    for name, png in report.images.items():
        s = prs.slides.add_slide(prs.slide_layouts[5])
        s.shapes.title.text = name
        s.shapes.add_picture(io.BytesIO(png), Cm(4), Cm(3.5), height=Cm(14.5))
    props = prs.core_properties
    try:
        when = _dt.datetime.fromisoformat(str(f.get("date", "2000-01-01")))
    except ValueError:
        when = _dt.datetime(2000, 1, 1)
    props.author = props.last_modified_by = "servqual"
    props.title = report.title
    props.created = props.modified = props.last_printed = when
    props.revision = 1
    buf = io.BytesIO()
    prs.save(buf)
    return _fixed_zip_times(buf.getvalue(), when.timetuple()[:6] if when.year >= 1980 else
                            (2000, 1, 1, 0, 0, 0))  # fmt: skip
