"""SEM figures: artists reflect the fitted values."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle

import servqual
from servqual import sem
from servqual.figures import registry
from servqual.figures.sem import plot_path_diagram, plot_structural_forest, stars

PD = """ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ a*ind60
dem65 ~ c*ind60 + b*dem60
ind := a*b
"""


@pytest.fixture(scope="module")
def res():
    return sem.fit(PD, servqual.load_dataset("political_democracy"))


def test_path_diagram_artists(res):
    ax = plot_path_diagram(res, ax=Figure().add_subplot())
    ells = [p for p in ax.patches if isinstance(p, Ellipse)]
    rects = [p for p in ax.patches if isinstance(p, Rectangle)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    p = res.params
    assert len(ells) == 3 and len(rects) == 11
    assert len(arrows) == (p.op == "=~").sum() + (p.op == "~").sum()
    texts = [t.get_text() for t in ax.texts]
    for r in p[p.op.isin(["=~", "~"])].itertuples():
        assert f"{r.std_all:.2f}{stars(r.pvalue)}" in texts
    # structural paths with p >= .05 are dashed, all others solid
    n_ns = int(((p.op == "~") & (p.pvalue >= 0.05)).sum())
    dashed = [a for a in arrows if a.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == n_ns


def test_forest_plot_values(res):
    ax = plot_structural_forest(res, ax=Figure().add_subplot())
    p = res.params
    rows = p[p.op.isin(["~", ":="])]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "dem60 ← ind60" and labels[-1] == "ind (defined)"
    pts = np.concatenate(
        [
            np.asarray(line.get_xdata(), float)
            for line in ax.lines
            if line.get_marker() in ("o", "s")
        ]
    )
    np.testing.assert_allclose(np.sort(pts), np.sort(rows["est"].to_numpy()))
    # error bars span the CI
    segs = np.concatenate([c.get_segments() for c in ax.collections])
    spans = np.sort([s[1, 0] - s[0, 0] for s in segs])
    np.testing.assert_allclose(spans, np.sort((rows.ci_upper - rows.ci_lower).to_numpy()))
    assert "95% CI" in ax.get_xlabel()


def test_registered_sem_figures_render():
    # the registered figures draw the RATER SEM fitted on servqual_sim: the
    # plotted values must be that fit's estimates
    reg = registry()
    res = reg["sem_path_diagram_sim"].data()
    p = res.params
    fig = reg["sem_path_diagram_sim"].render()
    ax = fig.axes[0]
    ells = [a for a in ax.patches if isinstance(a, Ellipse)]
    assert len(ells) == 7  # five RATER factors, satisfaction, loyalty
    arrows = [a for a in ax.patches if isinstance(a, FancyArrowPatch)]
    assert len(arrows) == (p.op == "=~").sum() + (p.op == "~").sum() == 28 + 6
    texts = [t.get_text() for t in ax.texts]
    for r in p[p.op == "~"].itertuples():
        assert f"{r.std_all:.2f}{stars(r.pvalue)}" in texts
    fig = reg["sem_structural_forest_sim"].render()
    ax = fig.axes[0]
    rows = p[p.op.isin(["~", ":="])]
    pts = np.concatenate(
        [np.asarray(ln.get_xdata(), float) for ln in ax.lines if ln.get_marker() in ("o", "s")]
    )
    np.testing.assert_allclose(np.sort(pts), np.sort(rows["est"].to_numpy()))
    assert len(ax.get_yticklabels()) == len(rows) == 6 + 5
