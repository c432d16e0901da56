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
# # 07 — The five-gap model across service units
#
# **Question answered:** across a company's branches, which organisational gaps — managers
# misreading customers (gap 1), weak service standards (gap 2), delivery falling short of the
# standards (gap 3), over-promising (gap 4) — drive the gap customers feel (gap 5, P − E), and
# how much does that gap drive satisfaction?
#
# We echo the design of Zeithaml, Berry & Parasuraman (1988; Zeithaml, Parasuraman & Berry
# 1990): five companies, 90 units, each surveyed three ways — customers (P and E items),
# managers (what they believe customers expect, the standards they set, what they promise) and
# contact staff (the service they deliver), plus the organisational antecedents of each gap.
# The data are simulated with known parameters, so every estimate can be checked against the
# truth. With your own data, pass your three frames (linked by `unit_id`) to the same calls.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import servqual as sq
from servqual import gaps
from servqual.figures import plot_gap5_caterpillar, plot_gap_model, plot_servqual_vs_servperf

customers, managers, staff, truth = sq.simulate_units(90, 25, 5, seed=1988, managers_per_unit=3)
print(customers.shape, managers.shape, staff.shape)
customers.groupby("company")["unit_id"].nunique()

# %% [markdown]
# ## Linked frames are checked, never silently trimmed
# Every unit must appear in all three surveys with enough respondents. Here we drop one unit's
# managers to show the error a real data set would give.

# %%
try:
    gaps.check_linked(customers, managers[managers.unit_id != "U017"], staff)
except gaps.UnlinkedUnitsError as err:
    print(type(err).__name__, "-", err)

# %% [markdown]
# ## Unit scores and whether aggregation is justified
# Gaps 1–5 per RATER dimension and overall, one row per unit. ICC(1) says how much of the
# respondent-level variance lies between units; ICC(2) is the reliability of the unit means;
# rwg(J) is within-unit agreement.

# %%
scores = gaps.unit_scores(customers, managers, staff, min_respondents={"customers": 10})
scores.summary()

# %%
scores.gap_table().describe().round(2)

# %% [markdown]
# ## Gaps 1–4 → gap 5, and the antecedents of each gap
# Unit-level OLS with HC3 robust standard errors; Shapley values split each model's R² among
# its predictors. The simulation truth is shown beside the gap-5 estimates.
#
# Look at the agreement table first: with three managers per unit, ICC(2) of the managers'
# ME scores is only about .7. Unit gaps are means over few respondents, and adjacent gaps
# share a survey term (ME enters gaps 1 and 2, SS gaps 2 and 3, DP gaps 3 and 4), so their
# sampling errors are correlated and can bias the gap-5 coefficients either way. Compare the
# estimates with the truth below.

# %%
ex = gaps.explain_gap5(scores)
g5 = ex.coefficients[ex.coefficients.model == "gap5"].set_index("term")
g5.assign(truth=pd.Series(truth.gap5_effects))[["estimate", "ci_low", "ci_high", "truth"]].round(3)

# %%
ex.summary()

# %% [markdown]
# ### How many managers and staff per unit?
# The same 90-unit study (same seed, so the same true unit gaps) with 20 managers and 20 contact
# staff per unit: the unit means become reliable (ICC(2) > .9). `z` is (estimate − truth) / SE.
# What changes between the two columns is respondent sampling error; what stays is unit-level
# sampling error — 90 units is a small sample for a four-predictor regression: in this draw the
# gap-1 estimate is more than two SEs above the truth in both designs.

# %%
c2, m2, s2, _ = sq.simulate_units(90, 25, 20, seed=1988, managers_per_unit=20)
scores2 = gaps.unit_scores(c2, m2, s2)
print(scores2.agreement.set_index("measure").loc[["ME", "SS", "CP", "DP"], "icc2"].round(2))
ex2 = gaps.explain_gap5(scores2, antecedents=False)
tv = pd.Series(truth.gap5_effects)


def z(e):
    c = e.coefficients[e.coefficients.model == "gap5"].set_index("term").loc[tv.index]
    return ((c["estimate"] - tv) / c["se"]).round(1)


pd.DataFrame(
    {
        "3 mgr / 5 staff": ex.coef("gap5").loc[tv.index],
        "z (3/5)": z(ex),
        "20 mgr / 20 staff": ex2.coef("gap5").loc[tv.index],
        "z (20/20)": z(ex2),
        "truth": tv,
    }
).round(3)

# %% [markdown]
# ## Gap 5 → satisfaction: a customer-level mixed model
# `SAT ~ customer P−E + unit gaps 1–4 + (1 | unit)` (statsmodels MixedLM). The null model gives
# the share of satisfaction variance that lies between units.

# %%
ml = gaps.multilevel(scores)
want = pd.Series({"Intercept": truth.sat_intercept, "PE": truth.sat_pe, **truth.sat_gap_effects})
ml.fixed.set_index("term").assign(truth=want)[["estimate", "ci_low", "ci_high", "truth"]].round(3)

# %%
ml.summary()

# %% [markdown]
# ## SERVQUAL vs SERVPERF (Cronin & Taylor 1992)
# Do P − E scores explain satisfaction better than perceptions alone, on these customers?
# In this simulation satisfaction is generated from P − E, so SERVQUAL should win; on real data
# the answer is an empirical question.

# %%
comp = gaps.servqual_vs_servperf(customers, n_boot=500, seed=1992, progress=False)
comp.summary()

# %% [markdown]
# ## Figures

# %%
fig, ax = plt.subplots(figsize=(7.5, 5))
plot_gap_model(ex, ml, ax=ax)
plt.show()

# %%
fig, ax = plt.subplots(figsize=(6.4, 4))
plot_gap5_caterpillar(scores, ax=ax)
plt.show()

# %%
fig, ax = plt.subplots(figsize=(6.4, 4))
plot_servqual_vs_servperf(comp, ax=ax)
plt.show()

# %% [markdown]
# ## Companies
# Mean unit gaps by company (units are nested in the five companies).

# %%
company = customers.groupby("unit_id")["company"].first()
scores.gap_table().join(company).groupby("company").mean().round(2)
