"""Artist-level tests of the survey-description figures."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from servqual import Instrument, load_dataset
from servqual.figures import plot_gap_profile, plot_item_distribution, registry
from servqual.scores import gap_profile


def test_gap_profile_plots_computed_means():
    df = load_dataset("servqual_sim")
    inst = Instrument.servqual22()
    ax = plot_gap_profile(df, inst, ax=Figure().add_subplot())
    prof = gap_profile(df, inst)
    # two errorbar containers (P, E), 5 points each, at the computed means
    xs = [np.asarray(ln.get_xdata(), float) for ln in ax.lines if ln.get_marker() in ("o", "s")]
    np.testing.assert_allclose(xs[0], prof["P"])
    np.testing.assert_allclose(xs[1], prof["E"])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Tangibles", "Reliability", "Responsiveness", "Assurance", "Empathy"]
    gaps = [t.get_text() for t in ax.texts]
    assert gaps[1].startswith(f"P−E {prof.loc['reliability', 'gap']:+.2f}")
    assert ax.get_xlabel().startswith("Mean score") and ax.get_ylabel()


def test_item_distribution_bar_widths_are_shares():
    df = pd.DataFrame({"q1": [1, 1, 2, 3], "q2": [3, 3, 3, 2]})
    ax = plot_item_distribution(df, ["q1", "q2"], scale=(1, 3), ax=Figure().add_subplot())
    widths = np.array([p.get_width() for p in ax.patches]).reshape(3, 2)  # category x item
    np.testing.assert_allclose(widths[:, 0], [0.5, 0.25, 0.25])
    np.testing.assert_allclose(widths[:, 1], [0.0, 0.25, 0.75])
    assert ax.get_xlabel() == "Share of respondents (proportion)"


@pytest.mark.parametrize(
    "name", ["rater_gap_profile_sim", "item_distribution_mobi", "item_distribution_sim"]
)
def test_registered(name):
    spec = registry()[name]
    fig = spec.render()
    ax = fig.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel()
    # one bar per item and response category: 22 items x 7 (sim), 24 items x 10 (mobi)
    expected = {"item_distribution_sim": 22 * 7, "item_distribution_mobi": 24 * 10}
    if name in expected:
        assert len(ax.patches) == expected[name]
        widths = np.array([p.get_width() for p in ax.patches])
        n_items = 22 if name.endswith("sim") else 24
        np.testing.assert_allclose(widths.reshape(-1, n_items).sum(axis=0), 1.0)
