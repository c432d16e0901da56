"""``progress="auto"`` (issue #15 §3): off in scripts and CI, on in an interactive
terminal or a notebook, and never a ``TqdmWarning``.

A notebook is simulated with a fake ``IPython`` module whose ``get_ipython()``
returns a ``ZMQInteractiveShell``-like object (the class name ipykernel uses),
so the test needs no Jupyter.  Every check runs with ``TqdmWarning`` turned
into an error, as ``-W error::tqdm.TqdmWarning`` would.
"""

from __future__ import annotations

import io
import sys
import types
import warnings

import numpy as np
import pandas as pd
import pytest
from tqdm import TqdmWarning

from servqual import drivers
from servqual._options import _in_notebook, resolve_progress
from servqual._progress import progress_bar


class ZMQInteractiveShell:  # the class name ipykernel's shell has
    config: dict = {}


class ColabShell(ZMQInteractiveShell):  # hosted notebooks subclass it
    pass


class TerminalInteractiveShell:  # IPython in a terminal: not a notebook
    config: dict = {}


class _TTY(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture(autouse=True)
def _tqdm_warnings_are_errors(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("SERVQUAL_PROGRESS", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TqdmWarning)
        yield


def _fake_ipython(monkeypatch, shell):
    mod = types.ModuleType("IPython")
    mod.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", mod)


def _lin(n=120):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(n, 2)), columns=["a", "b"])
    df["y"] = df.a + rng.normal(size=n)
    return df


def test_auto_is_off_when_not_interactive(monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)  # no IPython at all
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a pipe or a log file
    assert not _in_notebook()
    assert resolve_progress("auto") is False
    # a bootstrap under "auto" draws no bar: nothing reaches stderr
    drivers.key_drivers(_lin(), "y", ["a", "b"], n_boot=40, seed=1)
    assert sys.stderr.getvalue() == ""


def test_auto_is_on_in_a_terminal_and_off_in_ci(monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)
    monkeypatch.setattr(sys, "stderr", _TTY())
    assert resolve_progress("auto") is True
    with progress_bar(total=3, enabled="auto", desc="demo") as bar:
        bar.update(3)
    assert "demo" in sys.stderr.getvalue()
    monkeypatch.setenv("CI", "true")
    assert resolve_progress("auto") is False
    monkeypatch.delenv("CI")
    monkeypatch.setenv("SERVQUAL_PROGRESS", "off")
    assert resolve_progress("auto") is False


@pytest.mark.parametrize("shell", [ZMQInteractiveShell(), ColabShell()], ids=["jupyter", "colab"])
def test_auto_is_on_in_a_notebook(monkeypatch, shell):
    _fake_ipython(monkeypatch, shell)
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a kernel's stderr is no terminal
    assert _in_notebook()
    assert resolve_progress("auto") is True
    assert resolve_progress(False) is False  # an explicit choice wins


def test_ipython_in_a_terminal_is_not_a_notebook(monkeypatch):
    _fake_ipython(monkeypatch, TerminalInteractiveShell())
    assert not _in_notebook()
    _fake_ipython(monkeypatch, None)  # IPython imported, no shell running
    assert not _in_notebook()


def test_a_notebook_without_ipywidgets_gets_a_text_bar_and_no_warning(monkeypatch):
    """tqdm's widget bar warns ``IProgress not found`` without ipywidgets: the
    text bar is used instead, and a whole bootstrap runs with the warning an error."""
    import importlib.util

    _fake_ipython(monkeypatch, ZMQInteractiveShell())
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "ipywidgets" else real(n, *a)
    )
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", TqdmWarning)
        res = drivers.key_drivers(_lin(), "y", ["a", "b"], n_boot=40, seed=1)
    assert not [w for w in caught if issubclass(w.category, TqdmWarning)]
    assert res.table["ci_lower"].notna().all()
    assert "key drivers" in err.getvalue() and "/40" in err.getvalue()  # a text bar was drawn


def test_the_widget_bar_is_used_only_when_it_can_draw(monkeypatch):
    from servqual import _progress

    fake_nb = types.ModuleType("tqdm.notebook")
    fake_nb.tqdm = object()
    fake_nb.IProgress = None  # ipywidgets too old: tqdm would warn
    monkeypatch.setitem(sys.modules, "tqdm.notebook", fake_nb)
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: object())
    assert _progress._notebook_tqdm() is None
    fake_nb.IProgress = object()
    assert _progress._notebook_tqdm() is fake_nb.tqdm
