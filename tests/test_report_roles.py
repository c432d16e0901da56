"""Codebook roles in the report (issue 11): churn + tenure, pairs, segment, economics, and
every --missing policy of the CLI on a file with blanks and N/A codes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import servqual as sq
from servqual.cli import main
from servqual.codebook import Codebook, Roles, codebook_from_instrument
from servqual.report import survey_report

INST = sq.Instrument.servqual22()
Z = stats.norm.ppf(0.975)


@pytest.fixture(scope="module")
def survey():
    df = sq.load_dataset("servqual_sim").head(500).copy()
    rng = np.random.default_rng(11)
    # tenure in months: churned customers left earlier on average
    df["tenure"] = np.where(df["churn"] == 1, rng.integers(1, 13, len(df)),
                            rng.integers(1, 25, len(df)))  # fmt: skip
    df["left"] = np.where(df["churn"] == 1, "Yes", "No")
    return df


def _cb(**roles):
    base = {"satisfaction": ["SAT1", "SAT2", "SAT3"], "loyalty": ["LOY1", "LOY2"],
            "recommend": "LTR"}  # fmt: skip
    return codebook_from_instrument(INST, roles={**base, **roles}, scales={"LTR": (0, 10)})


def test_retention_life_table_and_cox_hazard_ratio(survey):
    from statsmodels.duration.hazard_regression import PHReg

    cb = _cb(churn={"column": "left", "positive": "Yes"}, tenure="tenure")
    rep = survey_report(survey, cb, n_boot=0, date="2026-01-01")
    sec = next(s for s in rep.sections if s.id == "retention")
    assert "Not computed" not in sec.body
    # churn rate and its Wilson interval
    n, k = len(survey), int((survey["left"] == "Yes").sum())
    assert f"<td>{100 * k / n:.1f}</td>" in sec.body
    life = next(t for t in sec.tables if t.key == "life_table").frame
    for period in (1, 5, 12):
        row = life.loc[life["Period"] == period].iloc[0]
        at_risk = int((survey["tenure"] >= period).sum())
        churned = int(((survey["tenure"] == period) & (survey["left"] == "Yes")).sum())
        assert (row["At risk"], row["Churned"]) == (at_risk, churned), period
    # Cox model of churn on mean satisfaction: statsmodels PHReg directly (Efron ties)
    sat = survey[["SAT1", "SAT2", "SAT3"]].mean(axis=1).to_numpy()
    fit = PHReg(survey["tenure"].to_numpy(float), sat[:, None],
                status=(survey["left"] == "Yes").to_numpy(int), ties="efron").fit()  # fmt: skip
    b, se = float(fit.params[0]), float(fit.bse[0])
    assert f"<td>{math.exp(b):.3f}</td>" in sec.body
    assert f"<td>[{math.exp(b - Z * se):.3f}, {math.exp(b + Z * se):.3f}]</td>" in sec.body
    assert "Cox 1972" in sec.method


def test_retention_without_tenure_or_churn_says_why(survey):
    rep = survey_report(survey, _cb(churn={"column": "left", "positive": "Yes"}), n_boot=0)
    notes = " ".join(next(s for s in rep.sections if s.id == "retention").notes)
    assert "the codebook declares no tenure role (roles: tenure: COLUMN)" in notes
    rep = survey_report(survey, _cb(), n_boot=0)
    notes = " ".join(next(s for s in rep.sections if s.id == "retention").notes)
    assert "the codebook declares no churn role" in notes


def test_pairs_of_a_custom_instrument(survey):
    inst = sq.Instrument.from_mapping({"tangibles": ["P1", "P2", "P3", "P4"],
                                       "reliability": ["P5", "P6", "P7", "P8", "P9"]},
                                      scale=(1, 7), name="custom")  # fmt: skip
    pairs = {f"P{i}": f"E{i}" for i in range(1, 10)}
    cb = Codebook(inst, pairs=pairs, labels={"P5": "Keeps its promises"},
                  roles=Roles(satisfaction=("SAT1", "SAT2")))  # fmt: skip
    rep = survey_report(survey, cb, n_boot=0)
    sec = next(s for s in rep.sections if s.id == "pairs")
    t = stats.t.ppf(0.975, len(survey) - 1)
    for p, e in pairs.items():
        d = (survey[p] - survey[e]).to_numpy(float)
        m, s = d.mean(), d.std(ddof=1) / math.sqrt(len(d))
        assert f"<td>{m:.2f}</td><td>[{m - t * s:.2f}, {m + t * s:.2f}]</td>" in sec.body, p
    assert "Keeps its promises" in sec.body


def test_segments_against_the_rest_with_holm_adjusted_p(survey):
    rep = survey_report(survey, _cb(segment=["segment"]), n_boot=0)
    sec = next(s for s in rep.sections if s.id == "segments")
    t = sec.tables[0].frame
    nps = t.loc[t["Metric"] == "NPS"].set_index("Segment")
    ltr = survey["LTR"].to_numpy()
    seg = survey["segment"].to_numpy()

    def nps_se(x):
        pp, pd_ = (x >= 9).mean(), (x <= 6).mean()
        return 100 * (pp - pd_), 100 * math.sqrt((pp + pd_ - (pp - pd_) ** 2) / len(x))

    a, sa = nps_se(ltr[seg == "A"])
    b, sb = nps_se(ltr[seg != "A"])
    assert nps.loc["A", "Value"] == pytest.approx(a, abs=1e-9)
    assert nps.loc["A", "Difference"] == pytest.approx(a - b, abs=1e-9)
    p = 2 * stats.norm.sf(abs(a - b) / math.hypot(sa, sb))
    assert nps.loc["A", "Adjusted p"] == pytest.approx(min(1.0, 2 * p), rel=1e-9)  # Holm, 2 tests
    assert f"<td>{a:.1f}</td>" in sec.body and "Holm 1979" in sec.method


def test_economics_inputs_add_the_worth_of_one_point(survey):
    rep = survey_report(survey, INST, n_boot=40, seed=3, economics={"margin": 120.0,
                        "initial_customers": 5000}, date="2026-01-01")  # fmt: skip
    ids = [s.id for s in rep.sections]
    assert "worth" in ids
    worth = next(t for t in rep.tables() if t.key == "worth")
    top = rep.executive.tables[2].frame["Block"].iloc[0]
    assert worth.title == f"A one-point rise in {top}"
    assert "What a one-point improvement is worth" in rep.executive.body
    res = sq.economics.what_if(survey, dimension=top.lower(), delta=1.0, margin=120.0,
                               initial_customers=5000, satisfaction=["SAT1", "SAT2", "SAT3"],
                               n_boot=40, seed=3, progress=False)  # fmt: skip
    assert np.allclose(worth.frame["Estimate"], res.table["estimate"])
    value = res.table.set_index("quantity").loc["delta_value"]
    assert (
        f"by one point is worth {value['estimate']:,.0f} (95% CI "
        f"[{value['lower']:,.0f}, {value['upper']:,.0f}])"
    ) in rep.executive.body
    with pytest.raises(sq.errors.ParameterError, match="unknown key"):
        survey_report(survey, INST, n_boot=0, economics={"margn": 1})


def _abc_file(tmp_path):
    df = sq.load_dataset("abc_survey")[["ID", "q1", "q4", "q5", "q6", "q7", "q8", "q9", "q10",
                                        "q12", "q13", "q14", "country"]].copy()  # fmt: skip
    df.loc[[3, 50, 51], "q7"] = np.nan  # extra blanks beside the file's own
    data = tmp_path / "abc.csv"
    df.to_csv(data, index=False)
    cbfile = tmp_path / "cb.yml"
    cbfile.write_text(
        "name: mini ABC\nscale: [1, 5]\nmissing_codes: [0]\n"
        "dimensions: {equipment: [q6, q7, q8, q9, q10], sales: [q12, q13, q14]}\n"
        "labels: {q1: Overall satisfaction, equipment: Equipment}\n"
        "roles: {satisfaction: [q1], loyalty: [q4, q5], segment: [country], id: ID}\n",
        encoding="utf-8",
    )
    return df, data, cbfile


@pytest.mark.parametrize("policy", ["pairwise", "available", "listwise"])
def test_cli_missing_policies_on_a_file_with_blanks_and_na_codes(tmp_path, policy):
    df, data, cbfile = _abc_file(tmp_path)
    out = tmp_path / "r"
    assert main(["report", str(data), "--codebook", str(cbfile), "--out", str(out),
                 "--missing", policy, "--n-boot", "0"]) == 0  # fmt: skip
    page = (out / "report.html").read_text(encoding="utf-8")
    items = ["q6", "q7", "q8", "q9", "q10", "q12", "q13", "q14"]
    cols = items + ["q1", "q4", "q5"]
    x = df[cols].astype(float)
    coded = int((x == 0).sum().sum())
    x = x.mask(x == 0)
    complete = int(x.notna().all(axis=1).sum())
    analysed = complete if policy == "listwise" else len(df)
    assert f"<th scope='row'>Respondents in the file</th><td>{len(df)}</td>" in page
    assert f"<th scope='row'>Respondents analysed</th><td>{analysed}</td>" in page
    assert f"<th scope='row'>of which missing codes (N/A)</th><td>{coded}</td>" in page
    # items table: q7's answers, N/A codes and blanks counted apart
    q7 = df["q7"]
    n_ans = int(((q7 != 0) & q7.notna()).sum()) if policy != "listwise" else complete
    if policy != "listwise":
        # (no Question column: no item has a wording that would differ from its name)
        row = (f"<th scope='row'>q7</th><td class='txt'>Equipment</td><td>{n_ans}</td>"
               f"<td>{int((q7 == 0).sum())}</td><td>{int(q7.isna().sum())}</td>")  # fmt: skip
        assert row in page
    # the driver model says how many respondents it used
    comp = pd.DataFrame({"e": x[items[:5]].mean(axis=1), "s": x[items[5:]].mean(axis=1),
                         "y": x["q1"]})  # fmt: skip
    n_drv = complete if policy == "listwise" else int(comp.dropna().shape[0])
    assert f"(n = {n_drv}, 0 bootstrap replicates)" in page


def test_cli_weights_and_economics(tmp_path, survey):
    df = survey.copy()
    df["w"] = np.where(df["segment"] == "A", 2.0, 1.0)
    csv = tmp_path / "s.csv"
    df.to_csv(csv, index=False)
    out = tmp_path / "r"
    assert main(["report", str(csv), "--out", str(out), "--weights", "w", "--margin", "80",
                 "--customers", "2000", "--n-boot", "40", "--date", "2026-03-04"]) == 0  # fmt: skip
    page = (out / "report.html").read_text(encoding="utf-8")
    w = df["w"].to_numpy()
    code = 100.0 * (df["LTR"] >= 9) - 100.0 * (df["LTR"] <= 6)
    assert f"<td>{np.sum(w * code) / w.sum():.1f}</td>" in page  # the weighted NPS
    assert f"<td>{w.sum() ** 2 / np.sum(w * w):.1f}</td>" in page  # Kish's effective n
    assert "<section id='worth' class='major'>" in page and "date 2026-03-04" in page
