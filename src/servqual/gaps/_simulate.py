"""Simulated linked surveys of service units with a known gap-model truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from .._checks import Interval, check_memory, check_params, check_rng
from ._columns import ANTECEDENTS, GAPS, MANAGER_SCALES, RATER, STAFF_SCALES, scale_items

__all__ = ["UnitTruth", "simulate_units"]


def _default_antecedent_effects() -> dict[str, dict[str, float]]:
    return {
        "gap1": {"MRO": 0.20, "UPC": 0.15},
        "gap2": {"COM": 0.20, "GOAL": 0.12, "TSTD": 0.10, "FEAS": 0.12},
        "gap3": {
            "TW": 0.12,
            "EJF": 0.10,
            "TJF": 0.08,
            "PC": 0.10,
            "SC": 0.06,
            "RC": -0.12,
            "RA": -0.12,
        },
        "gap4": {"HC": 0.15, "OP": -0.20},
    }


@dataclass(frozen=True)
class UnitTruth:
    """Parameters of :func:`simulate_units` (all gaps signed, in scale points).

    Unit level.  Each antecedent scale has a true unit level
    ``A = antecedent_mean + company effect + antecedent_sd * z``.  Gap ``k``
    (1-4) is ``gap_intercepts[k] + sum_j antecedent_effects[k][j] * (A_j -
    antecedent_mean) + N(0, gap_residual_sd)``; gap 5 (P - E) is
    ``gap5_intercept + sum_k gap5_effects[k] * gap_k + N(0, gap5_residual_sd)``
    plus a fixed offset per RATER dimension (``dimension_gap5``).

    Customer level.  Latent satisfaction of customer ``c`` in unit ``u`` is
    ``sat_intercept + sat_pe * PE_c + sum_k sat_gap_effects[k] * G_ku + b_u + e_c``
    where ``PE_c`` is the customer's observed mean P - E over the 22 items,
    ``G_ku`` the unit's *observed* overall gap ``k`` (computed as in
    :func:`servqual.gaps.unit_scores`), ``b_u ~ N(0, sat_unit_sd)`` the unit
    random effect and ``e_c ~ N(0, sat_resid_sd)``.  Hence these are exactly the
    fixed effects and random-intercept variance that
    :func:`servqual.gaps.multilevel` estimates.  Items SAT1-3 and LOY1-2 are
    rounded (and clipped to the scale) from the latent scores plus item noise.

    The default direct effect of gap 4 on satisfaction (beyond P - E) is a
    simulation choice (over-promising hurts beyond the disconfirmation it
    causes); the other direct effects are 0 (full mediation through gap 5).
    """

    antecedent_mean: float = 4.5
    antecedent_sd: float = 0.8
    company_sd: float = 0.3
    antecedent_effects: dict[str, dict[str, float]] = field(
        default_factory=_default_antecedent_effects
    )
    gap_intercepts: dict[str, float] = field(
        default_factory=lambda: {"gap1": -0.4, "gap2": -0.3, "gap3": -0.3, "gap4": -0.3}
    )
    gap_residual_sd: float = 0.25
    gap5_intercept: float = -0.3
    gap5_effects: dict[str, float] = field(
        default_factory=lambda: {"gap1": 0.35, "gap2": 0.25, "gap3": 0.45, "gap4": 0.30}
    )
    gap5_residual_sd: float = 0.15
    dimension_gap5: dict[str, float] = field(
        default_factory=lambda: {
            "tangibles": 0.25,
            "reliability": -0.30,
            "responsiveness": -0.10,
            "assurance": 0.10,
            "empathy": 0.05,
        }
    )
    expectation_mean: float = 5.0
    expectation_unit_sd: float = 0.25
    respondent_sd: float = 0.35
    item_sd: float = 0.75
    sat_intercept: float = 5.0
    sat_pe: float = 0.8
    sat_gap_effects: dict[str, float] = field(
        default_factory=lambda: {"gap1": 0.0, "gap2": 0.0, "gap3": 0.0, "gap4": 0.4}
    )
    sat_unit_sd: float = 0.3
    sat_resid_sd: float = 0.6
    sat_item_sd: float = 0.4
    loy_intercept: float = 1.0
    loy_sat: float = 0.8
    loy_sd: float = 0.6
    n_companies: int = 5
    scale_points: int = 7

    def __post_init__(self):
        # read-only mappings: a frozen truth must not change in place
        for name in ("gap_intercepts", "gap5_effects", "dimension_gap5", "sat_gap_effects"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(
            self,
            "antecedent_effects",
            MappingProxyType(
                {k: MappingProxyType(dict(v)) for k, v in self.antecedent_effects.items()}
            ),
        )
        check_params(
            {
                "antecedent_sd": self.antecedent_sd,
                "company_sd": self.company_sd,
                "gap_residual_sd": self.gap_residual_sd,
                "gap5_residual_sd": self.gap5_residual_sd,
                "expectation_unit_sd": self.expectation_unit_sd,
                "respondent_sd": self.respondent_sd,
                "item_sd": self.item_sd,
                "sat_unit_sd": self.sat_unit_sd,
                "sat_resid_sd": self.sat_resid_sd,
                "sat_item_sd": self.sat_item_sd,
                "loy_sd": self.loy_sd,
                "n_companies": self.n_companies,
                "scale_points": self.scale_points,
            },
            {
                **{
                    k: Interval(0, None)
                    for k in (
                        "antecedent_sd",
                        "company_sd",
                        "gap_residual_sd",
                        "gap5_residual_sd",
                        "expectation_unit_sd",
                        "respondent_sd",
                        "item_sd",
                        "sat_unit_sd",
                        "sat_resid_sd",
                        "sat_item_sd",
                        "loy_sd",
                    )
                },
                "n_companies": Interval(1, None, integer=True),
                "scale_points": Interval(3, 11, integer=True),
            },
        )
        from ..errors import ParameterError

        for gap, effects in self.antecedent_effects.items():
            if gap not in ANTECEDENTS or set(effects) - set(ANTECEDENTS[gap]):
                raise ParameterError(
                    f"antecedent_effects[{gap!r}]={effects!r} is invalid: expected keys among "
                    f"{ANTECEDENTS.get(gap, ())} for gaps {GAPS}."
                )
        for name in ("gap_intercepts", "gap5_effects", "sat_gap_effects"):
            if set(getattr(self, name)) != set(GAPS):
                raise ParameterError(
                    f"{name}={getattr(self, name)!r} is invalid: expected keys {GAPS}."
                )
        if set(self.dimension_gap5) != set(RATER):
            raise ParameterError(
                f"dimension_gap5 keys {sorted(self.dimension_gap5)} are invalid: expected the "
                f"RATER dimensions {list(RATER)}."
            )

    def effect(self, gap: str, scale: str) -> float:
        """Antecedent effect of ``scale`` on ``gap`` (0 when not listed).

        Examples
        --------
        >>> UnitTruth().effect("gap1", "MRO"), UnitTruth().effect("gap1", "OP")
        (0.2, 0.0)
        """
        return float(self.antecedent_effects.get(gap, {}).get(scale, 0.0))


def _likert(x: np.ndarray, k: int) -> np.ndarray:
    return np.clip(np.rint(x), 1, k).astype(np.int64)


def simulate_units(
    n_units: int,
    customers_per_unit: int,
    staff_per_unit: int,
    truth: UnitTruth | None = None,
    seed=None,
    *,
    managers_per_unit: int = 3,
):
    """Simulate linked customer, manager and contact-staff surveys of service units.

    Parameters
    ----------
    n_units : int
        Number of units (branches, stores, teams), spread over
        ``truth.n_companies`` companies.
    customers_per_unit, staff_per_unit : int
        Respondents per unit in the customer and contact-staff surveys.
    truth : UnitTruth, optional
        Generating parameters (defaults: :class:`UnitTruth`).
    seed : int, SeedSequence or Generator, optional
    managers_per_unit : int
        Respondents per unit in the manager survey.

    Returns
    -------
    customers, managers, staff : DataFrame
        Linked by ``unit_id`` (also ``company``); column conventions in
        :mod:`servqual.gaps`.
    truth : UnitTruth

    Examples
    --------
    >>> from servqual.gaps import simulate_units
    >>> cust, man, staff, truth = simulate_units(6, 10, 3, seed=1)
    >>> cust.shape, man.shape, staff.shape
    ((60, 51), (18, 86), (18, 51))
    """
    truth = UnitTruth() if truth is None else truth
    check_params(
        {
            "n_units": n_units,
            "customers_per_unit": customers_per_unit,
            "staff_per_unit": staff_per_unit,
            "managers_per_unit": managers_per_unit,
            "truth": truth,
        },
        {
            "n_units": Interval(2, None, integer=True),
            "customers_per_unit": Interval(1, None, integer=True),
            "staff_per_unit": Interval(1, None, integer=True),
            "managers_per_unit": Interval(1, None, integer=True),
            "truth": UnitTruth,
        },
    )
    rows = n_units * (customers_per_unit + staff_per_unit + managers_per_unit)
    check_memory(
        rows * 100 * 8 * 2,  # ~100 float columns per row, built then concatenated
        what=f"simulate_units with {rows:,} respondents",
        hint="use fewer units or respondents per unit",
    )
    rng = check_rng(seed)
    k = truth.scale_points
    mid = (1 + k) / 2
    shift = mid - 4.0  # defaults are written for a 7-point scale
    n_items = 22
    dim_of = np.empty(n_items, dtype=object)
    for dim, items in RATER.items():
        for i in items:
            dim_of[i - 1] = dim
    units = np.array([f"U{u + 1:03d}" for u in range(n_units)])
    company = np.array([f"C{(u % truth.n_companies) + 1}" for u in range(n_units)])
    comp_idx = np.arange(n_units) % truth.n_companies

    # --- unit level: antecedents -> gaps 1-4 -> gap 5
    scales = MANAGER_SCALES + STAFF_SCALES
    comp_eff = rng.normal(0, truth.company_sd, (truth.n_companies, len(scales)))
    z = rng.normal(size=(n_units, len(scales)))
    A = truth.antecedent_mean + shift + comp_eff[comp_idx] + truth.antecedent_sd * z
    centred = A - (truth.antecedent_mean + shift)
    gaps = np.empty((n_units, 4))
    for g, gap in enumerate(GAPS):
        beta = np.array([truth.effect(gap, s) for s in scales])
        gaps[:, g] = (
            truth.gap_intercepts[gap]
            + centred @ beta
            + rng.normal(0, truth.gap_residual_sd, n_units)
        )
    gamma = np.array([truth.gap5_effects[g] for g in GAPS])
    gap5 = truth.gap5_intercept + gaps @ gamma + rng.normal(0, truth.gap5_residual_sd, n_units)
    dim_off = np.array([truth.dimension_gap5[d] for d in dim_of])

    mu_e = (
        truth.expectation_mean
        + shift
        + rng.normal(0, truth.expectation_unit_sd, n_units)[:, None]
        + np.zeros(n_items)
    )
    mu_p = mu_e + gap5[:, None] + dim_off
    mu_me = mu_e + gaps[:, [0]]
    mu_ss = mu_me + gaps[:, [1]]
    mu_dp = mu_ss + gaps[:, [2]]
    mu_cp = mu_dp - gaps[:, [3]]

    def block(mu_unit, idx):
        n = idx.size
        return _likert(
            mu_unit[idx]
            + rng.normal(0, truth.respondent_sd, (n, 1))
            + rng.normal(0, truth.item_sd, (n, mu_unit.shape[1])),
            k,
        )

    items = [str(i) for i in range(1, n_items + 1)]

    def frame(idx, blocks):
        out = {"unit_id": units[idx], "company": company[idx]}
        for prefix, arr in blocks:
            for j, item in enumerate(items):
                out[f"{prefix}{item}"] = arr[:, j]
        return pd.DataFrame(out)

    def antecedent_block(idx, scale_list):
        cols = []
        for s in scale_list:
            a = A[idx, scales.index(s)][:, None]
            cols.append(
                _likert(
                    a
                    + rng.normal(0, truth.respondent_sd, (idx.size, 1))
                    + rng.normal(0, truth.item_sd, (idx.size, 3)),
                    k,
                )
            )
        return np.hstack(cols), [c for s in scale_list for c in scale_items(s)]

    # --- managers
    m_idx = np.repeat(np.arange(n_units), managers_per_unit)
    ante_m, names_m = antecedent_block(m_idx, MANAGER_SCALES)
    managers = frame(
        m_idx,
        [("ME", block(mu_me, m_idx)), ("SS", block(mu_ss, m_idx)), ("CP", block(mu_cp, m_idx))],
    )
    managers = pd.concat([managers, pd.DataFrame(ante_m, columns=names_m)], axis=1)
    # --- contact staff
    s_idx = np.repeat(np.arange(n_units), staff_per_unit)
    ante_s, names_s = antecedent_block(s_idx, STAFF_SCALES)
    staff = frame(s_idx, [("DP", block(mu_dp, s_idx))])
    staff = pd.concat([staff, pd.DataFrame(ante_s, columns=names_s)], axis=1)
    # --- customers
    c_idx = np.repeat(np.arange(n_units), customers_per_unit)
    E = block(mu_e, c_idx)
    P = block(mu_p, c_idx)
    pe = (P - E).mean(axis=1)

    # observed unit gaps (same definitions as unit_scores): unit item means
    def unit_item_means(arr, idx):
        sums = np.zeros((n_units, arr.shape[1]))
        np.add.at(sums, idx, arr)
        return sums / np.bincount(idx, minlength=n_units)[:, None]

    me_bar = unit_item_means(managers[[f"ME{i}" for i in items]].to_numpy(float), m_idx)
    ss_bar = unit_item_means(managers[[f"SS{i}" for i in items]].to_numpy(float), m_idx)
    cp_bar = unit_item_means(managers[[f"CP{i}" for i in items]].to_numpy(float), m_idx)
    dp_bar = unit_item_means(staff[[f"DP{i}" for i in items]].to_numpy(float), s_idx)
    e_bar = unit_item_means(E.astype(float), c_idx)
    observed = np.column_stack(
        [
            (me_bar - e_bar).mean(axis=1),
            (ss_bar - me_bar).mean(axis=1),
            (dp_bar - ss_bar).mean(axis=1),
            (dp_bar - cp_bar).mean(axis=1),
        ]
    )
    delta = np.array([truth.sat_gap_effects[g] for g in GAPS])
    b_u = rng.normal(0, truth.sat_unit_sd, n_units)
    n_c = c_idx.size
    sat_latent = (
        truth.sat_intercept
        + shift
        + truth.sat_pe * pe
        + (observed @ delta)[c_idx]
        + b_u[c_idx]
        + rng.normal(0, truth.sat_resid_sd, n_c)
    )
    sat = _likert(sat_latent[:, None] + rng.normal(0, truth.sat_item_sd, (n_c, 3)), k)
    loy_latent = truth.loy_intercept + truth.loy_sat * sat_latent
    loy = _likert(loy_latent[:, None] + rng.normal(0, truth.loy_sd, (n_c, 2)), k)
    customers = frame(c_idx, [("P", P), ("E", E)])
    extra = pd.DataFrame(np.hstack([sat, loy]), columns=["SAT1", "SAT2", "SAT3", "LOY1", "LOY2"])
    customers = pd.concat([customers, extra], axis=1)
    return customers, managers, staff, truth
