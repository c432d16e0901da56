"""Tests of the linked gap-model simulator and linked-frame validation."""

import numpy as np
import pandas as pd
import pytest

import servqual
from servqual.errors import MissingValuesError, ParameterError
from servqual.gaps import (
    TooFewRespondentsError,
    UnitTruth,
    UnlinkedUnitsError,
    check_linked,
    simulate_units,
)


@pytest.fixture(scope="module")
def frames():
    return simulate_units(8, 12, 4, seed=3)


def test_lazy_names():
    assert servqual.simulate_units is simulate_units
    assert servqual.UnitTruth is UnitTruth


def test_shapes_columns_and_scale(frames):
    cust, man, staff, truth = frames
    assert len(cust) == 8 * 12 and len(man) == 8 * 3 and len(staff) == 8 * 4
    expected = ["unit_id", "company"] + [f"{p}{i}" for p in "PE" for i in range(1, 23)]
    assert list(cust.columns) == expected + ["SAT1", "SAT2", "SAT3", "LOY1", "LOY2"]
    for col in ["ME22", "SS1", "CP7", "MRO3", "UPC1", "COM2", "GOAL1", "TSTD3", "FEAS2"]:
        assert col in man
    for col in ["DP22", "TW1", "EJF3", "TJF2", "PC1", "SC3", "RC2", "RA1", "HC3", "OP2"]:
        assert col in staff
    items = cust.drop(columns=["unit_id", "company"]).to_numpy()
    assert items.min() >= 1 and items.max() <= 7
    assert cust["unit_id"].nunique() == 8 and cust["company"].nunique() == 5


def test_seed_reproducible():
    a = simulate_units(3, 4, 2, seed=11)
    b = simulate_units(3, 4, 2, seed=11)
    for x, y in zip(a[:3], b[:3]):
        pd.testing.assert_frame_equal(x, y)
    c = simulate_units(3, 4, 2, seed=12)
    assert not a[0].equals(c[0])


def test_truth_is_frozen_and_checked():
    t = UnitTruth()
    with pytest.raises(AttributeError):
        t.sat_pe = 1.0
    with pytest.raises(ParameterError, match="gap5_effects"):
        UnitTruth(gap5_effects={"gap1": 1.0})
    with pytest.raises(ParameterError, match=r"antecedent_effects\['gap1'\]"):
        UnitTruth(antecedent_effects={"gap1": {"TW": 0.3}})
    with pytest.raises(ParameterError, match="item_sd"):
        UnitTruth(item_sd=-1)
    with pytest.raises(ParameterError, match="n_units"):
        simulate_units(1, 5, 2)


def test_gap_means_follow_truth():
    # Means of the unit gaps over many units approach the gap intercepts
    # (antecedents are centred); SE of the mean over 300 units with unit SD
    # ~0.35 is ~0.02, rounding/clipping bias is < 0.05, so 0.1 is generous.
    truth = UnitTruth(company_sd=0.0)
    cust, man, staff, _ = simulate_units(300, 15, 3, truth, seed=5)
    items = range(1, 23)
    e = cust.groupby("unit_id")[[f"E{i}" for i in items]].mean().to_numpy()
    me = man.groupby("unit_id")[[f"ME{i}" for i in items]].mean().to_numpy()
    ss = man.groupby("unit_id")[[f"SS{i}" for i in items]].mean().to_numpy()
    assert abs((me - e).mean() - truth.gap_intercepts["gap1"]) < 0.1
    assert abs((ss - me).mean() - truth.gap_intercepts["gap2"]) < 0.1


def test_check_linked_counts(frames):
    cust, man, staff, _ = frames
    counts = check_linked(cust, man, staff, min_respondents={"customers": 12, "managers": 3})
    assert counts["staff"].tolist() == [4] * 8


def test_unlinked_units_named(frames):
    cust, man, staff, _ = frames
    with pytest.raises(UnlinkedUnitsError, match=r"'U002'.*customers but not in managers") as e:
        check_linked(cust, man[man.unit_id != "U002"], staff)
    assert e.value.units[("customers", "managers")] == ["U002"]
    extra = pd.concat([staff, staff.iloc[[0]].assign(unit_id="X9")], ignore_index=True)
    with pytest.raises(UnlinkedUnitsError, match=r"'X9' appear in staff but not in customers"):
        check_linked(cust, man, extra)


def test_too_few_respondents_named(frames):
    cust, man, staff, _ = frames
    cut = cust.drop(index=cust.index[cust.unit_id == "U005"][:10])
    with pytest.raises(TooFewRespondentsError, match=r"customers: 'U005' \(2\) < min_re") as e:
        check_linked(cut, man, staff, min_respondents={"customers": 5})
    assert e.value.units == {"customers": {"U005": 2}}
    with pytest.raises(TooFewRespondentsError, match="staff"):
        check_linked(cust, man, staff, min_respondents=5)


def test_missing_unit_id_and_bad_threshold(frames):
    cust, man, staff, _ = frames
    bad = man.copy()
    bad.loc[4, "unit_id"] = None
    with pytest.raises(MissingValuesError, match=r"managers: column 'unit_id' is missing at row"):
        check_linked(cust, bad, staff)
    with pytest.raises(ParameterError, match="min_respondents"):
        check_linked(cust, man, staff, min_respondents=0)
    with pytest.raises(ParameterError, match="bosses"):
        check_linked(cust, man, staff, min_respondents={"bosses": 2})


def test_doc_columns_are_numpy():
    cust, *_ = simulate_units(2, 2, 1, seed=0)
    assert np.issubdtype(cust["P1"].dtype, np.integer)
