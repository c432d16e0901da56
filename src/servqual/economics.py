"""From satisfaction to money: ``what_if`` chains the survey models with the economics.

"+1 point on reliability" is pushed through four fitted models on the survey:

1. driver model (OLS): satisfaction (mean of ``SAT*``) on the dimension
   composites of perceptions -> ``Δ satisfaction = b_dimension × delta``;
2. churn model (statsmodels logistic regression of ``churn`` on satisfaction)
   -> ``Δ retention`` = average change in predicted churn probability;
3. word-of-mouth models (Poisson or negative binomial regressions of
   ``wom_positive`` and ``wom_negative`` on satisfaction) -> ``Δ WOM``;
4. economics: ``Δ CLV`` (start-of-period form, :func:`servqual.retention.clv`)
   and the customer base ``N_{t+1} = (r + rho) N_t + a`` over a horizon, with
   net referrals ``rho = k+ E[wom_positive] - k- E[wom_negative]`` and
   acquisition ``a`` holding the baseline base at its steady state.

Uncertainty: the whole chain is refitted on each bootstrap resample of the
survey (:func:`servqual._resampling.run_bootstrap`), so the intervals on the
money figures carry the estimation uncertainty of all fitted models.
"""

from __future__ import annotations

import warnings
from dataclasses import field
from types import MappingProxyType

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special

from ._checks import Interval, Options, as_py, check_columns, check_data, check_frame, check_params
from ._options import (
    DEFAULT_N_BOOT,
    check_ci,
    check_missing,
    check_n_boot,
    check_n_jobs,
    resolve_progress,
)
from ._outcome import binary_outcome
from ._resampling import bootstrap_notes, percentile_ci, run_bootstrap
from ._result import Result, params_is_settings, records_provenance, resultclass
from ._summary import Summary
from ._warn import warn
from .errors import (
    ConvergenceWarning,
    InputTypeError,
    MissingColumnError,
    MissingDataWarning,
    NonNumericError,
    ParameterError,
)
from .retention import clv

__all__ = ["what_if", "WhatIfResult", "QUANTITIES"]

QUANTITIES = (
    ("delta_satisfaction", "scale points"),
    ("delta_retention", "probability"),
    ("delta_wom_positive", "mentions / customer"),
    ("delta_wom_negative", "mentions / customer"),
    ("delta_clv", "money / customer"),
    ("delta_clv_pct", "%"),
    ("delta_customers", "customers at horizon"),
    ("delta_value", "money (NPV over horizon)"),
)
_BASE = ("retention", "wom_positive", "wom_negative", "clv", "customers")


@resultclass
class WhatIfResult(Result):
    """Result of :func:`what_if`.

    Attributes
    ----------
    table : DataFrame
        ``quantity, estimate, lower, upper, unit`` (percentile bootstrap interval).
    baseline : mapping
        Baseline retention, WOM rates, CLV and customers.
    draws : ndarray, shape (n_boot, 8)
        Bootstrap replicates of the quantities (NaN rows failed).
    path : DataFrame
        ``period, baseline, scenario`` customer base (point estimate).
    settings : mapping
        The call's inputs (``dimension``, ``delta``, margins, ``n_boot``, ...);
        ``.params`` is its deprecated name.
    warnings : tuple of str
    """

    table: pd.DataFrame
    baseline: MappingProxyType
    draws: np.ndarray = field(repr=False)
    path: pd.DataFrame = field(repr=False)
    settings: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[str, ...] = ()

    params = params_is_settings()

    def summary(self) -> Summary:
        """Parameters, baseline and the effects table with intervals."""
        return Summary(
            f"What if {self.settings.get('dimension')} rose by "
            f"{self.settings.get('delta')} point(s)?",
            [
                ("Settings", dict(self.settings)),
                ("Baseline", dict(self.baseline)),
                ("Effects", self.table.set_index("quantity")),
            ],
            self.warnings,
        )


def _fit_chain(
    sat,
    comp,
    dim_pos,
    churn,
    wpos,
    wneg,
    *,
    delta,
    wom_model,
    margin,
    discount,
    horizon,
    initial,
    k_pos,
    k_neg,
    acquisition,
    problems,
):
    """All quantities (8) and baseline (5) for one (re)sample.

    Non-convergence of a fitted model is appended to ``problems``.
    """
    n = sat.size
    X = np.column_stack([np.ones(n), comp])
    b, *_ = np.linalg.lstsq(X, sat, rcond=None)
    dsat = b[1 + dim_pos] * delta
    Z0 = np.column_stack([np.ones(n), sat])
    Z1 = np.column_stack([np.ones(n), sat + dsat])
    try:
        logit = sm.Logit(churn, Z0).fit(disp=0, method="newton", maxiter=100)
        if not logit.mle_retvals.get("converged", True):
            problems.append("the churn logistic regression did not converge")
    except np.linalg.LinAlgError:  # older statsmodels raise on separated data
        logit = sm.Logit(churn, Z0).fit(disp=0, method="bfgs", maxiter=200)
        problems.append("the churn logistic regression did not converge (singular Hessian)")
    p0 = special.expit(Z0 @ logit.params).mean()
    p1 = special.expit(Z1 @ logit.params).mean()
    mus = []
    for y in (wpos, wneg):
        if wom_model == "poisson":
            fam = sm.families.Poisson()
            res = sm.GLM(y, Z0, family=fam).fit()
            beta = res.params
            ok = bool(res.converged)
        else:
            res = sm.NegativeBinomial(y, Z0).fit(disp=0, maxiter=200)
            beta = res.params[:2]
            ok = bool(res.mle_retvals.get("converged", True))
        if not ok:
            problems.append(f"the {wom_model} word-of-mouth regression did not converge")
        mus.append((np.exp(Z0 @ beta).mean(), np.exp(Z1 @ beta).mean()))
    (mp0, mp1), (mn0, mn1) = mus
    r0, r1 = 1 - p0, 1 - p1
    rho0 = k_pos * mp0 - k_neg * mn0
    rho1 = k_pos * mp1 - k_neg * mn1
    a = (1 - r0 - rho0) * initial if acquisition is None else acquisition
    c0 = clv(margin, r0, discount)
    c1 = clv(margin, r1, discount)
    t = np.arange(1, horizon + 1)
    g0, g1 = r0 + rho0, r1 + rho1

    # N_t = g^t N0 + a (1 - g^t) / (1 - g)  (or a t when g == 1)
    def path(g):
        gt = g**t
        return gt * initial + (a * (1 - gt) / (1 - g) if g != 1 else a * t)

    n0_path, n1_path = path(g0), path(g1)
    dval = margin * np.sum((n1_path - n0_path) / (1 + discount) ** t)
    eff = [
        dsat,
        r1 - r0,
        mp1 - mp0,
        mn1 - mn0,
        c1 - c0,
        100 * (c1 / c0 - 1),
        n1_path[-1] - n0_path[-1],
        dval,
    ]
    base = [r0, mp0, mn0, c0, n0_path[-1]]
    return np.array(eff), np.array(base), n0_path, n1_path


@records_provenance
def what_if(
    data: pd.DataFrame,
    *,
    dimension: str = "reliability",
    delta: float = 1.0,
    instrument=None,
    kind: str | None = None,
    satisfaction=None,
    churn: str = "churn",
    positive=None,
    wom_positive: str = "wom_positive",
    wom_negative: str = "wom_negative",
    wom_model: str = "poisson",
    margin: float = 100.0,
    discount: float = 0.10,
    horizon: int = 10,
    initial_customers: float = 10_000,
    acquisition: float | None = None,
    referral_per_positive: float = 0.02,
    deterrence_per_negative: float = 0.02,
    n_boot: int = DEFAULT_N_BOOT,
    ci: float = 0.95,
    seed=None,
    n_jobs: int = 1,
    progress="auto",
    missing: str = "listwise",
) -> WhatIfResult:
    """Money effect of raising one service-quality dimension by ``delta`` points.

    Parameters
    ----------
    data : DataFrame
        One row per customer: the instrument's items, satisfaction items, a
        churn flag and word-of-mouth counts, e.g. from
        :func:`servqual.simulate_survey`.
    dimension : str
        Dimension of ``instrument`` to raise.
    delta : float
        Points added to that dimension's composite (mean of its items).
    instrument : Instrument, optional
        Default :meth:`servqual.Instrument.servqual22`. Any instrument works,
        including a custom one (``Instrument.from_mapping``) without item kinds.
    kind : str, optional
        Item kind of a multi-kind instrument whose composites are used; default
        ``"P"`` (perceptions) when the instrument has it, none otherwise.
    satisfaction : list of str, optional
        Satisfaction item columns (averaged); default the columns whose names
        start with ``SAT`` (the simulator's names).
    churn : str
        Churn flag column (0/1, True/False, or labelled with ``positive``).
    positive : optional
        The churn level meaning "left" (e.g. ``"Yes"``); needed unless the
        column is 0/1 or boolean.
    wom_positive, wom_negative : str
        Columns of positive and negative word-of-mouth counts.
    missing : {"listwise", "available", "raise"}
        Default ``"listwise"``: rows incomplete on the chain's variables
        (items, satisfaction, churn, WOM) are dropped and counted on the
        result (``"available"`` is the same: one chain of models);
        ``"raise"`` refuses missing values.
    wom_model : {"poisson", "negbin"}
    margin, discount : float
        Margin per customer per period and discount rate (CLV, NPV).
    horizon : int
        Periods for the customer-base projection.
    initial_customers : float
        Customer base today.
    acquisition : float, optional
        New customers acquired per period; default keeps the baseline base at
        its steady state.
    referral_per_positive, deterrence_per_negative : float
        New customers won per positive mention and lost per negative mention.
    n_boot : int
        Bootstrap replicates of the whole chain (refits every model); at least
        :func:`~servqual._options.min_n_boot` of ``ci`` (40 for 95%).
    ci : float
        Interval level (percentile bootstrap).
    seed, n_jobs, progress
        Bootstrap controls; results do not depend on ``n_jobs``.

    Examples
    --------
    >>> import servqual
    >>> df, _ = servqual.simulate_survey(600, seed=3)
    >>> res = what_if(df, n_boot=40, seed=1, progress=False)
    >>> list(res.table.columns)
    ['quantity', 'estimate', 'lower', 'upper', 'unit']
    """
    from .instrument import Instrument

    check_params(
        {
            "delta": delta,
            "wom_model": wom_model,
            "margin": margin,
            "discount": discount,
            "horizon": horizon,
            "initial_customers": initial_customers,
            "referral_per_positive": referral_per_positive,
            "deterrence_per_negative": deterrence_per_negative,
            "acquisition": acquisition,
        },
        {
            "delta": Interval(),
            "wom_model": Options(("poisson", "negbin")),
            "margin": Interval(0, None, closed="neither"),
            "discount": Interval(0, None, closed="neither"),
            "horizon": Interval(1, None, integer=True),
            "initial_customers": Interval(0, None, closed="neither"),
            "referral_per_positive": Interval(0, None),
            "deterrence_per_negative": Interval(0, None),
            "acquisition": [None, Interval(0, None)],
        },
    )
    ci = check_ci(ci)
    n_boot = check_n_boot(n_boot, ci=ci, allow_zero=False)
    n_jobs = check_n_jobs(n_jobs)
    progress = resolve_progress(progress)
    inst = Instrument.servqual22() if instrument is None else instrument
    if not isinstance(inst, Instrument):
        raise InputTypeError(
            f"instrument must be a servqual.Instrument, got {type(inst).__name__}."
        )
    if kind is None and inst.prefixes:
        kind = "P" if "P" in inst.prefixes else None
    dims = inst.dimension_columns(kind)
    if dimension not in dims:
        raise ParameterError(
            f"dimension={dimension!r} is invalid: expected one of {', '.join(map(repr, dims))}."
        )
    check_data(data)
    missing = check_missing(missing, ("listwise", "available", "raise"))
    if satisfaction is None:
        sat_cols = [c for c in data.columns if str(c).startswith("SAT")]
        if not sat_cols:
            raise ParameterError(
                "data has no satisfaction columns SAT1, SAT2, ...: name your satisfaction "
                "item(s) with satisfaction=[...]."
            )
    else:
        sat_cols = [satisfaction] if isinstance(satisfaction, str) else list(satisfaction)
        if not sat_cols:
            raise ParameterError("satisfaction is empty: expected at least one column name.")
    items = [c for cols in dims.values() for c in cols]
    for role, col in (
        ("churn", churn),
        ("wom_positive", wom_positive),
        ("wom_negative", wom_negative),
    ):
        if not isinstance(col, str):
            raise ParameterError(f"{role}={col!r} is invalid: expected one column name.")
        if col not in data.columns:
            raise MissingColumnError(
                f"{role} column {col!r} not found in the data: what_if needs it; name yours "
                f"with {role}=... (available columns: {', '.join(map(str, data.columns[:12]))})."
            )
    check_columns(data, items + sat_cols, what="item or satisfaction column")
    bools = [c for c in items + sat_cols if data[c].dtype == bool]
    if bools:
        raise NonNumericError(
            f"column {bools[0]!r} is boolean (True/False); expected ratings on the "
            f"{inst.scale[0]:g}-{inst.scale[1]:g} scale."
        )
    used = data.assign(**{churn: binary_outcome(data, churn, positive, role="churn")})
    cols = list(dict.fromkeys(items + sat_cols + [churn, wom_positive, wom_negative]))
    check_frame(used, cols, missing="raise" if missing == "raise" else "allow", allow_constant=True)
    na = used[cols].isna()
    notes: list[str] = []
    if na.to_numpy().any():
        counts = na.sum()
        detail = ", ".join(f"{c!r}: {int(k)}" for c, k in counts[counts > 0].items())
        notes.append(
            f"{int(na.any(axis=1).sum())} of {len(used)} rows dropped (listwise) for missing "
            f"values ({detail})."
        )
        warn(notes[-1], MissingDataWarning)
        used = used.loc[~na.any(axis=1).to_numpy()]
    frame = check_frame(
        used, items + sat_cols, allow_constant=False, min_rows=30,
        scale={**{c: inst.scale for c in items}, **{c: (-np.inf, np.inf) for c in sat_cols}},
    )  # fmt: skip
    outcomes = check_frame(
        used, [churn, wom_positive, wom_negative], integer=True, allow_constant=True
    ).rename(columns={churn: "churn", wom_positive: "wom_positive", wom_negative: "wom_negative"})
    names = {"wom_positive": wom_positive, "wom_negative": wom_negative}
    for c in ("wom_positive", "wom_negative"):
        if (outcomes[c] < 0).any():
            bad = outcomes.index[outcomes[c] < 0][0]
            raise ParameterError(
                f"column {names[c]!r} row {as_py(bad)!r} = {as_py(outcomes.loc[bad, c])!r}: "
                "expected a non-negative count."
            )
    comp = np.column_stack([frame[cols].mean(axis=1).to_numpy() for cols in dims.values()])
    sat = frame[sat_cols].mean(axis=1).to_numpy()
    y = [outcomes[c].to_numpy() for c in ("churn", "wom_positive", "wom_negative")]
    pos = list(dims).index(dimension)
    opts = dict(
        delta=delta,
        wom_model=wom_model,
        margin=margin,
        discount=discount,
        horizon=horizon,
        initial=float(initial_customers),
        k_pos=referral_per_positive,
        k_neg=deterrence_per_negative,
        acquisition=acquisition,
    )
    problems: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels chatter; convergence is checked below
        eff, base, p0, p1 = _fit_chain(sat, comp, pos, *y, **opts, problems=problems)
    for text in problems:
        warn(text, ConvergenceWarning)

    def stat(idx):
        bad: list[str] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = _fit_chain(sat[idx], comp[idx], pos, *(v[idx] for v in y), **opts, problems=bad)
        if bad:  # a replicate whose models did not converge is counted as failed
            raise RuntimeError("; ".join(bad))
        return out[0]

    draws = run_bootstrap(
        stat,
        sat.size,
        n_boot,
        k=len(QUANTITIES),
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
        desc="what-if bootstrap",
    )
    boot_notes = bootstrap_notes(draws)
    if draws.valid.shape[0]:
        lo, hi = percentile_ci(draws.valid, ci)
    else:  # every replicate failed: no interval
        lo = hi = np.full(len(QUANTITIES), np.nan)
    table = pd.DataFrame(
        {
            "quantity": [q for q, _ in QUANTITIES],
            "estimate": eff,
            "lower": lo,
            "upper": hi,
            "unit": [u for _, u in QUANTITIES],
        }
    )
    t = np.arange(horizon + 1)
    path = pd.DataFrame(
        {
            "period": t,
            "baseline": np.r_[initial_customers, p0],
            "scenario": np.r_[initial_customers, p1],
        }
    )
    settings = {
        "dimension": dimension,
        "delta": delta,
        "wom_model": wom_model,
        "margin": margin,
        "discount": discount,
        "horizon": horizon,
        "initial_customers": initial_customers,
        "acquisition": acquisition,
        "referral_per_positive": referral_per_positive,
        "deterrence_per_negative": deterrence_per_negative,
        "n_boot": n_boot,
        "ci": ci,
        "n": int(sat.size),
        "n_dropped": int(data.shape[0] - sat.size),
    }
    return WhatIfResult(
        table=table,
        baseline=MappingProxyType(dict(zip(_BASE, map(float, base)))),
        draws=draws.estimates,
        path=path,
        settings=MappingProxyType(settings),
        warnings=tuple(notes) + tuple(problems) + boot_notes,
    )
