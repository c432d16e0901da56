# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 — A tracking study: did NPS really move?
#
# **Question answered:** across ten monthly waves of a weighted tracker, reported by segment,
# which movements are real? We simulate the tracker with a known truth: business customers
# (20% of the base) are less satisfied and over-sampled to half of each wave, and from wave 8
# reliability and responsiveness improve. Weights undo the over-sampling; comparisons,
# control charts and a trend say what moved.

# %%
import matplotlib.pyplot as plt

from servqual import simulate_survey
from servqual.compare import compare, compare_drivers
from servqual.figures.tracking import plot_control_chart, plot_tracking
from servqual.simulate_design import SurveyDesign
from servqual.tracking import control_chart, driver_stability, track, trend

design = SurveyDesign(
    {"retail": 0.8, "business": 0.2},
    sample={"retail": 0.5, "business": 0.5},
    segment_shift={"business": -0.8},
    waves=10,
    wave_shift={8: {"reliability": 0.5, "responsiveness": 0.3}},
)
df, truth = simulate_survey(400, seed=2026, design=design)
design.truth_table(truth).query("segment == 'population'").round(1)

# %% [markdown]
# ## 1. NPS by wave and segment, weighted to the customer base

# %%
by_wave = track(df, "LTR", "wave", weights="weight")
unweighted = track(df, "LTR", "wave")
print(by_wave.table.round(2).head())
print("unweighted wave 1:", round(unweighted.table.loc[0, "estimate"], 1),
      "weighted:", round(by_wave.table.loc[0, "estimate"], 1),
      "true:", round(design.true_nps(truth, None, 1), 1))
ax = plot_tracking(track(df, "LTR", "wave", segment="segment", weights="weight"))
plt.close("all")

# %% [markdown]
# ## 2. Did it move? Wave 10 against wave 7, and segments against each other

# %%
late = df[df.wave.isin([7, 10])]
print(compare(late, "LTR", "wave", weights="weight").table.round(3).T)
print(compare(df[df.wave == 10], "LTR", "segment", weights="weight").table.round(3).T)
print(compare(df, "SAT1", "wave", metric="topbox", top_box=6, pairs="rest",
              adjust="fdr_bh").table[["group_a", "difference", "p", "p_adjusted"]].round(3))

# %% [markdown]
# ## 3. Control chart and trend

# %%
chart = control_chart(df, "LTR", "wave", weights="weight")
print(chart.table[["wave", "value", "lcl", "ucl", "out_of_control"]].round(2))
ax = plot_control_chart(chart)
plt.close("all")
print(trend(df, "LTR", "wave", weights="weight").summary())

# %% [markdown]
# ## 4. Are the drivers stable?

# %%
dims = ["P1", "P6", "P10", "P14", "P18"]  # one item per RATER dimension
stab = driver_stability(df, "SAT1", dims, "wave", n_boot=200, seed=1)
print("Kendall's W:", round(stab.kendall_w, 3))
print(compare_drivers(df, "SAT1", dims, "segment", n_boot=200, seed=1).table.round(3))
