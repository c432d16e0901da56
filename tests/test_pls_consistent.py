"""Consistency: population matrices give the true parameters exactly; PLSc on factor data."""

import numpy as np
import pytest

import servqual
from servqual import pls
from servqual.errors import NotPositiveDefiniteWarning
from servqual.pls.consistent import correct
from servqual.pls.core import Structure, estimate


def _true_paths(truth, model):
    pos = {c: j for j, c in enumerate(model.constructs)}
    B = np.zeros((len(pos), len(pos)))
    for s, t, b in truth.paths:
        B[pos[s], pos[t]] = b
    return B


def test_mode_b_on_population_composite_matrix_is_exact():
    # PLS mode B is consistent for the composite model: on the population covariance
    # the estimates equal the true weights and paths (up to the convergence tolerance).
    truth = pls.EcsiTruth()
    m = pls.ecsi_model().with_modes({c: "B" for c in pls.ecsi_model().constructs})
    st = Structure.from_model(m)
    est = estimate(truth.covariance(), st, tol=1e-13, max_iter=2000)
    w = truth.weights()
    got = est.W[0][np.arange(st.p), st.block_of]
    np.testing.assert_allclose(got, np.concatenate([w[c] for c in m.constructs]), atol=1e-9)
    np.testing.assert_allclose(est.B[0], _true_paths(truth, m), atol=1e-9)
    np.testing.assert_allclose(est.R[0], truth.construct_corr().to_numpy(), atol=1e-9)


def test_plsc_on_population_factor_matrix_is_exact():
    # PLSc (Dijkstra & Henseler 2015) is consistent for the common-factor model.
    truth = pls.EcsiTruth()
    m = pls.ecsi_model()
    st = Structure.from_model(m)
    S = truth.factor_covariance()
    est = correct(estimate(S, st, tol=1e-13, max_iter=2000), S[None], st)
    lam = np.concatenate([truth.loadings[c] for c in m.constructs])
    np.testing.assert_allclose(est.loadings[0], lam, atol=1e-9)
    np.testing.assert_allclose(est.B[0], _true_paths(truth, m), atol=1e-9)
    # plain PLS is not: loadings inflated, paths attenuated
    plain = estimate(S, st, tol=1e-13, max_iter=2000)
    assert np.max(np.abs(plain.loadings[0] - lam)) > 0.05
    assert np.max(np.abs(plain.B[0] - _true_paths(truth, m))) > 0.05


def test_plsc_recovers_factor_model_from_sample():
    # n = 20,000 common-factor data.  Disattenuation inflates sampling error (path SEs up
    # to ~0.012 here; the worst of 12 paths over seeds 0-3 was 0.021), hence +-0.035.
    data, truth = pls.simulate_ecsi(20_000, kind="factor", seed=77)
    m = pls.ecsi_model()
    res = pls.fit(m, data, consistent=True, progress=False)
    assert res.consistent
    p = res.paths.set_index(["source", "target"])["estimate"]
    for s, t, b in truth.paths:
        assert p[s, t] == pytest.approx(b, abs=0.035), (s, t)
    lam = np.concatenate([truth.loadings[c] for c in m.constructs])
    np.testing.assert_allclose(res.outer["loading"], lam, atol=0.03)
    # rho_A of the block equals (w'w)^2 c^2 and rho_c uses the consistent loadings
    rel = res.reliability.loc["Quality"]
    lq = res.outer.loc[res.outer["construct"] == "Quality", "loading"]
    assert rel["rho_c"] == pytest.approx(lq.sum() ** 2 / (lq.sum() ** 2 + (1 - lq**2).sum()))


def test_plsc_flags_improper_solution_on_mobi():
    # On mobi the disattenuated correlations of Image, Expectation, Quality and
    # Satisfaction are near 1 and the corrected matrix is not positive definite.
    with pytest.warns(NotPositiveDefiniteWarning, match="not positive definite"):
        res = pls.fit(
            pls.ecsi_model(), servqual.load_dataset("mobi"), consistent=True, progress=False
        )
    R = res.construct_correlations
    ev = np.linalg.eigvalsh(R.to_numpy())
    assert ev[0] < 0
    assert any("PLSc" in w for w in res.warnings)


def test_plsc_bootstrap_replicate_is_a_plsc_refit():
    from servqual._resampling import replicate_seeds, resample_indices

    data, _ = pls.simulate_ecsi(400, kind="factor", seed=5)
    m = pls.ecsi_model()
    res = pls.fit(m, data, consistent=True, n_boot=40, seed=3, progress=False)
    idx = resample_indices(replicate_seeds(3, 20)[7], len(data))
    ref = pls.fit(m, data.iloc[idx].reset_index(drop=True), consistent=True, progress=False)
    tab = res.bootstrap.table
    row = res.bootstrap.draws.estimates[7]
    np.testing.assert_allclose(
        row[(tab["kind"] == "path").to_numpy()], ref.paths["estimate"], atol=1e-6
    )
    np.testing.assert_allclose(
        row[(tab["kind"] == "loading").to_numpy()], ref.outer["loading"], atol=1e-6
    )
