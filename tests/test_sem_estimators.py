"""Other estimators dispatched by servqual.sem.fit (WLSMV; FIML)."""

import numpy as np
import pytest

import servqual
from servqual import sem
from servqual.errors import ParameterError


@pytest.fixture(scope="module")
def ordinal():
    df, truth = servqual.simulate_survey(1500, servqual.Truth(scale_points=5), seed=3)
    return df, truth


def test_wlsmv_matches_independent_cfa_wlsmv(ordinal):
    # brute-force cross-check: fit() on lavaan syntax dispatches the RAM model
    # to the DWLS engine; servqual.sem.wlsmv.cfa_wlsmv parameterizes the same
    # CFA independently (standardized factors).  Standardized loadings, factor
    # correlations and the scaled test statistic must coincide.
    from servqual.sem.wlsmv import cfa_wlsmv

    df, truth = ordinal
    factors = {"tangibles": ["P1", "P2", "P3", "P4"], "reliability": ["P5", "P6", "P7", "P8"]}
    ref = cfa_wlsmv(df, factors)
    model = "tangibles =~ P1 + P2 + P3 + P4\nreliability =~ P5 + P6 + P7 + P8"
    res = sem.fit(model, df, estimator="WLSMV")
    p = res.params
    np.testing.assert_allclose(p[p.op == "=~"]["std_all"], ref.params["est"].to_numpy()[:8],
                               atol=1e-6)
    cor = p[(p.op == "~~") & (p.lhs != p.rhs)]["std_all"].iloc[0]
    assert cor == pytest.approx(ref.params["est"].to_numpy()[8], abs=1e-6)
    assert res.fit_indices["chi2"] == pytest.approx(ref.fit_indices["chi2_scaled"], rel=1e-6)
    assert res.fit_indices["df"] == ref.fit_indices["df"] == 19
    assert np.isnan(res.fit_indices["aic"])
    # residual variances are derived (delta parameterization): no SE
    resid = p[(p.op == "~~") & (p.lhs == "P1")]
    assert np.isnan(resid["se"]).all()
    assert resid["std_all"].iloc[0] == pytest.approx(1 - p["std_all"].iloc[0] ** 2, abs=1e-8)
    with pytest.raises(ParameterError, match="ML"):
        res.modindices()
    with pytest.raises(ParameterError, match="WLSMV"):
        sem.fit(model, df, estimator="WLSMV", se="robust")
    assert "WLSMV" in str(res.summary())
