"""PLS bootstrap, whole user call: servqual.pls vs plspm 0.5.7 (the Python tool a user would use).

ECSI-sized model (7 constructs, 24 items, 12 paths) on n = 5,000 respondents
simulated from the composite ECSI model (``servqual.pls.simulate_ecsi``).

What is timed is the call a user makes, with every fixed cost included:

* servqual: ``pls.fit(model, data, n_boot=B, seed=1, progress=False)`` --
  data checks, the point fit, all tables (reliability, HTMT, f^2 by
  re-estimation, item VIF, AIC/BIC), B resamples, the exact leave-one-out
  jackknife for the BCa intervals and every interval, for B = 500 and 5,000;
* plspm: ``Plspm(data, config, Scheme.PATH, bootstrap=True,
  bootstrap_iterations=B)`` with plspm's default tolerance and iteration
  limit (as a user runs it).  A whole plspm call at B = 500 takes tens of
  minutes on this machine, so by default its point fit and a bootstrap of
  ``--plspm-boot`` resamples are timed and the whole call is extrapolated as
  ``point + B x (seconds per resample)``; ``--plspm-full`` times the real
  B = 500 call instead.

Both sides run on the same data; servqual's default tolerance (1e-7) and
plspm's (1e-6) are each tool's default.  Point estimates are compared
separately with tight tolerances (1e-12 / 1e-14).

plspm is GPL-3 and not a servqual dependency; it is imported here only to
time it.  plspm 0.5.7 fails under pandas 3 (``path.loc[dv,]`` in
``inner_model.py``); run this script in an environment with pandas 2.x and
plspm installed, e.g.::

    python -m venv /tmp/plspm-venv
    /tmp/plspm-venv/bin/pip install "pandas<3" plspm -e .
    /tmp/plspm-venv/bin/python benchmarks/bench_pls.py

Without a working plspm only the servqual timings are printed.

plspm's ``scaled=True`` divides every item by one pooled standard deviation
(not by its own), so to compare with per-item standardised PLS (servqual's
``scaled=True``, seminr, SmartPLS) the data are z-scored before being given to
plspm.

All timings use one BLAS thread (threadpoolctl) on both sides; the load
average is printed before and after and recorded with the results.
``--quick`` (under 3 minutes): servqual timed once per B, plspm's bootstrap
on 3 resamples.

Usage: ``python benchmarks/bench_pls.py [--quick] [--n 5000] [--plspm-boot 10] [--plspm-full]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from servqual import pls

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402


def _plspm_fit(data, model, n_boot=0, tight=False):
    import plspm.config as c
    from plspm.mode import Mode
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme

    st = c.Structure()
    for s, t in model.paths:
        st.add_path([s], [t])
    cfg = c.Config(st.path(), scaled=True)
    for b in model.blocks:
        cfg.add_lv(b.name, Mode.A, *[c.MV(i) for i in b.items])
    kw = {"bootstrap": True, "bootstrap_iterations": n_boot, "processes": 1} if n_boot else {}
    if tight:
        kw.update(iterations=1000, tolerance=1e-14)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Plspm(data, cfg, Scheme.PATH, **kw)


def _time(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--plspm-boot", type=int, default=10)
    ap.add_argument("--plspm-full", action="store_true")
    ap.add_argument("--quick", action="store_true", help="one round per B, 3 plspm resamples")
    args = ap.parse_args(argv)
    if args.quick:
        args.plspm_boot = min(args.plspm_boot, 3)
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with threadpool_limits(1):
        _run(args)
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def _run(args):

    data, _ = pls.simulate_ecsi(args.n, seed=20261122)
    model = pls.ecsi_model()
    print(
        f"ECSI model: {len(model.constructs)} constructs, {len(model.items)} items, "
        f"{len(model.paths)} paths; n = {args.n}"
    )
    pls.fit(model, data.iloc[:200], progress=False)  # imports and first-call costs
    mine = {}
    for B in (500, 5000):
        reps = 3 if B == 500 and not args.quick else 1
        times = []
        for _ in range(reps):
            t, res = _time(lambda B=B: pls.fit(model, data, n_boot=B, seed=1, progress=False))
            times.append(t)
        mine[B] = min(times)
        print(
            f"servqual.pls whole call, B = {B:>5}: {mine[B]:.2f} s "
            f"(best of {reps}; failed resamples: {res.bootstrap.draws.n_failed})"
        )

    try:
        import plspm  # noqa: F401

        z = (data - data.mean()) / data.std()
        t_point, _ = _time(lambda: _plspm_fit(z, model))
    except Exception as exc:  # plspm missing or broken under this pandas
        print(f"plspm not timed: {type(exc).__name__}: {exc} (pandas {pd.__version__})")
        return
    if args.plspm_full:
        t_full, _ = _time(lambda: _plspm_fit(z, model, n_boot=500))
        per = (t_full - t_point) / 500
        theirs = {500: t_full, 5000: t_point + 5000 * per}
        how = {500: "timed", 5000: "extrapolated from the B = 500 call"}
    else:
        k = args.plspm_boot
        t_k, _ = _time(lambda: _plspm_fit(z, model, n_boot=k))
        per = (t_k - t_point) / k
        theirs = {B: t_point + B * per for B in (500, 5000)}
        how = {B: f"point fit + B x per-resample time of a {k}-resample call" for B in theirs}
    print(f"plspm 0.5.7 point fit {t_point:.2f} s; {per:.3f} s per bootstrap resample")
    for B in (500, 5000):
        ratio = theirs[B] / mine[B]
        print(
            f"B = {B:>5}: servqual {mine[B]:.2f} s, plspm {theirs[B]:.0f} s ({how[B]}): "
            f"{ratio:.0f}x faster"
        )
        record(
            "pls" if B == 500 else "pls_b5000",
            task=f"ECSI PLS fit + bootstrap (BCa), whole call, n = {args.n:,}, B = {B:,}",
            servqual_seconds=mine[B],
            baseline=f"plspm 0.5.7 defaults ({how[B]}), pandas {pd.__version__}",
            baseline_seconds=theirs[B],
            ratio=ratio,
            blas_threads=1,
            quick=bool(args.quick),
            load_average=list(os.getloadavg()),
        )

    agreement(model, data, z)


def agreement(model, data, z) -> float:
    """Largest |difference| of servqual's and plspm's point estimates (tight tolerances)."""
    point = pls.fit(model, data, progress=False, tol=1e-12)
    p_point = _plspm_fit(z, model, tight=True)
    pc = p_point.path_coefficients()  # rows = target, columns = source
    d_path = max(
        abs(pc.loc[t, s] - v)
        for s, t, v in point.paths[["source", "target", "estimate"]].itertuples(index=False)
    )
    lo = p_point.outer_model()["loading"]
    d_load = float(
        np.max(np.abs(lo.loc[point.outer["item"]].to_numpy() - point.outer["loading"].to_numpy()))
    )
    r2 = p_point.inner_summary()["r_squared"]
    d_r2 = float(np.max(np.abs(r2.loc[point.r2.index].to_numpy() - point.r2.to_numpy())))
    sc = p_point.scores()
    sc = sc / sc.std()  # plspm scales scores by sqrt(n / (n - 1)); compare standardised
    sgn = {c: np.sign(np.corrcoef(sc[c], point.scores[c])[0, 1]) for c in model.constructs}
    d_sc = max(
        float(np.max(np.abs(sgn[c] * sc[c].to_numpy() - point.scores[c].to_numpy())))
        for c in model.constructs
    )
    worst = max(d_path, d_load, d_r2, d_sc)
    print(
        f"max |difference| servqual vs plspm: paths {d_path:.2e}, loadings {d_load:.2e}, "
        f"R² {d_r2:.2e}, standardised scores {d_sc:.2e}"
    )
    print(f"point estimates agree to 1e-6: {'yes' if worst < 1e-6 else 'NO'}")
    return worst


if __name__ == "__main__":
    main()
