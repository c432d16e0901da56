"""The report's files: the Excel workbook round-trips, the PowerPoint summary is reproducible."""

from __future__ import annotations

import builtins
import io

import pandas as pd
import pytest

import servqual as sq
from servqual.errors import OverwriteError
from servqual.report import survey_report
from servqual.report.workbook import sheet_names

DATE = "2026-02-03"


@pytest.fixture(scope="module")
def report():
    df = sq.load_dataset("servqual_sim").head(400)
    return survey_report(df, sq.Instrument.servqual22(), n_boot=40, seed=2, date=DATE)


@pytest.fixture(scope="module")
def written(report, tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "r"
    report.write(out)
    return out


def test_every_table_reads_back_equal(report, written):
    tables = report.tables()
    names = sheet_names(tables)
    book = pd.read_excel(written / "report.xlsx", sheet_name=None)
    assert list(book) == ["columns"] + names
    assert all(len(n) <= 31 for n in names) and len(set(names)) == len(names)
    for name, t in zip(names, tables):
        pd.testing.assert_frame_equal(book[name], t.frame, obj=name)
    # the first sheet describes every column of every sheet in plain words
    cols = book["columns"]
    for name, t in zip(names, tables):
        described = cols.loc[cols["sheet"] == name]
        assert list(described["column"]) == [str(c) for c in t.frame.columns]
        assert described["meaning"].notna().all()
    assert "what is measured" in " ".join(cols["meaning"])


def test_workbook_holds_the_report_tables(report):
    keys = [t.key for t in report.tables()]
    for k in (
        "headline",
        "gap_profile",
        "key_drivers",
        "top_drivers",
        "priorities",
        "ipa",
        "penalty_reward",
        "reliability",
        "htmt",
        "loadings",
        "items",
        "sem_paths",
    ):
        assert k in keys, k
    assert len(keys) == len(set(keys))  # the summary's repeated tables appear once


def test_sheet_names_are_excel_safe():
    from servqual.report.fmt import Table

    ts = [Table("a/b:c*?[x]" + "y" * 40, "", pd.DataFrame()), Table("columns", "", pd.DataFrame())]
    names = sheet_names(ts + ts)
    assert len(set(n.lower() for n in names)) == 4 and "columns" not in names
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)


def test_pptx_summary_is_reproducible_and_holds_the_summary(report, written, tmp_path):
    pptx = pytest.importorskip("pptx")
    first = (written / "summary.pptx").read_bytes()
    report.write(tmp_path / "again")
    assert (tmp_path / "again" / "summary.pptx").read_bytes() == first
    deck = pptx.Presentation(io.BytesIO(first))
    assert deck.core_properties.created.date().isoformat() == DATE
    texts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [c.text for r in shape.table.rows for c in r.cells]
    headline = next(t for t in report.tables() if t.key == "headline").shown()
    for v in headline["Value"]:
        assert v in texts  # the NPS, CSAT and gap as shown in the HTML
    assert "Top 3 drivers of satisfaction" in texts
    assert any(s.shapes[-1].shape_type == 13 for s in deck.slides)  # the gap profile picture


def test_without_python_pptx_the_deck_is_skipped_with_a_note(report, tmp_path, monkeypatch):
    real = builtins.__import__

    def no_pptx(name, *args, **kwargs):
        if name == "pptx" or name.startswith("pptx."):
            raise ImportError("No module named 'pptx'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pptx)
    with pytest.warns(UserWarning, match=r"pip install 'servqual\[report\]'"):
        report.write(tmp_path / "r")
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["report.html", "report.xlsx"]


def test_html_and_workbook_are_written_atomically_and_refuse_overwrite(report, written):
    with pytest.raises(OverwriteError, match="not empty"):
        report.write(written)
    assert (written / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
