"""Model builders, population simulation and a small CI-coverage study."""

import warnings

import numpy as np
import pytest

import servqual
from servqual import sem
from servqual.errors import ParameterError, SpecificationError


def test_rater_model_syntax_servperf_and_servqual():
    inst = servqual.Instrument.servqual22()
    m = sem.rater_model(inst)
    lines = m.splitlines()
    assert "reliability =~ P5 + P6 + P7 + P8 + P9" in lines
    assert "satisfaction =~ SAT1 + SAT2 + SAT3" in lines
    assert "loyalty =~ LOY1 + LOY2 + LTR" in lines
    assert "loyalty ~ b_satisfaction*satisfaction" in lines
    assert "ind_reliability := b_reliability*b_satisfaction" in lines
    g = sem.rater_model(
        inst, scores="P-E", outcomes=("satisfaction",), items={"satisfaction": ["S1", "S2"]}
    )
    assert "empathy =~ G18 + G19 + G20 + G21 + G22" in g
    assert "satisfaction =~ S1 + S2" in g and "loyalty" not in g
    cfa = sem.rater_model(inst, outcomes=())
    assert "~" not in cfa.replace("=~", "")
    with pytest.raises(ParameterError, match="value"):
        sem.rater_model(inst, outcomes=("value",))
    with pytest.raises(ParameterError, match="scores"):
        sem.rater_model(inst, scores="E")


def test_rater_model_fits_simulated_survey():
    # simulate_survey with expectation_weight = 0: satisfaction depends on the
    # perception factors only, so the standardized structural weights are
    # those of Truth (latent variables have unit variance).  ML on 7-point
    # codes attenuates loadings but leaves factor-level relations nearly
    # intact; with n = 3000 the SE of a standardized path is ~0.02, and
    # +-0.06 allows for that plus the small categorisation bias.
    truth = servqual.Truth(expectation_weight=0.0)
    df, t = servqual.simulate_survey(3000, truth, seed=5)
    res = sem.fit(sem.rater_model(servqual.Instrument.servqual22()), df)
    assert res.converged and not res.warnings
    p = res.params.set_index("label")
    for d, w in t.satisfaction_weights.items():
        # standardized weight of dimension d = w * sd(P_d) / sd(S) with unit variances
        assert p.loc[f"b_{d}", "std_all"] == pytest.approx(w, abs=0.06), d
    assert p.loc["b_satisfaction", "std_all"] == pytest.approx(t.loyalty_on_satisfaction, abs=0.06)
    assert res.fit_indices["cfi"] > 0.98


def test_gap_model_recovers_paths():
    pop = """
    gap5 ~ 0.3*gap1 + 0.2*gap2 + 0.4*gap3 + 0.1*gap4
    satisfaction ~ 0.6*gap5
    gap1 ~~ 0.3*gap2
    """
    data = sem.simulate_data(pop, 4000, seed=3)
    res = sem.fit(sem.gap_model(), data)
    p = res.params.set_index("label")
    # SE of each slope ~ 1/sqrt(4000) ~ 0.016: 0.06 is about 4 SE
    for lab, v in {"g1": 0.3, "g2": 0.2, "g3": 0.4, "g4": 0.1, "s5": 0.6}.items():
        assert p.loc[lab, "est"] == pytest.approx(v, abs=0.06)
    assert p.loc["ind_gap3", "est"] == pytest.approx(
        p.loc["g3", "est"] * p.loc["s5", "est"], rel=1e-12
    )
    # gaps 1-4 are exogenous covariates (fixed.x): df = 4 (no direct gap -> satisfaction)
    assert res.fit_indices["df"] == 4
    renamed = sem.gap_model(columns={"gap5": "G5"}, satisfaction_items=["SAT1", "SAT2"])
    assert "G5 ~ g1*gap1" in renamed and "satisfaction =~ SAT1 + SAT2" in renamed
    with pytest.raises(ParameterError, match="gap9"):
        sem.gap_model(columns={"gap9": "x"})


def test_population_moments_by_hand():
    cov, mean = sem.population_moments(
        "f =~ 1*x1 + 0.8*x2\ny ~ 0.5*f\nf ~~ 2*f\nx1 ~~ 0.3*x1\nx2 ~~ 0.4*x2\ny ~~ 1.5*y\nx1 ~ 2*1"
    )
    # Sigma = lambda phi lambda' + Theta with lambda = (1, .8, .5)
    lam = np.array([1.0, 0.8, 0.5])
    want = 2 * np.outer(lam, lam) + np.diag([0.3, 0.4, 1.5])
    np.testing.assert_allclose(cov.loc[["x1", "x2", "y"], ["x1", "x2", "y"]], want)
    assert mean["x1"] == 2.0 and mean["x2"] == 0.0
    with pytest.raises(SpecificationError, match="f =~ x2"):
        sem.population_moments("f =~ 1*x1 + x2")


def test_coverage_small():
    # Small version of validation/sem_coverage.py: 40 datasets (n = 400) from a
    # known RATER population; pooled coverage of the 95% Wald CIs of the six
    # structural paths (240 intervals).  Binomial SD at 0.95 is 0.014, so
    # [0.89, 0.99] is more than 4 SD wide on each side.
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).parents[1] / "validation" / "sem_coverage.py"
    spec = importlib.util.spec_from_file_location("sem_coverage", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = mod.run(n_datasets=40, n=400, n_boot=0, progress=False, seed=7)
    paths = [c for c in df.columns if c.startswith("b_") and c.endswith("_wald")]
    assert len(paths) == 6
    cov = df[paths].to_numpy().mean()
    assert 0.89 <= cov <= 0.99, cov
    bias = np.mean([df[f"b_{d}_est"].mean() - w for d, w in mod.WEIGHTS.items()])
    assert abs(bias) < 0.02
