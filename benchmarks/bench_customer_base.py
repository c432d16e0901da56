"""Speed of simulate_customer_base: 1,000,000 customers x 20 periods on one core.

Run: .venv/bin/python benchmarks/bench_customer_base.py [n_customers]

Times the vectorised Monte Carlo (per-customer satisfaction driving churn,
referrals and negative word of mouth) against the plain per-customer loop a
user would otherwise write (Python loop over customers per period, customers
kept in a pandas DataFrame), run on a subset and extrapolated linearly in the
number of customer-periods.  Prints both times and the ratio.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from servqual.wom import simulate_customer_base

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402

PARAMS = dict(
    retention=0.8,
    referral=0.05,
    churn_on_satisfaction=-0.8,
    wom_on_satisfaction=0.6,
    wom_negative=9.5,
)
PERIODS = 20


def naive_loop(n0: int, acquisition: float, seed: int) -> list[int]:
    """Per-customer loop: each period, every customer draws churn and referrals."""
    rng = np.random.default_rng(seed)
    r, rho = PARAMS["retention"], PARAMS["referral"]
    b, w, nu = (PARAMS[k] for k in ("churn_on_satisfaction", "wom_on_satisfaction", "wom_negative"))
    norm = np.exp(-0.5 * w**2)
    base = pd.DataFrame({"s": rng.standard_normal(n0)})
    sizes = [n0]
    for _ in range(PERIODS):
        keep, new, neg = [], 0, 0
        for s in base["s"]:
            p_churn = special.expit(special.logit(1 - r) + b * s)
            new += rng.poisson(rho * norm * np.exp(w * s))
            if rng.random() < p_churn:
                neg += rng.poisson(nu * norm * np.exp(-w * s))
            else:
                keep.append(s)
        new += rng.poisson(acquisition)
        base = pd.DataFrame({"s": keep + list(rng.standard_normal(new))})
        sizes.append(len(base))
    return sizes


def main(n: int = 1_000_000) -> None:
    acq = 0.05 * n
    simulate_customer_base(10_000, 2, seed=0, progress=False, **PARAMS)  # warm-up
    t0 = time.perf_counter()
    sim = simulate_customer_base(n, PERIODS, acquisition=acq, seed=1, progress=False, **PARAMS)
    t_vec = time.perf_counter() - t0
    cust_periods = int(sim.paths["customers"].iloc[:-1].sum())
    sub = 5_000
    t0 = time.perf_counter()
    sizes = naive_loop(sub, 0.05 * sub, seed=1)
    t_loop = time.perf_counter() - t0
    t_loop_full = t_loop * cust_periods / sum(sizes[:-1])
    print(
        f"simulate_customer_base({n:,} customers x {PERIODS} periods, "
        f"{cust_periods:,} customer-periods): {t_vec:.2f} s"
    )
    print(
        f"per-customer Python/pandas loop on {sub:,} customers: {t_loop:.2f} s "
        f"-> extrapolated to {n:,}: {t_loop_full:.0f} s"
    )
    print(f"ratio (loop / vectorised): {t_loop_full / t_vec:.0f}x")
    record(
        "customer_base",
        task=f"simulate_customer_base: {n:,} customers x {PERIODS} periods",
        servqual_seconds=t_vec,
        baseline=f"per-customer Python/pandas loop ({sub:,} customers timed, extrapolated)",
        baseline_seconds=t_loop_full,
        ratio=t_loop_full / t_vec,
    )
    t0 = time.perf_counter()
    simulate_customer_base(
        n, PERIODS, acquisition=acq, retention=0.8, referral=0.05, seed=1, progress=False
    )
    print(f"homogeneous customers (binomial survival only): {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
