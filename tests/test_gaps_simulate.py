"""UnitTruth is immutable like every other result/truth object."""

import dataclasses

import pytest

from servqual.gaps import UnitTruth


def test_unit_truth_is_read_only():
    t = UnitTruth()
    with pytest.raises(TypeError):
        t.gap5_effects["gap1"] = 2.0
    with pytest.raises(TypeError):
        t.antecedent_effects["gap1"]["x"] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.sat_pe = 0.0
