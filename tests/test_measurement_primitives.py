"""Tests of the measurement primitives (alpha, Feldt CI, HTMT, HTMT2, rho_C, AVE, FL)."""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import servqual
from servqual.errors import (
    InsufficientDataError,
    MissingColumnError,
    MissingValuesError,
    ParameterError,
    ServqualWarning,
    SpecificationError,
)
from servqual.measurement import (
    ave,
    composite_reliability,
    cronbach_alpha,
    feldt_ci,
    fornell_larcker,
    htmt,
    htmt2,
)

MOBI_BLOCKS = {
    "image": [f"IMAG{i}" for i in range(1, 6)],
    "expectation": ["CUEX1", "CUEX2", "CUEX3"],
    "value": ["PERV1", "PERV2"],
    "satisfaction": ["CUSA1", "CUSA2", "CUSA3"],
}


@pytest.fixture(scope="module")
def mobi():
    return servqual.load_dataset("mobi")


# Reference: seminr 2.3 (R), estimate_pls() on mobi with mode-A composites, then
# summary(model)$validity$htmt and summary(model)$reliability (column "alpha").
# seminr's "alpha" is the standardized alpha (computed on standardized items).
SEMINR_HTMT = {
    ("image", "expectation"): 0.888,
    ("image", "value"): 0.652,
    ("image", "satisfaction"): 0.910,
    ("expectation", "value"): 0.589,
    ("expectation", "satisfaction"): 0.865,
    ("value", "satisfaction"): 0.741,
}
SEMINR_ALPHA = {"image": 0.7228, "expectation": 0.4519, "value": 0.8236, "satisfaction": 0.7792}


def test_htmt_matches_seminr_on_mobi(mobi):
    h = htmt(mobi, MOBI_BLOCKS)
    assert list(h.index) == list(MOBI_BLOCKS) == list(h.columns)
    for (a, b), ref in SEMINR_HTMT.items():
        assert h.loc[a, b] == pytest.approx(ref, abs=5e-4)  # seminr prints 3 decimals
        assert h.loc[b, a] == h.loc[a, b]
    assert np.isnan(np.diag(h.to_numpy())).all()


def test_standardized_alpha_matches_seminr_on_mobi(mobi):
    for name, ref in SEMINR_ALPHA.items():
        got = cronbach_alpha(mobi, MOBI_BLOCKS[name], standardized=True)
        assert got == pytest.approx(ref, abs=5e-5)  # seminr prints 4 decimals


def _brute_htmt(data, blocks, mean):
    """Loop-by-loop HTMT from pairwise Pearson correlations (definition, eq. 6)."""

    def r(a, b):
        return np.corrcoef(data[a].astype(float), data[b].astype(float))[0, 1]

    def mono(cols):
        return mean([r(a, b) for a, b in itertools.combinations(cols, 2)])

    out = {}
    for i, j in itertools.combinations(blocks, 2):
        het = mean([r(a, b) for a in blocks[i] for b in blocks[j]])
        out[i, j] = het / np.sqrt(mono(blocks[i]) * mono(blocks[j]))
    return out


def test_htmt_and_htmt2_equal_brute_force(mobi):
    gmean = lambda v: float(np.exp(np.mean(np.log(v))))  # noqa: E731
    for fun, mean in ((htmt, np.mean), (htmt2, gmean)):
        got = fun(mobi, MOBI_BLOCKS)
        for (a, b), v in _brute_htmt(mobi, MOBI_BLOCKS, mean).items():
            assert got.loc[a, b] == pytest.approx(v, rel=1e-12)


def test_htmt2_equals_htmt_when_correlations_equal():
    # Tau-equivalent population with equal correlations: arithmetic = geometric mean,
    # and both equal the latent correlation 0.5 exactly when fed the population matrix.
    rng = np.random.default_rng(1)
    f = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=200_000)
    x = np.column_stack([f[:, 0]] * 3 + [f[:, 1]] * 3) * 0.8 + 0.6 * rng.standard_normal(
        (200_000, 6)
    )
    df = pd.DataFrame(x, columns=list("abcdef"))
    blocks = {"A": list("abc"), "B": list("def")}
    # Monte-Carlo SE of a correlation near .3 at n=2e5 is ~0.002; ratio error < 0.01.
    assert htmt(df, blocks).loc["A", "B"] == pytest.approx(0.5, abs=0.01)
    assert htmt2(df, blocks).loc["A", "B"] == pytest.approx(0.5, abs=0.01)


def test_htmt_single_item_block_is_nan_and_htmt2_nonpositive_warns(mobi):
    blocks = dict(MOBI_BLOCKS, complaints=["CUSCO"])
    h = htmt(mobi, blocks)
    assert h["complaints"].isna().all()
    df = pd.DataFrame(
        {"a": [1, 2, 3, 4, 5], "b": [5, 4, 3, 1, 2], "c": [1, 3, 2, 5, 4], "d": [2, 1, 4, 3, 5]}
    )
    with pytest.warns(ServqualWarning, match="HTMT2"):
        h2 = htmt2(df, {"X": ["a", "b"], "Y": ["c", "d"]})
    assert np.isnan(h2.loc["X", "Y"])
    # r(a, b) = -0.9 < 0: HTMT's monotrait mean of X is negative -> NaN, and said so
    with pytest.warns(ServqualWarning, match="HTMT is undefined for X-Y"):
        h1 = htmt(df, {"X": ["a", "b"], "Y": ["c", "d"]})
    assert np.isnan(h1.loc["X", "Y"])


def test_htmt_bad_blocks(mobi):
    with pytest.raises(SpecificationError, match="CUEX1"):
        htmt(mobi, {"a": ["CUEX1", "CUEX2"], "b": ["CUEX1", "CUSA1"]})
    with pytest.raises(MissingColumnError, match="NOPE"):
        htmt(mobi, {"a": ["CUEX1", "NOPE"], "b": ["CUSA1", "CUSA2"]})
    with pytest.raises(SpecificationError, match="at least 2 constructs"):
        htmt(mobi, {"a": ["CUEX1", "CUEX2"]})


def test_alpha_equals_covariance_formula_and_is_scale_dependent(mobi):
    cols = MOBI_BLOCKS["image"]
    c = np.cov(mobi[cols].to_numpy(float), rowvar=False)
    k = len(cols)
    brute = k / (k - 1) * (1 - np.trace(c) / c.sum())
    assert cronbach_alpha(mobi, cols) == pytest.approx(brute, rel=1e-12)
    # raw alpha differs from the standardized one (unequal item variances)
    assert abs(cronbach_alpha(mobi, cols) - SEMINR_ALPHA["image"]) > 0.005


def test_alpha_bad_input():
    df = pd.DataFrame({"a": [1, 2, np.nan, 4], "b": [1, 3, 3, 4]})
    with pytest.raises(MissingValuesError, match="'a': 1"):
        cronbach_alpha(df)
    with pytest.raises(InsufficientDataError, match="at least 2 items"):
        cronbach_alpha(df.dropna(), ["a"])


def test_feldt_ci_formula_and_coverage():
    # Formula: 1 - (1 - alpha) F quantiles with (n-1, (n-1)(k-1)) df (Feldt 1965).
    lo, hi = feldt_ci(0.8, n=50, k=4, ci=0.9)
    assert lo == pytest.approx(1 - 0.2 * stats.f.ppf(0.95, 49, 147))
    assert hi == pytest.approx(1 - 0.2 * stats.f.ppf(0.05, 49, 147))
    assert lo < 0.8 < hi
    # Coverage: the interval is exact for the two-way random model
    # x_ij = t_i + e_ij (normal, equal error variances).  2,000 replicates: the
    # Monte-Carlo SE of the coverage is sqrt(.95*.05/2000) = 0.0049, bound = 3 SE.
    rng = np.random.default_rng(2024)
    reps, n, k = 2000, 30, 4
    t = rng.standard_normal((reps, n, 1))
    x = t + 1.2 * rng.standard_normal((reps, n, k))
    true_alpha = k * 1 / (k * 1 + 1.44)
    item_var = x.var(axis=1, ddof=1).sum(axis=1)
    tot_var = x.sum(axis=2).var(axis=1, ddof=1)
    a_hat = k / (k - 1) * (1 - item_var / tot_var)
    cover = np.mean([lo <= true_alpha <= hi for lo, hi in (feldt_ci(a, n=n, k=k) for a in a_hat)])
    assert abs(cover - 0.95) < 0.015
    with pytest.raises(ParameterError, match="ci=1.5"):
        feldt_ci(0.8, n=50, k=4, ci=1.5)


def test_composite_reliability_and_ave_by_hand():
    lam = [0.7, 0.8, 0.9]
    assert composite_reliability(lam) == pytest.approx(2.4**2 / (2.4**2 + 0.51 + 0.36 + 0.19))
    assert ave(lam) == pytest.approx((0.49 + 0.64 + 0.81) / 3)
    assert composite_reliability({"a": 1.0, "b": 2.0}, error_var=[1.0, 2.0]) == pytest.approx(
        9 / 12
    )
    with pytest.raises(ParameterError, match="standardized"):
        ave([0.5, 1.2])
    with pytest.raises(ParameterError, match="error_var"):
        composite_reliability([0.5, 0.6], error_var=[0.1])


def test_omega_equals_reliability_of_sum_score_under_congeneric_model():
    # Population check: omega = var(true part of sum) / var(sum).
    lam = np.array([0.5, 1.0, 1.5, 0.8])
    theta = np.array([1.0, 0.5, 2.0, 0.3])
    sigma = np.outer(lam, lam) + np.diag(theta)
    assert composite_reliability(lam, error_var=theta) == pytest.approx(
        lam.sum() ** 2 / sigma.sum()
    )


def test_fornell_larcker():
    c = pd.DataFrame(
        [[1, 0.6, -0.8], [0.6, 1, 0.2], [-0.8, 0.2, 1]], index=list("abc"), columns=list("abc")
    )
    fl = fornell_larcker({"a": 0.7, "b": 0.5, "c": 0.6}, c)
    assert fl.loc["a", "max_abs_corr"] == pytest.approx(0.8)
    assert fl.loc["a", "most_correlated"] == "c"
    assert fl["passed"].tolist() == [np.sqrt(0.7) > 0.8, np.sqrt(0.5) > 0.6, np.sqrt(0.6) > 0.8]
    with pytest.raises(SpecificationError, match="'d'"):
        fornell_larcker({"d": 0.5}, c)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fornell_larcker({"a": 0.7, "b": 0.5}, c)
