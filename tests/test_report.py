"""The HTML survey report (issue 7): every section present, numbers = computed values."""

from html.parser import HTMLParser

import pytest

from servqual import Instrument, load_dataset
from servqual.cli import main
from servqual.metrics import nps
from servqual.report import SECTIONS, survey_report
from servqual.scores import gap_profile


class _Sections(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.images, self.h2 = [], 0, []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.ids.append(a.get("id"))
        if tag == "img" and a.get("src", "").startswith("data:image/png;base64,"):
            self.images += 1
        self._in_h2 = tag == "h2"

    def handle_data(self, data):
        if self._in_h2:
            self.h2.append(data)
            self._in_h2 = False


@pytest.fixture(scope="module")
def survey():
    return load_dataset("servqual_sim").head(800)


@pytest.fixture(scope="module")
def report(survey):
    return survey_report(survey, Instrument.servqual22(), n_boot=50, seed=1)


def test_every_section_and_embedded_figures(report):
    parser = _Sections()
    parser.feed(report.to_html())
    assert parser.ids == list(SECTIONS)
    assert len(parser.h2) == len(SECTIONS)
    assert parser.images >= 2  # gap profile and IPA grid, self-contained
    assert all(not s.notes or "Not computed" not in s.body for s in report.sections)


def test_report_numbers_are_the_package_results(report, survey):
    html = report.to_html()
    prof = gap_profile(survey, Instrument.servqual22())
    assert f"{prof.loc['reliability', 'gap']:.3f}" in html
    assert f"{nps(survey['LTR']).nps:.2f}" in html
    sem = next(s for s in report.sections if s.id == "sem")
    assert "rmsea" in sem.body and "satisfaction ~" in sem.body


def test_missing_inputs_are_said_not_hidden(survey):
    perf = survey.drop(columns=Instrument.servqual22().columns("E") + ["LTR"])
    rep = survey_report(perf, Instrument.servqual22(), n_boot=0, loyalty=("LOY1", "LOY2"))
    notes = {s.id: " ".join(s.notes) for s in rep.sections}
    assert "perceptions-only" in notes["gap-profile"]
    assert "NPS skipped: the 0-10 recommend column 'LTR' is not in the data" in notes["nps-csat"]


def test_cli_report_refuses_non_empty_dir(tmp_path, capsys):
    csv = tmp_path / "survey.csv"
    load_dataset("servqual_sim").head(500).to_csv(csv, index=False)
    out = tmp_path / "report"
    args = ["report", str(csv), "--instrument", "servqual22", "--out", str(out), "--n-boot",
            "40"]  # fmt: skip
    assert main(args) == 0
    page = (out / "report.html").read_text()
    parser = _Sections()
    parser.feed(page)
    assert parser.ids == list(SECTIONS)
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
    assert "CSAT top-2-box % (overall1)" in page
    assert "NPS skipped: no 0-10 recommend column was named." in page
    assert "satisfaction =~ overall1 + overall2" in page
