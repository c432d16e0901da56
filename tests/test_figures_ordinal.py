"""Artist-level test of the ordinal-bias figure."""

import numpy as np
from matplotlib.figure import Figure

from servqual.figures import registry
from servqual.figures.ordinal import plot_ordinal_bias


def test_ordinal_bias_figure_plots_computed_errors():
    spec = registry()["ordinal_loading_bias"]
    table = spec.data()
    assert len(table) == 22
    np.testing.assert_allclose(table["wlsmv_error"], table["wlsmv"] - table["true"])
    # the validation claim the figure shows (issue 3): WLSMV within +-0.03, ML biased down
    assert table["wlsmv_error"].abs().max() < 0.03 and table["ml_error"].mean() < -0.03
    ax = plot_ordinal_bias(table, ax=Figure().add_subplot())
    pts = {
        ln.get_marker(): np.asarray(ln.get_ydata(), float)
        for ln in ax.lines
        if ln.get_marker() in ("o", "v")
    }
    np.testing.assert_allclose(pts["v"], table["ml_error"])
    np.testing.assert_allclose(pts["o"], table["wlsmv_error"])
    assert [t.get_text() for t in ax.get_xticklabels()] == list(table["item"])
    assert ax.get_xlabel() == "Item" and "standardized loading" in ax.get_ylabel()
    band = ax.patches[0]
    np.testing.assert_allclose([band.get_y(), band.get_y() + band.get_height()], [-0.03, 0.03])
    labels = ax.get_legend_handles_labels()[1]
    assert any(f"{table['ml_error'].mean():+.3f}" in lab for lab in labels)
