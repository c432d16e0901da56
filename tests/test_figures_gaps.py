"""Artist-level tests of the gap-model figures."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy import stats

from servqual.figures import (
    plot_gap5_caterpillar,
    plot_gap_model,
    plot_servqual_vs_servperf,
    registry,
)
from servqual.gaps import (
    explain_gap5,
    multilevel,
    servqual_vs_servperf,
    simulate_units,
    unit_scores,
)


@pytest.fixture(scope="module")
def study():
    c, m, s, _ = simulate_units(25, 10, 3, seed=6)
    scores = unit_scores(c, m, s)
    with pytest.warns(UserWarning, match=r"ICC\(2\) below \.70"):  # 10 customers per unit
        ex = explain_gap5(scores)
    return scores, ex, multilevel(scores), c


def _texts(ax):
    return {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}


def test_gap_model_labels_are_estimates(study):
    scores, ex, ml, _ = study
    ax = plot_gap_model(ex, ml, ax=Figure().add_subplot())
    t = _texts(ax)
    g5 = ex.coef("gap5")
    for k in range(1, 5):
        assert t[f"effect:gap{k}->gap5"] == f"{g5[f'gap{k}']:+.2f}"
    pe = ml.fixed.set_index("term").loc["PE", "estimate"]
    assert t["effect:gap5->SAT"] == f"{pe:+.2f}"
    assert f"R² = {ex.fit.set_index('model').loc['gap5', 'r2']:.2f}" in t["box:gap5"]
    assert t["antecedents:gap1"].splitlines() == [
        f"{s} {ex.coef('gap1')[s]:+.2f}" for s in ("MRO", "UPC")
    ]
    # 4 antecedent arrows + 4 gap arrows + 1 to satisfaction; dashed iff CI covers 0
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    assert len(arrows) == 9
    c = ex.coefficients.set_index(["model", "term"])
    covers = [c.loc[("gap5", f"gap{k}"), "ci_low"] <= 0 <= c.loc[("gap5", f"gap{k}"), "ci_high"]
              for k in range(1, 5)]  # fmt: skip
    gap_arrows = arrows[1::2][:4]  # order: antecedent arrow, gap arrow per gap
    styles = [a.arrow_patch.get_linestyle() for a in gap_arrows]
    assert [s != "-" for s in styles] == covers
    assert not ax.axison and "scale points" in ax.get_title()
    # without the multilevel result there is no satisfaction box
    ax2 = plot_gap_model(ex, ax=Figure().add_subplot())
    assert "box:SAT" not in _texts(ax2)
    assert "solid: 95% CI excludes 0" in ax.get_title()


def test_gap_model_title_states_the_ci_level_used(study):
    scores, *_ = study
    with pytest.warns(UserWarning, match=r"ICC\(2\) below \.70"):
        ex90 = explain_gap5(scores, antecedents=False, ci=0.90)
    assert ex90.ci == 0.90
    ax = plot_gap_model(ex90, ax=Figure().add_subplot())
    assert "solid: 90% CI excludes 0" in ax.get_title()


def test_caterpillar_plots_unit_means_and_cis(study):
    scores, *_ = study
    ax = plot_gap5_caterpillar(scores, ax=Figure().add_subplot())
    t = scores.table.sort_values("gap5_overall")
    xs = np.concatenate([ax.lines[0].get_xdata(), ax.lines[1].get_xdata()])
    ys = np.concatenate([ax.lines[0].get_ydata(), ax.lines[1].get_ydata()])
    order = np.argsort(xs)
    np.testing.assert_allclose(ys[order], t["gap5_overall"])
    segs = ax.collections[0].get_segments()
    half = stats.t.ppf(0.975, t["n_customers"] - 1) * t["gap5_overall_se"]
    np.testing.assert_allclose([s[1, 1] - s[0, 1] for s in segs], 2 * half)
    grand = [ln for ln in ax.lines if ln.get_linestyle() == "--"][0]
    assert grand.get_ydata()[0] == pytest.approx(t["gap5_overall"].mean())
    # filled markers = units whose CI excludes the mean over units
    est, h = t["gap5_overall"].to_numpy(), half.to_numpy()
    excl = np.flatnonzero((est - h > est.mean()) | (est + h < est.mean())) + 1
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), excl)
    assert ax.lines[0].get_fillstyle() == "full" and ax.lines[1].get_fillstyle() == "none"
    assert "P − E" in ax.get_ylabel() and "rank" in ax.get_xlabel()


def test_servperf_bars_are_table_values(study):
    *_, c = study
    res = servqual_vs_servperf(c, n_boot=40, seed=3, progress=False)
    ax = plot_servqual_vs_servperf(res, ax=Figure().add_subplot())
    heights = np.array([p.get_height() for p in ax.patches]).reshape(2, 3)
    tab = res.table
    np.testing.assert_allclose(heights, tab[["r2", "adj_r2", "cv_r2"]].to_numpy())
    assert not ax.patches[0].get_hatch() and ax.patches[3].get_hatch() == "//"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(tab["model"])
    assert ax.get_ylabel().startswith("Satisfaction variance explained")


@pytest.mark.parametrize(
    "name", ["gap_model_diagram_sim", "gap5_caterpillar_sim", "servqual_vs_servperf_sim"]
)
def test_registered(name):
    fig = registry()[name].render()
    ax = fig.axes[0]
    assert ax.texts or ax.patches or ax.lines
