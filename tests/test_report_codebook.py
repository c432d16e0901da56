"""The report on any questionnaire: every headline number recomputed by hand and found in
the HTML; the real ABC survey end to end; labels in titles and tables; every --missing."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import servqual as sq
from servqual.cli import main
from servqual.codebook import codebook_from_instrument
from servqual.datasets import abc_codebook
from servqual.report import survey_report

DIMS = sq.Instrument.servqual22().dimension_columns("P")


@pytest.fixture(scope="module")
def survey():
    return sq.load_dataset("servqual_sim").head(600)


@pytest.fixture(scope="module")
def codebook():
    cb = codebook_from_instrument(
        sq.Instrument.servqual22(),
        roles={"satisfaction": ["SAT1", "SAT2", "SAT3"], "loyalty": ["LOY1", "LOY2"],
               "recommend": "LTR"},
        scales={"LTR": (0, 10)},
    )  # fmt: skip
    labels = dict(cb.labels, reliability="Dependability", SAT1="Overall I am satisfied")
    return sq.codebook.Codebook(cb.instrument, scales=cb.scales, labels=labels, roles=cb.roles)


@pytest.fixture(scope="module")
def html(survey, codebook):
    return survey_report(survey, codebook, n_boot=0, seed=1).to_html()


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def _r2(y, X) -> float:
    if X.shape[1] == 0:
        return 0.0
    A = np.column_stack([np.ones(len(y)), X])
    beta, *_ = np.linalg.lstsq(A, y, rcond=None)
    resid = y - A @ beta
    return 1 - resid @ resid / ((y - y.mean()) @ (y - y.mean()))


def _shapley_shares(y, X) -> np.ndarray:
    """Brute force over all 2^p subsets: Shapley value of R² per predictor / full R²."""
    p = X.shape[1]
    r2 = {
        s: _r2(y, X[:, list(s)]) for k in range(p + 1) for s in itertools.combinations(range(p), k)
    }
    phi = np.zeros(p)
    for j in range(p):
        for s, v in r2.items():
            if j in s:
                continue
            w = math.factorial(len(s)) * math.factorial(p - len(s) - 1) / math.factorial(p)
            phi[j] += w * (r2[tuple(sorted(s + (j,)))] - v)
    return phi / r2[tuple(range(p))]


def test_headline_numbers_recomputed_by_hand(survey, html):
    # NPS: % promoters (9-10) minus % detractors (0-6)
    ltr = survey["LTR"].to_numpy()
    nps = 100 * ((ltr >= 9).mean() - (ltr <= 6).mean())
    assert f"<td>{nps:.1f}</td>" in html
    # CSAT top-2-box on SAT1's 1-7 scale: answers 6 or 7, as a percentage (not x100 again)
    csat = 100 * (survey["SAT1"] >= 6).mean()
    assert f"<td>{csat:.1f}</td>" in html and f"{100 * csat:.1f}" not in html
    for dim, pcols in DIMS.items():
        ecols = ["E" + c[1:] for c in pcols]
        gap = (survey[pcols].mean(axis=1) - survey[ecols].mean(axis=1)).mean()
        assert f"<td>{gap:.2f}</td>" in html, dim
        assert f"<td>{_alpha(survey[pcols].to_numpy(float)):.3f}</td>" in html, dim
    # top-driver shares: exact Shapley decomposition of R² over all 32 subsets
    X = np.column_stack([survey[c].mean(axis=1) for c in DIMS.values()])
    y = survey[["SAT1", "SAT2", "SAT3"]].mean(axis=1).to_numpy()
    shares = _shapley_shares(y, X)
    for s in shares:
        assert f"<td>{100 * s:.1f}%</td>" in html
    assert f"R² = {_r2(y, X):.3f}" in html


def test_labels_in_titles_and_tables(html):
    assert "NPS (LTR)" in html
    assert "CSAT, top-2-box % (Overall I am satisfied)" in html
    assert "Dependability" in html  # block label in the reliability and driver tables
    assert "Equipment looks modern" in html  # item wording in the items table
    assert "Key drivers of satisfaction" in html


def test_missing_roles_say_why(survey):
    cb = codebook_from_instrument(sq.Instrument.servqual22())
    rep = survey_report(survey, cb, n_boot=0)
    notes = {s.id: " ".join(s.notes) for s in rep.sections}
    assert "the codebook declares no satisfaction role" in notes["key-drivers"]
    assert "the codebook declares no satisfaction role" in notes["ipa"]
    assert "(the codebook declares 0 and 0)" in notes["sem"]
    assert "no 0-10 recommend role" in notes["nps-csat"]


@pytest.mark.parametrize("policy", ["listwise", "available", "mean", "pairwise", "report"])
def test_every_missing_policy_runs_and_names_user_columns(survey, codebook, policy):
    df = survey.head(300).copy()
    df.loc[[3, 8, 20], "P2"] = np.nan
    df.loc[[5], "SAT2"] = np.nan
    rep = survey_report(df, codebook, missing=policy, n_boot=0)
    page = rep.to_html()
    assert "not computed" not in page.lower().replace("<p>not computed.</p>", "")
    drivers = next(s for s in rep.sections if s.id == "key-drivers").body
    # listwise drops rows 3, 5, 8 and 20; available averages the answered items of a block
    # (and of the satisfaction items), mean imputes: both keep all 300
    assert f"n = {296 if policy == 'listwise' else 300}," in drivers


def test_raise_policy_names_the_column(survey, codebook):
    df = survey.head(100).copy()
    df.loc[7, "E5"] = np.nan
    with pytest.raises(sq.errors.MissingValuesError, match="E5"):
        survey_report(df, codebook, missing="raise", n_boot=0)


def test_nps_refuses_the_abc_recommend_item():
    # ABC's recommend item q4 is 1-5: declaring it the NPS role is refused, naming it
    spec = abc_codebook().to_dict()
    spec["roles"]["recommend"] = "q4"
    with pytest.raises(sq.errors.CodebookError, match="roles.recommend: 'q4' is on a 1-5"):
        sq.codebook.Codebook.from_dict(spec)


def test_real_survey_end_to_end_through_the_cli(tmp_path):
    df = sq.load_dataset("abc_survey")
    data = tmp_path / "abc.csv"
    df.to_csv(data, index=False)
    cbfile = tmp_path / "abc.yml"
    sq.write_codebook(abc_codebook(), cbfile)
    out = tmp_path / "report"
    args = ["report", str(data), "--codebook", str(cbfile), "--out", str(out),
            "--missing", "available", "--n-boot", "40"]  # fmt: skip
    assert main(args) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "ABC customer survey: survey report" in page
    assert "Key drivers of Overall satisfaction with ABC" in page
    # CSAT of q1 on 1-5: 4 or 5, among the 262 who answered
    q1 = df["q1"].dropna()
    assert f"<td>{100 * (q1 >= 4).mean():.1f}</td>" in page
    # validation counts the N/A code apart from blanks: q10 has 124 zeros and 72 blanks
    assert "<td>124</td>" in page and "of which missing codes (N/A)" in page
    assert "needs at least two satisfaction and two loyalty items" in page


def test_real_survey_reliability_per_block_complete_cases():
    df, cb = sq.load_dataset("abc_survey"), abc_codebook()
    data, _ = cb.apply(df)
    rep = survey_report(df, cb, missing="available", n_boot=0)
    body = next(s for s in rep.sections if s.id == "reliability").body
    blocks = cb.instrument.dimension_columns()
    n_all = int(data[[c for v in blocks.values() for c in v]].notna().all(axis=1).sum())
    assert n_all == 10  # listwise over all six blocks would keep 10 of 266
    sizes = []
    for block, cols in blocks.items():
        x = data[cols].dropna().to_numpy(float)
        sizes.append(x.shape[0])
        assert f"<td>{x.shape[0]}</td>" in body, block
        assert f"<td>{_alpha(x):.3f}</td>" in body, block
    assert sizes == [66, 218, 245, 42, 178, 104]  # each block on its own complete cases


def test_cli_init_validate_report_on_a_file_with_na_codes(tmp_path, capsys):
    df = sq.load_dataset("abc_survey")[["ID", "q1", "q4", "q5", "q6", "q7", "q8", "q9", "q10",
                                        "q12", "q13", "q14", "country"]]  # fmt: skip
    data = tmp_path / "raw.csv"
    df.to_csv(data, sep=";", index=False)
    cbfile = tmp_path / "cb.yml"
    assert main(["init", str(data), "-o", str(cbfile)]) == 0
    drafted = sq.read_codebook(cbfile)
    assert drafted.roles.id == "ID" and drafted.instrument.scale == (0, 5)  # observed range
    assert main(["init", str(data), "-o", str(cbfile)]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    # the user edits the draft: 0 means N/A, two blocks, the outcome roles
    text = (
        "name: mini ABC\nscale: [1, 5]\nmissing_codes: [0]\n"
        "dimensions: {equipment: [q6, q7, q8, q9, q10], sales: [q12, q13, q14]}\n"
        "labels: {q1: Overall satisfaction, equipment: Equipment}\n"
        "roles: {satisfaction: [q1], loyalty: [q4, q5], segment: [country], id: ID}\n"
    )
    cbfile.write_text(text, encoding="utf-8")
    assert main(["init", str(data), "-o", str(cbfile), "--force"]) == 0  # --force overwrites
    cbfile.write_text(text, encoding="utf-8")
    assert main(["validate", str(data), "--codebook", str(cbfile)]) == 0
    out = capsys.readouterr().out
    assert "blank answers vs missing codes" in out
    assert main(["report", str(data), "--codebook", str(cbfile), "--out", str(tmp_path / "r"),
                 "--missing", "available", "--n-boot", "0"]) == 0  # fmt: skip
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "Key drivers of Overall satisfaction" in page
    assert "<td class='txt'>Equipment</td>" in page
    # a codebook naming a column the file lacks: exit 2, the key and column named
    cbfile.write_text(text.replace("q14]", "q15]"), encoding="utf-8")
    assert main(["validate", str(data), "--codebook", str(cbfile)]) == 2
    assert "dimensions.sales: 'q15'" in capsys.readouterr().err
