"""Moments by wave x segment from a dask DataFrame on a LocalCluster (servqual.moments)."""

import numpy as np
import pytest

from servqual import simulate_survey
from servqual.drivers import relative_weights, shapley
from servqual.errors import InputTypeError, MissingColumnError, MissingValuesError
from servqual.moments import moments
from servqual.simulate_design import SurveyDesign
from servqual.weighting import weighted_cov, weighted_mean_se

COLS = ["P1", "P6", "P10", "P14", "P18", "SAT1"]


@pytest.fixture(scope="module")
def survey():
    d = SurveyDesign({"a": 0.7, "b": 0.3}, sample={"a": 0.5, "b": 0.5},
                     segment_shift={"b": -0.5}, waves=3)  # fmt: skip
    df, _ = simulate_survey(600, seed=4, design=d)
    return df


def test_dask_moments_equal_pandas_on_a_local_cluster(survey):
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    ddf = dd.from_pandas(survey.sort_values("wave"), npartitions=3)  # one wave a partition
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):  # fmt: skip
        m = moments(ddf, COLS, ["wave", "segment"], weights="weight")
        pooled = moments(ddf, COLS, weights="weight")
    sub = survey[(survey.wave == 2) & (survey.segment == "b")]
    x, w = sub[COLS].to_numpy(float), sub["weight"].to_numpy()
    mean, _ = weighted_mean_se(x, w)
    assert m.mean(("2", "b")).to_numpy() == pytest.approx(mean, abs=1e-10)
    assert np.abs(m.cov(("2", "b")).to_numpy() - weighted_cov(x, w)).max() < 1e-10
    assert m.n_eff(("2", "b")) == pytest.approx(w.sum() ** 2 / (w @ w), abs=1e-10)
    assert int(m.n[m.groups.get_loc(("2", "b"))]) == len(sub)
    xa, wa = survey[COLS].to_numpy(float), survey["weight"].to_numpy()
    assert np.abs(pooled.cov().to_numpy() - weighted_cov(xa, wa)).max() < 1e-10
    # drivers fitted from the moments = weighted Shapley on the rows
    sv = pooled.shapley("SAT1", COLS[:-1])
    ref = shapley(survey, "SAT1", COLS[:-1], weights="weight")["importance"]
    assert np.abs(sv.to_numpy() - ref.to_numpy()).max() < 1e-10
    rw = pooled.relative_weights("SAT1", COLS[:-1])
    ref = relative_weights(survey, "SAT1", COLS[:-1], weights="weight")["importance"]
    assert np.abs(rw.to_numpy() - ref.to_numpy()).max() < 1e-10


def test_pandas_moments_and_bad_inputs(survey):
    m = moments(survey, COLS, "wave")
    assert m.cov("1", ddof=1).to_numpy() == pytest.approx(
        np.cov(survey.loc[survey.wave == 1, COLS].to_numpy(float), rowvar=False), abs=1e-10
    )
    with pytest.raises(MissingColumnError, match="'SAT9'"):
        moments(survey, ["SAT9"], "wave")
    with pytest.raises(MissingValuesError, match="P1"):
        moments(survey.assign(P1=survey.P1.where(survey.index > 0)), COLS, "wave")
    with pytest.raises(InputTypeError, match="ndarray"):
        moments(survey.to_numpy(), COLS)
