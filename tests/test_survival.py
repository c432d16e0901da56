"""Tests of servqual.survival: customer churn as a life table (-> sBG) and a Cox model."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from servqual import retention
from servqual.errors import (
    DataError,
    DegenerateResultWarning,
    InsufficientDataError,
    MissingColumnError,
    MissingDataWarning,
    MissingValuesError,
    OutOfRangeError,
    ParameterError,
)
from servqual.survival import cox, life_table

CHURN = pd.read_csv(Path(__file__).parent / "data" / "wa_churn_2000.csv")
X = ["monthly_charges", "senior_citizen", "partner", "dependents", "paperless_billing"]

# R 4.2.2, survival 3.5.3 (validation/coxph_wa_churn.R):
#   coxph(Surv(tenure, event) ~ monthly_charges + senior_citizen + partner + dependents
#         + paperless_billing, data = d, ties = ties)   with event = churn == "Yes"
R_COX = {
    "efron": {
        "coef": [0.004692025295, 0.342471842152, -0.875681996097, -0.349388599064, 0.453531641018],
        "se": [0.001649763312, 0.106614972870, 0.104557832751, 0.130046042514, 0.103718221859],
        "lower": [1.001459612820, 1.142833077383, 0.339387898431, 0.546470933882, 1.284343459903],
        "upper": [1.007956991896, 1.735739156003, 0.511323708146, 0.909824969295, 1.928641020423],
        "loglik": (-3750.63540916, -3653.56363322),
    },
    "breslow": {
        "coef": [0.004767313634, 0.338070211792, -0.865598273759, -0.349694037159, 0.449612336843],
        "se": [0.001652496851, 0.106577128786, 0.104588006814, 0.129995937398, 0.103700917483],
        "lower": [1.001529648041, 1.137898201452, 0.342807230390, 0.546357698328, 1.279362968788],
        "upper": [1.008038282851, 1.727987688747, 0.516536385211, 0.909457799543, 1.921031728432],
        "loglik": (-3755.08397374, -3659.52298882),
    },
}
# summary(survfit(Surv(tenure, event) ~ 1, data = d), times = 0:12)
R_KM = {
    "n_risk": [2000, 1995, 1824, 1749, 1688, 1645, 1604, 1583, 1542, 1504, 1480, 1445, 1414],
    "n_event": [0, 101, 46, 23, 23, 17, 7, 16, 14, 10, 16, 10, 14],
    "surv": [
        1.0,
        0.949373433584,
        0.925430901816,
        0.913261141529,
        0.900817417444,
        0.891508058115,
        0.887617436914,
        0.878645940394,
        0.870668610196,
        0.864879590181,
        0.855529540558,
        0.849608920900,
        0.841196951386,
    ],
}


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_matches_r_coxph(ties):
    ref = R_COX[ties]
    res = cox(CHURN, X, tenure="tenure", churn="churn", positive="Yes", ties=ties)
    t = res.table.set_index("term").loc[X]
    # both maximise the same partial likelihood; Newton converges to ~1e-9 relative
    assert t["coef"].to_numpy() == pytest.approx(ref["coef"], rel=1e-6, abs=1e-9)
    assert t["se"].to_numpy() == pytest.approx(ref["se"], rel=1e-5)
    assert t["hazard_ratio"].to_numpy() == pytest.approx(np.exp(ref["coef"]), rel=1e-6)
    assert t["lower"].to_numpy() == pytest.approx(ref["lower"], rel=1e-5)
    assert t["upper"].to_numpy() == pytest.approx(ref["upper"], rel=1e-5)
    assert (res.loglik_null, res.loglik) == pytest.approx(ref["loglik"], rel=1e-9)
    assert res.n == 2000 and res.n_events == 526
    chi2, df, p = res.lr_test
    assert chi2 == pytest.approx(2 * (ref["loglik"][1] - ref["loglik"][0]), rel=1e-7) and df == 5
    text = str(res.summary())
    assert "Hazard ratios" in text and "monthly_charges" in text
    assert res.provenance.function.endswith("cox")


def test_cox_stratified_by_segment_matches_r():
    # R: coxph(Surv(tenure, event) ~ <same> + strata(contract), data = d)  (efron)
    res = cox(CHURN, X, churn="churn", positive="Yes", strata="contract")
    t = res.table.set_index("term").loc[X]
    coef = [0.001175598158, 0.106572893057, -0.717213109903, -0.037612453912, 0.036804078589]
    se = [0.001860844854, 0.106017140419, 0.106811549603, 0.131123785358, 0.103984208989]
    assert t["coef"].to_numpy() == pytest.approx(coef, rel=1e-6, abs=1e-9)
    assert t["se"].to_numpy() == pytest.approx(se, rel=1e-5)
    assert (res.loglik_null, res.loglik) == pytest.approx((-3208.60103249, -3176.75841661))
    with pytest.raises(MissingColumnError, match="'plan'"):
        cox(CHURN, X, churn="churn", positive="Yes", strata="plan")
    gap = CHURN.assign(contract=CHURN["contract"].where(CHURN.index != 4))
    with pytest.raises(MissingValuesError, match="strata column 'contract' has 1 missing"):
        cox(gap, X, churn="churn", positive="Yes", strata="contract")


def test_life_table_matches_r_survfit_and_feeds_sbg():
    lt = life_table(CHURN, tenure="tenure", churn="churn", positive="Yes")
    t = lt.table.set_index("period").loc[0:12]
    assert t["at_risk"].tolist() == R_KM["n_risk"]
    assert t["churned"].tolist() == R_KM["n_event"]
    assert t["survival"].to_numpy() == pytest.approx(R_KM["surv"], abs=1e-11)
    assert lt.survivors.loc[0:12].to_numpy() == pytest.approx(2000 * np.array(R_KM["surv"]))
    assert lt.n == 2000 and lt.n_churned == 526 and lt.n_censored == 1474
    assert lt.table["censored"].sum() == 1474 and lt.table["churned"].sum() == 526
    # the life table goes straight into the sBG: same fit as passing the counts by hand
    first_year = life_table(CHURN, tenure="tenure", churn="churn", positive="Yes", max_period=12)
    by_hand = retention.fit_sbg(2000 * np.array(R_KM["surv"]))
    fit = first_year.fit_sbg()
    # survivors agree to ~1e-11, the optimiser to ~1e-7
    assert (fit.alpha, fit.beta) == pytest.approx((by_hand.alpha, by_hand.beta), rel=1e-6)
    assert retention.fit_sbg(first_year).alpha == pytest.approx(fit.alpha, rel=1e-12)
    assert "Kaplan-Meier" in str(lt.summary())


def test_life_table_brute_force_without_censoring():
    # no censoring: Kaplan-Meier = share still a customer, exactly
    df = pd.DataFrame({"t": [1, 1, 2, 3, 3, 3, 4, 5], "gone": [True] * 8})
    lt = life_table(df, tenure="t", churn="gone")
    assert lt.table["survivors"].tolist() == pytest.approx([8, 6, 5, 2, 1, 0])
    assert lt.table["at_risk"].tolist() == [8, 8, 6, 5, 2, 1]


def test_roles_accept_labelled_and_boolean_churn():
    base = cox(CHURN, X, churn="churn", positive="Yes")
    as01 = CHURN.assign(churn=(CHURN["churn"] == "Yes").astype(int))
    asbool = CHURN.assign(churn=CHURN["churn"] == "Yes")
    for d in (as01, asbool):
        assert cox(d, X).table["coef"].to_numpy() == pytest.approx(base.table["coef"].to_numpy())
    codes = CHURN.assign(status=CHURN["churn"].map({"Yes": 2, "No": 1}), months=CHURN["tenure"])
    alt = cox(codes, X, tenure="months", churn="status", positive=2)
    assert alt.table["coef"].to_numpy() == pytest.approx(base.table["coef"].to_numpy())


def test_missing_values_counted_and_policy():
    d = CHURN.copy()
    d.loc[[3, 10, 11], "monthly_charges"] = np.nan
    d.loc[20, "churn"] = None
    with pytest.warns(MissingDataWarning, match=r"4 of 2000 customers dropped.*'churn': 1"):
        res = cox(d, X, positive="Yes")
    assert res.n == 1996 and res.n_missing == 4 and res.warnings
    ref = cox(d.drop(index=[3, 10, 11, 20]), X, positive="Yes")
    assert res.table["coef"].to_numpy() == pytest.approx(ref.table["coef"].to_numpy(), rel=1e-12)
    with pytest.raises(MissingValuesError, match="'monthly_charges': 3"):
        cox(d, X, positive="Yes", missing="raise")
    with pytest.warns(MissingDataWarning, match="1 of 2000"):
        lt = life_table(d, positive="Yes")
    assert lt.n == 1999 and lt.n_missing == 1


def test_no_churn_is_degenerate():
    df = pd.DataFrame({"tenure": [1, 2, 3], "churn": [0, 0, 0]})
    with pytest.warns(DegenerateResultWarning, match="no customer churned"):
        lt = life_table(df)
    assert lt.table["survival"].tolist() == [1.0] * 4


def test_bad_inputs_name_the_culprit():
    yes_no = CHURN.head(50)
    with pytest.raises(DataError, match=r"churn column 'churn'.*\['No', 'Yes'\].*positive="):
        life_table(yes_no)  # ambiguous: which level is churn?
    with pytest.raises(ParameterError, match=r"positive='yes' is not a level.*'churn'.*'Yes'"):
        life_table(yes_no, positive="yes")
    with pytest.raises(MissingColumnError, match="'months'"):
        life_table(yes_no, tenure="months", positive="Yes")
    with pytest.raises(MissingColumnError, match="'Churn'"):
        cox(yes_no, X, churn="Churn", positive="Yes")
    neg = yes_no.assign(tenure=yes_no["tenure"].where(yes_no.index != 7, -2))
    with pytest.raises(OutOfRangeError, match=r"'tenure'.*row 7.*-2"):
        life_table(neg, positive="Yes")
    with pytest.raises(OutOfRangeError, match=r"'tenure'.*row 7.*-2"):
        cox(neg, X, positive="Yes")
    frac = yes_no.assign(tenure=yes_no["tenure"] + 0.5)
    with pytest.raises(OutOfRangeError, match="whole periods"):
        life_table(frac, positive="Yes")
    with pytest.raises(ParameterError, match="tenure column 'tenure' is also"):
        cox(yes_no, ["tenure", "partner"], positive="Yes")
    with pytest.raises(ParameterError, match="predictors"):
        cox(yes_no, "partner", positive="Yes")
    with pytest.raises(InsufficientDataError, match="'female'|constant"):
        cox(yes_no.assign(female=1), ["female", "partner"], positive="Yes")
    few = yes_no.assign(churn=["Yes", "Yes"] + ["No"] * 48)
    with pytest.raises(InsufficientDataError, match=r"only 2 churn event\(s\) in 'churn'"):
        cox(few, X, positive="Yes")
    with pytest.raises(ParameterError, match="ties"):
        cox(yes_no, X, positive="Yes", ties="exact")
