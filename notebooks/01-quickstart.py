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
# # 01 — Quick start: from a survey file to a SERVQUAL gap profile
#
# **Question answered:** where does service fall short of what customers expect, dimension by
# dimension, and how sure are we?
#
# We load a survey, check it against the SERVQUAL-22 instrument, score perception-minus-
# expectation (P − E) gaps and draw the RATER gap profile. Replace the dataset with
# `pandas.read_csv("your_survey.csv")` to run the same steps on your own data.

# %%
import matplotlib.pyplot as plt

import servqual as sq

sq.list_datasets()

# %% [markdown]
# ## Load and validate
# `servqual_sim` is a simulated SERVQUAL survey whose generating parameters are known. The
# instrument says which column measures what: P1–P22 perceptions, E1–E22 expectations on 1–7.

# %%
df = sq.load_dataset("servqual_sim")
inst = sq.Instrument.servqual22()
inst

# %% [markdown]
# Validation checks columns, scale, pairing of P and E items and missing values. Let us
# blank two answers to see how missing data are reported, never silently dropped.

# %%
messy = df.astype({"P3": float, "E7": float})
messy.loc[[4, 10], "P3"] = float("nan")
messy.loc[10, "E7"] = float("nan")
clean, report = sq.validate(messy, inst, missing="listwise")
report

# %% [markdown]
# Bad data get a typed error that names the column, row and value:

# %%
bad = df.copy()
bad.loc[3, "E8"] = 9
try:
    sq.validate(bad, inst)
except sq.errors.OutOfRangeError as err:
    print(type(err).__name__, "-", err)

# %% [markdown]
# ## Score the gaps
# Dimension composites are item means; gaps are P − E per item, averaged per dimension.

# %%
gaps = sq.scores.dimension_gaps(clean, inst)
gaps.describe().round(2)

# %%
profile = sq.scores.gap_profile(clean, inst)
profile[["n", "P", "E", "gap", "gap_ci_lower", "gap_ci_upper"]].round(3)

# %% [markdown]
# The unweighted SERVQUAL score is the mean of the five dimension gaps; the weighted score uses
# each respondent's 100-point importance allocation (columns `IMP_<dimension>`).

# %%
scores = sq.scores.servqual_score(clean, inst).to_frame()
scores["weighted"] = sq.scores.weighted_servqual_score(clean, inst)
scores.describe().round(3)

# %% [markdown]
# ## Draw the gap profile
# Plot functions draw on the Axes you give them (or the current one) and return it.

# %%
fig, ax = plt.subplots(figsize=(7, 3.8))
sq.figures.plot_gap_profile(clean, inst, ax=ax)
plt.show()

# %% [markdown]
# Reliability shows the largest shortfall. Because the data are simulated, we can compare with
# the truth: the expectation means exceed the perception means most for reliability.

# %%
truth = sq.datasets.servqual_sim_truth()
{d: round(truth.perception_means[d] - truth.expectation_means[d], 2) for d in truth.dimensions}
