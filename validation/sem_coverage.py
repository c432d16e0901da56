"""Coverage of 95% CIs for the structural paths of the RATER SEM (issue 3).

Population: the RATER -> satisfaction -> loyalty model of
``servqual.sem.rater_model`` with known parameter values (``POPULATION``
below; the first loading of each factor is 1 as in the fitted model, so the
true values are directly comparable), multivariate-normal data from
``servqual.sem.simulate_data``.  For each of ``n_datasets`` datasets
(n respondents each) the model is fitted and we record whether each true
structural path (5 RATER -> satisfaction, satisfaction -> loyalty) and each
indirect effect (``ind_<dimension>``) lies inside

* the 95% Wald CI from expected-information SEs (lavaan's default), and
* the 95% percentile bootstrap CI (``n_boot`` replicates).

Target: coverage within [0.93, 0.97] for each path.  With 500 datasets the
Monte Carlo SE of a coverage near 0.95 is 0.010.

Run:  .venv/bin/python validation/sem_coverage.py [n_datasets] [n] [n_boot] [n_jobs]
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

import servqual
from servqual import sem
from servqual._progress import progress_bar

WEIGHTS = {
    "tangibles": 0.10,
    "reliability": 0.40,
    "responsiveness": 0.25,
    "assurance": 0.15,
    "empathy": 0.10,
}
LOYALTY = 0.7


def population_model() -> str:
    """The RATER SEM with every parameter given a value."""
    inst = servqual.Instrument.servqual22()
    corr = np.array(servqual.Truth().factor_corr)
    dims = list(inst.dimensions)
    lines = []
    rel = [1.0, 0.9, 1.1, 0.8, 1.2]
    for d, cols in inst.dimension_columns("P").items():
        lines.append(f"{d} =~ " + " + ".join(f"{rel[i % 5]}*{c}" for i, c in enumerate(cols)))
    lines.append("satisfaction =~ 1*SAT1 + 0.9*SAT2 + 1.1*SAT3")
    lines.append("loyalty =~ 1*LOY1 + 0.9*LOY2 + 1.4*LTR")
    lines.append("satisfaction ~ " + " + ".join(f"{WEIGHTS[d]}*{d}" for d in dims))
    lines.append(f"loyalty ~ {LOYALTY}*satisfaction")
    for i, a in enumerate(dims):
        lines.append(f"{a} ~~ 0.6*{a}")
        for j in range(i + 1, len(dims)):
            lines.append(f"{a} ~~ {0.6 * corr[i, j]:.4f}*{dims[j]}")
    lines.append("satisfaction ~~ 0.3*satisfaction")
    lines.append("loyalty ~~ 0.3*loyalty")
    cols = inst.columns("P") + ["SAT1", "SAT2", "SAT3", "LOY1", "LOY2", "LTR"]
    lines += [f"{c} ~~ 0.5*{c}" for c in cols]
    return "\n".join(lines)


def true_effects() -> dict[str, float]:
    out = {f"b_{d}": w for d, w in WEIGHTS.items()}
    out["b_satisfaction"] = LOYALTY
    out.update({f"ind_{d}": w * LOYALTY for d, w in WEIGHTS.items()})
    return out


def one_dataset(child, n: int, n_boot: int) -> dict:
    data = sem.simulate_data(population_model(), n, seed=child)
    model = sem.rater_model(servqual.Instrument.servqual22())
    truth = true_effects()
    row = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem.fit(model, data)
        p = res.params.set_index("label")
        for k, v in truth.items():
            row[f"{k}_wald"] = bool(p.loc[k, "ci_lower"] <= v <= p.loc[k, "ci_upper"])
            row[f"{k}_est"] = p.loc[k, "est"]
        if n_boot:
            b = sem.fit(
                model, data, se="bootstrap", n_boot=n_boot, seed=child, progress=False
            ).params.set_index("label")
            for k, v in truth.items():
                row[f"{k}_boot"] = bool(b.loc[k, "ci_lower"] <= v <= b.loc[k, "ci_upper"])
    row["n_warnings"] = len(res.warnings)
    return row


def run(n_datasets=500, n=500, n_boot=1000, n_jobs=1, seed=20261122, progress=True):
    children = np.random.SeedSequence(seed).spawn(n_datasets)
    rows = []
    with progress_bar(total=n_datasets, enabled=progress, desc="datasets") as bar:
        gen = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(one_dataset)(c, n, n_boot) for c in children
        )
        for r in gen:
            rows.append(r)
            bar.update(1)
    return pd.DataFrame(rows)


def report(df: pd.DataFrame) -> pd.DataFrame:
    truth = true_effects()
    out = []
    for k, v in truth.items():
        row = {
            "parameter": k,
            "true": v,
            "mean_est": df[f"{k}_est"].mean(),
            "wald_coverage": df[f"{k}_wald"].mean(),
        }
        if f"{k}_boot" in df:
            row["boot_coverage"] = df[f"{k}_boot"].mean()
        out.append(row)
    return pd.DataFrame(out).set_index("parameter")


if __name__ == "__main__":
    from _results import study_output

    with study_output("sem_coverage"):
        args = [int(a) for a in sys.argv[1:]]
        keys = ["n_datasets", "n", "n_boot", "n_jobs"]
        kw = dict(zip(keys, args))
        t0 = time.perf_counter()
        df = run(**kw)
        tab = report(df)
        pd.set_option("display.width", 120)
        print(tab.round(3))
        mc = np.sqrt(0.95 * 0.05 / len(df))
        print(
            f"{len(df)} datasets, n = {kw.get('n', 500)}, bootstrap B = {kw.get('n_boot', 1000)};"
            f" Monte Carlo SE of a coverage near .95: {mc:.3f}"
        )
        cols = [c for c in ("wald_coverage", "boot_coverage") if c in tab]
        ok = ((tab[cols] >= 0.93) & (tab[cols] <= 0.97)).all().all()
        print(
            f"all coverages within [0.93, 0.97]: {ok}; datasets with warnings: "
            f"{int((df['n_warnings'] > 0).sum())}; {time.perf_counter() - t0:.0f} s"
        )
