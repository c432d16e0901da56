"""Artist-level tests of the loyalty-economics figures."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import servqual
from servqual.economics import what_if
from servqual.figures import registry
from servqual.figures.economics import (
    plot_bass_wom,
    plot_claim_sensitivity,
    plot_complaint_funnel,
    plot_reichheld_region,
    plot_sbg,
    plot_what_if,
)
from servqual.retention import fit_sbg, reichheld_sasser_grid
from servqual.wom import bass_cdf, bass_negative_wom, complaint_funnel

NAMES = [
    "reichheld_sasser_region",
    "tarp_complaint_funnel",
    "bass_negative_wom",
    "sbg_retention_curves",
    "what_if_money",
    "claims_sensitivity",
]


def _ax():
    return Figure().add_subplot()


def test_reichheld_region_contours_lie_on_computed_uplift():
    grid = reichheld_sasser_grid(
        defection=np.round(np.arange(0.08, 0.505, 0.01), 3),
        discount=np.round(np.arange(0, 0.2505, 0.01), 3),
        growth=[0.1],
        acquisition=[1.0],
    )
    ax = plot_reichheld_region(grid, ax=_ax())
    cs = [c for c in ax.collections if hasattr(c, "levels") and list(c.levels) == [25, 85]]
    assert len(cs) == 1
    # vertices of the 25% and 85% contour lines: the exact model uplift there is the
    # level (up to linear interpolation on a 1-point grid: tolerance 2 points)
    for level, segs in zip((25, 85), cs[0].allsegs):
        pts = np.vstack(segs)[::7]
        assert len(pts) > 3
        for x, y in pts:
            exact = reichheld_sasser_grid(
                defection=[x / 100], discount=[y / 100], growth=[0.1], acquisition=[1.0]
            )["uplift_pct"][0]
            assert exact == pytest.approx(level, abs=2.0)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "25% to 85% (the claim)" in labels
    assert ax.get_xlabel() and ax.get_ylabel()


def test_complaint_funnel_bars_are_branch_sizes():
    f = complaint_funnel(1000, channel="front_line", ticket="large")
    ax = plot_complaint_funnel(f, ax=_ax())
    rects = [p for p in ax.patches if isinstance(p, Rectangle)]
    heights = [r.get_height() for r in rects]
    # problems bar, 4 branch bars, stay bar, leave bar
    assert len(rects) == 6 + 1
    assert heights[0] == pytest.approx(1000)
    assert heights[1:5] == pytest.approx(f.table["customers"].tolist())
    assert heights[5] == pytest.approx(f.table["retained"].sum())
    assert heights[6] == pytest.approx(f.lost_customers)
    # issue 15: every column stacks to the customers with a problem, inside the axis
    tops = [r.get_y() + r.get_height() for r in rects]
    assert max(tops) == pytest.approx(1000) and ax.get_ylim()[1] >= 1000
    branch_tops = np.cumsum(f.table["customers"])
    assert tops[1:5] == pytest.approx(branch_tops.tolist())
    # the outcome labels sit on an opaque white box, not on the hatching
    lost = f.lost_customers
    leave = [t for t in ax.texts if t.get_text().startswith("leave")]
    assert leave[0].get_text() == f"leave\n{lost:,.0f} ({lost / 1000:.0%})"
    patch = leave[0].get_bbox_patch()
    assert patch is not None and patch.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    n0 = f.table["customers"].iloc[0]
    assert ax.get_legend().get_texts()[0].get_text() == f"Did not complain ({n0:,.0f})"


def test_bass_lines_are_model_values():
    t = np.linspace(0, 20, 41)
    curves = {
        "plain": bass_negative_wom(t, 0.03, 0.38, m=500),
        "neg": bass_negative_wom(t, 0.03, 0.38, q_negative=1.0, churn=0.1, m=500),
    }
    ax = plot_bass_wom(curves, ax=_ax())
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 500 * bass_cdf(t, 0.03, 0.38), atol=1e-4)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), curves["neg"]["adopters"])
    assert ax.get_xlabel() == "Time (years)"


def test_sbg_plot_shows_fit_and_observed():
    reg = fit_sbg([100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1])
    ax = plot_sbg({"Regular": reg}, periods=10, ax=_ax())
    fitted, observed = ax.lines[0], ax.lines[1]
    np.testing.assert_allclose(fitted.get_ydata(), 100 * reg.survival(np.arange(11)))
    np.testing.assert_allclose(
        np.asarray(observed.get_ydata(), float)[:8], [100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1]
    )
    assert "α=0.704, β=1.182" in ax.get_legend().get_texts()[0].get_text()


def test_what_if_bars_and_intervals():
    df, _ = servqual.simulate_survey(800, seed=5)
    res = {
        d: what_if(df, dimension=d, n_boot=40, seed=1, progress=False)
        for d in ("reliability", "empathy")
    }
    ax = plot_what_if(res, ax=_ax())
    widths = [p.get_width() for p in ax.patches]
    est = [r.table.set_index("quantity").loc["delta_value", "estimate"] for r in res.values()]
    scale = est[0] / widths[0]  # money shown in thousands or millions
    assert scale in (1.0, 1e3, 1e6, 1e9)
    assert widths == pytest.approx([e / scale for e in est])
    segs = ax.collections[0].get_segments()  # horizontal error bars
    for seg, r in zip(segs, res.values()):
        row = r.table.set_index("quantity").loc["delta_value"]
        assert sorted(seg[:, 0]) == pytest.approx([row["lower"] / scale, row["upper"] / scale])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Reliability", "Empathy"]
    # the axis labels state the interval level and the shift actually used
    r90 = what_if(df, delta=0.5, ci=0.9, n_boot=40, seed=1, progress=False)
    ax = plot_what_if({"reliability": r90}, ax=_ax())
    assert ax.get_xlabel().endswith("90% bootstrap CI)")
    assert ax.get_ylabel() == "Dimension raised by 0.5 points"
    # issue 15: plain quantity name, the currency, the scale in words, no offset text
    ax = plot_what_if(res, currency="EUR", ax=_ax())
    big = max(abs(r.table.set_index("quantity").loc["delta_value", "upper"]) for r in res.values())
    word = "million" if big >= 1e6 else "thousand" if big >= 1e3 else ""
    f = {"million": 1e6, "thousand": 1e3, "": 1.0}[word]
    assert ax.get_xlabel() == (
        "Gain in customer-base value (NPV over 10 periods)\n"
        f"({word + ' ' if word else ''}EUR; 95% bootstrap CI)"
    )
    assert [p.get_width() for p in ax.patches] == pytest.approx([e / f for e in est])
    ax.figure.draw_without_rendering()
    assert ax.xaxis.get_offset_text().get_text() == ""


def test_claim_sensitivity_panels():
    fig = plot_claim_sensitivity(Figure(figsize=(14.5, 3.6)))
    a0, a1, a2, a3 = fig.axes
    line = a0.lines[0]  # small ticket: silent exit = (1 - c) * 0.63
    x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    np.testing.assert_allclose(y, 100 * (1 - x / 100) * 0.63)
    xx, yy = np.asarray(a1.lines[0].get_xdata()), np.asarray(a1.lines[0].get_ydata())
    np.testing.assert_allclose(yy, 100 * (xx / (xx - 5) - 1))  # (d+1-r0)/(d+1-r1) - 1
    r08 = a2.lines[1]
    np.testing.assert_allclose(np.asarray(r08.get_ydata()), 100 * np.asarray(r08.get_xdata()) / 0.2)
    # Jones & Sasser: the ratio is P(5) / P(4) by definition, at most 1 / P(4)
    for line, p5 in zip(a3.lines[:3], (0.7, 0.9, 0.99)):
        x, y = np.asarray(line.get_xdata()) / 100, np.asarray(line.get_ydata())
        np.testing.assert_allclose(y, p5 / x, rtol=1e-12)
        assert y[-1] == pytest.approx(1.0)
    assert a3.lines[3].get_ydata()[0] == 6
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)


@pytest.mark.parametrize("name", NAMES)
def test_registered(name):
    spec = registry()[name]
    if name == "what_if_money":  # 5 x 100 bootstrap refits: checked once, cheaply, above
        assert spec.kind == "ax"
        return
    fig = spec.render()
    assert fig.axes and fig.axes[0].get_xlabel()
