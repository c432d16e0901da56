"""Instrument definitions (SERVQUAL 1991 layout, ECSI mobi, five-gap surveys)."""

import dataclasses

import pytest

from servqual import Instrument
from servqual.errors import ParameterError, SpecificationError


def test_servqual22_layout_matches_1991_instrument():
    inst = Instrument.servqual22()
    # Parasuraman, Berry & Zeithaml (1991): tangibles 1-4, reliability 5-9,
    # responsiveness 10-13, assurance 14-17, empathy 18-22.
    expected = {
        "tangibles": range(1, 5),
        "reliability": range(5, 10),
        "responsiveness": range(10, 14),
        "assurance": range(14, 18),
        "empathy": range(18, 23),
    }
    assert list(inst.dimensions) == list(expected)
    for dim, rng in expected.items():
        assert inst.dimension_columns("P")[dim] == [f"P{i}" for i in rng]
        assert inst.dimension_columns("E")[dim] == [f"E{i}" for i in rng]
    assert inst.scale == (1.0, 7.0)
    assert inst.is_paired and len(inst.items) == 22
    assert all(inst.labels[str(i)] for i in range(1, 23))


def test_ecsi_mobi_blocks():
    inst = Instrument.ecsi_mobi()
    sizes = {d: len(v) for d, v in inst.dimensions.items()}
    assert sizes == {
        "image": 5, "expectation": 3, "quality": 7, "value": 2,
        "satisfaction": 3, "complaints": 1, "loyalty": 3,
    }  # fmt: skip
    assert inst.scale == (1.0, 10.0)
    assert inst.columns() == list(inst.items)


def test_gap_survey_set():
    m, s = Instrument.gap_manager(), Instrument.gap_staff()
    assert m.kinds == ("ME", "SS", "CP") and s.kinds == ("DP",)
    assert m.columns("CP")[-1] == "CP22"
    assert m.scales["perceived_feasibility"] == ("FEAS1", "FEAS2", "FEAS3")
    assert "OP3" in s.scale_columns()
    assert len(m.all_columns()) == 66 + 18


def test_from_mapping_and_errors():
    inst = Instrument.from_mapping({"a": ["x1", "x2"], "b": ["x3"]}, scale=(1, 5), reverse=["x2"])
    assert inst.dimension_of("x3") == "b"
    with pytest.raises(SpecificationError, match="'x1'.*'a'.*'b'"):
        Instrument.from_mapping({"a": ["x1"], "b": ["x1"]})
    with pytest.raises(SpecificationError, match="'b' has no items"):
        Instrument.from_mapping({"a": ["x1"], "b": []})
    with pytest.raises(SpecificationError, match="'zz'"):
        Instrument.from_mapping({"a": ["x1"]}, reverse=["zz"])
    with pytest.raises(ParameterError, match="scale"):
        Instrument.from_mapping({"a": ["x1"]}, scale=(5, 1))
    with pytest.raises(SpecificationError, match="string 'x1'"):
        Instrument.from_mapping({"a": "x1"})
    with pytest.raises(ParameterError, match="kind='Q'"):
        Instrument.servqual22().columns("Q")
    with pytest.raises(ParameterError, match="ambiguous"):
        Instrument.servqual22().columns()


def test_instrument_is_immutable():
    inst = Instrument.servqual22()
    with pytest.raises(dataclasses.FrozenInstanceError):
        inst.scale = (1, 5)
    with pytest.raises(TypeError):
        inst.dimensions["tangibles"] = ("1",)
