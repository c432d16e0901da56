"""Interaction terms, higher-order constructs and simple slopes in PLS.

References: seminr 2.x's own test fixtures on the mobi data (numbers only,
cited by file), and brute-force rebuilds through the public API.
"""

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import servqual
from servqual import pls
from servqual.errors import ParameterError, SpecificationError
from servqual.figures.pls import plot_simple_slopes


@pytest.fixture(scope="module")
def mobi():
    return servqual.load_dataset("mobi")


HOC = """
Image        =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation  =~ CUEX1 + CUEX2 + CUEX3
Quality      =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
Value        =~ PERV1 + PERV2
Satisfaction =~ Image + Value
Complaints   =~ CUSCO
Loyalty      =~ CUSL1 + CUSL2 + CUSL3
Satisfaction ~ Expectation + Quality
Complaints   ~ Satisfaction
Loyalty      ~ Satisfaction
"""


def test_two_stage_hoc_matches_seminr_fixture(mobi):
    # seminr tests/testthat/test-hoc.R (two_stage_HOC("Satisfaction", c("Image", "Value")),
    # composites = mode A); fixtures tests/fixtures/V_3_5_X/hoc-paths.csv and
    # tests/fixtures/V_3_6_0/hoc-weights.csv (seminr's own tolerance 1e-5).
    r = pls.fit(HOC, mobi, progress=False)
    p = r.paths.set_index(["source", "target"])["estimate"]
    ref = {
        ("Expectation", "Satisfaction"): 0.103641382040823,
        ("Quality", "Satisfaction"): 0.720064333276669,
        ("Satisfaction", "Complaints"): 0.486257317953653,
        ("Satisfaction", "Loyalty"): 0.627602841720655,
    }
    for k, v in ref.items():
        assert p[k] == pytest.approx(v, abs=1e-6), k
    w = r.outer.set_index(["construct", "item"])["weight"]
    wref = {
        ("Satisfaction", "Image"): 0.631840584153024,
        ("Satisfaction", "Value"): 0.51711253914618,
        ("Expectation", "CUEX1"): 0.513693599817747,
        ("Quality", "PERQ7"): 0.211195190919576,
        ("Loyalty", "CUSL2"): 0.138986918729658,
    }
    for k, v in wref.items():
        assert w[k] == pytest.approx(v, abs=1e-6), k
    # the dimensions' weights come from stage 1
    w1 = r.extended["first_stage"]["hoc"].outer.set_index(["construct", "item"])["weight"]
    assert w1["Image", "IMAG1"] == pytest.approx(0.311498902514752, abs=1e-6)
    assert w1["Value", "PERV2"] == pytest.approx(0.600359415862924, abs=1e-6)
    assert r.extended["hocs"]["Satisfaction"]["dimensions"] == ("Image", "Value")
    # V_3_6_0/hoc-loadings.csv (stage-2 loadings)
    ld = r.outer.set_index(["construct", "item"])["loading"]
    lref = {
        ("Expectation", "CUEX1"): 0.766092953855344,
        ("Expectation", "CUEX2"): 0.69833215201179,
        ("Expectation", "CUEX3"): 0.605626203859253,
        ("Quality", "PERQ1"): 0.79933245187025,
        ("Quality", "PERQ2"): 0.630872551924888,
        ("Quality", "PERQ3"): 0.788073093423415,
        ("Quality", "PERQ4"): 0.764094599830807,
        ("Quality", "PERQ5"): 0.765622604537787,
        ("Quality", "PERQ6"): 0.774009371414647,
        ("Quality", "PERQ7"): 0.779540015520676,
        ("Satisfaction", "Image"): 0.895650876207813,
        ("Satisfaction", "Value"): 0.839452525936479,
        ("Complaints", "CUSCO"): 1.0,
        ("Loyalty", "CUSL1"): 0.838608004311155,
        ("Loyalty", "CUSL2"): 0.224294512163711,
        ("Loyalty", "CUSL3"): 0.897165983915295,
    }
    for k, v in lref.items():
        assert ld[k] == pytest.approx(v, abs=1e-6), k


def test_hoc_with_two_stage_interaction_matches_seminr_fixture(mobi):
    # seminr tests/testthat/test-hoc.R, second case: HOC "Nick" (Quality, Loyalty) and
    # interaction_2stage("Image", "Expectation"); fixtures V_3_6_0/hoc_2si-paths.csv,
    # V_3_6_0/hoc-_2siweights.csv.  The interaction path is seminr's rescaled one:
    # the coefficient of the raw product of the stage-1 scores.
    model = """
    Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
    Expectation =~ CUEX1 + CUEX2 + CUEX3
    Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5
    Loyalty =~ CUSL1 + CUSL2 + CUSL3
    Value =~ PERV1 + PERV2
    Nick =~ Quality + Loyalty
    Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    Satisfaction ~ Image + Expectation + Value + Nick + Image*Expectation
    """
    r = pls.fit(model, mobi, progress=False)
    p = r.paths.set_index("source")["estimate"]
    ref = {
        "Image": 0.154260377675973,
        "Expectation": 0.0737951201287434,
        "Value": 0.144031465594568,
        "Nick": 0.576877533987965,
        "Image*Expectation": 0.00893176133926131,
    }
    for k, v in ref.items():
        assert p[k] == pytest.approx(v, abs=1e-6), k
    w = r.outer.set_index(["construct", "item"])["weight"]
    assert w["Nick", "Quality"] == pytest.approx(0.615992427902414, abs=1e-6)
    assert w["Nick", "Loyalty"] == pytest.approx(0.524038438295086, abs=1e-6)
    assert w["Image", "IMAG3"] == pytest.approx(0.199978518880049, abs=1e-6)
    assert w["Satisfaction", "CUSA3"] == pytest.approx(0.431877880459162, abs=1e-6)
    assert w["Image*Expectation", "Image*Expectation_intxn"] == pytest.approx(1.0)
    # brute force of the rescaling: regression of the Satisfaction score on the
    # main-effect scores and the raw product of the stage-1 scores
    sc = r.scores
    f1 = r.extended["first_stage"]["interaction"].scores
    X = np.column_stack(
        [
            np.ones(len(sc)),
            sc[["Image", "Expectation", "Value", "Nick"]],
            f1["Image"] * f1["Expectation"],
        ]
    )
    b, *_ = np.linalg.lstsq(X, sc["Satisfaction"], rcond=None)
    assert p["Image*Expectation"] == pytest.approx(b[-1], abs=1e-10)
    # V_3_6_0/hoc_2si-loadings.csv
    ld = r.outer.set_index(["construct", "item"])["loading"]
    lref = {
        ("Image", "IMAG1"): 0.762995562744493,
        ("Image", "IMAG2"): 0.598616279422474,
        ("Image", "IMAG3"): 0.561734470287563,
        ("Image", "IMAG4"): 0.769277119353782,
        ("Image", "IMAG5"): 0.736296621628608,
        ("Expectation", "CUEX1"): 0.7614602763917,
        ("Expectation", "CUEX2"): 0.710063801356483,
        ("Expectation", "CUEX3"): 0.597906247173923,
        ("Value", "PERV1"): 0.901367492819993,
        ("Value", "PERV2"): 0.940291054766037,
        ("Nick", "Quality"): 0.896788934715109,
        ("Nick", "Loyalty"): 0.854106825150079,
        ("Satisfaction", "CUSA1"): 0.804134843385014,
        ("Satisfaction", "CUSA2"): 0.84612384049166,
        ("Satisfaction", "CUSA3"): 0.847491594825199,
    }
    for k, v in lref.items():
        assert ld[k] == pytest.approx(v, abs=1e-6), k
    # the interaction's single item: servqual reports its correlation (1); seminr
    # reports 1.25473807591789 = sd of the raw product of the stage-1 scores (seminr
    # scales interaction scores by the loading-weighted SD of their unstandardised
    # items and reports cov(standardised item, scaled score) as the loading)
    assert ld["Image*Expectation", "Image*Expectation_intxn"] == pytest.approx(1.0, abs=1e-12)
    assert (f1["Image"] * f1["Expectation"]).std(ddof=1) == pytest.approx(
        1.25473807591789, abs=1e-6
    )


def test_plsc_orthogonal_interaction_matches_seminr_fixture(mobi):
    # seminr tests/testthat/test-consistent-interactions.R: reflective constructs
    # (PLSc), interaction_term(Image, Expectation, method = orthogonal, mode_A);
    # fixture V_3_6_0/plsc-interaction-paths.csv (rounded to 3 decimals).
    model = """
    Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
    Expectation =~ CUEX3
    Value =~ PERV1 + PERV2
    Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    Satisfaction ~ Image + Expectation + Value + Image*Expectation
    """
    r = pls.fit(
        model,
        mobi,
        interaction="orthogonal",
        progress=False,
        consistent=["Image", "Value", "Satisfaction"],
    )
    p = r.paths.set_index("source")["estimate"]
    ref = {"Image": 0.737, "Expectation": 0.042, "Value": 0.247, "Image*Expectation": -0.137}
    for k, v in ref.items():
        assert p[k] == pytest.approx(v, abs=5e-4), k
    assert r.r2["Satisfaction"] == pytest.approx(0.889, abs=5e-4)
    # V_3_6_0/plsc-interaction-reliability.csv (alpha, rhoC, AVE, rhoA) for the
    # common-factor constructs (the interaction row below).
    ref = {
        "Image": (0.722834595427083, 0.727144468310549, 0.354977797487875, 0.745311533816804),
        "Value": (0.823631979352573, 0.835583850529617, 0.720468175631135, 0.857495343869267),
        "Satisfaction": (0.779195021918597, 0.77916534893827, 0.541895003066141, 0.785065531561592),
    }
    rel = r.reliability
    for c, v in ref.items():
        got = rel.loc[c, ["alpha", "rho_c", "ave", "rho_a"]].to_numpy(float)
        np.testing.assert_allclose(got, v, atol=1e-6, err_msg=c)
    assert rel.loc["Image*Expectation", "alpha"] == pytest.approx(0.711404014337454, abs=1e-6)
    # The interaction row (seminr alpha 0.711404014337454, rhoC 0.779196115356173,
    # AVE 0.440631377299172, rhoA 1): seminr scales an interaction construct's score
    # by sum|l| sd(x) / sum|l| over its *unstandardised* items (here the products of
    # standardised items residualised on all main-effect items) and reports
    # cov(standardised item, scaled score) as the loading, so its rhoC/AVE come from
    # loadings times that factor.  servqual keeps item-score correlations.  Brute
    # force of seminr's numbers from ours:
    lam = r.outer.loc[r.outer["construct"] == "Image*Expectation", "loading"].to_numpy()

    def rho_c_ave(x):
        return x.sum() ** 2 / (x.sum() ** 2 + (1 - x**2).sum()), np.mean(x**2)

    got = rel.loc["Image*Expectation", ["rho_c", "ave"]].to_numpy(float)
    np.testing.assert_allclose(got, rho_c_ave(lam), atol=1e-12)
    items = [f"IMAG{j}" for j in range(1, 6)]
    z = (mobi - mobi.mean()) / mobi.std()
    X = np.column_stack([np.ones(len(mobi)), mobi[items + ["CUEX3"]]])
    resid = []
    for it in items:
        y = (z[it] * z["CUEX3"]).to_numpy()
        resid.append(y - X @ np.linalg.lstsq(X, y, rcond=None)[0])
    R = np.column_stack(resid)
    factor = (np.abs(lam) * R.std(axis=0, ddof=1)).sum() / np.abs(lam).sum()
    assert factor == pytest.approx(1.0525, abs=1e-4)
    np.testing.assert_allclose(
        rho_c_ave(factor * lam), (0.779196115356173, 0.440631377299172), atol=1e-6
    )
    c = np.corrcoef(R, rowvar=False)  # the same items: alpha recomputed from them
    assert 5 / 4 * (1 - 5 / c.sum()) == pytest.approx(0.711404014337454, abs=1e-9)


def test_product_indicators_equal_a_manual_build(mobi):
    model = """
    Image =~ IMAG1 + IMAG2
    Value =~ PERV1 + PERV2
    Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    Satisfaction ~ Image + Value + Image*Value
    """
    r = pls.fit(model, mobi, interaction="product_indicator", progress=False)
    z = (mobi - mobi.mean()) / mobi.std()
    d = mobi.copy()
    names = []
    for a in ("IMAG1", "IMAG2"):
        for b in ("PERV1", "PERV2"):
            d[f"p_{a}_{b}"] = z[a] * z[b]
            names.append(f"p_{a}_{b}")
    manual = pls.fit(
        "Image =~ IMAG1 + IMAG2\nValue =~ PERV1 + PERV2\nSatisfaction =~ CUSA1 + CUSA2 + CUSA3\n"
        f"IxV =~ {' + '.join(names)}\nSatisfaction ~ Image + Value + IxV",
        d,
        progress=False,
    )
    np.testing.assert_allclose(
        r.paths["estimate"].to_numpy(), manual.paths["estimate"].to_numpy(), atol=1e-12
    )
    orth = pls.fit(model, mobi, interaction="orthogonal", progress=False)
    # orthogonalised indicators: residuals of the products on all main-effect items,
    # so the interaction score is uncorrelated with every one of those items
    sc = orth.scores["Image*Value"]
    for it in ("IMAG1", "IMAG2", "PERV1", "PERV2"):
        assert abs(np.corrcoef(sc, mobi[it])[0, 1]) < 1e-10


def test_repeated_indicators_equal_a_manual_build(mobi):
    model = """
    Image =~ IMAG1 + IMAG2 + IMAG3
    Value =~ PERV1 + PERV2
    Overall =~ Image + Value
    Loyalty =~ CUSL1 + CUSL2 + CUSL3
    Loyalty ~ Overall
    """
    r = pls.fit(model, mobi, hoc="repeated", progress=False)
    d = mobi.copy()
    for it in ("IMAG1", "IMAG2", "IMAG3", "PERV1", "PERV2"):
        d[f"R_{it}"] = d[it]
    manual = pls.fit(
        "Image =~ IMAG1 + IMAG2 + IMAG3\nValue =~ PERV1 + PERV2\n"
        "Overall =~ R_IMAG1 + R_IMAG2 + R_IMAG3 + R_PERV1 + R_PERV2\n"
        "Loyalty =~ CUSL1 + CUSL2 + CUSL3\nLoyalty ~ Overall\nImage ~ Overall\nValue ~ Overall",
        d,
        progress=False,
    )
    a = r.paths.set_index(["source", "target"])["estimate"]
    b = manual.paths.set_index(["source", "target"])["estimate"]
    for k in b.index:
        assert a[k] == pytest.approx(b[k], abs=1e-12), k


def test_simple_slopes_and_plot(mobi):
    model = """
    Image =~ IMAG1 + IMAG2 + IMAG3
    Expectation =~ CUEX1 + CUEX2 + CUEX3
    Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    Satisfaction ~ Image + Expectation + Image*Expectation
    """
    r = pls.fit(model, mobi, n_boot=100, seed=3, progress=False)
    p = r.paths.set_index("source")["estimate"]
    t = pls.simple_slopes(r, at=[-1, 0, 2])
    np.testing.assert_allclose(
        t["slope"], p["Image"] + p["Image*Expectation"] * np.array([-1, 0, 2]), atol=1e-12
    )
    np.testing.assert_allclose(t["intercept"], p["Expectation"] * np.array([-1, 0, 2]))
    # the slope at the mean moderator is the main-effect path, with its bootstrap SE
    se = r.paths.set_index("source").loc["Image", "se"]
    assert t.loc[1, "se"] == pytest.approx(se, rel=1e-10)
    assert (t["ci_lower"] < t["slope"]).all() and (t["slope"] < t["ci_upper"]).all()
    ax = plot_simple_slopes(r, at=[-1, 0, 2], ax=Figure().add_subplot())
    assert len(ax.lines) == 4  # three slopes + the zero line
    for line, row in zip(ax.lines[:3], t.itertuples(index=False)):
        x, y = line.get_data()
        np.testing.assert_allclose(y, row.intercept + row.slope * x)
    assert "Image" in ax.get_xlabel() and "Satisfaction" in ax.get_ylabel()
    with pytest.raises(ParameterError, match="no interaction"):
        pls.simple_slopes(pls.fit(HOC, mobi, progress=False))


def test_interaction_needs_main_effects(mobi):
    with pytest.raises(SpecificationError, match="main effects"):
        pls.fit(
            "Image =~ IMAG1 + IMAG2\nValue =~ PERV1 + PERV2\nSat =~ CUSA1 + CUSA2\n"
            "Sat ~ Image + Image*Value",
            mobi,
            progress=False,
        )
    with pytest.raises(SpecificationError, match="mixes constructs"):
        pls.fit("A =~ IMAG1 + IMAG2\nH =~ A + PERV1\nS =~ CUSA1\nS ~ H", mobi, progress=False)


def test_extended_missing_codes_handled_before_products(mobi):
    coded = mobi.copy()
    coded.loc[coded.index[:5], "IMAG1"] = -99
    model = """
    Image =~ IMAG1 + IMAG2
    Value =~ PERV1 + PERV2
    Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    Satisfaction ~ Image + Value + Image*Value
    """
    with pytest.warns(Warning, match="IMAG1: 5"):
        r = pls.fit(
            model, coded, missing_value=-99, interaction="product_indicator", progress=False
        )
    filled = mobi.copy().astype(float)
    filled.loc[filled.index[:5], "IMAG1"] = mobi["IMAG1"].iloc[5:].mean()
    ref = pls.fit(model, filled, interaction="product_indicator", progress=False)
    pd.testing.assert_series_equal(r.paths["estimate"], ref.paths["estimate"])


def test_f2_of_a_two_stage_model_refits_the_whole_procedure_without_the_path(mobi):
    # Brute force through the public API: f^2 = (R^2 - R^2 of the model fitted again,
    # stage 1 included, from the syntax without the path) / (1 - R^2), as seminr does.
    r = pls.fit(HOC, mobi, progress=False)
    f2 = r.paths.set_index(["source", "target"])["f2_reestimated"]
    full = float(r.r2["Satisfaction"])
    reduced = HOC.replace("Satisfaction ~ Expectation + Quality", "Satisfaction ~ Quality")
    without = float(pls.fit(reduced, mobi, progress=False).r2["Satisfaction"])
    want = (full - without) / (1 - full)
    assert f2["Expectation", "Satisfaction"] == pytest.approx(want, abs=1e-12)
    r2_loy = float(r.r2["Loyalty"])  # Loyalty's only predictor: R^2 without it is 0
    assert f2["Satisfaction", "Loyalty"] == pytest.approx(r2_loy / (1 - r2_loy), abs=1e-12)
