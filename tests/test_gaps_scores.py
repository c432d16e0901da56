"""Tests of unit gap scores, ICC(1)/ICC(2) and rwg(J)."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from servqual import Instrument
from servqual.errors import (
    MissingColumnError,
    MissingValuesError,
    OutOfRangeError,
    SpecificationError,
)
from servqual.gaps import (
    TooFewRespondentsError,
    UnlinkedUnitsError,
    icc_oneway,
    rwg_j,
    simulate_units,
    unit_scores,
)


@pytest.fixture(scope="module")
def data():
    c, m, s, t = simulate_units(12, 9, 4, seed=21)
    # unequal group sizes exercise the k0 correction
    c = c.drop(index=c.index[c.unit_id == "U003"][:4]).reset_index(drop=True)
    return c, m, s, unit_scores(c, m, s)


def _brute_icc(values, groups):
    """ICC(1), ICC(2) from statsmodels' one-way ANOVA table (Bliese 2000 formulas)."""
    df = pd.DataFrame({"y": values, "g": groups})
    tab = sm.stats.anova_lm(smf.ols("y ~ C(g)", df).fit())
    msb, msw = tab["mean_sq"].iloc[0], tab["mean_sq"].iloc[1]
    n_j = df.groupby("g").size().to_numpy()
    J, N = len(n_j), n_j.sum()
    k0 = (N - (n_j**2).sum() / N) / (J - 1)
    return (msb - msw) / (msb + (k0 - 1) * msw), (msb - msw) / msb, tab["F"].iloc[0]


def test_icc_matches_anova(data):
    c, m, s, res = data
    agree = res.agreement.set_index("measure")
    checks = {
        "P-E": (res.customers["PE_overall"], c["unit_id"]),
        "ME": (m[[f"ME{i}" for i in range(1, 23)]].mean(axis=1), m["unit_id"]),
        "DP": (s[[f"DP{i}" for i in range(1, 23)]].mean(axis=1), s["unit_id"]),
        "MRO": (m[["MRO1", "MRO2", "MRO3"]].mean(axis=1), m["unit_id"]),
    }
    for name, (v, g) in checks.items():
        icc1, icc2, f = _brute_icc(v.to_numpy(), g.to_numpy())
        assert agree.loc[name, "icc1"] == pytest.approx(icc1, rel=1e-10)
        assert agree.loc[name, "icc2"] == pytest.approx(icc2, rel=1e-10)
        assert agree.loc[name, "F"] == pytest.approx(f, rel=1e-10)


def test_icc_balanced_hand_values():
    # balanced 2 groups x 3: MSB = 3*(2^2+2^2)/1 = 24, MSW = 1 -> ICC1 = 23/26, ICC2 = 23/24
    r = icc_oneway([1, 2, 3, 5, 6, 7], ["a"] * 3 + ["b"] * 3)
    assert r["icc1"] == pytest.approx(23 / 26)
    assert r["icc2"] == pytest.approx(23 / 24)


def test_rwg_hand_values():
    # single item, variances: s2 = var([4,5,5,4], ddof=1) = 1/3; null 48/12 = 4
    x = np.array([[4], [5], [5], [4]])
    assert rwg_j(x, 7) == pytest.approx(1 - (1 / 3) / 4)
    # J = 2 with equal item variance 1/3: rwg(J) = 2(1-r)/(2(1-r)+r), r = 1/12
    x2 = np.hstack([x, x[::-1]])
    r = (1 / 3) / 4
    assert rwg_j(x2, 7) == pytest.approx(2 * (1 - r) / (2 * (1 - r) + r))
    assert rwg_j(np.array([[1, 1], [7, 7]]), 7) == 0.0  # more spread than uniform -> 0
    assert np.isnan(rwg_j(np.array([[3, 4]]), 7))


def test_gaps_brute_force_one_unit(data):
    c, m, s, res = data
    row = res.table.set_index("unit_id").loc["U003"]
    cu, mu, su = c[c.unit_id == "U003"], m[m.unit_id == "U003"], s[s.unit_id == "U003"]
    rel = range(5, 10)  # reliability items 5-9

    def mean_items(frame, pre, items):
        return np.mean([frame[f"{pre}{i}"].mean() for i in items])

    assert row["n_customers"] == 5 and row["n_managers"] == 3 and row["n_staff"] == 4
    assert row["gap1_reliability"] == pytest.approx(
        mean_items(mu, "ME", rel) - mean_items(cu, "E", rel)
    )
    allit = range(1, 23)
    assert row["gap2_overall"] == pytest.approx(
        mean_items(mu, "SS", allit) - mean_items(mu, "ME", allit)
    )
    assert row["gap3_overall"] == pytest.approx(
        mean_items(su, "DP", allit) - mean_items(mu, "SS", allit)
    )
    assert row["gap4_overall"] == pytest.approx(
        mean_items(su, "DP", allit) - mean_items(mu, "CP", allit)
    )
    pe = np.mean([(cu[f"P{i}"] - cu[f"E{i}"]).to_numpy() for i in allit], axis=0)
    assert row["gap5_overall"] == pytest.approx(pe.mean())
    assert row["gap5_overall_se"] == pytest.approx(pe.std(ddof=1) / np.sqrt(5))
    assert row["SAT"] == pytest.approx(cu[["SAT1", "SAT2", "SAT3"]].to_numpy().mean())
    assert row["OP"] == pytest.approx(su[["OP1", "OP2", "OP3"]].to_numpy().mean())
    # rwg column equals the long table and the hand function
    dp = su[[f"DP{i}" for i in allit]].to_numpy()
    assert row["rwg_DP"] == pytest.approx(rwg_j(dp, 7))
    assert res.gap_table("reliability").loc["U003", "gap1"] == row["gap1_reliability"]


def test_bad_inputs_named(data):
    c, m, s, _ = data
    with pytest.raises(UnlinkedUnitsError, match="'U007'"):
        unit_scores(c, m, s[s.unit_id != "U007"])
    with pytest.raises(TooFewRespondentsError, match="'U003' \\(5\\)"):
        unit_scores(c, m, s, min_respondents={"customers": 6})
    bad = m.copy()
    bad.loc[2, "SS4"] = np.nan
    with pytest.raises(MissingValuesError, match="'SS4': 1"):
        unit_scores(c, bad, s)
    with pytest.warns(UserWarning, match="managers: 1 missing value"):
        r = unit_scores(c, bad, s, missing="available")
    assert any("SS4" in w for w in r.warnings)
    bad2 = s.copy()
    bad2.loc[0, "DP9"] = 9
    with pytest.raises(OutOfRangeError, match="'DP9'.*9"):
        unit_scores(c, m, bad2)
    with pytest.raises(MissingColumnError, match="TW3"):
        unit_scores(c, m, s.drop(columns="TW3"))
    with pytest.raises(MissingColumnError, match="CP12"):
        unit_scores(c, m.drop(columns="CP12"), s)
    # antecedents are optional: no scales -> none reported
    r = unit_scores(c, m, s.drop(columns=[x for x in s if x[:2] in ("TW", "HC")]))
    assert "TW" not in r.antecedents and "HC" not in r.antecedents and "OP" in r.antecedents


def test_custom_instrument():
    c, m, s, _ = simulate_units(4, 5, 2, seed=1)
    inst = Instrument.from_mapping({"a": ["1", "2"], "b": ["3"]}, prefixes={"P": "P", "E": "E"})
    r = unit_scores(c, m, s, inst)
    assert r.dimensions == ("a", "b")
    u = c[c.unit_id == "U001"]
    want = np.mean([(u[f"P{i}"] - u[f"E{i}"]).mean() for i in (1, 2, 3)])
    assert r.table.loc[0, "gap5_overall"] == pytest.approx(want)
    assert "Within-unit agreement" in str(r.summary())
    full = unit_scores(c, m, s, Instrument.gap_customer())
    pd.testing.assert_frame_equal(full.table, unit_scores(c, m, s).table)
    with pytest.raises(SpecificationError, match="P/E columns"):
        unit_scores(c, m, s, Instrument.ecsi_mobi())
    with pytest.raises(TypeError, match="Instrument"):
        unit_scores(c, m, s, {"a": ["1"]})
