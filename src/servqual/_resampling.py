"""Shared bootstrap machinery: deterministic, parallel, failure-counting.

Every resampling routine in servqual (SEM, PLS, driver importance, money
what-ifs) goes through :func:`run_bootstrap`, so that

* replicate ``b`` always uses the same resample for a given ``seed``, whatever
  ``n_jobs`` or the batch size is (each replicate has its own child
  :class:`numpy.random.SeedSequence`);
* failed replicates are counted and their messages kept, never dropped
  silently; warnings raised inside replicates are issued again from the
  calling thread, so they reach the user whatever ``n_jobs`` is;
* work runs in batches through joblib (``n_jobs``), with BLAS limited to one
  thread per worker (threadpoolctl) so workers do not oversubscribe the cores;
  any joblib backend works, including dask via
  ``joblib.parallel_config(backend="dask")``;
* a tqdm progress bar shows progress and can be switched off;
* batched statistics built from count-weighted moments (SEM, PLS, key drivers,
  driver shares by segment) take each stack's row counts (``counts=dtype``),
  counted as the resamples are drawn, rather than an index stack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from joblib import Parallel, delayed
from scipy import stats
from threadpoolctl import ThreadpoolController

from ._checks import Interval, check_params, check_rng
from ._progress import progress_bar
from ._warn import recording, reissue, warn
from .errors import BootstrapFailureWarning, ParameterError

__all__ = [
    "BootstrapDraws",
    "PartialBatch",
    "replicate_seeds",
    "resample_indices",
    "resample_products",
    "run_bootstrap",
    "percentile_ci",
    "bca_ci",
    "jackknife",
    "loo_moments",
    "jackknife_moments",
]


class PartialBatch(RuntimeError):
    """Raised by a batched statistic when some replicates of its stack failed.

    Carries the values of the whole stack (failed rows NaN), which rows failed and
    one message per failure: :func:`run_bootstrap` keeps the computed rows instead of
    recomputing the stack replicate by replicate.
    """

    def __init__(self, values: np.ndarray, failed: np.ndarray, messages: list[str]):
        super().__init__("; ".join(messages[:3]))
        self.values, self.failed, self.messages = values, failed, messages


@dataclass(frozen=True)
class BootstrapDraws:
    """Replicate estimates of a bootstrap run.

    Attributes
    ----------
    estimates : ndarray, shape (n_boot, k)
        One row per replicate; rows of failed replicates are NaN.
    failed : ndarray of bool, shape (n_boot,)
    messages : tuple of str
        Distinct failure messages (``"ExceptionType: message"``), at most 20.
    warnings : tuple of str
        Distinct warnings raised inside the replicates (re-issued by
        :func:`run_bootstrap` in the calling thread), at most 20.
    prefix : str
        What :func:`run_bootstrap` put before each warning when it issued them
        again ("in bootstrap resamples: ").
    """

    estimates: np.ndarray
    failed: np.ndarray
    messages: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())
    prefix: str = ""

    def __post_init__(self):
        # the draws are a result: read-only, so no caller can alter them in place
        for name in ("estimates", "failed"):
            arr = np.array(getattr(self, name), copy=True)
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)

    @property
    def reissued(self) -> tuple[str, ...]:
        """The replicates' warnings as :func:`run_bootstrap` issued them (with
        :attr:`prefix`): what a result's ``warnings`` carries (:func:`bootstrap_notes`)."""
        return tuple(self.prefix + m for m in self.warnings)

    @property
    def n_boot(self) -> int:
        return int(self.estimates.shape[0])

    @property
    def n_failed(self) -> int:
        return int(self.failed.sum())

    @property
    def valid(self) -> np.ndarray:
        """Estimates of the successful replicates, shape ``(n_ok, k)``."""
        return self.estimates[~self.failed]

    def warning_text(self) -> str | None:
        """A sentence for result warnings when replicates failed, else ``None``."""
        if not self.n_failed:
            return None
        msg = "; ".join(self.messages[:3]) or "non-finite estimates"
        return (
            f"{self.n_failed} of {self.n_boot} bootstrap replicates failed and were "
            f"excluded from the intervals ({msg})."
        )


def replicate_seeds(seed, n_boot: int) -> list[np.random.SeedSequence]:
    """One child :class:`~numpy.random.SeedSequence` per replicate.

    ``seed`` may be an int, ``None``, a SeedSequence or a Generator (from which
    an entropy value is drawn).
    """
    if isinstance(seed, np.random.Generator):
        seed = int(seed.integers(2**63))
    elif not isinstance(seed, np.random.SeedSequence):
        check_rng(seed)  # same accepted values and errors as everywhere else
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return ss.spawn(n_boot)


def resample_indices(
    child: np.random.SeedSequence, n: int, strata: np.ndarray | None = None
) -> np.ndarray:
    """Indices of one nonparametric resample (stratified when ``strata`` given)."""
    rng = np.random.default_rng(child)
    if strata is None:
        return rng.integers(0, n, n)
    out = np.empty(n, dtype=np.int64)
    for s in np.unique(strata):
        pos = np.flatnonzero(strata == s)
        out[pos] = pos[rng.integers(0, pos.size, pos.size)]
    return out


#: bytes of resample indices held per batch (a batch of B replicates of n rows takes
#: 8 B n bytes of indices, and a batched statistic typically as much again)
BATCH_BYTES = 32 * 2**20


def default_batch_size(n_boot: int, n: int, parts: int = 8) -> int:
    """Replicates per batch: a ``parts``-th of ``n_boot`` (at most 250), fewer for large ``n``.

    A function of ``n_boot``, ``n`` and the statistic's ``parts`` alone, never of
    ``n_jobs``: a batched statistic then sees the same stacks (and gives the
    same bits) whatever ``n_jobs`` is.  On large data the batch shrinks so that
    its indices take at most :data:`BATCH_BYTES` (a 1M-row bootstrap holds 4
    resamples at a time rather than 125, i.e. 32 MiB of indices rather than
    1 GiB).  Statistics whose per-call overhead dominates (the SEM refits) ask
    for fewer, larger stacks (``parts=4``).

    Examples
    --------
    >>> default_batch_size(1000, 500), default_batch_size(1000, 1_000_000)
    (125, 4)
    >>> default_batch_size(1000, 500, parts=4)
    250
    """
    by_boot = min(250, max(1, int(np.ceil(n_boot / parts))))
    return int(max(1, min(by_boot, BATCH_BYTES // (8 * max(int(n), 1)))))


#: single-precision sums are exact below this (the float32 significand has 24 bits)
_EXACT32 = 2.0**24


def resample_products(X: np.ndarray, size: int):
    """``(shift, sym, Z)``: what the resample counts are multiplied by.

    ``Z`` (n, p(p+1)/2 + p) holds each row's upper-triangle cross-products and
    values of ``X - shift``; ``sym`` maps a p x p matrix to its columns.  For
    ``size``-row resamples the counts sum to ``size``, so every partial sum of a
    count-weighted column is at most ``size * max|Z|`` in absolute value.

    * Integer-coded data (answer codes, the usual survey case), shifted by the
      rounded column means: when ``size * max|Z| < 2**24`` every product and
      partial sum is an integer that single precision holds exactly, so ``Z``
      is float32 and the product runs at the single-precision rate with an
      exact result, whatever order the BLAS sums in.
    * Otherwise ``shift`` is the column means and ``Z`` is float64.

    Examples
    --------
    >>> X = np.array([[1.0, 2.0], [3.0, 5.0], [2.0, 2.0]])
    >>> shift, sym, Z = resample_products(X, 3)
    >>> str(Z.dtype), shift.tolist(), Z[1].tolist()  # (x1^2, x1 x2, x2^2, x1, x2) shifted
    ('float32', [2.0, 3.0], [1.0, 2.0, 4.0, 1.0, 2.0])
    >>> str(resample_products(X + 0.5, 3)[2].dtype)
    'float64'
    """
    n, p = X.shape
    mean = X.mean(axis=0)
    rounded = np.round(mean)
    integer = bool(np.all(X == np.round(X)))
    if integer:
        big = np.abs(X - rounded).max(initial=0.0)
        integer = size * max(big, big * big) < _EXACT32
    shift = rounded if integer else mean
    # rows of XT are columns of X: contiguous products (single precision holds the
    # shifted integer codes and their products exactly)
    XT = np.ascontiguousarray((X - shift).T, dtype=np.float32 if integer else float)
    iu = np.triu_indices(p)
    q = iu[0].size
    ZT = np.empty((q + p, n), dtype=XT.dtype)
    start = 0
    for i in range(p):
        np.multiply(XT[i], XT[i:], out=ZT[start : start + p - i])
        start += p - i
    ZT[q:] = XT
    pos = np.empty((p, p), dtype=np.intp)
    pos[iu] = np.arange(q)
    pos[iu[1], iu[0]] = np.arange(q)
    return shift, pos.ravel(), ZT.T


_CONTROLLER: list = []


def one_blas_thread():
    """Context manager limiting BLAS/OpenMP to one thread.

    Same as threadpoolctl's ``threadpool_limits(1)``, but the libraries are
    scanned once per process (scipy's BLAS loaded first), not on every call:
    about 0.01 ms instead of 0.5 ms, which matters for a 20 ms model fit.
    """
    if not _CONTROLLER:
        import scipy.linalg  # noqa: F401  (its BLAS must be among the libraries found)

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1)


def records_warnings(workers: int) -> bool:
    """Whether pool work can record its warnings where it runs (:func:`_warn.recording`).

    Yes in the calling thread (one worker) and in worker processes that run one
    task at a time (joblib's loky and multiprocessing backends).  Worker threads
    (``threading``, dask) share the process's warning filters, which
    ``catch_warnings`` cannot change safely from several threads at once: there the
    warnings are left alone, as before.
    """
    if workers == 1:
        return True
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    return type(backend).__name__ in ("LokyBackend", "MultiprocessingBackend")


def _run_batch(statistic, children, n, strata, k, batched, record=False, counts=None):
    """One batch of replicates: (estimates, failed, failure messages, warnings)."""
    (out, failed, msgs), warns = recording(
        _batch, statistic, children, n, strata, k, batched, counts, record=record
    )
    return out, failed, msgs, warns


def index_counts(idx, n: int, dtype=np.float64) -> np.ndarray:
    """Row counts ``(K, n)`` of a stack of resamples given by their row indices
    ``idx`` (K, n) (or one resample, 1-D): one cache-sized bincount per row,
    written straight into the counts (no stacked integer copy to convert).

    Examples
    --------
    >>> index_counts(np.array([[0, 0, 2], [1, 2, 2]]), 3).tolist()
    [[2.0, 0.0, 1.0], [0.0, 1.0, 2.0]]
    """
    idx = np.atleast_2d(idx)
    W = np.empty((idx.shape[0], n), dtype=dtype)
    for j, r in enumerate(idx):
        W[j] = np.bincount(r, minlength=n)
    return W


def resample_counts(children, n: int, strata=None, dtype=np.float64) -> np.ndarray:
    """Row counts ``(len(children), n)`` of the resamples :func:`resample_indices` draws.

    Each replicate's indices are counted as soon as they are drawn, while they
    are in cache: no ``(K, n)`` index array is formed.  Row ``j`` equals
    ``np.bincount(resample_indices(children[j], n, strata), minlength=n)``.

    Examples
    --------
    >>> ch = replicate_seeds(1, 2)
    >>> W = resample_counts(ch, 5)
    >>> first = np.bincount(resample_indices(ch[0], 5), minlength=5)
    >>> W.sum(axis=1).tolist(), bool((W[0] == first).all())
    ([5.0, 5.0], True)
    """
    W = np.empty((len(children), n), dtype=dtype)
    for j, c in enumerate(children):
        W[j] = np.bincount(resample_indices(c, n, strata), minlength=n)
    return W


def _batch(statistic, children, n, strata, k, batched, counts=None):
    # One BLAS thread always, in the main process too: multi-threaded BLAS
    # reduces in another order, and replicate b must give the same bits
    # whatever n_jobs is.
    with one_blas_thread():
        if counts is not None:  # the statistic takes the resamples' row counts
            stack = resample_counts(children, n, strata, counts)
        else:
            stack = np.empty((len(children), n), dtype=np.int64)  # one block, no stacked copy
            for j, c in enumerate(children):
                stack[j] = resample_indices(c, n, strata)
        out = np.full((len(stack), k), np.nan)
        failed = np.zeros(len(stack), dtype=bool)
        msgs: list[str] = []
        if batched:
            try:
                res = np.asarray(statistic(stack), dtype=float)
                out[:] = res.reshape(len(stack), k)
            except PartialBatch as part:  # the statistic says which replicates failed
                out[:] = np.asarray(part.values, dtype=float).reshape(len(stack), k)
                failed |= np.asarray(part.failed, dtype=bool)
                msgs.extend(part.messages)
            except Exception as exc:  # a batch failure is per replicate, retry singly
                msgs.append(f"{type(exc).__name__}: {exc}")
                for j, ix in enumerate(stack):
                    try:
                        out[j] = np.asarray(statistic(ix[None, :]), dtype=float).reshape(k)
                    except Exception as exc2:
                        msgs.append(f"{type(exc2).__name__}: {exc2}")
                        failed[j] = True
        else:
            for j, ix in enumerate(stack):
                try:
                    out[j] = np.asarray(statistic(ix), dtype=float).reshape(k)
                except Exception as exc:  # counted, message kept
                    msgs.append(f"{type(exc).__name__}: {exc}")
                    failed[j] = True
        failed |= ~np.all(np.isfinite(out), axis=1)
        out[failed] = np.nan
        return out, failed, msgs


def run_bootstrap(
    statistic: Callable[[np.ndarray], np.ndarray],
    n: int,
    n_boot: int,
    *,
    k: int,
    seed=None,
    n_jobs: int = 1,
    progress="auto",
    batch_size: int | None = None,
    batched: bool = False,
    strata: np.ndarray | None = None,
    desc: str = "bootstrap",
    counts=None,
) -> BootstrapDraws:
    """Run a nonparametric bootstrap of ``statistic``.

    Parameters
    ----------
    statistic : callable
        ``statistic(indices) -> array of length k`` for one resample (row
        indices into the data), or, with ``batched=True``,
        ``statistic(stack) -> array (m, k)`` for a stack of resamples: their
        ``(m, n)`` row indices, or with ``counts=`` their ``(m, n)`` row counts.
        An exception or a non-finite value marks the replicate as failed (when
        a whole stack raises, its rows are retried one at a time, each as a
        ``(1, n)`` stack).
        Warnings it raises are recorded where it runs (worker processes
        included) and issued again, each distinct one once, from the calling
        thread after the last replicate, prefixed "in bootstrap resamples":
        they point at the user's line whatever ``n_jobs`` is (not under
        thread-based joblib backends, whose warnings stay as they are).
    n : int
        Number of observations.
    n_boot : int
        Number of replicates.
    k : int
        Length of the statistic.
    seed : int, SeedSequence, Generator or None
        Replicate ``b`` depends only on ``seed`` and ``b``.
    n_jobs : int
        joblib workers (``-1`` all cores).  Results do not depend on it.
    progress : {"auto", True, False}
        Show a tqdm progress bar (``"auto"``: in terminals and notebooks only).
    batch_size : int, optional
        Replicates per task (default: ``n_boot / 8``, at most 250; it does not
        depend on ``n_jobs``, so results are bit-identical whatever ``n_jobs``).
    strata : array, optional
        Resample within strata (e.g. groups in a multigroup model).
    counts : dtype, optional
        With ``batched=True``: pass the statistic each stack's row counts
        ``(m, n)`` in this dtype (:func:`resample_counts`: the same resamples,
        each counted as soon as it is drawn, so no index stack is formed and
        the statistic converts nothing) instead of its row indices.  For
        statistics built from count-weighted moments; give the dtype they
        compute in.  The SEM, PLS, PLS bootstrap-MGA, key-driver and
        driver-share bootstraps take counts.

    Returns
    -------
    BootstrapDraws

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(20.0)
    >>> d = run_bootstrap(lambda i: [x[i].mean()], 20, 50, k=1, seed=1, progress=False)
    >>> d.estimates.shape, d.n_failed
    ((50, 1), 0)
    """
    check_params(
        {"n": n, "n_boot": n_boot, "k": k, "n_jobs": n_jobs},
        {
            "n": Interval(1, None, integer=True),
            "n_boot": Interval(1, None, integer=True),
            "k": Interval(1, None, integer=True),
            "n_jobs": Interval(None, None, integer=True),
        },
    )
    if n_jobs == 0:
        raise ParameterError("n_jobs=0 is invalid: expected a positive number or -1.")
    if counts is not None and not batched:
        raise ParameterError("counts= needs batched=True: a stack of resamples per call.")
    children = replicate_seeds(seed, n_boot)
    workers = n_jobs if n_jobs > 0 else max(1, (__import__("os").cpu_count() or 1) + 1 + n_jobs)
    if batch_size is None:
        batch_size = default_batch_size(n_boot, n)
    batches = [children[i : i + batch_size] for i in range(0, n_boot, batch_size)]
    est = np.full((n_boot, k), np.nan)
    failed = np.zeros(n_boot, dtype=bool)
    messages: list[str] = []
    warns: list = []
    record = records_warnings(workers)
    with progress_bar(total=n_boot, enabled=progress, desc=desc) as bar:
        if workers == 1:
            results = (
                _run_batch(statistic, b, n, strata, k, batched, record, counts) for b in batches
            )
        else:
            results = Parallel(n_jobs=n_jobs, return_as="generator")(
                delayed(_run_batch)(statistic, b, n, strata, k, batched, record, counts)
                for b in batches
            )
        start = 0
        for out, fail, msgs, ws in results:
            stop = start + out.shape[0]
            est[start:stop] = out
            failed[start:stop] = fail
            messages.extend(m for m in msgs if m not in messages)
            warns.extend(w for w in ws if w not in warns)
            bar.update(out.shape[0])
            start = stop
    # the replicates' warnings, once each, from this thread: they name the user's line
    where = "" if desc == "bootstrap" else f" ({desc})"
    prefix = f"in bootstrap resamples{where}: "
    reissue(warns[:20], prefix)
    return BootstrapDraws(
        est, failed, tuple(messages[:20]), tuple(m for _, m in warns[:20]), prefix
    )


def percentile_ci(draws: np.ndarray, ci: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval per column of ``draws`` (NaN rows ignored)."""
    a = (1 - ci) / 2
    draws = np.asarray(draws, dtype=float)
    nan = np.isnan(draws)
    if nan.any():
        draws = draws[~nan.all(axis=1)]  # failed replicates: whole rows
    if draws.ndim == 2 and draws.shape[0] and not np.isnan(draws).any():
        # one vectorised call; per column the same arithmetic as nanquantile's
        lo, hi = np.quantile(draws, [a, 1 - a], axis=0)
        return lo, hi
    lo = np.nanquantile(draws, a, axis=0)
    hi = np.nanquantile(draws, 1 - a, axis=0)
    return lo, hi


def bca_ci(
    estimate: np.ndarray, draws: np.ndarray, jack: np.ndarray, ci: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected and accelerated interval (Efron 1987).

    Parameters
    ----------
    estimate : (k,) full-sample estimate
    draws : (B, k) bootstrap replicates (NaN rows ignored)
    jack : (m, k) jackknife (leave-one-out or leave-group-out) estimates
    """
    estimate = np.atleast_1d(np.asarray(estimate, float))
    draws = np.asarray(draws, float)
    draws = draws[np.all(np.isfinite(draws), axis=1)]
    jack = np.asarray(jack, float)
    a_lo, a_hi = (1 - ci) / 2, 1 - (1 - ci) / 2
    lo = np.full(estimate.shape, np.nan)
    hi = np.full(estimate.shape, np.nan)
    B = draws.shape[0]
    if B < 2:
        return lo, hi
    prop = (np.sum(draws < estimate, axis=0) + 0.5 * np.sum(draws == estimate, axis=0)) / B
    prop = np.clip(prop, 1 / (2 * B), 1 - 1 / (2 * B))
    z0 = stats.norm.ppf(prop)
    u = jack.mean(axis=0) - jack
    den = 6.0 * (np.sum(u**2, axis=0) ** 1.5)
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = np.where(den > 0, np.sum(u**3, axis=0) / np.where(den > 0, den, 1.0), 0.0)
    qs = []
    for alpha in (a_lo, a_hi):
        z = z0 + stats.norm.ppf(alpha)
        qs.append(stats.norm.cdf(z0 + z / (1 - acc * z)))
    for j in range(estimate.size):
        lo[j], hi[j] = np.quantile(draws[:, j], [qs[0][j], qs[1][j]])
    return lo, hi


def jackknife(
    statistic: Callable[[np.ndarray], np.ndarray],
    n: int,
    *,
    max_groups: int = 1000,
    seed=0,
) -> np.ndarray:
    """Leave-one-out estimates, or leave-group-out when ``n > max_groups``.

    Groups are assigned at random (a seeded permutation split into
    ``max_groups`` near-equal groups), never as contiguous blocks: on sorted
    data contiguous blocks bias the BCa acceleration (about 3x the exact value
    on a sorted customer file).  For statistics of the means and covariances
    use :func:`jackknife_moments`, which is exact and much faster.

    Returns an array ``(m, k)``; used for the BCa acceleration constant.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(10.0)
    >>> jackknife(lambda keep: [x[keep].mean()], 10)[:3, 0]
    array([5.        , 4.88888889, 4.77777778])
    """
    order = np.arange(n) if n <= max_groups else np.random.default_rng(seed).permutation(n)
    groups = np.array_split(order, min(n, max_groups))
    rows = []
    for g in groups:
        keep = np.setdiff1d(np.arange(n), g)
        rows.append(np.asarray(statistic(keep), float).ravel())
    return np.vstack(rows)


def loo_moments(
    X: np.ndarray,
    *,
    ddof: int = 1,
    start: int = 0,
    stop: int | None = None,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Means and covariance matrices of ``X`` with each row ``i`` in ``[start, stop)`` left out.

    Down-dates the full-sample totals instead of recomputing them: with
    ``x_i`` centred at the full mean, ``T`` the centred cross-product matrix and
    ``W`` the total weight (``n`` without ``weights``), leaving row ``i`` (weight
    ``w_i``) out gives mean ``xbar - w_i x_i / (W - w_i)`` and cross-products
    ``T - w_i W / (W - w_i) x_i x_i'`` -- O(p^2) per row.

    Returns ``(means (m, p), covs (m, p, p))`` with divisor ``W - w_i - ddof``
    (``n - 1 - ddof`` without weights; weights are frequency-like, e.g. summing
    to ``n``).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(6, 2))
    >>> means, covs = loo_moments(X)
    >>> bool(np.allclose(covs[2], np.cov(np.delete(X, 2, axis=0), rowvar=False)))
    True
    """
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    if n < 3 + ddof:
        raise ParameterError(f"a leave-one-out jackknife needs at least {3 + ddof} rows, got {n}.")
    stop = n if stop is None else stop
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    total = w.sum()
    mean = w @ X / total
    Xc = X - mean
    T = (Xc * w[:, None]).T @ Xc
    xi, wi = Xc[start:stop], w[start:stop]
    rest = total - wi
    means = mean - (wi / rest)[:, None] * xi
    factor = wi * total / rest
    covs = T[None] - factor[:, None, None] * xi[:, :, None] * xi[:, None, :]
    covs /= (rest - ddof)[:, None, None]
    return means, covs


def jackknife_moments(
    statistic: Callable[[np.ndarray, np.ndarray], np.ndarray],
    X: np.ndarray,
    *,
    ddof: int = 1,
    chunk: int = 1024,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Exact leave-one-out jackknife of a statistic of the means and covariances.

    For moment-based statistics (PLS, ML SEM, Shapley/relative weights from a
    correlation matrix) each leave-one-out sample's moments follow from the
    full-sample totals by a rank-one down-date (:func:`loo_moments`), and the
    statistic runs on stacks of ``chunk`` of them at once.

    Parameters
    ----------
    statistic : callable
        ``statistic(means (m, p), covs (m, p, p)) -> (m, k)``.
    X : (n, p) data
    ddof : covariance divisor ``n - 1 - ddof`` (1 unbiased, 0 maximum likelihood)
    weights : (n,) respondent weights, optional (see :func:`loo_moments`)

    Returns
    -------
    ndarray (n, k): row ``i`` is the statistic without row ``i``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(1).normal(size=(50, 3))
    >>> corr12 = lambda means, covs: covs[:, :1, 1] / np.sqrt(covs[:, :1, 0] * covs[:, 1:2, 1])
    >>> jack = jackknife_moments(corr12, X)
    >>> bool(np.isclose(jack[7, 0], np.corrcoef(np.delete(X, 7, axis=0), rowvar=False)[0, 1]))
    True
    """
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    out = []
    for start in range(0, n, chunk):
        means, covs = loo_moments(
            X, ddof=ddof, start=start, stop=min(n, start + chunk), weights=weights
        )
        out.append(np.asarray(statistic(means, covs), dtype=float).reshape(means.shape[0], -1))
    return np.vstack(out)


def warn_failures(draws: BootstrapDraws, why: str = "") -> str | None:
    """Emit a :class:`BootstrapFailureWarning` if replicates failed; return its text.

    ``why`` is added to the sentence (e.g. what counts as a failure).
    """
    text = draws.warning_text()
    if text:
        text += why
        warn(text, BootstrapFailureWarning)
    return text


def bootstrap_notes(draws: BootstrapDraws, why: str = "") -> tuple[str, ...]:
    """Everything a bootstrap flagged, for the result's ``warnings``.

    The replicates' own warnings as :func:`run_bootstrap` already issued them
    (not issued again), then the failure sentence, issued here by
    :func:`warn_failures` (``why`` as there).

    Examples
    --------
    >>> import warnings
    >>> def stat(i):  # log(0) in every resample: numpy warns (RuntimeWarning)
    ...     return [float(np.log(i.min() * 0.0) + 1e300)]
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     draws = run_bootstrap(stat, 10, 5, k=1, seed=1, progress=False)
    ...     bootstrap_notes(draws)  # doctest: +NORMALIZE_WHITESPACE
    ('in bootstrap resamples: divide by zero encountered in log',
     '5 of 5 bootstrap replicates failed and were excluded from the intervals
     (non-finite estimates).')
    """
    text = warn_failures(draws, why)
    return draws.reissued + ((text,) if text else ())
