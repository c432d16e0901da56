"""Key drivers, importance–performance, penalty–reward, the priority actions, the SEM."""

from __future__ import annotations

import html

import pandas as pd

from ..fmt import Table
from ..model import Section
from ..plan import Plan, caught, used_rows, weights_of
from ..render import figure, skip

CITE_DRIVERS = (
    "Each block's contribution to the explained variance (R²) of satisfaction: the Shapley "
    "value / LMG decomposition over all orderings of the blocks (Lindeman, Merenda &amp; Gold "
    "1980; Grömping 2006), with bootstrap percentile intervals; the share is the contribution "
    "divided by R²."
)
CITE_IPA = (
    "Importance = correlation of the block score with satisfaction; performance = its mean; "
    "the cross-hairs are the means over blocks (Martilla &amp; James 1977)."
)
CITE_PRCA = (
    "Satisfaction regressed on a low-performance and a high-performance dummy per block "
    "(lowest and highest third of the scale): the penalty is the drop for low performance, "
    "the reward the gain for high performance (Brandt 1987; Mittal, Ross &amp; Baldasare "
    "1998); heteroscedasticity-robust (HC3) intervals."
)
CITE_SEM = (
    "Structural equation model estimated by maximum likelihood; CFI and TLI of 0.95 or "
    "more and RMSEA of 0.06 or less indicate good fit (Hu &amp; Bentler 1999)."
)


def drivers_section(comp, plan: Plan, title: str, n_boot: int, seed, ctx: dict) -> Section:
    """Shapley shares of R² with intervals; fills ``ctx['drivers']``."""
    from ...drivers import key_drivers

    if not plan.sat:
        return skip("key-drivers", title, f"skipped: {plan.role_hint('satisfaction')}.")
    dims = list(plan.instrument.dimensions)
    sub, used = used_rows(comp, dims + ["satisfaction"], "the driver model")
    w = weights_of(sub, plan) if plan.weight is not None else None
    # fitted on the blocks' labels so that the figure and the warnings show them
    names = plan.block_names()
    back = {v: k for k, v in names.items()}
    sub = sub.rename(columns=names)
    res, notes = caught(lambda: key_drivers(sub, "satisfaction", list(names.values()),
                                            methods=("shapley",), n_boot=n_boot, seed=seed,
                                            progress=False, weights=w))  # fmt: skip
    t = res.table.sort_values("share", ascending=False, kind="stable")
    nan = float("nan")
    frame = pd.DataFrame({
        "Block": [plan.label(back[d]) for d in t["driver"]],
        "Share of explained variance": 100 * t["share"].to_numpy(float),
        "Contribution to R²": 100 * t["importance"].to_numpy(float),
        "contribution, lower": 100 * t["ci_lower"].to_numpy(float) if n_boot else nan,
        "contribution, upper": 100 * t["ci_upper"].to_numpy(float) if n_boot else nan,
        "Chance of ranking first": 100 * t["p_first"].to_numpy(float) if n_boot else nan,
    })  # fmt: skip
    describe = {
        "Block": "block of questions (driver)",
        "Share of explained variance": "percent of the explained variance of satisfaction "
        "due to the block (Shapley value of R² over R²; shares add to 100%)",
        "Contribution to R²": "the block's Shapley value of R², in percentage points of "
        "variance explained (they add up to R²)",
        "contribution, lower": "lower end of its 95% bootstrap percentile interval",
        "contribution, upper": "upper end of its 95% bootstrap percentile interval",
        "Chance of ranking first": "percent of bootstrap samples where the block is the top driver",
    }  # fmt: skip
    table = Table("key_drivers", "Key drivers of satisfaction", frame, describe,
                  {c: "pct" for c in frame.columns[1:]},
                  (("Contribution, 95% CI", "contribution, lower", "contribution, upper",
                    "pct"),))  # fmt: skip
    ctx["drivers"], ctx["drivers_r2"] = table, res.r2
    ctx["top_block"] = back[t["driver"].iloc[0]]
    body = (f"<p>The blocks together explain R² = {res.r2:.3f} of the variance of "
            f"satisfaction (n = {res.n}, {n_boot} bootstrap replicates).</p>")  # fmt: skip
    body += table.to_html()
    if n_boot:  # the intervals as a figure
        from ...figures.drivers import plot_importance

        body += figure(lambda ax: plot_importance(res, ax=ax), alt="key drivers")[0]
    return Section("key-drivers", title, body, used + notes + tuple(res.warnings), (table,),
                   CITE_DRIVERS)  # fmt: skip


def _block_frame(comp, plan: Plan, what: str):
    """Complete rows of the blocks and satisfaction, the blocks' columns named by their
    labels (:meth:`Plan.block_names`, so that warnings and figures show them)."""
    names = plan.block_names()
    sub, used = used_rows(comp, list(names) + ["satisfaction"], what)
    return sub.rename(columns=names), used, list(names.values())


def ipa_section(comp, plan: Plan, ctx: dict) -> Section:
    """Importance–performance grid of the blocks; fills ``ctx['ipa']``."""
    from ...figures.cx import plot_ipa
    from ...ipa import ipa

    title = "Importance–performance analysis"
    if not plan.sat:
        return skip("ipa", title, f"skipped: {plan.role_hint('satisfaction')}.")
    sub, used, dims = _block_frame(comp, plan, "the importance–performance analysis")
    res, notes = caught(lambda: ipa(sub, dims, outcome="satisfaction",
                                    scale=plan.instrument.scale))  # fmt: skip
    t = res.table
    keys = [plan.block_of(a) for a in t["attribute"]]
    frame = pd.DataFrame({"Block": [plan.label(d) for d in keys],
                          "Performance": t["performance"].to_numpy(float),
                          "Importance": t["importance"].to_numpy(float),
                          "Quadrant": [q.capitalize() for q in t["quadrant"]],
                          "Respondents": t["n"].astype(int).to_numpy()})  # fmt: skip
    table = Table("ipa", "Importance and performance of each block", frame,
                  {"Block": "block", "Performance": "mean block score",
                   "Importance": "correlation of the block score with satisfaction",
                   "Quadrant": "where the block falls relative to the cross-hairs",
                   "Respondents": "respondents used"},
                  {"Performance": "num2", "Importance": "num3"})  # fmt: skip
    ctx["ipa"] = dict(zip(keys, t["quadrant"]))
    img, _ = figure(lambda ax: plot_ipa(res, ax=ax), alt="importance-performance grid")
    return Section("ipa", title, table.to_html() + img, used + notes, (table,), CITE_IPA)


def prca_section(comp, plan: Plan, ctx: dict) -> Section:
    """Penalty and reward of each block; fills ``ctx['prca']``."""
    from ...prca import penalty_reward

    title = "Penalty–reward analysis"
    if not plan.sat:
        return skip("penalty-reward", title, f"skipped: {plan.role_hint('satisfaction')}.")
    sub, used, dims = _block_frame(comp, plan, "the penalty–reward analysis")
    res, notes = caught(lambda: penalty_reward(sub, dims, "satisfaction",
                                               scale=plan.instrument.scale))  # fmt: skip
    t = res.table
    keys = [plan.block_of(a) for a in t["attribute"]]
    frame = pd.DataFrame({
        "Block": [plan.label(d) for d in keys],
        "Low ratings": t["n_low"].astype(int).to_numpy(),
        "High ratings": t["n_high"].astype(int).to_numpy(),
        "Penalty": t["penalty"].to_numpy(float),
        "penalty, lower": t["penalty_ci_lower"].to_numpy(float),
        "penalty, upper": t["penalty_ci_upper"].to_numpy(float),
        "Reward": t["reward"].to_numpy(float),
        "reward, lower": t["reward_ci_lower"].to_numpy(float),
        "reward, upper": t["reward_ci_upper"].to_numpy(float),
        "Kind of factor": [str(f) for f in t["factor"]],
    })  # fmt: skip
    describe = {"Block": "block", "Low ratings": "respondents rating the block low",
                "High ratings": "respondents rating the block high",
                "Penalty": "drop in satisfaction when the block is rated low",
                "penalty, lower": "95% interval, lower", "penalty, upper": "95% interval, upper",
                "Reward": "gain in satisfaction when the block is rated high",
                "reward, lower": "95% interval, lower", "reward, upper": "95% interval, upper",
                "Kind of factor": "basic (mostly penalty), excitement (mostly reward) "
                                  "or performance"}  # fmt: skip
    table = Table("penalty_reward", "Penalty and reward of each block", frame, describe,
                  {c: "num2" for c in ("Penalty", "penalty, lower", "penalty, upper", "Reward",
                                       "reward, lower", "reward, upper")},
                  (("Penalty, 95% CI", "penalty, lower", "penalty, upper", "num2"),
                   ("Reward, 95% CI", "reward, lower", "reward, upper", "num2")))  # fmt: skip
    ctx["prca"] = dict(zip(keys, t["penalty_ci_lower"] > 0))
    body = (f"<p>R² = {res.r2:.3f}, n = {res.n}; ratings up to {res.low_cut:.2f} are low, "
            f"from {res.high_cut:.2f} high.</p>") + table.to_html()  # fmt: skip
    return Section("penalty-reward", title, body, used + notes + tuple(res.warnings), (table,),
                   CITE_PRCA)  # fmt: skip


def priorities(plan: Plan, ctx: dict) -> Table | None:
    """Blocks that IPA puts in "concentrate here" and whose penalty is clearly above zero."""
    if "ipa" not in ctx or "prca" not in ctx:
        return None
    rows = []
    for d in plan.instrument.dimensions:
        concentrate = ctx["ipa"].get(d) == "concentrate here"
        penalty = bool(ctx["prca"].get(d, False))
        rows.append({"Block": plan.label(d), "IPA: concentrate here": concentrate,
                     "Penalty above zero": penalty,
                     "Priority": "act now" if concentrate and penalty else
                     ("watch" if concentrate or penalty else "—")})  # fmt: skip
    frame = pd.DataFrame(rows)
    return Table("priorities", "Priority actions: where IPA and penalty–reward agree", frame,
                 {"Block": "block",
                  "IPA: concentrate here": "important but performing below the average block",
                  "Penalty above zero": "low ratings clearly lower satisfaction (95% interval "
                                        "of the penalty above zero)",
                  "Priority": "act now: both methods agree; watch: one of them"})  # fmt: skip


def sem_section(clean, plan: Plan, title: str, appendix: list) -> Section:
    """Fit indices and structural paths; the model syntax goes to the appendix."""
    from ... import sem

    sat, loy = plan.sat, [c for c in plan.loy if c in clean.columns]
    if len(sat) < 2 or len(loy) < 2:
        why = "needs at least two satisfaction and two loyalty items"
        if plan.codebook is not None:
            why += f" (the codebook declares {len(sat)} and {len(loy)})"
        return skip("sem", title, f"skipped: {why}.")
    model = sem.rater_model(plan.instrument, items={"satisfaction": sat, "loyalty": loy})
    cols = plan.instrument.columns(plan.kind) + sat + loy
    sub, used = used_rows(clean, cols, "the structural model")
    res, notes = caught(lambda: sem.fit(model, sub, progress=False))
    fi = res.fit_indices
    names = {"chi2": "Chi-square", "df": "Degrees of freedom", "pvalue": "p of chi-square",
             "cfi": "CFI", "tli": "TLI", "rmsea": "RMSEA", "srmr": "SRMR"}  # fmt: skip
    fit = pd.DataFrame({"Index": [names[k] for k in names if k in fi],
                        "Value": [float(fi[k]) for k in names if k in fi]})  # fmt: skip
    p = res.params
    paths = p[p["op"] == "~"]

    def construct(x):  # a block's label, or the outcome construct capitalised
        x = str(plan.label(x))
        return x[:1].upper() + x[1:]

    pf = pd.DataFrame({"Outcome": [construct(x) for x in paths["lhs"]],
                       "Predictor": [construct(x) for x in paths["rhs"]],
                       "Estimate": paths["est"].to_numpy(float),
                       "Standard error": paths["se"].to_numpy(float),
                       "p": paths["pvalue"].to_numpy(float),
                       "Standardised": paths["std_all"].to_numpy(float)})  # fmt: skip
    kinds = tuple({"df": "int", "pvalue": "p"}.get(k, "num3") for k in names if k in fi)
    t1 = Table("sem_fit", "Fit of the structural model", fit,
               {"Index": "fit index", "Value": "its value"}, {"Value": kinds})  # fmt: skip
    t2 = Table("sem_paths", "Structural paths", pf,
               {"Outcome": "dependent construct", "Predictor": "construct predicting it",
                "Estimate": "unstandardised path coefficient", "Standard error": "its SE",
                "p": "two-sided p-value", "Standardised": "standardised coefficient"},
               {"Estimate": "num3", "Standard error": "num3", "p": "p",
                "Standardised": "num3"})  # fmt: skip
    appendix.append(Section("sem-syntax", "Structural model syntax",
                            f"<pre>{html.escape(model)}</pre>"))  # fmt: skip
    body = t1.to_html() + t2.to_html()
    return Section("sem", title, body, used + notes + tuple(res.warnings), (t1, t2), CITE_SEM)
