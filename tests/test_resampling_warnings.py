"""Warnings raised inside bootstrap replicates reach the user, at the user's line, whatever
``n_jobs`` is: recorded where the replicate runs (a loky worker process included) and
issued again, each once, from the calling thread after the pool finishes."""

from __future__ import annotations

import inspect
import warnings

import joblib
import numpy as np
import pytest

from servqual import metrics
from servqual._resampling import run_bootstrap
from servqual.errors import DegenerateResultWarning

#: 0-10 answers, 27 promoters and 3 detractors: a resample of 30 has only promoters with
#: probability 0.9**30 = 4%, so some of the 60 seeded replicates do (counted below)
LTR = np.array([10] * 27 + [3] * 3)


def _stat():
    x = LTR.copy()

    def nps_of(i):  # servqual's nps warns (DegenerateResultWarning) when all are promoters
        return [metrics.nps(x[i]).nps]

    return nps_of


def _run(n_jobs, statistic=None):
    """The bootstrap and what ``catch_warnings(record=True)`` records, with the line of
    the ``run_bootstrap`` call."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kw = {"k": 1, "seed": 5, "n_jobs": n_jobs, "progress": False}
        line = inspect.currentframe().f_lineno + 1
        draws = run_bootstrap(statistic or _stat(), len(LTR), 60, **kw)
    return draws, caught, line


@pytest.fixture(scope="module")
def runs():
    return {n_jobs: _run(n_jobs) for n_jobs in (1, 2)}


def test_the_replicates_really_include_all_promoter_resamples(runs):
    draws, *_ = runs[1]
    # replicate b's resample depends only on (seed, b): count the degenerate ones by hand
    from servqual._resampling import replicate_seeds, resample_indices

    allpro = [(LTR[resample_indices(c, len(LTR), None)] >= 9).all() for c in replicate_seeds(5, 60)]
    assert 0 < sum(allpro) < 60
    assert np.array_equal(draws.estimates[:, 0] == 100.0, np.array(allpro))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_warning_inside_a_replicate_names_the_users_file_and_line_once(runs, n_jobs):
    draws, caught, line = runs[n_jobs]
    mine = [w for w in caught if issubclass(w.category, DegenerateResultWarning)]
    assert len(mine) == 1  # many replicates warned; issued once
    (w,) = mine
    assert w.filename == __file__ and w.lineno == line
    assert str(w.message).startswith("in bootstrap resamples: ")
    assert "promoters" in str(w.message)
    assert draws.warnings == (str(w.message)[len("in bootstrap resamples: ") :],)


def test_results_and_warnings_are_bit_identical_across_n_jobs(runs):
    (d1, c1, _), (d2, c2, _) = runs[1], runs[2]
    assert d1.estimates.tobytes() == d2.estimates.tobytes()
    assert np.array_equal(d1.failed, d2.failed)
    assert d1.warnings == d2.warnings
    # what a result carries (bootstrap_notes) is the text issued, whatever n_jobs
    assert d1.reissued == d2.reissued == tuple(str(w.message) for w in c1 if "promoters" in
                                               str(w.message))  # fmt: skip
    assert len(d2.reissued) == 1 and d2.reissued[0].startswith("in bootstrap resamples: ")
    assert [(w.category, str(w.message)) for w in c1] == [(w.category, str(w.message)) for w in c2]


def test_the_users_filters_apply_to_the_reissued_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore", DegenerateResultWarning)
        draws = run_bootstrap(_stat(), len(LTR), 60, k=1, seed=5, n_jobs=2, progress=False)
    assert not [w for w in caught if issubclass(w.category, DegenerateResultWarning)]
    assert draws.warnings  # still recorded on the draws
    with warnings.catch_warnings():  # "error": raised in the caller, after the pool
        warnings.simplefilter("error", DegenerateResultWarning)
        with pytest.raises(DegenerateResultWarning, match="in bootstrap resamples: "):
            run_bootstrap(_stat(), len(LTR), 60, k=1, seed=5, n_jobs=1, progress=False)


def test_thread_workers_leave_the_warnings_machinery_alone():
    """Threads share the warning filters, which catch_warnings cannot change safely from
    several threads: under joblib's threading backend nothing is recorded, and the
    process-wide warning state is as it was."""
    before = (list(warnings.filters), warnings.showwarning)
    with joblib.parallel_config(backend="threading"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        draws = run_bootstrap(_stat(), len(LTR), 60, k=1, seed=5, n_jobs=2, progress=False)
    assert draws.warnings == ()
    assert (list(warnings.filters), warnings.showwarning) == before
    d1, *_ = _run(1)
    assert draws.estimates.tobytes() == d1.estimates.tobytes()
