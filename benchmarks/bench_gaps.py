"""Time of servqual.gaps.unit_scores vs the pandas + statsmodels code a user would write.

Run: .venv/bin/python benchmarks/bench_gaps.py [n_units]
Task: 90 units (default) x 25 customers, 3 managers, 5 staff; gaps 1-5 per RATER
dimension and overall, plus ICC(1)/ICC(2) of the 8 respondent-level gap measures
(P, E, P-E, SAT, ME, SS, CP, DP).  The baseline builds the gap table with pandas
groupby and gets each ICC from a statsmodels one-way ANOVA (``anova_lm``); it
computes less (no rwg, no antecedent scales) so the ratio is conservative.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from servqual.gaps import RATER, simulate_units, unit_scores

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402

ITEMS = range(1, 23)


def by_hand(c: pd.DataFrame, m: pd.DataFrame, s: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    def means(frame, pre):
        return frame.groupby("unit_id")[[f"{pre}{i}" for i in ITEMS]].mean()

    e, p = means(c, "E").to_numpy(), means(c, "P").to_numpy()
    me, ss, cp = means(m, "ME").to_numpy(), means(m, "SS").to_numpy(), means(m, "CP").to_numpy()
    dp = means(s, "DP").to_numpy()
    item_gaps = {1: me - e, 2: ss - me, 3: dp - ss, 4: dp - cp, 5: p - e}
    out = {}
    for k, g in item_gaps.items():
        for d, its in RATER.items():
            out[f"gap{k}_{d}"] = g[:, [i - 1 for i in its]].mean(axis=1)
        out[f"gap{k}_overall"] = g.mean(axis=1)
    table = pd.DataFrame(out)
    iccs = {}
    comp = {
        "P": (c, c[[f"P{i}" for i in ITEMS]].mean(axis=1)),
        "E": (c, c[[f"E{i}" for i in ITEMS]].mean(axis=1)),
        "P-E": (
            c,
            (c[[f"P{i}" for i in ITEMS]].to_numpy() - c[[f"E{i}" for i in ITEMS]].to_numpy()).mean(
                axis=1
            ),
        ),  # fmt: skip
        "SAT": (c, c[["SAT1", "SAT2", "SAT3"]].mean(axis=1)),
        "ME": (m, m[[f"ME{i}" for i in ITEMS]].mean(axis=1)),
        "SS": (m, m[[f"SS{i}" for i in ITEMS]].mean(axis=1)),
        "CP": (m, m[[f"CP{i}" for i in ITEMS]].mean(axis=1)),
        "DP": (s, s[[f"DP{i}" for i in ITEMS]].mean(axis=1)),
    }
    for name, (frame, v) in comp.items():
        df = pd.DataFrame({"y": np.asarray(v), "g": frame["unit_id"].to_numpy()})
        tab = sm.stats.anova_lm(smf.ols("y ~ C(g)", df).fit())
        msb, msw = tab["mean_sq"].iloc[0], tab["mean_sq"].iloc[1]
        n_j = df.groupby("g").size().to_numpy()
        k0 = (len(df) - (n_j**2).sum() / len(df)) / (len(n_j) - 1)
        iccs[name] = ((msb - msw) / (msb + (k0 - 1) * msw), (msb - msw) / msb)
    return table, iccs


def main(n_units: int = 90, reps: int = 5) -> None:
    c, m, s, _ = simulate_units(n_units, 25, 5, seed=1)
    unit_scores(c, m, s)  # warm-up (imports)
    t0 = time.perf_counter()
    for _ in range(reps):
        res = unit_scores(c, m, s)
    ours = (time.perf_counter() - t0) / reps
    by_hand(c, m, s)
    t0 = time.perf_counter()
    for _ in range(reps):
        table, iccs = by_hand(c, m, s)
    base = (time.perf_counter() - t0) / reps
    # same numbers
    np.testing.assert_allclose(table["gap3_overall"], res.table["gap3_overall"])
    agree = res.agreement.set_index("measure")
    for name, (i1, i2) in iccs.items():
        assert np.isclose(agree.loc[name, "icc1"], i1) and np.isclose(agree.loc[name, "icc2"], i2)
    print(f"unit_scores ({n_units} units, {len(c)} customers, 23 measures + rwg): {ours:.3f} s")
    print(f"pandas + statsmodels anova_lm by hand (gap table + 8 ICCs only): {base:.3f} s")
    print(f"ratio (by hand / servqual): {base / ours:.1f}x")
    record(
        "gaps",
        task=f"unit_scores: {n_units} units x (25 customers, 3 managers, 5 staff)",
        servqual_seconds=ours,
        baseline="pandas groupby + statsmodels anova_lm per measure (less output)",
        baseline_seconds=base,
        ratio=base / ours,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 90)
