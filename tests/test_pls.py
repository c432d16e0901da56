"""PLS path modelling: published references, brute-force recomputation, recovery."""

import numpy as np
import pandas as pd
import pytest

import servqual
from servqual import pls
from servqual.errors import ConvergenceWarning, MissingDataWarning, MissingValuesError

SEMINR_MODEL = """
Image        =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation  =~ CUEX1 + CUEX2 + CUEX3
Value        =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Satisfaction ~ Image + Expectation + Value
"""


@pytest.fixture(scope="module")
def mobi():
    return servqual.load_dataset("mobi")


@pytest.fixture(scope="module")
def seminr_fit(mobi):
    return pls.fit(SEMINR_MODEL, mobi, progress=False)


@pytest.fixture(scope="module")
def ecsi(mobi):
    return pls.fit(pls.ecsi_model(), mobi, progress=False)


# --------------------------------------------------------------- references
def test_paths_r2_match_seminr(seminr_fit):
    # seminr 2.3 test fixtures on mobi (mode A, path weighting, standardized).
    p = seminr_fit.paths.set_index(["source", "target"])["estimate"]
    assert p["Image", "Satisfaction"] == pytest.approx(0.447004, abs=5e-7)
    assert p["Expectation", "Satisfaction"] == pytest.approx(0.171830, abs=5e-7)
    assert p["Value", "Satisfaction"] == pytest.approx(0.316425, abs=5e-7)
    assert seminr_fit.r2["Satisfaction"] == pytest.approx(0.590603, abs=5e-7)
    assert seminr_fit.r2_adj["Satisfaction"] == pytest.approx(0.585611, abs=5e-7)


def test_reliability_matches_seminr(seminr_fit):
    # seminr 2.3 test fixtures on mobi: alpha, rho_C, AVE, rho_A at 4 decimals.
    ref = {
        "Image": (0.7228, 0.8183, 0.4780, 0.7453),
        "Expectation": (0.4519, 0.7332, 0.4805, 0.4617),
        "Value": (0.8236, 0.9179, 0.8483, 0.8575),
        "Satisfaction": (0.7792, 0.8715, 0.6934, 0.7840),
    }
    rel = seminr_fit.reliability
    for c, (a, rc, av, ra) in ref.items():
        got = rel.loc[c, ["alpha", "rho_c", "ave", "rho_a"]].to_numpy(float)
        np.testing.assert_allclose(got, [a, rc, av, ra], atol=5e-5, err_msg=c)


def test_htmt_matches_seminr(seminr_fit):
    # seminr 2.3 test fixtures on mobi, 3 decimals.
    ref = {
        ("Image", "Expectation"): 0.888,
        ("Image", "Value"): 0.652,
        ("Image", "Satisfaction"): 0.910,
        ("Expectation", "Value"): 0.589,
        ("Expectation", "Satisfaction"): 0.865,
        ("Value", "Satisfaction"): 0.741,
    }
    for (a, b), v in ref.items():
        assert seminr_fit.htmt.loc[a, b] == pytest.approx(v, abs=5e-4)
        assert seminr_fit.htmt.loc[b, a] == seminr_fit.htmt.loc[a, b]


def test_ecsi_paths_match_tenenhaus_2005(ecsi):
    # Tenenhaus, Esposito Vinzi, Chatelin & Lauro (2005), CSDA 48, ECSI model on the
    # mobi data, path coefficients reported to 3 decimals (also seminr's mobi ECSI demo).
    ref = {
        ("Image", "Expectation"): 0.505,
        ("Expectation", "Quality"): 0.557,
        ("Quality", "Value"): 0.558,
        ("Satisfaction", "Complaints"): 0.528,
        ("Satisfaction", "Loyalty"): 0.485,
        ("Quality", "Satisfaction"): 0.512,
    }
    p = ecsi.paths.set_index(["source", "target"])["estimate"]
    for k, v in ref.items():
        assert p[k] == pytest.approx(v, abs=5e-4), k


# ----------------------------------------------------------- brute force
def test_two_block_solution_is_leading_singular_vector(mobi):
    # Two reflective blocks (any scheme): Wold's mode A fixed point is the first
    # singular pair of the between-block correlation matrix.
    res = pls.fit(
        "A =~ CUEX1 + CUEX2 + CUEX3\nB =~ CUSA1 + CUSA2 + CUSA3\nB ~ A",
        mobi,
        scheme="centroid",
        progress=False,
        tol=1e-10,
    )
    R = mobi[["CUEX1", "CUEX2", "CUEX3", "CUSA1", "CUSA2", "CUSA3"]].corr().to_numpy()
    u = np.linalg.svd(R[:3, 3:])[0][:, 0]
    u = u / np.sqrt(u @ R[:3, :3] @ u) * np.sign(u.sum())
    np.testing.assert_allclose(res.outer["weight"].to_numpy()[:3], u, atol=1e-8)


def test_scores_paths_loadings_by_regression(ecsi, mobi):
    items = list(ecsi.model.items)
    z = (mobi[items] - mobi[items].mean()) / mobi[items].std()
    sc = ecsi.scores
    # scores are standardised composites of standardised items with the outer weights
    for c in ecsi.constructs:
        o = ecsi.outer[ecsi.outer["construct"] == c]
        np.testing.assert_allclose(z[o["item"]].to_numpy() @ o["weight"].to_numpy(), sc[c])
        assert sc[c].std() == pytest.approx(1.0)
    # loadings and cross-loadings are item-score correlations
    full = pd.concat([mobi[items], sc], axis=1).corr().loc[items, list(ecsi.constructs)]
    np.testing.assert_allclose(ecsi.cross_loadings.to_numpy(), full.to_numpy(), atol=1e-10)
    # paths and R^2 are OLS regressions of scores on their predecessors
    for tgt in ecsi.r2.index:
        src = ecsi.paths.loc[ecsi.paths["target"] == tgt, "source"].tolist()
        Xs = np.column_stack([np.ones(len(sc)), sc[src]])
        b, *_ = np.linalg.lstsq(Xs, sc[tgt], rcond=None)
        est = ecsi.paths.loc[ecsi.paths["target"] == tgt, "estimate"].to_numpy()
        np.testing.assert_allclose(est, b[1:], atol=1e-10)
        resid = sc[tgt] - Xs @ b
        r2 = 1 - resid.var() / sc[tgt].var()
        assert ecsi.r2[tgt] == pytest.approx(r2, abs=1e-10)
        # f^2 by dropping each predecessor and refitting
        for s in src:
            keep = [k for k in src if k != s]
            Xr = np.column_stack([np.ones(len(sc))] + [sc[k] for k in keep])
            br, *_ = np.linalg.lstsq(Xr, sc[tgt], rcond=None)
            r2r = 1 - (sc[tgt] - Xr @ br).var() / sc[tgt].var()
            row = ecsi.paths[(ecsi.paths["source"] == s) & (ecsi.paths["target"] == tgt)]
            # (f2_r2 is the shortcut with the scores held fixed; f2 re-estimates the model)
            assert row["f2_r2"].iloc[0] == pytest.approx((r2 - r2r) / (1 - r2), abs=1e-9)
            if keep:  # inner VIF: 1 / (1 - R^2 of s on the other predecessors)
                Xv = np.column_stack([np.ones(len(sc))] + [sc[k] for k in keep])
                bv, *_ = np.linalg.lstsq(Xv, sc[s], rcond=None)
                r2v = 1 - (sc[s] - Xv @ bv).var() / sc[s].var()
                assert row["vif"].iloc[0] == pytest.approx(1 / (1 - r2v), rel=1e-9)


def test_effects_sum_over_directed_paths(ecsi):
    p = ecsi.paths.set_index(["source", "target"])["estimate"]
    e = ecsi.effects.set_index(["source", "target"])
    # Image -> Loyalty: direct + via Satisfaction + via Satisfaction->Complaints + longer chains
    chains = [
        ["Image", "Loyalty"],
        ["Image", "Satisfaction", "Loyalty"],
        ["Image", "Satisfaction", "Complaints", "Loyalty"],
        ["Image", "Expectation", "Satisfaction", "Loyalty"],
        ["Image", "Expectation", "Satisfaction", "Complaints", "Loyalty"],
        ["Image", "Expectation", "Quality", "Satisfaction", "Loyalty"],
        ["Image", "Expectation", "Quality", "Satisfaction", "Complaints", "Loyalty"],
        ["Image", "Expectation", "Value", "Satisfaction", "Loyalty"],
        ["Image", "Expectation", "Value", "Satisfaction", "Complaints", "Loyalty"],
        ["Image", "Expectation", "Quality", "Value", "Satisfaction", "Loyalty"],
        ["Image", "Expectation", "Quality", "Value", "Satisfaction", "Complaints", "Loyalty"],
    ]
    total = sum(np.prod([p[a, b] for a, b in zip(c[:-1], c[1:])]) for c in chains)
    assert e.loc[("Image", "Loyalty"), "total"] == pytest.approx(total, abs=1e-12)
    assert e.loc[("Image", "Loyalty"), "direct"] == pytest.approx(p["Image", "Loyalty"])
    assert e.loc[("Image", "Loyalty"), "indirect"] == pytest.approx(total - p["Image", "Loyalty"])


def test_gof_fornell_larcker(ecsi):
    rel = ecsi.reliability
    multi = rel[(rel["n_items"] > 1) & (rel["mode"] == "A")].index
    lam2 = ecsi.outer.loc[ecsi.outer["construct"].isin(multi), "loading"] ** 2
    assert ecsi.gof == pytest.approx(np.sqrt(lam2.mean() * ecsi.r2.mean()))
    fl = ecsi.fornell_larcker
    assert fl.loc["Value", "Value"] == pytest.approx(np.sqrt(rel.loc["Value", "ave"]))
    r = ecsi.scores.corr()
    assert fl.loc["Image", "Loyalty"] == pytest.approx(r.loc["Image", "Loyalty"])


def test_index_and_scores_100(ecsi, mobi):
    o = ecsi.outer[ecsi.outer["construct"] == "Satisfaction"]
    w = o["weight"].to_numpy() / mobi[o["item"]].std().to_numpy()  # per raw unit
    xbar = mobi[o["item"]].mean().to_numpy()
    lo, hi = ecsi.item_scale
    assert (lo, hi) == (1.0, 10.0)
    expected = np.sum(w * (xbar - lo)) / ((hi - lo) * w.sum()) * 100
    assert ecsi.index("Satisfaction") == pytest.approx(expected, rel=1e-12)
    assert ecsi.scores_100["Satisfaction"].mean() == pytest.approx(expected, rel=1e-12)
    raw = mobi[o["item"]].to_numpy() @ (w / w.sum())
    np.testing.assert_allclose(ecsi.scores_raw["Satisfaction"], raw)
    np.testing.assert_allclose(ecsi.scores_100["Satisfaction"], (raw - 1) / 9 * 100)
    # 0-100 scores are affine in the standardised scores
    c = np.corrcoef(ecsi.scores_100["Quality"], ecsi.scores["Quality"])[0, 1]
    assert c == pytest.approx(1.0, abs=1e-12)


def test_ipma_importance_is_unstandardised_total_effect(ecsi):
    # Brute force: regress 0-100 scores on predecessors (unstandardised paths),
    # then total effects = (I - B)^-1 - I.
    s = ecsi.scores_100
    names = list(ecsi.constructs)
    B = np.zeros((len(names), len(names)))
    for tgt in ecsi.r2.index:
        src = ecsi.paths.loc[ecsi.paths["target"] == tgt, "source"].tolist()
        X = np.column_stack([np.ones(len(s)), s[src]])
        b, *_ = np.linalg.lstsq(X, s[tgt], rcond=None)
        for k, v in zip(src, b[1:]):
            B[names.index(k), names.index(tgt)] = v
    T = np.linalg.inv(np.eye(len(names)) - B) - np.eye(len(names))
    tab = ecsi.ipma_table("Loyalty").set_index("construct")
    for c in tab.index:
        assert tab.loc[c, "importance"] == pytest.approx(T[names.index(c), -1], abs=1e-10)
        assert tab.loc[c, "performance"] == pytest.approx(s[c].mean())


def test_schemes_satisfy_their_fixed_point(mobi):
    # At convergence mode A weights are proportional to cov(items, inner proxy).
    m = pls.ecsi_model()
    items = list(m.items)
    z = ((mobi[items] - mobi[items].mean()) / mobi[items].std()).to_numpy()
    for scheme in ("centroid", "factorial", "path"):
        res = pls.fit(m, mobi, scheme=scheme, progress=False, tol=1e-12, max_iter=1000)
        Y = res.scores.to_numpy()
        R = np.corrcoef(Y, rowvar=False)
        for j, c in enumerate(res.constructs):
            nb = {s for s, t in m.paths if t == c} | {t for s, t in m.paths if s == c}
            e = np.zeros(len(res.constructs))
            for k, d in enumerate(res.constructs):
                if d in nb:
                    e[k] = {"centroid": np.sign(R[j, k]), "factorial": R[j, k]}.get(scheme, R[j, k])
            if scheme == "path":
                P = [res.constructs.index(s) for s, t in m.paths if t == c]
                if P:
                    e[P] = np.linalg.solve(R[np.ix_(P, P)], R[P, j])
            o = res.outer[res.outer["construct"] == c]
            idx = [items.index(i) for i in o["item"]]
            g = z[:, idx].T @ (Y @ e) / (len(z) - 1)
            g = g / np.sqrt(g @ np.atleast_2d(np.corrcoef(z[:, idx], rowvar=False)) @ g)
            np.testing.assert_allclose(o["weight"].to_numpy(), g, atol=1e-8, err_msg=scheme)


def test_mode_b_weights_are_regression_weights(mobi):
    res = pls.fit(SEMINR_MODEL, mobi, modes={"Image": "B"}, progress=False, tol=1e-12)
    assert res.outer.loc[res.outer["construct"] == "Image", "mode"].eq("B").all()
    items = ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"]
    z = (mobi[items] - mobi[items].mean()) / mobi[items].std()
    # Image's inner proxy under the path scheme: its correlation with Satisfaction
    proxy = res.scores["Satisfaction"] * np.sign(
        res.construct_correlations.loc["Image", "Satisfaction"]
    )
    b, *_ = np.linalg.lstsq(z.to_numpy(), proxy.to_numpy(), rcond=None)
    b = b / np.sqrt(b @ z.corr().to_numpy() @ b)
    w = res.outer.loc[res.outer["construct"] == "Image", "weight"].to_numpy()
    np.testing.assert_allclose(w, b, atol=1e-8)


def test_simulated_composite_model_recovered():
    # Composite-generating ECSI data, n = 20,000: mode B is consistent for composite
    # models.  Path SEs at this n are about 0.006-0.01, so +-0.02 is ~2-3 SE (the
    # worst of 12 paths over seeds 0-5 was 0.0136).  Mode-B weights are estimated
    # with multicollinear blocks (SE up to ~0.012), hence +-0.05 for them.
    data, truth = pls.simulate_ecsi(20_000, seed=2024)
    m = pls.ecsi_model()
    res = pls.fit(m, data, modes={c: "B" for c in m.constructs}, progress=False)
    p = res.paths.set_index(["source", "target"])["estimate"]
    for s, t, beta in truth.paths:
        assert p[s, t] == pytest.approx(beta, abs=0.02), (s, t)
    w = truth.weights()
    for c in m.constructs:
        got = res.outer.loc[res.outer["construct"] == c, "weight"].to_numpy()
        np.testing.assert_allclose(got, w[c], atol=0.05, err_msg=c)


def test_simulator_population_covariance():
    truth = pls.EcsiTruth()
    S = truth.covariance()
    R = truth.construct_corr()
    W = truth.weights()
    m = pls.ecsi_model()
    # composites w'x have the implied correlations and unit variances
    sizes = np.cumsum([0] + [len(b.items) for b in m.blocks])
    Wm = np.zeros((S.shape[0], len(m.blocks)))
    for j, b in enumerate(m.blocks):
        Wm[sizes[j] : sizes[j + 1], j] = W[b.name]
    np.testing.assert_allclose(Wm.T @ S @ Wm, R.to_numpy(), atol=1e-12)
    a, _ = pls.simulate_ecsi(50, seed=3)
    b, _ = pls.simulate_ecsi(50, seed=3)
    pd.testing.assert_frame_equal(a, b)


# ------------------------------------------------------------ behaviour
def test_missing_values_reported(mobi):
    df = mobi.copy().astype(float)
    df.loc[[3, 7], "CUEX2"] = np.nan
    with pytest.warns(MissingDataWarning, match="CUEX2: 2"):
        r = pls.fit(SEMINR_MODEL, df, progress=False)
    assert r.n == 250 and any("item means" in w for w in r.warnings)
    with pytest.warns(MissingDataWarning, match="2 row"):
        r = pls.fit(SEMINR_MODEL, df, missing="listwise", progress=False)
    assert r.n == 248
    ref = pls.fit(SEMINR_MODEL, df.drop(index=[3, 7]), progress=False)
    with pytest.warns(MissingDataWarning, match="2 row"):
        av = pls.fit(SEMINR_MODEL, df, missing="available", progress=False)
    assert av.paths["estimate"].to_numpy() == pytest.approx(ref.paths["estimate"].to_numpy())
    with pytest.raises(MissingValuesError, match="'CUEX2': 2"):
        pls.fit(SEMINR_MODEL, df, missing="raise", progress=False)


def test_nonconvergence_is_flagged(mobi):
    with pytest.warns(ConvergenceWarning, match="did not converge in 2"):
        r = pls.fit(pls.ecsi_model(), mobi, max_iter=2, progress=False)
    assert not r.converged and r.iterations == 2
    assert "did not converge" in str(r.summary())
    ok = pls.fit(pls.ecsi_model(), mobi, progress=False)
    assert ok.converged and 2 < ok.iterations < 50


def test_result_is_frozen_and_summarises(ecsi):
    with pytest.raises(AttributeError):
        ecsi.gof = 1.0
    text = str(ecsi.summary())
    assert "Image" in text and "HTMT" in text and "R-squared" in text
    assert list(ecsi.outer.columns[:5]) == ["construct", "item", "mode", "weight", "loading"]
    assert list(ecsi.paths.columns[:3]) == ["source", "target", "estimate"]


def test_builder_equals_syntax(mobi):
    m = (
        pls.PLSModel.empty()
        .reflective("Image", ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"])
        .reflective("Expectation", ["CUEX1", "CUEX2", "CUEX3"])
        .reflective("Value", ["PERV1", "PERV2"])
        .reflective("Satisfaction", ["CUSA1", "CUSA2", "CUSA3"])
        .path(["Image", "Expectation", "Value"], "Satisfaction")
    )
    a = pls.fit(m, mobi, progress=False)
    b = pls.fit(pls.parse_model(m.syntax()), mobi, progress=False)
    pd.testing.assert_frame_equal(a.paths, b.paths)


def test_unscaled_two_block_uses_covariances(mobi):
    # scaled=False: items only centred, so the mode-A fixed point is the first singular
    # pair of the between-block *covariance* matrix; loadings stay correlations.
    cols = ["CUEX1", "CUEX2", "CUEX3", "CUSA1", "CUSA2", "CUSA3"]
    res = pls.fit(
        "A =~ CUEX1 + CUEX2 + CUEX3\nB =~ CUSA1 + CUSA2 + CUSA3\nB ~ A",
        mobi,
        scaled=False,
        progress=False,
        tol=1e-12,
    )
    C = mobi[cols].cov().to_numpy()
    u = np.linalg.svd(C[:3, 3:])[0][:, 0]
    u = u / np.sqrt(u @ C[:3, :3] @ u) * np.sign(u.sum())
    np.testing.assert_allclose(res.outer["weight"].to_numpy()[:3], u, atol=1e-8)
    y = (mobi[cols[:3]] - mobi[cols[:3]].mean()).to_numpy() @ u
    r = [np.corrcoef(mobi[c], y)[0, 1] for c in cols[:3]]
    np.testing.assert_allclose(res.outer["loading"].to_numpy()[:3], r, atol=1e-8)
