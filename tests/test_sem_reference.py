"""servqual.sem against published lavaan 0.6 output and semopy 2.3.11.

References
----------
* lavaan 0.6 tutorial (Rosseel, https://lavaan.ugent.be/tutorial/cfa.html):
  Holzinger & Swineford (1939) three-factor CFA, ML, N = 301 -- fit measures,
  estimates, modification indices, and measurement invariance by school
  (https://lavaan.ugent.be/tutorial/groups.html).
* lavaan 0.6 tutorial, SEM section (https://lavaan.ugent.be/tutorial/sem.html):
  Bollen's political democracy model, chi2 = 38.125 on 35 df; with equality
  constraints (labels a, b, c) chi2 = 40.179 on 38 df.
Values are compared at lavaan's printed precision (3 decimals: tolerance 5e-4
plus rounding of the last digit).
"""

import numpy as np
import pytest

import servqual
from servqual import sem

HS_MODEL = """
# three-factor model (lavaan tutorial)
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"""

PD_MODEL = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"""

TOL = 5.1e-4  # lavaan prints 3 decimals


@pytest.fixture(scope="module")
def hs():
    return servqual.load_dataset("holzinger_swineford")


@pytest.fixture(scope="module")
def hs_fit(hs):
    return sem.fit(HS_MODEL, hs)


def _row(p, lhs, op, rhs):
    m = (p["lhs"] == lhs) & (p["op"] == op) & (p["rhs"] == rhs)
    assert m.sum() == 1, (lhs, op, rhs)
    return p[m].iloc[0]


def test_hs_fit_indices_lavaan(hs_fit):
    fi = hs_fit.fit_indices
    assert set(fi) == set(
        "chi2 df pvalue baseline_chi2 baseline_df cfi tli rmsea rmsea_ci_lower rmsea_ci_upper "
        "rmsea_pvalue srmr loglik loglik_h1 aic bic sabic n npar".split()
    )
    expected = {
        "chi2": 85.306,
        "baseline_chi2": 918.852,
        "cfi": 0.931,
        "tli": 0.896,
        "loglik": -3737.745,
        "loglik_h1": -3695.092,
        "aic": 7517.490,
        "bic": 7595.339,
        "sabic": 7528.739,
        "rmsea": 0.092,
        "rmsea_ci_lower": 0.071,
        "rmsea_ci_upper": 0.114,
        "rmsea_pvalue": 0.001,
        "srmr": 0.065,
    }
    for k, v in expected.items():
        assert fi[k] == pytest.approx(v, abs=TOL), k
    assert (fi["df"], fi["baseline_df"], fi["n"]) == (24, 36, 301)
    assert hs_fit.converged and not hs_fit.warnings


def test_hs_estimates_lavaan(hs_fit):
    p = hs_fit.params
    loadings = {
        ("visual", "x2"): (0.554, 0.100),
        ("visual", "x3"): (0.729, 0.109),
        ("textual", "x5"): (1.113, 0.065),
        ("textual", "x6"): (0.926, 0.055),
        ("speed", "x8"): (1.180, 0.165),
        ("speed", "x9"): (1.082, 0.151),
    }
    for (f, x), (est, se) in loadings.items():
        r = _row(p, f, "=~", x)
        assert r["est"] == pytest.approx(est, abs=TOL)
        assert r["se"] == pytest.approx(se, abs=TOL)
    covs = {
        ("visual", "textual"): (0.408, 0.074),
        ("visual", "speed"): (0.262, 0.056),
        ("textual", "speed"): (0.173, 0.049),
    }
    for (a, b), (est, se) in covs.items():
        r = _row(p, a, "~~", b)
        assert (r["est"], r["se"]) == pytest.approx((est, se), abs=TOL)
    resid = [0.549, 1.134, 0.844, 0.371, 0.446, 0.356, 0.799, 0.488, 0.566]
    for i, v in enumerate(resid, start=1):
        assert _row(p, f"x{i}", "~~", f"x{i}")["est"] == pytest.approx(v, abs=TOL)
    for f, v in zip(("visual", "textual", "speed"), (0.809, 0.979, 0.384)):
        assert _row(p, f, "~~", f)["est"] == pytest.approx(v, abs=TOL)
    # first loadings fixed at 1, no SE
    r = _row(p, "visual", "=~", "x1")
    assert r["est"] == 1.0 and np.isnan(r["se"])
    # lavaan std.all of visual =~ x1 is 0.772
    assert r["std_all"] == pytest.approx(0.772, abs=TOL)
    assert list(p.columns) == [
        "lhs",
        "op",
        "rhs",
        "label",
        "est",
        "se",
        "z",
        "pvalue",
        "ci_lower",
        "ci_upper",
        "std_lv",
        "std_all",
    ]


def test_hs_modindices_lavaan(hs_fit):
    mi = hs_fit.modindices(min_mi=10)
    top = [(r.lhs, r.op, r.rhs) for r in mi.itertuples()][:4]
    assert top == [
        ("visual", "=~", "x9"),
        ("x7", "~~", "x8"),
        ("visual", "=~", "x7"),
        ("x8", "~~", "x9"),
    ]
    assert mi["mi"].iloc[:4].tolist() == pytest.approx([36.411, 34.145, 18.631, 14.946], abs=TOL)
    assert mi["epc"].iloc[0] == pytest.approx(0.577, abs=TOL)
    assert mi["mi"].is_monotonic_decreasing


def test_hs_invariance_lavaan(hs):
    tab = sem.invariance(HS_MODEL, hs, group="school")
    assert list(tab.index) == ["configural", "metric", "scalar"]
    assert tab["chi2"].tolist() == pytest.approx([115.851, 124.044, 164.103], abs=TOL)
    assert tab["df"].tolist() == [48, 54, 60]
    assert tab.loc["metric", "delta_chi2"] == pytest.approx(8.192, abs=TOL)
    assert tab.loc["metric", "pvalue"] == pytest.approx(0.224, abs=TOL)
    assert tab.loc["scalar", "delta_chi2"] == pytest.approx(40.059, abs=TOL)
    assert tab.loc["scalar", "pvalue"] < 0.001
    assert tab.loc["metric", "delta_df"] == 6
    assert tab.loc["metric", "delta_cfi"] == pytest.approx(
        tab.loc["metric", "cfi"] - tab.loc["configural", "cfi"]
    )
    with pytest.raises(servqual.errors.ParameterError, match="group=None"):
        sem.invariance(HS_MODEL, hs, group=None)


def test_political_democracy_lavaan():
    d = servqual.load_dataset("political_democracy")
    res = sem.fit(PD_MODEL, d)
    assert res.fit_indices["chi2"] == pytest.approx(38.125, abs=TOL)
    assert res.fit_indices["df"] == 35
    p = res.params
    # lavaan tutorial: regressions 1.483 (0.399), 0.572 (0.221), 0.837 (0.098)
    for rhs, lhs, est, se in (
        ("ind60", "dem60", 1.483, 0.399),
        ("ind60", "dem65", 0.572, 0.221),
        ("dem60", "dem65", 0.837, 0.098),
    ):
        r = _row(p, lhs, "~", rhs)
        assert (r["est"], r["se"]) == pytest.approx((est, se), abs=TOL)
    eq = PD_MODEL.replace("y2 + y3 + y4", "a*y2 + b*y3 + c*y4").replace(
        "y6 + y7 + y8", "a*y6 + b*y7 + c*y8"
    )
    res2 = sem.fit(eq, d)
    assert res2.fit_indices["chi2"] == pytest.approx(40.179, abs=TOL)
    assert res2.fit_indices["df"] == 38
    p2 = res2.params
    assert _row(p2, "dem60", "=~", "y2")["est"] == _row(p2, "dem65", "=~", "y6")["est"]


def _semopy_max_diff(desc, data):
    semopy = pytest.importorskip("semopy")
    m = semopy.Model(desc)
    m.fit(data, solver="L-BFGS-B")
    ins = m.inspect()
    res = sem.fit(desc, data)
    p = res.params
    latent = set(res._prep.model.latent)
    diffs = []
    for r in ins.itertuples():
        if r.op == "~" and r.rval in latent and r.lval not in latent:
            ours = _row(p, r.rval, "=~", r.lval)
        elif r.op == "~~":
            m_ = (p["op"] == "~~") & (
                ((p["lhs"] == r.lval) & (p["rhs"] == r.rval))
                | ((p["lhs"] == r.rval) & (p["rhs"] == r.lval))
            )
            ours = p[m_].iloc[0]
        else:
            ours = _row(p, r.lval, r.op, r.rval)
        diffs.append(abs(ours["est"] - r.Estimate))
    chi2_semopy = float(semopy.calc_stats(m)["chi2"].iloc[0])
    return len(diffs), max(diffs), res.fit_indices["chi2"], chi2_semopy


def test_matches_semopy_hs(hs):
    k, diff, chi2, chi2_s = _semopy_max_diff(HS_MODEL, hs)
    assert k == 24  # 21 free + 3 fixed loadings
    # the issue reports semopy(L-BFGS-B) within ~5e-4 of lavaan on these data
    assert diff < 5e-4
    assert chi2 == pytest.approx(chi2_s, rel=1e-6)
    assert chi2 <= chi2_s + 1e-8  # our minimum is at least as good


def test_matches_semopy_political_democracy():
    d = servqual.load_dataset("political_democracy")
    k, diff, chi2, chi2_s = _semopy_max_diff(PD_MODEL, d)
    assert k == 34
    # semopy stops ~1e-3 short of the optimum here (its chi2 is larger than
    # ours, and ours equals lavaan's 38.125), so the tolerance is 2e-3
    assert diff < 2e-3
    assert chi2 <= chi2_s + 1e-8
    assert chi2 == pytest.approx(chi2_s, rel=1e-6)
