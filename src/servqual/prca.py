"""Penalty-reward contrast analysis and moments of truth (see :mod:`servqual.ipa`).

* :func:`penalty_reward` - penalty-reward contrast analysis (Brandt 1987;
  Mittal, Ross & Baldasare 1998; Matzler et al. 2004): overall satisfaction
  regressed on a low- and a high-performance dummy per attribute; the penalty
  is the drop for low performance, the reward the gain for high performance,
  both against the middle of the scale.  The impact-asymmetry index of Matzler
  et al. (2004) classifies attributes as basic, performance or excitement
  factors.
* :func:`moments_of_truth` - the same contrast over the touchpoints of a
  customer journey; a touchpoint whose penalty significantly outweighs its
  reward is flagged as a "moment of truth".
* :func:`simulate_asymmetric`, :func:`simulate_journey` - seeded data with
  known penalties and rewards.

References
----------
Mittal, V., Ross, W. T. & Baldasare, P. M. (1998). The asymmetric impact of
negative and positive attribute-level performance on overall satisfaction and
repurchase intentions. *Journal of Marketing* 62(1), 33-47.
Matzler, K., Bailom, F., Hinterhuber, H. H., Renzl, B. & Pichler, J. (2004).
The asymmetric relationship between attribute-level performance and overall
customer satisfaction: a reconsideration of the importance-performance
analysis. *Industrial Marketing Management* 33(4), 271-277.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import (
    Interval,
    Options,
    check_data,
    check_frame,
    check_params,
    check_rng,
    check_scale,
)
from ._moved import moved_names
from ._options import check_missing
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from ._warn import warn
from .errors import InsufficientDataError, MissingDataWarning, ParameterError

__all__ = [
    "TOUCHPOINTS",
    "PenaltyRewardResult",
    "MomentsOfTruthResult",
    "penalty_reward",
    "moments_of_truth",
    "simulate_asymmetric",
    "simulate_journey",
]

TOUCHPOINTS = ("first contact", "problem solving", "first use", "trust", "repurchase")
#: penalty-reward is one regression: "listwise" (= "available") on its own variables
_PRCA_MISSING = ("listwise", "available", "raise")
_CI = Interval(0, 1, closed="neither")


def _attribute_list(attributes, what: str = "attributes") -> list[str]:
    if isinstance(attributes, str):
        attributes = [attributes]
    attributes = list(attributes) if attributes is not None else []
    if not attributes:
        raise ParameterError(f"{what} is empty: expected at least one column name.")
    return attributes


def _frame(data, columns, missing, min_rows=3, allow_constant=False):
    """Validated float frame; listwise deletion reported (count + warning), never silent."""
    frame = check_frame(
        data,
        columns,
        missing="raise" if missing == "raise" else "allow",
        min_rows=min_rows,
        allow_constant=allow_constant,
    )
    complete = ~frame.isna().any(axis=1)
    warns = []
    n_dropped = int((~complete).sum())
    if n_dropped:
        warns.append(f"{n_dropped} row(s) with missing values dropped (listwise).")
        warn(warns[-1], MissingDataWarning)
    return frame[complete], n_dropped, warns


# --------------------------------------------------------------- penalty-reward
def _cuts(scale) -> tuple[float, float]:
    lo, hi = scale
    third = (hi - lo) / 3
    return lo + third, hi - third


@resultclass
class PenaltyRewardResult(Result):
    """Penalty-reward contrast analysis.

    Attributes
    ----------
    table : DataFrame
        One row per attribute: ``n_low``, ``n_high``, ``penalty`` (drop in the
        outcome for low performance vs the middle, sign flipped so that a
        harmful low performance is positive) and ``reward`` (gain for high
        performance), their standard errors and CIs, ``ris`` (range of impact
        abs(penalty) + abs(reward)), ``sgp`` = reward / ris and ``dgp`` = penalty /
        ris (satisfaction- and dissatisfaction-generating potential), ``ia`` =
        sgp - dgp (impact asymmetry, Matzler et al. 2004), ``factor`` (basic /
        performance / excitement), ``asymmetry`` = penalty - reward with its
        SE, two-sided ``p_asymmetry`` and ``asymmetry_significant`` (at ``alpha``).
    r2 : float
    low_cut, high_cut : float
        Ratings <= low_cut are "low", >= high_cut "high".
    """

    table: pd.DataFrame
    outcome: str
    r2: float
    n: int
    low_cut: float
    high_cut: float
    threshold: float
    cov_type: str
    ci: float
    n_dropped: int = 0
    warnings: tuple[str, ...] = field(default=())

    def summary(self) -> Summary:
        cols = [
            "attribute",
            "n_low",
            "n_high",
            "penalty",
            "penalty_ci_lower",
            "penalty_ci_upper",
            "reward",
            "reward_ci_lower",
            "reward_ci_upper",
            "ia",
            "factor",
            "p_asymmetry",
            "asymmetry_significant",
        ]
        info = {
            "outcome": self.outcome,
            "n": self.n,
            "R2": self.r2,
            "low if rating <=": self.low_cut,
            "high if rating >=": self.high_cut,
            "IA threshold": self.threshold,
            "SEs": self.cov_type,
            "rows dropped": self.n_dropped,
        }
        return Summary(
            "Penalty-reward contrast analysis",
            [("Model", info), ("Attributes", self.table[cols])],
            self.warnings,
        )


@records_provenance
def penalty_reward(
    data: pd.DataFrame,
    attributes: Sequence[str],
    outcome: str,
    *,
    scale=None,
    low: float | None = None,
    high: float | None = None,
    threshold: float = 0.2,
    ci: float = 0.95,
    cov_type: str = "HC3",
    missing: str = "listwise",
    min_group: int = 5,
    alpha: float = 0.05,
) -> PenaltyRewardResult:
    """Penalty-reward contrast analysis with the impact-asymmetry index.

    The outcome is regressed (OLS) on two dummies per attribute: low
    performance (rating <= ``low``) and high performance (rating >= ``high``);
    ratings in between are the reference.  Penalty = -coefficient of the low
    dummy, reward = coefficient of the high dummy (Mittal et al. 1998;
    Matzler et al. 2004).  With RIS = abs(penalty) + abs(reward), IA = (reward -
    penalty) / RIS; an attribute is an *excitement* factor when IA >
    ``threshold``, a *basic* factor when IA < -``threshold`` and a
    *performance* factor otherwise (0.2 is a convention, not an estimate).

    Parameters
    ----------
    data : DataFrame
    attributes : list of str
        Attribute performance ratings.
    outcome : str
        Overall satisfaction (or repurchase intention).
    scale : (low, high), optional
        Rating scale of the attributes; by default the observed min and max.
        Default cuts split it in thirds: ``low = min + (max-min)/3``,
        ``high = max - (max-min)/3`` (1-7: low 1-3, high 5-7; 1-5: 1-2 / 4-5).
    low, high : float, optional
        Explicit cuts.
    threshold : float
        IA cut-off for the classification.
    ci : float
        Confidence level of the coefficient intervals.
    cov_type : str
        statsmodels covariance type ("HC3" robust by default, "nonrobust").
    missing : {"listwise", "available", "raise"}
        Default ``"listwise"`` (``"available"`` is the same: one regression):
        rows incomplete on the attributes or the outcome are dropped, counted
        (``n_dropped``) and warned about; ``"raise"`` refuses them.
    min_group : int
        Fewest respondents allowed in a low or high group.
    alpha : float
        Level of the two-sided Wald test penalty = reward
        (``asymmetry_significant``).  IA is a ratio and is unstable when both
        effects are small, so read ``factor`` together with this test.

    Returns
    -------
    PenaltyRewardResult

    Examples
    --------
    >>> df, truth = simulate_asymmetric(600, {"a": 1.0}, {"a": 0.2}, seed=1)
    >>> r = penalty_reward(df, ["a"], "SAT", scale=(1, 7))
    >>> r.table.loc[0, "factor"]
    'basic'
    """
    import statsmodels.api as sm

    attributes = _attribute_list(attributes)
    check_params(
        {
            "threshold": threshold,
            "ci": ci,
            "min_group": min_group,
            "cov_type": cov_type,
            "outcome": outcome,
            "alpha": alpha,
        },
        {
            "threshold": Interval(0, 1, closed="left"),
            "ci": _CI,
            "alpha": Interval(0, 1, closed="neither"),
            "min_group": Interval(1, None, integer=True),
            "cov_type": Options(("HC0", "HC1", "HC2", "HC3", "nonrobust")),
            "outcome": str,
        },
    )
    if outcome in attributes:
        raise ParameterError(f"outcome={outcome!r} is also listed among the attributes.")
    if scale is not None:
        scale = check_scale(scale)
    missing = check_missing(missing, _PRCA_MISSING)
    frame, n_dropped, warns = _frame(
        data, attributes + [outcome], missing, min_rows=2 * len(attributes) + 2
    )
    if scale is not None:
        check_frame(frame, attributes, scale=scale, allow_constant=True)
    x = frame[attributes].to_numpy()
    if scale is None:
        scale = (float(x.min()), float(x.max()))
    lc, hc = _cuts(scale)
    lc = lc if low is None else float(low)
    hc = hc if high is None else float(high)
    if not lc < hc:
        raise ParameterError(f"low={lc:g}, high={hc:g} is invalid: expected low < high.")
    lows, highs = x <= lc, x >= hc
    for j, a in enumerate(attributes):
        for label, g in (("low", lows[:, j]), ("high", highs[:, j])):
            if g.sum() < min_group:
                raise InsufficientDataError(
                    f"attribute {a!r}: only {int(g.sum())} respondent(s) in the {label} "
                    f"group (rating {'<=' if label == 'low' else '>='} "
                    f"{lc if label == 'low' else hc:g}); at least {min_group} needed."
                )
        if (~lows[:, j] & ~highs[:, j]).sum() < min_group:
            raise InsufficientDataError(
                f"attribute {a!r}: fewer than {min_group} respondents in the middle "
                f"(reference) group between {lc:g} and {hc:g}."
            )
    X = np.column_stack([np.ones(x.shape[0]), lows, highs]).astype(float)
    k = len(attributes)
    res = sm.OLS(frame[outcome].to_numpy(), X).fit(cov_type=cov_type)
    b, V = np.asarray(res.params), np.asarray(res.cov_params())
    z = stats.norm.ppf(0.5 + ci / 2)
    rows = []
    for j, a in enumerate(attributes):
        il, ih = 1 + j, 1 + k + j
        pen, rew = -b[il], b[ih]
        se_p, se_r = np.sqrt(V[il, il]), np.sqrt(V[ih, ih])
        ris = abs(pen) + abs(rew)
        sgp, dgp = (rew / ris, pen / ris) if ris > 0 else (np.nan, np.nan)
        ia = sgp - dgp
        factor = "excitement" if ia > threshold else "basic" if ia < -threshold else "performance"
        # penalty - reward = -b_low - b_high; var = V_ll + V_hh + 2 V_lh
        asym = pen - rew
        se_a = np.sqrt(max(V[il, il] + V[ih, ih] + 2 * V[il, ih], 0.0))
        rows.append(
            {
                "attribute": a,
                "n_low": int(lows[:, j].sum()),
                "n_high": int(highs[:, j].sum()),
                "penalty": pen,
                "penalty_se": se_p,
                "penalty_ci_lower": pen - z * se_p,
                "penalty_ci_upper": pen + z * se_p,
                "reward": rew,
                "reward_se": se_r,
                "reward_ci_lower": rew - z * se_r,
                "reward_ci_upper": rew + z * se_r,
                "ris": ris,
                "sgp": sgp,
                "dgp": dgp,
                "ia": ia,
                "factor": factor,
                "asymmetry": asym,
                "asymmetry_se": se_a,
                "p_asymmetry": float(2 * stats.norm.sf(abs(asym) / se_a)) if se_a > 0 else np.nan,
            }
        )
        rows[-1]["asymmetry_significant"] = bool(rows[-1]["p_asymmetry"] < alpha)
        if pen < 0 or rew < 0:
            warns.append(
                f"attribute {a!r}: unexpected sign (penalty {pen:.3f}, reward {rew:.3f}); "
                "low performance should lower and high performance raise the outcome."
            )
            warn(warns[-1], UserWarning)
    return PenaltyRewardResult(
        pd.DataFrame(rows),
        outcome,
        float(res.rsquared),
        int(frame.shape[0]),
        lc,
        hc,
        threshold,
        cov_type,
        ci,
        n_dropped,
        tuple(warns),
    )


# ------------------------------------------------------------- moments of truth
@resultclass
class MomentsOfTruthResult(Result):
    """Penalty-reward contrasts along a customer journey.

    ``table`` has one row per touchpoint in journey order: ``touchpoint``,
    ``column``, ``penalty``, ``reward`` (with CIs), ``asymmetry`` = penalty -
    reward, ``p_one_sided`` (H1: penalty > reward) and ``moment_of_truth``
    (penalty > reward with ``p_one_sided < alpha``).  ``contrast`` is the full
    :class:`PenaltyRewardResult`.
    """

    table: pd.DataFrame
    contrast: PenaltyRewardResult
    alpha: float
    warnings: tuple[str, ...] = field(default=())

    def summary(self) -> Summary:
        cols = ["touchpoint", "penalty", "reward", "asymmetry", "p_one_sided", "moment_of_truth"]
        return Summary(
            "Moments of truth (penalty-reward contrasts over the journey)",
            [
                (
                    "Settings",
                    {
                        "outcome": self.contrast.outcome,
                        "n": self.contrast.n,
                        "alpha (one-sided)": self.alpha,
                    },
                ),
                ("Touchpoints", self.table[cols]),
            ],
            self.warnings,
        )


@records_provenance
def moments_of_truth(
    data: pd.DataFrame,
    touchpoints: Mapping[str, str] | Sequence[str],
    outcome: str,
    *,
    alpha: float = 0.05,
    **options,
) -> MomentsOfTruthResult:
    """Flag journey touchpoints whose penalty significantly outweighs their reward.

    Parameters
    ----------
    data : DataFrame
    touchpoints : mapping touchpoint label -> rating column, or list of columns
        In journey order (e.g. first contact, problem solving, first use,
        trust, repurchase; see :data:`TOUCHPOINTS`).
    outcome : str
        Overall satisfaction or loyalty column.
    alpha : float
        One-sided level of the test penalty > reward.
    **options
        Passed to :func:`penalty_reward` (``scale``, ``low``, ``high``, ``ci``,
        ``cov_type``, ``missing``, ...).

    Examples
    --------
    >>> df, truth = simulate_journey(800, seed=3)
    >>> r = moments_of_truth(df, dict(zip(truth["touchpoint"], truth["column"])), "SAT",
    ...                      scale=(1, 7))
    >>> r.table["moment_of_truth"].tolist() == truth["moment_of_truth"].tolist()
    True
    """
    check_data(data)
    check_params({"alpha": alpha}, {"alpha": Interval(0, 1, closed="neither")})
    if isinstance(touchpoints, Mapping):
        labels, columns = [str(k) for k in touchpoints], list(touchpoints.values())
    else:
        columns = _attribute_list(touchpoints, "touchpoints")
        labels = [str(c) for c in columns]
    if not columns:
        raise ParameterError("touchpoints is empty: expected at least one touchpoint column.")
    pr = penalty_reward(data, columns, outcome, **options)
    t = pr.table
    p1 = np.where(
        t["asymmetry_se"] > 0,
        stats.norm.sf(t["asymmetry"] / t["asymmetry_se"].where(t["asymmetry_se"] > 0)),
        np.nan,
    )
    table = pd.DataFrame(
        {
            "touchpoint": labels,
            "column": columns,
            "penalty": t["penalty"],
            "penalty_ci_lower": t["penalty_ci_lower"],
            "penalty_ci_upper": t["penalty_ci_upper"],
            "reward": t["reward"],
            "reward_ci_lower": t["reward_ci_lower"],
            "reward_ci_upper": t["reward_ci_upper"],
            "asymmetry": t["asymmetry"],
            "asymmetry_se": t["asymmetry_se"],
            "p_one_sided": p1,
            "moment_of_truth": (t["asymmetry"] > 0).to_numpy() & (p1 < alpha),
            "factor": t["factor"],
        }
    )
    return MomentsOfTruthResult(table, pr, alpha, pr.warnings)


# ------------------------------------------------------------------ simulators
def simulate_asymmetric(
    n: int,
    penalty: Mapping[str, float],
    reward: Mapping[str, float],
    *,
    scale=(1, 7),
    sigma: float = 1.0,
    correlation: float = 0.3,
    intercept: float = 5.0,
    seed=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ratings with known penalty/reward effects on a continuous outcome ``SAT``.

    Attribute ratings are equicorrelated latent normals (``correlation``) cut
    into equally likely whole-number categories of ``scale``.  With the default
    cuts of :func:`penalty_reward` (thirds of the scale),
    ``SAT = intercept - sum penalty_j low_j + sum reward_j high_j + sigma e``.

    Returns ``(data, truth)``; ``truth`` has ``attribute``, ``penalty``,
    ``reward``, ``ia`` and ``factor`` (threshold 0.2).

    Examples
    --------
    >>> df, truth = simulate_asymmetric(100, {"a": 1.0}, {"a": 0.5}, seed=0)
    >>> sorted(df.columns), truth.loc[0, "factor"]
    (['SAT', 'a'], 'basic')
    """
    check_params(
        {"n": n, "sigma": sigma, "correlation": correlation, "intercept": intercept},
        {
            "n": Interval(1, None, integer=True),
            "sigma": Interval(0, None),
            "correlation": Interval(0, 1, closed="left"),
            "intercept": Interval(),
        },
    )
    if not isinstance(penalty, Mapping) or not isinstance(reward, Mapping) or not penalty:
        raise ParameterError("penalty and reward must be non-empty mappings attribute -> effect.")
    if set(penalty) != set(reward):
        raise ParameterError(
            f"penalty and reward must name the same attributes: {sorted(penalty)} vs "
            f"{sorted(reward)}."
        )
    for name, m in (("penalty", penalty), ("reward", reward)):
        for a, v in m.items():
            check_params({f"{name}[{a!r}]": v}, {f"{name}[{a!r}]": Interval()})
    lo, hi = check_scale(scale)
    if lo != int(lo) or hi != int(hi) or hi - lo < 2:
        raise ParameterError(f"scale={scale!r} is invalid: expected whole numbers, >= 3 points.")
    rng = check_rng(seed)
    attrs = list(penalty)
    k = len(attrs)
    common = rng.standard_normal((n, 1))
    latent = np.sqrt(correlation) * common + np.sqrt(1 - correlation) * rng.standard_normal((n, k))
    points = int(hi - lo + 1)
    codes = lo + np.minimum((stats.norm.cdf(latent) * points).astype(int), points - 1)
    lc, hc = _cuts((lo, hi))
    y = intercept + sigma * rng.standard_normal(n)
    for j, a in enumerate(attrs):
        y += -penalty[a] * (codes[:, j] <= lc) + reward[a] * (codes[:, j] >= hc)
    df = pd.DataFrame(codes.astype(np.int64), columns=attrs)
    df["SAT"] = y
    rows = []
    for a in attrs:
        ris = abs(penalty[a]) + abs(reward[a])
        ia = (reward[a] - penalty[a]) / ris if ris else np.nan
        rows.append(
            {
                "attribute": a,
                "penalty": penalty[a],
                "reward": reward[a],
                "ia": ia,
                "factor": "excitement" if ia > 0.2 else "basic" if ia < -0.2 else "performance",
            }
        )
    return df, pd.DataFrame(rows)


_JOURNEY_DEFAULT = {
    # touchpoint: (penalty, reward); the first two are moments of truth
    "first contact": (0.8, 0.2),
    "problem solving": (1.0, 0.3),
    "first use": (0.4, 0.4),
    "trust": (0.3, 0.7),
    "repurchase": (0.2, 0.5),
}


def simulate_journey(
    n: int,
    *,
    effects: Mapping[str, tuple[float, float]] | None = None,
    sigma: float = 1.0,
    correlation: float = 0.3,
    seed=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Touchpoint ratings (1-7) and satisfaction with known moments of truth.

    ``effects`` maps touchpoint -> (penalty, reward); by default first contact
    (0.8, 0.2) and problem solving (1.0, 0.3) are moments of truth, first use
    (0.4, 0.4) is symmetric, trust (0.3, 0.7) and repurchase (0.2, 0.5) reward
    more than they punish.  Columns are the touchpoints with spaces replaced by
    underscores, plus ``SAT``; ``truth`` has ``touchpoint``, ``column``,
    ``penalty``, ``reward`` and ``moment_of_truth`` (penalty > reward).

    Examples
    --------
    >>> df, truth = simulate_journey(50, seed=0)
    >>> truth["moment_of_truth"].tolist()
    [True, True, False, False, False]
    """
    effects = dict(_JOURNEY_DEFAULT if effects is None else effects)
    if not effects:
        raise ParameterError("effects is empty: expected touchpoint -> (penalty, reward).")
    for tp, pr in effects.items():
        if isinstance(pr, str) or not isinstance(pr, Sequence) or len(pr) != 2:
            raise ParameterError(
                f"effects[{tp!r}]={pr!r} is invalid: expected a pair (penalty, reward)."
            )
    cols = {tp: str(tp).replace(" ", "_") for tp in effects}
    df, _ = simulate_asymmetric(
        n,
        {cols[t]: float(v[0]) for t, v in effects.items()},
        {cols[t]: float(v[1]) for t, v in effects.items()},
        scale=(1, 7),
        sigma=sigma,
        correlation=correlation,
        seed=seed,
    )
    truth = pd.DataFrame(
        {
            "touchpoint": list(effects),
            "column": [cols[t] for t in effects],
            "penalty": [float(v[0]) for v in effects.values()],
            "reward": [float(v[1]) for v in effects.values()],
        }
    )
    truth["moment_of_truth"] = truth["penalty"] > truth["reward"]
    return df, truth


# the plot moved to servqual.figures (the old name works for one release, with a FutureWarning)
__getattr__ = moved_names(__name__, {"journey_plot": "servqual.figures.cx:plot_journey"})
