"""Random-forest permutation importance with cross-validation (non-linear check)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._checks import Interval, check_params, check_rng
from .._options import check_n_jobs
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from ._data import prepare

__all__ = ["ForestImportanceResult", "forest_importance"]


@resultclass
class ForestImportanceResult(Result):
    """Cross-validated permutation importance of a random forest.

    Attributes
    ----------
    table : DataFrame
        One row per predictor: ``importance`` (mean drop in held-out R² when
        the predictor is permuted), ``sd`` (across folds), ``share``
        (importance clipped at 0 / sum of the positive importances: a predictor
        whose permutation does not lower held-out R² gets 0, so shares lie in
        [0, 1] and sum to 1), ``rank``.
    folds : DataFrame
        Tidy per-fold importances (``fold``, ``driver``, ``importance``).
    cv_r2 : float
        Mean held-out R² of the forest.
    """

    table: pd.DataFrame
    folds: pd.DataFrame
    cv_r2: float
    n: int
    target: str
    warnings: tuple[str, ...] = ()

    def __getitem__(self, key):
        return self.table[key]

    def summary(self) -> Summary:
        return Summary(
            f"Random-forest permutation importance for {self.target!r}",
            [
                (
                    "Model",
                    {
                        "n": self.n,
                        "cross-validated R²": self.cv_r2,
                        "folds": int(self.folds["fold"].nunique()),
                    },
                ),
                ("Importance (drop in held-out R²)", self.table),
            ],
            self.warnings,
        )


@records_provenance
def forest_importance(
    data: pd.DataFrame,
    target: str,
    predictors: Sequence[str],
    *,
    n_splits: int = 5,
    n_repeats: int = 5,
    n_estimators: int = 200,
    min_samples_leaf: int = 5,
    seed=None,
    n_jobs: int = 1,
    missing: str = "listwise",
) -> ForestImportanceResult:
    """Permutation importance of a random forest, computed on held-out folds.

    For each of ``n_splits`` folds a forest is fitted on the other folds and
    each predictor is permuted ``n_repeats`` times in the held-out fold; its
    importance is the mean drop in held-out R².  Use it to check linear driver
    rankings for non-linear effects.  Same ``seed`` gives the same result
    whatever ``n_jobs``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(200, 2)), columns=["a", "b"])
    >>> df["y"] = df.a**2 + rng.normal(scale=0.3, size=200)
    >>> res = forest_importance(df, "y", ["a", "b"], n_estimators=30, n_splits=3, seed=1)
    >>> res.table.index[res["rank"] == 1].tolist()
    ['a']
    """
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.inspection import permutation_importance
    from sklearn.model_selection import KFold

    n_jobs = check_n_jobs(n_jobs)
    check_params(
        {
            "n_splits": n_splits,
            "n_repeats": n_repeats,
            "n_estimators": n_estimators,
            "min_samples_leaf": min_samples_leaf,
        },
        {
            "n_splits": Interval(2, None, integer=True),
            "n_repeats": Interval(1, None, integer=True),
            "n_estimators": Interval(1, None, integer=True),
            "min_samples_leaf": Interval(1, None, integer=True),
        },
    )
    check_n_jobs(n_jobs)
    rng = check_rng(seed)
    predictors = list(predictors) if not isinstance(predictors, str) else predictors
    frame, notes = prepare(
        data, target, predictors, missing=missing, min_extra=max(2, 2 * n_splits - len(predictors))
    )
    x = frame[predictors].to_numpy()
    y = frame[target].to_numpy()
    seeds = rng.integers(0, 2**31 - 1, size=1 + 2 * n_splits)
    folds = KFold(n_splits, shuffle=True, random_state=int(seeds[0])).split(x)
    rows, r2s = [], []
    for f, (train, test) in enumerate(folds):
        rf = RandomForestRegressor(
            n_estimators=n_estimators,
            min_samples_leaf=min_samples_leaf,
            random_state=int(seeds[1 + 2 * f]),
            n_jobs=n_jobs,
        ).fit(x[train], y[train])
        # trees are fitted in parallel (each tree is seeded), but a parallel predict
        # sums the trees in thread order: predict serially so results are bit-identical
        rf.set_params(n_jobs=1)
        r2s.append(rf.score(x[test], y[test]))
        pi = permutation_importance(
            rf,
            x[test],
            y[test],
            scoring="r2",
            n_repeats=n_repeats,
            random_state=int(seeds[2 + 2 * f]),
            n_jobs=n_jobs,
        )
        for j, name in enumerate(predictors):
            rows.append({"fold": f, "driver": name, "importance": float(pi.importances_mean[j])})
    fold_tab = pd.DataFrame(rows)
    agg = fold_tab.groupby("driver", sort=False)["importance"]
    imp = agg.mean().reindex(predictors)
    total = imp.clip(lower=0).sum()
    table = pd.DataFrame(
        {
            "importance": imp.to_numpy(),
            "sd": agg.std().reindex(predictors).to_numpy(),
            "share": (imp.clip(lower=0) / total).to_numpy() if total > 0 else np.nan,
            "rank": (-imp).rank(method="min").astype(int).to_numpy(),
        },
        index=pd.Index(predictors, name="driver"),
    )
    return ForestImportanceResult(
        table, fold_tab, float(np.mean(r2s)), len(frame), target, tuple(notes)
    )
