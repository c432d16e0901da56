"""Shapley / LMG importance: servqual vs refitting every subset, vs dominance-analysis.

Run: .venv/bin/python benchmarks/bench_drivers.py

For 10, 15 and 20 predictors (n = 500 simulated respondents) it times

* servqual: ``shapley_from_corr`` on the correlation matrix (arrays in, like
  the refit loop), and the public ``shapley(df, ...)`` (validation, dominance
  tables and all);
* the naive approach a user would write: ``sm.OLS(y, X).fit().rsquared`` on
  every non-empty subset (arrays, constant included), then the Shapley
  formula.  At 20 predictors (1,048,575 fits) the loop is timed on 5,000
  random subsets and extrapolated (printed as such);
* the ``dominance-analysis`` package (``Dominance(...).incremental_rsquare()``)
  at 10 predictors, if it imports.  Measured 2026-11: dominance-analysis 1.1.9
  pins bokeh 2.4.3, which uses ``np.bool8`` (removed in numpy 2), so the import
  fails; with an ``np.bool8 = np.bool_`` shim it fails next inside bokeh's
  ``output_notebook`` (IPython API change), so no comparison is possible.

Times are the best of several runs for both sides (best of 3 for the refit loop
at 10 predictors, one run at 15).  It checks that the numbers agree (max
|difference| of subset R² and Shapley values) and prints times and ratios.
Targets (issue 4): ≥ 300× the refit loop and ≥ 1,000× dominance-analysis at
10 predictors, same numbers to 1e-10.
"""

from __future__ import annotations

import sys
import time
from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

from servqual.drivers import shapley, shapley_from_corr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402

N = 500


def make_data(p: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, p)) + 0.5 * rng.normal(size=(N, 1))
    y = x @ rng.uniform(0, 1, p) + rng.normal(size=N) * 2
    return x, y


def best_of(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def servqual_arrays(x, y):
    corr = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    return shapley_from_corr(corr)


def refit_r2(x1, y, masks, p):
    out = np.zeros(masks.size)
    for i, m in enumerate(masks):
        cols = [0] + [j + 1 for j in range(p) if m >> j & 1]
        out[i] = sm.OLS(y, x1[:, cols]).fit().rsquared if m else 0.0
    return out


def shapley_by_formula(r2: np.ndarray, p: int) -> np.ndarray:
    masks = np.arange(2**p)
    size = np.array([bin(m).count("1") for m in masks])
    w = np.array([1 / (p * comb(p - 1, s)) for s in range(p)])
    out = np.zeros(p)
    for j in range(p):
        without = masks[(masks >> j & 1) == 0]
        out[j] = np.sum(w[size[without]] * (r2[without | 1 << j] - r2[without]))
    return out


def naive(x, y):
    p = x.shape[1]
    r2 = refit_r2(sm.add_constant(x), y, np.arange(2**p), p)
    return shapley_by_formula(r2, p), r2


def dominance_analysis(x, y):
    from dominance_analysis import Dominance

    df = pd.DataFrame(x, columns=[f"x{j}" for j in range(x.shape[1])]).assign(y=y)
    dom = Dominance(data=df, target="y", objective=1, top_k=x.shape[1])
    return dom.incremental_rsquare()


def main() -> None:
    print(f"Shapley/LMG decomposition of R², n = {N}")
    for p in (10, 15, 20):
        x, y = make_data(p)
        names = [f"x{j}" for j in range(p)]
        df = pd.DataFrame(x, columns=names).assign(y=y)
        sv, r2 = servqual_arrays(x, y)
        t_arr = best_of(lambda x=x, y=y: servqual_arrays(x, y), 7 if p < 20 else 3)
        t_df = best_of(lambda df=df, names=names: shapley(df, "y", names), 5 if p < 20 else 2)
        print(f"\n{p} predictors ({2**p - 1:,} non-empty subsets)")
        print(f"  servqual shapley_from_corr (arrays): {t_arr * 1e3:10.2f} ms")
        print(f"  servqual shapley(df) with dominance: {t_df * 1e3:10.2f} ms")
        if p <= 15:
            sv_naive, r2_naive = naive(x, y)
            t_naive = best_of(lambda x=x, y=y: naive(x, y), 3 if p == 10 else 1)
            print(f"  statsmodels refit loop (arrays):     {t_naive * 1e3:10.2f} ms")
            print(
                f"  max |Δ| subset R²: {np.abs(r2 - r2_naive).max():.1e}; "
                f"max |Δ| Shapley: {np.abs(sv - sv_naive).max():.1e}"
            )
        else:
            rng = np.random.default_rng(1)
            masks = rng.integers(1, 2**p, 5000)
            x1 = sm.add_constant(x)
            t = time.perf_counter()
            r2_sample = refit_r2(x1, y, masks, p)
            t_naive = (time.perf_counter() - t) * (2**p - 1) / masks.size
            print(
                f"  statsmodels refit loop (arrays):     {t_naive * 1e3:10.2f} ms "
                "(extrapolated from 5,000 timed fits)"
            )
            print(
                f"  max |Δ| subset R² on the 5,000 refitted subsets: "
                f"{np.abs(r2[masks] - r2_sample).max():.1e}"
            )
        print(f"  ratio refit / servqual (arrays): {t_naive / t_arr:10.0f}x")
        record(
            f"drivers_shapley_{p}",
            task=f"Shapley/LMG R² decomposition, {p} predictors, n = {N} (arrays)",
            servqual_seconds=t_arr,
            baseline="statsmodels OLS refit of every subset"
            + (" (extrapolated)" if p > 15 else ""),
            baseline_seconds=t_naive,
            ratio=t_naive / t_arr,
            servqual_dataframe_seconds=t_df,
        )
        print(f"  ratio refit / servqual shapley(df): {t_naive / t_df:7.0f}x")
        if p == 10:
            try:
                t = time.perf_counter()
                inc = dominance_analysis(x, y)
                t_da = time.perf_counter() - t
            except Exception as exc:  # report why it cannot run (e.g. numpy 2)
                print(f"  dominance-analysis: does not run ({type(exc).__name__}: {exc})")
            else:
                da = np.array([inc[c] for c in names])
                print(f"  dominance-analysis:                  {t_da * 1e3:10.2f} ms")
                print(f"  max |Δ| Shapley vs dominance-analysis: {np.abs(da - sv).max():.1e}")
                print(f"  ratio dominance-analysis / servqual (arrays): {t_da / t_arr:.0f}x")


if __name__ == "__main__":
    main()
