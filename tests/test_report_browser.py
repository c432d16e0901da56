"""The survey report in a real browser (issue #15 §1): headless Chromium.

Two reports -- a simulated SERVQUAL survey and the real ABC survey read through
its codebook (0 = N/A) -- are written with ``SurveyReport.write`` and opened
from disk in headless Chromium, driven over the DevTools protocol by the stdlib
client ``tests/_cdp.py``.  The checks probe generic properties of the page
only, so they hold whatever the report's layout:

* no console error, no uncaught exception, no error log entry;
* every ``<img>`` loaded and decoded (``complete`` and ``naturalWidth > 0``);
* no horizontal overflow at a 1280 px window and at A4 print width (print
  media, 794 CSS px = 210 mm at 96 px/in): the document does not scroll
  sideways and no rendered element ends right of the viewport;
* every in-page link ``a[href^="#"]`` (the table of contents) resolves.

Screenshots at 1280 px and an A4 print PDF of each report are kept under
``tests/artifacts/`` (gitignored; CI can upload them).  The test skips, with
the reason, where no Chromium is installed (``.ci/run`` installs the Debian
package when it can); each browser session is time-boxed and killed on timeout.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from _cdp import Browser, CDPError, find_chromium

import servqual as sq
from servqual.datasets import abc_codebook
from servqual.report import survey_report

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = find_chromium()

#: window widths in CSS px: a laptop screen, and A4 paper (210 mm at 96 px/in)
SCREEN, A4 = 1280, 794

#: one JavaScript probe, returning everything the tests assert on
PROBE = """(() => {
  const de = document.documentElement, vw = de.clientWidth;
  const clipped = el => {  // inside a box that scrolls or clips sideways (screen only)
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o !== 'visible') return p.getBoundingClientRect().right <= vw + 1;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= vw + 1) continue;
    if (!PRINT && clipped(el)) continue;
    wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
              + `${el.className && typeof el.className === 'string' ? '.' + el.className : ''}`
              + ` ends at ${Math.round(r.right)} px: `
              + (el.textContent || el.getAttribute('alt') || '').trim().slice(0, 60));
  }
  const links = [...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute('href'));
  const target = h => h === '#' || !!document.getElementById(decodeURIComponent(h.slice(1)))
                      || document.getElementsByName(decodeURIComponent(h.slice(1))).length > 0;
  return {
    scrollWidth: de.scrollWidth, clientWidth: vw, wide: wide.slice(0, 8), nWide: wide.length,
    images: [...document.images].map(i => ({complete: i.complete, width: i.naturalWidth,
                                            alt: i.alt, src: i.src.slice(0, 40)})),
    links: links, broken: links.filter(h => !target(h)),
    title: document.title,
  };
})()"""


def _reports(tmp: Path) -> dict[str, Path]:
    survey, _ = sq.simulate_survey(400, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reports' own notes are not under test here
        made = {
            "simulated": survey_report(survey, sq.Instrument.servqual22(), n_boot=40, seed=1),
            "abc": survey_report(
                sq.load_dataset("abc_survey"),
                abc_codebook(),
                missing="available",
                n_boot=40,
                seed=1,
            ),
        }
    out = {}
    for name, rep in made.items():
        written = Path(rep.write(tmp / name))
        out[name] = written if written.is_file() else written / "report.html"
        assert out[name].is_file(), f"{name}: no report.html written in {written}"
    return out


#: a page with one of each defect, to show that every check can fail
DEFECTS = """<!DOCTYPE html><html><head><meta charset='utf-8'><title>defects</title>
<style>@media print { .print-wide { width: 1000px } }</style></head><body>
<nav><a href='#here'>ok</a> <a href='#nowhere'>broken</a></nav><h2 id='here'>here</h2>
<img alt='missing' src='no-such-figure.png'>
<div style='width: 1500px'>a wide block</div><div class='print-wide'>wide in print</div>
<script>console.error('a console error'); throw new Error('an uncaught exception');</script>
</body></html>"""


def _errors(page) -> list[str]:
    out = [
        "console.error: " + " ".join(str(a.get("value", a.get("description"))) for a in e["args"])
        for e in page.events("Runtime.consoleAPICalled")
        if e["type"] in ("error", "assert")
    ]
    out += [
        "exception: "
        + str(e["exceptionDetails"].get("exception", {}).get("description")
              or e["exceptionDetails"].get("text", ""))
        for e in page.events("Runtime.exceptionThrown")
    ]  # fmt: skip
    out += [
        f"log {e['entry']['source']}: {e['entry']['text']} {e['entry'].get('url', '')}"
        for e in page.events("Log.entryAdded")
        if e["entry"]["level"] == "error"
    ]
    return out


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Per page and width: the probe's findings, and the console's complaints."""
    if CHROMIUM is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set SERVQUAL_CHROMIUM)")
    browser = Browser(CHROMIUM, timeout=60)  # the whole session is killed after 60 s
    try:
        version = browser.send("Browser.getVersion")["product"]
    except CDPError as exc:
        browser.close()
        pytest.skip(f"Chromium at {CHROMIUM} does not start: {exc}")
    tmp = tmp_path_factory.mktemp("reports")
    files = _reports(tmp)
    files["defects"] = tmp / "defects.html"
    files["defects"].write_text(DEFECTS, encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    found = {}
    with browser:
        for name, path in files.items():
            keep = name != "defects"
            page = browser.new_page()
            page.viewport(SCREEN)
            page.goto(path.as_uri())
            screen = page.evaluate(PROBE.replace("PRINT", "false"))
            if keep:
                page.screenshot(ARTIFACTS / f"report-{name}-{SCREEN}px.png")
            page.viewport(A4, 1123, media="print")
            printed = page.evaluate(PROBE.replace("PRINT", "true"))
            if keep:
                page.pdf(ARTIFACTS / f"report-{name}-A4.pdf")
            found[name] = {SCREEN: screen, A4: printed, "errors": _errors(page)}
    (ARTIFACTS / "browser.txt").write_text(f"{version}\n", encoding="utf-8")
    return found


def test_every_check_catches_its_defect(pages):
    """The probe on a page built with one of each defect: every check fires."""
    bad = pages["defects"]
    text = "\n".join(bad["errors"])
    assert "a console error" in text and "an uncaught exception" in text
    assert "no-such-figure.png" in text  # the failed image load is logged as an error
    assert [i["complete"] and i["width"] > 0 for i in bad[SCREEN]["images"]] == [False]
    assert bad[SCREEN]["broken"] == ["#nowhere"] and bad[SCREEN]["links"] == ["#here", "#nowhere"]
    assert bad[SCREEN]["scrollWidth"] > SCREEN and bad[SCREEN]["nWide"] == 1
    # print media: the 1500 px block and the block that is wide only in print
    assert bad[A4]["nWide"] == 2 and bad[A4]["scrollWidth"] >= 1500


REPORTS = ["simulated", "abc"]


@pytest.mark.parametrize("name", REPORTS)
def test_no_console_errors(pages, name):
    assert pages[name]["errors"] == []


@pytest.mark.parametrize("name", REPORTS)
def test_every_image_is_decoded(pages, name):
    images = pages[name][SCREEN]["images"]
    assert len(images) >= 1, "the report should show its figures"
    bad = [i for i in images if not (i["complete"] and i["width"] > 0)]
    assert bad == []


@pytest.mark.parametrize("name", REPORTS)
def test_every_toc_link_resolves(pages, name):
    probe = pages[name][SCREEN]
    assert len(probe["links"]) >= 5, "a table of contents links the sections"
    assert probe["broken"] == []


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("width", [SCREEN, A4], ids=["1280px", "A4-print"])
def test_no_horizontal_overflow(pages, name, width):
    probe = pages[name][width]
    assert probe["clientWidth"] == width
    assert probe["scrollWidth"] <= probe["clientWidth"], probe["wide"]
    assert probe["nWide"] == 0, probe["wide"]


def test_artifacts_are_kept(pages):
    for name in REPORTS:
        png = ARTIFACTS / f"report-{name}-{SCREEN}px.png"
        pdf = ARTIFACTS / f"report-{name}-A4.pdf"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert pdf.read_bytes()[:5] == b"%PDF-"
        # the screenshot is the whole page: 1280 px wide and taller than one screen
        import struct

        width, height = struct.unpack(">II", png.read_bytes()[16:24])
        assert width == SCREEN and height > 900


def test_a_hung_browser_is_killed_at_its_time_box(tmp_path):
    """The client never waits past its time box: a stand-in "browser" that reads
    the pipe and never answers is killed, and the call raises."""
    import stat
    import sys

    if os.name != "posix":
        pytest.skip("the DevTools pipe client needs POSIX file descriptors")
    hung = tmp_path / "hung-browser"
    hung.write_text(f"#!{sys.executable}\nimport os, time\nos.read(3, 1 << 16)\ntime.sleep(600)\n")
    hung.chmod(hung.stat().st_mode | stat.S_IEXEC)
    browser = Browser(str(hung), timeout=1.0)
    try:
        with pytest.raises(CDPError, match="time"):
            browser.send("Browser.getVersion")
        assert browser.proc.wait(timeout=10) != 0  # killed, not finished
    finally:
        browser.close()
