"""Unit-level regressions of the gap model: gaps 1-4 -> gap 5, antecedents -> gaps 1-4."""

from __future__ import annotations

from dataclasses import field

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .._checks import Interval, Options, check_collinear, check_params
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from .._warn import warn
from ..drivers import shapley_from_corr
from ..errors import InputTypeError, InsufficientDataError, MissingValuesError
from ._columns import ANTECEDENTS, GAPS
from ._scores import UnitScores

__all__ = ["GapExplanation", "explain_gap5"]


@resultclass
class GapExplanation(Result):
    """Result of :func:`explain_gap5`.

    Attributes
    ----------
    coefficients : DataFrame
        ``model`` (``"gap5"``, ``"gap1"`` to ``"gap4"``), ``term``, ``estimate``,
        ``se`` (robust), ``statistic``, ``p_value``, ``ci_low``, ``ci_high``.
    importance : DataFrame
        ``model``, ``term``, ``shapley`` (R^2 share) and ``share`` of the
        model's R^2.
    fit : DataFrame
        ``model``, ``n_units``, ``r2``, ``adj_r2``, ``cov_type``.
    dimension : str
    warnings : tuple of str
    ci : float
        Level of the ``ci_low``/``ci_high`` intervals.
    """

    coefficients: pd.DataFrame
    importance: pd.DataFrame
    fit: pd.DataFrame
    dimension: str
    cov_type: str
    warnings: tuple[str, ...] = field(default=())
    ci: float = 0.95

    def coef(self, model: str = "gap5") -> pd.Series:
        """Estimates of one model (``"gap5"`` or ``"gap1"``..``"gap4"``) indexed by term.

        Examples
        --------
        >>> from servqual.gaps import simulate_units, unit_scores, explain_gap5
        >>> sc = unit_scores(*simulate_units(30, 25, 8, seed=7, managers_per_unit=8)[:3])
        >>> explain_gap5(sc, antecedents=False).coef().index.tolist()
        ['Intercept', 'gap1', 'gap2', 'gap3', 'gap4']
        """
        return self.coefficients[self.coefficients.model == model].set_index("term")["estimate"]

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table (tidy: one row per outcome and term)."""
        return self.coefficients

    def summary(self) -> Summary:
        """Fit, robust coefficients and Shapley importance of each regression."""
        coefs = self.coefficients.set_index(["model", "term"])
        imp = self.importance.set_index(["model", "term"])
        return Summary(
            f"Gap model regressions ({self.dimension}; {self.cov_type} robust SEs)",
            [
                ("Fit", self.fit.set_index("model")),
                ("Coefficients", coefs),
                ("Shapley R^2 importance", imp),
            ],  # fmt: skip
            self.warnings,
        )


def _ols(df: pd.DataFrame, y: str, xs: list[str], model: str, cov_type: str, ci: float):
    X = sm.add_constant(df[xs].to_numpy(float), has_constant="add")
    if len(df) < len(xs) + 3:
        raise InsufficientDataError(
            f"model {model!r} has {len(xs)} predictors but only {len(df)} units; at least "
            f"{len(xs) + 3} are needed."
        )
    check_collinear(df, xs)  # e.g. two antecedent scales with identical unit means, by name
    res = sm.OLS(df[y].to_numpy(float), X).fit(cov_type=cov_type)
    lo, hi = res.conf_int(1 - ci).T
    terms = ["Intercept", *xs]
    coefs = pd.DataFrame(
        {
            "model": model,
            "term": terms,
            "estimate": res.params,
            "se": res.bse,
            "statistic": res.tvalues,
            "p_value": res.pvalues,
            "ci_low": lo,
            "ci_high": hi,
        }
    )
    corr = np.corrcoef(df[[*xs, y]].to_numpy(float), rowvar=False)
    sh, _ = shapley_from_corr(corr)  # the exact LMG of servqual.drivers
    imp = pd.DataFrame({"model": model, "term": xs, "shapley": sh, "share": sh / res.rsquared})
    fit = {
        "model": model,
        "n_units": int(res.nobs),
        "r2": res.rsquared,
        "adj_r2": res.rsquared_adj,
        "cov_type": cov_type,
    }
    return coefs, imp, fit


@records_provenance
def explain_gap5(
    scores: UnitScores,
    *,
    dimension: str = "overall",
    antecedents: bool = True,
    cov_type: str = "HC3",
    ci: float = 0.95,
) -> GapExplanation:
    """Regress unit gap 5 on gaps 1-4, and each of gaps 1-4 on its antecedents.

    OLS over units (statsmodels) with heteroskedasticity-robust SEs; Shapley
    (LMG) importance of each predictor's share of R^2 (exact, all subsets).
    The antecedent models follow Zeithaml, Berry & Parasuraman (1988):
    gap 1 ~ MRO + UPC; gap 2 ~ COM + GOAL + TSTD + FEAS; gap 3 ~ TW + EJF +
    TJF + PC + SC + RC + RA; gap 4 ~ HC + OP (scales present in the data).

    Unit gaps are means over a few respondents.  Their sampling error
    attenuates the coefficients and, because adjacent gaps share a survey
    term (E in gaps 1 and 5, ME in gaps 1 and 2, SS in gaps 2 and 3, DP in
    gaps 3 and 4), also biases them in either direction.  Check ICC(2) of
    the unit means (``scores.agreement``); measures below .70 are flagged in
    ``warnings``.

    Parameters
    ----------
    scores : UnitScores
        From :func:`unit_scores`.
    dimension : str
        ``"overall"`` or a RATER dimension (gaps of that dimension).
    antecedents : bool
        Also fit the antecedent models.
    cov_type : {"HC0", "HC1", "HC2", "HC3", "nonrobust"}
    ci : float
        Confidence level.

    Returns
    -------
    GapExplanation

    Examples
    --------
    >>> from servqual.gaps import simulate_units, unit_scores, explain_gap5
    >>> data = simulate_units(40, 25, 8, seed=4, managers_per_unit=8)[:3]
    >>> res = explain_gap5(unit_scores(*data))
    >>> res.coef("gap5").index.tolist()
    ['Intercept', 'gap1', 'gap2', 'gap3', 'gap4']
    """
    if not isinstance(scores, UnitScores):
        raise InputTypeError(
            f"scores must be the UnitScores result of unit_scores(), got {type(scores).__name__}."
        )
    check_params(
        {"dimension": dimension, "cov_type": cov_type, "ci": ci, "antecedents": antecedents},
        {
            "dimension": Options((*scores.dimensions, "overall")),
            "cov_type": Options(("HC0", "HC1", "HC2", "HC3", "nonrobust")),
            "ci": Interval(0, 1, closed="neither"),
            "antecedents": bool,
        },
    )
    t = scores.table.copy()
    gap = {f"gap{k}": t[f"gap{k}_{dimension}"] for k in range(1, 6)}
    df = pd.DataFrame(gap).assign(**{s: t[s] for s in scores.antecedents})
    df.index = t[scores.unit].to_numpy()
    na = df.isna().any(axis=1)
    if na.any():
        raise MissingValuesError(
            f"unit score(s) missing for unit(s) {df.index[na].tolist()[:10]}; they cannot enter "
            "the unit regressions (fix or remove them explicitly)."
        )
    parts = [_ols(df, "gap5", list(GAPS), "gap5", cov_type, ci)]
    notes = []
    agree = scores.agreement.set_index("measure")
    low = agree.loc[[m for m in ("E", "P-E", "ME", "SS", "CP", "DP") if m in agree.index], "icc2"]
    low = low[low < 0.70]
    if len(low):
        detail = ", ".join(f"{m} {v:.2f}" for m, v in low.items())
        notes.append(
            f"ICC(2) below .70 for {detail}: these unit means are unreliable, which biases the "
            "gap coefficients (more respondents per unit are needed)."
        )
    if antecedents:
        for g in GAPS:
            xs = [s for s in ANTECEDENTS[g] if s in scores.antecedents]
            if not xs:
                notes.append(f"no antecedent scales of {g} in the data; its model is skipped.")
                continue
            parts.append(_ols(df, g, xs, g, cov_type, ci))
    for n in notes:
        warn(n, UserWarning)
    return GapExplanation(
        coefficients=pd.concat([p[0] for p in parts], ignore_index=True),
        importance=pd.concat([p[1] for p in parts], ignore_index=True),
        fit=pd.DataFrame([p[2] for p in parts]),
        dimension=dimension,
        cov_type=cov_type,
        warnings=tuple(notes),
        ci=ci,
    )
