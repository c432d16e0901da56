"""Tests of the one-factor ML fit and of servqual.reliability()."""

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

import servqual
from servqual import Instrument
from servqual.errors import (
    ImproperSolutionWarning,
    MissingColumnError,
    MissingDataWarning,
    OutOfRangeError,
    ParameterError,
)
from servqual.factor import one_factor_ml
from servqual.measurement import (
    composite_reliability,
    cronbach_alpha,
    difference_score_reliability,
    htmt,
    reliability,
)

IMAGE = [f"IMAG{i}" for i in range(1, 6)]


@pytest.fixture(scope="module")
def mobi():
    return servqual.load_dataset("mobi")


def _fml(S, lam, theta):
    sigma = np.outer(lam, lam) + np.diag(theta)
    return (
        np.linalg.slogdet(sigma)[1]
        + np.trace(np.linalg.solve(sigma, S))
        - np.linalg.slogdet(S)[1]
        - S.shape[0]
    )


def _brute_force(S):
    """Direct minimisation of F_ML over (lambda, log theta) from a crude start."""
    p = S.shape[0]
    x0 = np.r_[np.sqrt(np.diag(S)) * 0.5, np.log(np.diag(S) * 0.5)]
    res = optimize.minimize(
        lambda z: _fml(S, z[:p], np.exp(z[p:])),
        x0,
        method="BFGS",
        options={"gtol": 1e-10, "maxiter": 10_000},
    )
    lam = res.x[:p] * np.sign(res.x[:p].sum())
    return lam, np.exp(res.x[p:]), res.fun


def test_one_factor_ml_equals_brute_force_likelihood_optimum(mobi):
    for cols in (IMAGE, [f"PERQ{i}" for i in range(1, 8)], ["CUEX1", "CUEX2", "CUEX3"]):
        S = np.cov(mobi[cols].to_numpy(float), rowvar=False)
        fit = one_factor_ml(S)
        lam, theta, fmin = _brute_force(S)
        assert fit.converged and not fit.heywood
        assert fit.fmin == pytest.approx(fmin, abs=1e-9)
        # both minimise the same smooth function: parameters agree to optimizer precision
        np.testing.assert_allclose(fit.loadings, lam, atol=1e-4)
        np.testing.assert_allclose(fit.error_var, theta, atol=1e-4)
        np.testing.assert_allclose(fit.std_loadings, lam / np.sqrt(np.diag(S)), atol=1e-5)


def test_one_factor_ml_matches_semopy(mobi):
    semopy = pytest.importorskip("semopy")
    m = semopy.Model("F =~ " + " + ".join(IMAGE))
    m.fit(mobi[IMAGE], obj="MLW", solver="L-BFGS-B")
    est = m.inspect(std_est=True)
    ref = est[(est["op"] == "~") & (est["rval"] == "F")].set_index("lval")["Est. Std"]
    fit = one_factor_ml(np.cov(mobi[IMAGE].to_numpy(float), rowvar=False))
    # semopy 2.3.11 (L-BFGS-B) agrees with lavaan to ~5e-4 (issue 3); observed gap ~1e-5.
    np.testing.assert_allclose(fit.std_loadings, ref[IMAGE].to_numpy(float), atol=2e-4)


def test_one_factor_population_recovery_two_items_and_heywood():
    lam = np.array([0.9, 0.5, 0.6, 0.7])
    R = np.outer(lam, lam) + np.diag(1 - lam**2)
    np.testing.assert_allclose(one_factor_ml(R).std_loadings, lam, atol=1e-6)
    two = one_factor_ml(np.array([[4.0, 1.0], [1.0, 1.0]]))  # r = 0.5
    np.testing.assert_allclose(two.std_loadings, [np.sqrt(0.5)] * 2)
    assert two.identified_by == "equal standardized loadings"
    # positive definite, but r12 r13 / r23 = .8 * .8 / .5 > 1 forces item 1's
    # uniqueness to its bound
    heywood = one_factor_ml(np.array([[1, 0.8, 0.8], [0.8, 1, 0.5], [0.8, 0.5, 1.0]]))
    assert heywood.heywood and heywood.converged
    assert heywood.error_var[0] == pytest.approx(0.005)  # the bound (correlation scale)
    assert 0.99 < heywood.std_loadings[0] < 1.0
    with pytest.raises(ParameterError, match="finite"):
        one_factor_ml(np.array([[1, np.nan, 0.3], [np.nan, 1, 0.3], [0.3, 0.3, 1]]))
    with pytest.raises(ParameterError, match=r"position \[0\] have variance \[0.0\]"):
        one_factor_ml(np.diag([0.0, 1.0, 1.0]))


def test_reliability_on_mobi_equals_primitives(mobi):
    inst = Instrument.ecsi_mobi()
    with pytest.warns(ImproperSolutionWarning, match="loyalty"):
        res = reliability(mobi, inst)
    blocks = inst.dimension_columns(None)
    for dim, cols in blocks.items():
        row = res.table.loc[dim]
        if len(cols) < 2:
            assert np.isnan(row["alpha"])
            continue
        assert row["alpha"] == pytest.approx(cronbach_alpha(mobi, cols))
        fit = one_factor_ml(np.cov(mobi[cols].to_numpy(float), rowvar=False))
        assert row["omega"] == pytest.approx(
            composite_reliability(fit.loadings, error_var=fit.error_var)
        )
        assert row["rho_c"] == pytest.approx(composite_reliability(fit.std_loadings))
        assert row["ave"] == pytest.approx(np.mean(fit.std_loadings**2))
    multi = {d: c for d, c in blocks.items() if len(c) > 1}
    h = htmt(mobi, multi)
    assert res.htmt.loc["image", "satisfaction"] == pytest.approx(h.loc["image", "satisfaction"])
    assert res.htmt.loc["image", "satisfaction"] == pytest.approx(0.910, abs=5e-4)  # seminr 2.3
    assert res.n == 250 and len(res.loadings) == 24
    assert servqual.reliability is reliability
    text = str(res.summary())
    assert "single item" in text and "Feldt" in text  # complaints (CUSCO) is a single item
    # loyalty: r(CUSL1,CUSL3) r(CUSL3,CUSL2) / r(CUSL1,CUSL2) = 1.18 > 1 -> Heywood case
    assert res.table.loc["loyalty", "heywood"] and "Heywood" in text
    assert np.isnan(res.htmt2.loc["loyalty", "quality"])  # r(CUSL2, PERQ2) <= 0
    assert any("HTMT2 is undefined for quality-loyalty" in w for w in res.warnings)


def _congeneric(n, lam_blocks, phi, seed):
    rng = np.random.default_rng(seed)
    f = rng.multivariate_normal(np.zeros(len(lam_blocks)), phi, size=n)
    cols, dims = {}, {}
    for b, lam in enumerate(lam_blocks):
        names = []
        for j, l in enumerate(lam):
            name = f"x{b}_{j}"
            cols[name] = 10 + 2 * (l * f[:, b] + np.sqrt(1 - l**2) * rng.standard_normal(n))
            names.append(name)
        dims[f"d{b}"] = names
    inst = Instrument.from_mapping(dims, scale=(-1000, 1000))
    return pd.DataFrame(cols), inst


def test_reliability_recovers_congeneric_truth():
    lam_blocks = [np.array([0.8, 0.7, 0.6, 0.5]), np.array([0.9, 0.6, 0.75])]
    phi = np.array([[1.0, 0.4], [0.4, 1.0]])
    df, inst = _congeneric(20_000, lam_blocks, phi, seed=7)
    res = reliability(df, inst)
    for b, lam in enumerate(lam_blocks):
        d = f"d{b}"
        got = res.loadings.loc[res.loadings["dimension"] == d, "std_loading"].to_numpy()
        # SE of a standardized loading at n=20,000 is < 0.006; 4 SE tolerance
        np.testing.assert_allclose(got, lam, atol=0.025)
        true_rho = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
        assert res.table.loc[d, "rho_c"] == pytest.approx(true_rho, abs=0.01)
        assert res.table.loc[d, "omega"] == pytest.approx(true_rho, abs=0.01)
        assert res.table.loc[d, "ave"] == pytest.approx(np.mean(lam**2), abs=0.015)
        # congeneric, not tau-equivalent: alpha underestimates reliability
        assert res.table.loc[d, "alpha"] < true_rho
    # SE of the disattenuated correlation ~0.008 at this n: 3 SE
    assert res.factor_corr.loc["d0", "d1"] == pytest.approx(0.4, abs=0.025)
    assert res.table["fornell_larcker"].all()


def test_difference_score_reliability_brute_force_and_simulation():
    # Lord's formula == 1 - error variance / observed variance of the difference
    assert difference_score_reliability(0.8, 0.7, 0.3, 1.5, 0.8) == pytest.approx(
        1 - (1.5**2 * 0.2 + 0.8**2 * 0.3) / (1.5**2 + 0.8**2 - 2 * 1.5 * 0.8 * 0.3)
    )
    # Simulation: parallel P and E items (alpha = exact reliability), correlated true scores.
    rng = np.random.default_rng(11)
    n, k = 40_000, 4
    t = rng.multivariate_normal([0, 0], [[1.0, 0.6], [0.6, 0.8]], size=n)
    se_p, se_e = 1.2, 1.0
    data = {}
    for j in range(1, k + 1):
        data[f"P{j}"] = 4 + t[:, 0] + se_p * rng.standard_normal(n)
        data[f"E{j}"] = 5 + t[:, 1] + se_e * rng.standard_normal(n)
    df = pd.DataFrame(data)
    inst = Instrument.from_mapping(
        {"d": [str(j) for j in range(1, k + 1)]}, scale=(-100, 100), prefixes={"P": "P", "E": "E"}
    )
    res = reliability(df, inst)
    true_var = 1.0 + 0.8 - 2 * 0.6
    true_rd = true_var / (true_var + (se_p**2 + se_e**2) / k)
    diff = res.difference.loc["d"]
    # alpha is unbiased here; SE of r_D at n=40,000 is ~0.004: 4 SE tolerance
    assert diff["r_d"] == pytest.approx(true_rd, abs=0.016)
    assert diff["r_pp"] == pytest.approx(1 / (1 + se_p**2 / k), abs=0.01)
    # brute force from the composites themselves
    p = df[[f"P{j}" for j in range(1, k + 1)]].mean(axis=1)
    e = df[[f"E{j}" for j in range(1, k + 1)]].mean(axis=1)
    brute = 1 - (p.var() * (1 - diff["r_pp"]) + e.var() * (1 - diff["r_ee"])) / (p - e).var()
    assert diff["r_d"] == pytest.approx(brute, rel=1e-10)


def test_reliability_on_simulated_servqual_has_difference_table():
    df, truth = servqual.simulate_survey(600, seed=3)
    res = reliability(df, Instrument.servqual22())
    assert list(res.difference.index) == list(Instrument.servqual22().dimensions)
    # r_D below the reliability of P and E when P and E correlate positively
    d = res.difference
    assert ((d["r_pe"] <= 0) | (d["r_d"] < np.maximum(d["r_pp"], d["r_ee"]))).all()
    e_res = reliability(df, Instrument.servqual22(), kind="E")
    assert e_res.loadings["item"].str.startswith("E").all()
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.n = 3
    # every table is a copy: editing it leaves the result intact
    for name in ("table", "loadings", "factor_corr", "htmt", "htmt2", "fornell_larcker"):
        before = getattr(res, name).copy()
        edited = getattr(res, name)
        edited.loc[edited.index[0], edited.select_dtypes("number").columns[0]] = -99
        pd.testing.assert_frame_equal(getattr(res, name), before, obj=name)
    before = res.difference.copy()
    res.difference.loc["tangibles", "r_d"] = -99
    pd.testing.assert_frame_equal(res.difference, before)
    fit = one_factor_ml(np.eye(3) + 0.5)
    with pytest.raises(ValueError, match="read-only"):
        fit.loadings[0] = 0.0


def test_reliability_bad_input(mobi):
    inst = Instrument.ecsi_mobi()
    bad = mobi.copy()
    bad.loc[5, "IMAG2"] = 11
    with pytest.raises(OutOfRangeError, match="IMAG2"):
        reliability(bad, inst)
    with pytest.raises(MissingColumnError, match="CUEX1"):
        reliability(mobi.drop(columns="CUEX1"), inst)
    with pytest.raises(ParameterError, match="ci=2"):
        reliability(mobi, inst, ci=2)
    with pytest.raises(ParameterError, match="kind='X'"):
        reliability(servqual.simulate_survey(50, seed=1)[0], Instrument.servqual22(), kind="X")
    with pytest.raises(TypeError, match="Instrument"):
        reliability(mobi, {"a": ["IMAG1"]})
    na = mobi.astype(float)
    na.loc[[3, 7], "CUSA1"] = np.nan
    with pytest.warns(MissingDataWarning, match="dropped 2"):
        res = reliability(na, inst, missing="listwise")
    assert res.n == 248 and res.validation.n_dropped == 2
    # default "available": only the satisfaction block loses the two rows
    with pytest.warns(MissingDataWarning, match="satisfaction 248"):
        res = reliability(na, inst)
    assert res.n == 250 and res.validation.n_dropped == 0
    n = res.table["n"]
    assert n["satisfaction"] == 248 and (n.drop("satisfaction") == 250).all()
    with pytest.raises(ParameterError, match="missing='fiml'"):
        reliability(na, inst, missing="fiml")


def test_reliability_available_case_per_block_brute_force(mobi):
    # Issue 11: complete-case deletion kept 91 of 266 rows where each block alone had
    # 180-245. Each block's alpha must equal Cronbach's alpha computed by hand on the rows
    # complete on that block only.
    rng = np.random.default_rng(11)
    inst = Instrument.from_mapping(
        {
            "image": [f"IMAG{i}" for i in range(1, 6)],
            "value": ["PERV1", "PERV2"],
            "satisfaction": ["CUSA1", "CUSA2", "CUSA3"],
        },
        scale=(1, 10),
    )
    na = mobi.astype(float)
    for col in ["IMAG2", "IMAG4", "PERV1", "CUSA3"]:
        na.loc[rng.choice(250, 35, replace=False), col] = np.nan
    with pytest.warns(MissingDataWarning, match="each dimension uses"):
        res = reliability(na, inst)
    complete_all = int(na[inst.all_columns()].notna().all(axis=1).sum())
    for dim, cols in inst.dimension_columns().items():
        block = na[cols].dropna().to_numpy()
        k = len(cols)
        alpha = k / (k - 1) * (1 - block.var(axis=0, ddof=1).sum() / block.sum(1).var(ddof=1))
        assert res.table.loc[dim, "n"] == block.shape[0] > complete_all
        assert res.table.loc[dim, "alpha"] == pytest.approx(alpha, abs=1e-12)
    with pytest.warns(MissingDataWarning):
        lw = reliability(na, inst, missing="listwise")
    assert lw.n == complete_all and (lw.table["n"] == complete_all).all()
    # HTMT under "available" uses pairwise-complete correlations
    r = na[inst.all_columns()].corr()
    het = r.loc[["PERV1", "PERV2"], ["CUSA1", "CUSA2", "CUSA3"]].to_numpy().mean()
    mono_v = r.loc["PERV1", "PERV2"]
    cs = r.loc[["CUSA1", "CUSA2", "CUSA3"], ["CUSA1", "CUSA2", "CUSA3"]].to_numpy()
    mono_s = cs[np.triu_indices(3, 1)].mean()
    assert res.htmt.loc["value", "satisfaction"] == pytest.approx(het / np.sqrt(mono_v * mono_s))


def test_reliability_flags_heywood_and_reverse_keying():
    rng = np.random.default_rng(5)
    n = 3000
    f = rng.standard_normal(n)
    df = pd.DataFrame(
        {
            "a": f + 0.05 * rng.standard_normal(n),
            "b": 0.5 * f + rng.standard_normal(n),
            "c": 0.5 * f + rng.standard_normal(n),
            "d": 0.5 * f + rng.standard_normal(n),
            "e": rng.standard_normal(n),
            "g": rng.standard_normal(n),
        }
    )
    df["h"] = df["e"] + df["g"]
    inst = Instrument.from_mapping({"x": list("abcd"), "y": ["e", "g", "h"]}, scale=(-100, 100))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = reliability(df, inst)
    assert any(issubclass(w.category, ImproperSolutionWarning) for w in rec)
    assert res.warnings and any("Heywood" in w for w in res.warnings)
    assert "Heywood" in str(res.summary())


def test_perceptions_only_survey_and_unpaired_items():
    from servqual.errors import UnpairedItemError

    inst = Instrument.servqual22()
    df = servqual.load_dataset("servqual_sim").head(300)
    perf = servqual.reliability(df.drop(columns=inst.columns("E")), inst)
    full = servqual.reliability(df, inst)
    assert perf.table["alpha"].round(10).tolist() == full.table["alpha"].round(10).tolist()
    with pytest.raises(UnpairedItemError, match="'P7'"):
        servqual.reliability(df.drop(columns=["E7"]), inst)
