"""Recovery study for ``servqual.gaps.multilevel`` (issue 8 acceptance).

100 simulated studies of 90 units (5 companies) x 20 customers, 3 managers and
4 contact staff per unit, default :class:`servqual.gaps.UnitTruth`.  For each
study the multilevel model ``SAT ~ PE + gap1..gap4 + (1 | unit)`` is fitted and
we record whether each true fixed effect lies inside its 95% Wald CI.
Criterion: coverage >= 90% for every coefficient.  Also reports the mean
estimate, its bias, and the mean random-intercept variance vs the truth.

Run:  .venv/bin/python validation/gap_multilevel.py [n_studies] [n_jobs]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from servqual._progress import progress_bar
from servqual.gaps import UnitTruth, multilevel, simulate_units, unit_scores

TERMS = ["Intercept", "PE", "gap1", "gap2", "gap3", "gap4"]


def truth_values(truth: UnitTruth) -> dict[str, float]:
    out = {"Intercept": truth.sat_intercept, "PE": truth.sat_pe}
    out.update(truth.sat_gap_effects)
    return out


def one_study(child: np.random.SeedSequence, truth: UnitTruth, n_units=90, n_cust=20):
    c, m, s, _ = simulate_units(n_units, n_cust, 4, truth, seed=child, managers_per_unit=3)
    res = multilevel(unit_scores(c, m, s))
    f = res.fixed.set_index("term")
    tv = truth_values(truth)
    row = {}
    for t in TERMS:
        row[f"{t}_est"] = f.loc[t, "estimate"]
        row[f"{t}_in"] = bool(f.loc[t, "ci_low"] <= tv[t] <= f.loc[t, "ci_high"])
    row["unit_var"] = float(res.variance.set_index("model").loc["full", "unit_var"])
    row["warnings"] = len(res.warnings)
    return row


def run(n_studies: int = 100, n_jobs: int = 1, seed: int = 20261122) -> pd.DataFrame:
    truth = UnitTruth()
    children = np.random.SeedSequence(seed).spawn(n_studies)
    rows = []
    with progress_bar(total=n_studies, desc="studies") as bar:
        gen = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(one_study)(c, truth) for c in children
        )
        for r in gen:
            rows.append(r)
            bar.update(1)
    return pd.DataFrame(rows)


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    n_jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    t0 = time.perf_counter()
    df = run(n, n_jobs)
    truth = UnitTruth()
    tv = truth_values(truth)
    table = pd.DataFrame(
        {
            "truth": [tv[t] for t in TERMS],
            "mean_estimate": [df[f"{t}_est"].mean() for t in TERMS],
            "coverage_95": [df[f"{t}_in"].mean() for t in TERMS],
        },
        index=TERMS,
    )
    table["bias"] = table["mean_estimate"] - table["truth"]
    print(f"{n} studies, {time.perf_counter() - t0:.1f} s")
    print(table.round(3).to_string())
    print(
        f"random-intercept variance: mean estimate {df['unit_var'].mean():.4f}, "
        f"truth {truth.sat_unit_sd**2:.4f}"
    )
    print(f"studies with warnings: {int((df['warnings'] > 0).sum())}")
    ok = bool((table["coverage_95"] >= 0.90).all())
    print("PASS" if ok else "FAIL", "(criterion: every coverage >= 0.90)")
    return 0 if ok else 1


if __name__ == "__main__":
    from _results import study_output

    with study_output("gap_multilevel"):
        code = main()
    raise SystemExit(code)
