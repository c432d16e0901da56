# ruff: noqa: E501
"""The public API as callables on small valid inputs (shared by the gate and fuzz tests).

``DATA_CALLS`` maps a public function's name to ``(make_data, call)``: ``make_data()``
returns a small valid frame and ``call(frame, **params)`` runs the function on it.  The
gate and fuzz suites replace the frame (or the parameters) by dirty versions.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

import servqual
from servqual import (
    drivers,
    economics,
    gaps,
    ipa,
    kano,
    measurement,
    metrics,
    pls,
    prca,
    scores,
    sem,
)
from servqual.instrument import Instrument
from servqual.validation import validate

SQ = Instrument.servqual22()
RATER = {
    "tangibles": [1, 2, 3, 4],
    "reliability": [5, 6, 7, 8, 9],
    "responsiveness": [10, 11, 12, 13],
    "assurance": [14, 15, 16, 17],
    "empathy": [18, 19, 20, 21, 22],
}
GROUPS = {d: [f"P{i}" for i in items] for d, items in RATER.items()}
STATED = {d: f"IMP_{d}" for d in RATER}


@functools.cache
def _survey(n: int = 120) -> pd.DataFrame:
    return servqual.simulate_survey(n, seed=11)[0]


def survey(n: int = 120) -> pd.DataFrame:
    return _survey(n).copy()


@functools.cache
def _linear() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    df = pd.DataFrame(rng.normal(size=(80, 3)), columns=["a", "b", "c"])
    df["y"] = df.a + 0.5 * df.b + rng.normal(size=80)
    df["bin"] = (df.y > 0).astype(int)
    df["ord"] = np.digitize(df.y, [-1, 0, 1]) + 1
    return df


def linear() -> pd.DataFrame:
    return _linear().copy()


def kano_frame() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame({"f": rng.integers(1, 6, 60), "d": rng.integers(1, 6, 60)})


def mobi() -> pd.DataFrame:
    return servqual.load_dataset("mobi").head(120).copy()


@functools.cache
def _units():
    return gaps.simulate_units(12, 8, 3, seed=2)[:3]


def customers() -> pd.DataFrame:
    return _units()[0].copy()


HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def hs() -> pd.DataFrame:
    return servqual.load_dataset("holzinger_swineford").copy()


Q = dict(progress=False)

DATA_CALLS = {
    "cronbach_alpha": (
        survey,
        lambda d, **k: measurement.cronbach_alpha(d, ["P1", "P2", "P3"], **k),
    ),
    "htmt": (
        survey,
        lambda d, **k: measurement.htmt(d, {"t": ["P1", "P2", "P3"], "r": ["P5", "P6", "P7"]}, **k),
    ),
    "reliability": (survey, lambda d, **k: servqual.reliability(d, SQ, **k)),
    "composites": (survey, lambda d, **k: scores.composites(d, SQ, **k)),
    "item_gaps": (survey, lambda d, **k: scores.item_gaps(d, SQ, **k)),
    "dimension_gaps": (survey, lambda d, **k: scores.dimension_gaps(d, SQ, **k)),
    "servqual_score": (survey, lambda d, **k: scores.servqual_score(d, SQ, **k)),
    "gap_profile": (survey, lambda d, **k: scores.gap_profile(d, SQ, **k)),
    "validate": (survey, lambda d, **k: validate(d, SQ, **k)),
    "csi": (
        survey,
        lambda d, **k: metrics.csi(d, ["SAT1", "SAT2", "SAT3"], scale=(1, 7), **{"n_boot": 0, **k}),
    ),
    "kano": (kano_frame, lambda d, **k: kano.kano(d, {"x": ("f", "d")}, **k)),
    "classify_frame": (kano_frame, lambda d, **k: kano.classify_frame(d, {"x": ("f", "d")}, **k)),
    "continuous_scores": (
        kano_frame,
        lambda d, **k: kano.continuous_scores(d, {"x": ("f", "d")}, **k),
    ),
    "ipa": (
        survey,
        lambda d, **k: ipa.ipa(d, ["P1", "P2", "P3"], outcome="SAT1", scale=(1, 7), **k),
    ),
    "penalty_reward": (
        survey,
        lambda d, **k: prca.penalty_reward(d, ["P1", "P2", "P3"], "SAT1", scale=(1, 7), **k),
    ),
    "ols": (linear, lambda d, **k: drivers.ols(d, "y", ["a", "b", "c"], **k)),
    "logistic": (linear, lambda d, **k: drivers.logistic(d, "bin", ["a", "b"], **k)),
    "ordinal_logit": (linear, lambda d, **k: drivers.ordinal_logit(d, "ord", ["a", "b"], **k)),
    "shapley": (linear, lambda d, **k: drivers.shapley(d, "y", ["a", "b", "c"], **k)),
    "relative_weights": (
        linear,
        lambda d, **k: drivers.relative_weights(d, "y", ["a", "b", "c"], **k),
    ),
    "key_drivers": (
        linear,
        lambda d, **k: drivers.key_drivers(
            d, "y", ["a", "b", "c"], methods=["shapley"], **{"n_boot": 0, **Q, **k}
        ),
    ),
    "forest_importance": (
        linear,
        lambda d, **k: drivers.forest_importance(
            d, "y", ["a", "b"], **{"n_estimators": 10, "n_repeats": 1, **k}
        ),
    ),
    "stated_vs_derived": (
        survey,
        lambda d, **k: drivers.stated_vs_derived(
            d, STATED, "SAT1", GROUPS, **{"n_boot": 0, **Q, **k}
        ),
    ),
    "servqual_vs_servperf": (
        customers,
        lambda d, **k: gaps.servqual_vs_servperf(d, **{"n_boot": 40, "seed": 1, **Q, **k}),
    ),
    "what_if": (survey, lambda d, **k: economics.what_if(d, **{"n_boot": 40, "seed": 1, **Q, **k})),
    "sem.invariance": (hs, lambda d, **k: sem.invariance(HS, d, group="school", **k)),
    "sem.fit": (hs, lambda d, **k: sem.fit(HS, d, **k)),
    "pls.fit": (mobi, lambda d, **k: pls.fit(pls.ecsi_model(), d, **{**Q, **k})),
    "pls.predict": (
        mobi,
        lambda d, **k: pls.predict(pls.ecsi_model(), d, **{"k": 3, "seed": 1, **k}),
    ),
}
