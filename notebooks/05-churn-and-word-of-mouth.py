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
# # 05 — Churn and word of mouth: from service quality to customers and money
#
# **Question answered:** if service got better on one dimension, how many customers would we
# keep, how much more would they talk about us, and what is that worth — with honest
# uncertainty?
#
# The chain is explicit: complaints and their handling (TARP funnel) → churn over time
# (shifted-beta-geometric) → diffusion through word of mouth (Bass, with negative WOM) → the
# customer base (deterministic and Monte Carlo) → a fitted *what-if* on a survey.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import servqual as sq
from servqual import economics, retention, wom
from servqual.figures import (
    plot_bass_wom,
    plot_complaint_funnel,
    plot_sbg,
    plot_what_if,
)

# %% [markdown]
# ## 1. Complaints: the TARP funnel
# Of 1,000 customers with a problem, who complains, who is satisfied by the response, and who
# buys again? The repurchase rates are TARP's (loss under $5). Counting complaints at
# *headquarters* (about 1 in 27) or at the *front line* (about 1 in 2) changes the picture.

# %%
hq = wom.complaint_funnel(1000, channel="headquarters")
front = wom.complaint_funnel(1000, channel="front_line")
pd.DataFrame(
    {
        "headquarters": [hq.iceberg, hq.silent_share, hq.silent_exit_share, hq.lost_customers],
        "front line": [
            front.iceberg,
            front.silent_share,
            front.silent_exit_share,
            front.lost_customers,
        ],
    },
    index=[
        "problems per complaint",
        "share not complaining",
        "share leaving silently",
        "lost customers",
    ],
).round(3)

# %%
fig, axs = plt.subplots(1, 2, figsize=(13, 4))
plot_complaint_funnel(hq, ax=axs[0])
plot_complaint_funnel(front, ax=axs[1])
axs[0].get_legend().remove()

# %% [markdown]
# ## 2. Churn over time: the shifted-beta-geometric model
# Fader & Hardie (2007) fit the sBG to the first 7 years of a cohort ("regular" customers).
# Heterogeneous churn makes retention *rise* with tenure: survivors are the loyal ones.

# %%
sbg = retention.fit_sbg([100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1])
print(sbg.summary())
print("retention in years 1, 5, 10:", sbg.retention([1, 5, 10]).round(3))
print("discounted expected residual lifetime at 10%:", round(sbg.derl(0.10), 3))

# %%
ax = plot_sbg({"Regular": sbg}, periods=13)

# %% [markdown]
# ## 3. What retention is worth: CLV forms
# Five more points of retention, 0.85 → 0.90 at a 10% discount rate, under each CLV form.

# %%
retention.retention_uplift(0.85, 0.90, 0.10, profits=[100, 110, 120], acquisition_cost=50)

# %% [markdown]
# ## 4. Word of mouth: Bass diffusion with churn and negative WOM
# Positive word of mouth (q₊) spreads adoption; churned customers (rate δ) spread negative
# word of mouth (q₋). We also check that nonlinear least squares recovers p, q, m from noisy
# yearly adoption counts.

# %%
import numpy as np  # noqa: E402

t = np.linspace(0, 30, 121)
curves = {
    "Bass": wom.bass_negative_wom(t, 0.03, 0.38, m=1000),
    "churn 10%/yr": wom.bass_negative_wom(t, 0.03, 0.38, churn=0.1, m=1000),
    "churn + negative WOM": wom.bass_negative_wom(t, 0.03, 0.38, q_negative=1.0, churn=0.1, m=1000),
}
ax = plot_bass_wom(curves)

# %%
rng = np.random.default_rng(1)
counts = rng.poisson(50_000 * np.diff(wom.bass_cdf(np.arange(16), 0.03, 0.38)))
fit = wom.fit_bass(counts)
print(fit.summary())
print(
    "peak time (years):", round(fit.peak_time, 2), "true:", round(wom.bass_peak_time(0.03, 0.38), 2)
)

# %% [markdown]
# ## 5. The customer base: deterministic recursion and Monte Carlo
# N₍t+1₎ = r·N_t + a + ρ·N_t converges to a/(1 − r − ρ). The Monte Carlo version gives each
# customer a satisfaction level that drives churn and referrals (here 200,000 customers,
# 50 replicates).

# %%
det = wom.customer_base(20, initial=200_000, retention=0.8, acquisition=30_000, referral=0.05)
print("steady state:", wom.steady_state(0.8, 30_000, 0.05))
sim = wom.simulate_customer_base(
    200_000,
    20,
    retention=0.8,
    acquisition=30_000,
    referral=0.05,
    replicates=50,
    seed=1,
    progress=False,
)
mc = sim.mean_path()
pd.DataFrame(
    {
        "deterministic": det["customers"],
        "MC mean": mc["customers_mean"],
        "MC sd": mc["customers_sd"],
    }
).iloc[::4].round(0)

# %%
het = wom.simulate_customer_base(
    200_000,
    20,
    retention=0.8,
    acquisition=30_000,
    referral=0.05,
    churn_on_satisfaction=-0.8,
    wom_on_satisfaction=0.6,
    wom_negative=9.5,
    replicates=20,
    seed=1,
    progress=False,
)
fig, ax = plt.subplots()
ax.plot(det["period"], det["customers"], label="deterministic (homogeneous)")
ax.plot(mc["period"], mc["customers_mean"], "o", ms=3, label="Monte Carlo mean (homogeneous)")
hm = het.mean_path()
ax.plot(hm["period"], hm["customers_mean"], "--", label="Monte Carlo, satisfaction-driven churn")
ax.set_xlabel("Period (years)")
ax.set_ylabel("Customers (count)")
ax.legend()

# %% [markdown]
# ## 6. What if reliability rose by one point?
# On a simulated survey we fit a driver model (satisfaction on the five RATER composites), a
# logistic churn model and Poisson WOM models, push "+1 point" through the chain and
# bootstrap the whole chain for intervals.

# %%
df, truth = sq.simulate_survey(2000, seed=5)
res = economics.what_if(df, dimension="reliability", n_boot=200, seed=1, progress=False)
res.summary()

# %%
all_dims = {
    d: economics.what_if(df, dimension=d, n_boot=100, seed=1, progress=False)
    for d in sq.Instrument.servqual22().dimensions
}
ax = plot_what_if(all_dims)

# %% [markdown]
# The ranking follows the satisfaction weights of the generating model (reliability first),
# and the intervals are wide enough that the money figures should be read as orders of
# magnitude, not forecasts. The assumptions (margin, discount rate, referrals per positive
# mention) are arguments of `what_if`: change them and see.
