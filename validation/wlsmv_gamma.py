"""Which asymptotic covariance of the polychorics (Gamma) is right? A simulation.

servqual offers two: ``gamma="muthen1984"`` (default; reproduces lavaan 0.6's
``muthen1984`` to 3e-8 -- the two-step influence function with the blocks
estimated by outer products of case-wise scores) and ``gamma="expected"``
(the same influence function with expected-information blocks).  For a pair
of 6-category items cut from a bivariate normal (rho = 0.6, thresholds like
psych's bfi neuroticism items) this script draws ``R`` samples of size ``n``,
and compares ``n Var(rho_hat)`` over the replicates (the truth the diagonal
of Gamma estimates) with the mean of each Gamma's diagonal element.  Then,
on real items (psych's bfi N1 and N2, where the bivariate-normal model is only
an approximation), it compares both with the nonparametric bootstrap
``n Var(rho_hat)``.  Outer-product blocks are consistent only when the model
holds; expected-information blocks track the bootstrap on real data, which is
why ``"expected"`` is kept as an option.

Run: ``python validation/wlsmv_gamma.py [R] [n]``; results in
``validation/results/wlsmv_gamma.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from servqual.sem.polychoric import polychoric_moments


def main(R: int = 400, n: int = 1000, seed: int = 20261130) -> dict:
    rng = np.random.default_rng(seed)
    rho = 0.6
    tx = np.array([-1.2, -0.5, 0.0, 0.6, 1.3])
    ty = np.array([-0.9, -0.2, 0.3, 0.9, 1.6])
    est, g_m, g_e = [], [], []
    for _ in range(R):
        z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
        d = pd.DataFrame({"a": np.searchsorted(tx, z[:, 0]), "b": np.searchsorted(ty, z[:, 1])})
        m1 = polychoric_moments(d, gamma="muthen1984")
        m2 = polychoric_moments(d, gamma="expected")
        est.append(m1.corr.iloc[0, 1])
        g_m.append(m1.gamma.iloc[0, 0])
        g_e.append(m2.gamma.iloc[0, 0])
    out = {
        "replicates": R,
        "n": n,
        "rho": rho,
        "n_var_rho_hat": float(n * np.var(est, ddof=1)),
        "mean_gamma_muthen1984": float(np.mean(g_m)),
        "mean_gamma_expected": float(np.mean(g_e)),
    }
    # real items (misspecified bivariate normal): psych's bfi N1, N2 -- bootstrap
    root = Path(__file__).resolve().parents[1]
    bfi = pd.read_csv(root / "tests" / "data" / "bfi_items.csv")[["N1", "N2"]]
    boot = []
    for _ in range(R):
        idx = rng.integers(0, len(bfi), len(bfi))
        boot.append(polychoric_moments(bfi.iloc[idx]).corr.iloc[0, 1])
    out["bfi_N1_N2"] = {
        "n_var_bootstrap": float(len(bfi) * np.var(boot, ddof=1)),
        "gamma_muthen1984": float(polychoric_moments(bfi).gamma.iloc[0, 0]),
        "gamma_expected": float(polychoric_moments(bfi, gamma="expected").gamma.iloc[0, 0]),
    }
    return out


if __name__ == "__main__":
    from _results import study_output

    with study_output("wlsmv_gamma"):
        args = [int(a) for a in sys.argv[1:3]]
        res = main(*args)
        print(json.dumps(res, indent=2))
        path = Path(__file__).parent / "results" / "wlsmv_gamma.json"
        path.write_text(json.dumps(res, indent=2) + "\n")
