"""Time and peak memory of simulate_survey(1_000_000).

Run: .venv/bin/python benchmarks/bench_simulate.py [n]
Prints wall time, peak traced memory (tracemalloc) and the frame's size. For
comparison it also times the plain per-respondent loop a user might write for the
same ordinal-factor model on a subset and extrapolates (ratio printed).
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from servqual import Truth, simulate_survey

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402


def naive_loop(n: int, truth: Truth, seed: int) -> list[list[int]]:
    """Per-respondent Python loop for the 44 P/E items only (a lower bound of the work)."""
    rng = np.random.default_rng(seed)
    chol = np.linalg.cholesky(truth.factor_cov())
    cuts = list(truth.thresholds)
    rows = []
    for _ in range(n):
        xi = chol @ rng.standard_normal(10)
        row = []
        for j in range(44):
            f = (j % 22) // 5 + (5 if j >= 22 else 0)
            lam = truth.loadings[j % 22]
            z = lam * xi[f] + np.sqrt(1 - lam**2) * rng.standard_normal()
            row.append(1 + sum(z > c for c in cuts))
        rows.append(row)
    return rows


def main(n: int = 1_000_000) -> None:
    truth = Truth()
    tracemalloc.start()
    t0 = time.perf_counter()
    df, _ = simulate_survey(n, truth, seed=1)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = df.memory_usage(deep=True).sum()
    print(f"simulate_survey({n:,}): {elapsed:.2f} s, peak traced memory {peak / 2**20:.0f} MiB, "
          f"frame {size / 2**20:.0f} MiB ({df.shape[0]:,} x {df.shape[1]})")  # fmt: skip
    m = 2_000
    t0 = time.perf_counter()
    naive_loop(m, truth, seed=1)
    per_row = (time.perf_counter() - t0) / m
    print(f"naive per-respondent loop (44 items only): {per_row * 1e6:.1f} us/respondent, "
          f"extrapolated {per_row * n:.1f} s for {n:,}")  # fmt: skip
    print(f"ratio (naive / servqual): {per_row * n / elapsed:.0f}x")
    record(
        "simulate",
        task=f"simulate_survey({n:,}): 84 columns",
        servqual_seconds=elapsed,
        baseline="per-respondent Python loop (44 items), extrapolated",
        baseline_seconds=per_row * n,
        ratio=per_row * n / elapsed,
        peak_mib=peak / 2**20,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
