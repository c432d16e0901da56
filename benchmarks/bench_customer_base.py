"""Speed of simulate_customer_base: 1,000,000 customers x 20 periods on one core,
and its dask speed-up on a 2-worker LocalCluster (16M customers).

Run: .venv/bin/python benchmarks/bench_customer_base.py [n_customers]
     .venv/bin/python benchmarks/bench_customer_base.py dask [n_customers] [rounds]

Times the vectorised Monte Carlo (per-customer satisfaction driving churn,
referrals and negative word of mouth) against the plain per-customer loop a
user would otherwise write (Python loop over customers per period, customers
kept in a pandas DataFrame), run on a subset and extrapolated linearly in the
number of customer-periods.  Prints both times and the ratio.
"""

from __future__ import annotations

import os
import resource
import statistics
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


def _cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def dask_speedup(n: int = 16_000_000, rounds: int = 5) -> None:
    """Serial vs ``backend="dask"`` on a 2-worker (process) LocalCluster, interleaved.

    Both variants run in this one process, alternating, so a busy machine
    slows both alike; the results are checked identical.  Besides the wall
    times it reports the CPU seconds each variant used (this process for
    serial; the workers' ``getrusage`` for dask): their ratio is the parallel
    overhead, whatever else runs on the machine.
    """
    import distributed

    kw = dict(acquisition=0.05 * n, seed=1, progress=False, **PARAMS)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        simulate_customer_base(10_000, 2, seed=0, backend="dask", progress=False)  # warm-up
        rows = []
        for _ in range(rounds):
            load = os.getloadavg()[0]
            c0, t0 = _cpu_seconds(), time.perf_counter()
            serial = simulate_customer_base(n, PERIODS, **kw)
            t_s, c_s = time.perf_counter() - t0, _cpu_seconds() - c0
            w0 = sum(client.run(_cpu_seconds).values())
            t0 = time.perf_counter()
            viadask = simulate_customer_base(n, PERIODS, backend="dask", **kw)
            t_d = time.perf_counter() - t0
            c_d = sum(client.run(_cpu_seconds).values()) - w0
            assert serial.paths.equals(viadask.paths), "dask result differs from serial"
            rows.append((t_s, t_d, c_s, c_d, load))
            print(
                f"serial {t_s:6.2f} s ({c_s:5.2f} CPU s) | dask 2 workers {t_d:6.2f} s "
                f"({c_d:5.2f} CPU s) | speed-up {t_s / t_d:4.2f}x | load average {load:.2f}",
                flush=True,
            )
    speedups = [a / b for a, b, *_ in rows]
    med = statistics.median(speedups)
    cpu_ratio = statistics.median([d / c for _, _, c, d, _ in rows])
    print(
        f"median speed-up on 2 workers: {med:.2f}x (range {min(speedups):.2f}-"
        f"{max(speedups):.2f}); dask CPU / serial CPU: {cpu_ratio:.2f}; "
        f"load average {min(r[4] for r in rows):.1f}-{max(r[4] for r in rows):.1f} "
        f"on {os.cpu_count()} cores"
    )
    record(
        "customer_base_dask",
        task=f"simulate_customer_base: {n:,} customers x {PERIODS} periods, "
        "serial vs backend='dask' on a 2-worker process LocalCluster (interleaved)",
        speedup_median=med,
        speedups=speedups,
        serial_wall_seconds=[r[0] for r in rows],
        dask_wall_seconds=[r[1] for r in rows],
        serial_cpu_seconds=[r[2] for r in rows],
        dask_worker_cpu_seconds=[r[3] for r in rows],
        load_average_1min=[r[4] for r in rows],
        note="shared machine: other engineers' jobs ran at the same time (see load "
        "averages); the lead re-runs this on a quiet machine",
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "dask":
        args = [int(a) for a in sys.argv[2:]]
        dask_speedup(*args)
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
        dask_speedup()
