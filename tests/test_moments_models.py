"""SEM and PLS fitted from dask moments on a LocalCluster equal the in-memory fits;
the moments' covariance survives a large mean (stable merge)."""

import warnings

import numpy as np
import pandas as pd
import pytest

import servqual as sq
from servqual import pls, sem
from servqual.errors import InputTypeError, ParameterError, SpecificationError
from servqual.moments import moments

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
HS_COLS = [f"x{i}" for i in range(1, 10)]
MOBI_MODEL = """Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Expectation ~ Image
Satisfaction ~ Image + Expectation
Loyalty ~ Satisfaction + Image"""


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:  # fmt: skip
        yield c


@pytest.fixture(scope="module")
def hs():
    d = sq.load_dataset("holzinger_swineford")
    # the made-up weight of validation/weights_survey.R
    return d.assign(w=0.5 + ((13 * d["id"]) % 7) / 3, half=np.where(d.index < 150, "a", "b"))


@pytest.fixture(scope="module")
def mobi():
    d = sq.load_dataset("mobi")
    return d.assign(w=1 + ((37 * np.arange(1, len(d) + 1)) % 11) / 5)


def _num(a, b, cols):
    x, y = a[cols].to_numpy(float), b[cols].to_numpy(float)
    assert np.array_equal(np.isnan(x), np.isnan(y))
    return float(np.nanmax(np.abs(x - y)))


@pytest.mark.parametrize("weights", [None, "w"])
def test_sem_from_dask_moments_equals_pandas_fit(client, hs, weights):
    import dask.dataframe as dd

    ddf = dd.from_pandas(hs, npartitions=3)
    mom = moments(ddf, HS_COLS, weights=weights, fourth=True)  # one pass serves both models
    for model in (HS_MODEL, HS_MODEL + "\nx1 ~ 1"):  # with a mean structure too
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = sem.fit(model, hs, weights=weights)
            got = sem.fit_moments(model, mom)
        assert got.se == ("robust" if weights else "standard") == ref.se
        assert _num(got.params, ref.params, ["est", "se", "std_all"]) < 1e-8
        for k in ("chi2", "df", "cfi", "rmsea", "srmr"):
            assert got.fit_indices[k] == pytest.approx(ref.fit_indices[k], abs=1e-8)
    # one group of the moments = the fit on that group's rows
    m = moments(ddf, HS_COLS, "half", weights=weights, fourth=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sem.fit(HS_MODEL, hs[hs.half == "b"], weights=weights)
        got = sem.fit_moments(HS_MODEL, m, group="b")
    assert _num(got.params, ref.params, ["est", "se"]) < 1e-8


@pytest.mark.parametrize("weights", [None, "w"])
def test_multigroup_sem_from_dask_moments_equals_pandas_fit(client, hs, weights):
    import dask.dataframe as dd

    m = moments(dd.from_pandas(hs, npartitions=3), HS_COLS, "half", weights=weights, fourth=True)
    for equal in ((), ("loadings", "intercepts")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = sem.fit(HS_MODEL, hs, group="half", weights=weights, group_equal=equal)
            got = sem.fit_moments(HS_MODEL, m, groups="all", group_equal=equal)
        assert got.group_labels == ref.group_labels == ("a", "b")
        assert _num(got.params, ref.params, ["est", "se", "std_all"]) < 1e-8
        assert got.fit_indices["chi2"] == pytest.approx(ref.fit_indices["chi2"], abs=1e-8)
        assert got.fit_indices["df"] == ref.fit_indices["df"]


@pytest.mark.parametrize("weights", [None, "w"])
def test_pls_from_dask_moments_equals_pandas_fit(client, mobi, weights):
    import dask.dataframe as dd

    ddf = dd.from_pandas(mobi, npartitions=4)
    items = list(pls.parse_model(MOBI_MODEL).items)
    ref = pls.fit(MOBI_MODEL, mobi, weights=weights, progress=False)
    got = pls.fit_moments(MOBI_MODEL, moments(ddf, items, weights=weights))
    assert _num(got.outer, ref.outer, ["weight", "loading", "weight_unstd", "vif"]) < 1e-10
    assert _num(got.paths, ref.paths, ["estimate", "f2", "vif"]) < 1e-10
    assert _num(got.reliability, ref.reliability, ["alpha", "rho_c", "rho_a", "ave"]) < 1e-10
    assert np.nanmax(np.abs(got.htmt.to_numpy() - ref.htmt.to_numpy())) < 1e-10
    assert np.abs(got.r2.to_numpy() - ref.r2.to_numpy()).max() < 1e-10
    assert got.n == ref.n == len(mobi)
    # scores need the rows: empty, and the result says so
    assert got.scores.empty and any("construct scores" in w for w in got.warnings)


def test_moments_covariance_is_stable_for_a_large_mean(client):
    import dask.dataframe as dd

    rng = np.random.default_rng(12)
    n = 20_000
    z = rng.standard_normal((n, 2)) @ np.array([[1.0, 0.0], [0.6, 0.8]])
    df = pd.DataFrame(1e6 + z, columns=["a", "b"]).assign(w=rng.uniform(0.5, 2, n))
    # reference: the rows centred exactly before any squaring (shift is exact in binary)
    zc = df[["a", "b"]].to_numpy() - 1e6
    w = df["w"].to_numpy()
    mz = w @ zc / w.sum()
    ref = ((zc - mz) * w[:, None]).T @ (zc - mz) / w.sum()
    m = moments(dd.from_pandas(df, npartitions=7), ["a", "b"], weights="w")
    assert np.abs(m.cov().to_numpy() - ref).max() < 1e-8
    assert m.mean().to_numpy() - 1e6 == pytest.approx(mz, abs=1e-8)
    # raw sums (sum w x xᵀ - sw m mᵀ) lose this: the test can fail
    raw = (df[["a", "b"]].to_numpy() * w[:, None]).T @ df[["a", "b"]].to_numpy() / w.sum()
    mm = w @ df[["a", "b"]].to_numpy() / w.sum()
    assert np.abs(raw - np.outer(mm, mm) - ref).max() > 1e-6


def test_fit_moments_bad_inputs(hs):
    m = moments(hs, HS_COLS)
    with pytest.raises(InputTypeError, match="DataFrame"):
        sem.fit_moments(HS_MODEL, hs)
    with pytest.raises(SpecificationError, match="x10"):
        sem.fit_moments(HS_MODEL + " + x10", m)
    with pytest.raises(ParameterError, match="fourth=True"):
        sem.fit_moments(HS_MODEL, moments(hs, HS_COLS, weights="w"))
    with pytest.raises(ParameterError, match="'c'"):
        sem.fit_moments(HS_MODEL, moments(hs, HS_COLS, "half"), group="c")
    with pytest.raises(ParameterError, match="at least two groups"):
        sem.fit_moments(HS_MODEL, moments(hs, HS_COLS, "half"), groups=["a"])
    with pytest.raises(ParameterError, match="not both"):
        sem.fit_moments(HS_MODEL, moments(hs, HS_COLS, "half"), group="a", groups="all")
    with pytest.raises(ParameterError, match="needs a multigroup fit"):
        sem.fit_moments(HS_MODEL, m, group_equal=("loadings",))
    with pytest.raises(SpecificationError, match="x10"):
        pls.fit_moments("A =~ x1 + x2\nB =~ x3 + x10\nB ~ A", m)
    with pytest.raises(InputTypeError, match="ndarray"):
        pls.fit_moments("A =~ x1 + x2\nB =~ x3 + x4\nB ~ A", hs.to_numpy())


def test_fourth_order_products_brute_force(hs):
    # sum w² u uᵀ, u = [1, x - c, vec((x - c)(x - c)ᵀ)], merged over groups and re-centred
    cols = ["x1", "x4", "x7"]
    m = moments(hs, cols, "half", weights="w", fourth=True)
    x, w = hs[cols].to_numpy(float), hs["w"].to_numpy()
    for group, rows, c in ((None, slice(None), np.array([4.0, 3.0, 4.5])),
                           ("a", hs.half.to_numpy() == "a", None)):  # fmt: skip
        xr, wr = x[rows], w[rows]
        cc = wr @ xr / wr.sum() if c is None else c
        y = xr - cc
        u = np.hstack(
            [np.ones((len(y), 1)), y, (y[:, :, None] * y[:, None, :]).reshape(len(y), -1)]
        )
        ref = (u * (wr**2)[:, None]).T @ u
        assert np.abs(m.products(group, c) - ref).max() < 1e-9 * np.abs(ref).max()
