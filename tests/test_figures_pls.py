"""Artist-level tests of the PLS figures (path diagram, IPMA map)."""

import numpy as np
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
    r2 = ecsi.r2.loc["Satisfaction", "r2"]
    assert labels["node:Satisfaction"] == f"Satisfaction\nR²={r2:.2f}"
    assert labels["node:Image"] == "Image"  # exogenous: no R²
    # arrow from the source node's centre to the target node's centre
    a = next(t for t in arrows if t.get_gid() == "path:Image->Expectation")
    centres = {e.get_gid(): e.center for e in ellipses}
    assert a.xy == pytest.approx(tuple(centres["Expectation"]))


def test_path_diagram_dashes_nonsignificant_paths():
    res = pls.fit(pls.ecsi_model(), load_dataset("mobi"), bootstrap=60, seed=3, progress=False)
    ax = plot_pls_path_diagram(res, ax=Figure().add_subplot())
    arrows = {t.get_gid(): t for t in ax.texts if (t.get_gid() or "").startswith("path:")}
    for row in res.paths.itertuples(index=False):
        ls = arrows[f"path:{row.source}->{row.target}"].arrow_patch.get_linestyle()
        sig = row.ci_lower > 0 or row.ci_upper < 0
        assert (ls == "-") == sig or (ls == "solid") == sig


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


@pytest.mark.parametrize("name", ["pls_ecsi_path_diagram", "pls_ecsi_ipma_loyalty"])
def test_registered(name):
    fig = registry()[name].render()
    assert fig.axes and fig.axes[0].get_title()
