"""Data-quality notes written for a CX analyst, not as Python: unused scale points per item
("E5: point 1 never used"), items that miss the same end of the scale named on one line
(the ABC survey's importance items), and the missing-answer note said once in the report."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import servqual as sq
from servqual.datasets import abc_codebook
from servqual.errors import ScaleWarning
from servqual.report import survey_report
from servqual.validation import _unused_text

PYTHONIC = re.compile(r"[\[\]{}']")  # list brackets, dict braces, quoted names


def _validate(df, spec):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        _, rep = sq.validate(df, spec)
    notes = [str(w.message) for w in rec if issubclass(w.category, ScaleWarning)]
    assert list(rep.warnings) == notes  # on the report as issued
    return rep, notes


def test_unused_points_read_as_sentences():
    inst = sq.Instrument.from_mapping({"kit": ["E5", "E6", "E7"]}, scale=(1, 5))
    rng = np.random.default_rng(3)
    df = pd.DataFrame({
        "E5": rng.integers(2, 6, 80),  # never a 1
        "E6": rng.integers(1, 6, 80),  # every point
        "E7": rng.integers(1, 5, 80),  # never a 5
    }).astype(float)  # fmt: skip
    df.loc[:29, "E6"] = np.nan  # 30 of 80 not answered
    rep, notes = _validate(df, inst)
    assert rep.unused_points == {"E5": (1,), "E7": (5,)}
    assert notes == [
        "On the declared 1-5 scale, E5: point 1 never used; E7: point 5 never used.",
        "item(s) with more than 20% missing or not-applicable answers: E6 (38%).",
    ]
    assert not any(PYTHONIC.search(n) for n in notes)


def test_items_missing_the_same_points_are_named_together():
    assert _unused_text(1, 7, {"a": (6, 7), "b": (6, 7), "c": (1,)}) == (
        "On the declared 1-7 scale, a, b: points 6 and 7 never used; c: point 1 never used."
    )


def test_many_items_short_of_one_end_suggest_a_shorter_scale():
    # five 0-10 items never below 3: one group, with the hint; a sixth misses only 10
    never = {f"r{i}": (0, 1, 2) for i in range(5)} | {"r5": (10,)}
    text = _unused_text(0, 10, never)
    assert text == (
        "On the declared 0-10 scale, r0, r1, r2, r3, r4 (5 items): points 0, 1 and 2 never "
        "used, every answer within 3-10 (if these questions were asked on a 3-10 scale, "
        "declare it under scales in the codebook); r5: point 10 never used."
    )
    # four items are not "many": named by their points only, no hint
    four = _unused_text(0, 10, {f"r{i}": (0, 1, 2) for i in range(4)})
    assert "codebook" not in four and four.endswith("r0, r1, r2, r3 (4 items): points 0, 1 "
                                                  "and 2 never used.")  # fmt: skip


@pytest.fixture(scope="module")
def abc():
    return sq.load_dataset("abc_survey"), abc_codebook()


def _coded(raw, cb, cols):
    return raw[cols].apply(pd.to_numeric, errors="coerce").mask(lambda d: d.isin(cb.missing_codes))


def test_abc_importance_items_are_one_line_naming_each(abc):
    """All answers to the ABC importance items (qi*) are 1, 2 or 3 on a declared 1-5 scale.
    mistat 0.1.17, the source, ships neither a description nor the questionnaire of ABC, so
    the declared scale stays 1-5 (data/README.md); the note names the 37 items once."""
    raw, cb = abc
    qi = [c for c in raw.columns if c.startswith("qi")]
    x = _coded(raw, cb, qi)
    assert set(np.unique(x.stack().dropna())) == {1.0, 2.0, 3.0}
    assert int(x.notna().sum().sum()) == 9102  # the brief's count, recomputed
    # by hand: the importance items the codebook declares, each with >= 5 answers per point
    checked = list(cb.importance.values())
    assert len(checked) == 37 and x[checked].notna().sum().min() >= 25
    rep, notes = _validate(raw, cb)
    (line,) = [n for n in notes if "never used" in n]
    head = "On the declared 1-5 scale, " + ", ".join(checked) + " (37 items): points 4 and 5"
    assert line.startswith(head + " never used, every answer within 1-3 (if these questions")
    # items whose answers are only 2 and 3 add their point 1, on the same line
    no_one = [c for c in checked if not (x[c] == 1).any()]
    assert no_one and line.endswith(f"; {', '.join(no_one)} ({len(no_one)} items): "
                                    "point 1 never used.")  # fmt: skip
    assert {c for c, p in rep.unused_points.items() if 4 in p and 5 in p} == set(checked)
    assert not PYTHONIC.search(line)


def test_abc_report_says_the_missing_answer_note_once(abc):
    raw, cb = abc
    rep = survey_report(raw, cb, missing="available", n_boot=0, date="2026-01-01")
    notes = [(s.id, n) for s in rep.sections for n in s.notes]
    share = [(sid, n) for sid, n in notes if "missing or not-applicable answers" in n]
    assert [sid for sid, _ in share] == ["validation"]
    (text,) = [n for _, n in share]
    # it covers the reliability blocks' items too (q10 74% not applicable, by hand)
    q10 = _coded(raw, cb, ["q10"])["q10"]
    assert f"q10 ({q10.isna().mean():.0%})" in text and "q10 (74%)" in text
    unused = [sid for sid, n in notes if "never used" in n]
    assert unused == ["validation"]  # one line, not 37
    assert rep.to_html().count("missing or not-applicable answers") == 1
