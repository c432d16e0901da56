"""Bootstrap refits of the RATER SEM: servqual.sem vs a warm-started semopy loop.

Run: .venv/bin/python benchmarks/bench_sem.py [B] [semopy_subset]

Model: five RATER factors (22 perception items) -> satisfaction (SAT1-3) ->
loyalty (LOY1, LOY2, LTR), written by ``servqual.sem.rater_model``, fitted to
n = 5,000 respondents from ``servqual.simulate_survey`` (seed 1).

* servqual: ``sem.fit(..., se="bootstrap", n_boot=B)`` (the full fit plus B
  refits; n_jobs=1).
* semopy 2.3.11: the loop a user would write -- one ``semopy.Model``, refitted
  with ``fit(resample, solver="L-BFGS-B")`` on the *same* resamples (semopy
  warm-starts from the previous fit by default).  It is timed on the first
  ``semopy_subset`` resamples and extrapolated to B.

Both run with BLAS limited to one thread (threadpoolctl; printed), the fair
setting on a shared 2-core machine.  The script checks that the full-sample
point estimates agree to 1e-4 and prints the largest difference on the timed
resamples.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import servqual
from servqual import sem
from servqual._resampling import replicate_seeds, resample_indices

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402


def _match(ours, ins, latent):
    """Our estimate for each row of semopy's ``inspect()`` (free rows only)."""
    p = ours
    out_ours, out_semopy = [], []
    for r in ins.itertuples():
        if r.op == "~" and r.rval in latent and r.lval not in latent:
            m = (p["lhs"] == r.rval) & (p["op"] == "=~") & (p["rhs"] == r.lval)
        elif r.op == "~~":
            m = (p["op"] == "~~") & (
                ((p["lhs"] == r.lval) & (p["rhs"] == r.rval))
                | ((p["lhs"] == r.rval) & (p["rhs"] == r.lval))
            )
        else:
            m = (p["lhs"] == r.lval) & (p["op"] == r.op) & (p["rhs"] == r.rval)
        if m.sum() != 1:
            raise RuntimeError(f"no unique match for {r.lval} {r.op} {r.rval}")
        out_ours.append(p[m].index[0])
        out_semopy.append(r.Estimate)
    return np.array(out_ours), np.array(out_semopy, dtype=float)


def main(B: int = 1000, subset: int = 40) -> None:
    import semopy

    df, _ = servqual.simulate_survey(5000, seed=1)
    inst = servqual.Instrument.servqual22()
    model = sem.rater_model(inst, labels=False)
    cols = inst.columns("P") + ["SAT1", "SAT2", "SAT3", "LOY1", "LOY2", "LTR"]
    data = df[cols].astype(float)
    seed = 2024
    with threadpool_limits(1):
        blas = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
        print(f"BLAS threads during timing: {blas}")
        t0 = time.perf_counter()
        res = sem.fit(model, data, se="bootstrap", n_boot=B, seed=seed, progress=False)
        t_ours = time.perf_counter() - t0
        draws = res.bootstrap_draws
        print(
            f"servqual.sem: full fit + {B} bootstrap refits in {t_ours:.2f} s "
            f"({1e3 * t_ours / B:.2f} ms/refit, {draws.n_failed} failed)"
        )

        m = semopy.Model(model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.fit(data, solver="L-BFGS-B")
        ins = m.inspect()
        ins = ins[ins["Estimate"].astype(str) != "-"]
        rows, est_semopy = _match(res.params, ins, set(res._prep.model.latent))
        est_ours = res.params.loc[rows, "est"].to_numpy()
        # free rows only (semopy lists fixed first loadings too)
        free = res.params.loc[rows, "se"].notna().to_numpy()
        diff = np.max(np.abs(est_ours[free] - est_semopy[free]))
        print(f"full-sample estimates: max |servqual - semopy(default tolerances)| = {diff:.2e}")
        tight = semopy.Model(model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tight.fit(
                data, solver="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 100000}
            )
        ins_t = tight.inspect()
        est_t = ins_t[ins_t["Estimate"].astype(str) != "-"]["Estimate"].to_numpy(float)
        diff_t = np.max(np.abs(est_ours[free] - est_t[free]))
        ok = "OK" if diff_t < 1e-4 else "MISMATCH"
        print(
            f"full-sample estimates: max |servqual - semopy(ftol=1e-15, gtol=1e-9)| = "
            f"{diff_t:.2e} ({ok}, tol 1e-4)"
        )

        children = replicate_seeds(seed, B)
        n = data.shape[0]
        X = data.to_numpy()
        pars = res._prep.model.partable
        par_of_row = pars["par"].to_numpy()
        max_boot_diff = 0.0
        t0 = time.perf_counter()
        for b in range(subset):
            idx = resample_indices(children[b], n)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m.fit(data.iloc[idx], solver="L-BFGS-B")
            est = m.inspect()
            est = est[est["Estimate"].astype(str) != "-"]["Estimate"].to_numpy(float)
            k = par_of_row[rows][free]
            max_boot_diff = max(
                max_boot_diff, float(np.max(np.abs(draws.estimates[b, k] - est[free])))
            )
        t_sub = time.perf_counter() - t0
        del X
        t_semopy = t_sub / subset * B
        print(
            f"semopy loop: {subset} warm-started refits in {t_sub:.2f} s "
            f"({1e3 * t_sub / subset:.1f} ms/refit), extrapolated to {B}: {t_semopy:.1f} s"
        )
        print(
            f"bootstrap estimates on those resamples: max |servqual - semopy| = {max_boot_diff:.2e}"
        )
        print(f"ratio (semopy / servqual): {t_semopy / t_ours:.1f}x")
    record(
        "sem",
        task=f"RATER SEM (28 indicators, 7 factors), n = 5,000: full fit + {B} bootstrap refits",
        servqual_seconds=t_ours,
        baseline=f"semopy 2.3.11 warm-started L-BFGS-B refit loop on the same resamples "
        f"({subset} timed, extrapolated)",
        baseline_seconds=t_semopy,
        ratio=t_semopy / t_ours,
        blas_threads=1,
        max_abs_diff_full_sample_tight_semopy=diff_t,
        max_abs_diff_full_sample_default_semopy=diff,
        max_abs_diff_bootstrap_subset=max_boot_diff,
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
