"""PLS bootstrap speed: servqual.pls vs plspm 0.5.7 (the Python tool a user would use).

ECSI-sized model (7 constructs, 24 items, 12 paths) on n = 5,000 respondents
simulated from the composite ECSI model (``servqual.pls.simulate_ecsi``),
B = 5,000 bootstrap resamples for servqual.  plspm is timed on a subset of
resamples (its bootstrap, one process) and extrapolated per resample.  Point
estimates of both are compared.

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

Usage: ``python benchmarks/bench_pls.py [--n 5000] [--boot 5000] [--plspm-boot 20]``
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from servqual import pls

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402


def _plspm_fit(data, model, n_boot=0):
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Plspm(data, cfg, Scheme.PATH, iterations=1000, tolerance=1e-14, **kw)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--boot", type=int, default=5000)
    ap.add_argument("--plspm-boot", type=int, default=20)
    args = ap.parse_args(argv)

    data, _ = pls.simulate_ecsi(args.n, seed=20261122)
    model = pls.ecsi_model()
    print(
        f"ECSI model: {len(model.constructs)} constructs, {len(model.items)} items, "
        f"{len(model.paths)} paths; n = {args.n}"
    )

    t0 = time.perf_counter()
    point = pls.fit(model, data, progress=False, tol=1e-12)
    t_point = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = pls.fit(model, data, n_boot=args.boot, seed=1, progress=False, tol=1e-12)
    t_boot = time.perf_counter() - t0 - t_point
    per_sq = t_boot / args.boot
    print(
        f"servqual.pls: point fit {t_point * 1e3:.1f} ms; bootstrap B = {args.boot} "
        f"(+ jackknife for BCa) {t_boot:.2f} s = {per_sq * 1e3:.3f} ms per resample; "
        f"failed resamples: {res.bootstrap.draws.n_failed}"
    )

    try:
        import plspm  # noqa: F401

        z = (data - data.mean()) / data.std()
        t0 = time.perf_counter()
        p_point = _plspm_fit(z, model)
        t_p_point = time.perf_counter() - t0
    except Exception as exc:  # plspm missing or broken under this pandas
        print(f"plspm not timed: {type(exc).__name__}: {exc} (pandas {pd.__version__})")
        return
    t0 = time.perf_counter()
    _plspm_fit(z, model, n_boot=args.plspm_boot)
    t_p_boot = time.perf_counter() - t0 - t_p_point
    per_pl = t_p_boot / args.plspm_boot
    print(
        f"plspm 0.5.7:  point fit {t_p_point * 1e3:.1f} ms; bootstrap of "
        f"{args.plspm_boot} resamples {t_p_boot:.2f} s = {per_pl * 1e3:.1f} ms per resample "
        f"(extrapolated to B = {args.boot}: {per_pl * args.boot / 60:.1f} min)"
    )
    print(f"speed-up per bootstrap resample: {per_pl / per_sq:.0f}x")
    record(
        "pls",
        task=f"ECSI PLS bootstrap, n = {args.n:,}: seconds per resample (B = {args.boot:,})",
        servqual_seconds=per_sq,
        baseline=f"plspm 0.5.7 bootstrap ({args.plspm_boot} resamples timed), pandas "
        f"{pd.__version__}",
        baseline_seconds=per_pl,
        ratio=per_pl / per_sq,
    )

    # agreement of point estimates
    pc = p_point.path_coefficients()  # rows = target, columns = source
    mine = point.paths
    d_path = max(
        abs(pc.loc[t, s] - v)
        for s, t, v in mine[["source", "target", "estimate"]].itertuples(index=False)
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


if __name__ == "__main__":
    main()
