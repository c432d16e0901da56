"""validate() with a Codebook: missing codes counted apart from blanks, per-item scales."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import servqual as sq
from servqual.datasets import abc_codebook
from servqual.errors import CodebookError, OutOfRangeError


def test_abc_codes_vs_blanks_in_the_report():
    df = sq.load_dataset("abc_survey")
    cb = abc_codebook()
    clean, rep = sq.validate(df, cb)
    assert rep.n_used == 266  # the default policy keeps every row
    # brute force on the raw file: q10 has 124 zeros (N/A) and 72 blanks
    assert (df["q10"] == 0).sum() == 124 and df["q10"].isna().sum() == 72
    assert rep.coded["q10"] == 124 and rep.missing["q10"] == 124 + 72
    assert clean["q10"].isna().sum() == 196
    text = str(rep.summary())
    assert "blank answers vs missing codes" in text
    assert "of which missing codes (N/A)" in text
    assert rep.coded.sum() == sum(int((df[c] == 0).sum()) for c in cb.rated_columns())


def test_per_item_scale_and_out_of_range_names_the_column():
    cb = sq.codebook.Codebook(
        sq.Instrument.from_mapping({"care": ["q1", "q2"]}, scale=(1, 5)),
        missing_codes=(9,),
        scales={"ltr": (0, 10)},
        item_missing_codes={"ltr": (99,)},
        roles=sq.codebook.Roles(recommend="ltr"),
    )
    df = pd.DataFrame({"q1": [1, 2, 9, 4], "q2": [5, 4, 3, 2], "ltr": [0, 10, 99, 7]})
    clean, rep = sq.validate(df, cb)
    assert clean["ltr"].tolist()[:2] == [0, 10] and np.isnan(clean["ltr"].iloc[2])
    assert rep.coded.to_dict() == {"q1": 1, "q2": 0, "ltr": 1}
    with pytest.raises(OutOfRangeError, match="q2"):
        sq.validate(df.assign(q2=[5, 4, 3, 6]), cb)
    with pytest.raises(CodebookError, match="roles.recommend: 'ltr'"):
        sq.validate(df.drop(columns="ltr"), cb)
