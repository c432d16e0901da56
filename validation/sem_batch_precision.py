"""Precision of the SEM bootstrap's batched refits against fits converged to rounding.

The bootstrap refits each stack of resamples by batched BFGS
(``servqual.sem.batch.batch_fit``) and stops a replicate at a 1e-7 relative
step, taking a last predicted step unevaluated when it is small enough
(``LAST_STEP``, ``LAST_MAX``).  This study refits the same resamples with the
tolerance at 1e-13 (rounding level) and reports, per model, the evaluations
per replicate and the largest and 99th-percentile absolute parameter error of
the default rule, beside the rule without the adaptive last step
(``LAST_MAX = LAST_STEP``) -- the numbers behind ``batch_fit``'s docstring.
Replicates that either run leaves to the single-resample optimiser are left
out of the errors (counted as "not ok").

Models: the RATER model at n = 5,000 (``servqual.simulate_survey``, seed 1),
and seven Holzinger-Swineford models (n = 301): the three-factor CFA, with two
groups (with and without equal loadings and intercepts), a second-order factor,
a MIMIC-like observed predictor, equality labels with a mean structure, and a
structural path with a mean structure.

Run:  .venv/bin/python validation/sem_batch_precision.py [n_boot]
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

import servqual
from servqual import sem
from servqual._resampling import replicate_seeds, resample_counts
from servqual.datasets import load_dataset
from servqual.sem import batch
from servqual.sem.bootstrap import make_refit

HS3 = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"


def cases():
    hs = load_dataset("holzinger_swineford")
    df, _ = servqual.simulate_survey(5000, seed=1)
    inst = servqual.Instrument.servqual22()
    cols = inst.columns("P") + ["SAT1", "SAT2", "SAT3", "LOY1", "LOY2", "LTR"]
    yield "RATER, n = 5,000", sem.rater_model(inst, labels=False), df[cols], {}
    yield "HS CFA", HS3, hs, {}
    yield "HS two schools", HS3, hs, {"group": "school"}
    yield (
        "HS two schools, equal loadings + intercepts",
        HS3,
        hs,
        {
            "group": "school",
            "group_equal": ("loadings", "intercepts"),
        },
    )
    yield "HS second order", HS3 + "; g =~ visual + textual + speed", hs, {}
    yield (
        "HS observed predictor",
        "visual =~ x1 + x2 + x3; x7 ~ visual + x4",
        hs,
        {"fixed_x": False},
    )
    yield (
        "HS labels, residual covariance, mean structure",
        "visual =~ x1 + a*x2 + a*x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9\n"
        "x1 ~~ x4; textual ~ visual; speed ~ textual + visual; x1 ~ 1",
        hs,
        {"meanstructure": True},
    )
    yield "HS path, mean structure", HS3 + "; speed ~ visual", hs, {"meanstructure": True}


def study(name, model, data, kw, n_boot):
    res = sem.fit(model, data, **kw)
    refit = make_refit(res._prep, res._theta, res._problem)
    n = refit.X.shape[0]
    strata = refit.codes if refit.n_groups > 1 else None
    W = resample_counts(replicate_seeds(11, n_boot), n, strata, refit._count_dtype())
    if refit.n_groups == 1:
        means, covs = refit._count_moments(W)
        extra = {}
    else:
        means, covs = (tuple(x) for x in refit._group_count_moments(W))
        extra = {"weights": np.bincount(strata) / n}
    args = (refit.model, covs, means, refit.theta, refit.hess_inv)
    tight, ok_t = batch.batch_fit(*args, step_tol=1e-13, max_iter=200, **extra)
    rows, real = [], batch._value_grad

    def counting(lay, theta, *a, **k):
        rows.append(theta.shape[0])
        return real(lay, theta, *a, **k)

    out = []
    batch._value_grad = counting
    saved = batch.LAST_MAX
    try:
        for label, last_max in (("default", saved), ("fixed last step", batch.LAST_STEP)):
            batch.LAST_MAX, rows[:] = last_max, []
            theta, ok = batch.batch_fit(*args, **extra)
            both = ok & ok_t
            err = np.abs(theta - tight)[both].max(axis=1)
            evals = sum(rows) / n_boot / refit.n_groups  # one call per group
            out.append(
                f"{label}: {evals:.2f} evaluations per replicate, largest error "
                f"{err.max():.1e}, 99% below {np.quantile(err, 0.99):.1e}, "
                f"not ok {int((~ok).sum())}"
            )
    finally:
        batch._value_grad, batch.LAST_MAX = real, saved
    print(f"{name} (B = {n_boot}):\n  " + "\n  ".join(out))


def main(n_boot=300):
    warnings.simplefilter("ignore")
    for case in cases():
        study(*case, n_boot)


if __name__ == "__main__":
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from _results import study_output

    with study_output("sem_batch_precision"):
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
