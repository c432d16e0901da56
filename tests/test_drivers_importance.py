"""Shapley/LMG dominance analysis and Johnson's relative weights.

Reference values: brute-force refitting of every subset with statsmodels OLS
(agreement to 1e-10: both are exact least-squares R², differing only by
floating-point rounding of order 1e-15), and the published example of the R
package ``rwa`` (Martin Chan, vignette "Introduction to Relative Weights
Analysis with the rwa Package", mtcars, mpg ~ cyl + disp + hp + gear).
"""

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from servqual import load_dataset
from servqual.drivers import (
    relative_weights,
    relative_weights_from_corr,
    shapley,
    shapley_from_corr,
)
from servqual.errors import (
    DataError,
    MissingColumnError,
    MissingDataWarning,
    MissingValuesError,
    NonNumericError,
    ParameterError,
)


def _ols_r2(y, x, cols):
    if not cols:
        return 0.0
    return sm.OLS(y, sm.add_constant(x[:, list(cols)])).fit().rsquared


def _brute(y, x, units):
    """All-subset R² by refitting, Shapley values and conditional dominance by definition."""
    g = len(units)
    r2 = {}
    for k in range(g + 1):
        for s in combinations(range(g), k):
            cols = sorted(c for u in s for c in units[u])
            r2[frozenset(s)] = _ols_r2(y, x, cols)
    sv = np.zeros(g)
    cond = np.zeros((g, g))
    for j in range(g):
        others = [i for i in range(g) if i != j]
        for k in range(g):
            gains = [r2[frozenset(s) | {j}] - r2[frozenset(s)] for s in combinations(others, k)]
            w = factorial(k) * factorial(g - k - 1) / factorial(g)
            sv[j] += w * sum(gains)
            cond[j, k] = np.mean(gains)
    return r2, sv, cond


def _dataset(kind, rng):
    if kind == "normal":
        n, p = 300, 6
        cov = 0.4 + 0.6 * np.eye(p)
        x = rng.multivariate_normal(np.zeros(p), cov, n)
        y = x @ np.array([0.5, 0.3, 0.0, 0.2, -0.1, 0.4]) + rng.normal(size=n)
    elif kind == "likert":
        n, p = 150, 7
        z = rng.normal(size=(n, 1)) + rng.normal(size=(n, p))
        x = np.clip(np.round(4 + 1.2 * z), 1, 7)
        y = np.clip(np.round(4 + z[:, :3].mean(1) + rng.normal(size=n)), 1, 7)
    else:  # mobi composites
        mobi = load_dataset("mobi")
        dims = ("IMAG", "CUEX", "PERQ", "PERV")
        comp = {d: mobi.filter(regex=f"^{d}").mean(axis=1) for d in dims}
        x = pd.DataFrame(comp).to_numpy()
        y = mobi.filter(regex="^CUSA").mean(axis=1).to_numpy()
    names = [f"x{i}" for i in range(x.shape[1])]
    df = pd.DataFrame(x, columns=names)
    df["y"] = y
    return df, names


@pytest.mark.parametrize("kind", ["normal", "likert", "mobi"])
def test_shapley_equals_brute_force(kind):
    df, names = _dataset(kind, np.random.default_rng(11))
    x, y = df[names].to_numpy(), df["y"].to_numpy()
    res = shapley(df, "y", names)
    r2, sv, cond = _brute(y, x, [[j] for j in range(len(names))])
    # every subset's R², indexed by bitmask
    for s, val in r2.items():
        mask = sum(1 << j for j in s)
        assert res.subset_r2[mask] == pytest.approx(val, abs=1e-10)
    np.testing.assert_allclose(res["importance"].to_numpy(), sv, atol=1e-10)
    np.testing.assert_allclose(res.conditional_dominance.to_numpy(), cond, atol=1e-10)
    full = r2[frozenset(range(len(names)))]
    assert res.r2 == pytest.approx(full, abs=1e-10)
    assert res["importance"].sum() == pytest.approx(full, abs=1e-12)
    assert res["share"].sum() == pytest.approx(1.0, abs=1e-12)
    # complete dominance by definition: i beats j on every subset of the others
    g = len(names)
    for i in range(g):
        for j in range(g):
            if i == j:
                continue
            rest = [k for k in range(g) if k not in (i, j)]
            diffs = [
                r2[frozenset(s) | {i}] - r2[frozenset(s) | {j}]
                for k in range(len(rest) + 1)
                for s in combinations(rest, k)
            ]
            expected = 1.0 if min(diffs) > 0 else (0.0 if max(diffs) < 0 else 0.5)
            assert res.complete_dominance.iloc[i, j] == expected


def test_grouped_shapley_equals_brute_force():
    rng = np.random.default_rng(3)
    df, names = _dataset("normal", rng)
    groups = {"A": ["x0", "x3"], "B": ["x1", "x2", "x5"], "C": ["x4"]}
    res = shapley(df, "y", None, groups=groups)
    order = [c for cols in groups.values() for c in cols]
    x = df[order].to_numpy()
    units = [[0, 1], [2, 3, 4], [5]]
    _, sv, cond = _brute(df["y"].to_numpy(), x, units)
    np.testing.assert_allclose(res["importance"].to_numpy(), sv, atol=1e-10)
    np.testing.assert_allclose(res.conditional_dominance.to_numpy(), cond, atol=1e-10)
    assert list(res.table.index) == ["A", "B", "C"]
    assert res["n_items"].tolist() == [2, 3, 1]
    assert res["importance"].sum() == pytest.approx(shapley(df, "y", names).r2, abs=1e-12)


def test_twenty_predictors():
    """2^20 subsets: spot-check 40 random subsets against statsmodels and efficiency."""
    rng = np.random.default_rng(5)
    n, p = 400, 20
    x = rng.normal(size=(n, p)) + 0.5 * rng.normal(size=(n, 1))
    y = x[:, :5].sum(1) * 0.3 + rng.normal(size=n)
    names = [f"v{j}" for j in range(p)]
    df = pd.DataFrame(x, columns=names).assign(y=y)
    res = shapley(df, "y", names)
    assert res.subset_r2.shape == (2**p,)
    for mask in rng.integers(1, 2**p, 40):
        cols = [j for j in range(p) if mask >> j & 1]
        assert res.subset_r2[mask] == pytest.approx(_ols_r2(y, x, cols), abs=1e-10)
    assert res["importance"].sum() == pytest.approx(_ols_r2(y, x, list(range(p))), abs=1e-10)
    # the five true predictors take the top five ranks
    assert set(res.table.index[res["rank"] <= 5]) == {"v0", "v1", "v2", "v3", "v4"}


def test_shapley_from_corr_batch_matches_single():
    rng = np.random.default_rng(1)
    mats = []
    for _ in range(3):
        a = rng.normal(size=(50, 5))
        mats.append(np.corrcoef(a, rowvar=False))
    sv, r2 = shapley_from_corr(np.stack(mats))
    for b, c in enumerate(mats):
        s1, r1 = shapley_from_corr(c)
        np.testing.assert_allclose(sv[b], s1, atol=1e-14)
        np.testing.assert_allclose(r2[b], r1, atol=1e-14)


# mtcars (R datasets; Henderson & Velleman 1981), the columns of the rwa example.
MTCARS = pd.DataFrame(
    {
        "mpg": [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3,
                15.2, 10.4, 10.4, 14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3,
                26.0, 30.4, 15.8, 19.7, 15.0, 21.4],
        "cyl": [6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4,
                4, 4, 8, 6, 8, 4],
        "disp": [160, 160, 108, 258, 360, 225, 360, 146.7, 140.8, 167.6, 167.6, 275.8, 275.8,
                 275.8, 472, 460, 440, 78.7, 75.7, 71.1, 120.1, 318, 304, 350, 400, 79, 120.3,
                 95.1, 351, 145, 301, 121],
        "hp": [110, 110, 93, 110, 175, 105, 245, 62, 95, 123, 123, 180, 180, 180, 205, 215,
               230, 66, 52, 65, 97, 150, 150, 245, 175, 66, 91, 113, 264, 175, 335, 109],
        "gear": [4, 4, 4, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4,
                 5, 5, 5, 5, 5, 4],
    }
)  # fmt: skip


def test_relative_weights_published_rwa_example():
    """rwa vignette: raw weights hp 0.2321744, cyl 0.2284797, disp 0.2221469,
    gear 0.0963886; R² 0.7791896 (printed to 7 significant digits)."""
    res = relative_weights(MTCARS, "mpg", ["cyl", "disp", "hp", "gear"])
    ref = {"hp": 0.2321744, "cyl": 0.2284797, "disp": 0.2221469, "gear": 0.0963886}
    for k, v in ref.items():
        assert res["importance"][k] == pytest.approx(v, abs=5e-8)
    assert res.r2 == pytest.approx(0.7791896, abs=5e-8)
    assert res["share"]["hp"] * 100 == pytest.approx(29.79691, abs=5e-6)


@pytest.mark.parametrize("kind", ["normal", "likert", "mobi"])
def test_relative_weights_independent_computation(kind):
    """Johnson's definition from the data: Z = closest orthonormal approximation of
    the standardized predictors (SVD, Z = P Q'), regress y on Z, regress each X_j on
    Z; weight_j = sum_k corr(X_j, Z_k)^2 * beta_k^2."""
    df, names = _dataset(kind, np.random.default_rng(7))
    x = df[names].to_numpy()
    x = (x - x.mean(0)) / x.std(0)
    y = (df["y"] - df["y"].mean()) / df["y"].std(ddof=0)
    u, _, vt = np.linalg.svd(x, full_matrices=False)
    z = u @ vt * np.sqrt(len(x))  # standardized orthogonal counterparts
    beta = sm.OLS(y.to_numpy(), z).fit().params
    lam_corr = np.array(
        [
            [np.corrcoef(x[:, j], z[:, k])[0, 1] for k in range(x.shape[1])]
            for j in range(x.shape[1])
        ]
    )
    expected = (lam_corr**2) @ (beta**2)
    res = relative_weights(df, "y", names)
    np.testing.assert_allclose(res["importance"].to_numpy(), expected, atol=1e-10)
    assert res["importance"].sum() == pytest.approx(
        _ols_r2(df["y"].to_numpy(), df[names].to_numpy(), list(range(len(names)))), abs=1e-10
    )


def test_summary_and_immutability():
    df, names = _dataset("normal", np.random.default_rng(2))
    res = shapley(df, "y", names)
    text = str(res.summary())
    assert "Shapley" in text and f"{res.r2:.3f}" in text
    with pytest.raises(AttributeError):
        res.r2 = 0.0
    assert "Relative weights" in str(relative_weights(df, "y", names).summary())
    pairs = res.dominance
    assert set(pairs.columns) == {"dominant", "dominated", "complete", "conditional", "general"}
    # complete dominance implies conditional implies general
    assert not (pairs.complete & ~pairs.conditional).any()


@pytest.mark.parametrize("fn", [shapley, relative_weights])
def test_bad_input(fn):
    df, names = _dataset("normal", np.random.default_rng(4))
    with pytest.raises(MissingColumnError, match="nope"):
        fn(df, "y", [*names, "nope"])
    with pytest.raises(ParameterError, match="target"):
        fn(df, "y", [*names, "y"])
    with pytest.raises(ParameterError, match="list of column names"):
        fn(df, "y", "x0")
    bad = df.copy()
    bad.loc[3, "x1"] = np.nan
    with pytest.raises(MissingValuesError, match="x1"):
        fn(bad, "y", names, missing="raise")
    # default: listwise on the model's variables, counted and named
    with pytest.warns(MissingDataWarning, match="1 of 300 rows dropped.*'x1': 1"):
        res = fn(bad, "y", names)
    assert res.n == 299 and res.warnings
    ref = fn(df.drop(index=3), "y", names)
    assert res.table.equals(ref.table)
    # "available" is the same for one model (its own variables)
    with pytest.warns(MissingDataWarning):
        assert fn(bad, "y", names, missing="available").table.equals(ref.table)
    txt = df.astype({"x2": object})
    txt.loc[5, "x2"] = "high"
    with pytest.raises(NonNumericError, match="x2"):
        fn(txt, "y", names)
    col = df.assign(x5=df.x0 * 2 + df.x1)
    with pytest.raises(DataError, match="collinear"):
        fn(col, "y", names)
    with pytest.raises(ParameterError, match="missing"):
        fn(df, "y", names, missing="drop")
    with pytest.raises(DataError, match="complete row"):
        fn(df.head(4), "y", names)


def test_bad_groups():
    df, names = _dataset("normal", np.random.default_rng(4))
    with pytest.raises(ParameterError, match="both group"):
        shapley(df, "y", None, groups={"a": ["x0", "x1"], "b": ["x1"]})
    with pytest.raises(ParameterError, match="belong to no group"):
        shapley(df, "y", names, groups={"a": ["x0"]})
    with pytest.raises(ParameterError, match="groups"):
        shapley(df, "y", None, groups={})
    with pytest.raises(ParameterError, match="at most 24"):
        shapley(df, "y", [f"c{i}" for i in range(25)])


@pytest.mark.parametrize("fn", [shapley_from_corr, relative_weights_from_corr])
def test_from_corr_bad_input(fn):
    with pytest.raises(ParameterError, match="shape"):
        fn(np.ones((3, 2)))
    with pytest.raises(ParameterError, match="shape"):
        fn(np.ones((1, 1)))
    with pytest.raises(ParameterError, match="symmetric"):
        fn(np.array([[1.0, 0.2], [0.3, 1.0]]))
    with pytest.raises(ParameterError, match="diagonal"):
        fn(np.array([[2.0, 0.2], [0.2, 1.0]]))
    with pytest.raises(ParameterError, match="non-finite"):
        fn(np.array([[1.0, np.nan], [np.nan, 1.0]]))


@pytest.mark.parametrize("fn", [shapley_from_corr, relative_weights_from_corr])
def test_from_corr_singular_predictors_raise_typed_error(fn):
    # predictors 0 and 1 identical: no unique decomposition; a single matrix raises
    # DataError (not NaN, not numpy's LinAlgError)
    c = np.array([[1.0, 1.0, 0.5], [1.0, 1.0, 0.5], [0.5, 0.5, 1.0]])
    with pytest.raises(DataError, match="collinear"):
        fn(c)
