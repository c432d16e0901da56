"""Issue 11: scale-aware metrics, one missing-data vocabulary, roles and binary outcomes."""

import importlib
import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

import servqual
import servqual._options
from servqual import metrics as M
from servqual._options import MISSING_DEFAULTS, MISSING_POLICIES, check_missing
from servqual.drivers import logistic
from servqual.errors import (
    DataError,
    DegenerateResultWarning,
    InputTypeError,
    MissingColumnError,
    MissingDataWarning,
    OutOfRangeError,
    ParameterError,
    ScaleWarning,
)
from servqual.survival import cox, life_table


# ------------------------------------------------------------------ scale-aware metrics
def _one_to_four():
    # A 1-4 item (as in the airline survey of issue 11): 32.5% answered 4, 37.2% answered 3
    return pd.Series([4] * 325 + [3] * 372 + [2] * 203 + [1] * 100, name="overall")


def test_csat_uses_the_observed_1_4_scale_not_1_5():
    x = _one_to_four()
    r = M.csat(x)  # observed 1-4 is a known scale: no warning, top-2 = {3, 4}
    assert r.scale == (1, 4) and r.threshold == 3
    assert r.csat == pytest.approx(69.7) and r.n_satisfied == 697
    # the old behaviour (1-5 assumed) counted only the 4s: 32.5%
    assert M.csat(x, scale=(1, 5)).csat == pytest.approx(32.5)
    # a declared scale wins over the data
    assert M.csat(x, scale=(1, 4)).csat == pytest.approx(69.7)


def test_csat_warns_when_the_observed_range_is_not_a_known_scale():
    x = pd.Series([2, 3, 5, 5, 4, 2], name="q9")
    with pytest.warns(ScaleWarning, match=r"column 'q9'.*2-5.*assuming 1-5"):
        r = M.csat(x)
    assert r.scale == (1, 5) and r.csat == pytest.approx(50.0) and r.warnings
    with pytest.raises(OutOfRangeError, match=r"column 'q9'.*0-12.*scale=\(low, high\)"):
        M.csat(pd.Series([0, 12, 3], name="q9"))


def test_csat_degenerate_all_at_one_end():
    with pytest.warns(DegenerateResultWarning, match="every answer.*top 2"):
        r = M.csat(pd.Series([5, 4, 5], name="sat"), scale=(1, 5))
    assert r.csat == 100.0 and any("end of its range" in w for w in r.warnings)
    with pytest.warns(DegenerateResultWarning, match="no answer"):
        M.csat([1, 2, 1], scale=(1, 5))


def test_nps_refuses_an_item_that_is_not_0_10():
    q4 = pd.Series([1, 2, 5, 4, 3, 5], name="q4")
    with pytest.raises(OutOfRangeError, match=r"column 'q4' has answers 1-5 only.*0-10"):
        M.nps(q4)
    with pytest.raises(OutOfRangeError, match=r"column 'q4' is declared on the 1-5 scale"):
        M.nps(q4, scale=(1, 5))
    with pytest.raises(OutOfRangeError, match=r"'ltr'.*value 11"):
        M.nps(pd.Series([3, 11], name="ltr"))
    # a genuine 0-10 item whose answers happen to stay low is accepted once declared
    r = M.nps(q4, scale=(0, 10))
    assert r.nps == -100.0 and r.n_detractors == 6


def test_nps_with_missing_answers_counts_them():
    ltr = pd.Series([10, 9, np.nan, 3, 8, np.nan], name="ltr")
    with pytest.warns(MissingDataWarning, match=r"2 missing answer\(s\) in column 'ltr'"):
        r = M.nps(ltr)
    assert (r.n, r.n_missing, r.nps) == (4, 2, 25.0)


# ------------------------------------------------------------------ validate
def test_validate_unused_points_use_each_items_own_codebook_scale():
    from servqual.codebook import Codebook

    inst = servqual.Instrument.from_mapping({"kit": ["q6", "q7", "q9"]}, scale=(1, 5))
    cb = Codebook(inst, scales={"q9": (1, 3), "ltr": (0, 10)})
    rng = np.random.default_rng(2)
    df = pd.DataFrame({
        "q6": rng.integers(1, 6, 60),   # every point of 1-5 used
        "q7": rng.integers(2, 6, 60),   # never a 1 on 1-5
        "q9": rng.integers(1, 4, 60),   # a 1-3 item: 4 and 5 are not its points
        "ltr": rng.integers(1, 11, 60),  # 0-10 recommend item, never a 0 (n=60 >= 5 x 11)
    }).astype(float)  # fmt: skip
    assert set(df["q9"]) == {1.0, 2.0, 3.0} and set(df["q6"]) == {1.0, 2.0, 3.0, 4.0, 5.0}
    with pytest.warns(ScaleWarning) as rec:
        _, rep = servqual.validate(df, cb)
    assert rep.unused_points == {"q7": (1,), "ltr": (0,)}  # not q9: (4, 5)
    text = " ".join(str(w.message) for w in rec)
    assert "On the declared 1-5 scale, q7: point 1 never used." in text
    assert "On the declared 0-10 scale, ltr: point 0 never used." in text
    assert "q9" not in text


@pytest.mark.parametrize("n, warned", [(24, False), (25, True)])
def test_validate_unused_points_only_on_samples_large_enough(n, warned):
    """A 1-5 item is checked from n = 5 x 5 = 25 answers on (fewer: a point may go unused
    by chance, e.g. P(no 1 in 24 uniform answers) = 0.8^24 = 0.5%, but skewed items miss
    a point far more often)."""
    inst = servqual.Instrument.from_mapping({"kit": ["a", "b"]}, scale=(1, 5))
    a = np.resize([2.0, 3.0, 4.0, 5.0], n)  # never a 1
    b = np.resize([1.0, 2.0, 3.0, 4.0, 5.0], n)
    df = pd.DataFrame({"a": a, "b": b})
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        _, rep = servqual.validate(df, inst)
    scale_warnings = [w for w in rec if issubclass(w.category, ScaleWarning)]
    assert rep.unused_points == ({"a": (1,)} if warned else {})
    assert len(scale_warnings) == int(warned)


def test_validate_warns_about_unused_points_and_na_share():
    inst = servqual.Instrument.from_mapping(
        {"kit": ["q6", "q7"], "staff": ["q10", "q11"]}, scale=(1, 5)
    )
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.integers(1, 6, size=(60, 4)), columns=["q6", "q7", "q10", "q11"])
    df["q7"] = rng.integers(2, 6, size=60)  # never a 1
    df = df.astype(float)
    df.loc[:19, "q11"] = np.nan  # one third not applicable
    with pytest.warns(ScaleWarning) as rec:
        clean, rep = servqual.validate(df, inst)
    text = " ".join(str(w.message) for w in rec)
    assert "q7: point 1 never used" in text and "answers: q11 (33%)." in text
    assert rep.unused_points == {"q7": (1,)}
    assert rep.policy == "available" and rep.n_used == 60 and rep.missing["q11"] == 20
    assert any("never used" in w for w in rep.warnings)
    assert "never used" in str(rep.summary())
    # the old names keep working
    with pytest.warns(FutureWarning, match="'report'"):
        _, old = servqual.validate(df, inst, "report")
    assert old.policy == "available"
    with pytest.warns(FutureWarning, match="'pairwise'"):
        servqual.validate(df, inst, "pairwise")
    with pytest.raises(ParameterError, match="missing='fiml'"):
        servqual.validate(df, inst, "fiml")


def test_check_missing_vocabulary():
    assert check_missing("available") == "available"
    for old in ("pairwise", "omit", "report"):
        with pytest.warns(FutureWarning, match=f"missing='{old}' is renamed missing='available'"):
            assert check_missing(old) == "available"
    with pytest.raises(ParameterError, match="missing='drop'"):
        check_missing("drop")
    with pytest.raises(ParameterError, match="missing='mean'"):
        check_missing("mean", ("listwise", "raise"))


# ------------------------------------------------------------------ binary outcomes / roles
@pytest.fixture(scope="module")
def churners():
    rng = np.random.default_rng(4)
    df = pd.DataFrame(rng.normal(size=(300, 2)), columns=["sat", "price"])
    df["left"] = (-df.sat + rng.logistic(size=300) > 0).astype(int)
    return df


@pytest.mark.parametrize(
    "coding,positive",
    [
        ({1: "Yes", 0: "No"}, "Yes"),
        ({1: True, 0: False}, None),
        ({1: 2, 0: 1}, 2),
        ({1: "churned", 0: "stayed"}, "churned"),
    ],
)
def test_logistic_accepts_labelled_outcomes(churners, coding, positive):
    ref = logistic(churners, "left", ["sat", "price"])
    alt = churners.assign(left=churners["left"].map(coding))
    res = logistic(alt, "left", ["sat", "price"], positive=positive)
    assert res.coefficients["estimate"].to_numpy() == pytest.approx(
        ref.coefficients["estimate"].to_numpy(), rel=1e-10
    )


def test_logistic_categorical_outcome_positive_vs_rest(churners):
    three = churners.assign(plan=np.where(churners.left == 1, "cancelled", "basic"))
    three.loc[three.index[:40], "plan"] = "premium"
    res = logistic(three, "plan", ["sat", "price"], positive="cancelled")
    y = (three["plan"] == "cancelled").astype(int)
    ref = logistic(three.assign(y=y), "y", ["sat", "price"])
    assert res.coefficients["estimate"].to_numpy() == pytest.approx(
        ref.coefficients["estimate"].to_numpy(), rel=1e-10
    )


# ------------------------------------------------------------------ bad inputs name the culprit
def _yes_no(churners):
    return churners.assign(Churn=churners["left"].map({1: "Yes", 0: "No"}), tenure=12)


BAD = [
    (
        "ambiguous Yes/No",
        lambda d: logistic(d, "Churn", ["sat"]),
        DataError,
        r"target column 'Churn'.*\['No', 'Yes'\].*positive='Yes'",
    ),
    (
        "positive not a level",
        lambda d: logistic(d, "Churn", ["sat"], positive="yes"),
        ParameterError,
        r"positive='yes' is not a level of target column 'Churn'.*\['No', 'Yes'\]",
    ),
    (
        "numeric codes without positive",
        lambda d: logistic(d.assign(Churn=d.left + 1), "Churn", ["sat"]),
        OutOfRangeError,
        r"'Churn' is not binary.*\[1, 2\]",
    ),
    (
        "positive as a list",
        lambda d: logistic(d, "Churn", ["sat"], positive=["Yes"]),
        InputTypeError,
        r"positive=\['Yes'\].*column 'Churn'",
    ),
    (
        "outcome column absent",
        lambda d: logistic(d, "Churned", ["sat"], positive="Yes"),
        MissingColumnError,
        r"'Churned'",
    ),
    (
        "churn role pointing nowhere",
        lambda d: life_table(d, churn="status", positive="Yes"),
        MissingColumnError,
        r"'status'",
    ),
    (
        "tenure role pointing nowhere",
        lambda d: cox(d, ["sat"], tenure="months", churn="Churn", positive="Yes"),
        MissingColumnError,
        r"'months'",
    ),
    (
        "negative tenure",
        lambda d: life_table(d.assign(tenure=-1), churn="Churn", positive="Yes"),
        OutOfRangeError,
        r"tenure column 'tenure'.*-1",
    ),
    (
        "churn column all missing",
        lambda d: life_table(d.assign(Churn=None), churn="Churn"),
        DataError,
        r"churn column 'Churn' holds no non-missing value",
    ),
    (
        "churn role not a name",
        lambda d: life_table(d, churn=["Churn"]),
        ParameterError,
        r"churn=\['Churn'\]",
    ),
    (
        "nps on a 1-5 recommend item",
        lambda d: M.nps(pd.Series([1, 5, 4], name="recommend")),
        OutOfRangeError,
        r"column 'recommend' has answers 1-5",
    ),
    (
        "nps declared 1-7",
        lambda d: M.nps(pd.Series([1, 7], name="q4"), scale=(1, 7)),
        OutOfRangeError,
        r"column 'q4' is declared on the 1-7 scale",
    ),
    (
        "csat answers off the declared scale",
        lambda d: M.csat(pd.Series([1, 6], name="sat"), scale=(1, 5)),
        OutOfRangeError,
        r"column 'sat'.*value 6.*1-5",
    ),
    (
        "missing policy not offered",
        lambda d: servqual.drivers.ols(d, "sat", ["price"], missing="fiml"),
        ParameterError,
        r"missing='fiml'",
    ),
    (
        "what_if satisfaction role pointing nowhere",
        lambda d: servqual.economics.what_if(
            d, satisfaction=["overall"], n_boot=40, progress=False
        ),
        MissingColumnError,
        r"'overall'",
    ),
]


@pytest.mark.parametrize("case,call,error,pattern", BAD, ids=[b[0] for b in BAD])
def test_bad_inputs_name_the_culprit(churners, case, call, error, pattern):
    data = _yes_no(churners)
    if case.startswith("what_if"):
        data = servqual.simulate_survey(60, seed=1)[0]
    with pytest.raises(error, match=pattern):
        call(data)


# ------------------------------------------------------------------ the defaults table
@pytest.mark.parametrize("qualname", sorted(MISSING_DEFAULTS))
def test_missing_defaults_table_matches_the_signatures(qualname):
    module, name = qualname.rsplit(".", 1)
    func = getattr(importlib.import_module(module), name)
    default, offered = MISSING_DEFAULTS[qualname]
    assert inspect.signature(func).parameters["missing"].default == default
    assert default in offered and set(offered) <= set(MISSING_POLICIES)
    assert f"``{name}``" in servqual._options.__doc__ or f"{name}``" in servqual._options.__doc__


# ------------------------------------------------------------------ each policy, each family
def test_driver_policies_mean_raise_listwise(churners):
    d = churners.copy()
    d.loc[[2, 5], "price"] = np.nan
    d.loc[9, "sat"] = np.nan
    # mean: predictor means imputed (counted), brute force = OLS on the imputed frame
    with pytest.warns(MissingDataWarning, match=r"3 missing predictor value\(s\) imputed"):
        res = servqual.drivers.ols(d, "left", ["sat", "price"], missing="mean")
    filled = d.fillna({"sat": d["sat"].mean(), "price": d["price"].mean()})
    ref = servqual.drivers.ols(filled, "left", ["sat", "price"])
    assert res.coefficients["estimate"].to_numpy() == pytest.approx(
        ref.coefficients["estimate"].to_numpy(), rel=1e-12
    )
    assert res.n == 300 and res.warnings
    with pytest.warns(MissingDataWarning, match=r"3 of 300 rows dropped.*'sat': 1, 'price': 2"):
        lw = servqual.drivers.ols(d, "left", ["sat", "price"])
    assert lw.n == 297
    with pytest.raises(servqual.errors.MissingValuesError, match="'sat': 1, 'price': 2"):
        servqual.drivers.ols(d, "left", ["sat", "price"], missing="raise")


def test_reliability_mean_and_raise_policies():
    mobi = servqual.load_dataset("mobi").astype(float)
    inst = servqual.Instrument.from_mapping(
        {"value": ["PERV1", "PERV2"], "satisfaction": ["CUSA1", "CUSA2", "CUSA3"]}, scale=(1, 10)
    )
    mobi.loc[[1, 2], "CUSA2"] = np.nan
    res = servqual.reliability(mobi, inst, missing="mean")
    filled = mobi.fillna({"CUSA2": mobi["CUSA2"].mean()})
    x = filled[["CUSA1", "CUSA2", "CUSA3"]].to_numpy()
    alpha = 1.5 * (1 - x.var(axis=0, ddof=1).sum() / x.sum(1).var(ddof=1))
    assert res.table.loc["satisfaction", "alpha"] == pytest.approx(alpha, abs=1e-12)
    assert res.validation.imputed["CUSA2"] == 2 and res.table.loc["satisfaction", "n"] == 250
    with pytest.raises(servqual.errors.MissingValuesError, match="'CUSA2': 2"):
        servqual.reliability(mobi, inst, missing="raise")


def test_metric_listwise_equals_available_for_one_item():
    x = pd.Series([10, np.nan, 7, 2, 9], name="ltr")
    with pytest.warns(MissingDataWarning):
        a = M.nps(x)
    with pytest.warns(MissingDataWarning):
        b = M.nps(x, missing="listwise")
    assert (a.nps, a.n, a.n_missing) == (b.nps, b.n, b.n_missing) == (25.0, 4, 1)


def test_weighted_reliability_is_available_case_per_block():
    # weights (main) x available-case (issue 11): a block's weighted alpha uses the rows
    # complete on that block, with their own weights -- the same as dropping them by hand
    mobi = servqual.load_dataset("mobi").astype(float)
    inst = servqual.Instrument.from_mapping(
        {"value": ["PERV1", "PERV2"], "sat": ["CUSA1", "CUSA2", "CUSA3"]}, scale=(1, 10)
    )
    w = np.random.default_rng(0).uniform(0.5, 2, 250)
    mobi.loc[[1, 2, 3], "CUSA2"] = np.nan
    with pytest.warns(MissingDataWarning, match="sat 247"):
        res = servqual.reliability(mobi, inst, weights=w)
    ref = servqual.reliability(mobi.drop(index=[1, 2, 3]), inst, weights=np.delete(w, [1, 2, 3]))
    assert res.table.loc["sat", "alpha"] == pytest.approx(ref.table.loc["sat", "alpha"], abs=1e-12)
    assert res.table.loc["value", "n"] == 250 and res.table.loc["sat", "n"] == 247
