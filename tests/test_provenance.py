"""Provenance of recorded numbers: validation studies and benchmarks (issue 15 §6)."""

import ast
import hashlib
import json
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
STUDIES = sorted((ROOT / "validation").glob("[a-z]*.py"))


@pytest.mark.parametrize("study", STUDIES, ids=[p.stem for p in STUDIES])
def test_every_validation_study_writes_its_results_file(study):
    """The main block runs inside study_output(<file stem>)."""
    tree = ast.parse(study.read_text(encoding="utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "study_output"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]
    assert [c.args[0].value for c in calls] == [study.stem]


def test_study_output_tees_and_records_provenance(tmp_path, capsys):
    sys.path.insert(0, str(ROOT / "validation"))
    try:
        from _results import study_output
    finally:
        sys.path.pop(0)
    import servqual

    with study_output("demo", results=tmp_path):
        print("coverage 0.951")
    assert capsys.readouterr().out == "coverage 0.951\n"  # still printed
    head, body = (tmp_path / "demo.txt").read_text().split("\n", 1)
    meta = json.loads(head.lstrip("# "))
    assert body == "coverage 0.951\n"
    assert meta["study"] == "demo" and meta["servqual"] == servqual.__version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", meta["date"])
    assert meta["peers"]["numpy"] and meta["commit"]
    # an aborted study leaves no (or the old) file
    with pytest.raises(RuntimeError), study_output("aborted", results=tmp_path):
        print("half")
        raise RuntimeError("stop")
    assert not (tmp_path / "aborted.txt").exists()


def test_benchmark_records_carry_provenance(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import _record
    finally:
        sys.path.pop(0)
    monkeypatch.setattr(_record, "RESULTS", tmp_path)
    path = _record.record("demo", seconds=1.5)
    data = json.loads(path.read_text())
    prov = data["provenance"]
    assert data["seconds"] == 1.5
    assert set(prov) == {"servqual", "commit", "date", "peers"}
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    if head:  # inside a git checkout the commit is HEAD (with +dirty for local changes)
        assert prov["commit"].split("+")[0] == head
    assert {"numpy", "pandas", "semopy"} <= set(prov["peers"])


def test_data_readme_gives_the_real_mobi_hash():
    from importlib import resources

    data = resources.files("servqual.datasets") / "data" / "mobi.csv"
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    hashes = re.findall(r"[0-9a-f]{64}", readme)
    assert digest in hashes
    assert not any(h.endswith("a20c36") for h in hashes)
