"""Stochastic customer-base Monte Carlo (re-exported by :mod:`servqual.wom`).

Each customer ``i`` has a latent satisfaction ``s_i ~ N(mu, 1)``.  Per period:

* survival is Bernoulli with ``P(churn_i) = expit(logit(1 - r) + b_churn * s_i)``
  (binomial survival of the base);
* new customers arrive by Poisson acquisition (mean ``a`` per period) and by
  Poisson referrals from the surviving customers, with per-customer rate
  ``rho * exp(b_wom * s_i - b_wom^2 / 2)`` (mean ``rho`` when ``mu = 0``);
* each churner tells ``Poisson(nu * exp(-b_wom * s_i - b_wom^2/2))`` people
  (negative word of mouth, reported).

With ``b_churn = b_wom = 0`` the expected base follows the deterministic
recursion ``N_{t+1} = r N_t + a + rho N_t`` exactly.

A replicate is split into independent chunks of at most ``chunk_size``
initial customers (acquisition split evenly), which is exact because
customers, Poisson arrivals and referrals are independent; chunks and
replicates run through joblib, or as tasks on a dask cluster.  Every chunk has
its own :class:`numpy.random.SeedSequence`, so the same ``seed`` (and
``chunk_size``) gives the same result whatever ``n_jobs`` or backend.
"""

from __future__ import annotations

from dataclasses import field
from types import MappingProxyType

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import special

from ._checks import Interval, Options, check_memory, check_params
from ._options import check_n_jobs, resolve_progress
from ._progress import progress_bar
from ._resampling import replicate_seeds
from ._result import Result, params_is_settings, records_provenance, resultclass
from ._summary import Summary
from .errors import ParameterError

__all__ = ["simulate_customer_base", "CustomerBaseSimulation"]

_COLS = ("customers", "retained", "churned", "acquired", "referred", "wom_negative")


@resultclass
class CustomerBaseSimulation(Result):
    """Result of :func:`simulate_customer_base`.

    Attributes
    ----------
    paths : DataFrame
        ``replicate, period, customers, retained, churned, acquired, referred,
        wom_negative`` (period 0 is the initial base).
    settings : mapping
        The call's inputs (``.params`` is its deprecated name).
    """

    paths: pd.DataFrame
    settings: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    params = params_is_settings()

    def to_frame(self) -> pd.DataFrame:
        """The simulated paths (tidy: one row per replicate and period)."""
        return self.paths

    def mean_path(self) -> pd.DataFrame:
        """Mean and standard deviation across replicates per period.

        Examples
        --------
        >>> sim = simulate_customer_base(100, 2, replicates=3, seed=1, progress=False)
        >>> sim.mean_path()["customers_mean"].iloc[0]
        np.float64(100.0)
        """
        g = self.paths.groupby("period")[list(_COLS)]
        out = g.mean().add_suffix("_mean").join(g.std(ddof=1).add_suffix("_sd"))
        return out.reset_index()

    def summary(self) -> Summary:
        """Parameters and the final period's mean and SD across replicates."""
        last = self.mean_path().iloc[[-1]].T
        return Summary(
            "Customer-base Monte Carlo",
            [("Settings", dict(self.settings)), ("Final period (mean, sd)", last)],
        )


def _simulate_chunk(
    n0,
    periods,
    retention,
    acquisition,
    referral,
    churn_on_sat,
    wom_on_sat,
    sat_mean,
    wom_negative,
    child,
):
    rng = np.random.default_rng(child)
    out = np.zeros((periods + 1, len(_COLS)), dtype=np.int64)
    out[0, 0] = n0
    hetero = churn_on_sat != 0.0 or wom_on_sat != 0.0 or sat_mean != 0.0
    if hetero:
        _hetero(rng, out, n0, periods, retention, acquisition, referral, churn_on_sat,
                wom_on_sat, sat_mean, wom_negative)  # fmt: skip
        return out
    n = n0
    for t in range(1, periods + 1):
        kept = int(rng.binomial(n, retention))
        neg = rng.poisson(wom_negative * (n - kept)) if wom_negative else 0
        acq = int(rng.poisson(acquisition))
        ref = int(rng.poisson(referral * n))
        out[t] = (kept + acq + ref, kept, n - kept, acq, ref, neg)
        n = kept + acq + ref
    return out


_BLOCK = 4096  # compaction block: its index array (32 KiB) never leaves the malloc heap


def _compress(mask, src, out):
    """``out[:] = src[mask]`` block by block.

    ``np.compress`` builds an index array as long as the result; in dask workers
    (glibc's trim threshold pinned to 64 KiB) each such array was a fresh mmap,
    ~80k page faults per 1M-customer chunk.  Small blocks reuse heap memory.
    """
    k = 0
    for a in range(0, src.size, _BLOCK):
        m = mask[a : a + _BLOCK]
        c = int(np.count_nonzero(m))
        np.compress(m, src[a : a + _BLOCK], out=out[k : k + c])
        k += c
    return out


def _hetero(rng, out, n0, periods, retention, acquisition, referral, churn_on_sat, wom_on_sat,
            sat_mean, wom_negative) -> None:  # fmt: skip
    """Per-customer satisfaction: the base lives in preallocated buffers, compacted in
    place each period (few large allocations: fast also where the allocator returns
    freed memory to the system at once, as in dask workers)."""
    base_logit = special.logit(1.0 - retention) if 0 < retention < 1 else None
    norm = np.exp(-0.5 * wom_on_sat**2)

    def attrs(sv, pv):  # new customers' satisfaction and churn probability, in place
        rng.standard_normal(out=sv)
        sv += sat_mean
        if base_logit is None:
            pv.fill(1.0 - retention)
        else:
            np.multiply(sv, churn_on_sat, out=pv)
            pv += base_logit
            special.expit(pv, out=pv)

    cap = max(16, 2 * n0)
    s, pc, s2, pc2, tmp, tmp2 = (np.empty(cap) for _ in range(6))
    mask, mask2 = np.empty(cap, dtype=bool), np.empty(cap, dtype=bool)
    attrs(s[:n0], pc[:n0])
    n = n0
    for t in range(1, periods + 1):
        if tmp.size < n:
            tmp, tmp2 = np.empty(s.size), np.empty(s.size)
            mask, mask2 = np.empty(s.size, dtype=bool), np.empty(s.size, dtype=bool)
        sv, pv = s[:n], pc[:n]
        lam_ref = 0.0
        if referral:
            e = np.multiply(sv, wom_on_sat, out=tmp[:n])
            lam_ref = referral * norm * np.exp(e, out=e).sum()
        stay = np.greater_equal(rng.random(n, out=tmp[:n]), pv, out=mask[:n])
        kept = int(np.count_nonzero(stay))
        neg = 0
        if wom_negative:
            churners = _compress(np.logical_not(stay, out=mask2[:n]), sv, tmp2[: n - kept])
            np.multiply(churners, -wom_on_sat, out=churners)
            neg = rng.poisson(wom_negative * norm * np.exp(churners, out=churners).sum())
        acq = int(rng.poisson(acquisition))
        ref = int(rng.poisson(lam_ref))
        total = kept + acq + ref
        if s2.size < total:
            s2, pc2 = np.empty(2 * total), np.empty(2 * total)
        _compress(stay, sv, s2[:kept])
        _compress(stay, pv, pc2[:kept])
        if total > kept:
            attrs(s2[kept:total], pc2[kept:total])
        s, s2, pc, pc2 = s2, s, pc2, pc
        out[t] = (total, kept, n - kept, acq, ref, neg)
        n = total


def _on_dask(tasks, args):
    """Run the chunks as tasks on the current dask client; yield ``(replicate, counts)``.

    The chunks are grouped into about two batches per worker (few tasks: little
    scheduling overhead, some load balancing); each task simulates its chunks in
    the worker and returns only their ``(periods + 1) x 6`` counts, so nothing
    large crosses the network; with process workers the numpy work is not
    serialised by the GIL.  Why the former joblib-on-dask path ran at 0.6-0.7x
    of serial: dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``,
    which pins glibc's mmap threshold, so each of the ~8 per-period temporaries
    of a 1M-customer chunk was a fresh mmap with its page faults (a chunk took
    1.5-2x as long in a worker as in the client); :func:`_hetero` now works in
    preallocated buffers.
    """
    try:
        from distributed import as_completed, get_client
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ParameterError(
            "backend='dask' needs the dask extra: pip install 'servqual[dask]'."
        ) from exc
    try:
        client = get_client()
    except ValueError as exc:
        raise ParameterError(
            "backend='dask' needs a running dask.distributed Client (e.g. "
            "Client(LocalCluster(n_workers=2)))."
        ) from exc
    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    size = max(1, -(-len(tasks) // (2 * n_workers)))  # about two batches per worker
    batches = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    futures = {client.submit(_simulate_batch, batch, args, pure=False): batch for batch in batches}
    for fut, outs in as_completed(futures, with_results=True):
        fut.release()
        for (b, _, _, _), out in zip(futures[fut], outs):
            yield b, out


def _simulate_batch(batch, args) -> list[np.ndarray]:
    """The counts of several chunks, run one after another in a worker."""
    return [_simulate_chunk(n0, *args, cc) for _, _, n0, cc in batch]


@records_provenance
def simulate_customer_base(
    n_customers: int,
    periods: int,
    *,
    retention: float = 0.8,
    acquisition: float = 0.0,
    referral: float = 0.0,
    churn_on_satisfaction: float = 0.0,
    wom_on_satisfaction: float = 0.0,
    satisfaction_mean: float = 0.0,
    wom_negative: float = 0.0,
    replicates: int = 1,
    chunk_size: int = 1_000_000,
    seed=None,
    n_jobs: int = 1,
    backend: str | None = None,
    progress="auto",
) -> CustomerBaseSimulation:
    """Monte Carlo of a customer base with per-customer satisfaction.

    Parameters
    ----------
    n_customers : int
        Initial customers ``N_0``.
    periods : int
    retention : float
        Retention of a customer with satisfaction 0 (all customers when
        ``churn_on_satisfaction = 0``).
    acquisition : float
        Mean Poisson acquisitions per period.
    referral : float
        Mean referred new customers per customer per period (``rho``).
    churn_on_satisfaction, wom_on_satisfaction : float
        Logit effect of satisfaction on churn; log effect on referrals (and,
        negated, on negative word of mouth).
    satisfaction_mean : float
        Mean of the latent satisfaction of every customer (shift it for a
        "what if satisfaction rose" run).
    wom_negative : float
        Mean people told by each churner.
    replicates : int
    chunk_size : int
        Initial customers per independent chunk (part of the random stream:
        keep it fixed to reproduce a result).
    seed : int, SeedSequence, Generator or None
    n_jobs : int
        joblib workers; results do not depend on it.
    backend : {None, "dask"}
        ``"dask"`` runs each chunk as a task on the current
        ``dask.distributed`` client (requires the ``dask`` extra and a running
        ``Client``; ``n_jobs`` is then ignored: the cluster's workers run the
        chunks).  Use process workers (``LocalCluster(processes=True)``):
        threads share the GIL.  Workers return only each chunk's counts.
    progress : {"auto", True, False}
        Progress bar ("auto": in terminals and notebooks only).

    Returns
    -------
    CustomerBaseSimulation

    Examples
    --------
    >>> sim = simulate_customer_base(1000, 3, retention=0.9, seed=1, progress=False)
    >>> sim.paths["customers"].tolist()[0]
    1000
    """
    check_params(
        {
            "n_customers": n_customers,
            "periods": periods,
            "retention": retention,
            "acquisition": acquisition,
            "referral": referral,
            "wom_negative": wom_negative,
            "replicates": replicates,
            "chunk_size": chunk_size,
            "n_jobs": n_jobs,
            "backend": backend,
            "churn_on_satisfaction": churn_on_satisfaction,
            "wom_on_satisfaction": wom_on_satisfaction,
            "satisfaction_mean": satisfaction_mean,
        },
        {
            "n_customers": Interval(0, None, integer=True),
            "periods": Interval(1, None, integer=True),
            "retention": Interval(0, 1),
            "acquisition": Interval(0, None),
            "referral": Interval(0, None),
            "wom_negative": Interval(0, None),
            "replicates": Interval(1, None, integer=True),
            "chunk_size": Interval(1, None, integer=True),
            "n_jobs": Interval(None, None, integer=True),
            "backend": [None, Options(("dask",))],
            "churn_on_satisfaction": Interval(),
            "wom_on_satisfaction": Interval(),
            "satisfaction_mean": Interval(),
        },
    )
    n_jobs = check_n_jobs(n_jobs)
    progress = resolve_progress(progress)
    n_customers, periods = int(n_customers), int(periods)
    k = max(1, -(-n_customers // chunk_size))
    check_memory(
        # a seed and a task per chunk and replicate, one chunk's state per worker
        k * replicates * 1_000 + min(n_customers, chunk_size) * 64 * max(1, abs(n_jobs)),
        what=f"simulate_customer_base(n_customers={n_customers:,}, replicates={replicates})",
        hint="use fewer customers and scale the counts, fewer replicates or a larger chunk_size",
    )
    # per-customer work when satisfaction varies, per-chunk work otherwise
    hetero = bool(churn_on_satisfaction or wom_on_satisfaction)
    units = float(n_customers if hetero else k) * periods * replicates
    limit = 1e12 if hetero else 1e7
    if units > limit:
        what = "customer-periods" if hetero else "chunk-periods"
        raise ParameterError(
            f"simulate_customer_base would simulate {units:.2g} {what} (n_customers="
            f"{n_customers:,}, periods={periods}, replicates={replicates}, chunk_size="
            f"{chunk_size:,}), more than the {limit:.0g} that finish in hours; use fewer "
            "customers and scale the counts" + ("." if hetero else ", or a larger chunk_size.")
        )
    sizes = np.full(k, n_customers // k)
    sizes[: n_customers % k] += 1
    tasks = []
    for b, child in enumerate(replicate_seeds(seed, replicates)):
        for c, cc in enumerate(child.spawn(k)):
            tasks.append((b, c, int(sizes[c]), cc))
    args = (
        periods,
        retention,
        acquisition / k,
        referral,
        churn_on_satisfaction,
        wom_on_satisfaction,
        satisfaction_mean,
        wom_negative,
    )
    results = np.zeros((replicates, periods + 1, len(_COLS)), dtype=np.int64)
    with progress_bar(total=len(tasks), enabled=progress, desc="customer base") as bar:
        if backend == "dask":
            gen = _on_dask(tasks, args)
        elif n_jobs == 1:
            gen = ((b, _simulate_chunk(n0, *args, cc)) for b, _, n0, cc in tasks)
        else:
            outs = Parallel(n_jobs=n_jobs, return_as="generator")(
                delayed(_simulate_chunk)(n0, *args, cc) for _, _, n0, cc in tasks
            )
            gen = ((b, out) for (b, _, _, _), out in zip(tasks, outs))
        for b, out in gen:  # integer counts: the sum does not depend on the order
            results[b] += out
            bar.update(1)
    rep = np.repeat(np.arange(replicates), periods + 1)
    per = np.tile(np.arange(periods + 1), replicates)
    paths = pd.DataFrame(results.reshape(-1, len(_COLS)), columns=list(_COLS))
    paths.insert(0, "period", per)
    paths.insert(0, "replicate", rep)
    params = {
        "n_customers": n_customers,
        "periods": periods,
        "retention": retention,
        "acquisition": acquisition,
        "referral": referral,
        "churn_on_satisfaction": churn_on_satisfaction,
        "wom_on_satisfaction": wom_on_satisfaction,
        "satisfaction_mean": satisfaction_mean,
        "wom_negative": wom_negative,
        "replicates": replicates,
        "chunk_size": chunk_size,
    }
    return CustomerBaseSimulation(paths=paths, settings=MappingProxyType(params))
