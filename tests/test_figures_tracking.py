"""Artist-level tests of the tracking figures."""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from servqual.figures import registry
from servqual.figures.tracking import plot_control_chart, plot_tracking
from servqual.tracking import control_chart, track


def _df():
    rng = np.random.default_rng(3)
    wave = np.repeat(np.arange(1, 9), 100)
    ltr = np.clip(rng.integers(0, 11, 800) + 4 * (wave == 6), 0, 10)
    return pd.DataFrame({"ltr": ltr, "wave": wave, "seg": np.tile(["a", "b"], 400)})


def test_tracking_plot_draws_estimates_and_bands():
    res = track(_df(), "ltr", "wave", segment="seg")
    ax = plot_tracking(res, ax=Figure().add_subplot())
    assert len(ax.lines) == 2 and len(ax.collections) == 2
    a = res.table[res.table.segment == "a"]
    assert np.allclose(ax.lines[0].get_ydata(), a["estimate"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_control_chart_plot_marks_violations_and_limits():
    ch = control_chart(_df(), "ltr", "wave")
    ax = plot_control_chart(ch, ax=Figure().add_subplot())
    ucl = [ln for ln in ax.lines if ln.get_linestyle() == "--"][0]
    assert np.allclose(ucl.get_ydata(), ch.table["ucl"])
    marked = ax.collections[0].get_offsets()
    assert marked[:, 0].tolist() == [5.0]  # wave 6, the jump
    assert ch.violations["wave"].tolist() == [6]


def test_tracking_figures_registered():
    reg = registry()
    assert {"tracking_nps_by_segment_sim", "tracking_nps_control_chart_sim"} <= set(reg)
