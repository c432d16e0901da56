"""Tests of polychoric correlations, thresholds and their asymptotic covariance."""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

from servqual.errors import (
    ConstantItemError,
    ImproperSolutionWarning,
    MissingValuesError,
    OutOfRangeError,
)
from servqual.sem.polychoric import (
    bivariate_normal_cdf,
    polychoric,
    polychoric_matrix,
    polychoric_moments,
    thresholds,
)


def _discretize(z, cuts):
    return np.digitize(z, cuts) + 1  # codes 1..len(cuts)+1


def test_bivariate_normal_cdf_against_plackett_quadrature():
    # Plackett (1954): Phi2(h, k; rho) = Phi(h) Phi(k) + int_0^rho phi2(h, k; r) dr
    def phi2(r, h, k):
        s2 = 1 - r * r
        return np.exp(-(h * h - 2 * r * h * k + k * k) / (2 * s2)) / (2 * np.pi * np.sqrt(s2))

    cases = [
        (0.0, 0.0, 0.5),
        (0.0, -0.7, 0.3),
        (1.2, 0.0, -0.6),
        (-1.5, 0.4, 0.95),
        (0.3, 2.1, -0.97),
        (-2.5, -2.0, 0.8),
        (1.0, 1.0, 0.0),
    ]
    for h, k, r in cases:
        ref = (
            special.ndtr(h) * special.ndtr(k)
            + integrate.quad(phi2, 0, r, args=(h, k), epsabs=1e-14, epsrel=1e-13)[0]
        )
        assert float(bivariate_normal_cdf(h, k, r)) == pytest.approx(ref, abs=1e-12)
    # infinite limits
    assert float(bivariate_normal_cdf(np.inf, 0.3, 0.5)) == pytest.approx(special.ndtr(0.3))
    assert float(bivariate_normal_cdf(-np.inf, 0.3, 0.5)) == 0.0
    assert float(bivariate_normal_cdf(np.inf, np.inf, 0.5)) == 1.0


def test_thresholds_are_inverse_normal_of_cumulative_proportions():
    x = np.array([1] * 10 + [2] * 25 + [4] * 40 + [5] * 25)  # category 3 unused
    got = thresholds(x)
    np.testing.assert_allclose(got.to_numpy(), stats.norm.ppf([0.10, 0.35, 0.75]), rtol=1e-12)
    assert list(got.index) == ["t1", "t2", "t3"]


def test_recovers_known_latent_correlation():
    rng = np.random.default_rng(42)
    n = 20_000
    for rho in (0.6, -0.35):
        z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
        x = _discretize(z[:, 0], [-1.5, -0.5, 0.3, 1.2])
        y = _discretize(z[:, 1], [-0.8, 0.2, 0.9])
        res = polychoric(x, y)
        # the estimator is consistent; 4 SE covers sampling error (SE ~ 0.007 here)
        assert abs(res.rho - rho) < 4 * res.se
        assert 0.004 < res.se < 0.012
        np.testing.assert_allclose(res.thresholds_x, [-1.5, -0.5, 0.3, 1.2], atol=0.05)
        assert res.table.to_numpy().sum() == n and res.converged


def _brute_loglik(table, tx, ty, rho):
    """Cell probabilities by trapezoid integration of phi(x) Phi((b - rho x)/s) over x."""
    s = np.sqrt(1 - rho * rho)
    xs = np.linspace(-9, 9, 36_001)
    a = np.r_[-9.0, tx, 9.0]
    b = np.r_[-np.inf, ty, np.inf]
    # F[i, j] = P(X <= a_i, Y <= b_j)
    cdf_y = special.ndtr((b[None, :] - rho * xs[:, None]) / s) * stats.norm.pdf(xs)[:, None]
    cum = integrate.cumulative_trapezoid(cdf_y, xs, axis=0, initial=0.0)
    F = np.array([[np.interp(ai, xs, cum[:, j]) for j in range(b.size)] for ai in a])
    pi = F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1]
    return float(np.sum(table * np.log(pi)))


def test_ml_matches_brute_force_likelihood_grid_search():
    rng = np.random.default_rng(7)
    z = rng.multivariate_normal([0, 0], [[1, 0.45], [0.45, 1]], size=800)
    x = _discretize(z[:, 0], [-0.9, 0.1, 1.0])
    y = _discretize(z[:, 1], [-0.3, 0.7])
    res = polychoric(x, y)
    table = res.table.to_numpy()
    tx, ty = res.thresholds_x.to_numpy(), res.thresholds_y.to_numpy()
    coarse = np.arange(-0.95, 0.951, 0.05)
    best = coarse[np.argmax([_brute_loglik(table, tx, ty, r) for r in coarse])]
    fine = np.arange(best - 0.05, best + 0.05, 0.001)
    ll = [_brute_loglik(table, tx, ty, r) for r in fine]
    assert res.rho == pytest.approx(fine[int(np.argmax(ll))], abs=1e-3)  # grid step
    assert res.loglik == pytest.approx(max(ll), abs=1e-3)


def test_gamma_matches_monte_carlo_covariance():
    # Gamma/n must reproduce the sampling covariance of the polychorics, including the
    # covariance between pairs sharing an item and the thresholds' uncertainty.
    rng = np.random.default_rng(2024)
    R = np.array([[1, 0.5, 0.4], [0.5, 1, 0.3], [0.4, 0.3, 1]])
    cuts = [[-1, 0, 0.8], [-0.5, 0.5], [-1.2, -0.2, 0.6, 1.4]]
    reps, n = 150, 300
    est, gam = [], []
    for _ in range(reps):
        z = rng.multivariate_normal(np.zeros(3), R, size=n)
        df = pd.DataFrame({f"x{j}": _discretize(z[:, j], cuts[j]) for j in range(3)})
        m = polychoric_moments(df)
        est.append(m.corr.to_numpy()[np.tril_indices(3, -1)])
        gam.append(m.gamma.to_numpy() / n)
    mc = np.cov(np.array(est).T)
    model = np.mean(gam, axis=0)
    # MC variance of a variance estimate with 150 reps: ~12% relative SE -> 35% bound (3 SE)
    np.testing.assert_allclose(np.diag(model), np.diag(mc), rtol=0.35)
    # covariances: MC SE ~ 0.0003 (from var ~0.003 / sqrt(150)); 3 SE bound
    off = ~np.eye(3, dtype=bool)
    assert np.max(np.abs(model[off] - mc[off])) < 0.001
    assert np.all(model[off] > 0)  # pairs sharing an item covary positively here
    # pair order is the row-wise lower triangle
    assert m.pairs == [("x1", "x0"), ("x2", "x0"), ("x2", "x1")]
    np.testing.assert_allclose(m.weights.to_numpy(), 1 / np.diag(m.gamma.to_numpy()))


def test_matrix_is_symmetric_with_pairwise_values():
    rng = np.random.default_rng(3)
    z = rng.multivariate_normal(
        np.zeros(3), [[1, 0.5, 0.2], [0.5, 1, 0.3], [0.2, 0.3, 1]], size=2000
    )
    df = pd.DataFrame({c: _discretize(z[:, j], [-1, 0, 1]) for j, c in enumerate("abc")})
    R = polychoric_matrix(df)
    np.testing.assert_allclose(R.to_numpy(), R.to_numpy().T)
    assert R.loc["a", "c"] == pytest.approx(polychoric(df["a"], df["c"]).rho, abs=1e-8)


def test_bad_input_and_boundary_warning():
    x = np.array([1, 2, 3, 1, 2, 3, 2, 1])
    with pytest.raises(ConstantItemError, match="'y'"):
        polychoric_moments(pd.DataFrame({"x": x, "y": np.ones(8)}))
    with pytest.raises(OutOfRangeError, match="'c'.*distinct"):
        polychoric_moments(pd.DataFrame({"x": np.arange(30) % 3, "c": np.arange(30)}))
    with pytest.raises(MissingValuesError, match="'y'"):
        polychoric_moments(pd.DataFrame({"x": [1, 2, 3.0], "y": [1, np.nan, 2]}))
    with pytest.warns(ImproperSolutionWarning, match="at the bound"):
        res = polychoric(pd.Series(x, name="a"), pd.Series(x, name="b"))
    assert not res.converged and res.rho > 0.999


# ------------------------------------------------ found by the dirty-frame fuzz (issue #14)
@pytest.fixture(scope="module")
def _full_gamma_case():
    import servqual

    df = servqual.simulate_survey(120, seed=11)[0][["P1", "P2", "P3"]]
    return df, polychoric_moments(df, ["P1", "P2", "P3"])


def test_full_gamma_names_a_missing_answer(_full_gamma_case):
    from servqual.sem.polychoric import full_gamma

    df, m = _full_gamma_case
    df = df.astype(float)
    df.loc[0, "P1"] = np.nan  # was an IndexError deep in the influence functions
    with pytest.raises(MissingValuesError, match=r"'P1'.*row 0"):
        full_gamma(df, m)


def test_full_gamma_refuses_a_frame_other_than_the_moments_one(_full_gamma_case):
    from servqual.errors import ParameterError
    from servqual.sem.polychoric import full_gamma

    df, m = _full_gamma_case
    # fewer rows: was a silently wrong matrix
    with pytest.raises(ParameterError, match=r"60 row\(s\) but the moments were estimated on 120"):
        full_gamma(df.head(60), m)
    # an item with fewer categories: was a raw LinAlgError ("Singular matrix")
    clipped = df.assign(P2=df["P2"].clip(upper=int(df["P2"].max()) - 2))
    with pytest.raises(ParameterError, match=r"column 'P2' has \d+ categories in data"):
        full_gamma(clipped, m)
    with pytest.raises(ParameterError, match="PolychoricMoments"):
        full_gamma(df, None)  # was an AttributeError
