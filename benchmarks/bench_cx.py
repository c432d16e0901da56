"""Speed of the Kano classification and of the penalty-reward contrast analysis.

Run: .venv/bin/python benchmarks/bench_cx.py
Compares, in one process (after an untimed warm-up call that pays the imports):
* ``servqual.kano.kano`` on 20,000 respondents x 20 features against the row-wise
  ``DataFrame.apply`` lookup a user would typically write (same categories checked);
* ``servqual.prca.penalty_reward`` on 20,000 respondents x 10 attributes against the
  statsmodels formula a user would write (same coefficients checked to 1e-10).
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from servqual import kano, prca

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402

TABLE = {(f, d): kano.EVALUATION_TABLE.iloc[f - 1, d - 1] for f in range(1, 6) for d in range(1, 6)}


def naive_kano(df: pd.DataFrame, feats: dict) -> pd.DataFrame:
    out = {}
    for name, (fc, dc) in feats.items():
        out[name] = df.apply(lambda r, fc=fc, dc=dc: TABLE[(r[fc], r[dc])], axis=1)
    return pd.DataFrame(out)


def main() -> None:
    truth = {f"feat{i}": "AOMI"[i % 4] for i in range(20)}
    df, _ = kano.simulate_kano(20_000, truth, noise=0.3, seed=1)
    feats = {k: (f"{k}_f", f"{k}_d") for k in truth}
    kano.kano(df.head(50), feats)  # warm-up (imports), not timed
    t0 = time.perf_counter()
    res = kano.kano(df, feats)
    t_pkg = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive = naive_kano(df, feats)
    t_naive = time.perf_counter() - t0
    assert (naive.to_numpy() == res.categories.to_numpy()).all()
    print(
        f"Kano, 20,000 x 20 features: servqual {t_pkg:.3f} s (incl. shares, Fong, "
        f"Better/Worse); DataFrame.apply lookup {t_naive:.3f} s; ratio {t_naive / t_pkg:.1f}x"
    )
    record(
        "kano",
        task="Kano classification + shares, Fong, Better/Worse: 20,000 respondents x 20 features",
        servqual_seconds=t_pkg,
        baseline="row-wise DataFrame.apply table lookup (categories only)",
        baseline_seconds=t_naive,
        ratio=t_naive / t_pkg,
    )

    pen = {f"a{i}": 0.1 * (i + 1) for i in range(10)}
    rew = {f"a{i}": 0.1 * (10 - i) for i in range(10)}
    d2, _ = prca.simulate_asymmetric(20_000, pen, rew, seed=2)
    with warnings.catch_warnings():  # warm-up (imports) on a small, noisy subset
        warnings.simplefilter("ignore")
        prca.penalty_reward(d2.head(500), list(pen), "SAT", scale=(1, 7))
    t0 = time.perf_counter()
    r = prca.penalty_reward(d2, list(pen), "SAT", scale=(1, 7))
    t_pkg = time.perf_counter() - t0
    t0 = time.perf_counter()
    dd = d2.copy()
    terms = []
    for a in pen:
        dd[f"{a}_lo"] = (dd[a] <= 3).astype(float)
        dd[f"{a}_hi"] = (dd[a] >= 5).astype(float)
        terms += [f"{a}_lo", f"{a}_hi"]
    fit = smf.ols("SAT ~ " + " + ".join(terms), dd).fit(cov_type="HC3")
    t_sm = time.perf_counter() - t0
    np.testing.assert_allclose(
        r.table["penalty"], -fit.params[[f"{a}_lo" for a in pen]], atol=1e-10
    )
    np.testing.assert_allclose(r.table["reward"], fit.params[[f"{a}_hi" for a in pen]], atol=1e-10)
    print(
        f"Penalty-reward, 20,000 x 10 attributes: servqual {t_pkg:.3f} s (incl. IA, tests); "
        f"statsmodels formula {t_sm:.3f} s; ratio {t_sm / t_pkg:.1f}x"
    )


if __name__ == "__main__":
    main()
