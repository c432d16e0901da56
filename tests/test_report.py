"""The survey report (issues 7, 11, 15): order, plain language, print layout, appendix, CLI."""

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from servqual import Instrument, __version__, load_dataset
from servqual.cli import main
from servqual.report import SECTIONS, survey_report

DATE = "2026-01-15"


class _Page(HTMLParser):
    """Section ids, TOC links, element ids, images, column headers and notes of a page."""

    def __init__(self):
        super().__init__()
        self.sections, self.ids, self.links, self.images, self.headers = [], set(), [], [], []
        self.notes, self.pre, self.details = [], [], 0
        self._stack: list[str] = []
        self._classes_stack: list[str] = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "section":
            self.sections.append(a.get("id"))
        if tag == "a" and "nav" in self._stack:
            self.links.append(a.get("href"))
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag == "details":
            self.details += 1
        if tag == "th" and a.get("scope") == "col":
            self._in = "th"
        if tag == "li" and "notes" in self._classes:
            self._in = "li"
        if tag == "pre":
            self._in = "pre"
        self._stack.append(tag)
        self._classes_stack.append(a.get("class") or "")

    @property
    def _classes(self):
        return " ".join(self._classes_stack)

    def handle_endtag(self, tag):
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
            self._classes_stack.pop()
        self._in = None

    def handle_data(self, data):
        if self._in == "th":
            self.headers.append(data)
        elif self._in == "li":
            self.notes.append(data)
        elif self._in == "pre":
            self.pre.append(data)


def parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    return p


@pytest.fixture(scope="module")
def survey():
    return load_dataset("servqual_sim").head(800)


@pytest.fixture(scope="module")
def report(survey):
    return survey_report(survey, Instrument.servqual22(), n_boot=40, seed=1, date=DATE)


@pytest.fixture(scope="module")
def page(report):
    return report.to_html()


def test_executive_summary_first_then_sections_then_collapsed_appendix(report, page):
    p = parse(page)
    main_ids = [s for s in p.sections if s in SECTIONS]
    # no economics inputs given; no pairs beyond the instrument's own P/E items
    assert main_ids == [s for s in SECTIONS if s not in ("worth", "pairs")]
    assert p.sections[0] == "summary"
    # the appendix is last and inside <details>, collapsed by default
    assert p.sections.index("appendix") > p.sections.index("validation")
    head, tail = page.split("<section id='appendix'", 1)
    assert "<details>" in tail and "<details open" not in page
    for sid in ("items", "measurement", "sem-syntax"):
        assert f"<section id='{sid}'" in tail
    # the executive summary holds headline metrics, gap profile, drivers and priorities
    ex = report.executive.body
    for text in ("Net Promoter Score", "Gap profile", "Top drivers", "Priority actions"):
        assert text in ex


def test_toc_links_resolve_and_images_are_png_data_uris(page):
    p = parse(page)
    assert p.links and all(h.startswith("#") and h[1:] in p.ids for h in p.links)
    assert len(p.images) >= 2  # gap profile and IPA grid
    for src in p.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"


CODE_NAMES = ("alpha_ci_lower", "fornell_larcker", "p_first", "ci_lower", "ci_upper", "share",
              "importance", "std_all", "pvalue", "n_items", "max_htmt", "gap_se")  # fmt: skip


def test_plain_headers_no_nan_no_duplicated_notes(page):
    p = parse(page)
    assert p.headers
    for h in p.headers:
        assert "_" not in h and h not in CODE_NAMES, h
    body = re.sub(r"data:image/png;base64,[^']*", "", page.split("</style>", 1)[1])
    assert ">nan<" not in body.lower() and ">NaN" not in body
    assert len(p.notes) == len(set(p.notes))  # each warning once in the whole report


def test_htmt_diagonal_shows_a_dash(report):
    htmt = next(t for t in report.tables() if t.key == "htmt")
    shown = htmt.shown()
    for i, block in enumerate(shown["Block"]):
        assert shown.loc[i, block] == "—"
    off = shown.loc[0, shown.columns[2]]
    assert re.fullmatch(r"0\.\d{3}", off)


def test_numbers_formatted_for_reading(report):
    ex = report.executive.body
    # intervals as [a, b], percentages with one decimal, p-values as <0.001
    assert re.search(r"\[\-?\d+\.\d, \-?\d+\.\d\]", ex)
    assert re.search(r"\d+\.\d%", ex)
    sem = next(s for s in report.sections if s.id == "sem")
    assert "<td>&lt;0.001</td>" in sem.body
    assert "Chi-square" in sem.body and "RMSEA" in sem.body


def test_method_notes_cite_their_sources(page, report):
    for cite in ("Parasuraman", "Reichheld 2003", "Cronbach 1951", "McDonald 1999",
                 "Henseler, Ringle &amp; Sarstedt 2015", "Grömping 2006", "Lindeman",
                 "Martilla &amp; James 1977", "Brandt 1987", "Mittal"):  # fmt: skip
        assert cite in page, cite
    computed = [s for s in report.sections if "Not computed" not in s.body]
    assert all(s.method for s in computed)


def test_print_css_and_wrapped_model_syntax(page):
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "@page{size:A4;margin:15mm}" in css and "@media print" in css
    assert ".table-wrap{max-width:100%;overflow-x:auto" in css
    assert "section.major{break-before:page}" in css and "pre{white-space:pre-wrap" in css
    assert "beforeprint" in page  # <details> opened before printing
    p = parse(page)
    assert any("satisfaction =~" in t for t in p.pre)


def test_footer_and_deterministic_html(report, survey, page):
    assert f"servqual {__version__}" in page and "seed 1" in page and f"date {DATE}" in page
    again = survey_report(survey, Instrument.servqual22(), n_boot=40, seed=1, date=DATE)
    assert again.to_html() == page


def test_missing_inputs_are_said_not_hidden(survey):
    perf = survey.drop(columns=Instrument.servqual22().columns("E") + ["LTR"])
    rep = survey_report(perf, Instrument.servqual22(), n_boot=0, loyalty=("LOY1", "LOY2"))
    notes = {s.id: " ".join(s.notes) for s in rep.sections}
    assert "perceptions-only" in notes["gap-profile"]
    assert "NPS skipped: the 0-10 recommend column 'LTR' is not in the data" in notes["nps-csat"]
    assert "Life table and Cox model skipped: no tenure column" in notes["retention"]
    assert "Block profile" in rep.executive.body  # block means replace the gap profile


def test_cli_report_writes_three_files_and_refuses_non_empty_dir(tmp_path, capsys):
    csv = tmp_path / "survey.csv"
    load_dataset("servqual_sim").head(500).to_csv(csv, index=False)
    out = tmp_path / "report"
    args = ["report", str(csv), "--instrument", "servqual22", "--out", str(out), "--n-boot",
            "40", "--date", DATE]  # fmt: skip
    assert main(args) == 0
    assert {p.name for p in out.iterdir()} >= {"report.html", "report.xlsx"}
    page = (out / "report.html").read_text(encoding="utf-8")
    assert parse(page).sections[0] == "summary"
    sha = hashlib.sha256(csv.read_bytes()).hexdigest()
    assert f"data file sha256 <code>{sha}</code>" in page and "survey.csv" in page
    assert main(args) == 1
    assert "--force" in capsys.readouterr().err
    assert main(args + ["--force"]) == 0


def test_cli_report_bad_data_exit_2(tmp_path, capsys):
    df = load_dataset("servqual_sim").head(100)
    df.loc[5, "P9"] = 0
    csv = tmp_path / "bad.csv"
    df.to_csv(csv, index=False)
    assert main(["report", str(csv), "--out", str(tmp_path / "r")]) == 2
    assert "'P9'" in capsys.readouterr().err


def test_own_column_names_through_the_cli(tmp_path):
    df = load_dataset("servqual_sim").head(300)
    df = df.rename(columns={"SAT1": "overall1", "SAT2": "overall2", "LOY1": "intent1",
                            "LOY2": "intent2"})  # fmt: skip
    csv = tmp_path / "own.csv"
    df.to_csv(csv, index=False)
    out = tmp_path / "rep"
    args = ["report", str(csv), "--out", str(out), "--satisfaction", "overall1,overall2",
            "--loyalty", "intent1,intent2", "--recommend", "", "--n-boot", "40"]  # fmt: skip
    assert main(args) == 0
    page = (out / "report.html").read_text()
    assert "CSAT, top-2-box % (overall1)" in page
    assert "NPS skipped: no 0-10 recommend column was named." in page
    assert "satisfaction =~ overall1 + overall2" in page
