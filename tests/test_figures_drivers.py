"""Artist-level tests of the key-driver importance figure."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

from servqual.drivers import key_drivers
from servqual.errors import ParameterError
from servqual.figures import plot_importance, registry


def _check_axes(ax, res, methods, scale="share"):
    tab = res.table
    conts = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(conts) == len(methods)
    drivers = [t.get_text() for t in ax.get_yticklabels()]
    first = tab[tab.method == methods[0]].set_index("driver")["importance"]
    # ordered bottom-to-top by increasing importance of the first method
    assert drivers == list(first.abs().sort_values().index)
    for cont, m in zip(conts, methods):
        sub = tab[tab.method == m].set_index("driver").loc[drivers]
        # share scale: each method's importance as % of its own total |importance|
        f = 100 / sub["importance"].abs().sum() if scale == "share" else 1.0
        line = cont.lines[0]
        np.testing.assert_allclose(np.asarray(line.get_xdata(), float), f * sub["importance"])
        if scale == "share" and m in ("shapley", "relative_weights"):
            np.testing.assert_allclose(f * sub["importance"], 100 * sub["share"])
        if sub["ci_lower"].notna().all():
            segs = cont.lines[2][0].get_segments()
            np.testing.assert_allclose([s[0][0] for s in segs], f * sub["ci_lower"])
            np.testing.assert_allclose([s[1][0] for s in segs], f * sub["ci_upper"])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == len(methods)
    if scale == "share":
        assert ax.get_xlabel().startswith("Share of each method’s total importance (%)")
    else:
        # the raw R² units: contributions that add up to R² (not shares of it)
        assert ax.get_xlabel().startswith(f"Contribution to R² (together R² = {res.r2:.2f})")
        np.testing.assert_allclose(first.sum(), res.r2)
    assert ax.get_title().endswith(f"(n = {res.n:,})")
    assert ax.get_ylabel() == "Driver"


def test_plot_importance_plots_the_table():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(300, 4)), columns=list("abcd"))
    df["y"] = df.a + 0.5 * df.b + 0.2 * df.c + rng.normal(size=300)
    res = key_drivers(
        df,
        "y",
        list("abcd"),
        ["shapley", "relative_weights", "beta"],
        n_boot=100,
        seed=1,
        progress=False,
    )
    ax = plot_importance(res, ax=Figure().add_subplot())
    _check_axes(ax, res, ["shapley", "relative_weights", "beta"])
    # issue 15: β is not in R² units, so it never shares a raw R² axis with Shapley
    with pytest.raises(ParameterError, match="units"):
        plot_importance(res, scale="raw", ax=Figure().add_subplot())
    ax = plot_importance(res, methods=["shapley", "relative_weights"], ax=Figure().add_subplot())
    _check_axes(ax, res, ["shapley", "relative_weights"], scale="raw")
    with pytest.raises(ParameterError, match="lasso"):
        plot_importance(res, methods=["lasso"], ax=Figure().add_subplot())


def test_registered_key_drivers_mobi():
    spec = registry()["key_drivers_mobi"]
    res = spec.data()
    ax = spec.draw(Figure().add_subplot(), res)
    _check_axes(ax, res, ["shapley", "relative_weights", "random_forest"])
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "quality"
    assert "(no interval)" in ax.get_legend().get_texts()[-1].get_text()
