"""PLS additions: missing-value codes, unit weights, item VIF, AIC/BIC, f^2, per-block PLSc.

References are brute-force recomputations from the construct scores and the
data (regressions with numpy's lstsq), or two public fits.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from test_pls import SEMINR_MODEL as MODEL  # seminr's mode-A composite model

import servqual
from servqual import pls
from servqual.errors import (
    ImproperSolutionWarning,
    MissingDataWarning,
    ParameterError,
    ScaleWarning,
)


@pytest.fixture(scope="module")
def mobi():
    return servqual.load_dataset("mobi")


@pytest.fixture(scope="module")
def res(mobi):
    return pls.fit(MODEL, mobi, progress=False)


def test_missing_value_codes_equal_nan(mobi):
    coded = mobi.copy()
    nan = mobi.copy().astype(float)
    rows = [3, 17, 40]
    coded.loc[coded.index[rows], "CUEX2"] = -99
    nan.loc[nan.index[rows], "CUEX2"] = np.nan
    with pytest.warns(MissingDataWarning, match="CUEX2: 3"):
        a = pls.fit(MODEL, coded, missing_value=-99, progress=False)
    with pytest.warns(MissingDataWarning):
        b = pls.fit(MODEL, nan, progress=False)
    pd.testing.assert_frame_equal(a.paths, b.paths)
    with pytest.warns(MissingDataWarning, match="3 row"):
        c = pls.fit(MODEL, coded, missing_value=[-99, -98], missing="listwise", progress=False)
    assert c.n == len(mobi) - 3


def test_unit_weights_are_a_standardised_sum_score(mobi):
    r = pls.fit(MODEL, mobi, modes={"Image": "unit"}, progress=False)
    items = [f"IMAG{i}" for i in range(1, 6)]
    z = (mobi[items] - mobi[items].mean()) / mobi[items].std()
    s = z.sum(axis=1)
    np.testing.assert_allclose(r.scores["Image"], s / s.std(), atol=1e-12)
    w = r.outer.set_index("item").loc[items, "weight"]
    np.testing.assert_allclose(w, 1 / s.std(), atol=1e-12)
    assert set(r.outer.loc[r.outer["construct"] == "Image", "mode"]) == {"U"}


def test_item_vif_brute_force(res, mobi):
    out = res.outer.set_index("item")
    for items in (["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"], ["PERV1", "PERV2"]):
        for it in items:
            others = [o for o in items if o != it]
            X = np.column_stack([np.ones(len(mobi)), mobi[others]])
            b, *_ = np.linalg.lstsq(X, mobi[it], rcond=None)
            r2 = 1 - np.var(mobi[it] - X @ b) / np.var(mobi[it])
            assert out.loc[it, "vif"] == pytest.approx(1 / (1 - r2), rel=1e-10)


def test_aic_bic_as_seminr_from_scores(res):
    # seminr 2.x it_criteria: SSE of the standardised score regression,
    # AIC = n log(SSE/n) + 2(k+1), BIC = n log(SSE/n) + (k+1) log n
    sc = res.scores
    n = len(sc)
    src = ["Image", "Expectation", "Value"]
    X = np.column_stack([np.ones(n), sc[src]])
    b, *_ = np.linalg.lstsq(X, sc["Satisfaction"], rcond=None)
    sse = float(np.sum((sc["Satisfaction"] - X @ b) ** 2))
    k = len(src)
    assert res.info_criteria.loc["Satisfaction", "aic"] == pytest.approx(
        n * np.log(sse / n) + 2 * (k + 1)
    )
    assert res.info_criteria.loc["Satisfaction", "bic"] == pytest.approx(
        n * np.log(sse / n) + (k + 1) * np.log(n)
    )


def test_f2_reestimates_the_model_without_the_path(mobi):
    ecsi = pls.ecsi_model()
    full = pls.fit(ecsi, mobi, progress=False)
    paths = full.paths.set_index(["source", "target"])
    for s, t in [("Quality", "Satisfaction"), ("Image", "Loyalty")]:
        reduced = ecsi.syntax().replace(f"{t} ~ ", f"{t} ~ ").splitlines()
        reduced = [
            ln
            if not ln.startswith(f"{t} ~")
            else f"{t} ~ " + " + ".join(x for x in ecsi.predecessors(t) if x != s)
            for ln in reduced
        ]
        r = pls.fit("\n".join(reduced), mobi, progress=False)
        r2_in = full.r2[t]
        want = (r2_in - r.r2[t]) / (1 - r2_in)
        assert paths.loc[(s, t), "f2"] == pytest.approx(want, abs=1e-9)
        assert paths.loc[(s, t), "f2_reestimated"] == paths.loc[(s, t), "f2"]
        # the re-estimated f^2 differs from the R^2 shortcut (the weights change)
        assert abs(paths.loc[(s, t), "f2_r2"] - want) > 1e-5
    short = pls.fit(ecsi, mobi, f2="r2", progress=False).paths
    np.testing.assert_array_equal(short["f2"], short["f2_r2"])


def test_per_block_plsc(mobi, res):
    part = pls.fit(MODEL, mobi, consistent=["Image"], progress=False)
    full = pls.fit(MODEL, mobi, consistent=True, progress=False)
    assert part.consistent == ("Image",)
    o_part, o_pls, o_full = (r.outer.set_index("item")["loading"] for r in (part, res, full))
    img = [f"IMAG{i}" for i in range(1, 6)]
    np.testing.assert_allclose(o_part[img], o_full[img], atol=1e-12)  # corrected
    other = [i for i in o_pls.index if i not in img]
    np.testing.assert_allclose(o_part[other], o_pls[other], atol=1e-12)  # composites
    rho = res.reliability.loc["Image", "rho_a"]
    R, R0 = part.construct_correlations, res.construct_correlations
    assert R.loc["Image", "Satisfaction"] == pytest.approx(
        R0.loc["Image", "Satisfaction"] / np.sqrt(rho), abs=1e-10
    )
    assert R.loc["Value", "Satisfaction"] == pytest.approx(R0.loc["Value", "Satisfaction"])
    with pytest.raises(ParameterError, match="'Nope'"):
        pls.fit(MODEL, mobi, consistent=["Nope"], progress=False)


def test_rho_a_above_one_is_flagged(mobi):
    # two items: a1 = f + h carries the construct f, a2 = h + e shares only h
    # with it (r = 0.5) and nothing with B, so the mode-A weight of a2 is near 0.
    # For two items rho_A = (a^2 + 1)^2 r / (a (a^2 + 1 + 2 a r)) with a = w1/w2,
    # which grows like a r: far above 1.
    rng = np.random.default_rng(4)
    n = 400
    f, h = rng.normal(size=(2, n))
    df = pd.DataFrame(
        {
            "a1": f + h,
            "a2": h + rng.normal(size=n),
            "b1": f + rng.normal(size=n),
            "b2": f + rng.normal(size=n),
        }
    )
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        r = pls.fit("A =~ a1 + a2\nB =~ b1 + b2\nB ~ A", df, progress=False)
    rho = r.reliability.loc["A", "rho_a"]
    if rho > 1:
        assert any(issubclass(w.category, ImproperSolutionWarning) for w in rec)
        assert any("rho_A of construct 'A'" in w for w in r.warnings)
    else:  # the data must produce the case this test is about
        pytest.fail(f"rho_A = {rho:.4f} is not above 1; adjust the simulated block")


def test_answers_that_look_like_missing_codes_are_flagged_and_the_codebook_path_works(tmp_path):
    """Real-data workflow on Hair et al.'s corp_rep (-99 = missing): the raw frame fitted
    without declaring the code used -99 as an answer silently; now a ScaleWarning names the
    items and the fix.  Declared through ``missing_value=-99`` or through a codebook read by
    ``read_survey``, the results agree exactly."""
    raw = servqual.load_dataset("corp_rep")
    model = "COMP =~ comp_1 + comp_2 + comp_3\nCUSL =~ cusl_1 + cusl_2 + cusl_3\nCUSL ~ COMP"
    with pytest.warns(ScaleWarning, match=r"cusl_1: -99, cusl_2: -99.*missing_value=-99"):
        bad = pls.fit(model, raw, progress=False)
    assert any("look like missing codes" in w for w in bad.warnings)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScaleWarning)
        with pytest.warns(MissingDataWarning, match="cusl_1: 3, cusl_2: 4, cusl_3: 3"):
            declared = pls.fit(model, raw, missing_value=-99, progress=False)
    path, cb = tmp_path / "corp_rep.csv", tmp_path / "cb.yml"
    raw.to_csv(path, index=False)
    cb.write_text(
        "scale: [1, 7]\nmissing_codes: [-99]\n"
        "dimensions: {COMP: [comp_1, comp_2, comp_3], CUSL: [cusl_1, cusl_2, cusl_3]}\n"
    )
    survey = servqual.read_survey(path, codebook=cb)
    assert survey.missing.loc[["cusl_1", "cusl_2", "cusl_3"], "coded"].tolist() == [3, 4, 3]
    with pytest.warns(MissingDataWarning):
        via_codebook = pls.fit(model, survey.data, progress=False)
    np.testing.assert_array_equal(via_codebook.paths["estimate"], declared.paths["estimate"])
    assert abs(bad.paths["estimate"].iloc[0] - declared.paths["estimate"].iloc[0]) > 0.01
