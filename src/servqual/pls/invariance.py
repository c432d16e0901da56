"""Bootstrap multigroup analysis (Henseler 2007) and MICOM (Henseler, Ringle & Sarstedt 2016).

**Bootstrap MGA.**  Each group is resampled within itself (a stratified
bootstrap) and the model estimated in both groups of every replicate.  With
``B`` draws per group and bootstrap means ``m1``, ``m2``, Henseler's
probability that group 1's parameter exceeds group 2's is

    P = 1 - (1/B^2) sum_j sum_i H(2 m1 - b1_j - 2 m2 + b2_i)

(``H`` the unit step; Henseler, Ringle & Sinkovics 2009; Sarstedt, Henseler
& Ringle 2011).  ``p_one_sided = P`` tests H0: theta_1 <= theta_2;
``p_value = 2 min(P, 1 - P)`` is two-sided.  It complements the permutation
test of :func:`servqual.pls.mga`.

**MICOM** (measurement invariance of composite models), on the pooled data
standardised once:

* step 2 (compositional invariance): ``c`` = correlation between the
  composite built with group 1's weights and with group 2's weights; under
  invariance ``c`` is close to 1, and the permutation p-value is the share of
  permuted ``c`` at or below the observed one;
* step 3 (equal means and variances): composites with the pooled weights; the
  group difference of means and the log ratio of variances, each with a
  two-sided permutation p-value.

Permutations and bootstrap replicates are evaluated in stacks from the
cross-product sums, like the PLS bootstrap (a bootstrap stack arrives as the
resamples' row counts, ``run_bootstrap(..., counts=np.float64)``); replicate
``k`` depends only on ``seed`` and ``k``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .._checks import Interval, check_params, check_rng
from .._options import DEFAULT_N_BOOT, check_n_jobs, check_n_perm, resolve_progress
from .._resampling import bootstrap_notes, replicate_seeds, run_bootstrap
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from .._warn import recording, reissue
from .bootstrap import Layout, statistic_vector
from .core import Structure, cross_products, estimate, moments_to_cov
from .mga import groups_text, path_rows, two_groups

__all__ = ["mga_bootstrap", "micom", "BootstrapMGAResult", "MICOMResult", "henseler_p"]


def henseler_p(d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """Henseler's P(theta_1 > theta_2) per column from bootstrap draws (B1, k), (B2, k).

    Examples
    --------
    >>> import numpy as np
    >>> float(henseler_p(np.array([[1.0], [2.0]]), np.array([[1.5], [1.5]]))[0])
    0.5
    """
    d1, d2 = np.asarray(d1, float), np.asarray(d2, float)
    out = np.empty(d1.shape[1])
    for k in range(d1.shape[1]):
        a = 2 * d1[:, k].mean() - d1[:, k] - 2 * d2[:, k].mean()  # + b2_i > 0
        b = np.sort(d2[:, k])
        # pairs with a_j + b_i > 0, i.e. b_i > -a_j
        count = b.size - np.searchsorted(b, -a, side="right")
        out[k] = 1.0 - count.sum() / (d1.shape[0] * d2.shape[0])
    return out


@resultclass
class BootstrapMGAResult(Result):
    """Henseler's bootstrap MGA.

    Attributes
    ----------
    table : DataFrame
        ``kind`` (path, weight, loading, total), ``first``, ``second``,
        ``group_1``, ``group_2``, ``difference``, ``se_1``, ``se_2``,
        ``p_one_sided`` (H0: group 1 <= group 2) and ``p_value`` (two-sided).
    groups, n, n_boot, n_failed, warnings
    draws : BootstrapDraws
        Replicates: the table's rows for group 1, then for group 2.
    """

    table: pd.DataFrame
    groups: tuple
    n: tuple
    n_boot: int
    n_failed: int
    warnings: tuple[str, ...] = ()
    draws: object = None  # BootstrapDraws: group-1 columns, then group-2 columns

    @property
    def paths(self) -> pd.DataFrame:
        return path_rows(self.table)

    def summary(self) -> Summary:
        info = {
            "groups": groups_text(self.groups, self.n),
            "bootstrap resamples per group": self.n_boot,
            "failed resamples": self.n_failed,
        }
        return Summary(
            "PLS bootstrap MGA (Henseler)", [("Test", info), ("Paths", self.paths)], self.warnings
        )


@records_provenance
def mga_bootstrap(
    model,
    data: pd.DataFrame,
    group: str,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed=None,
    n_jobs: int = 1,
    progress="auto",
    scheme: str = "path",
    scaled: bool = True,
    missing: str = "mean",
    tol: float = 1e-7,
    max_iter: int = 300,
) -> BootstrapMGAResult:
    """Henseler's bootstrap multigroup analysis of two groups (``group`` column).

    Parameters
    ----------
    model, data
        As in :func:`servqual.pls.fit`; ``group`` names a column with exactly
        two values.
    n_boot : int
        Bootstrap resamples (each group resampled within itself).
    seed, n_jobs, progress
        Replicate ``b`` depends only on ``seed`` and ``b``, whatever ``n_jobs``.
    scheme, scaled, missing, tol, max_iter
        As in :func:`servqual.pls.fit`.

    Returns
    -------
    BootstrapMGAResult

    Examples
    --------
    >>> from servqual import pls
    >>> df, _ = pls.simulate_ecsi(400, seed=1)
    >>> df["g"] = ["a", "b"] * 200
    >>> res = mga_bootstrap(pls.ecsi_model(), df, "g", n_boot=50, seed=1, progress=False)
    >>> res.paths.shape[0]
    12
    """
    check_params({"n_boot": n_boot}, {"n_boot": Interval(2, None, integer=True)})
    n_jobs = check_n_jobs(n_jobs)
    progress = resolve_progress(progress)
    check_rng(seed)
    model, frame, g1, levels, notes = two_groups(model, data, group, missing)
    st = Structure.from_model(model)
    layout = Layout.build(st, model.constructs, model.items)
    keep = np.isin(np.array(layout.kind), ["path", "weight", "loading", "total"])
    raw = frame.to_numpy()
    n = raw.shape[0]
    X, P = cross_products(raw - raw.mean(axis=0))
    P = np.hstack([X, P])

    def stats(counts):
        out = []
        for m in (counts * g1, counts * ~g1):
            S = moments_to_cov(m, X, P, scaled)
            out.append(
                statistic_vector(S, st, layout, scheme=scheme, tol=tol, max_iter=max_iter)[:, keep]
            )
        return np.hstack(out)

    k = int(keep.sum())
    point = stats(np.ones((1, n)))[0]
    draws = run_bootstrap(
        stats,  # from each stack's row counts (m, n), counted as they are drawn
        n,
        n_boot,
        k=2 * k,
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
        batched=True,
        counts=np.float64,
        strata=g1.astype(int),
        desc="PLS bootstrap MGA",
    )
    valid = draws.valid
    warns = list(notes) + list(bootstrap_notes(draws))
    d1, d2 = valid[:, :k], valid[:, k:]
    prob = henseler_p(d1, d2) if valid.shape[0] else np.full(k, np.nan)
    table = pd.DataFrame(
        {
            "kind": np.array(layout.kind)[keep],
            "first": np.array(layout.first)[keep],
            "second": np.array(layout.second)[keep],
            "group_1": point[:k],
            "group_2": point[k:],
            "difference": point[:k] - point[k:],
            "se_1": d1.std(axis=0, ddof=1),
            "se_2": d2.std(axis=0, ddof=1),
            "p_one_sided": prob,
            "p_value": np.minimum(1.0, 2 * np.minimum(prob, 1 - prob)),
        }
    )
    return BootstrapMGAResult(
        table,
        levels,
        (int(g1.sum()), int((~g1).sum())),
        n_boot,
        draws.n_failed,
        tuple(warns),
        draws,
    )


@resultclass
class MICOMResult(Result):
    """MICOM steps 2 and 3 (Henseler, Ringle & Sarstedt 2016).

    Attributes
    ----------
    table : DataFrame
        Per construct: ``c`` (correlation of the group-weight composites),
        ``c_p_value``, ``compositional_invariance`` (p >= alpha),
        ``mean_difference`` (group 1 - group 2, pooled-standardised composite),
        ``mean_p_value``, ``log_variance_ratio`` (log var_1 / var_2),
        ``variance_p_value`` and ``equal_means_variances``.
    groups, n, n_perm, alpha, warnings
    """

    table: pd.DataFrame
    groups: tuple
    n: tuple
    n_perm: int
    alpha: float
    warnings: tuple[str, ...] = ()

    def summary(self) -> Summary:
        info = {
            "groups": groups_text(self.groups, self.n),
            "permutations": self.n_perm,
            "alpha": self.alpha,
        }
        return Summary("MICOM", [("Test", info), ("Invariance", self.table)], self.warnings)


@records_provenance
def micom(
    model,
    data: pd.DataFrame,
    group: str,
    *,
    n_perm: int = 1000,
    alpha: float = 0.05,
    seed=None,
    scheme: str = "path",
    missing: str = "mean",
    tol: float = 1e-7,
    max_iter: int = 300,
) -> MICOMResult:
    """MICOM steps 2 and 3 for two groups, by permutation of the group labels.

    Step 1 (configural invariance: same model, same items, same treatment of
    the data) holds by construction when one model is fitted to both groups.

    Examples
    --------
    >>> from servqual import pls
    >>> df, _ = pls.simulate_ecsi(400, seed=2)
    >>> df["g"] = ["a", "b"] * 200
    >>> res = micom(pls.ecsi_model(), df, "g", n_perm=100, seed=1)
    >>> bool(res.table["c"].min() > 0.9)
    True
    """
    check_params(
        {"n_perm": n_perm, "alpha": alpha},
        {"n_perm": Interval(1, None, integer=True), "alpha": Interval(0, 1, closed="neither")},
    )
    n_perm = check_n_perm(n_perm, alpha=alpha)
    model, frame, g1, levels, notes = two_groups(model, data, group, missing)
    st = Structure.from_model(model)
    raw = frame.to_numpy()
    Z = (raw - raw.mean(axis=0)) / raw.std(axis=0, ddof=1)  # pooled standardisation
    C = np.corrcoef(Z, rowvar=False)
    X, P = cross_products(Z)
    P = np.hstack([X, P])
    pooled = estimate(C, st, scheme=scheme, tol=tol, max_iter=max_iter)
    Wp = pooled.W[0]
    Y = Z @ Wp  # pooled composites (unit variance in the pooled data)

    def weights(mask):
        """Group weights on each group's standardised items, as pooled-item weights."""
        S = moments_to_cov(mask, X, P, False)
        sd = np.sqrt(np.einsum("bii->bi", S))
        est = estimate(
            S / sd[:, :, None] / sd[:, None, :], st, scheme=scheme, tol=tol, max_iter=max_iter
        )
        return est.W / sd[:, :, None]

    def statistics(masks):
        W1, W2 = weights(masks), weights(1.0 - masks)
        num = np.einsum("bpm,pq,bqm->bm", W1, C, W2)
        c = num / np.sqrt(
            np.einsum("bpm,pq,bqm->bm", W1, C, W1) * np.einsum("bpm,pq,bqm->bm", W2, C, W2)
        )
        n1 = masks.sum(axis=1, keepdims=True)
        n2 = masks.shape[1] - n1
        m1, m2 = masks @ Y / n1, (1 - masks) @ Y / n2
        v1 = (masks @ Y**2 - n1 * m1**2) / (n1 - 1)
        v2 = ((1 - masks) @ Y**2 - n2 * m2**2) / (n2 - 1)
        return c, m1 - m2, np.log(v1 / v2)

    obs_c, obs_m, obs_v = (a[0] for a in statistics(g1[None].astype(float)))
    children = replicate_seeds(seed, n_perm)

    def permutations():
        with threadpool_limits(1):
            masks = np.array(
                [g1[np.random.default_rng(ch).permutation(g1.size)] for ch in children]
            )
            out = [statistics(masks[i : i + 200].astype(float)) for i in range(0, n_perm, 200)]
        return [np.vstack(a) for a in zip(*out)]

    # the permutations' warnings: issued once each, and carried on the result
    (pc, pm, pv), perm_warns = recording(permutations)
    notes = tuple(notes) + reissue(perm_warns, "in the permutations: ")
    c_p = (1 + np.sum(pc <= obs_c + 1e-12, axis=0)) / (1 + n_perm)
    m_p = (1 + np.sum(np.abs(pm) >= np.abs(obs_m) - 1e-12, axis=0)) / (1 + n_perm)
    v_p = (1 + np.sum(np.abs(pv) >= np.abs(obs_v) - 1e-12, axis=0)) / (1 + n_perm)
    table = pd.DataFrame(
        {
            "construct": list(model.constructs),
            "c": obs_c,
            "c_p_value": c_p,
            "compositional_invariance": c_p >= alpha,
            "mean_difference": obs_m,
            "mean_p_value": m_p,
            "log_variance_ratio": obs_v,
            "variance_p_value": v_p,
            "equal_means_variances": (m_p >= alpha) & (v_p >= alpha),
        }
    )
    return MICOMResult(
        table, levels, (int(g1.sum()), int((~g1).sum())), n_perm, alpha, tuple(notes)
    )
