"""The YAML codebook: round trip, missing codes vs blanks, and every malformed case."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

import servqual as sq
from servqual.codebook import Codebook, Roles, codebook_from_instrument
from servqual.errors import CodebookError, OverwriteError, ReadError

FULL = """\
name: ABC customer survey
scale: [1, 5]
missing_codes: {all: [0, 9], q4: [99]}
dimensions:
  equipment: [q6, q7, q8]
  sales_support: [q10, q11, q12]
reverse: [q8]
scales: {q4: [0, 10]}
importance: {q6: qi6, q7: qi7}
labels: {q6: "The equipment works when I need it", q7: "设备易于使用"}
value_labels: {q4: {0: "Not at all likely", 10: "Extremely likely"}}
roles:
  satisfaction: [q1]
  recommend: q4
  loyalty: [q5]
  churn: {column: Churn, positive: "Yes"}
  tenure: tenure
  segment: [country]
  wave: wave
  weight: w
  unit: branch_id
  id: ID
"""


def _write(tmp_path, text, name="cb.yml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def _frame():
    return pd.DataFrame(
        {
            "ID": [1, 2, 3, 4],
            "q1": [4, 5, 0, 3],
            "q4": [9, 10, 0, 7],
            "q5": [4, 4, 5, np.nan],
            "q6": [1, 0, 9, 5],
            "qi6": [5, 5, 0, 4],
            "q7": [2, np.nan, 3, 4],
            "qi7": [4, 4, 4, 4],
            "q8": [5, 4, 0, 0],
            "q10": [3, 3, 3, 2],
            "q11": [np.nan, np.nan, 9, 1],
            "q12": [1, 2, 3, 4],
            "Churn": ["No", "Yes", "No", "No"],
            "tenure": [3, 12, 40, 7],
            "country": ["UK", "UK", "IT", "DE"],
            "wave": [1, 1, 2, 2],
            "w": [1.0, 1.0, 2.0, 0.5],
            "branch_id": ["a", "a", "b", "b"],
        }
    )


def test_full_example_reads_every_key(tmp_path):
    cb = sq.read_codebook(_write(tmp_path, FULL))
    assert cb.name == "ABC customer survey"
    assert cb.instrument.dimension_columns() == {
        "equipment": ["q6", "q7", "q8"],
        "sales_support": ["q10", "q11", "q12"],
    }
    assert cb.instrument.reverse == ("q8",)
    assert cb.scale_of("q4") == (0, 10) and cb.scale_of("q6") == (1, 5)
    assert cb.missing_codes == (0, 9) and cb.codes_of("q4") == (99,)
    assert cb.label("q7") == "设备易于使用"
    assert cb.roles.churn == ("Churn", "Yes")
    assert cb.roles.segment == ("country",) and cb.roles.unit == "branch_id"
    assert dict(cb.importance) == {"q6": "qi6", "q7": "qi7"}


def test_round_trip_write_read(tmp_path):
    cb = sq.read_codebook(_write(tmp_path, FULL))
    out = sq.write_codebook(cb, tmp_path / "again.yml")
    again = sq.read_codebook(out)
    assert again.to_dict() == cb.to_dict()
    assert "设备易于使用" in out.read_text(encoding="utf-8")  # written as text, not escapes
    with pytest.raises(OverwriteError, match="again.yml"):
        sq.write_codebook(cb, out)
    sq.write_codebook(cb, out, force=True)


def test_round_trip_per_item_codes_and_prefixes(tmp_path):
    cb = codebook_from_instrument(
        sq.Instrument.servqual22(), roles={"recommend": "LTR"}, scales={"LTR": (0, 10)}
    )
    cb = Codebook(
        cb.instrument,
        scales=cb.scales,
        missing_codes=(0,),
        item_missing_codes={"LTR": (99,)},
        roles=cb.roles,
    )
    again = sq.read_codebook(sq.write_codebook(cb, tmp_path / "sq.yml"))
    assert again.to_dict() == cb.to_dict()
    assert again.codes_of("LTR") == (99,) and again.codes_of("P1") == (0,)
    assert again.instrument.columns("E")[:2] == ["E1", "E2"]
    assert again.label("E1") == "Equipment looks modern"


def test_apply_counts_codes_apart_from_blanks(tmp_path):
    cb = sq.read_codebook(_write(tmp_path, FULL))
    data, counts = cb.apply(_frame())
    # by hand: q6 = [1, 0, 9, 5] -> two codes, no blank; q11 = [nan, nan, 9, 1]
    assert counts.loc["q6"].to_dict() == {"blank": 0, "coded": 2, "n_valid": 2}
    assert counts.loc["q11"].to_dict() == {"blank": 2, "coded": 1, "n_valid": 1}
    assert counts.loc["q7"].to_dict() == {"blank": 1, "coded": 0, "n_valid": 3}
    # importance and outcome columns are cleaned too; q4 is 0-10 so 0 and 9 are answers
    assert counts.loc["qi6", "coded"] == 1 and "q4" in counts.index
    assert data["q6"].isna().tolist() == [False, True, True, False]
    assert data["q4"].tolist() == [9, 10, 0, 7]
    assert counts["coded"].sum() == int(
        sum((_frame()[c].isin([0, 9])).sum() for c in counts.index if c != "q4")
    )


def test_unknown_column_names_the_key(tmp_path):
    cb = sq.read_codebook(_write(tmp_path, FULL))
    with pytest.raises(CodebookError, match=r"roles.tenure: 'tenure'"):
        cb.apply(_frame().drop(columns="tenure"))
    with pytest.raises(CodebookError, match=r"dimensions.equipment: 'q7'"):
        cb.apply(_frame().drop(columns="q7"))


BAD = [
    ("dimensions: {a: [q1, q2], b: [q2, q3]}", r"'q2' is listed in two blocks, 'a' and 'b'"),
    ("scale: [5, 1]\ndimensions: {a: [q1]}", r"scale: \[5, 1\].*minimum 5 must be below"),
    ("dimensions: {a: [q1]}\nscales: {q1: [7, 7]}", r"scales.q1.*minimum 7"),
    ("scale: [1, 5]\nmissing_codes: [3]\ndimensions: {a: [q1]}", r"code 3 lies inside.*'q1'"),
    ("dimensions: {a: [q1]}\nroles: {tenure: }", r"roles.tenure: None.*points nowhere"),
    ("dimensions: {a: [q1]}\nroles: {recommend: q4}", r"roles.recommend: 'q4' is on a 1-5"),
    ("dimensions: {a: [q1]}\nroles: {satisfacton: [q9]}", r"unknown role 'satisfacton'"),
    ("dimensions: {a: [q1]}\nroles: {churn: Churn}", r"roles.churn: 'Churn'.*positive"),
    ("dimensions: {a: [q1]}\nreverse: [q7]", r"reverse: 'q7'.*not an item"),
    ("dimensions: {a: [q1]}\nimportance: {q5: qi5}", r"importance: 'q5' is not an item"),
    ("dimensions: {a: [q1]}\nscale: [1, x]", r"scale: 'x'.*finite number"),
    ("dimensions: {a: q1}\nscal: [1, 5]", r"unknown key 'scal'"),
    ("dimensions: {}", r"dimensions: at least one block"),
    ("dimensions: {a: [q1]}\nmissing_codes: {all: [0], q1: [3]}", r"missing_codes.q1: code 3"),
    ("dimensions: {a: [q1]}\nmissing_codes: ['NA']", r"missing_codes: 'NA'"),
    ("dimensions: [q1, q2]", r"dimensions: \['q1', 'q2'\].*mapping"),
    ("dimensions: {a: [q1]}\nroles: {tenure: [t1, t2]}", r"roles.tenure.*one column"),
    ("- just\n- a list", r"expected a mapping of keys"),
    ("dimensions: {a: [q1, q2]\n", r"not valid YAML at line"),
]


@pytest.mark.parametrize("text, message", BAD)
def test_malformed_codebook_names_key_and_value(tmp_path, text, message):
    with pytest.raises(CodebookError, match=message):
        sq.read_codebook(_write(tmp_path, text))


def test_missing_code_inside_recommend_scale_needs_its_own_codes(tmp_path):
    text = "scale: [1, 5]\nmissing_codes: [0]\nscales: {q4: [0, 10]}\ndimensions: {a: [q1]}\n"
    with pytest.raises(CodebookError, match=r"code 0 lies inside the scale 0-10 of 'q4'"):
        sq.read_codebook(_write(tmp_path, text + "roles: {recommend: q4}\n"))
    ok = text + "missing_codes: {all: [0], q4: [99]}\nroles: {recommend: q4}\n"
    ok = ok.replace("missing_codes: [0]\n", "")
    assert sq.read_codebook(_write(tmp_path, ok)).codes_of("q4") == (99,)


def test_unreadable_files(tmp_path):
    with pytest.raises(ReadError, match="nope.yml: no such codebook"):
        sq.read_codebook(tmp_path / "nope.yml")
    (tmp_path / "empty.yml").write_text("", encoding="utf-8")
    with pytest.raises(CodebookError, match="empty.yml: the codebook is empty"):
        sq.read_codebook(tmp_path / "empty.yml")
    (tmp_path / "latin.yml").write_bytes("labels: {q1: 'Qualit\xe9'}".encode("latin-1"))
    with pytest.raises(ReadError, match="latin.yml: the codebook is not UTF-8"):
        sq.read_codebook(tmp_path / "latin.yml")


def test_text_in_a_rated_column_is_named():
    cb = Codebook(sq.Instrument.from_mapping({"a": ["q1", "q2"]}, scale=(1, 5)))
    with pytest.raises(sq.errors.NonNumericError, match=r"'q2'.*'n/a' in row 1"):
        cb.apply(pd.DataFrame({"q1": [1, 2], "q2": ["3", "n/a"]}))


def test_roles_columns_and_with_roles():
    r = Roles(satisfaction=("s1", "s2"), recommend="ltr", churn=("churn", True), id="id")
    assert r.columns() == ["s1", "s2", "ltr", "churn", "id"]
    cb = codebook_from_instrument(sq.Instrument.servqual22()).with_roles(tenure="months")
    assert cb.roles.tenure == "months"
    with pytest.raises(CodebookError, match="roles.recommend: 'LTR' is on a 1-7"):
        codebook_from_instrument(sq.Instrument.servqual22(), roles={"recommend": "LTR"})
