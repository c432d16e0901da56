"""The shared pieces: results convention, option vocabulary, input gate, atomic writes."""

import os
import signal
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from servqual import errors
from servqual._checks import (
    check_collinear,
    check_data,
    check_frame,
    check_unique_index,
    check_weights,
)
from servqual._io import atomic_dir, atomic_write, check_overwrite, write_text
from servqual._options import (
    check_missing,
    check_n_boot,
    check_n_jobs,
    min_n_boot,
    renamed,
    resolve_progress,
)
from servqual._result import Result, records_provenance, resultclass
from servqual._summary import Summary

# -- results convention -------------------------------------------------------


@resultclass
class _Demo(Result):
    table: pd.DataFrame
    n: int
    warnings: tuple = ()

    def summary(self):
        return Summary("Demo", [("Table", self.table)], self.warnings)


@records_provenance
def _make(data, *, seed=None, n_boot=0, ci=0.95):
    return _Demo(pd.DataFrame({"x": data["a"].to_numpy()}), len(data))


def test_result_is_frozen_copies_tables_and_compares_by_identity():
    r = _Demo(pd.DataFrame({"x": [1.0, 2.0]}), 2)
    with pytest.raises(AttributeError):
        r.n = 3
    t = r.table
    t.loc[0, "x"] = 99.0
    assert r.table.loc[0, "x"] == 1.0
    assert r != _Demo(pd.DataFrame({"x": [1.0, 2.0]}), 2)
    assert r == r
    assert r.to_frame().equals(pd.DataFrame({"x": [1.0, 2.0]}))
    html = r._repr_html_()
    assert "<h4>Demo</h4>" in html and "<table" in html
    assert repr(r).startswith("Demo")


def test_resultclass_requires_the_base():
    with pytest.raises(TypeError, match="must derive from"):

        @resultclass
        class Bad:  # noqa: F841
            x: int


def test_provenance_records_version_seed_n_and_options():
    import servqual

    r = _make(pd.DataFrame({"a": [1.0, 2.0, 3.0]}), seed=7, n_boot=0, ci=0.9)
    p = r.provenance
    assert p.version == servqual.__version__
    assert p.seed == 7 and p.n == 3
    assert dict(p.options) == {"n_boot": 0, "ci": 0.9}
    assert p.function.endswith("_make")


def test_long_repr_is_cut():
    """At most 10 lines of at most 96 characters (issue #15 §3: text display stays short)."""
    r = _Demo(pd.DataFrame({"x": np.arange(100.0)}), 100)
    lines = repr(r).splitlines()
    full = str(r.summary()).splitlines()
    assert len(lines) == 10 and lines[:9] == full[:9]
    assert lines[-1] == f"... ({len(full) - 9} more lines: print(result.summary()))"
    wide = _Demo(pd.DataFrame({"x" * 150: np.arange(3.0)}), 3)
    cut = repr(wide).splitlines()
    assert max(map(len, cut)) == 96 and any(ln.endswith("…") for ln in cut)


# -- option vocabulary ---------------------------------------------------------


def test_renamed_keyword_warns_and_maps():
    @renamed(bootstrap="n_boot", interval="ci_method")
    def f(*, n_boot=0, ci_method="percentile"):
        return n_boot, ci_method

    with pytest.warns(FutureWarning, match=r"bootstrap=\.\.\.\) is renamed n_boot="):
        assert f(bootstrap=200) == (200, "percentile")
    with pytest.warns(FutureWarning):
        assert f(interval="bca") == (0, "bca")
    with pytest.raises(errors.ParameterError, match="both bootstrap= and n_boot="):
        f(bootstrap=1, n_boot=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert f(n_boot=50) == (50, "percentile")


def test_renamed_needs_the_new_parameter():
    with pytest.raises(TypeError, match="no parameter 'n_boot'"):

        @renamed(bootstrap="n_boot")
        def g(x):
            return x


@pytest.mark.parametrize("ci,need", [(0.95, 40), (0.9, 20), (0.99, 200), (0.5, 20)])
def test_min_n_boot_rule(ci, need):
    assert min_n_boot(ci) == need
    assert check_n_boot(need, ci=ci) == need
    with pytest.raises(errors.ParameterError, match=f"at least {need} replicates"):
        check_n_boot(need - 1, ci=ci)


def test_n_boot_zero_and_bad_values():
    assert check_n_boot(0) == 0
    with pytest.raises(errors.ParameterError, match="at least 40"):
        check_n_boot(0, allow_zero=False)
    for bad in (-1, 2.5, "100", True):
        with pytest.raises(errors.ParameterError, match="n_boot="):
            check_n_boot(bad)


def test_n_jobs_and_missing_vocabulary():
    assert check_n_jobs(-1) == -1
    with pytest.raises(errors.ParameterError, match="n_jobs=0"):
        check_n_jobs(0)
    with pytest.warns(FutureWarning, match="'pairwise' is renamed missing='available'"):
        assert check_missing("pairwise") == "available"
    with pytest.raises(errors.ParameterError, match="missing='bogus'"):
        check_missing("bogus")
    with pytest.raises(errors.ParameterError, match="one of 'listwise', 'available'"):
        check_missing("fiml", allowed=("listwise", "available"))


def test_progress_auto_is_off_in_ci_and_scripts(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert resolve_progress("auto") is False
    assert resolve_progress(True) is True
    with pytest.raises(errors.ParameterError, match="progress='yes'"):
        resolve_progress("yes")


def test_progress_auto_in_a_pipe_prints_nothing():
    code = (
        "from servqual._progress import progress_bar\n"
        "with progress_bar(total=5, enabled='auto') as b:\n    b.update(5)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and r.stderr == "" and r.stdout == ""


# -- input gate ------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad,match",
    [
        (None, "data is None"),
        (np.ones((3, 2)), "got ndarray .wrap it"),
        ([[1, 2]], "got list"),
        ({"a": [1]}, r"got dict .pandas\.DataFrame\(your_dict\)"),
        (pd.Series([1.0]), r"got Series .series\.to_frame"),
        ("survey.csv", r"read the file first"),
    ],
)
def test_gate_rejects_non_frames(bad, match):
    with pytest.raises(errors.InputTypeError, match=match):
        check_data(bad)
    with pytest.raises(TypeError):
        check_frame(bad)


def test_gate_multiindex_and_empty():
    df = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("P", "1"), ("P", "2")]))
    with pytest.raises(errors.DataError, match=r"MultiIndex .* \('P', '1'\)"):
        check_frame(df)
    with pytest.raises(errors.EmptyDataError, match="0 row"):
        check_data(pd.DataFrame({"a": []}))


def test_gate_too_few_rows_says_how_many_not_constant():
    with pytest.raises(errors.InsufficientDataError, match="1 row.*at least 2"):
        check_frame(pd.DataFrame({"P1": [3.0], "P2": [4.0]}))
    with pytest.raises(errors.InsufficientDataError, match="2 row.*at least 5"):
        check_frame(pd.DataFrame({"P1": [3.0, 4.0]}), min_rows=5)


def test_gate_duplicated_index():
    df = pd.DataFrame({"a": [1, 2, 3]}, index=["r1", "r2", "r1"])
    with pytest.raises(errors.DuplicateIndexError, match="'r1' occurs more than once"):
        check_unique_index(df, why="resamples are drawn by row label")


def test_gate_collinear_names_both_columns():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(50, 3)), columns=["speed", "care", "price"])
    check_collinear(df)
    df["speed_copy"] = df["speed"]
    with pytest.raises(errors.CollinearityError, match="'speed' and 'speed_copy' are identical"):
        check_collinear(df)
    df = df.drop(columns="speed_copy")
    df["total"] = df["speed"] + 2 * df["care"] - df["price"]
    with pytest.raises(errors.CollinearityError, match="perfectly collinear") as exc:
        check_collinear(df)
    for c in ("speed", "care", "price", "total"):
        assert repr(c) in str(exc.value)


@pytest.mark.parametrize(
    "w,err,match",
    [
        ([1.0, -1.0, 2.0], errors.OutOfRangeError, r"negative weight at row 1 \(value -1.0\)"),
        ([1.0, np.nan, 2.0], errors.MissingValuesError, "missing at row 1"),
        ([0.0, 0.0, 0.0], errors.OutOfRangeError, "zero for every row"),
        ([1.0, np.inf, 1.0], errors.OutOfRangeError, "infinite weight"),
        ([1.0, 2.0], errors.ParameterError, "2 value.*expected one per row .3."),
        (["a", "b", "c"], errors.NonNumericError, "not a numeric weight"),
    ],
)
def test_weights_gate(w, err, match):
    df = pd.DataFrame({"q": [1, 2, 3]})
    with pytest.raises(err, match=match):
        check_weights(w, df)


def test_weights_by_column_name():
    df = pd.DataFrame({"q": [1, 2, 3], "w": [1.0, 0.5, 2.0]})
    np.testing.assert_array_equal(check_weights("w", df), [1.0, 0.5, 2.0])
    with pytest.raises(errors.MissingColumnError, match="'wt'"):
        check_weights("wt", df)
    df.loc[2, "w"] = -3
    with pytest.raises(errors.OutOfRangeError, match="weight column 'w'.*row 2"):
        check_weights("w", df)


# -- atomic writes ---------------------------------------------------------------


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    p = tmp_path / "out.csv"
    write_text(p, "old")
    with pytest.raises(RuntimeError):
        with atomic_write(p, force=True) as fh:
            fh.write("half")
            raise RuntimeError("interrupted")
    assert p.read_text() == "old"
    assert [f.name for f in tmp_path.iterdir()] == ["out.csv"]


def test_refuses_to_overwrite_without_force(tmp_path):
    p = tmp_path / "out.csv"
    write_text(p, "mine")
    with pytest.raises(errors.OverwriteError, match="out.csv exists"):
        write_text(p, "theirs")
    assert p.read_text() == "mine"
    write_text(p, "new", force=True)
    assert p.read_text() == "new"
    check_overwrite(tmp_path / "absent.txt")


def test_atomic_dir_new_and_existing(tmp_path):
    out = tmp_path / "report"
    with pytest.raises(RuntimeError):
        with atomic_dir(out) as tmp:
            (tmp / "a.html").write_text("half")
            raise RuntimeError
    assert not out.exists() and list(tmp_path.iterdir()) == []
    with atomic_dir(out) as tmp:
        (tmp / "a.html").write_text("one")
    with pytest.raises(errors.OverwriteError, match="not empty"):
        with atomic_dir(out):
            pass
    (out / "user.txt").write_text("keep")
    with atomic_dir(out, force=True) as tmp:
        (tmp / "a.html").write_text("two")
    assert (out / "a.html").read_text() == "two" and (out / "user.txt").read_text() == "keep"


def test_sigterm_during_atomic_write_leaves_nothing(tmp_path):
    code = f"""
import time
from servqual._io import atomic_write, terminate_cleanly
with terminate_cleanly():
    with atomic_write({str(tmp_path / "big.csv")!r}) as fh:
        fh.write("x" * 1000)
        fh.flush()
        print("started", flush=True)
        time.sleep(30)
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    assert proc.returncode != 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_sigterm_whose_exception_is_lost_still_blocks_the_commit(tmp_path, kind):
    # Python drops an exception raised while the main thread runs a finaliser
    # ("Exception ignored in ..."): a SIGTERM landing there must still stop the
    # commit and end the command as interrupted (seen once in CI: the report
    # finished with exit code 0 after a SIGTERM).
    code = f"""
import gc, os, signal, sys, pathlib
from servqual._io import Terminated, atomic_dir, atomic_write, terminate_cleanly
class Finaliser:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(10000):
            pass  # the handler runs in here and its exception is dropped
out = pathlib.Path({str(tmp_path)!r})
try:
    with terminate_cleanly():
        if {kind!r} == "file":
            with atomic_write(out / "a.txt") as fh:
                fh.write("x")
                Finaliser()
                gc.collect()
        else:
            with atomic_dir(out / "rep") as d:
                (d / "a.txt").write_text("x")
                Finaliser()
                gc.collect()
        print("survived the signal", flush=True)
except Terminated:
    sys.exit(130)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "Exception ignored" in proc.stderr  # the signal's exception was indeed lost
    assert proc.returncode == 130, proc.stdout + proc.stderr
    assert "survived" not in proc.stdout
    assert list(tmp_path.iterdir()) == []  # nothing committed, no temporary left
