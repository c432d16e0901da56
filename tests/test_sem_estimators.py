"""Other estimators dispatched by servqual.sem.fit (WLSMV; FIML)."""

import numpy as np
import pytest

import servqual
from servqual import sem
from servqual.errors import ParameterError


@pytest.fixture(scope="module")
def ordinal():
    df, truth = servqual.simulate_survey(1500, servqual.Truth(scale_points=5), seed=3)
    return df, truth


def test_wlsmv_matches_independent_cfa_wlsmv(ordinal):
    # brute-force cross-check: fit() on lavaan syntax dispatches the RAM model
    # to the DWLS engine; servqual.sem.wlsmv.fit_cfa parameterizes the same
    # CFA independently (standardized factors).  Standardized loadings, factor
    # correlations and the scaled test statistic must coincide.
    from servqual.sem.wlsmv import fit_cfa

    df, truth = ordinal
    factors = {"tangibles": ["P1", "P2", "P3", "P4"], "reliability": ["P5", "P6", "P7", "P8"]}
    ref = fit_cfa(df, factors)
    model = "tangibles =~ P1 + P2 + P3 + P4\nreliability =~ P5 + P6 + P7 + P8"
    res = sem.fit(model, df, estimator="WLSMV")
    p = res.params
    np.testing.assert_allclose(
        p[p.op == "=~"]["std_all"], ref.params["est"].to_numpy()[:8], atol=1e-6
    )
    cor = p[(p.op == "~~") & (p.lhs != p.rhs)]["std_all"].iloc[0]
    assert cor == pytest.approx(ref.params["est"].to_numpy()[8], abs=1e-6)
    fi = res.fit_indices  # lavaan names: chi2 unscaled, chi2_scaled scaled-and-shifted
    assert fi["chi2_scaled"] == pytest.approx(ref.fit_indices["chi2_scaled"], rel=1e-6)
    assert fi["chi2"] == pytest.approx(ref.fit_indices["chi2"], rel=1e-6)
    assert res.fit_indices["df"] == ref.fit_indices["df"] == 19
    assert np.isnan(res.fit_indices["aic"])
    # residual variances are derived (delta parameterization): no SE
    resid = p[(p.op == "~~") & (p.lhs == "P1")]
    assert np.isnan(resid["se"]).all()
    assert resid["std_all"].iloc[0] == pytest.approx(1 - p["std_all"].iloc[0] ** 2, abs=1e-8)
    with pytest.raises(ParameterError, match="ML"):
        res.modindices()
    with pytest.raises(ParameterError, match="WLSMV"):
        sem.fit(model, df, estimator="WLSMV", se="robust")
    assert "WLSMV" in str(res.summary())
    # the DWLS engine's own result is immutable too
    tab = ref.params
    tab.loc[0, "est"] = 99.0
    assert ref.params.loc[0, "est"] != 99.0
    with pytest.raises(TypeError):
        ref.fit_indices["chi2"] = 0.0


def test_declaring_items_ordered_selects_wlsmv(ordinal):
    df, _ = ordinal
    model = "tangibles =~ P1 + P2 + P3 + P4\nreliability =~ P5 + P6 + P7 + P8"
    by_estimator = sem.fit(model, df, estimator="WLSMV")
    cols = [f"P{i}" for i in range(1, 9)]
    for ordered in (True, cols):
        res = sem.fit(model, df, ordered=ordered)
        np.testing.assert_allclose(res.params["est"], by_estimator.params["est"], rtol=1e-12)
        assert res.fit_indices["chi2"] == by_estimator.fit_indices["chi2"]
    with pytest.raises(ParameterError, match=r"\['P8'\] would stay continuous"):
        sem.fit(model, df, ordered=cols[:-1])
    with pytest.raises(servqual.errors.SpecificationError, match="'SAT1'"):
        sem.fit(model, df, ordered=cols + ["SAT1"])
    halves = df.assign(P3=df["P3"] + 0.5)
    with pytest.raises(servqual.errors.OutOfRangeError, match="'P3'.*whole numbers"):
        sem.fit(model, halves, ordered=True)


# ---------------------------------------------------------------- FIML
HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def hs():
    return servqual.load_dataset("holzinger_swineford")


def test_fiml_complete_data_equals_ml(hs):
    ml = sem.fit(HS, hs, meanstructure=True)
    fi = sem.fit(HS, hs, missing="fiml")
    np.testing.assert_allclose(fi.params["est"], ml.params["est"], atol=1e-5)
    for k in ("chi2", "df", "baseline_chi2", "loglik", "loglik_h1", "aic", "srmr"):
        assert fi.fit_indices[k] == pytest.approx(ml.fit_indices[k], rel=1e-6), k


def _bruteforce_loglik(X, Sigma, mu):
    from scipy.stats import multivariate_normal

    total = 0.0
    for row in X:
        o = ~np.isnan(row)
        total += multivariate_normal.logpdf(row[o], mu[o], Sigma[np.ix_(o, o)])
    return total


def test_fiml_loglik_bruteforce_and_optimum(hs):
    rng = np.random.default_rng(1)
    d = hs.copy()
    for c in ("x2", "x5", "x9"):
        d.loc[rng.random(len(d)) < 0.2, c] = np.nan
    with pytest.warns(servqual.errors.MissingDataWarning, match="FIML: .* x2: "):
        res = sem.fit(HS, d, missing="fiml")
    assert res.n == 301 and res.converged
    X = d[[f"x{i}" for i in range(1, 10)]].to_numpy(float)
    Sigma = res.implied_cov().to_numpy()
    pr = res._problem
    mu = pr.model.moments(np.asarray(res._theta), 0, pr.bases[0])[1]
    ll = _bruteforce_loglik(X, Sigma, mu)
    assert res.fit_indices["loglik"] == pytest.approx(ll, rel=1e-10)
    # the estimate maximizes the brute-force likelihood: no coordinate step helps
    theta = np.asarray(res._theta)
    for k in range(theta.size):
        for h in (-1e-3, 1e-3):
            t = theta.copy()
            t[k] += h
            S2, m2, *_ = pr.model.moments(t, 0, pr.bases[0])
            assert _bruteforce_loglik(X, S2, m2) < ll
    with pytest.raises(ParameterError, match="fiml"):
        res.modindices()


def _mar_data(n, mechanism, seed):
    # one factor, loadings 1, .8, .8, .8, intercepts 0, residual variances .5;
    # x4 is missing with probability 0.1 (x1 < 0) or 0.7 (x1 > 0) under MAR,
    # with probability 0.4 regardless under MCAR
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(n)
    lam = np.array([1.0, 0.8, 0.8, 0.8])
    X = f[:, None] * lam + np.sqrt(0.5) * rng.standard_normal((n, 4))
    p = np.where(X[:, 0] > 0, 0.7, 0.1) if mechanism == "MAR" else np.full(n, 0.4)
    X[rng.random(n) < p, 3] = np.nan
    import pandas as pd

    return pd.DataFrame(X, columns=["x1", "x2", "x3", "x4"])


def test_fiml_unbiased_under_mar_where_listwise_is_not():
    # n = 4000: the SE of the x4 intercept is ~0.02, so 0.06 is 3 SE.  Under
    # MAR, listwise deletion keeps mostly low-x1 rows and shifts the intercept
    # of x4 by about -0.8 * 0.8 * E[f | x1 high dropped] ~ -0.3.
    import warnings

    model = "f =~ x1 + x2 + x3 + x4"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for mech in ("MCAR", "MAR"):
            d = _mar_data(4000, mech, seed=11)
            fiml = sem.fit(model, d, missing="fiml").params
            lw = sem.fit(model, d, meanstructure=True).params
            icpt_f = fiml[(fiml.lhs == "x4") & (fiml.op == "~1")]["est"].iloc[0]
            icpt_l = lw[(lw.lhs == "x4") & (lw.op == "~1")]["est"].iloc[0]
            load_f = fiml[(fiml.rhs == "x4") & (fiml.op == "=~")]["est"].iloc[0]
            assert icpt_f == pytest.approx(0.0, abs=0.06), mech
            assert load_f == pytest.approx(0.8, abs=0.06), mech
            if mech == "MCAR":
                assert icpt_l == pytest.approx(0.0, abs=0.06)
            else:
                assert icpt_l < -0.15
