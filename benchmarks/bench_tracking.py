"""Tracking data too big for one machine: 50 million responses on a dask LocalCluster.

Run: nice .venv/bin/python benchmarks/bench_tracking.py [n_dask] [n_pandas]

A transactional tracker: 10 waves, 4 segments, a respondent weight, likelihood
to recommend (0-10) and five satisfaction items (1-7).  The dask frame is
generated partition by partition *inside the workers* (``dd.from_map``; each
partition seeded by ``SeedSequence.spawn``), never on the client; one pass of
:func:`servqual.moments.moments` by wave x segment then gives the weighted
NPS, top-2-box share and mean scores per wave x segment (the means of the NPS
code and the top-box flag) and the covariance matrices the drivers, SEM and
PLS are fitted from.

Baseline: pandas in one process, at the largest size that comfortably fits
here -- 10 million rows by default.  The machine has 24 GiB shared by about six
engineers' jobs; the in-memory frame is ~0.8 GB per 10M rows and the pandas
group-by makes copies of the grouped columns, so 10M rows peak near 3 GB,
while 20M would need ~6 GB that other jobs need too.  Its time is the same
moments computed on the in-memory frame (the generation is timed apart).

Peak memory: each process's peak resident set (``getrusage`` ``ru_maxrss``):
the two workers (summed: an upper bound on the simultaneous peak) and the
client; for pandas, a fresh child process that generates and computes.
Prints the times, rows per second, peak memory and their ratios, and records
them with provenance in ``benchmarks/results/tracking.json``.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from servqual.moments import moments

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402

WAVES, SEGMENTS = 10, ("north", "south", "east", "west")
ITEMS = [f"sat{j}" for j in range(1, 6)]
COLUMNS = ["nps", "top2", "ltr", *ITEMS]
PART = 500_000  # rows per partition (one wave has several partitions)


def make_chunk(spec) -> pd.DataFrame:
    """One partition: ``spec = (wave, rows, SeedSequence)``; NPS code and top-box flag added."""
    wave, n, seq = spec
    rng = np.random.default_rng(seq)
    seg = rng.choice(len(SEGMENTS), n, p=[0.4, 0.3, 0.2, 0.1])
    z = rng.standard_normal(n) + 0.1 * (seg == 0) - 0.2 * (seg == 3) + 0.02 * wave
    items = np.clip(np.rint(4.5 + 1.2 * (0.7 * z[:, None] + 0.7 * rng.standard_normal((n, 5)))),
                    1, 7)  # fmt: skip
    ltr = np.clip(np.rint(7.5 + 1.8 * z), 0, 10)
    frame = pd.DataFrame(items, columns=ITEMS)
    frame.insert(0, "ltr", ltr)
    frame.insert(0, "top2", (items[:, 0] >= 6).astype(float))
    frame.insert(0, "nps", 100.0 * ((ltr >= 9).astype(float) - (ltr <= 6)))
    frame.insert(0, "weight", np.array([0.6, 0.9, 1.4, 2.5])[seg] * rng.uniform(0.8, 1.2, n))
    frame.insert(0, "segment", pd.Categorical.from_codes(seg, SEGMENTS))
    frame.insert(0, "wave", np.full(n, wave, dtype=np.int64))
    return frame


def specs(n: int, seed: int = 12):
    per_wave = n // WAVES
    k = max(1, -(-per_wave // PART))
    seqs = np.random.SeedSequence(seed).spawn(WAVES * k)
    out = []
    for w in range(WAVES):
        sizes = np.full(k, per_wave // k)
        sizes[: per_wave % k] += 1
        out += [(w + 1, int(s), seqs[w * k + i]) for i, s in enumerate(sizes)]
    return out


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def run_dask(n: int) -> dict:
    import dask.dataframe as dd
    import distributed

    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 memory_limit="6GiB", dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):  # fmt: skip
        sp = specs(n)
        ddf = dd.from_map(make_chunk, sp, meta=make_chunk((1, 0, np.random.SeedSequence(0))))
        base = sum(client.run(_maxrss_mb).values())
        t0 = time.perf_counter()
        m = moments(ddf, COLUMNS, ["wave", "segment"], weights="weight")
        seconds = time.perf_counter() - t0
        workers = client.run(_maxrss_mb)
    return {"seconds": seconds, "rows": int(m.n.sum()), "partitions": len(sp),
            "workers_peak_mb": sum(workers.values()), "workers_start_mb": base,
            "client_peak_mb": _maxrss_mb(),
            "nps_wave1_north": float(m.mean(("1", "north"))["nps"])}  # fmt: skip


def _pandas_child(n, queue) -> None:
    t0 = time.perf_counter()
    df = pd.concat([make_chunk(s) for s in specs(n)], ignore_index=True)
    gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = moments(df, COLUMNS, ["wave", "segment"], weights="weight")
    seconds = time.perf_counter() - t0
    queue.put({"seconds": seconds, "generate_seconds": gen, "rows": int(m.n.sum()),
               "frame_mb": df.memory_usage(deep=True).sum() / 2**20, "peak_mb": _maxrss_mb(),
               "nps_wave1_north": float(m.mean(("1", "north"))["nps"])})  # fmt: skip


def run_pandas(n: int) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_pandas_child, args=(n, q))
    p.start()
    out = q.get()
    p.join()
    return out


def main(n_dask: int = 50_000_000, n_pandas: int = 10_000_000) -> None:
    load0 = os.getloadavg()
    pdres = run_pandas(n_pandas)
    dkres = run_dask(n_dask)
    load1 = os.getloadavg()
    rate_pd = pdres["rows"] / (pdres["seconds"] + pdres["generate_seconds"])
    rate_dk = dkres["rows"] / dkres["seconds"]
    peak_dk = dkres["workers_peak_mb"] + dkres["client_peak_mb"]
    print(f"pandas, {pdres['rows']:,} rows in memory ({pdres['frame_mb']:.0f} MB frame): "
          f"generate {pdres['generate_seconds']:.1f} s + moments by wave x segment "
          f"{pdres['seconds']:.1f} s; peak {pdres['peak_mb']:.0f} MB")  # fmt: skip
    print(f"dask, {dkres['rows']:,} rows in {dkres['partitions']} partitions generated in 2 "
          f"workers: generate + moments {dkres['seconds']:.1f} s; peak workers "
          f"{dkres['workers_peak_mb']:.0f} MB + client "
          f"{dkres['client_peak_mb']:.0f} MB")  # fmt: skip
    print(f"rows/s: dask {rate_dk:,.0f} vs pandas {rate_pd:,.0f} "
          f"(ratio {rate_dk / rate_pd:.2f}); "
          f"rows {dkres['rows'] / pdres['rows']:.0f}x with peak memory "
          f"{peak_dk / pdres['peak_mb']:.2f}x pandas'; load average {load0[0]:.1f} -> "
          f"{load1[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    record(
        "tracking",
        task=f"moments by wave x segment (weighted NPS, top-2-box, means, covariances) of "
        f"{dkres['rows']:,} responses generated in 2 dask workers vs pandas at "
        f"{pdres['rows']:,} rows in memory",
        dask=dkres,
        pandas=pdres,
        rows_per_second_ratio=rate_dk / rate_pd,
        peak_memory_ratio=peak_dk / pdres["peak_mb"],
        load_average_1min=[load0[0], load1[0]],
        note=(
            "quiet machine (1-min load average below 1.5 at start)"
            if load0[0] < 1.5
            else "shared machine (other jobs running, see load_average_1min); run niced"
        ),
    )


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:]])
