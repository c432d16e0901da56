"""Coverage of key_drivers' bootstrap intervals (percentile and BCa; Shapley, RW).

Run: .venv/bin/python validation/drivers_ci_coverage.py [replications]

Data are drawn from a multivariate normal population whose correlation matrix is
known, so the population Shapley values and relative weights are exact
(``shapley_from_corr`` / ``relative_weights_from_corr`` of the population
matrix).  For each replication (n = 300, 500 bootstrap replicates) we record
whether each 95% interval (percentile and BCa) covers the population value.
Prints coverage per driver, method and interval type with its Monte-Carlo
standard error.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from servqual.drivers import key_drivers, relative_weights_from_corr, shapley_from_corr

P = 4
N = 300
BETA = np.array([0.5, 0.35, 0.2, 0.05])


def population() -> np.ndarray:
    rxx = 0.3 + 0.7 * np.eye(P)
    var_y = BETA @ rxx @ BETA + 1.0
    rxy = rxx @ BETA / np.sqrt(var_y)
    full = np.eye(P + 1)
    full[:P, :P] = rxx
    full[:P, P] = full[P, :P] = rxy
    return full


def main(reps: int = 200) -> None:
    corr = population()
    truth = {
        "shapley": shapley_from_corr(corr)[0],
        "relative_weights": relative_weights_from_corr(corr),
    }
    chol = np.linalg.cholesky(corr)
    rng = np.random.default_rng(20261122)
    names = [f"x{j}" for j in range(P)]
    kinds = ("percentile", "bca")
    hits = {(m, k): np.zeros(P) for m in truth for k in kinds}
    for r in range(reps):
        data = rng.standard_normal((N, P + 1)) @ chol.T
        df = pd.DataFrame(data, columns=[*names, "y"])
        for k in kinds:
            res = key_drivers(
                df, "y", names, list(truth), n_boot=500, ci_method=k, seed=r, progress=False
            )
            for m, t in truth.items():
                sub = res.table[res.table.method == m]
                lo, hi = sub["ci_lower"].to_numpy(), sub["ci_upper"].to_numpy()
                hits[(m, k)] += (lo <= t) & (t <= hi)
    print(f"95% interval coverage, {reps} replications, n = {N}, B = 500")
    for m, t in truth.items():
        print(f"  {m}:")
        for j in range(P):
            parts = []
            for k in kinds:
                cov = hits[(m, k)][j] / reps
                parts.append(f"{k} {cov:.3f} ± {np.sqrt(cov * (1 - cov) / reps):.3f}")
            print(f"    {names[j]} (population {t[j]:.4f}): " + "; ".join(parts))


if __name__ == "__main__":
    from _results import study_output

    with study_output("drivers_ci_coverage"):
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
