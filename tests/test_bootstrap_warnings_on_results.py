"""A warning raised inside bootstrap replicates (or permutations) is on the result's
``warnings``, exactly once and as it was issued ("in bootstrap resamples ...: "), and is
issued once, not a second time by the public function.

Each test makes an internal that only the replicates call warn (monkeypatched), so the
warning can only come from inside the resampling pool. ``n_jobs=1``: the patch lives in
this process (the loky path is covered by ``test_resampling_warnings.py``).
"""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pandas as pd
import pytest

import servqual
from servqual import drivers, economics, gaps, metrics, pls, sem
from servqual._resampling import bootstrap_notes, run_bootstrap
from servqual.errors import BootstrapFailureWarning

ODD = "odd resample (test)"


class OddWarning(UserWarning):
    """The category the patched internals raise: the re-issued copy keeps it."""


def _odd(fn, when=lambda *a, **k: True):
    """``fn`` that also warns ODD (when ``when(*args)``): twice, so dedup is tested."""

    def noisy(*args, **kwargs):
        if when(*args, **kwargs):
            warnings.warn(ODD, OddWarning, stacklevel=1)
            warnings.warn(ODD, OddWarning, stacklevel=1)
        return fn(*args, **kwargs)

    return noisy


def _noisy_statistic(monkeypatch, module):
    """Make every replicate statistic of ``module``'s bootstraps warn."""
    real = run_bootstrap

    def patched(statistic, *args, **kwargs):
        return real(_odd(statistic), *args, **kwargs)

    monkeypatch.setattr(module, "run_bootstrap", patched)


def _check(call, prefix="in bootstrap resamples"):
    """Run ``call``; the ODD warning is issued once and on the result once, the same text."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = call()
    issued = [str(w.message) for w in caught if ODD in str(w.message)]
    assert len(issued) == 1, issued
    assert issued[0].startswith(prefix) and issued[0].endswith(": " + ODD)
    assert [w.category for w in caught if ODD in str(w.message)] == [OddWarning]
    on_result = [m for m in res.warnings if ODD in m]
    assert on_result == issued
    return res


def _lin(n, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    df["y"] = df.a + 0.5 * df.b + rng.normal(size=n)
    return df


PLS_MODEL = "A =~ a + b\nB =~ c + y\nB ~ A"


def test_helper_carries_replicate_warnings_then_failures():
    def stat(i):
        warnings.warn(ODD, OddWarning, stacklevel=1)
        if i[0] == i[1]:  # fails in some resamples of 3
            raise ValueError("tied")
        return [float(i.mean())]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draws = run_bootstrap(stat, 3, 40, k=1, seed=2, progress=False)
        notes = bootstrap_notes(draws)
    assert 0 < draws.n_failed < 40  # both kinds are present
    assert notes == (
        f"in bootstrap resamples: {ODD}",
        f"{draws.n_failed} of 40 bootstrap replicates failed and were excluded from the "
        "intervals (ValueError: tied).",
    )
    # each issued exactly once: the replicate warning by run_bootstrap, the failure here
    assert sorted(str(w.message) for w in caught) == sorted(notes)
    assert [w.category for w in caught if "failed" in str(w.message)] == [BootstrapFailureWarning]


def test_failures_without_an_exception_say_non_finite():
    draws = run_bootstrap(lambda i: [np.nan], 5, 20, k=1, seed=1, progress=False)
    with pytest.warns(BootstrapFailureWarning, match=r"\(non-finite estimates\)"):
        assert bootstrap_notes(draws) == (draws.warning_text(),)


def test_sem_fit(monkeypatch):
    from servqual.sem.bootstrap import Refit

    monkeypatch.setattr(Refit, "_count_moments", _odd(Refit._count_moments))
    hs = servqual.load_dataset("holzinger_swineford")
    res = _check(
        lambda: sem.fit("f =~ x1 + x2 + x3", hs, se="bootstrap", n_boot=40, seed=1, progress=False),
        "in bootstrap resamples (SEM bootstrap)",
    )
    assert res.converged


def test_sem_fit_failures_are_issued_once(monkeypatch):
    """The failure sentence was issued by the bootstrap and again by sem.fit: now once."""
    from servqual.sem.bootstrap import Refit

    def broken(self, W):
        raise np.linalg.LinAlgError("test: singular resample")

    monkeypatch.setattr(Refit, "_count_moments", broken)
    hs = servqual.load_dataset("holzinger_swineford")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sem.fit("f =~ x1 + x2 + x3", hs, se="bootstrap", n_boot=40, seed=1, progress=False)
    failed = [w for w in caught if issubclass(w.category, BootstrapFailureWarning)]
    assert len(failed) == 1
    assert "40 of 40 bootstrap replicates failed" in str(failed[0].message)
    assert [m for m in res.warnings if "replicates failed" in m] == [str(failed[0].message)]


def test_pls_fit(monkeypatch):
    from servqual.pls import bootstrap as pb

    monkeypatch.setattr(pb, "moments_to_cov", _odd(pb.moments_to_cov))
    res = _check(
        lambda: pls.fit(PLS_MODEL, _lin(150), n_boot=40, seed=1, progress=False),
        "in bootstrap resamples (PLS bootstrap)",
    )
    assert res.bootstrap.draws.n_boot == 40


def test_key_drivers(monkeypatch):
    from servqual.drivers import keydrivers as kd

    monkeypatch.setattr(kd, "_counts_corr", _odd(kd._counts_corr))  # the bootstrap's statistic
    res = _check(
        lambda: drivers.key_drivers(
            _lin(150), "y", ["a", "b", "c"], n_boot=40, seed=1, progress=False
        ),  # fmt: skip
        "in bootstrap resamples (key drivers)",
    )
    assert res.n_failed == 0


def _sd_inputs():
    df = servqual.simulate_survey(200, seed=5)[0]
    inst = servqual.Instrument.servqual22()
    groups = {d: [f"P{i}" for i in items] for d, items in inst.dimensions.items()}
    return df, {d: f"IMP_{d}" for d in groups}, groups


def test_stated_vs_derived(monkeypatch):
    from servqual.drivers import stated

    monkeypatch.setattr(stated, "_batch_corr", _odd(stated._batch_corr))
    df, imp, groups = _sd_inputs()
    _check(
        lambda: drivers.stated_vs_derived(
            df, imp, "SAT1", groups, n_boot=40, seed=1, progress=False
        ),  # fmt: skip
        "in bootstrap resamples (stated vs derived)",
    )


def test_csi(monkeypatch):
    _noisy_statistic(monkeypatch, metrics)
    df = servqual.simulate_survey(200, seed=5)[0]
    _check(
        lambda: metrics.csi(
            df, ["SAT1", "SAT2", "SAT3"], scale=(1, 7), n_boot=200, seed=1, progress=False
        ),  # fmt: skip
        "in bootstrap resamples (CSI bootstrap)",
    )


def test_what_if(monkeypatch):
    _noisy_statistic(monkeypatch, economics)
    df = servqual.simulate_survey(250, seed=5)[0]
    _check(
        lambda: economics.what_if(df, n_boot=40, seed=1, progress=False),
        "in bootstrap resamples (what-if bootstrap)",
    )


def test_servqual_vs_servperf(monkeypatch):
    from servqual.gaps import _servperf

    _noisy_statistic(monkeypatch, _servperf)
    units = gaps.simulate_units(10, 10, 2, seed=1)[0]
    _check(
        lambda: gaps.servqual_vs_servperf(units, n_boot=40, seed=1, progress=False),
        "in bootstrap resamples (SERVQUAL/SERVPERF)",
    )


def test_compare_drivers(monkeypatch):
    from servqual import compare

    _noisy_statistic(monkeypatch, compare)
    data = _lin(240).assign(seg=np.tile(["x", "y"], 120))
    _check(
        lambda: compare.compare_drivers(
            data, "y", ["a", "b"], "seg", n_boot=40, seed=1, progress=False
        ),  # fmt: skip
        "in bootstrap resamples (driver shares)",
    )


def test_pls_mga_bootstrap(monkeypatch):
    from servqual.pls import invariance

    _noisy_statistic(monkeypatch, invariance)
    data = _lin(150).assign(g=[0, 1] * 75)
    _check(
        lambda: pls.mga_bootstrap(PLS_MODEL, data, "g", n_boot=40, seed=1, progress=False),
        "in bootstrap resamples (PLS bootstrap MGA)",
    )


def _permutations_only(masks, *args):
    return np.ndim(masks) == 2 and np.shape(masks)[0] > 1  # the observed split is one row


def test_pls_mga_permutations(monkeypatch):
    mga = importlib.import_module("servqual.pls.mga")  # pls.mga is also the function

    monkeypatch.setattr(mga, "moments_to_cov", _odd(mga.moments_to_cov, _permutations_only))
    data = _lin(150).assign(g=[0, 1] * 75)
    _check(
        lambda: pls.mga(PLS_MODEL, data, "g", n_perm=30, seed=1, progress=False),
        "in the permutations",
    )


def test_pls_micom_permutations(monkeypatch):
    from servqual.pls import invariance

    monkeypatch.setattr(
        invariance, "moments_to_cov", _odd(invariance.moments_to_cov, _permutations_only)
    )
    data = _lin(150).assign(g=[0, 1] * 75)
    res = _check(lambda: pls.micom(PLS_MODEL, data, "g", n_perm=30, seed=1), "in the permutations")
    assert len(res.table) == 2


def test_driver_stability_issues_replicate_warnings_once_per_bootstrap(monkeypatch):
    # driver_stability runs two bootstraps (the shares per wave, and compare_drivers
    # for the first-to-last change): each issues its replicates' warning once, and
    # driver_stability re-issues only its own notes (widened intervals), not those
    from servqual import compare, tracking
    from servqual.errors import DegenerateResultWarning

    _noisy_statistic(monkeypatch, compare)
    data = _lin(240).assign(wave=np.repeat([1, 2], 120))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = tracking.driver_stability(
            data, "y", ["a", "b"], "wave", n_boot=40, seed=1, progress=False
        )  # fmt: skip
    odd = [w for w in caught if ODD in str(w.message)]
    assert [w.category for w in odd] == [OddWarning, OddWarning]
    assert not any(issubclass(w.category, DegenerateResultWarning) for w in odd)
    assert [m for m in res.warnings if ODD in m] == [str(odd[0].message)]
