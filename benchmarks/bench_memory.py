"""Peak memory of validate, reliability, pls.fit and survey_report relative to the frame.

Run: .venv/bin/python benchmarks/bench_memory.py [n] [only ...]   (default n = 1_000_000)

Peak traced memory (tracemalloc; numpy and pandas buffers are traced) of each
call on a simulated SERVQUAL survey of ``n`` rows, divided by the frame's own
size (``memory_usage(deep=True)``).  Target (issue #14): every ratio below 3.
``report`` runs without the bootstrap; ``report_boot`` with the report's default
settings (``n_boot=DEFAULT_N_BOOT`` = 1000 key-driver replicates, seed 1).
Names after ``n`` run only those calls (their numbers are merged into the
recorded results).
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import servqual
from servqual import Instrument, pls, simulate_survey
from servqual.report import survey_report
from servqual.validation import validate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402


def peak(fn) -> tuple[float, float]:
    """(peak bytes above the baseline, seconds) of ``fn()``."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn()
    secs = time.perf_counter() - t0
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return top - base, secs


def main(n: int, only=()) -> dict:
    df, _ = simulate_survey(n, seed=1)
    size = float(df.memory_usage(deep=True).sum())
    inst = Instrument.servqual22()
    mobi = servqual.load_dataset("mobi")
    big_mobi = mobi.sample(n, replace=True, random_state=1).reset_index(drop=True)
    mobi_size = float(big_mobi.memory_usage(deep=True).sum())
    calls = {
        "validate": (lambda: validate(df, inst), size),
        "reliability": (lambda: servqual.reliability(df, inst), size),
        "pls.fit": (lambda: pls.fit(pls.ecsi_model(), big_mobi, progress=False), mobi_size),
        "report": (lambda: survey_report(df, inst, n_boot=0, seed=1), size),
        # the report's defaults: 1000 bootstrap replicates of the key-driver model
        "report_boot": (lambda: survey_report(df, inst, seed=1), size),
    }
    if only:
        calls = {k: v for k, v in calls.items() if k in only}
    out = {
        "n": n,
        "frame_mib": round(size / 2**20, 1),
        "mobi_frame_mib": round(mobi_size / 2**20, 1),
    }
    for name, (fn, ref) in calls.items():
        bytes_, secs = peak(fn)
        ratio = bytes_ / ref
        out[name] = {"peak_mib": round(bytes_ / 2**20, 1), "ratio": round(ratio, 2),
                     "seconds": round(secs, 2)}  # fmt: skip
        print(f"{name:<12} peak {bytes_ / 2**20:9.1f} MiB = {ratio:5.2f} x frame   {secs:7.2f} s")
    return out


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    only = tuple(sys.argv[2:])
    res = main(n, only)
    if n == 1_000_000:
        if only:  # keep the other calls' recorded numbers
            import json

            old = json.loads((Path(__file__).parent / "results" / "memory.json").read_text())
            kept = [k for k in ("validate", "reliability", "pls.fit", "report", "report_boot")
                    if k in old and k not in res]  # fmt: skip
            res = {**{k: old[k] for k in kept}, **res}
            if kept:  # say which numbers come from the earlier run, and from which commit
                res["carried_over"] = {
                    "calls": kept,
                    "provenance": old.get("provenance", "not recorded by that earlier run"),
                    "frame_mib": old.get("frame_mib"),  # their ratios are to this frame
                }
        print(record("memory", **res))
