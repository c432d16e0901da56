"""Artist-level tests of the registry figures in servqual.figures.cx."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot  # noqa: E402,F401  (registry style_context needs matplotlib.style)
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from servqual.figures import cx, registry  # noqa: E402
from servqual.ipa import QUADRANTS  # noqa: E402


@pytest.fixture(scope="module")
def specs():
    return registry()


def test_ipa_grid_mobi(specs):
    spec = specs["ipa_grid_mobi"]
    res = spec.data()
    ax = spec.render().axes[0]
    rank = res.table["quadrant"].map({q: i for i, q in enumerate(QUADRANTS)})
    order = np.argsort(rank.to_numpy(), kind="stable")
    pts = np.vstack([c.get_offsets() for c in ax.collections])  # one scatter per quadrant
    assert len(pts) == 7
    pts = pts[np.argsort(order)]  # back to item order
    # plotted = computed: performance means and correlations with mean satisfaction
    from servqual import load_dataset

    df = load_dataset("mobi")
    sat = df[["CUSA1", "CUSA2", "CUSA3"]].mean(axis=1)
    items = [f"PERQ{i}" for i in range(1, 8)]
    np.testing.assert_allclose(pts[:, 0], df[items].mean(), atol=1e-12)
    np.testing.assert_allclose(pts[:, 1], df[items].corrwith(sat), atol=1e-12)
    np.testing.assert_allclose(pts, res.table[["performance", "importance"]], atol=1e-12)
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("PERQ")] == items
    assert ax.get_title().endswith("(n = 250)")
    assert ax.get_xlabel().startswith("Performance") and "correlation" in ax.get_ylabel()
    # crosshairs at the means
    vline = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert vline[0].get_xdata()[0] == pytest.approx(df[items].mean().mean())


def test_kano_better_worse_sim(specs):
    spec = specs["kano_better_worse_sim"]
    res = spec.data()
    ax = spec.render().axes[0]
    pts = {tuple(p) for c in ax.collections for p in np.round(c.get_offsets(), 12)}
    want = set(zip(np.round(-res.table["worse"].to_numpy(float), 12),
                   np.round(res.table["better"].to_numpy(float), 12)))  # fmt: skip
    assert len(pts) == len(cx.KANO_SIM_FEATURES) and pts == want
    names = [t.get_text() for t in ax.texts if t.get_text() in cx.KANO_SIM_FEATURES]
    assert names == list(cx.KANO_SIM_FEATURES)
    # the simulated truth is recovered (70% on the true category, n = 400)
    assert res.table["category"].tolist() == list(cx.KANO_SIM_FEATURES.values())
    assert "Worse" in ax.get_xlabel() and "Better" in ax.get_ylabel()


def test_moments_of_truth_journey_sim(specs):
    spec = specs["moments_of_truth_journey_sim"]
    res = spec.data()
    ax = spec.render().axes[0]
    assert len(ax.patches) == 10
    np.testing.assert_allclose([p.get_height() for p in ax.patches[:5]], res.table["reward"])
    np.testing.assert_allclose([p.get_height() for p in ax.patches[5:]], -res.table["penalty"])
    assert [t.get_text() for t in ax.get_xticklabels()] == res.table["touchpoint"].tolist()
    stars = [ln for ln in ax.lines if ln.get_marker() == "*"]
    np.testing.assert_array_equal(stars[0].get_xdata(), [0, 1])  # first contact, problem solving
    assert res.table["moment_of_truth"].tolist() == [True, True, False, False, False]
