"""The immutable result of :func:`servqual.pls.fit`."""

from __future__ import annotations

from dataclasses import field

import pandas as pd

from .._result import Result, resultclass
from .._summary import Summary
from .spec import PLSModel

__all__ = ["PLSResult"]


@resultclass
class PLSResult(Result):
    """Estimates of a PLS path model.

    Attributes
    ----------
    outer : DataFrame
        Tidy: ``construct``, ``item``, ``mode``, ``weight`` (standardised),
        ``loading``, ``weight_unstd`` (per raw item unit), ``vif`` (item VIF
        within its block); plus
        ``weight_se``/``weight_ci_lower``... after a bootstrap.
    cross_loadings : DataFrame
        Items x constructs correlations.
    construct_correlations : DataFrame
    paths : DataFrame
        ``source``, ``target``, ``estimate``, ``f2`` (by the ``f2=`` method of
        :func:`fit`, default re-estimation), ``f2_r2`` (R^2 shortcut),
        ``f2_reestimated``, ``vif`` (inner VIF of the source among the
        target's predictors); plus ``se``, ``ci_lower``,
        ``ci_upper``, ``bca_lower``, ``bca_upper`` after a bootstrap.
    effects : DataFrame
        ``source``, ``target``, ``direct``, ``indirect``, ``total`` for every
        pair joined by a directed path (plus CI columns after a bootstrap).
    r2, r2_adj : Series
        R^2 and adjusted R^2 indexed by endogenous construct (one type per
        statistic across the package: ``SEMResult.r2`` is a Series too; a
        single-equation result such as ``KeyDriversResult.r2`` is a float).
    info_criteria : DataFrame
        Per endogenous construct: ``aic``, ``bic`` (seminr's information
        criteria, Sharma et al. 2019).
    reliability : DataFrame
        Per construct: ``alpha`` (standardised Cronbach), ``rho_c``, ``rho_a``
        (Dijkstra-Henseler), ``ave``.  Single-item blocks get 1.
    htmt : DataFrame
        Square HTMT matrix (NaN on the diagonal and for single items).
    htmt_ci : DataFrame or None
        Bootstrap intervals of the HTMT pairs (discriminant validity).
    reliability_ci : DataFrame or None
        Bootstrap SEs and intervals (percentile and BCa) of ``alpha``,
        ``rho_c``, ``rho_a`` and ``ave`` per multi-item construct:
        ``construct``, ``statistic``, ``estimate``, ``se``, ``ci_lower``, ...
    fornell_larcker : DataFrame
        Construct correlations with sqrt(AVE) on the diagonal.
    fornell_larcker_test : DataFrame
        ``sqrt_ave``, ``max_abs_corr``, ``most_correlated``, ``passed``.
    gof : float
        Tenenhaus et al. (2005) GoF: sqrt(mean communality of reflective
        multi-item blocks x mean R^2).
    scores, scores_raw, scores_100 : DataFrame
        Construct scores: standardised; on the item scale (weighted average
        of the raw items with the unstandardised weights normalised to sum to
        1); and that rescaled to 0-100 with the item scale (min, max).
    iterations, converged
        Iterations used; ``converged=False`` is also a warning.
    extended : dict or None
        For models with interaction terms or higher-order constructs:
        ``interactions`` (name -> iv, moderator, method), ``hocs`` (name ->
        dimensions, method) and ``first_stage`` (the first-stage results).
    consistent : bool or tuple of str
        Whether loadings, correlations, paths and R^2 are PLSc-corrected
        (a tuple names the blocks treated as common factors).
    """

    model: PLSModel
    scheme: str
    scaled: bool
    consistent: bool | tuple
    n: int
    outer: pd.DataFrame
    cross_loadings: pd.DataFrame
    construct_correlations: pd.DataFrame
    paths: pd.DataFrame
    effects: pd.DataFrame
    r2: pd.Series
    r2_adj: pd.Series
    info_criteria: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    fornell_larcker_test: pd.DataFrame
    gof: float
    scores: pd.DataFrame
    scores_raw: pd.DataFrame
    scores_100: pd.DataFrame
    iterations: int
    converged: bool
    item_scale: tuple[float, float]
    data: pd.DataFrame = field(repr=False)
    bootstrap: object = field(default=None, repr=False)
    htmt_ci: pd.DataFrame | None = None
    reliability_ci: pd.DataFrame | None = None
    ci: float = 0.95
    extended: dict | None = field(default=None, repr=False)
    warnings: tuple[str, ...] = ()

    @property
    def constructs(self) -> tuple[str, ...]:
        return self.model.constructs

    @property
    def path_matrix(self) -> pd.DataFrame:
        """Square matrix of path coefficients (row = source, column = target)."""
        names = list(self.constructs)
        M = pd.DataFrame(0.0, index=pd.Index(names, name="source"), columns=names)
        for s, t, v in self.paths[["source", "target", "estimate"]].itertuples(index=False):
            M.loc[s, t] = v
        return M

    def index(self, construct: str) -> float:
        """ACSI-style 0-100 index of ``construct`` from unstandardised outer weights.

        ``sum w_i (mean_i - min) / ((max - min) sum w_i) * 100`` with ``w_i``
        the weights per raw item unit and (min, max) the item scale.

        Examples
        --------
        >>> import servqual
        >>> res = servqual.pls.fit(servqual.pls.ecsi_model(),
        ...                        servqual.load_dataset("mobi"), progress=False)
        >>> 0 < res.index("Satisfaction") < 100
        True
        """
        from .ipma import construct_index

        return construct_index(self, construct)

    def ipma(self, target: str, *, ax=None):
        """Deprecated: draws the map; use :meth:`ipma_table` and :func:`servqual.figures.plot_ipma`.

        Returns ``(table, ax)`` as before, with a ``FutureWarning``.
        """
        from .ipma import ipma

        return ipma(self, target, ax=ax)

    def ipma_table(self, target: str) -> pd.DataFrame:
        """Importance-performance map table for ``target`` (Ringle & Sarstedt 2016).

        Columns ``construct``, ``importance`` (unstandardised total effect on
        the target, 0-100 scores), ``importance_std`` and ``performance`` (mean
        0-100 score).  Draw it with :func:`servqual.figures.plot_ipma`.

        Examples
        --------
        >>> import servqual
        >>> res = servqual.pls.fit(servqual.pls.ecsi_model(),
        ...                        servqual.load_dataset("mobi"), progress=False)
        >>> res.ipma_table("Loyalty")["construct"].tolist()[:3]
        ['Image', 'Expectation', 'Quality']
        """
        from .ipma import ipma_table

        return ipma_table(self, target)

    def summary(self) -> Summary:
        """Fit information, paths, R^2, reliability, HTMT and warnings."""
        info = {
            "observations": self.n,
            "constructs": len(self.constructs),
            "items": len(self.model.items),
            "scheme": self.scheme,
            "scaled": self.scaled,
            "consistent (PLSc)": self.consistent,
            "iterations": self.iterations,
            "converged": self.converged,
            "GoF": self.gof,
        }
        if self.bootstrap is not None:
            info["bootstrap resamples"] = self.bootstrap.draws.n_boot
            info["failed resamples"] = self.bootstrap.draws.n_failed
        paths = self.paths.set_index(["source", "target"])
        rel = self.reliability[["alpha", "rho_c", "rho_a", "ave"]]
        sections = [
            ("Model", info),
            ("Paths", paths),
            ("R-squared", pd.DataFrame({"r2": self.r2, "r2_adj": self.r2_adj})),
            ("Reliability and convergent validity", rel),
            ("HTMT", self.htmt),
            ("Outer model", self.outer[["construct", "item", "weight", "loading"]]),
        ]
        return Summary("PLS path model", sections, self.warnings)

    def to_frame(self) -> pd.DataFrame:
        """The structural paths (tidy: one row per path)."""
        return self.paths

    def __repr__(self) -> str:
        return (
            f"PLSResult(constructs={len(self.constructs)}, n={self.n}, "
            f"iterations={self.iterations}, converged={self.converged})"
        )
