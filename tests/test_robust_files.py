"""Files: interrupted commands leave no partial output; nothing is overwritten without --force.

Each interruption test starts the real console script in a subprocess, waits
until it is demonstrably midway (its temporary file or folder exists), sends
SIGTERM and then inspects the target: it must be absent or complete.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from servqual.cli import main

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGTERM semantics are POSIX")

ENV = {**os.environ, "SERVQUAL_PROGRESS": "off", "MPLBACKEND": "Agg"}


def start(*args):
    return subprocess.Popen(
        [sys.executable, "-m", "servqual.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )


def wait_for(cond, proc, limit=120.0):
    """Poll until ``cond()`` or the process ends (not a timing assertion)."""
    t0 = time.monotonic()
    while not cond():
        if proc.poll() is not None or time.monotonic() - t0 > limit:
            return False
        time.sleep(0.01)
    return True


def parts(folder):
    return [p for p in folder.iterdir() if p.name.endswith(".part")]


def test_sigterm_during_simulate_leaves_no_partial_csv(tmp_path):
    out = tmp_path / "big.csv"
    proc = start("simulate", "--n", "400000", "--seed", "1", "-o", str(out))
    midway = wait_for(lambda: any(p.stat().st_size > 0 for p in parts(tmp_path)), proc)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    assert parts(tmp_path) == []  # the temporary file was removed
    if midway:
        assert proc.returncode != 0, proc.stderr.read()
        assert not out.exists()
    if out.exists():  # finished before the signal: then complete
        assert pd.read_csv(out).shape == (400000, 84)


def _complete_figure(path):
    data = path.read_bytes()
    if path.suffix == ".png":
        return data.startswith(b"\x89PNG") and data.endswith(b"IEND\xaeB`\x82")
    return data.rstrip().endswith(b"</svg>")


def test_sigterm_during_figures_leaves_old_state_or_complete_files(tmp_path):
    out = tmp_path / "figs"
    names = ["item_distribution_mobi", "rater_gap_profile_sim", "ipa_grid_mobi"]
    proc = start("figures", "--out", str(out), "--only", *names, "--no-progress")
    midway = wait_for(lambda: any(any(d.iterdir()) for d in parts(tmp_path) if d.is_dir()), proc)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    assert parts(tmp_path) == []
    if midway:
        assert not out.exists()  # a new folder appears in one rename, or not at all
    if out.exists():
        files = sorted(out.iterdir())
        assert len(files) == 2 * len(names)
        assert all(_complete_figure(f) for f in files)


def test_sigterm_during_report_leaves_no_partial_html(tmp_path):
    survey = tmp_path / "s.csv"
    assert main(["simulate", "--n", "300", "--seed", "3", "-o", str(survey)]) == 0
    out = tmp_path / "rep"
    proc = start("report", str(survey), "--out", str(out), "--n-boot", "200", "--seed", "1")
    time.sleep(3)  # let it get into the analysis; the assertion holds whenever the kill lands
    running = proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    assert parts(tmp_path) == []
    if running:
        assert proc.returncode != 0, proc.stderr.read()
    if out.exists():
        text = (out / "report.html").read_text()
        assert text.rstrip().endswith("</html>")


def test_paper_inline_refuses_to_overwrite(tmp_path, capsys):
    root = tmp_path / "repo"
    (root / "paper").mkdir(parents=True)
    (root / "benchmarks" / "results").mkdir(parents=True)
    (root / "paper" / "paper.md").write_text("# P\n<!-- include: generated/claims.md -->\n")
    target = tmp_path / "mine.md"
    target.write_text("my notes")
    assert main(["paper", "--root", str(root), "--inline", str(target)]) == 1
    assert target.read_text() == "my notes"
    assert "--force" in capsys.readouterr().err
    assert main(["paper", "--root", str(root), "--inline", str(target), "--force"]) == 0
    assert target.read_text().startswith("# P\n|")


def test_paper_refuses_to_replace_changed_includes_without_force(tmp_path, monkeypatch, capsys):
    from servqual import paper

    texts = {"validation.md": "| v |\n", "claims.md": "| c |\n"}
    monkeypatch.setattr(paper, "render_includes", lambda root: dict(texts))
    root = tmp_path / "repo"
    gen = root / "paper" / "generated"
    # first run creates the includes
    assert main(["paper", "--root", str(root)]) == 0
    assert (gen / "validation.md").read_text() == "| v |\n"
    # identical content: a no-op, not a refusal
    before = (gen / "claims.md").stat().st_mtime_ns
    assert main(["paper", "--root", str(root)]) == 0
    assert "up to date" in capsys.readouterr().out
    assert (gen / "claims.md").stat().st_mtime_ns == before
    # an include edited by hand (or numbers changed): refused, nothing written, both named
    (gen / "validation.md").write_text("my edit")
    texts["claims.md"] = "| c2 |\n"
    assert main(["paper", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "validation.md" in err and "claims.md" in err and "--force" in err
    assert (gen / "validation.md").read_text() == "my edit"
    assert (gen / "claims.md").read_text() == "| c |\n"
    # --check still reports them stale without writing
    assert main(["paper", "--root", str(root), "--check"]) == 1
    assert (gen / "validation.md").read_text() == "my edit"
    # --force regenerates
    assert main(["paper", "--root", str(root), "--force"]) == 0
    assert (gen / "validation.md").read_text() == "| v |\n"
    assert (gen / "claims.md").read_text() == "| c2 |\n"
    assert main(["paper", "--root", str(root), "--check"]) == 0


def test_write_includes_refuses_in_python_too(tmp_path, monkeypatch):
    from servqual import paper
    from servqual.errors import OverwriteError

    monkeypatch.setattr(paper, "render_includes", lambda root: {"claims.md": "new\n"})
    gen = tmp_path / "paper" / "generated"
    gen.mkdir(parents=True)
    (gen / "claims.md").write_text("old\n")
    with pytest.raises(OverwriteError, match="claims.md"):
        paper.write_includes(tmp_path)
    assert (gen / "claims.md").read_text() == "old\n"
    assert paper.write_includes(tmp_path, force=True) == ["claims.md"]
    assert paper.write_includes(tmp_path) == []  # current: nothing to write


def test_figures_refuses_to_overwrite_a_users_manifest(tmp_path, monkeypatch, capsys):
    from servqual.figures import _registry

    out = tmp_path / "figs"
    out.mkdir()
    (out / "MANIFEST.json").write_text('{"mine": true}')
    # a registry of one cheap figure keeps the full build (which writes the manifest) fast
    only = {"item_distribution_mobi": _registry.registry()["item_distribution_mobi"]}
    monkeypatch.setattr("servqual.figures.registry", lambda: only)
    monkeypatch.setattr(_registry, "registry", lambda: only)
    assert main(["figures", "--out", str(out), "--no-progress"]) == 1
    assert "MANIFEST.json" in capsys.readouterr().err
    assert json.loads((out / "MANIFEST.json").read_text()) == {"mine": True}
    assert sorted(p.name for p in out.iterdir()) == ["MANIFEST.json"]
    assert main(["figures", "--out", str(out), "--no-progress", "--force"]) == 0
    manifest = json.loads((out / "MANIFEST.json").read_text())
    assert set(manifest["files"]) == {"item_distribution_mobi.png", "item_distribution_mobi.svg"}
    # existing figure files are refused too
    (out / "MANIFEST.json").unlink()
    assert main(["figures", "--out", str(out), "--only", "item_distribution_mobi"]) == 1


def test_report_write_is_atomic_and_refuses(tmp_path):
    from servqual.errors import OverwriteError
    from servqual.report import SurveyReport

    rep = SurveyReport(title="t", sections=())
    path = rep.write(tmp_path / "r")
    assert path.read_text().endswith("</html>")
    with pytest.raises(OverwriteError, match="not empty"):
        rep.write(tmp_path / "r")
    assert rep.write(tmp_path / "r", force=True) == path


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", "empty (0 bytes)"),
        (b"PK\x03\x04rest-of-a-zip", "Excel workbook"),
        # a latin-1 file is read (with a note); it then lacks the instrument's items
        ("P1,name\n5,Jos\xe9\n".encode("latin-1"), "at least 2 needed"),
    ],
)
def test_cli_explains_unreadable_files(tmp_path, capsys, content, match):
    f = tmp_path / "survey.csv"
    f.write_bytes(content)
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert match in err and "Traceback" not in err and str(f) in err
    assert main(["report", str(f), "--out", str(tmp_path / "o")]) == 2
    assert match in capsys.readouterr().err
