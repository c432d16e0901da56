"""Tests for servqual.wom: TARP funnel, Bass diffusion, customer-base models."""

import numpy as np
import pytest
from scipy import integrate, special

from servqual import errors
from servqual.wom import (
    bass_cdf,
    bass_discrete,
    bass_negative_wom,
    bass_pdf,
    bass_peak_time,
    complaint_funnel,
    customer_base,
    fit_bass,
    simulate_customer_base,
    steady_state,
    steady_state_referral_share,
)

# ----------------------------------------------------------------- TARP


def test_tarp_funnel_recomputed_by_hand_headquarters_small_ticket():
    f = complaint_funnel(1000, channel="headquarters", ticket="small")
    c = 1 / 27  # about 1 complaint to headquarters per 27 problems (the "4%")
    silent, unresolved = 1000 * (1 - c), 1000 * c * 0.5
    resolved, quick = 1000 * c * 0.5 * 0.5, 1000 * c * 0.5 * 0.5
    # TARP repurchase, loss < $5: 37%, 46%, 70%, 95%
    lost = silent * 0.63 + unresolved * 0.54 + resolved * 0.30 + quick * 0.05
    assert f.lost_customers == pytest.approx(lost)
    assert f.revenue_at_risk == pytest.approx(lost)
    assert f.iceberg == pytest.approx(27)
    assert f.complaints_received == pytest.approx(1000 / 27)
    assert f.silent_exit_share == pytest.approx(silent * 0.63 / 1000)
    assert f.negative_reach == pytest.approx((silent + unresolved) * 9.5)
    assert f.positive_reach == pytest.approx((resolved + quick) * 4.5)
    assert f.table["customers"].sum() == pytest.approx(1000)


def test_tarp_front_line_large_ticket_changes_the_conclusion():
    f = complaint_funnel(
        500,
        channel="front_line",
        ticket="large",
        satisfied_rate=0.6,
        quick_rate=0.25,
        value_per_customer=200,
    )
    c = 0.5
    br = np.array([500 * (1 - c), 500 * c * 0.4, 500 * c * 0.6 * 0.75, 500 * c * 0.6 * 0.25])
    lost = br @ (1 - np.array([0.09, 0.19, 0.54, 0.82]))  # TARP loss > $100
    assert f.lost_customers == pytest.approx(lost)
    assert f.revenue_at_risk == pytest.approx(200 * lost)
    assert f.iceberg == pytest.approx(2.0)
    hq = complaint_funnel(500, channel="headquarters", ticket="large")
    assert hq.silent_share > 0.96 > f.silent_share
    assert "iceberg" in str(f.summary())


def test_tarp_custom_repurchase_and_bad_inputs():
    f = complaint_funnel(100, complaint_rate=0.2, repurchase={"silent": 0.5})
    assert f.table.loc[0, "lost"] == pytest.approx(100 * 0.8 * 0.5)
    with pytest.raises(errors.ParameterError, match=r"n_problems=10.5"):
        complaint_funnel(10.5)
    with pytest.raises(errors.ParameterError, match=r"complaint_rate=1.5"):
        complaint_funnel(100, complaint_rate=1.5)
    with pytest.raises(errors.ParameterError, match=r"channel='email'"):
        complaint_funnel(100, channel="email")
    with pytest.raises(errors.ParameterError, match=r"repurchase\['silent'\]=2"):
        complaint_funnel(100, repurchase={"silent": 2})
    with pytest.raises(errors.ParameterError, match=r"repurchase=\[0.5, 0.6\]"):
        complaint_funnel(100, repurchase=[0.5, 0.6])


# ----------------------------------------------------------------- Bass


def test_bass_closed_form_matches_ode_integration():
    p, q = 0.025, 0.42
    t = np.linspace(0, 25, 51)
    sol = integrate.solve_ivp(
        lambda _, F: (p + q * F) * (1 - F), (0, 25), [0.0], t_eval=t, rtol=1e-11, atol=1e-13
    )
    assert np.max(np.abs(sol.y[0] - bass_cdf(t, p, q))) < 1e-8
    # density is the derivative of the CDF (central differences, h = 1e-5 -> error ~1e-10)
    h = 1e-5
    assert np.allclose(
        bass_pdf(t[1:], p, q),
        (bass_cdf(t[1:] + h, p, q) - bass_cdf(t[1:] - h, p, q)) / (2 * h),
        atol=1e-8,
    )


def test_bass_peak_time_is_argmax_of_density():
    for p, q in ((0.03, 0.38), (0.01, 0.6), (0.2, 0.25)):
        grid = np.linspace(0, 40, 400_001)  # step 1e-4
        assert bass_peak_time(p, q) == pytest.approx(
            grid[np.argmax(bass_pdf(grid, p, q))], abs=2e-4
        )
    assert bass_peak_time(0.3, 0.1) == 0.0  # q <= p: density decreasing from t = 0


def test_bass_discrete_by_hand():
    d = bass_discrete(3, 0.1, 0.5, 100)
    n1 = 0.1 * 100
    n2 = (0.1 + 0.5 * n1 / 100) * (100 - n1)
    n3 = (0.1 + 0.5 * (n1 + n2) / 100) * (100 - n1 - n2)
    assert d["adopters"].tolist() == pytest.approx([n1, n2, n3])


def test_fit_bass_recovers_known_parameters():
    # Poisson adoption counts from m = 200,000, p = 0.02, q = 0.35 over 20 periods.
    # Tolerance: 4 NLS standard errors (the fit's own uncertainty), and the
    # standard errors themselves are small relative to the values.
    rng = np.random.default_rng(11)
    m, p, q = 200_000, 0.02, 0.35
    mean = m * np.diff(bass_cdf(np.arange(21), p, q))
    y = rng.poisson(mean)
    f = fit_bass(y)
    for name, true in (("p", p), ("q", q), ("m", m)):
        assert abs(getattr(f, name) - true) < 4 * f.se[name]
        assert f.se[name] < 0.05 * true
    assert f.converged and f.predict(np.arange(1, 21)).sum() == pytest.approx(y.sum(), rel=0.01)
    assert "peak time" in str(f.summary())


def test_bass_negative_wom_ode():
    t = np.linspace(0, 30, 61)
    plain = bass_negative_wom(t, 0.03, 0.4, m=1000)
    assert np.allclose(plain["adopters"], 1000 * bass_cdf(t, 0.03, 0.4), atol=1e-5)
    neg = bass_negative_wom(t, 0.03, 0.4, q_negative=0.8, churn=0.1, m=1000)
    # dD/dt = delta N  =>  D(t) = delta * integral of N (trapezoid on a fine grid)
    fine = bass_negative_wom(
        np.linspace(0, 30, 30001), 0.03, 0.4, q_negative=0.8, churn=0.1, m=1000
    )
    integral = integrate.trapezoid(fine["adopters"], fine["t"])
    assert neg["defected"].iloc[-1] == pytest.approx(0.1 * integral, rel=1e-6)
    assert np.all(neg["ever_adopted"] <= plain["ever_adopted"] + 1e-9)
    assert neg["ever_adopted"].iloc[-1] < plain["ever_adopted"].iloc[-1] - 1
    assert np.all(neg["ever_adopted"] <= 1000 + 1e-6)


def test_bass_bad_input():
    with pytest.raises(errors.ParameterError, match=r"p=0 is invalid"):
        bass_cdf(1.0, 0, 0.3)
    with pytest.raises(errors.ParameterError, match=r"p=-0.1"):
        bass_peak_time(-0.1, 0.3)
    with pytest.raises(errors.DataError, match=r"adoptions\[1\]=-3.0"):
        fit_bass([1, -3, 4, 5, 6])


# ----------------------------------------------------------------- customer base


def test_deterministic_base_converges_to_steady_state():
    r, a, rho = 0.75, 120.0, 0.1
    df = customer_base(200, initial=0, retention=r, acquisition=a, referral=rho)
    assert df["customers"].iloc[-1] == pytest.approx(steady_state(r, a, rho), rel=1e-12)
    assert steady_state(r, a, rho) == pytest.approx(a / (1 - r - rho))
    share = df["referral_share"].iloc[-1]
    assert share == pytest.approx(steady_state_referral_share(r, rho), rel=1e-10)
    assert share == pytest.approx(rho / (1 - r))
    # iterate by hand for a few steps with a varying acquisition
    df2 = customer_base(3, initial=50, retention=0.9, acquisition=[1, 2, 3], referral=0.02)
    n = 50.0
    for t, a_t in enumerate([1, 2, 3], start=1):
        n = 0.9 * n + a_t + 0.02 * n
        assert df2["customers"].iloc[t] == pytest.approx(n)


def _mc_moments(n0, r, a, rho, periods):
    """Mean and variance of N_t: N_{t+1} = Bin(N_t, r) + Pois(a) + Pois(rho N_t)."""
    g, mean, var = r + rho, [float(n0)], [0.0]
    for _ in range(periods):
        var.append(g**2 * var[-1] + (r * (1 - r) + rho) * mean[-1] + a)
        mean.append(g * mean[-1] + a)
    return np.array(mean), np.array(var)


def test_monte_carlo_mean_matches_deterministic_recursion():
    n0, r, a, rho, T, R = 20_000, 0.82, 900.0, 0.06, 15, 200
    sim = simulate_customer_base(
        n0,
        T,
        retention=r,
        acquisition=a,
        referral=rho,
        replicates=R,
        chunk_size=7_000,
        seed=5,
        progress=False,
    )
    det = customer_base(T, initial=n0, retention=r, acquisition=a, referral=rho)
    mean, var = _mc_moments(n0, r, a, rho, T)
    assert np.allclose(det["customers"], mean)
    got = sim.mean_path()["customers_mean"].to_numpy()
    se = np.sqrt(var / R)
    # 4 standard errors of the replicate mean (binomial + Poisson variance, exact recursion)
    assert np.all(np.abs(got - mean) <= 4 * se + 1e-9)
    # the spread across replicates matches the analytic SD (within 25%: R = 200 -> SE(sd)~5%)
    assert "Final period" in str(sim.summary())
    sd = sim.mean_path()["customers_sd"].to_numpy()[1:]
    assert np.allclose(sd, np.sqrt(var[1:]), rtol=0.25)


def test_satisfaction_drives_churn_per_customer():
    # first-period churn expectation: E[expit(logit(1 - r) + b s)], s ~ N(mu, 1),
    # by Gauss-Hermite quadrature.  Each customer's s is drawn independently, so
    # each churns marginally Bernoulli(pc), independently: the count is
    # Binomial(n0, pc); tolerance 4 SEs of its mean over R replicates.
    n0, r, b, mu, R = 50_000, 0.8, -0.8, 0.3, 20
    x, w = np.polynomial.hermite_e.hermegauss(60)
    pc = np.sum(w * special.expit(special.logit(1 - r) + b * (x + mu))) / np.sqrt(2 * np.pi)
    sim = simulate_customer_base(
        n0,
        1,
        retention=r,
        churn_on_satisfaction=b,
        satisfaction_mean=mu,
        wom_negative=5.0,
        replicates=R,
        seed=3,
        progress=False,
    )
    churned = sim.paths.loc[sim.paths.period == 1, "churned"].to_numpy()
    assert churned.mean() == pytest.approx(n0 * pc, abs=4 * np.sqrt(n0 * pc * (1 - pc) / R))
    # higher satisfaction -> fewer churners than the homogeneous base (r = 0.8 for s = 0)
    assert churned.mean() < n0 * (1 - r)


def test_same_seed_same_result_whatever_n_jobs():
    kw = dict(
        retention=0.85,
        acquisition=300.0,
        referral=0.04,
        churn_on_satisfaction=-0.5,
        wom_on_satisfaction=0.4,
        wom_negative=2.0,
        replicates=3,
        chunk_size=2_000,
        seed=123,
        progress=False,
    )
    a = simulate_customer_base(5_000, 6, n_jobs=1, **kw).paths
    b = simulate_customer_base(5_000, 6, n_jobs=2, **kw).paths
    assert a.equals(b)
    c = simulate_customer_base(5_000, 6, n_jobs=1, **{**kw, "seed": 124}).paths
    assert not a.equals(c)


def test_dask_local_cluster_gives_same_result():
    distributed = pytest.importorskip("distributed")
    kw = dict(
        retention=0.8,
        acquisition=100.0,
        referral=0.05,
        churn_on_satisfaction=-0.5,
        replicates=2,
        chunk_size=1_500,
        seed=9,
        progress=False,
    )
    serial = simulate_customer_base(3_000, 5, **kw).paths
    with (
        distributed.LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cl,
        distributed.Client(cl),
    ):
        viadask = simulate_customer_base(3_000, 5, n_jobs=2, backend="dask", **kw).paths
        # many chunks, grouped into batches per worker: still the serial result
        kw.update(chunk_size=250, wom_on_satisfaction=0.4, wom_negative=2.0)
        batched = simulate_customer_base(3_000, 5, backend="dask", **kw).paths
    assert serial.equals(viadask)
    assert batched.equals(simulate_customer_base(3_000, 5, **kw).paths)
    assert batched.equals(simulate_customer_base(3_000, 5, n_jobs=2, **kw).paths)


def test_dask_backend_needs_a_client():
    pytest.importorskip("distributed")
    with pytest.raises(errors.ParameterError, match="running dask.distributed Client"):
        simulate_customer_base(100, 2, backend="dask", seed=1, progress=False)


def test_customer_base_bad_input():
    with pytest.raises(errors.ParameterError, match=r"n_customers=10.5"):
        simulate_customer_base(10.5, 3, progress=False)
    with pytest.raises(errors.ParameterError, match=r"n_customers='100'"):
        simulate_customer_base("100", 3, progress=False)
    with pytest.raises(errors.ParameterError, match=r"retention=1.2"):
        simulate_customer_base(100, 3, retention=1.2, progress=False)
    with pytest.raises(errors.ParameterError, match=r"retention \+ referral = 1"):
        steady_state(0.9, 10, 0.1)
    with pytest.raises(errors.ParameterError, match=r"retention=1.0"):
        customer_base(3, initial=10, retention=1.0)
    with pytest.raises(errors.ParameterError, match=r"backend='spark'"):
        simulate_customer_base(100, 3, backend="spark", progress=False)


def test_more_bad_input():
    with pytest.raises(errors.InsufficientDataError, match="0 non-zero period"):
        fit_bass([0, 0, 0, 0, 0])
    with pytest.raises(errors.ParameterError, match=r"acquisition=nan"):
        customer_base(3, initial=10, retention=0.5, acquisition=float("nan"))
    with pytest.raises(errors.ParameterError, match=r"acquisition=\[1, -2, 3\]"):
        customer_base(3, initial=10, retention=0.5, acquisition=[1, -2, 3])


def test_referrals_and_negative_wom_follow_satisfaction():
    # First period, n0 customers with s ~ N(0, 1), wom effect b = 0.6, churn effect 0:
    # referrals ~ Poisson(rho * sum exp(b s - b^2/2)), E = rho * n0 (the normalisation makes
    # the mean rate rho); each churner tells Poisson(nu * exp(-b s - b^2/2)) people and
    # churners are a random half-sample here, so E[wom_negative] = nu * E[churned].
    # Tolerance: 4 SEs of the replicate mean, SEs from the law of total variance:
    # Var(referred) = E[lambda] + Var(lambda) = rho n0 + rho^2 n0 (e^{b^2} - 1).
    n0, rho, nu, b, r, R = 40_000, 0.05, 3.0, 0.6, 0.5, 30
    sim = simulate_customer_base(
        n0,
        1,
        retention=r,
        referral=rho,
        wom_on_satisfaction=b,
        wom_negative=nu,
        replicates=R,
        seed=17,
        progress=False,
    )
    first = sim.paths[sim.paths.period == 1]
    var_ref = rho * n0 + rho**2 * n0 * (np.exp(b**2) - 1)
    assert first["referred"].mean() == pytest.approx(rho * n0, abs=4 * np.sqrt(var_ref / R))
    churned = first["churned"].to_numpy()
    n_c = n0 * (1 - r)
    var_neg = nu * n_c + nu**2 * n_c * (np.exp(b**2) - 1) + nu**2 * n0 * r * (1 - r)
    assert first["wom_negative"].mean() == pytest.approx(nu * n_c, abs=4 * np.sqrt(var_neg / R))
    assert churned.mean() == pytest.approx(n_c, abs=4 * np.sqrt(n0 * r * (1 - r) / R))
    # with satisfaction shifted up by 1 the referral rate rises by exp(b) and the WOM of
    # churners falls by exp(-b) (same churn, since churn does not depend on satisfaction);
    # each replicate mean has a relative SE of about 0.4-0.6%, so 5% is > 8 SEs of the ratio
    up = simulate_customer_base(
        n0,
        1,
        retention=r,
        referral=rho,
        wom_on_satisfaction=b,
        satisfaction_mean=1.0,
        wom_negative=nu,
        replicates=R,
        seed=18,
        progress=False,
    ).paths.query("period == 1")
    ratio_ref = up["referred"].mean() / first["referred"].mean()
    ratio_neg = up["wom_negative"].mean() / first["wom_negative"].mean()
    assert ratio_ref == pytest.approx(np.exp(b), rel=0.05)
    assert ratio_neg == pytest.approx(np.exp(-b), rel=0.05)


def test_bass_negative_wom_flags_solver_failure(monkeypatch):
    import types

    from servqual import diffusion

    def failing(fun, span, y0, t_eval, **kw):  # stops after two of the requested times
        return types.SimpleNamespace(
            success=False, message="step size too small", y=np.array([[0.0, 1.0], [0.0, 0.1]])
        )

    monkeypatch.setattr(diffusion.integrate, "solve_ivp", failing)
    with pytest.warns(errors.ConvergenceWarning, match="step size too small"):
        df = bass_negative_wom([0, 1, 2, 3], 0.03, 0.4)
    assert df.attrs["warnings"] == ("ODE solver failed: step size too small",)
    assert df["adopters"].tolist()[:2] == [0.0, 1.0] and df["adopters"].iloc[2:].isna().all()


def test_buffered_simulation_draws_what_the_allocating_one_did():
    # computed with servqual at 2741a84 (before the buffers and block-wise compaction):
    # the same seed and chunk_size give the same counts, period by period
    old = [[0, 5000, 0, 0, 0, 0, 0], [1, 4511, 3957, 1043, 271, 283, 3391],
           [2, 4183, 3624, 887, 303, 256, 2507], [3, 3968, 3402, 781, 299, 267, 2107],
           [4, 3791, 3247, 721, 335, 209, 1795], [5, 3696, 3147, 644, 309, 240, 1652],
           [6, 3580, 3059, 637, 284, 237, 1588]]  # fmt: skip
    sim = simulate_customer_base(5000, 6, acquisition=300.0, referral=0.05,
                                 churn_on_satisfaction=-0.8, wom_on_satisfaction=0.6,
                                 wom_negative=2.5, satisfaction_mean=0.1, chunk_size=700,
                                 seed=3, progress=False)  # fmt: skip
    assert sim.paths.drop(columns=["replicate"]).to_numpy().tolist() == old
