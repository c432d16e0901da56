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
# # 03b — Kano, CX metrics and where to act
#
# **Question answered:** which service features delight and which are merely expected
# (Kano); how do customers score us overall (NPS, CSAT, a 0–100 satisfaction index, each
# with its uncertainty); and which service areas should we fix first (importance–performance
# analysis, penalty–reward contrasts, moments of truth along the customer journey)?
#
# Every data set here is either shipped with the package or simulated with a fixed seed and a
# known truth, so we can check that each method gets back what was put in.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import servqual as sq
from servqual import figures, ipa, kano, metrics, prca

# %% [markdown]
# ## 1. Kano: attractive, one-dimensional, must-be or indifferent?
# Each feature is asked twice — functional ("if the hotel offers it") and dysfunctional
# ("if it does not") — with answers 1 like, 2 must-be, 3 neutral, 4 live-with, 5 dislike.
# We simulate 400 respondents; for each feature 70% of them hold its true category.

# %%
truth = {
    "online booking": "O",
    "clean rooms": "M",
    "free upgrade": "A",
    "loyalty app": "I",
    "fast check-in": "O",
    "safe parking": "M",
}
answers, kano_truth = kano.simulate_kano(400, truth, noise=0.3, seed=2024)
answers.head()

# %% [markdown]
# The Berger et al. (1993) evaluation table turns each answer pair into a category:

# %%
kano.EVALUATION_TABLE

# %%
features = {k: (f"{k}_f", f"{k}_d") for k in truth}
k = kano.kano(answers, features)
k.summary()

# %% [markdown]
# Does the modal category (ties broken M > O > A > I) recover the simulated truth, and does
# the Fong test say the top category beats the runner-up?

# %%
check = k.table[["feature", "category", "fong_significant"]].assign(truth=list(truth.values()))
print("truth recovered for every feature:", bool((check["category"] == check["truth"]).all()))
print("Fong test significant for every feature:", bool(check["fong_significant"].all()))
check

# %%
fig, ax = plt.subplots(figsize=(6, 5))
_ = figures.plot_better_worse(k, ax=ax)

# %% [markdown]
# ## 2. NPS, CSAT and a satisfaction index on the simulated SERVQUAL survey
# `servqual_sim` has a 0–10 likelihood-to-recommend (`LTR`) and three 1–7 satisfaction items.

# %%
df = sq.load_dataset("servqual_sim")
n = metrics.nps(df["LTR"])
n.summary()

# %% [markdown]
# The standard error is the trinomial one, √((p_P + p_D − (p_P − p_D)²)/n) × 100; with the
# shares above it is:

# %%
metrics.nps_se(n.n_promoters / n.n, n.n_detractors / n.n, n.n)

# %%
metrics.csat(df["SAT1"], scale=(1, 7), top=2).summary()

# %%
metrics.csi(
    df, ["SAT1", "SAT2", "SAT3"], scale=(1, 7), n_boot=200, seed=1, progress=False
).summary()

# %% [markdown]
# ### Weighted to the customer base
# Suppose segment A is 30 % of the customer base and customers who had a problem are 20 %,
# while the sample holds about 51 % and 27 %. `servqual.rake` finds weights that reproduce
# both margins (iterative proportional fitting; its summary gives the effective n, the design
# effect and the largest weight). With `weights=` the NPS and CSAT are weighted, their
# standard errors are Taylor-linearised (as R's `survey` package computes them) and the
# effective n and design effect stand beside n.

# %%
raked = sq.rake(df, {"segment": {"A": 0.3, "B": 0.7}, "problem": {0: 0.8, 1: 0.2}})
raked.summary()

# %%
metrics.nps(df["LTR"], weights=raked.weights).summary()

# %% [markdown]
# ## 3. Importance–performance analysis
# Performance: the mean perception per SERVQUAL dimension. Importance: derived (correlation
# with mean satisfaction) or stated (the customers' 100-point allocations `IMP_*`).
# The simulator's true satisfaction weights are known:

# %%
dims = sq.scores.composites(df, sq.Instrument.servqual22(), kind="P")
data = dims.assign(
    SAT=df[["SAT1", "SAT2", "SAT3"]].mean(axis=1),
    **{f"IMP_{d}": df[f"IMP_{d}"] for d in dims.columns},
)
pd.Series(sq.Truth().satisfaction_weights, name="true weight").sort_values(ascending=False)

# %%
derived = ipa.ipa(data, list(dims.columns), outcome="SAT", crosshair="mean")
derived.table.sort_values("importance", ascending=False)

# %% [markdown]
# Does the derived importance rank the dimensions as the true weights do?

# %%
true_rank = pd.Series(sq.Truth().satisfaction_weights).sort_values(ascending=False).index
derived_rank = derived.table.sort_values("importance", ascending=False)["attribute"].tolist()
same_ranking = derived_rank == list(true_rank)
same_ranking

# %% [markdown]
# Stated importance (mean allocation) can be compared with it; crosshairs at the means:

# %%
stated = ipa.ipa(data, list(dims.columns), importance={d: f"IMP_{d}" for d in dims.columns})
pd.DataFrame(
    {
        "derived": derived.table.set_index("attribute")["quadrant"],
        "stated": stated.table.set_index("attribute")["quadrant"],
    }
)

# %%
fig, ax = plt.subplots(figsize=(6.4, 4.6))
_ = figures.plot_ipa(derived, ax=ax)

# %% [markdown]
# ## 4. Penalty–reward contrasts
# Low (≤ 3) and high (≥ 5) performance dummies per dimension; means strictly between 3 and 5
# are the reference.
# The simulated survey is generated by a linear latent model, so no real asymmetry is
# expected: the Wald test of penalty = reward should mostly be non-significant, and a
# non-zero impact-asymmetry index (IA) on its own should not be over-read.

# %%
pr = prca.penalty_reward(data, list(dims.columns), "SAT", scale=(1, 7))
pr.table[
    ["attribute", "penalty", "reward", "ia", "factor", "p_asymmetry", "asymmetry_significant"]
]

# %% [markdown]
# ## 5. Moments of truth along the customer journey
# Simulated journeys with known effects: first contact and problem solving punish poor
# performance much more than they reward good performance (moments of truth); trust and
# repurchase reward more than they punish.

# %%
journeys, jtruth = prca.simulate_journey(2000, seed=2024)
jtruth

# %%
mot = prca.moments_of_truth(
    journeys, dict(zip(jtruth["touchpoint"], jtruth["column"])), "SAT", scale=(1, 7)
)
mot.table[["touchpoint", "penalty", "reward", "p_one_sided", "moment_of_truth"]].assign(
    truth=jtruth["moment_of_truth"]
)

# %%
fig, ax = plt.subplots(figsize=(6.8, 4.4))
_ = figures.plot_journey(mot, ax=ax)
