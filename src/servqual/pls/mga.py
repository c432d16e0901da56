"""Permutation multigroup analysis (PLS-MGA; Chin & Dibbern 2010; Henseler et al. 2016).

The model is estimated in each of two groups (each standardised on its own).
Under the null hypothesis of equal parameters the group labels are
exchangeable: permuting them gives the reference distribution of each
between-group difference.  Permutations are evaluated in stacks: a group is a
0/1 row-weight vector, its covariance matrix follows from the same
cross-product sums as the bootstrap, and the PLS algorithm runs on the stack.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from .._checks import (
    Interval,
    check_columns,
    check_data,
    check_params,
    check_rng,
    check_unique_index,
)
from .._options import check_n_jobs, check_n_perm, resolve_progress
from .._progress import progress_bar
from .._resampling import records_warnings, replicate_seeds
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from .._warn import recording, reissue, warn
from ..errors import (
    BootstrapFailureWarning,
    ConvergenceWarning,
    InsufficientDataError,
    SpecificationError,
)
from .bootstrap import Layout, statistic_vector
from .core import Structure, cross_products, moments_to_cov
from .estimator import _as_model, _prepare

__all__ = ["mga", "MGAResult"]


@resultclass
class MGAResult(Result):
    """Permutation test of group differences.

    Attributes
    ----------
    table : DataFrame
        ``kind`` (path, weight, loading, total), ``first``, ``second``,
        ``group_1``, ``group_2`` (estimates), ``difference`` (1 - 2) and
        ``p_value`` (two-sided, ``(1 + #|perm diff| >= |diff|) / (1 + n_valid)``).
    groups : (label 1, label 2)
    n : (n1, n2)
    n_perm, n_failed : permutations run and failed (non-converged)
    differences : ndarray (n_perm, len(table))
        Group differences under each permutation (NaN rows for failures).
    """

    table: pd.DataFrame
    groups: tuple
    n: tuple[int, int]
    n_perm: int
    n_failed: int
    differences: np.ndarray
    warnings: tuple[str, ...] = ()

    @property
    def paths(self) -> pd.DataFrame:
        return path_rows(self.table)

    def summary(self) -> Summary:
        info = {
            "groups": groups_text(self.groups, self.n),
            "permutations": self.n_perm,
            "failed permutations": self.n_failed,
        }
        return Summary(
            "PLS multigroup permutation test",
            [("Test", info), ("Paths", self.paths)],
            self.warnings,
        )


def path_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The path rows of a two-group table, with ``source``/``target`` columns."""
    t = table[table["kind"] == "path"].drop(columns="kind")
    return t.rename(columns={"first": "source", "second": "target"}).reset_index(drop=True)


def groups_text(groups, n) -> str:
    return f"{groups[0]} (n={n[0]}) vs {groups[1]} (n={n[1]})"


def two_groups(model, data, group: str, missing: str):
    """Checked model, item frame, group-1 mask, the two labels and notes of a 2-group call."""
    model = _as_model(model)
    check_data(data)
    check_unique_index(data, why="each row's group is looked up by its row label")
    check_columns(data, [group], what="group column")
    if data[group].isna().any():
        raise InsufficientDataError(
            f"group column {group!r} has {int(data[group].isna().sum())} missing value(s); "
            "assign every row to a group."
        )
    frame, notes = _prepare(model, data, missing)
    labels = data.loc[frame.index, group].to_numpy()
    levels = pd.unique(labels)
    if len(levels) != 2:
        raise SpecificationError(
            f"group column {group!r} must have exactly 2 groups; found {len(levels)}: "
            f"{[v.item() if isinstance(v, np.generic) else v for v in levels[:10]]}."
        )
    g1 = labels == levels[0]
    k_min = max(len(b.items) for b in model.blocks) + 2
    for lab, size in ((levels[0], int(g1.sum())), (levels[1], int((~g1).sum()))):
        if size < k_min:
            raise InsufficientDataError(
                f"group {lab!r} of {group!r} has {size} row(s); at least {k_min} needed."
            )
    return model, frame, g1, (levels[0], levels[1]), notes


@records_provenance
def mga(
    model,
    data: pd.DataFrame,
    group: str,
    *,
    n_perm: int = 1000,
    seed=None,
    n_jobs: int = 1,
    progress="auto",
    scheme: str = "path",
    scaled: bool = True,
    missing: str = "mean",
    tol: float = 1e-7,
    max_iter: int = 300,
) -> MGAResult:
    """Permutation test for differences in PLS estimates between two groups.

    ``group`` names a column with exactly two distinct values.  Paths,
    weights, loadings and total effects are compared.  Permutation ``k``
    depends only on ``seed`` and ``k``, so ``n_jobs`` (joblib workers) does
    not change the result.

    Examples
    --------
    >>> import servqual
    >>> from servqual import pls
    >>> df, _ = pls.simulate_ecsi(400, seed=1)
    >>> df["g"] = ["a", "b"] * 200
    >>> res = mga(pls.ecsi_model(), df, "g", n_perm=50, seed=1, progress=False)
    >>> res.paths.shape[0]
    12
    """
    check_params(
        {"n_perm": n_perm, "tol": tol, "max_iter": max_iter},
        {
            "n_perm": Interval(1, None, integer=True),
            "tol": Interval(0, None, closed="neither"),
            "max_iter": Interval(1, None, integer=True),
        },
    )
    n_perm = check_n_perm(n_perm)
    n_jobs = check_n_jobs(n_jobs)
    progress = resolve_progress(progress)
    check_rng(seed)  # typed error naming a bad seed; the seed itself is passed on
    model, frame, g1, levels, notes = two_groups(model, data, group, missing)
    n1, n2 = int(g1.sum()), int((~g1).sum())
    st = Structure.from_model(model)
    raw = frame.to_numpy()
    X, P = cross_products(raw - raw.mean(axis=0))
    layout = Layout.build(st, model.constructs, model.items)
    keep = np.isin(np.array(layout.kind), ["path", "weight", "loading", "total"])

    def diff(masks):
        stats = []
        for m in (masks, 1.0 - masks):
            S = moments_to_cov(m, X, P, scaled)
            stats.append(
                statistic_vector(S, st, layout, scheme=scheme, tol=tol, max_iter=max_iter)[:, keep]
            )
        return stats[0], stats[1]

    e1, e2 = diff(g1[None].astype(float))
    observed = e1[0] - e2[0]
    children = replicate_seeds(seed, n_perm)
    draws = np.full((n_perm, observed.size), np.nan)
    batch = 100

    def run_batch(kids):
        # one BLAS thread always: multi-threaded BLAS sums in another order, and
        # permutation k must give the same bits whatever n_jobs is
        with threadpool_limits(1):
            masks = np.array([g1[np.random.default_rng(c).permutation(g1.size)] for c in kids])
            a, b = diff(masks.astype(float))
            d = a - b
            d[~np.all(np.isfinite(d), axis=1)] = np.nan
            return d

    batches = [children[i : i + batch] for i in range(0, n_perm, batch)]
    # the permutations' warnings are recorded where they run and issued again below
    record = records_warnings(n_jobs)
    perm_warns: list = []
    with progress_bar(total=n_perm, enabled=progress, desc="PLS-MGA permutations") as bar:
        if n_jobs == 1:
            results = (recording(run_batch, kids, record=record) for kids in batches)
        else:  # permutation k depends only on (seed, k): same draws whatever n_jobs
            results = Parallel(n_jobs=n_jobs, return_as="generator")(
                delayed(recording)(run_batch, kids, record=record) for kids in batches
            )
        start = 0
        for d, ws in results:
            draws[start : start + len(d)] = d
            perm_warns.extend(w for w in ws if w not in perm_warns)
            bar.update(len(d))
            start += len(d)
    perm_notes = reissue(perm_warns, "in the permutations: ")  # issued once, kept below
    ok = np.all(np.isfinite(draws), axis=1)
    failed = int((~ok).sum())
    exceed = np.sum(np.abs(draws[ok]) >= np.abs(observed) - 1e-12, axis=0)
    valid = ok.sum()
    warns = list(notes) + list(perm_notes)
    if not np.all(np.isfinite(observed)):
        msg = (
            f"the PLS fit of group {levels[0]!r} or {levels[1]!r} did not converge in "
            f"max_iter={max_iter} iterations: group estimates and p-values are NaN."
        )
        warns.append(msg)
        warn(msg, ConvergenceWarning)
    if failed:
        msg = f"{failed} of {n_perm} permutations failed (non-convergence) and were excluded."
        warns.append(msg)
        warn(msg, BootstrapFailureWarning)
    p_value = (1 + exceed) / (1 + valid)
    # no p-value without an observed difference or without a single valid permutation
    p_value = np.where(np.isfinite(observed) & (valid > 0), p_value, np.nan)
    table = pd.DataFrame(
        {
            "kind": np.array(layout.kind)[keep],
            "first": np.array(layout.first)[keep],
            "second": np.array(layout.second)[keep],
            "group_1": e1[0],
            "group_2": e2[0],
            "difference": observed,
            "p_value": p_value,
        }
    )
    return MGAResult(table, (levels[0], levels[1]), (n1, n2), n_perm, failed, draws, tuple(warns))
