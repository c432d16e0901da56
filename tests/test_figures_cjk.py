"""Labels in any language: a figure with Chinese labels renders without missing glyphs."""

from __future__ import annotations

import io
import warnings

import pytest
from matplotlib.figure import Figure

import servqual as sq
from servqual.figures._registry import cjk_font, style_context
from servqual.figures.profile import plot_gap_profile


def test_servqual22_chinese_dimension_names():
    inst = sq.Instrument.servqual22(language="zh")
    assert dict(zip(inst.dimensions, sq.instrument.RATER)) == {
        "有形度": "tangibles", "信赖度": "reliability", "反应度": "responsiveness",
        "专业度": "assurance", "同理度": "empathy",
    }  # fmt: skip
    assert inst.dimension_columns("P")["信赖度"] == ["P5", "P6", "P7", "P8", "P9"]
    with pytest.raises(sq.errors.ParameterError, match="language='xx'"):
        sq.Instrument.servqual22(language="xx")


def test_chinese_labels_render_without_missing_glyphs():
    if cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-noto-cjk)")
    inst = sq.Instrument.servqual22(language="zh")
    data = sq.load_dataset("servqual_sim").head(200)
    with style_context():
        fig = Figure(figsize=(5, 3))
        ax = plot_gap_profile(data, inst, ax=fig.add_subplot())
        ax.set_title("服务质量差距 (P − E)")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph ... missing from font(s)" fails the test
            for fmt in ("png", "svg", "pdf"):
                fig.savefig(io.BytesIO(), format=fmt)
    ticks = [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
    assert "有形度" in " ".join(ticks)


def test_without_fallback_the_glyphs_are_missing():
    # the guard above can fail: DejaVu Sans alone has no Han glyphs
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_title("有形度")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        import matplotlib as mpl

        with mpl.rc_context({"font.family": ["DejaVu Sans"]}):
            fig.savefig(io.BytesIO(), format="png")
    assert any("missing from font" in str(w.message) for w in rec)


def test_report_with_chinese_labels_in_tables_and_figures():
    if cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-noto-cjk)")
    from servqual.codebook import Codebook, Roles
    from servqual.report import survey_report

    inst = sq.Instrument.servqual22(language="zh")
    cb = Codebook(inst, labels={"SAT1": "总体满意度"}, roles=Roles(satisfaction=("SAT1",)))
    data = sq.load_dataset("servqual_sim").head(300)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        page = survey_report(data, cb, n_boot=0).to_html()
    glyphs = [str(w.message) for w in rec if "missing from font" in str(w.message)]
    assert not glyphs
    assert "Key drivers of 总体满意度" in page
    assert "<th scope='row'>有形度</th>" in page  # block names in the driver table
    assert "CSAT, top-2-box % (总体满意度)" in page
