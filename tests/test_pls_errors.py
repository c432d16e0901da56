"""PLS bad-input catalogue: each gives a typed error naming the construct or item."""

import numpy as np
import pytest

import servqual
from servqual import pls
from servqual.errors import (
    ConstantItemError,
    DataError,
    MissingColumnError,
    OutOfRangeError,
    ParameterError,
    SpecificationError,
)


@pytest.fixture(scope="module")
def mobi():
    return servqual.load_dataset("mobi")


@pytest.mark.parametrize(
    "syntax, match",
    [
        ("A =~ \nB =~ CUSA1\nB ~ A", "construct 'A' has no items"),
        ("B =~ CUSA1 + CUSA2\nB ~ A", "construct 'A' has no items"),
        (
            "A =~ CUEX1 + CUEX2\nB =~ CUSA1 + CUEX2\nB ~ A",
            "item 'CUEX2' is used in constructs 'A' and 'B'",
        ),
        ("A =~ CUEX1 + CUEX1\nB =~ CUSA1\nB ~ A", "item 'CUEX1' is used twice in construct 'A'"),
        ("A =~ CUEX1\nB =~ CUSA1\nC =~ CUSL1\nB ~ A\nC ~ B\nA ~ C", "cycle A -> B -> C -> A"),
        ("A =~ CUEX1\nB =~ CUSA1\nB ~ B", "construct 'B' has a path to itself"),
        ("A =~ CUEX1\nB =~ CUSA1\nC =~ CUSL1\nB ~ A", r"\['C'\] take part in no structural path"),
        ("A =~ CUEX1\nB =~ CUSA1\nB ~ CUEX1", "'CUEX1' is an item of construct 'A'"),
        ("A := CUEX1", "expected '=~', '<~' or '~'"),
        ("A =~ CUEX1\nA =~ CUEX2\nB =~ CUSA1\nB ~ A", "construct 'A' is declared twice"),
    ],
)
def test_specification_errors(mobi, syntax, match):
    with pytest.raises(SpecificationError, match=match):
        pls.fit(syntax, mobi, progress=False)


def test_builder_block_without_items():
    m = pls.PLSModel.empty().reflective("A", []).reflective("B", ["x"]).path("A", "B")
    with pytest.raises(SpecificationError, match="construct 'A' has no items"):
        m.validate()


def test_unknown_column_names_item_and_construct(mobi):
    with pytest.raises(MissingColumnError, match=r"\['NOPE'\] of construct 'A'"):
        pls.fit("A =~ CUEX1 + NOPE\nB =~ CUSA1\nB ~ A", mobi, progress=False)


def test_constant_item(mobi):
    d = mobi.copy()
    d["CUEX2"] = 5
    with pytest.raises(ConstantItemError, match="item 'CUEX2' of construct 'A' is constant"):
        pls.fit("A =~ CUEX1 + CUEX2\nB =~ CUSA1\nB ~ A", d, progress=False)


def test_collinear_formative_block(mobi):
    d = mobi.copy().astype(float)
    d["CUEX3"] = d["CUEX1"] + 2 * d["CUEX2"]
    with pytest.raises(DataError, match="formative \\(mode B\\) construct 'A'"):
        pls.fit("A <~ CUEX1 + CUEX2 + CUEX3\nB =~ CUSA1 + CUSA2\nB ~ A", d, progress=False)
    # the same block in mode A is estimable
    r = pls.fit("A =~ CUEX1 + CUEX2 + CUEX3\nB =~ CUSA1 + CUSA2\nB ~ A", d, progress=False)
    assert np.isfinite(r.paths["estimate"]).all()


def test_bad_options(mobi):
    m = pls.ecsi_model()
    with pytest.raises(ParameterError, match="scheme='pathway'"):
        pls.fit(m, mobi, scheme="pathway")
    with pytest.raises(ParameterError, match="missing='drop'"):
        pls.fit(m, mobi, missing="drop")
    with pytest.raises(SpecificationError, match="mode 'C' of construct 'Value'"):
        pls.fit(m, mobi, modes={"Value": "C"})
    with pytest.raises(SpecificationError, match="unknown construct 'Valeu'"):
        pls.fit(m, mobi, modes={"Valeu": "B"})
    for seed in (-1, "x"):
        with pytest.raises(ParameterError, match=f"seed={seed!r} is invalid"):
            pls.fit(m, mobi, n_boot=40, seed=seed, progress=False)
        with pytest.raises(ParameterError, match=f"seed={seed!r} is invalid"):
            pls.mga(m, mobi.assign(g=[1, 2] * 125), "g", n_perm=20, seed=seed, progress=False)
    with pytest.raises(OutOfRangeError, match="item 'IMAG1': row 1 \\(value 10\\) is outside"):
        pls.fit(m, mobi, scale=(1, 7), progress=False)
    res = pls.fit(m, mobi, progress=False)
    with pytest.raises(SpecificationError, match="unknown construct 'Loyal'"):
        res.ipma("Loyal")
    with pytest.raises(SpecificationError, match="'Image' has no antecedents"):
        res.ipma_table("Image")


def test_identical_items_of_a_reflective_block_get_nan_vif_and_a_warning(mobi):
    """Two identical mode-A items made item_vif raise a raw LinAlgError (long fuzz profile).
    Mode A is estimable with them (as with the collinear block above); their VIF is
    infinite, reported as NaN with a warning naming them."""
    from servqual.errors import DegenerateResultWarning

    d = mobi.copy()
    d["CUEX2"] = d["CUEX1"]
    with pytest.warns(DegenerateResultWarning, match=r"\['CUEX1', 'CUEX2'\] are perfectly"):
        r = pls.fit(pls.ecsi_model(), d, progress=False)
    vif = r.outer.set_index("item")["vif"]
    assert np.isnan(vif[["CUEX1", "CUEX2"]]).all()
    # CUEX3 is not in the null space: its VIF is 1 / (1 - R^2) on the distinct item CUEX1
    x = d[["CUEX1", "CUEX3"]].to_numpy(float)
    r13 = np.corrcoef(x, rowvar=False)[0, 1]
    assert vif["CUEX3"] == pytest.approx(1 / (1 - r13**2))
    assert any("perfectly collinear" in w for w in r.warnings)
