"""A batched statistic may report which replicates of its stack failed
(``PartialBatch``): the other rows are kept, not recomputed one by one."""

import numpy as np
import pytest

from servqual import sem
from servqual._resampling import PartialBatch, default_batch_size, run_bootstrap
from servqual.datasets import load_dataset
from servqual.sem import bootstrap as sb


def test_partial_batch_keeps_the_computed_rows():
    x = np.arange(30.0)
    calls = []

    def stat(idx):  # means; a resample without row 0 fails
        calls.append(idx.shape[0])
        out = x[idx].mean(axis=1, keepdims=True)
        bad = ~(idx == 0).any(axis=1)
        if bad.any():
            out[bad] = np.nan
            raise PartialBatch(out, bad, [f"ValueError: no row 0 in {int(bad.sum())}"])
        return out

    d = run_bootstrap(stat, 30, 40, k=1, seed=2, progress=False, batched=True, batch_size=10)
    assert calls == [10, 10, 10, 10]  # no replicate-by-replicate retry
    idx_has0 = np.isfinite(d.estimates[:, 0])
    assert d.n_failed == (~idx_has0).sum() > 0
    assert all(m.startswith("ValueError: no row 0") for m in d.messages)
    # the kept rows equal the plain (unbatched) statistic on the same resamples
    single = run_bootstrap(lambda i: [x[i].mean()], 30, 40, k=1, seed=2, progress=False).estimates[
        :, 0
    ]
    np.testing.assert_array_equal(d.estimates[idx_has0, 0], single[idx_has0])


def test_sem_straggler_failure_fails_only_its_replicate(monkeypatch):
    hs = load_dataset("holzinger_swineford")
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
    full = sem.fit(model, hs, se="bootstrap", n_boot=50, seed=4, progress=False)

    real_batch_fit = sb.batch_fit

    def two_stragglers(model_, covs, means, theta0, hess_inv):
        thetas, ok = real_batch_fit(model_, covs, means, theta0, hess_inv)
        ok[:2] = False  # the first two rows of every stack go to the single optimiser
        return thetas, ok

    def failing_refit(self, moments):
        raise RuntimeError("refit did not converge after 3 iterations")

    monkeypatch.setattr(sb, "batch_fit", two_stragglers)
    monkeypatch.setattr(sb.Refit, "_refit", failing_refit)
    with pytest.warns(UserWarning, match="replicates failed"):
        res = sem.fit(model, hs, se="bootstrap", n_boot=50, seed=4, progress=False)
    draws = res.bootstrap_draws
    size = default_batch_size(50, hs.shape[0], parts=4)  # the SEM's stacks: 13
    sizes = [size] * (50 // size) + ([50 % size] if 50 % size else [])
    assert size == 13 and sizes == [13, 13, 13, 11]
    assert draws.n_failed == sum(min(2, s) for s in sizes)
    starts = np.cumsum([0] + sizes[:-1])
    expected = np.zeros(50, dtype=bool)
    for s0, s in zip(starts, sizes):
        expected[s0 : s0 + min(2, s)] = True
    np.testing.assert_array_equal(draws.failed, expected)
    assert "RuntimeError: refit did not converge after 3 iterations" in draws.messages
    kept = ~draws.failed
    np.testing.assert_allclose(
        draws.estimates[kept], full.bootstrap_draws.estimates[kept], rtol=0, atol=1e-12
    )
