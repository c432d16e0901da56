"""servqual.sem: syntax errors, defaults, failure modes, defined parameters, SEs."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import servqual
from servqual import sem
from servqual.errors import (
    BootstrapFailureWarning,
    ConvergenceWarning,
    IdentificationWarning,
    ImproperSolutionWarning,
    MissingDataWarning,
    MissingValuesError,
    NotPositiveDefiniteWarning,
    ParameterError,
    SpecificationError,
)
from servqual.sem.syntax import build_partable, parse

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
MED = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ a*ind60
dem65 ~ c*ind60 + b*dem60
ind := a*b
"""


@pytest.fixture(scope="module")
def hs():
    return servqual.load_dataset("holzinger_swineford")


@pytest.fixture(scope="module")
def pdem():
    return servqual.load_dataset("political_democracy")


def exact_cov_data(cov, n, seed=0):
    """Normal data whose sample covariance (divisor n) equals ``cov`` exactly."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, cov.shape[0]))
    Z -= Z.mean(0)
    L0 = np.linalg.cholesky(Z.T @ Z / n)
    Z = Z @ np.linalg.inv(L0).T
    X = Z @ np.linalg.cholesky(cov).T
    return pd.DataFrame(X, columns=[f"x{i + 1}" for i in range(cov.shape[0])])


# ---------------------------------------------------------------- syntax
def test_parser_statements_and_modifiers():
    st = parse("""
    # comment line
    f =~ x1 + a*x2 + 0.5*x3   ! trailing comment
    y ~ b*f; y ~ 1
    x1 ~~ x2
    f =~ NA*x4
    ind := a *
           b
    """)
    got = [(s.lhs, s.op, s.rhs, s.label[0], s.fixed[0]) for s in st]
    assert ("f", "=~", "x2", "a", None) in got
    assert ("f", "=~", "x3", None, 0.5) in got
    assert ("y", "~1", "", None, None) in got
    assert ("ind", ":=", "a * b", None, None) in got
    assert any(s.free_flag for s in st if s.rhs == "x4")


def test_parser_errors_name_token():
    with pytest.raises(SpecificationError, match=r"'2x'"):
        parse("f =~ x1 + 2x")
    with pytest.raises(SpecificationError, match="no operator"):
        parse("f x1 x2")
    with pytest.raises(SpecificationError, match="empty term"):
        parse("f =~ x1 + + x2")
    with pytest.raises(SpecificationError, match=r"'\$a'"):
        parse("f =~ $a*x1")


def test_unknown_variable_named(hs):
    with pytest.raises(SpecificationError, match="x10"):
        sem.fit("visual =~ x1 + x2 + x10", hs)
    with pytest.raises(SpecificationError, match="'q'"):
        sem.fit("visual =~ x1 + a*x2 + x3\nz := a*q", hs)


def test_lavaan_defaults():
    pt = build_partable(
        parse("f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\nf3 =~ x7 + x8\nf3 ~ f1 + f2")
    )
    first = pt[(pt.op == "=~") & (pt.rhs.isin(["x1", "x4", "x7"]))]
    assert (~first.free).all() and (first.fixed == 1).all()
    cov = pt[(pt.op == "~~") & (pt.lhs != pt.rhs)]
    assert [tuple(r) for r in cov[["lhs", "rhs"]].values] == [("f1", "f2")]  # exogenous only
    var = pt[(pt.op == "~~") & (pt.lhs == pt.rhs)]
    assert len(var) == 8 + 3 and var.free.all()
    # NA* frees the first loading
    pt2 = build_partable(parse("f =~ NA*x1 + x2 + x3\nf ~~ 1*f"))
    assert pt2.loc[0, "free"] and not pt2[(pt2.lhs == "f") & (pt2.op == "~~")].free.any()


def test_fixed_x_path_model(hs):
    # observed-variable regression: saturated, df 0, slopes equal OLS
    res = sem.fit("x9 ~ x1 + x2 + x3", hs)
    assert res.fit_indices["df"] == 0
    X = np.column_stack([np.ones(len(hs)), hs[["x1", "x2", "x3"]]])
    beta = np.linalg.lstsq(X, hs["x9"], rcond=None)[0]
    p = res.params
    est = p[p.op == "~"].set_index("rhs")["est"]
    assert est[["x1", "x2", "x3"]].to_numpy() == pytest.approx(beta[1:], abs=1e-7)
    assert res.r2["x9"] == pytest.approx(
        1 - np.var(hs["x9"] - X @ beta) / np.var(hs["x9"]), abs=1e-8
    )


# ---------------------------------------------------------------- failure modes
def test_heywood_case_flagged():
    # r12 r13 / r23 = 0.81 / 0.7 > 1: the exact one-factor solution has a
    # negative residual variance for x1
    R = np.array([[1, 0.9, 0.9], [0.9, 1, 0.7], [0.9, 0.7, 1]])
    d = exact_cov_data(R, 200)
    with pytest.warns(ImproperSolutionWarning, match="x1 ~~ x1"):
        res = sem.fit("f =~ x1 + x2 + x3", d)
    assert any("Heywood" in w for w in res.warnings)
    assert "Heywood" in str(res.summary())
    est = res.params.set_index(["lhs", "op", "rhs"])["est"]
    assert est[("x1", "~~", "x1")] == pytest.approx(1 - 0.81 / 0.7, abs=1e-6)


def test_negative_df_flagged(hs):
    with pytest.warns(IdentificationWarning, match="negative degrees of freedom"):
        res = sem.fit("f =~ x1 + x2\nx1 ~~ x2", hs)
    assert res.fit_indices["df"] < 0
    assert any("not identified" in w for w in res.warnings)


def test_non_pd_sample_flagged(hs):
    d = hs[["x1", "x2", "x3"]].copy()
    d["x4"] = d["x1"] + d["x2"]  # exact collinearity
    with pytest.warns(NotPositiveDefiniteWarning, match="sample covariance"):
        res = sem.fit("f =~ x1 + x2 + x3 + x4", d)
    assert any("not positive definite" in w for w in res.warnings)
    assert np.isnan(res.fit_indices["chi2"]) and np.isnan(res.fit_indices["cfi"])


def test_non_convergence_flagged(hs, monkeypatch):
    from servqual.sem import ml

    orig = ml.MLProblem.fit

    def capped(self, theta0, *, warm=False):
        theta, *_ = orig(self, theta0, warm=warm)
        return theta0, False, 3, "fisher"

    monkeypatch.setattr(ml.MLProblem, "fit", capped)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        res = sem.fit(HS_MODEL, hs)
    assert not res.converged
    assert "did not converge" in res.summary().as_text()


def test_listwise_deletion_reported(hs):
    d = hs.copy()
    d.loc[[0, 5, 9], "x2"] = np.nan
    d.loc[[5, 7], "x8"] = np.nan
    with pytest.warns(MissingDataWarning, match=r"dropped 4 of 301 rows.*x2: 3, x8: 2"):
        res = sem.fit(HS_MODEL, d)
    assert res.n == 297
    assert any("listwise" in w and "missing='fiml'" in w for w in res.warnings)
    # "available" is listwise on the model's own variables; "raise" refuses and names them
    with pytest.warns(MissingDataWarning):
        same = sem.fit(HS_MODEL, d, missing="available")
    assert same.n == 297
    assert same.params["est"].to_numpy() == pytest.approx(res.params["est"].to_numpy(), rel=1e-12)
    with pytest.raises(MissingValuesError, match=r"'x2': 3, 'x8': 2.*fiml"):
        sem.fit(HS_MODEL, d, missing="raise")
    with pytest.raises(ParameterError, match="missing='mean'"):
        sem.fit(HS_MODEL, d, missing="mean")


def test_bad_options(hs):
    with pytest.raises(ParameterError, match="estimator"):
        sem.fit(HS_MODEL, hs, estimator="GLS")
    with pytest.raises(ParameterError, match="se='bootstrap'"):
        sem.fit(HS_MODEL, hs, n_boot=40)
    with pytest.raises(ParameterError, match="seed='a'"):
        sem.fit(HS_MODEL, hs, se="bootstrap", n_boot=40, seed="a", progress=False)


def test_missing_group_labels_reported(hs):
    d = hs.copy()
    d["grp"] = np.where(d.index % 2 == 0, "even", None)
    with pytest.warns(
        MissingDataWarning, match=r"dropped 150 of 301 rows.*\(missing per column: grp"
    ):
        res = sem.fit(HS_MODEL, d, group="grp")
    assert res.n == 151 and res.group_labels == ("even",)


# ---------------------------------------------------------------- defined, robust, bootstrap
def test_defined_parameter_delta_method(pdem):
    res = sem.fit(MED, pdem)
    p = res.params.set_index("label")
    a, b = p.loc["a", "est"], p.loc["b", "est"]
    assert p.loc["ind", "est"] == pytest.approx(a * b, rel=1e-12)
    # brute-force delta method from the parameter covariance matrix
    V = np.asarray(res._vcov)
    pt = res._prep.model.partable.set_index("label")
    ia, ib = int(pt.loc["a", "par"]), int(pt.loc["b", "par"])
    var = b**2 * V[ia, ia] + a**2 * V[ib, ib] + 2 * a * b * V[ia, ib]
    assert p.loc["ind", "se"] == pytest.approx(np.sqrt(var), rel=1e-5)
    assert p.loc["ind", "std_all"] == pytest.approx(p.loc["a", "std_all"] * p.loc["b", "std_all"])


def test_robust_se_normal_vs_heavy_tails():
    # one factor, loadings 1, .8, .7, .6; n = 3000.  Under normality the
    # sandwich and expected-information SEs estimate the same quantity (ratio
    # within sampling noise ~ +-10%); with t(5) data the variance SEs must grow.
    rng = np.random.default_rng(3)
    n, lam = 3000, np.array([1.0, 0.8, 0.7, 0.6])
    model = "f =~ x1 + x2 + x3 + x4"
    out, factors = [], []
    for heavy in (False, True):
        if heavy:
            scale = np.sqrt(rng.chisquare(5, (n, 1)) / 3)
            f = rng.standard_normal((n, 1)) / scale
            e = rng.standard_normal((n, 4)) * 0.6 / scale
        else:
            f = rng.standard_normal((n, 1))
            e = rng.standard_normal((n, 4)) * 0.6
        d = pd.DataFrame(f * lam + e, columns=["x1", "x2", "x3", "x4"])
        s = sem.fit(model, d).params
        rob = sem.fit(model, d, se="robust")
        r = rob.params
        var = s.op == "~~"
        out.append((r.se[var] / s.se[var]).to_numpy())
        factors.append(rob.robust_test["scaling_factor"])
    assert np.all((out[0] > 0.88) & (out[0] < 1.12))
    assert np.all(out[1] > 1.3)
    # Satorra-Bentler scaling factor: ~1 under normality, > 1 with kurtosis
    assert 0.8 < factors[0] < 1.2 and factors[1] > 1.5, factors


def test_robust_se_equals_gamma_sandwich(hs):
    # brute force: the case-wise-score sandwich equals the moment-based MLM
    # sandwich (D'VD)^-1 D'V Gamma V D (D'VD)^-1 / n built from Gamma, the
    # covariance of the case-wise cross products
    from servqual.sem.robust import _blocks

    res = sem.fit(HS_MODEL, hs, se="robust")
    pr, th = res._problem, np.asarray(res._theta)
    V, D, G = _blocks(pr, th, 0, res._prep.arrays[0])
    A = np.linalg.inv(D.T @ V @ D)
    mlm = A @ D.T @ V @ G @ V @ D @ A / pr.N
    np.testing.assert_allclose(np.diag(mlm), np.diag(np.asarray(res._vcov)), rtol=1e-10)
    rt = res.robust_test
    assert rt["chi2_scaled"] == pytest.approx(res.fit_indices["chi2"] / rt["scaling_factor"])
    assert "Satorra-Bentler" in str(res.summary())
    assert not sem.fit(HS_MODEL, hs).robust_test


def test_bootstrap_deterministic_and_consistent(pdem):
    kw = dict(se="bootstrap", n_boot=60, seed=11, progress=False)
    r1 = sem.fit(MED, pdem, **kw)
    r2 = sem.fit(MED, pdem, n_jobs=2, **kw)
    pd.testing.assert_frame_equal(r1.params, r2.params)
    p = r1.params.set_index("label")
    s = sem.fit(MED, pdem).params.set_index("label")
    # bootstrap SE of a regression vs expected-information SE: with B = 60
    # the SE itself has ~10% Monte Carlo error; a factor 1.6 is generous
    ratio = p.loc["a", "se"] / s.loc["a", "se"]
    assert 1 / 1.6 < ratio < 1.6
    assert p.loc["ind", "ci_lower"] < p.loc["ind", "est"] < p.loc["ind", "ci_upper"]
    draws = r1.bootstrap_draws
    lo = np.nanquantile(draws.estimates[:, -1], 0.025)
    assert p.loc["ind", "ci_lower"] == pytest.approx(lo)
    # the draws belong to a frozen result: read-only
    with pytest.raises(ValueError, match="read-only"):
        draws.estimates[0, 0] = 0.0


def test_bca_interval_equals_efron_formula_with_leave_one_out_refits(pdem):
    # brute force: Efron's (1987) BCa interval of the indirect effect recomputed
    # from the stored draws, with the acceleration from 75 leave-one-out cold
    # fits through the public API (the package's jackknife warm-starts; the two
    # agree to optimizer precision, so 1e-5 on the interval ends)
    res = sem.fit(MED, pdem, se="bootstrap", n_boot=80, ci_method="bca", seed=5, progress=False)
    p = res.params.set_index("label")
    d = res.bootstrap_draws.estimates[:, -1]
    d = d[np.isfinite(d)]
    est = p.loc["ind", "est"]
    z0 = stats.norm.ppf(np.mean(d < est))
    jack = np.array(
        [
            sem.fit(MED, pdem.drop(index=pdem.index[i])).params.set_index("label").loc["ind", "est"]
            for i in range(len(pdem))
        ]
    )
    u = jack.mean() - jack
    acc = np.sum(u**3) / (6 * np.sum(u**2) ** 1.5)
    z = stats.norm.ppf([0.025, 0.975])
    q = stats.norm.cdf(z0 + (z0 + z) / (1 - acc * (z0 + z)))
    assert abs(q[0] - 0.025) > 0.005  # the correction is not trivial on these data
    np.testing.assert_allclose(
        p.loc["ind", ["ci_lower", "ci_upper"]].to_numpy(float), np.quantile(d, q), atol=1e-5
    )


def test_bootstrap_failures_counted(pdem, monkeypatch):
    from servqual.sem import bootstrap as bmod

    orig = bmod.Refit._refit
    calls = {"n": 0}

    def flaky(self, moments):
        calls["n"] += 1
        if calls["n"] % 3 == 0:
            raise RuntimeError("refit did not converge")
        return orig(self, moments)

    monkeypatch.setattr(bmod.Refit, "_refit", flaky)
    # route every replicate through the single-resample optimiser
    monkeypatch.setattr(
        bmod,
        "batch_fit",
        lambda m, c, mu, t, h: (np.tile(t, (c.shape[0], 1)), np.zeros(c.shape[0], dtype=bool)),
    )
    with pytest.warns(BootstrapFailureWarning, match="bootstrap replicates failed"):
        res = sem.fit(MED, pdem, se="bootstrap", n_boot=40, seed=2, progress=False)
    # a failed replicate fails alone (PartialBatch): the failures are counted,
    # the others kept
    assert 0 < res.bootstrap_draws.n_failed < 30
    assert np.isnan(res.bootstrap_draws.estimates[res.bootstrap_draws.failed]).all()
    assert any("failed" in w for w in res.warnings)


def test_result_is_immutable_and_summary(hs):
    res = sem.fit(HS_MODEL, hs)
    with pytest.raises(AttributeError):
        res.converged = False
    tab = res.params
    tab.loc[0, "est"] = 99.0
    assert res.params.loc[0, "est"] == 1.0
    with pytest.raises(TypeError):
        res.fit_indices["chi2"] = 0.0
    text = res.summary().as_text()
    assert "Latent variables" in text and "visual =~ x2" in text and "85.306" in text
    assert "<table" in res.summary()._repr_html_()
    resid = res.residuals()
    np.testing.assert_allclose(
        resid.to_numpy(), res.sample_cov().to_numpy() - res.implied_cov().to_numpy()
    )
    assert res.residuals(kind="cor").shape == (9, 9)


def test_batched_refits_equal_single_cold_fits(hs):
    # the bootstrap's vectorised BFGS refits (warm start, full-sample metric)
    # must land on the same optimum as an independent cold-start fit of each
    # resample through the public API (tolerance: optimizer precision)
    from servqual.sem.bootstrap import make_refit

    res = sem.fit(HS_MODEL, hs)
    refit = make_refit(res._prep, np.asarray(res._theta), res._problem)
    rng = np.random.default_rng(4)
    idx = rng.integers(0, len(hs), size=(8, len(hs)))
    batch = refit(idx)
    for b in range(idx.shape[0]):
        cold = sem.fit(HS_MODEL, hs.iloc[idx[b]])
        np.testing.assert_allclose(batch[b], np.asarray(cold._theta), atol=2e-6)


def test_group_equal_and_group_errors(hs):
    with pytest.raises(ParameterError, match="group_equal"):
        sem.fit(HS_MODEL, hs, group="school", group_equal=("slopes",))
    with pytest.raises(ParameterError, match="'slopes'"):
        sem.fit(HS_MODEL, hs, group_equal=("slopes",))  # validated without a group too
    with pytest.raises(ParameterError, match="needs a multigroup fit"):
        sem.fit(HS_MODEL, hs, group_equal=("loadings",))  # would be silently ignored
    with pytest.raises(ParameterError, match="min_mi=-1"):
        sem.fit(HS_MODEL, hs).modindices(min_mi=-1)
    with pytest.raises(SpecificationError, match="'campus'"):
        sem.fit(HS_MODEL, hs, group="campus")
    res = sem.fit(HS_MODEL, hs, group="school", group_equal=("loadings",))
    p = res.params
    load = p[(p.op == "=~") & (p.rhs == "x2")]
    assert load["est"].nunique() == 1 and len(load) == 2
    assert set(p["group"]) == {"Pasteur", "Grant-White"}
