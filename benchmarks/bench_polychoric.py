"""Polychoric matrix of the 22 SERVQUAL perception items: servqual vs a naive scipy loop.

Run: .venv/bin/python benchmarks/bench_polychoric.py [n]

semopy 2.3.11's ``polychoric_corr`` cannot run on current SciPy (it imports
``scipy.stats.mvn``, removed in SciPy 1.15), so the comparison is the loop a user
would otherwise write with SciPy alone: for each pair, thresholds from the
marginals and a bounded 1-D ML search whose rectangle probabilities come from
``scipy.stats.multivariate_normal.cdf`` (what semopy did with ``mvnun``).  The
naive loop is timed on the first ``k`` pairs and extrapolated to all 231.

servqual's ``polychoric_moments`` also computes the asymptotic covariance
matrix Gamma (231 x 231) that WLSMV needs; the naive loop computes only the
correlations.  Both run with BLAS limited to one thread (threadpoolctl).  The
script checks that the correlations agree to 1e-5.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from scipy import optimize, stats
from threadpoolctl import threadpool_limits

import servqual
from servqual import Instrument, Truth
from servqual.sem.polychoric import polychoric_moments

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402


def naive_pair(x, y):
    cx, ix = np.unique(x, return_inverse=True)
    cy, iy = np.unique(y, return_inverse=True)
    table = np.zeros((cx.size, cy.size))
    np.add.at(table, (ix, iy), 1)
    ta = np.r_[-8.0, stats.norm.ppf(np.cumsum(table.sum(1))[:-1] / x.size), 8.0]
    tb = np.r_[-8.0, stats.norm.ppf(np.cumsum(table.sum(0))[:-1] / y.size), 8.0]

    def nll(r):
        mvn = stats.multivariate_normal([0.0, 0.0], [[1.0, r], [r, 1.0]])
        ll = 0.0
        for i in range(cx.size):
            for j in range(cy.size):
                if table[i, j] == 0:
                    continue
                p = (
                    mvn.cdf([ta[i + 1], tb[j + 1]])
                    - mvn.cdf([ta[i], tb[j + 1]])
                    - mvn.cdf([ta[i + 1], tb[j]])
                    + mvn.cdf([ta[i], tb[j]])
                )
                ll += table[i, j] * np.log(max(p, 1e-300))
        return -ll

    return optimize.minimize_scalar(
        nll, bounds=(-0.9999, 0.9999), method="bounded", options={"xatol": 1e-8}
    ).x


def main(n: int = 5000, k: int = 6) -> None:
    df, _ = servqual.simulate_survey(n, truth=Truth(scale_points=5), seed=1)
    cols = Instrument.servqual22().columns("P")
    X = df[cols].to_numpy()
    with threadpool_limits(1):
        t0 = time.perf_counter()
        mom = polychoric_moments(df, cols)
        t_sq = time.perf_counter() - t0
        li, lj = np.tril_indices(len(cols), -1)
        t0 = time.perf_counter()
        naive = [naive_pair(X[:, i], X[:, j]) for i, j in zip(li[:k], lj[:k])]
        t_naive = (time.perf_counter() - t0) / k * li.size
    R = mom.corr.to_numpy()
    diff = max(abs(R[i, j] - r) for (i, j), r in zip(zip(li[:k], lj[:k]), naive))
    print(f"n = {n}, 22 items, {li.size} pairs, 5-point items, BLAS threads = 1")
    print(f"servqual polychoric_moments (correlations + Gamma): {t_sq:8.2f} s")
    print(f"naive scipy loop (correlations only, {k} pairs timed, extrapolated): {t_naive:8.2f} s")
    print(f"ratio naive / servqual: {t_naive / t_sq:8.1f}x")
    print(f"max |difference| on the timed pairs: {diff:.2e}")
    assert diff < 1e-5
    record(
        "polychoric",
        task=f"polychoric correlations + Gamma, 22 five-point items, n = {n:,}",
        servqual_seconds=t_sq,
        baseline=f"scipy bivariate-normal ML loop ({k} pairs timed, extrapolated)",
        baseline_seconds=t_naive,
        ratio=t_naive / t_sq,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
