"""servqual's SEM bootstrap replicates against lavaan refits on the same resamples.

The bootstrap draws its resamples with NumPy, lavaan with R's generator, so the
two bootstraps' SEs differ by Monte Carlo error, which is large for a model
whose bootstrap distribution has heavy tails.  This study removes that error:
servqual's resamples (``replicate_seeds`` + ``resample_indices``, exactly those
``sem.fit(..., se="bootstrap", seed=SEED)`` refits) are written to a file, lavaan
0.6.14 refits each of them at its defaults (``bootstrap_same_resamples.R``), and
every replicate is compared: both converged and equal (to 1e-4), both converged
and different, converged in one only; and the SDs of the regression estimates
over the replicates both keep.

Cases: the three-factor CFA on the 145 Grant-White pupils (Holzinger &
Swineford), well behaved; and the CB-SEM of the ECSI mobile-phone data
(``mobi``, 250 respondents, 4 factors), whose bootstrap distribution has heavy
tails (improper solutions in about a quarter of the resamples).

Run:  .venv/bin/python validation/peers/bootstrap_same_resamples.py [B]
(needs Rscript and lavaan: ``apt-get install r-base-core r-cran-lavaan``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from servqual import sem
from servqual._resampling import replicate_seeds, resample_indices
from servqual.datasets import load_dataset

HERE = Path(__file__).resolve().parent
SEED = 1
HS3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
MOBI = """Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Expectation ~ Image
Satisfaction ~ Image + Expectation
Loyalty ~ Satisfaction + Image"""


def cases():
    hs = load_dataset("holzinger_swineford")
    gw = hs[hs["school"] == "Grant-White"].reset_index(drop=True)
    cols = [f"x{i}" for i in range(1, 10)]
    yield "HS Grant-White, 3-factor CFA", HS3, gw[cols]
    mobi = load_dataset("mobi")
    yield "mobi, ECSI CB-SEM", MOBI, mobi[[c for c in mobi.columns if c[:4].isupper()]]


def lavaan_refits(model: str, data: pd.DataFrame, idx: np.ndarray) -> pd.DataFrame:
    """lavaan's converged flag, iterations and free estimates on each resample ``idx``."""
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        data.to_csv(t / "data.csv", index=False)
        (t / "model.txt").write_text(model)
        np.savetxt(t / "idx.csv", idx + 1, fmt="%d", delimiter=",")
        subprocess.run(
            ["Rscript", str(HERE / "bootstrap_same_resamples.R"), *(str(t / f) for f in
             ("data.csv", "model.txt", "idx.csv", "out.csv"))],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return pd.read_csv(t / "out.csv")


def study(name, model, data, B):
    res = sem.fit(model, data, se="bootstrap", n_boot=B, seed=SEED, progress=False)
    n = len(data)
    idx = np.stack([resample_indices(c, n) for c in replicate_seeds(SEED, B)])
    lav = lavaan_refits(model, data, idx)
    pt = res._prep.model.partable
    cols = {}
    for lhs, op, rhs, par in zip(pt["lhs"], pt["op"], pt["rhs"], pt["par"]):
        if par >= 0 and f"{lhs}{op}{rhs}" in lav.columns:
            cols.setdefault(int(par), f"{lhs}{op}{rhs}")
    pars = sorted(cols)
    ours = res.bootstrap_draws.estimates[:, pars]
    theirs = lav[[cols[k] for k in pars]].to_numpy()
    ok_s = ~res.bootstrap_draws.failed
    ok_l = lav["converged"].to_numpy() == 1
    both = ok_s & ok_l
    diff = np.abs(ours - theirs).max(axis=1)
    same = both & (diff < 1e-4)
    near = both & (diff < 1e-2)
    print(f"{name} (B = {B}, {len(pars)} free parameters, lavaan refits at its defaults):")
    print(
        f"  both converged {both.sum()}: equal to 1e-4 {same.sum()} (largest difference "
        f"{diff[same].max():.1e}), to 1e-2 {near.sum()}, different {(both & ~near).sum()}"
    )
    print(
        f"  converged in servqual only {(ok_s & ~ok_l).sum()}, in lavaan only "
        f"{(ok_l & ~ok_s).sum()}, in neither {(~ok_s & ~ok_l).sum()}"
    )
    reg = [j for j, k in enumerate(pars) if "~" in cols[k] and "=~" not in cols[k]
           and "~~" not in cols[k]]  # fmt: skip
    show = reg or list(range(min(4, len(pars))))
    names = ", ".join(cols[pars[j]] for j in show)
    sd = lambda a: np.array2string(a.std(axis=0), precision=3, separator=" ")  # noqa: E731
    print(
        f"  SD over the replicates both keep ({names}): servqual {sd(ours[both][:, show])}, "
        f"lavaan {sd(theirs[both][:, show])}"
    )
    print(
        f"  SD over the replicates each keeps: servqual {sd(ours[ok_s][:, show])}, "
        f"lavaan {sd(theirs[ok_l][:, show])}"
    )


def main(B=300):
    if shutil.which("Rscript") is None:
        sys.exit("Rscript not found: apt-get install r-base-core r-cran-lavaan")
    warnings.simplefilter("ignore")
    for case in cases():
        study(*case, B)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    from _results import study_output

    with study_output("bootstrap_same_resamples"):
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
