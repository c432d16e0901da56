"""Coverage of the CX intervals by simulation (not part of the test suite).

Run: .venv/bin/python validation/cx_coverage.py [reps]
* NPS: normal interval with the trinomial SE, n = 200, true shares P 0.45 / D 0.25.
* CSAT: Wilson interval, n = 60, true top-2-box share 0.8.
* Penalty-reward: HC3 95% CIs of penalty and reward, n = 600, four attributes
  (servqual.prca.simulate_asymmetric, known effects).
Prints the empirical coverage and its Monte-Carlo SE for each.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

from servqual import metrics, prca

PEN = {"a": 1.0, "b": 0.5, "c": 0.2, "d": 0.6}
REW = {"a": 0.2, "b": 0.5, "c": 0.9, "d": 0.1}


def main(reps: int = 400) -> None:
    rng = np.random.default_rng(20261122)
    p = np.array([0.25, 0.30, 0.45])  # detractor, passive, promoter
    true_nps = 100 * (p[2] - p[0])
    hits = 0
    for _ in range(reps):
        cat = rng.choice(3, size=200, p=p)
        scores = np.where(cat == 0, 3, np.where(cat == 1, 8, 10))
        r = metrics.nps(scores)
        hits += r.ci_lower <= true_nps <= r.ci_upper
    cov = hits / reps
    print(f"NPS 95% CI coverage (n=200): {cov:.3f} (MC SE {np.sqrt(cov * (1 - cov) / reps):.3f})")

    hits = 0
    for _ in range(reps):
        x = np.where(rng.random(60) < 0.8, 5, 2)
        r = metrics.csat(x)
        hits += r.ci_lower <= 80.0 <= r.ci_upper
    cov = hits / reps
    print(
        f"CSAT Wilson 95% coverage (n=60, p=0.8): {cov:.3f} "
        f"(MC SE {np.sqrt(cov * (1 - cov) / reps):.3f})"
    )

    hp = np.zeros(4)
    hr = np.zeros(4)
    for i in range(reps):
        df, _ = prca.simulate_asymmetric(600, PEN, REW, seed=1000 + i)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # small rewards can be estimated below zero
            t = prca.penalty_reward(df, list(PEN), "SAT", scale=(1, 7)).table
        tp = np.array(list(PEN.values()))
        tr = np.array(list(REW.values()))
        hp += (t["penalty_ci_lower"].to_numpy() <= tp) & (tp <= t["penalty_ci_upper"].to_numpy())
        hr += (t["reward_ci_lower"].to_numpy() <= tr) & (tr <= t["reward_ci_upper"].to_numpy())
    se = np.sqrt(0.95 * 0.05 / reps)
    print(
        f"Penalty 95% CI coverage (n=600) per attribute: {np.round(hp / reps, 3)} (MC SE ~{se:.3f})"
    )
    print(f"Reward  95% CI coverage (n=600) per attribute: {np.round(hr / reps, 3)}")


if __name__ == "__main__":
    from _results import study_output

    with study_output("cx_coverage"):
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
