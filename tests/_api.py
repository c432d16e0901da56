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
    compare,
    drivers,
    economics,
    gaps,
    ipa,
    kano,
    measurement,
    metrics,
    pls,
    prca,
    readers,
    scores,
    sem,
    survival,
    tracking,
    weighting,
)
from servqual.instrument import Instrument
from servqual.sem import polychoric
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


def _linked(call):
    """``call(customers, managers, staff)`` with the (dirty) customers frame."""
    return lambda d, **k: call(d, *_units()[1:], **k)


@functools.cache
def _journey() -> pd.DataFrame:
    df, truth = prca.simulate_journey(150, seed=4)
    return df


def journey() -> pd.DataFrame:
    return _journey().copy()


TOUCH = {"contact": "first_contact", "solving": "problem_solving", "use": "first_use"}

ZONE = Instrument.from_mapping(
    {"speed": ["1", "2"], "care": ["3", "4"]}, prefixes={"P": "P", "A": "A", "D": "D"}
)


def zones() -> pd.DataFrame:
    """Perceived (P), adequate (A) and desired (D) ratings, A <= D, on 1-7."""
    rng = np.random.default_rng(8)
    n = 60
    a = rng.integers(1, 5, (n, 4))
    d = np.minimum(a + rng.integers(0, 3, (n, 4)), 7)
    p = rng.integers(1, 8, (n, 4))
    cols = {}
    for j in range(4):
        cols[f"P{j + 1}"], cols[f"A{j + 1}"], cols[f"D{j + 1}"] = p[:, j], a[:, j], d[:, j]
    return pd.DataFrame(cols)


@functools.cache
def _churners() -> pd.DataFrame:
    rng = np.random.default_rng(6)
    sat = rng.normal(size=120)
    t = rng.exponential(6 / np.exp(-0.5 * sat))
    return pd.DataFrame({"sat": sat, "tenure": np.ceil(np.minimum(t, 12)).astype(int),
                         "churn": (t < 12).astype(int)})  # fmt: skip


def churners() -> pd.DataFrame:
    return _churners().copy()


def people() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 80
    return pd.DataFrame({"sex": rng.choice(["m", "f"], n), "age": rng.choice(["y", "o"], n),
                         "q": rng.integers(1, 8, n).astype(float),
                         "w": rng.uniform(0.5, 2, n)})  # fmt: skip


def mobi_groups() -> pd.DataFrame:
    df = mobi()
    df["g"] = np.tile(["a", "b"], len(df) // 2 + 1)[: len(df)]
    return df


HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def hs() -> pd.DataFrame:
    return servqual.load_dataset("holzinger_swineford").copy()


@functools.cache
def _waves() -> pd.DataFrame:
    """Three waves of 30: a 0-10 likelihood to recommend, two drivers and an outcome."""
    rng = np.random.default_rng(9)
    n = 90
    df = pd.DataFrame({"wave": np.repeat([1, 2, 3], 30), "ltr": rng.integers(0, 11, n),
                       "seg": np.tile(["a", "b"], n // 2)})  # fmt: skip
    df["a"] = rng.normal(size=n)
    df["b"] = rng.normal(size=n)
    df["y"] = df.a + 0.5 * df.b + rng.normal(size=n)
    return df


def waves() -> pd.DataFrame:
    return _waves().copy()


@functools.cache
def _panel() -> pd.DataFrame:
    """The same 30 respondents (``id``) answering in waves 1 and 2."""
    rng = np.random.default_rng(10)
    return pd.DataFrame({"id": np.tile(np.arange(30), 2), "wave": np.repeat([1, 2], 30),
                         "ltr": rng.integers(0, 11, 60)})  # fmt: skip


def panel() -> pd.DataFrame:
    return _panel().copy()


POLY = ["P1", "P2", "P3"]


@functools.cache
def _poly_moments():
    return polychoric.polychoric_moments(_survey(120), POLY)


Q = dict(progress=False)


def _validated(out):
    clean, report = out
    return clean[list(report.columns)], report


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
    # validate passes the columns it was not asked to check through untouched (documented):
    # the sanity check applies to the clean columns it validated and to the report
    "validate": (survey, lambda d, **k: _validated(validate(d, SQ, **k))),
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
    "htmt2": (
        survey,
        lambda d, **k: measurement.htmt2(
            d, {"t": ["P1", "P2", "P3"], "r": ["P5", "P6", "P7"]}, **k
        ),
    ),
    "weighted_servqual_score": (survey, lambda d, **k: scores.weighted_servqual_score(d, SQ, **k)),
    "zone_of_tolerance": (zones, lambda d, **k: scores.zone_of_tolerance(d, ZONE, **k)),
    "moments_of_truth": (
        journey,
        lambda d, **k: prca.moments_of_truth(d, TOUCH, "SAT", **{"scale": (1, 7), **k}),
    ),
    "check_linked": (customers, _linked(gaps.check_linked)),
    "unit_scores": (customers, _linked(gaps.unit_scores)),
    "multilevel": (customers, _linked(lambda *f, **k: gaps.multilevel(gaps.unit_scores(*f), **k))),
    "explain_gap5": (
        customers,
        _linked(lambda *f, **k: gaps.explain_gap5(gaps.unit_scores(*f), **k)),
    ),
    "pls.mga": (
        mobi_groups,
        lambda d, **k: pls.mga(pls.ecsi_model(), d, "g", **{"n_perm": 20, "seed": 1, **Q, **k}),
    ),
    "pls.mga_bootstrap": (
        mobi_groups,
        lambda d, **k: pls.mga_bootstrap(
            pls.ecsi_model(), d, "g", **{"n_boot": 40, "seed": 1, **Q, **k}
        ),
    ),
    "pls.micom": (
        mobi_groups,
        lambda d, **k: pls.micom(pls.ecsi_model(), d, "g", **{"n_perm": 20, "seed": 1, **k}),
    ),
    "life_table": (churners, lambda d, **k: survival.life_table(d, **k)),
    "cox": (churners, lambda d, **k: survival.cox(d, ["sat"], **k)),
    "rake": (
        people,
        lambda d, **k: weighting.rake(
            d, {"sex": {"m": 0.5, "f": 0.5}, "age": {"y": 0.4, "o": 0.6}}, **k
        ),
    ),
    "weighted_means": (people, lambda d, **k: weighting.weighted_means(d, ["q"], weights="w", **k)),
    "polychoric_matrix": (
        survey,
        lambda d, **k: polychoric.polychoric_matrix(d, ["P1", "P2", "P3"], **k),
    ),
    "polychoric_moments": (
        survey,
        lambda d, **k: polychoric.polychoric_moments(d, ["P1", "P2", "P3"], **k),
    ),
    "rank_claim": (
        survey,
        lambda d, **k: drivers.rank_claim(d, ["reliability"], columns=STATED, **k),
    ),
    "draft_codebook": (survey, lambda d, **k: readers.draft_codebook(d, **k)),
    "compare": (waves, lambda d, **k: compare.compare(d, "ltr", "wave", **k)),
    "compare_paired": (
        panel,
        lambda d, **k: compare.compare_paired(d, "ltr", wave="wave", id="id", **k),
    ),
    "compare_drivers": (
        waves,
        lambda d, **k: compare.compare_drivers(
            d, "y", ["a", "b"], "seg", **{"n_boot": 40, "seed": 1, **Q, **k}
        ),
    ),
    "track": (waves, lambda d, **k: tracking.track(d, "ltr", "wave", **k)),
    "control_chart": (waves, lambda d, **k: tracking.control_chart(d, "ltr", "wave", **k)),
    "trend": (waves, lambda d, **k: tracking.trend(d, "ltr", "wave", **k)),
    "driver_stability": (
        waves,
        lambda d, **k: tracking.driver_stability(
            d, "y", ["a", "b"], "wave", **{"n_boot": 40, "seed": 1, **Q, **k}
        ),
    ),
    "composite_profile": (
        survey,
        lambda d, **k: scores.composite_profile(d, SQ, **{"kind": "gap", **k}),
    ),
    # moments from the clean survey, the (dirty) frame handed to full_gamma
    "full_gamma": (survey, lambda d, **k: polychoric.full_gamma(d, _poly_moments(), **k)),
}

#: the public function each entry of DATA_CALLS exercises (the API walk in
#: tests/test_fuzz_coverage.py checks that every public data function is here)
FUZZED = {
    "cronbach_alpha": measurement.cronbach_alpha,
    "htmt": measurement.htmt,
    "htmt2": measurement.htmt2,
    "reliability": measurement.reliability,
    "composites": scores.composites,
    "item_gaps": scores.item_gaps,
    "dimension_gaps": scores.dimension_gaps,
    "servqual_score": scores.servqual_score,
    "gap_profile": scores.gap_profile,
    "weighted_servqual_score": scores.weighted_servqual_score,
    "zone_of_tolerance": scores.zone_of_tolerance,
    "validate": validate,
    "csi": metrics.csi,
    "kano": kano.kano,
    "classify_frame": kano.classify_frame,
    "continuous_scores": kano.continuous_scores,
    "ipa": ipa.ipa,
    "penalty_reward": prca.penalty_reward,
    "moments_of_truth": prca.moments_of_truth,
    "ols": drivers.ols,
    "logistic": drivers.logistic,
    "ordinal_logit": drivers.ordinal_logit,
    "shapley": drivers.shapley,
    "relative_weights": drivers.relative_weights,
    "key_drivers": drivers.key_drivers,
    "forest_importance": drivers.forest_importance,
    "stated_vs_derived": drivers.stated_vs_derived,
    "servqual_vs_servperf": gaps.servqual_vs_servperf,
    "check_linked": gaps.check_linked,
    "unit_scores": gaps.unit_scores,
    "multilevel": gaps.multilevel,
    "explain_gap5": gaps.explain_gap5,
    "what_if": economics.what_if,
    "sem.invariance": sem.invariance,
    "sem.fit": sem.fit,
    "pls.fit": pls.fit,
    "pls.predict": pls.predict,
    "pls.mga": pls.mga,
    "pls.mga_bootstrap": pls.mga_bootstrap,
    "pls.micom": pls.micom,
    "life_table": survival.life_table,
    "cox": survival.cox,
    "rake": weighting.rake,
    "weighted_means": weighting.weighted_means,
    "polychoric_matrix": polychoric.polychoric_matrix,
    "polychoric_moments": polychoric.polychoric_moments,
    "rank_claim": drivers.rank_claim,
    "draft_codebook": readers.draft_codebook,
    "compare": compare.compare,
    "compare_paired": compare.compare_paired,
    "compare_drivers": compare.compare_drivers,
    "track": tracking.track,
    "control_chart": tracking.control_chart,
    "trend": tracking.trend,
    "driver_stability": tracking.driver_stability,
    "composite_profile": scores.composite_profile,
    "full_gamma": polychoric.full_gamma,
}
assert set(FUZZED) == set(DATA_CALLS), set(FUZZED) ^ set(DATA_CALLS)
