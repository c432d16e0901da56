"""Artist-level tests of the PLS figures (path diagram, IPMA map)."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

from servqual import load_dataset, pls
from servqual.figures import plot_ipma, plot_pls_path_diagram, registry


@pytest.fixture(scope="module")
def ecsi():
    return pls.fit(pls.ecsi_model(), load_dataset("mobi"), progress=False)


def test_path_diagram_draws_every_path_with_its_estimate(ecsi):
    ax = plot_pls_path_diagram(ecsi, ax=Figure().add_subplot())
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert len(ellipses) == 7
    arrows = [t for t in ax.texts if (t.get_gid() or "").startswith("path:")]
    assert len(arrows) == len(ecsi.paths) == 12
    labels = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    for row in ecsi.paths.itertuples(index=False):
        assert labels[f"estimate:{row.source}->{row.target}"] == f"{row.estimate:.2f}"
    r2 = ecsi.r2["Satisfaction"]
    assert labels["node:Satisfaction"] == f"Satisfaction\nR²={r2:.2f}"
    assert labels["node:Image"] == "Image"  # exogenous: no R²
    # arrow from the source node's centre to the target node's centre
    a = next(t for t in arrows if t.get_gid() == "path:Image->Expectation")
    centres = {e.get_gid(): e.center for e in ellipses}
    assert a.xy == pytest.approx(tuple(centres["Expectation"]))


def test_path_diagram_dashes_nonsignificant_paths():
    res = pls.fit(pls.ecsi_model(), load_dataset("mobi"), n_boot=60, seed=3, progress=False)
    ax = plot_pls_path_diagram(res, ax=Figure().add_subplot())
    arrows = {t.get_gid(): t for t in ax.texts if (t.get_gid() or "").startswith("path:")}
    seen = set()
    for row in res.paths.itertuples(index=False):
        ls = arrows[f"path:{row.source}->{row.target}"].arrow_patch.get_linestyle()
        sig = row.ci_lower > 0 or row.ci_upper < 0
        seen.add(sig)
        assert (ls in ("-", "solid")) == sig
    assert seen == {True, False}  # both kinds occur, so both styles are checked


def test_ipma_map_plots_the_table(ecsi):
    table, ax = ecsi.ipma("Loyalty", ax=Figure().add_subplot())
    pts = np.vstack([c.get_offsets() for c in ax.collections])
    np.testing.assert_allclose(pts[:, 0], table["importance"])
    np.testing.assert_allclose(pts[:, 1], table["performance"])
    assert [t.get_text() for t in ax.texts] == table["construct"].tolist()
    assert "Importance" in ax.get_xlabel() and "0-100" in ax.get_ylabel()
    # reference lines at the means
    vx = [ln.get_xdata()[0] for ln in ax.lines if ln.get_linestyle() == "--"]
    assert vx[0] == pytest.approx(table["importance"].mean())
    ax2 = plot_ipma(table, target="Loyalty", ax=Figure().add_subplot())
    assert len(ax2.collections) == len(table)


def test_registered_path_diagram(ecsi):
    spec = registry()["pls_ecsi_path_diagram"]
    res = spec.data()
    ax = spec.render().axes[0]
    labels = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    # the registered figure shows the ECSI fit on mobi: every path, its estimate
    assert sum(k.startswith("path:") for k in labels) == len(ecsi.paths) == 12
    for row in ecsi.paths.itertuples(index=False):
        assert labels[f"estimate:{row.source}->{row.target}"] == f"{row.estimate:.2f}"
    pd.testing.assert_frame_equal(res.paths, ecsi.paths)
    assert ax.get_title()


def test_registered_ipma_map(ecsi):
    ax = registry()["pls_ecsi_ipma_loyalty"].render().axes[0]
    table = ecsi.ipma_table("Loyalty")
    pts = np.vstack([c.get_offsets() for c in ax.collections])
    np.testing.assert_allclose(pts[:, 0], table["importance"])
    np.testing.assert_allclose(pts[:, 1], table["performance"])
    assert [t.get_text() for t in ax.texts] == table["construct"].tolist()
    assert "Loyalty" in ax.get_title() and "0-100" in ax.get_ylabel()


def test_registered_simple_slopes():
    from servqual.figures.pls import _SLOPE_COLOURS

    spec = registry()["pls_simple_slopes_image_expectation"]
    res = spec.data()
    ax = spec.render().axes[0]
    table = pls.simple_slopes(res)
    p = res.paths.set_index(["source", "target"])["estimate"]
    # plotted lines = b_x + b_xm * level (slope) and b_m * level (intercept), recomputed
    slopes = p[("Image", "Satisfaction")] + p[("Image*Expectation", "Satisfaction")] * np.array(
        [-1.0, 0.0, 1.0]
    )
    lines = ax.lines[:3]
    assert len(ax.lines) == 4
    for line, row, b in zip(lines, table.itertuples(index=False), slopes):
        x, y = line.get_data()
        assert row.slope == pytest.approx(b, abs=1e-12)
        np.testing.assert_allclose(np.diff(y) / np.diff(x), b, atol=1e-12)
        assert y[20] == pytest.approx(p[("Expectation", "Satisfaction")] * row.moderator_level)
    # colour-blind-safe colours, distinct line styles (greyscale), CIs in the legend
    assert [ln.get_color() for ln in lines] == list(_SLOPE_COLOURS[:3])
    assert len({ln.get_linestyle() for ln in lines}) == 3
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert all("95% CI" in t for t in texts)
    assert f"n = {res.n:,}" in ax.get_title() and "SD" in ax.get_xlabel()
    assert "SD" in ax.get_ylabel()
