"""The servqual console script."""

import subprocess
import sys

import pandas as pd

from servqual.cli import main


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "servqual.cli", *args], capture_output=True, text=True
    )


def test_help_and_datasets():
    r = run("--help")
    assert r.returncode == 0 and "simulate" in r.stdout and "validate" in r.stdout
    r = run("datasets")
    assert r.returncode == 0
    assert "mobi" in r.stdout and "250 x 24" in r.stdout


def test_simulate_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "survey.csv"
    assert main(["simulate", "--n", "50", "--seed", "1", "-o", str(out)]) == 0
    first = out.read_bytes()
    assert pd.read_csv(out).shape == (50, 84)
    out.write_text("user data")
    assert main(["simulate", "--n", "50", "--seed", "1", "-o", str(out)]) == 1
    assert out.read_text() == "user data"
    assert "--force" in capsys.readouterr().err
    assert main(["simulate", "--n", "50", "--seed", "1", "-o", str(out), "--force"]) == 0
    assert out.read_bytes() == first


def test_validate_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.csv"
    main(["simulate", "--n", "40", "--seed", "2", "-o", str(good)])
    assert main(["validate", str(good), "--instrument", "servqual22"]) == 0
    assert "rows used            40" in capsys.readouterr().out
    df = pd.read_csv(good)
    df.loc[3, "E8"] = 11
    bad = tmp_path / "bad.csv"
    df.to_csv(bad, index=False)
    assert main(["validate", str(bad), "--instrument", "servqual22"]) == 2
    err = capsys.readouterr().err
    assert "'E8'" in err and "row 3" in err and "11" in err
    assert main(["validate", str(tmp_path / "missing.csv")]) == 2
