"""Customer-level mixed model: satisfaction ~ customer P - E + unit gaps 1-4 + (1 | unit)."""

from __future__ import annotations

import warnings
from dataclasses import field

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.tools.sm_exceptions import ConvergenceWarning as SMConvergenceWarning

from .._checks import Interval, Options, check_collinear, check_params
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from .._warn import warn
from ..errors import (
    ConvergenceWarning,
    InputTypeError,
    InsufficientDataError,
    MissingColumnError,
    MissingValuesError,
)
from ._columns import GAPS
from ._scores import UnitScores

__all__ = ["MultilevelResult", "multilevel"]


@resultclass
class MultilevelResult(Result):
    """Result of :func:`multilevel`.

    Attributes
    ----------
    fixed : DataFrame
        ``term``, ``estimate``, ``se``, ``z``, ``p_value``, ``ci_low``, ``ci_high``.
    variance : DataFrame
        ``model`` (``"null"``: intercept only; ``"full"``), ``unit_var``
        (random-intercept variance), ``residual_var``, ``unit_share``
        (= unit_var / (unit_var + residual_var)), ``converged``, ``llf``.
    unit_variance_explained : float
        ``1 - unit_var(full) / unit_var(null)``: share of between-unit variance
        in the outcome accounted for by the predictors.
    n_customers, n_units : int
    outcome : str
    formula : str
    method : str
        ``"REML"`` or ``"ML"``.
    warnings : tuple of str
    """

    fixed: pd.DataFrame
    variance: pd.DataFrame
    unit_variance_explained: float
    n_customers: int
    n_units: int
    outcome: str
    formula: str
    method: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def unit_share(self) -> float:
        """Unit-level share of outcome variance in the null (intercept-only) model.

        Examples
        --------
        >>> from servqual.gaps import simulate_units, unit_scores, multilevel
        >>> res = multilevel(unit_scores(*simulate_units(30, 12, 3, seed=5)[:3]))
        >>> 0 < res.unit_share < 1
        True
        """
        return float(self.variance.set_index("model").loc["null", "unit_share"])

    def to_frame(self) -> pd.DataFrame:
        """The fixed-effects table (tidy: one row per term)."""
        return self.fixed

    def summary(self) -> Summary:
        """Model information, fixed effects with CIs and the variance decomposition."""
        info = {
            "formula": self.formula + " + (1 | unit)",
            "method": self.method,
            "customers": self.n_customers,
            "units": self.n_units,
            "unit share of variance (null model)": self.unit_share,
            "unit variance explained by predictors": self.unit_variance_explained,
        }
        return Summary(
            "Multilevel gap model (statsmodels MixedLM)",
            [
                ("Model", info),
                ("Fixed effects", self.fixed.set_index("term")),
                ("Variance components", self.variance.set_index("model")),
            ],  # fmt: skip
            self.warnings,
        )


def _try(model, reml, method):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = model.fit(reml=reml) if method is None else model.fit(reml=reml, method=method)
        except (np.linalg.LinAlgError, ValueError) as exc:
            return None, [f"{method or 'default'} optimiser failed: {exc}"]
    msgs = [str(w.message) for w in caught if issubclass(w.category, SMConvergenceWarning)]
    ok = bool(res.converged) and not msgs and np.isfinite(res.llf)
    return res, ([] if ok else msgs or ["not converged"])


def _fit(formula, data, reml):
    """statsmodels' default (gradient) fit; if it fails, derivative-free refits.

    Gradient optimisers of MixedLM fail fairly often on intercept-only models;
    Powell and Nelder-Mead then reach the optimum.  The converged fit with the
    highest likelihood is kept; messages are returned only if none converged.
    """
    model = smf.mixedlm(formula, data, groups=data["unit_id"])
    res, msgs = _try(model, reml, None)
    if not msgs:
        return res, []
    fits = [(res, msgs)] if res is not None else []
    for method in ("powell", "nm"):
        r, m = _try(model, reml, method)
        if r is not None:
            fits.append((r, m))
    good = [r for r, m in fits if not m]
    if good:
        return max(good, key=lambda r: r.llf), []
    best = max((f for f in fits if np.isfinite(f[0].llf)), key=lambda f: f[0].llf)
    return best[0], msgs + best[1]


@records_provenance
def multilevel(
    scores: UnitScores,
    *,
    outcome: str = "SAT",
    gaps: tuple[str, ...] = GAPS,
    dimension: str = "overall",
    reml: bool = True,
    ci: float = 0.95,
) -> MultilevelResult:
    """Random-intercept model of customer satisfaction on P - E and unit gaps 1-4.

    ``outcome_ci = b0 + b_pe * PE_ci + sum_k b_k * gap_k,u + u_u + e_ci`` with
    ``PE_ci`` the customer's mean P - E (over the dimension's items) and
    ``gap_k,u`` the unit's gap ``k`` from :func:`unit_scores`; fitted with
    statsmodels ``MixedLM`` (Wald CIs).  The unit-level variance share is
    reported for the intercept-only model and the full model.

    Parameters
    ----------
    scores : UnitScores
        From :func:`unit_scores` (its ``customers`` frame holds the outcome).
    outcome : {"SAT", "LOY"}
        Customer-level outcome (mean of its items).
    gaps : tuple of str
        Unit gaps entered as predictors (subset of ``gap1``..``gap4``).
    dimension : str
        ``"overall"`` or a RATER dimension.
    reml : bool
        REML (default) or ML estimation.
    ci : float

    Returns
    -------
    MultilevelResult

    Examples
    --------
    >>> from servqual.gaps import simulate_units, unit_scores, multilevel
    >>> res = multilevel(unit_scores(*simulate_units(30, 12, 3, seed=5)[:3]))
    >>> res.fixed["term"].tolist()
    ['Intercept', 'PE', 'gap1', 'gap2', 'gap3', 'gap4']
    """
    if not isinstance(scores, UnitScores):
        raise InputTypeError(
            f"scores must be the UnitScores result of unit_scores(), got {type(scores).__name__}."
        )
    gaps = tuple(gaps)
    check_params(
        {"dimension": dimension, "ci": ci, "reml": reml, "outcome": outcome},
        {
            "dimension": Options((*scores.dimensions, "overall")),
            "ci": Interval(0, 1, closed="neither"),
            "reml": bool,
            "outcome": Options(("SAT", "LOY")),
        },
    )
    bad = [g for g in gaps if g not in GAPS]
    if bad:
        from ..errors import ParameterError

        raise ParameterError(f"gaps={gaps!r} is invalid: expected a subset of {GAPS}.")
    if outcome not in scores.customers:
        raise MissingColumnError(
            f"outcome {outcome!r} was not computed: the customer frame has no "
            f"{'SAT1..SAT3' if outcome == 'SAT' else 'LOY1, LOY2'} columns."
        )
    cust = scores.customers
    data = pd.DataFrame(
        {"unit_id": cust[scores.unit].to_numpy(), "y": cust[outcome], "PE": cust[f"PE_{dimension}"]}
    )
    unit_gaps = scores.table.set_index(scores.unit)[[f"{g}_{dimension}" for g in gaps]]
    unit_gaps.index.name = "unit_id"  # the model frame's own name for it
    unit_gaps.columns = list(gaps)
    need = len(gaps) + 3  # intercept, unit-level gaps and the unit variance need more units
    if len(unit_gaps) < need:
        raise InsufficientDataError(
            f"the multilevel model with unit gaps {list(gaps)} needs at least {need} units; "
            f"the data have {len(unit_gaps)} (enter fewer gaps or add units)."
        )
    if len(gaps) > 1:
        check_collinear(unit_gaps.dropna(), list(gaps))  # unit gaps that coincide, by name
    data = data.join(unit_gaps, on="unit_id")
    na = data.isna().any(axis=1).to_numpy()
    if na.any():
        rows = cust.index[na].tolist()
        raise MissingValuesError(
            f"{int(na.sum())} customer(s) lack the outcome, P - E or unit gap scores (rows "
            f"{rows[:10]}); impute or remove them explicitly before the multilevel model."
        )
    rhs = " + ".join(["PE", *gaps])
    formula = f"y ~ {rhs}"
    notes = []
    null, m0 = _fit("y ~ 1", data, reml)
    full, m1 = _fit(formula, data, reml)
    for name, res, msgs in (("null", null, m0), ("full", full, m1)):
        if msgs or not res.converged:
            notes.append(f"MixedLM ({name} model) did not converge cleanly: {'; '.join(msgs)}")
        if float(res.cov_re.iloc[0, 0]) < 1e-8:
            notes.append(
                f"the unit random-intercept variance of the {name} model is on the boundary "
                "(0): units do not differ beyond the predictors."
            )
    for n in notes:
        warn(n, ConvergenceWarning)
    terms = ["Intercept", "PE", *gaps]
    conf = full.conf_int(1 - ci).loc[terms]
    fixed = pd.DataFrame(
        {
            "term": terms,
            "estimate": full.fe_params.loc[terms].to_numpy(),
            "se": full.bse_fe.loc[terms].to_numpy(),
            "z": full.tvalues.loc[terms].to_numpy(),
            "p_value": full.pvalues.loc[terms].to_numpy(),
            "ci_low": conf.iloc[:, 0].to_numpy(),
            "ci_high": conf.iloc[:, 1].to_numpy(),
        }
    )
    rows = []
    for name, res in (("null", null), ("full", full)):
        tau = float(res.cov_re.iloc[0, 0])
        rows.append(
            {
                "model": name,
                "unit_var": tau,
                "residual_var": float(res.scale),
                "unit_share": tau / (tau + float(res.scale)),
                "converged": bool(res.converged),
                "llf": float(res.llf),
            }
        )
    variance = pd.DataFrame(rows)
    tau0, tau1 = variance["unit_var"].to_numpy()
    return MultilevelResult(
        fixed=fixed,
        variance=variance,
        unit_variance_explained=float(1 - tau1 / tau0) if tau0 > 0 else np.nan,
        n_customers=len(data),
        n_units=int(data["unit_id"].nunique()),
        outcome=outcome,
        formula=formula.replace("y ~", f"{outcome} ~"),
        method="REML" if reml else "ML",
        warnings=tuple(notes),
    )
