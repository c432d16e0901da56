

def test_unit_truth_is_read_only():
    import pytest as _pytest

    from servqual.gaps import UnitTruth

    t = UnitTruth()
    with _pytest.raises(TypeError):
        t.gap5_effects["gap1"] = 2.0
    with _pytest.raises(TypeError):
        t.antecedent_effects["gap1"]["x"] = 1.0
