"""Vectorised PLS bootstrap: each replicate equals a refit on the resampled rows."""

import numpy as np
import pytest

import servqual
from servqual import pls
from servqual._resampling import replicate_seeds, resample_indices
from servqual.errors import BootstrapFailureWarning
from servqual.measurement import htmt

MODEL = """
Image        =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation  =~ CUEX1 + CUEX2 + CUEX3
Value        =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Complaints   =~ CUSCO
Satisfaction ~ Image + Expectation + Value
Complaints   ~ Satisfaction
"""


@pytest.fixture(scope="module")
def mobi():
    return servqual.load_dataset("mobi")


@pytest.fixture(scope="module")
def boot(mobi):
    return pls.fit(MODEL, mobi, n_boot=200, seed=11, progress=False)


def test_replicates_equal_refits_on_resampled_data(boot, mobi):
    tab = boot.bootstrap.table
    draws = boot.bootstrap.draws.estimates
    children = replicate_seeds(11, 200)
    for b in (0, 57, 199):
        idx = resample_indices(children[b], len(mobi))
        sample = mobi.iloc[idx].reset_index(drop=True)
        ref = pls.fit(MODEL, sample, progress=False)
        row = draws[b]
        got = row[(tab["kind"] == "path").to_numpy()]
        np.testing.assert_allclose(got, ref.paths["estimate"], atol=1e-6)
        got = row[(tab["kind"] == "weight").to_numpy()]
        np.testing.assert_allclose(got, ref.outer["weight"], atol=1e-6)
        got = row[(tab["kind"] == "loading").to_numpy()]
        np.testing.assert_allclose(got, ref.outer["loading"], atol=1e-6)
        tot = row[(tab["kind"] == "total").to_numpy()]
        np.testing.assert_allclose(tot, ref.effects["total"], atol=1e-6)
        h = htmt(sample, {b.name: list(b.items) for b in ref.model.blocks})
        hrows = tab[tab["kind"] == "htmt"]
        for (a, c), v in zip(
            hrows[["first", "second"]].itertuples(index=False),
            row[(tab["kind"] == "htmt").to_numpy()],
        ):
            assert v == pytest.approx(h.loc[a, c], abs=1e-10)


def test_intervals_from_draws(boot):
    tab = boot.bootstrap.table
    d = boot.bootstrap.draws.valid
    j = int(np.flatnonzero((tab["kind"] == "path").to_numpy())[0])
    lo, hi = np.quantile(d[:, j], [0.025, 0.975])
    p = boot.paths.iloc[0]
    assert (p["ci_lower"], p["ci_upper"]) == pytest.approx((lo, hi))
    assert p["se"] == pytest.approx(d[:, j].std(ddof=1))
    assert p["bca_lower"] < p["estimate"] < p["bca_upper"]
    for col in ("indirect_ci_lower", "total_bca_upper"):
        assert col in boot.effects.columns
    assert {"weight_ci_lower", "loading_bca_upper"} <= set(boot.outer.columns)
    # single-item Complaints has no HTMT; the 6 multi-item pairs do
    assert len(boot.htmt_ci) == 6 and "Complaints" not in set(boot.htmt_ci["construct_1"])


def test_same_seed_same_draws_whatever_n_jobs(mobi):
    a = pls.fit(MODEL, mobi, n_boot=40, seed=5, progress=False, n_jobs=1)
    b = pls.fit(MODEL, mobi, n_boot=40, seed=5, progress=False, n_jobs=2)
    np.testing.assert_array_equal(a.bootstrap.draws.estimates, b.bootstrap.draws.estimates)
    c = pls.fit(MODEL, mobi, n_boot=40, seed=6, progress=False)
    assert not np.array_equal(a.bootstrap.draws.estimates, c.bootstrap.draws.estimates)


def test_failed_replicates_are_counted(mobi):
    # With 3 iterations allowed, the full sample converges only loosely and some
    # resamples do not: they are failures, counted and warned about, never dropped.
    with pytest.warns(BootstrapFailureWarning, match="of 60 bootstrap replicates failed"):
        r = pls.fit(pls.ecsi_model(), mobi, n_boot=60, seed=1, progress=False, max_iter=4, tol=1e-4)
    d = r.bootstrap.draws
    assert 0 < d.n_failed < 60
    assert np.isnan(d.estimates[d.failed]).all()
    assert any("bootstrap replicates failed" in w for w in r.warnings)


def test_reliability_replicates_equal_refits(boot, mobi):
    # bootstrap CIs for reliability and convergent validity: each replicate's
    # alpha, rho_C, rho_A and AVE equal the reliability table of a refit on the
    # resampled rows; the estimates equal the full-sample table
    rel_ci = boot.reliability_ci
    for stat in ("alpha", "rho_c", "rho_a", "ave"):
        r = rel_ci[rel_ci["statistic"] == stat].set_index("construct")["estimate"]
        np.testing.assert_allclose(r, boot.reliability.loc[r.index, stat], atol=1e-10)
    tab = boot.bootstrap.table
    children = replicate_seeds(11, 200)
    for b in (3, 120):
        idx = resample_indices(children[b], len(mobi))
        ref = pls.fit(MODEL, mobi.iloc[idx].reset_index(drop=True), progress=False).reliability
        row = boot.bootstrap.draws.estimates[b]
        for stat in ("alpha", "rho_c", "rho_a", "ave"):
            sel = (tab["kind"] == stat).to_numpy()
            np.testing.assert_allclose(
                row[sel], ref.loc[tab.loc[sel, "first"], stat], atol=1e-6, err_msg=stat
            )
    assert (rel_ci["ci_lower"] < rel_ci["estimate"]).all()
    assert (rel_ci["estimate"] < rel_ci["ci_upper"]).all()


@pytest.mark.parametrize("scaled", [True, False])
def test_integer_answers_resample_moments_are_exact_single_precision(mobi, scaled, monkeypatch):
    # mobi's answers are integer codes 1-10: the resample covariances come from
    # exact single-precision sums (servqual._resampling.resample_products).  The
    # same answers shifted by 0.5 (not integers: the double-precision path) give
    # the same correlations and covariances, so the same bootstrap.
    import servqual.pls.bootstrap as pb

    used = []
    real = pb.count_moments_to_cov
    monkeypatch.setattr(pb, "count_moments_to_cov", lambda *a: used.append(1) or real(*a))
    a = pls.fit(MODEL, mobi, n_boot=60, seed=2, progress=False, scaled=scaled)
    assert len(used) == 8  # every stack of resamples (eight stacks of at most 8)
    used.clear()
    shifted = mobi.assign(**{c: mobi[c] + 0.5 for c in mobi.columns if c[:4].isupper()})
    b = pls.fit(MODEL, shifted, n_boot=60, seed=2, progress=False, scaled=scaled)
    assert not used
    da, db = a.bootstrap.draws.estimates, b.bootstrap.draws.estimates
    np.testing.assert_allclose(da, db, rtol=0, atol=1e-11)
    assert np.ptp(da, axis=0).max() > 1e-2
