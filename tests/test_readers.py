"""read_survey on files the tests write themselves: each format round-trips."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import servqual as sq
from servqual.errors import CodebookError, ReadError
from servqual.readers import draft_codebook, read_frame

RNG = np.random.default_rng(11)
N = 30


def _survey():
    df = pd.DataFrame(
        {
            "id": np.arange(1, N + 1),
            "q1": RNG.integers(1, 6, N),
            "q2": RNG.integers(1, 6, N),
            "q3": RNG.integers(1, 6, N),
            "ltr": RNG.integers(0, 11, N),
            "spend": np.round(RNG.uniform(10, 90, N), 2),
        }
    )
    df.loc[[2, 5], "q2"] = 9  # "don't know"
    df.loc[[7], "q3"] = np.nan  # blank
    return df


def test_semicolon_decimal_comma_csv_round_trip(tmp_path):
    df = _survey()
    p = tmp_path / "export.csv"
    df.to_csv(p, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    cb = sq.codebook.Codebook(
        sq.Instrument.from_mapping({"care": ["q1", "q2", "q3"]}, scale=(1, 5)),
        missing_codes=(9,),
        scales={"ltr": (0, 10)},
        item_missing_codes={"ltr": (99,)},
        roles=sq.codebook.Roles(recommend="ltr", id="id"),
    )
    s = sq.read_survey(p, codebook=cb)
    assert "delimiter ';'" in s.notes and "decimal comma" in s.notes
    assert "UTF-8 with byte-order mark" in s.notes
    expect = df.astype({c: float for c in ["q1", "q2", "q3", "ltr"]})
    expect.loc[[2, 5], "q2"] = np.nan
    pd.testing.assert_frame_equal(s.data, expect, check_dtype=False)
    assert s.missing.loc["q2"].to_dict() == {"blank": 0, "coded": 2, "n_valid": N - 2}
    assert s.missing.loc["q3"].to_dict() == {"blank": 1, "coded": 0, "n_valid": N - 1}
    assert s.data["spend"].tolist() == df["spend"].tolist()  # 3,5 read as 3.5


def test_tab_and_latin1_csv(tmp_path):
    p = tmp_path / "tab.tsv"
    p.write_bytes("id\tq1\tq2\tpays\n1\t4\t5\tFrance\n2\t3\t2\tEspa\xf1a\n".encode("latin-1"))
    s = sq.read_survey(p)
    assert "delimiter '\\t'" in s.notes
    assert any("read as latin-1" in n for n in s.notes)
    assert s.data["pays"].tolist() == ["France", "España"]


def test_qualtrics_export(tmp_path):
    p = tmp_path / "qualtrics.csv"
    p.write_text(
        "ResponseId,Q1_1,Q1_2,Q2,Q3\n"
        '"Response ID","Staff - were friendly","Staff - were quick","How satisfied?",'
        '"Recommend (0-10)"\n'
        '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1_1""}","{""ImportId"":""QID1_2""}",'
        '"{""ImportId"":""QID2""}","{""ImportId"":""QID3""}"\n'
        "R_1,4,5,3,9\nR_2,2,,4,10\nR_3,5,4,5,6\nR_4,1,2,1,0\n",
        encoding="utf-8",
    )
    s = sq.read_survey(p)
    assert s.format == "qualtrics"
    assert s.data.shape == (4, 5)
    assert s.data["Q1_2"].isna().sum() == 1 and s.data["Q1_1"].tolist() == [4, 2, 5, 1]
    cb = s.codebook
    assert cb.label("Q1_1") == "Staff - were friendly"
    assert cb.roles.id == "ResponseId"
    assert cb.instrument.dimension_columns()["Q1"] == ["Q1_1", "Q1_2"]
    assert cb.scale_of("Q3") == (0, 10) and cb.scale_of("Q1_1") == (1, 5)
    # the drafted codebook round-trips through YAML and reads the file again
    again = sq.read_codebook(sq.write_codebook(cb, tmp_path / "cb.yml"))
    pd.testing.assert_frame_equal(sq.read_survey(p, codebook=again).data, s.data)


def test_spss_value_labels_and_user_missing_round_trip(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = _survey().drop(columns=["spend"]).astype(float)
    p = tmp_path / "survey.sav"
    pyreadstat.write_sav(
        df,
        p,
        column_labels={"q1": "Staff were friendly", "q2": "Waiting time was short"},
        variable_value_labels={
            "q2": {1.0: "Strongly disagree", 5.0: "Strongly agree", 9.0: "Don't know"}
        },  # fmt: skip
        missing_ranges={"q2": [9]},
    )
    s = sq.read_survey(p)
    assert s.format == "spss"
    cb = s.codebook
    assert cb.label("q1") == "Staff were friendly"
    assert cb.value_labels["q2"][5] == "Strongly agree"
    assert cb.codes_of("q2") == (9,) and cb.codes_of("q1") == ()
    assert cb.scale_of("q2") == (1, 5)
    assert s.missing.loc["q2"].to_dict() == {"blank": 0, "coded": 2, "n_valid": N - 2}
    assert s.missing.loc["q3", "blank"] == 1
    expect = df.copy()
    expect.loc[[2, 5], "q2"] = np.nan
    pd.testing.assert_frame_equal(s.data[expect.columns], expect, check_dtype=False)
    again = sq.read_codebook(sq.write_codebook(cb, tmp_path / "cb.yml"))
    assert again.to_dict() == cb.to_dict()
    # a codebook of the user's that does not declare 9: the file's user-missing 9 still counts
    mine = sq.codebook.Codebook(sq.Instrument.from_mapping({"care": ["q1", "q2", "q3"]},
                                                           scale=(1, 5)))  # fmt: skip
    s2 = sq.read_survey(p, codebook=mine)
    assert s2.missing.loc["q2", "coded"] == 2 and s2.codebook.codes_of("q2") == (9,)
    assert any("q2 [9]" in n for n in s2.notes)


def test_stata_labels(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = _survey().drop(columns=["spend"]).astype(float)
    df.loc[[2, 5], "q2"] = 3
    p = tmp_path / "survey.dta"
    pyreadstat.write_dta(df, p, column_labels={"q3": "Clean premises"},
                         variable_value_labels={"q3": {1: "Poor", 5: "Excellent"}})  # fmt: skip
    s = sq.read_survey(p)
    assert s.format == "stata" and s.codebook.label("q3") == "Clean premises"
    assert s.codebook.value_labels["q3"][1] == "Poor"
    pd.testing.assert_frame_equal(s.data[df.columns], df, check_dtype=False)


def test_xlsx_round_trip(tmp_path):
    pytest.importorskip("openpyxl")
    df = _survey()
    p = tmp_path / "survey.xlsx"
    df.to_excel(p, index=False)
    cb_text = "scale: [1, 5]\nmissing_codes: [9]\ndimensions: {care: [q1, q2, q3]}\n"
    (tmp_path / "cb.yml").write_text(cb_text, encoding="utf-8")
    s = sq.read_survey(p, codebook=tmp_path / "cb.yml")
    assert s.format == "xlsx"
    assert s.missing.loc["q2", "coded"] == 2 and s.missing.loc["q3", "blank"] == 1
    assert s.data["spend"].tolist() == df["spend"].tolist()
    assert "Survey file" in str(s.summary())


def test_draft_blocks_scales_and_id():
    df = pd.DataFrame(
        {
            "RespondentID": [11, 12, 13, 14],
            "sq_1": [1, 7, 4, 2],
            "sq_2": [2, 3, 7, 1],
            "sat": [1, 5, 3, 4],
            "note": list("abcd"),
        }
    )
    cb = draft_codebook(df)
    assert cb.instrument.dimension_columns() == {"sq": ["sq_1", "sq_2"], "sat": ["sat"]}
    assert cb.instrument.scale == (1, 7) and cb.scale_of("sat") == (1, 5)
    assert cb.roles.id == "RespondentID"


BAD_FILES = [
    ("empty.csv", b"", r"empty.csv: the file is empty \(0 bytes\)"),
    ("survey.xls", b"x", r"survey.xls: unknown file type '.xls'"),
    ("noext", b"x", r"noext: unknown file type '\(no extension\)'"),
    ("binary.csv", b"\x7fELF\x00\x00\x00junk", r"binary.csv: unreadable encoding: .*NUL"),
    ("zipped.csv", b"PK\x03\x04\x00\x00\x00junk", r"zipped.csv: this is an Excel workbook"),
    ("blank.csv", b"   \n\n", r"blank.csv: the file holds no text"),
    ("header.csv", b"q1,q2\n", r"header.csv: the file has no data rows"),
    ("dup.csv", b"q1,q1\n1,2\n", r"dup.csv: column name 'q1' occurs more than once"),
    ("broken.xlsx", b"not a zip", r"broken.xlsx: not a readable .xlsx workbook"),
    ("broken.sav", b"not spss", r"broken.sav: not a readable SPSS file"),
    ("words.csv", b"name,city\nann,rome\nbob,oslo\n", r"words: no column looks like a rated"),
]


@pytest.mark.parametrize("name, content, message", BAD_FILES)
def test_bad_files_name_the_file_and_problem(tmp_path, name, content, message):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(ReadError, match=message):
        sq.read_survey(p)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ReadError, match="absent.csv: no such file"):
        sq.read_survey(tmp_path / "absent.csv")
    with pytest.raises(ReadError, match="is a folder"):
        sq.read_survey(tmp_path)


def test_codebook_naming_absent_column_names_file_key_and_column(tmp_path):
    p = tmp_path / "s.csv"
    _survey().to_csv(p, index=False)
    (tmp_path / "cb.yml").write_text(
        "dimensions: {care: [q1, q2, q4]}\nroles: {segment: [region]}\n", encoding="utf-8"
    )
    with pytest.raises(CodebookError, match=r"s.csv: .*dimensions.care: 'q4'.*roles.segment: "):
        sq.read_survey(p, codebook=tmp_path / "cb.yml")


def test_cli_validate_reads_any_format_with_the_builtin_instrument(tmp_path, capsys):
    pytest.importorskip("openpyxl")
    from servqual.cli import main

    df = sq.load_dataset("servqual_sim").head(40)
    p = tmp_path / "survey.xlsx"
    df.to_excel(p, index=False)
    assert main(["validate", str(p), "--instrument", "servqual22"]) == 0
    assert "rows used            40" in capsys.readouterr().out
    for policy in ("available", "listwise", "mean", "raise", "report", "pairwise"):
        assert main(["validate", str(p), "--missing", policy]) == 0, policy
    capsys.readouterr()
    (tmp_path / "survey.xls").write_bytes(b"old excel")
    assert main(["validate", str(tmp_path / "survey.xls")]) == 2
    assert "unknown file type '.xls'" in capsys.readouterr().err


def test_stata_extended_missing_values_are_recorded_per_item(tmp_path):
    """Stata's .a-.z (e.g. .a refused, .b don't know) become NaN, counted as coded."""
    pyreadstat = pytest.importorskip("pyreadstat")
    df = _survey().drop(columns=["spend"]).astype(object)
    df.loc[[2, 5], "q2"] = "a"  # written as Stata .a
    df.loc[[4], "q2"] = "b"
    df.loc[[1], "q1"] = "z"
    p = tmp_path / "survey.dta"
    pyreadstat.write_dta(df, p, missing_user_values={"q1": ["z"], "q2": ["a", "b"]})
    s = sq.read_survey(p)
    assert s.format == "stata"
    assert s.data.loc[[1], "q1"].isna().all() and s.data.loc[[2, 4, 5], "q2"].isna().all()
    # counted as coded answers, apart from q3's one real blank
    assert s.missing.loc["q2", "coded"] == 3 and s.missing.loc["q2", "blank"] == 0
    assert s.missing.loc["q1", "coded"] == 1 and s.missing.loc["q1", "blank"] == 0
    assert s.missing.loc["q3", "blank"] == 1 and s.missing.loc["q3", "coded"] == 0
    assert s.missing.loc["q2", "n_valid"] == N - 3
    # which code each cell was
    got = sorted(map(tuple, s.coded[["row", "column", "code"]].to_numpy().tolist()))
    assert got == [(1, "q1", ".z"), (2, "q2", ".a"), (4, "q2", ".b"), (5, "q2", ".a")]
    assert any(".a x2" in n and ".b x1" in n for n in s.notes)
    # the other answers are intact and numeric
    keep = [i for i in range(N) if i not in (2, 4, 5)]
    assert s.data.loc[keep, "q2"].tolist() == [float(v) for v in df.loc[keep, "q2"]]
    assert pd.api.types.is_float_dtype(s.data["q2"])
    assert read_frame(p)["q2"].isna().sum() == 3  # read_frame also gives NaN


def test_spss_user_missing_cells_are_recorded_with_their_code(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = _survey().drop(columns=["spend"]).astype(float)
    p = tmp_path / "survey.sav"
    pyreadstat.write_sav(df, p, missing_ranges={"q2": [9]})
    s = sq.read_survey(p)
    assert s.coded[["row", "column", "code"]].to_numpy().tolist() == [
        [2, "q2", 9], [5, "q2", 9]]  # fmt: skip


def _two_sheets(tmp_path):
    p = tmp_path / "book.xlsx"
    first = pd.DataFrame({"note": ["read me"], "x": [1]})
    data = _survey()
    with pd.ExcelWriter(p, engine="openpyxl") as xl:
        first.to_excel(xl, sheet_name="Readme", index=False)
        data.to_excel(xl, sheet_name="Responses", index=False)
    return p, data


def test_xlsx_sheet_by_name_or_position(tmp_path):
    pytest.importorskip("openpyxl")
    p, data = _two_sheets(tmp_path)
    assert read_frame(p).columns.tolist() == ["note", "x"]  # the first by default
    for sheet in ("Responses", 1, "1"):
        s = sq.read_survey(p, sheet=sheet)
        assert s.data["spend"].tolist() == data["spend"].tolist(), sheet
        assert "worksheet 'Responses' read (of 2: 'Readme', 'Responses')" in s.notes
    assert read_frame(p, sheet="Responses").shape == data.shape


@pytest.mark.parametrize(
    "sheet, match",
    [
        ("Answers", r"no worksheet named 'Answers'; the workbook has: 'Readme', 'Responses'"),
        (2, r"no worksheet at position 2 \(0-based\); the workbook has 2: 'Readme', 'Responses'"),
    ],
)
def test_xlsx_missing_sheet_names_the_sheets(tmp_path, sheet, match):
    pytest.importorskip("openpyxl")
    p, _ = _two_sheets(tmp_path)
    with pytest.raises(ReadError, match=match):
        sq.read_survey(p, sheet=sheet)


def test_sheet_on_a_csv_is_refused(tmp_path):
    from servqual.errors import ParameterError

    p = tmp_path / "s.csv"
    _survey().to_csv(p, index=False)
    with pytest.raises(ParameterError, match="sheet='x' is invalid for .*s.csv: only .xlsx"):
        sq.read_survey(p, sheet="x")


def test_cli_sheet_option(tmp_path, capsys):
    pytest.importorskip("openpyxl")
    from servqual.cli import main

    p = tmp_path / "book.xlsx"
    with pd.ExcelWriter(p, engine="openpyxl") as xl:
        pd.DataFrame({"note": ["read me"]}).to_excel(xl, sheet_name="Readme", index=False)
        sq.load_dataset("servqual_sim").head(40).to_excel(xl, sheet_name="Data", index=False)
    assert main(["validate", str(p), "--sheet", "Data"]) == 0
    assert "rows used            40" in capsys.readouterr().out
    assert main(["validate", str(p), "--sheet", "Nope"]) == 2
    assert (
        "no worksheet named 'Nope'; the workbook has: 'Readme', 'Data'" in capsys.readouterr().err
    )
    out = tmp_path / "cb.yml"
    assert main(["init", str(p), "--sheet", "1", "-o", str(out)]) == 0
    assert "P1" in out.read_text()


def test_draft_codebook_needs_text_column_names():
    from servqual.errors import DataError

    df = pd.DataFrame({0: [1, 2, 3], 1: [2, 3, 4]})
    with pytest.raises(DataError, match="column name 0 is not text"):
        draft_codebook(df)


def test_cli_report_sheet_option(tmp_path, capsys):
    # the report reads the chosen worksheet of a workbook, like init and validate
    pytest.importorskip("openpyxl")
    from servqual.cli import main

    p = tmp_path / "book.xlsx"
    data = sq.load_dataset("servqual_sim").head(120)
    with pd.ExcelWriter(p, engine="openpyxl") as xl:
        pd.DataFrame({"note": ["read me"]}).to_excel(xl, sheet_name="Readme", index=False)
        data.to_excel(xl, sheet_name="Data", index=False)
    out = tmp_path / "rep"
    args = ["report", str(p), "--out", str(out), "--n-boot", "40", "--date", "2026-11-30"]
    assert main([*args, "--sheet", "Data"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    ltr = data["LTR"].to_numpy()
    nps = 100 * ((ltr >= 9).mean() - (ltr <= 6).mean())  # recomputed from the sheet's rows
    assert f"<div class='value'>{nps:.1f}</div>" in html
    assert html.count("n = 120") >= 3  # NPS, CSAT and gap on the sheet's 120 rows
    assert main([*args, "--sheet", "Nope", "--force"]) == 2
    assert "no worksheet named 'Nope'" in capsys.readouterr().err


def test_draft_reads_conventional_codes_outside_the_answers_as_missing(tmp_path):
    # Hair et al.'s corp_rep data code 11 missing answers -99 (cusa 1, cusl_1-3: 3, 4, 3).
    # Without a codebook the draft used to leave cusa/cusl_* out of the blocks (range
    # -99..7) and keep -99 as an answer; now -99 is their missing code and the notes say so.
    # A 0-100 column holding 99 and a 1-9 item holding 9 are answers, not codes.
    df = sq.load_dataset("corp_rep")[["cusa", "cusl_1", "cusl_2", "cusl_3", "comp_1"]].copy()
    df["share"] = np.arange(len(df)) % 101
    df["nine"] = np.arange(len(df)) % 9 + 1
    path = tmp_path / "corp.csv"
    df.to_csv(path, index=False)
    s = sq.read_survey(path)
    assert dict(s.codebook.item_missing_codes) == {c: (-99,) for c in df.columns[:4]}
    assert s.codebook.instrument.dimension_columns()["cusl"] == ["cusl_1", "cusl_2", "cusl_3"]
    assert s.missing.loc[["cusa", "cusl_1", "cusl_2", "cusl_3"], "coded"].tolist() == [1, 3, 4, 3]
    assert s.data["cusa"].min() == 1 and s.data["cusl_2"].isna().sum() == 4
    assert any("cusa: -99, cusl_1: -99" in n for n in s.notes)
    assert s.data["share"].max() == 100 and s.data["nine"].max() == 9
