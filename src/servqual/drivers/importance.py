"""Relative importance of predictors: Shapley/LMG dominance analysis and
Johnson's relative weights, both computed from the correlation matrix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field

import numpy as np
import pandas as pd

from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from ..errors import DataError, ParameterError
from ..weighting import correlation as correlation_w
from ..weighting import kish_neff
from ._data import check_pd, prepare_weighted, resolve_groups
from ._subsets import complete_dominance, conditional_dominance, shapley_from_r2, subset_r2

__all__ = [
    "ShapleyResult",
    "RelativeWeightsResult",
    "shapley",
    "relative_weights",
    "shapley_from_corr",
    "relative_weights_from_corr",
]

_MAX_UNITS = 24  # 2^24 subsets: ~16 M values, the practical ceiling in memory


class _TableMixin(Result):
    """The result behaves like its importance table: ``result["importance"]``,
    ``result.loc["a", "share"]``, ``len(result)`` and other read-only DataFrame
    attributes come from (a copy of) ``result.table``."""

    def __getitem__(self, key):
        return self.table[key]

    def __len__(self) -> int:
        return len(object.__getattribute__(self, "table"))

    def __getattr__(self, name):
        # only reached when normal lookup fails: fall back on the table's API
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            table = object.__getattribute__(self, "table")
        except AttributeError:
            raise AttributeError(name) from None
        try:
            return getattr(table.copy(), name)
        except AttributeError:
            raise AttributeError(
                f"{type(self).__name__!r} object (and its table) has no attribute {name!r}"
            ) from None

    def to_frame(self) -> pd.DataFrame:
        """A copy of the importance table."""
        return self.table.copy()


def _table(names, imp, r2) -> pd.DataFrame:
    imp = np.asarray(imp, float)
    tab = pd.DataFrame(
        {
            "importance": imp,
            "share": imp / r2 if r2 > 0 else np.full(imp.shape, np.nan),
            "rank": pd.Series(-imp).rank(method="min").astype(int).to_numpy(),
        },
        index=pd.Index(names, name="driver"),
    )
    return tab


@resultclass
class ShapleyResult(_TableMixin):
    """Shapley / LMG decomposition of R² with dominance analysis.

    Attributes
    ----------
    table : DataFrame
        One row per predictor (or group): ``importance`` (R² units; general
        dominance = LMG = Shapley value), ``share`` (fraction of R²), ``rank``.
    r2 : float
        Full-model R² (equals ``table["importance"].sum()``).
    conditional_dominance : DataFrame
        Mean R² gain of each driver when added to subsets of size ``k`` of the
        others (columns ``k = 0 .. g-1``, Azen & Budescu 2003).
    complete_dominance : DataFrame
        ``[i, j]`` = 1 if ``i`` adds more than ``j`` to every subset of the
        other drivers, 0 if less, 0.5 if neither (undetermined).
    dominance : DataFrame
        One row per ordered pair (``dominant`` over ``dominated`` in general
        dominance) with booleans ``complete``, ``conditional``, ``general``.
    subset_r2 : ndarray
        R² of every subset of drivers, indexed by bitmask (bit ``j`` = driver ``j``).
    """

    table: pd.DataFrame
    r2: float
    n: int
    target: str
    conditional_dominance: pd.DataFrame
    complete_dominance: pd.DataFrame
    dominance: pd.DataFrame
    subset_r2: np.ndarray = field(repr=False)
    groups: Mapping[str, tuple[str, ...]] | None = None
    warnings: tuple[str, ...] = ()
    n_eff: float | None = None  # Kish's effective n with respondent weights

    def summary(self) -> Summary:
        model = {"n": self.n, "R²": self.r2, "drivers": len(self.table)}
        if self.n_eff is not None:
            model["effective n (Kish, weighted)"] = self.n_eff
        return Summary(
            f"Shapley (LMG) decomposition of R² for {self.target!r}",
            [
                ("Model", model),
                ("Importance (general dominance)", self.table),
                ("Conditional dominance (mean gain by subset size)", self.conditional_dominance),
                ("Dominance between pairs", self.dominance),
            ],
            self.warnings,
        )


@resultclass
class RelativeWeightsResult(_TableMixin):
    """Johnson's (2000) relative weights.

    Attributes
    ----------
    table : DataFrame
        One row per predictor: ``importance`` (raw weight, R² units), ``share``
        (rescaled weight, fraction of R²), ``rank``.
    r2 : float
        Full-model R² (equals ``table["importance"].sum()``).
    """

    table: pd.DataFrame
    r2: float
    n: int
    target: str
    warnings: tuple[str, ...] = ()
    n_eff: float | None = None  # Kish's effective n with respondent weights

    def summary(self) -> Summary:
        return Summary(
            f"Relative weights (Johnson 2000) for {self.target!r}",
            [("Model", {"n": self.n, "R²": self.r2}), ("Importance", self.table)],
            self.warnings,
        )


def _check_corr(corr) -> np.ndarray:
    c = np.asarray(corr, dtype=float)
    if c.ndim not in (2, 3) or c.shape[-1] != c.shape[-2] or c.shape[-1] < 2:
        raise ParameterError(
            f"corr has shape {c.shape}: expected a (p + 1, p + 1) correlation matrix (target "
            "last) or a stack (B, p + 1, p + 1), with p >= 1."
        )
    if not np.isfinite(c).all():
        raise ParameterError("corr holds non-finite values.")
    if np.abs(c - np.swapaxes(c, -1, -2)).max() > 1e-10:
        raise ParameterError("corr is not symmetric.")
    if np.abs(np.diagonal(c, axis1=-2, axis2=-1) - 1.0).max() > 1e-8:
        raise ParameterError("corr must be a correlation matrix: its diagonal is not all 1.")
    return c


def shapley_from_corr(
    corr: np.ndarray, units: Sequence[Sequence[int]] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values and all-subset R² from a correlation matrix.

    ``corr`` is ``(p + 1, p + 1)`` (target last) or a batch ``(B, p + 1, p + 1)``.
    Returns ``(shapley, r2)`` of shapes ``(B, g)`` and ``(B, 2^g)`` (no batch
    axis when ``corr`` is 2-D).

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]])
    >>> sv, r2 = shapley_from_corr(c)
    >>> bool(np.isclose(sv.sum(), r2[-1]))
    True
    """
    corr = _check_corr(corr)
    single = corr.ndim == 2
    c = corr[None] if single else corr
    p = c.shape[-1] - 1
    if single:  # a batch (bootstrap) marks a singular replicate with NaN instead
        check_pd(corr[:p, :p], [f"corr column {j}" for j in range(p)])
    units_l = None if units is None else [list(u) for u in units]
    g = p if units_l is None else len(units_l)
    # bound memory: at most ~2^22 subset values per chunk of the batch
    step = max(1, 2**22 // 2**g)
    r2 = np.empty((c.shape[0], 2**g))
    sv = np.empty((c.shape[0], g))
    for i in range(0, c.shape[0], step):
        part = c[i : i + step]
        r2[i : i + step] = subset_r2(part[:, :p, :p], part[:, :p, p], units_l)
        sv[i : i + step] = shapley_from_r2(r2[i : i + step], g)
    return (sv[0], r2[0]) if single else (sv, r2)


def _pairs(names, imp, cond, comp) -> pd.DataFrame:
    rows = []
    g = len(names)
    for i in range(g):
        for j in range(g):
            if i == j or not imp[i] > imp[j]:
                continue
            rows.append(
                {
                    "dominant": names[i],
                    "dominated": names[j],
                    "complete": bool(comp[i, j] == 1.0),
                    "conditional": bool(np.all(cond[i] > cond[j])),
                    "general": True,
                }
            )
    cols = ["dominant", "dominated", "complete", "conditional", "general"]
    return pd.DataFrame(rows, columns=cols)


@records_provenance
def shapley(
    data: pd.DataFrame,
    target: str,
    predictors: Sequence[str] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    *,
    missing: str = "listwise",
    weights=None,
) -> ShapleyResult:
    """Exact Shapley / LMG decomposition of R² with general, conditional and
    complete dominance (Budescu 1993; Azen & Budescu 2003; Grömping 2006).

    Every subset's R² is computed from the correlation matrix (no refitting),
    so 20 predictors (2^20 subsets) take well under a few seconds.

    Parameters
    ----------
    data : DataFrame
    target : str
        Outcome column.
    predictors : list of str, optional
        Predictor columns (optional when ``groups`` is given).
    groups : dict group -> list of columns, optional
        Enter each group's columns together, giving group-level importance
        (e.g. SERVQUAL dimensions from their items: 2^5 subsets rather than 2^22).
    missing : {"listwise", "available", "mean", "raise"}
        Default ``"listwise"``: rows incomplete on the model's variables are
        dropped and counted on the result; see ``servqual._options``.
    weights : column name or array, optional
        Respondent weights: every subset's R² comes from the weighted
        correlation matrix, i.e. it is the R² of a weighted least-squares fit.

    Returns
    -------
    ShapleyResult
        ``result["importance"]`` sums to the full-model R².

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    >>> df["y"] = df.a + 0.5 * df.b + rng.normal(size=200)
    >>> res = shapley(df, "y", ["a", "b", "c"])
    >>> bool(np.isclose(res["importance"].sum(), res.r2))
    True
    >>> res.table.index[res["rank"] == 1].tolist()
    ['a']
    """
    predictors, names, units = resolve_groups(predictors, groups)
    g = len(names)
    if g > _MAX_UNITS:
        raise ParameterError(
            f"{g} drivers would need 2^{g} subsets; at most {_MAX_UNITS} are supported "
            "(use `groups` to combine items into dimensions)."
        )
    frame, notes, w = prepare_weighted(data, target, predictors, weights=weights, missing=missing)
    corr = correlation_w(frame[[*predictors, target]].to_numpy(), w)
    check_pd(corr[:-1, :-1], predictors)
    sv, r2 = shapley_from_corr(corr, units)
    full = float(r2[-1])
    cond = conditional_dominance(r2, g)
    comp = complete_dominance(r2, g)
    tab = _table(names, sv, full)
    if units is not None:
        tab.insert(0, "n_items", [len(u) for u in units])
    grp = None if groups is None else {str(k): tuple(v) for k, v in groups.items()}
    return ShapleyResult(
        table=tab,
        r2=full,
        n=len(frame),
        target=target,
        conditional_dominance=pd.DataFrame(
            cond, index=pd.Index(names, name="driver"), columns=pd.Index(range(g), name="k")
        ),
        complete_dominance=pd.DataFrame(comp, index=pd.Index(names, name="driver"), columns=names),
        dominance=_pairs(names, sv, cond, comp),
        subset_r2=r2,
        groups=grp,
        warnings=tuple(notes),
        n_eff=None if w is None else kish_neff(w),
    )


def relative_weights_from_corr(corr: np.ndarray) -> np.ndarray:
    """Johnson's raw relative weights from a correlation matrix (target last).

    Accepts ``(p + 1, p + 1)`` or a batch ``(B, p + 1, p + 1)``; the weights sum
    to R².  With ``R_xx = V Λ V'``, ``Λ* = V Λ^{1/2} V'`` relates the predictors
    to their closest orthogonal counterparts, ``β = Λ*^{-1} r_xy`` regresses the
    target on those, and weight ``j`` is ``Σ_k Λ*_jk² β_k²``.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.3], [0.5, 0.3, 1.0]])
    >>> relative_weights_from_corr(c).round(4).tolist()  # uncorrelated: squared r
    [0.25, 0.09]
    """
    corr = _check_corr(corr)
    single = corr.ndim == 2
    c = corr[None] if single else corr
    p = c.shape[-1] - 1
    vals, vecs = np.linalg.eigh(c[:, :p, :p])
    if np.any(vals <= 0):
        bad = np.flatnonzero(np.any(vals <= 0, axis=1)).tolist()
        where = "" if single else f" (batch entries {bad[:10]})"
        raise DataError(
            f"the predictor block corr[:{p}, :{p}] is not positive definite{where}: smallest "
            f"eigenvalue {vals.min():.2e}; some predictors are perfectly collinear."
        )
    lam = np.einsum("bij,bj,bkj->bik", vecs, np.sqrt(vals), vecs)
    lam_inv = np.einsum("bij,bj,bkj->bik", vecs, 1 / np.sqrt(vals), vecs)
    beta = np.einsum("bij,bj->bi", lam_inv, c[:, :p, p])
    w = np.einsum("bjk,bk->bj", lam**2, beta**2)
    return w[0] if single else w


@records_provenance
def relative_weights(
    data: pd.DataFrame,
    target: str,
    predictors: Sequence[str],
    *,
    missing: str = "listwise",
    weights=None,
) -> RelativeWeightsResult:
    """Johnson's (2000) relative weights: R² split over correlated predictors.

    Parameters
    ----------
    data : DataFrame
    target : str
    predictors : list of str
    missing : {"listwise", "available", "mean", "raise"}
    weights : column name or array, optional
        Respondent weights (the weights come from the weighted correlation matrix).

    Returns
    -------
    RelativeWeightsResult
        ``result["importance"]`` (raw weights) sums to the full-model R².

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    >>> df["y"] = df.a + 0.5 * df.b + rng.normal(size=200)
    >>> res = relative_weights(df, "y", ["a", "b", "c"])
    >>> bool(np.isclose(res["importance"].sum(), res.r2))
    True
    """
    predictors, names, _ = resolve_groups(predictors, None)
    frame, notes, rw = prepare_weighted(data, target, predictors, weights=weights, missing=missing)
    corr = correlation_w(frame[[*predictors, target]].to_numpy(), rw)
    check_pd(corr[:-1, :-1], predictors)
    w = relative_weights_from_corr(corr)
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    r2 = float(rxy @ np.linalg.solve(rxx, rxy))
    return RelativeWeightsResult(
        table=_table(names, w, r2),
        r2=r2,
        n=len(frame),
        target=target,
        warnings=tuple(notes),
        n_eff=None if rw is None else kish_neff(rw),
    )
