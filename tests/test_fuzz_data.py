"""Property-based: dirty frames into every public data function (issue #14).

Each example mutates the function's valid input (NaN, infinities, text,
nullable/categorical/string dtypes, 0-2 rows, constant, identical or collinear
columns, duplicated or integer column names, duplicated index, out-of-scale
values) or replaces it by a non-frame.  The outcome must be a typed servqual
error or a result passing :func:`_fuzz.check_sane`.
"""

import pytest
from _api import DATA_CALLS
from _fuzz import NON_FRAMES, assert_typed_error_or_sane, dirty_frames
from hypothesis import given
from hypothesis import strategies as st

from servqual.errors import ServqualError


@pytest.mark.parametrize("name", sorted(DATA_CALLS))
@given(data=st.data())
def test_dirty_frames_give_typed_errors_or_sane_results(name, data):
    make, call = DATA_CALLS[name]
    frame = data.draw(dirty_frames(make()), label="frame")
    assert_typed_error_or_sane(call, frame)


@pytest.mark.parametrize("name", sorted(DATA_CALLS))
@given(bad=NON_FRAMES)
def test_non_frames_give_typed_errors(name, bad):
    _, call = DATA_CALLS[name]
    with pytest.raises(ServqualError):
        call(bad)
