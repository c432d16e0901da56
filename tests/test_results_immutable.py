"""Frozen results cannot be changed through the tables they return.

Every DataFrame/Series a result exposes is a copy, every array a read-only view
and every dict a read-only mapping, so editing what a user got back (e.g.
``res.table.loc["a", "share"] = 5``) never alters the stored result.
"""

import dataclasses
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

import servqual
from servqual import drivers, ipa, kano, metrics, pls, prca


def _linear(n=300, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    df["y"] = df.a + 0.5 * df.b + rng.normal(size=n)
    return df


def _survey():
    df, _ = servqual.simulate_survey(300, seed=2)
    return df


def _journey():
    df, truth = prca.simulate_journey(400, seed=3)
    return prca.moments_of_truth(
        df, dict(zip(truth["touchpoint"], truth["column"])), "SAT", scale=(1, 7)
    )


def _kano():
    df, _ = kano.simulate_kano(100, {"wifi": "A", "bed": "M"}, seed=1)
    return kano.kano(df, {"wifi": ("wifi_f", "wifi_d"), "bed": ("bed_f", "bed_d")})


GROUPS = {
    d: [f"P{i}" for i in items] for d, items in servqual.Instrument.servqual22().dimensions.items()
}

RESULTS = {
    "shapley": lambda: drivers.shapley(_linear(), "y", ["a", "b", "c"]),
    "relative_weights": lambda: drivers.relative_weights(_linear(), "y", ["a", "b", "c"]),
    "forest": lambda: drivers.forest_importance(
        _linear(), "y", ["a", "b"], n_estimators=10, n_splits=2, n_repeats=1, seed=1
    ),
    "key_drivers": lambda: drivers.key_drivers(
        _linear(), "y", ["a", "b", "c"], n_boot=40, seed=1, progress=False
    ),
    "ols": lambda: drivers.ols(_linear(), "y", ["a", "b", "c"]),
    "stated_vs_derived": lambda: drivers.stated_vs_derived(
        _survey(),
        {d: f"IMP_{d}" for d in GROUPS},
        "SAT1",
        GROUPS,
        n_boot=40,
        seed=1,
        progress=False,
    ),
    "ipa": lambda: ipa.ipa(_linear(), ["a", "b", "c"], outcome="y"),
    "penalty_reward": lambda: prca.penalty_reward(
        prca.simulate_asymmetric(400, {"a": 1.0}, {"a": 0.2}, seed=1)[0],
        ["a"],
        "SAT",
        scale=(1, 7),
    ),
    "moments_of_truth": _journey,
    "kano": _kano,
    "csi": lambda: metrics.csi(
        pd.DataFrame({"a": [1, 5, 7, 3, 4, 6], "b": [2, 2, 6, 5, 7, 1]}), ["a", "b"], scale=(1, 7)
    ),
    "pls": lambda: pls.fit(
        pls.ecsi_model(), servqual.load_dataset("mobi"), n_boot=40, seed=1, progress=False
    ),
    "pls_predict": lambda: pls.predict(pls.ecsi_model(), servqual.load_dataset("mobi"), k=3),
}


def _assert_unchangeable(res, name, value):
    if isinstance(value, (pd.DataFrame, pd.Series)):
        before = value.copy()
        got = getattr(res, name)
        assert got is not getattr(res, name)  # a fresh copy each time
        if got.size:
            if isinstance(got, pd.DataFrame):
                got.iloc[0, 0] = None
                got["__extra__"] = 1
            else:
                got.iloc[0] = None
        if isinstance(before, pd.DataFrame):
            pd.testing.assert_frame_equal(getattr(res, name), before)
        else:
            pd.testing.assert_series_equal(getattr(res, name), before)
    elif isinstance(value, np.ndarray) and value.size:
        with pytest.raises(ValueError, match="read-only"):
            getattr(res, name).flat[0] = 0
    elif isinstance(value, dict):
        got = getattr(res, name)
        assert isinstance(got, MappingProxyType)
        with pytest.raises(TypeError):
            got["__extra__"] = 1
        for v in got.values():
            if isinstance(v, np.ndarray) and v.size:
                with pytest.raises(ValueError, match="read-only"):
                    v.flat[0] = 0


@pytest.mark.parametrize("kind", sorted(RESULTS))
def test_tables_of_frozen_results_are_copies(kind):
    res = RESULTS[kind]()
    n_tables = 0
    for f in dataclasses.fields(res):
        stored = object.__getattribute__(res, f.name)
        if isinstance(stored, (pd.DataFrame, pd.Series, np.ndarray, dict)):
            n_tables += 1
            _assert_unchangeable(res, f.name, stored)
    assert n_tables >= 1  # every result here holds at least one table
    assert res == res and res != RESULTS[kind]()  # identity, not DataFrame comparison
    hash(res)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.warnings = ("changed",)


def test_importance_results_behave_like_their_table():
    """Issue 4 contract: shapley/relative_weights give a table with one row per
    predictor and columns importance and share."""
    df = _linear()
    for fn in (drivers.shapley, drivers.relative_weights):
        res = fn(df, "y", ["a", "b", "c"])
        tab = res.table
        assert len(res) == 3 and list(res.index) == ["a", "b", "c"]
        assert {"importance", "share"} <= set(res.columns)
        pd.testing.assert_series_equal(res["importance"], tab["importance"])
        assert res.loc["a", "share"] == tab.loc["a", "importance"] / res.r2
        assert res.sort_values("importance").index[-1] == "a"
        assert res.to_frame().equals(tab)
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            res.nope  # noqa: B018
