"""Ground-truth simulator for SERVQUAL surveys.

:func:`simulate_survey` draws respondents from a fully specified model whose
parameters live in a frozen :class:`Truth`:

* five correlated latent perception factors (RATER) and five latent
  expectation factors; each item's latent response is
  ``mean + loading * factor + sqrt(1 - loading**2) * noise``, cut into the
  ordinal scale at ``thresholds``;
* latent satisfaction ``S = sum_d w_d (P_d - gamma * E_d) + zeta`` (unit
  variance), measured by three items; loyalty ``L = beta * S + zeta``
  measured by two Likert items and a 0-10 likelihood-to-recommend;
* problem experience (more likely when reliability is low), complaining,
  complaint outcome, churn within 12 months (logistic in ``S`` and the
  complaint outcome) and word-of-mouth counts (Poisson in ``S`` and the
  complaint outcome);
* a 100-point importance allocation over the five dimensions (Dirichlet).

Because every item is an ordinal cut of a Gaussian, the population moments of
the observed codes are computable exactly (Hermite expansion of the step
functions), so :meth:`Truth.implied_moments` gives the values that sample
statistics must recover.  No global random state is used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import special, stats

from ._checks import Interval, check_memory, check_params, check_rng
from .errors import ParameterError
from .instrument import RATER, Instrument

__all__ = ["Truth", "simulate_survey", "OUTCOMES"]

#: Complaint outcome categories, in order.
OUTCOMES = ("no_problem", "silent", "unresolved", "resolved", "resolved_quickly")

_DEFAULT_LOADINGS = (
    0.70, 0.75, 0.72, 0.68,  # tangibles
    0.80, 0.82, 0.78, 0.80, 0.74,  # reliability
    0.78, 0.80, 0.76, 0.74,  # responsiveness
    0.76, 0.72, 0.78, 0.75,  # assurance
    0.74, 0.66, 0.78, 0.72, 0.76,  # empathy
)  # fmt: skip
_DEFAULT_CORR = (
    (1.00, 0.40, 0.35, 0.38, 0.33),
    (0.40, 1.00, 0.55, 0.50, 0.45),
    (0.35, 0.55, 1.00, 0.52, 0.48),
    (0.38, 0.50, 0.52, 1.00, 0.50),
    (0.33, 0.45, 0.48, 0.50, 1.00),
)


def _mp(d=None, **kw) -> MappingProxyType:
    return MappingProxyType({**(dict(d) if d is not None else {}), **kw})


def _uniform_corr(k: int, r: float) -> tuple:
    return tuple(tuple(1.0 if i == j else r for j in range(k)) for i in range(k))


def default_thresholds(points: int) -> tuple[float, ...]:
    """Equally spaced cut points on the latent scale for a ``points``-point item."""
    return tuple(float(x) for x in np.linspace(-2.0, 2.0, points - 1))


@dataclass(frozen=True)
class Truth:
    """Every parameter of :func:`simulate_survey` (defaults are plausible values).

    Latent variables have unit variance.

    Attributes
    ----------
    scale_points : int
        Categories of the Likert items (1..scale_points).
    dimensions : tuple of str
        RATER dimension names in SERVQUAL item order.
    loadings, expectation_loadings : tuple of 22 floats
        Standardized loadings of the P and E items' latent responses.
    factor_corr, expectation_corr : 5x5 nested tuples
        Correlations among perception and among expectation factors.
    pe_corr : float
        Correlation between a dimension's perception and expectation factors.
    perception_means, expectation_means : mapping dimension -> float
        Mean of the items' latent responses (shifts the ordinal distribution).
    thresholds : tuple of floats
        Cut points of the Likert items (``scale_points - 1`` values).
    satisfaction_weights : mapping dimension -> float
        ``w_d`` in ``S = sum_d w_d (P_d - gamma E_d) + zeta``.
    expectation_weight : float
        ``gamma`` (0 makes perceptions alone drive satisfaction, as SERVPERF
        assumes; 1 makes the P−E gap drive it, as SERVQUAL assumes).
    satisfaction_loadings, loyalty_loadings : tuples (3 each; loyalty order
        LOY1, LOY2, LTR)
    loyalty_on_satisfaction : float
    satisfaction_mean, loyalty_mean, ltr_mean : latent item means
    ltr_thresholds : 10 cut points for the 0-10 recommend item
    problem_rate, problem_on_reliability : P(problem) = logistic(logit(rate) - b * P_reliability)
    complain_rate, resolve_rate, quick_rate : complaint funnel shares
    churn_rate, churn_on_satisfaction, churn_outcome_effects :
        logit P(churn) = logit(rate) + b * S + effect[outcome]
    wom_positive_rate, wom_negative_rate, wom_on_satisfaction, wom_outcome_effects :
        log E[positive] = log(rate) + b S; log E[negative] = log(rate) - b S + effect[outcome]
    stated_importance : mapping dimension -> share; importance_concentration : float
    segment_share : float
        Share of segment "B" (both segments have identical parameters).

    Examples
    --------
    >>> t = Truth(scale_points=5, expectation_weight=0.5)  # gaps partly drive satisfaction
    >>> len(t.thresholds), round(t.satisfaction_residual_variance(), 3)
    (4, 0.38)
    >>> t.implied_satisfaction_weights().idxmax()
    'reliability'
    """

    scale_points: int = 7
    dimensions: tuple[str, ...] = RATER
    loadings: tuple[float, ...] = _DEFAULT_LOADINGS
    expectation_loadings: tuple[float, ...] = (0.72,) * 22
    factor_corr: tuple = _DEFAULT_CORR
    expectation_corr: tuple = _uniform_corr(5, 0.5)
    pe_corr: float = 0.3
    perception_means: Mapping[str, float] = field(
        default_factory=lambda: _mp(
            tangibles=0.5, reliability=0.2, responsiveness=0.3, assurance=0.5, empathy=0.3
        )
    )
    expectation_means: Mapping[str, float] = field(
        default_factory=lambda: _mp(
            tangibles=0.7, reliability=1.2, responsiveness=1.0, assurance=1.0, empathy=0.8
        )
    )
    thresholds: tuple[float, ...] | None = None
    satisfaction_weights: Mapping[str, float] = field(
        default_factory=lambda: _mp(
            tangibles=0.05, reliability=0.40, responsiveness=0.25, assurance=0.15, empathy=0.08
        )
    )
    expectation_weight: float = 0.25
    satisfaction_loadings: tuple[float, ...] = (0.85, 0.80, 0.78)
    satisfaction_mean: float = 0.3
    loyalty_on_satisfaction: float = 0.7
    loyalty_loadings: tuple[float, ...] = (0.82, 0.78, 0.80)
    loyalty_mean: float = 0.3
    ltr_mean: float = 0.0
    ltr_thresholds: tuple[float, ...] = tuple(np.round(np.linspace(-2.6, 0.4, 10), 6).tolist())
    problem_rate: float = 0.25
    problem_on_reliability: float = 0.5
    complain_rate: float = 0.5
    resolve_rate: float = 0.6
    quick_rate: float = 0.5
    churn_rate: float = 0.15
    churn_on_satisfaction: float = -0.8
    churn_outcome_effects: Mapping[str, float] = field(
        default_factory=lambda: _mp(
            no_problem=0.0, silent=0.6, unresolved=1.0, resolved=0.0, resolved_quickly=-0.4
        )
    )
    wom_positive_rate: float = 1.5
    wom_negative_rate: float = 0.4
    wom_on_satisfaction: float = 0.6
    wom_outcome_effects: Mapping[str, float] = field(
        default_factory=lambda: _mp(
            no_problem=0.0, silent=1.0, unresolved=1.5, resolved=0.3, resolved_quickly=-0.2
        )
    )
    stated_importance: Mapping[str, float] = field(
        default_factory=lambda: _mp(
            tangibles=0.11, reliability=0.32, responsiveness=0.22, assurance=0.19, empathy=0.16
        )
    )
    importance_concentration: float = 20.0
    segment_share: float = 0.5

    def __post_init__(self):
        set_ = object.__setattr__
        for name in (
            "perception_means",
            "expectation_means",
            "satisfaction_weights",
            "churn_outcome_effects",
            "wom_outcome_effects",
            "stated_importance",
        ):
            set_(self, name, _mp(getattr(self, name)))
        for name in ("loadings", "expectation_loadings", "satisfaction_loadings",
                     "loyalty_loadings", "ltr_thresholds", "dimensions"):  # fmt: skip
            set_(self, name, tuple(getattr(self, name)))
        set_(self, "factor_corr", tuple(tuple(map(float, r)) for r in self.factor_corr))
        set_(self, "expectation_corr", tuple(tuple(map(float, r)) for r in self.expectation_corr))
        check_params(
            {"scale_points": self.scale_points},
            {"scale_points": Interval(2, 20, integer=True)},
        )
        if self.thresholds is None:
            set_(self, "thresholds", default_thresholds(self.scale_points))
        set_(self, "thresholds", tuple(float(t) for t in self.thresholds))
        self._validate()

    # ------------------------------------------------------------ validation
    def _validate(self) -> None:
        dims = self.dimensions
        if len(dims) != 5:
            raise ParameterError(f"dimensions={dims!r} is invalid: expected the 5 RATER names.")
        for name in ("loadings", "expectation_loadings"):
            v = getattr(self, name)
            if len(v) != 22 or not all(0 < x < 1 for x in v):
                raise ParameterError(f"{name} is invalid: expected 22 values in (0, 1).")
        for name in ("satisfaction_loadings", "loyalty_loadings"):
            v = getattr(self, name)
            if len(v) != 3 or not all(0 < x < 1 for x in v):
                raise ParameterError(f"{name} is invalid: expected 3 values in (0, 1).")
        if len(self.thresholds) != self.scale_points - 1 or np.any(np.diff(self.thresholds) <= 0):
            raise ParameterError(
                f"thresholds={self.thresholds!r} is invalid: expected {self.scale_points - 1} "
                "increasing cut points."
            )
        if len(self.ltr_thresholds) != 10 or np.any(np.diff(self.ltr_thresholds) <= 0):
            raise ParameterError("ltr_thresholds is invalid: expected 10 increasing cut points.")
        for name in ("perception_means", "expectation_means", "satisfaction_weights",
                     "stated_importance"):  # fmt: skip
            if set(getattr(self, name)) != set(dims):
                raise ParameterError(f"{name} must have one entry per dimension {list(dims)}.")
        for name in ("churn_outcome_effects", "wom_outcome_effects"):
            if set(getattr(self, name)) != set(OUTCOMES):
                raise ParameterError(f"{name} must have one entry per outcome {list(OUTCOMES)}.")
        for name in ("problem_rate", "complain_rate", "resolve_rate", "quick_rate",
                     "churn_rate", "segment_share"):  # fmt: skip
            check_params({name: getattr(self, name)}, {name: Interval(0, 1, closed="neither")})
        check_params(
            {"loyalty_on_satisfaction": self.loyalty_on_satisfaction},
            {"loyalty_on_satisfaction": Interval(-1, 1, closed="neither")},
        )
        try:
            np.linalg.cholesky(self.factor_cov())
        except np.linalg.LinAlgError:
            raise ParameterError(
                "factor_corr, expectation_corr and pe_corr do not form a positive-definite "
                "correlation matrix."
            ) from None
        if self.satisfaction_residual_variance() <= 0:
            raise ParameterError(
                "satisfaction_weights explain more than all of the satisfaction variance "
                f"(residual variance {self.satisfaction_residual_variance():.3f}); "
                "use smaller weights."
            )

    # ------------------------------------------------------------ structure
    def factor_cov(self) -> np.ndarray:
        """10x10 correlation matrix of (P factors, E factors)."""
        fp = np.asarray(self.factor_corr)
        fe = np.asarray(self.expectation_corr)
        cross = self.pe_corr * np.eye(5)
        return np.block([[fp, cross], [cross.T, fe]])

    def _sat_coefs(self) -> np.ndarray:
        w = np.array([self.satisfaction_weights[d] for d in self.dimensions])
        return np.concatenate([w, -self.expectation_weight * w])

    def satisfaction_residual_variance(self) -> float:
        b = self._sat_coefs()
        return float(1.0 - b @ self.factor_cov() @ b)

    def latent_cov(self) -> np.ndarray:
        """12x12 covariance of (P1..5, E1..5, satisfaction, loyalty) factors."""
        phi = self.factor_cov()
        b = self._sat_coefs()
        beta = self.loyalty_on_satisfaction
        out = np.zeros((12, 12))
        out[:10, :10] = phi
        out[10, :10] = out[:10, 10] = phi @ b
        out[11, :10] = out[:10, 11] = beta * (phi @ b)
        out[10, 10] = out[11, 11] = 1.0
        out[10, 11] = out[11, 10] = beta
        return out

    def _item_layout(self):
        """Per observed item: (column, factor index, loading, mean, cuts, codes)."""
        inst = Instrument.servqual22()
        dims = list(self.dimensions)
        rows = []
        for kind, f0, lds, means in (
            ("P", 0, self.loadings, self.perception_means),
            ("E", 5, self.expectation_loadings, self.expectation_means),
        ):
            for j, item in enumerate(inst.items):
                d = inst.dimension_of(item)
                rows.append((f"{kind}{item}", f0 + dims.index(d), lds[j], means[d]))
        for j in range(3):
            rows.append((f"SAT{j + 1}", 10, self.satisfaction_loadings[j], self.satisfaction_mean))
        rows.append(("LOY1", 11, self.loyalty_loadings[0], self.loyalty_mean))
        rows.append(("LOY2", 11, self.loyalty_loadings[1], self.loyalty_mean))
        rows.append(("LTR", 11, self.loyalty_loadings[2], self.ltr_mean))
        likert = (np.asarray(self.thresholds), np.arange(1, self.scale_points + 1))
        ltr = (np.asarray(self.ltr_thresholds), np.arange(0, 11))
        return [r + (ltr if r[0] == "LTR" else likert) for r in rows]

    # ------------------------------------------------------ implied moments
    def implied_moments(self, columns: Sequence[str] | None = None):
        """Exact population mean and covariance of observed item codes.

        Parameters
        ----------
        columns : item columns (``P1``..``E22``, ``SAT1``-``3``, ``LOY1``,
            ``LOY2``, ``LTR``); all by default.

        Returns
        -------
        mean : Series, cov : DataFrame

        Examples
        --------
        >>> m, c = Truth().implied_moments(["P5", "P6"])
        >>> bool(0 < c.loc["P5", "P6"] < c.loc["P5", "P5"])
        True
        """
        layout = {r[0]: r for r in self._item_layout()}
        columns = list(layout) if columns is None else list(columns)
        unknown = [c for c in columns if c not in layout]
        if unknown:
            raise ParameterError(f"unknown simulated item column(s) {unknown}.")
        rows = [layout[c] for c in columns]
        lat = self.latent_cov()
        fidx = np.array([r[1] for r in rows])
        lam = np.array([r[2] for r in rows])
        R = lam[:, None] * lam[None, :] * lat[np.ix_(fidx, fidx)]
        np.fill_diagonal(R, 1.0)
        mean, cov = _ordinal_moments(
            R, [r[4] - r[3] for r in rows], [r[5].astype(float) for r in rows]
        )
        return pd.Series(mean, index=columns), pd.DataFrame(cov, index=columns, columns=columns)

    def implied_composites(self, kind: str = "P"):
        """Population mean/covariance of the composites a researcher computes.

        Composites: each RATER dimension (mean of its ``kind`` items, where
        ``kind`` is ``"P"``, ``"E"`` or ``"P-E"``), ``satisfaction`` (mean of
        SAT1-3) and ``loyalty`` (mean of LOY1-2).
        """
        inst = Instrument.servqual22()
        names = list(self.dimensions) + ["satisfaction", "loyalty"]
        cols = inst.columns("P") + inst.columns("E") + ["SAT1", "SAT2", "SAT3", "LOY1", "LOY2"]
        A = np.zeros((len(names), len(cols)))
        for i, d in enumerate(self.dimensions):
            for it in inst.dimensions[d]:
                if kind in ("P", "P-E"):
                    A[i, cols.index(f"P{it}")] = 1 / len(inst.dimensions[d])
                if kind in ("E", "P-E"):
                    A[i, cols.index(f"E{it}")] = (-1 if kind == "P-E" else 1) / len(
                        inst.dimensions[d]
                    )
        if kind not in ("P", "E", "P-E"):
            raise ParameterError(f"kind={kind!r} is invalid: expected 'P', 'E' or 'P-E'.")
        A[5, cols.index("SAT1") : cols.index("SAT3") + 1] = 1 / 3
        A[6, cols.index("LOY1") :] = 1 / 2
        m, c = self.implied_moments(cols)
        mean = A @ m.to_numpy()
        cov = A @ c.to_numpy() @ A.T
        return pd.Series(mean, index=names), pd.DataFrame(cov, index=names, columns=names)

    def implied_satisfaction_weights(self, kind: str = "P") -> pd.Series:
        """Population standardized OLS weights of the satisfaction composite on
        the five dimension composites (what a regression on the data estimates)."""
        _, cov = self.implied_composites(kind)
        d = list(self.dimensions)
        sd = np.sqrt(np.diag(cov))
        corr = cov / np.outer(sd, sd)
        beta = np.linalg.solve(corr.loc[d, d].to_numpy(), corr.loc[d, "satisfaction"].to_numpy())
        return pd.Series(beta, index=d, name="beta")

    # ------------------------------------------------------------- (de)serialise
    def to_dict(self) -> dict:
        """Plain-JSON representation (for shipping with simulated datasets)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, Mapping):
                v = dict(v)
            elif isinstance(v, tuple):
                v = json.loads(json.dumps(v))
            out[f.name] = v
        return out

    @classmethod
    def from_dict(cls, d: Mapping) -> Truth:
        """Inverse of :meth:`to_dict`."""
        kw = {}
        for k, v in d.items():
            if isinstance(v, list):
                v = tuple(tuple(x) if isinstance(x, list) else x for x in v)
            kw[k] = v
        return cls(**kw)

    def replace(self, **changes) -> Truth:
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)


def _hermite_coefs(cuts: np.ndarray, codes: np.ndarray, m_max: int) -> np.ndarray:
    """Normalized Hermite coefficients c_m = E[f(u) He_m(u)]/sqrt(m!), m=1..m_max,
    of the step function f(u) = codes[k] for u in (cuts[k-1], cuts[k]]."""
    x = np.asarray(cuts, float)
    phi = stats.norm.pdf(x)
    # h_{m-1}(x) for m = 1..m_max via the normalized recurrence
    H = np.empty((m_max, x.size))
    H[0] = 1.0
    if m_max > 1:
        H[1] = x
    for m in range(1, m_max - 1):
        H[m + 1] = (x * H[m] - np.sqrt(m) * H[m - 1]) / np.sqrt(m + 1)
    g = H * phi  # h_{m-1}(t) phi(t) at every cut
    # E[1{a<u<=b} h_m] = (g(a) - g(b))/sqrt(m); f = sum_k codes_k 1{cut_{k-1}<u<=cut_k}
    # => c_m = sum over cuts t_k of (codes[k+1] - codes[k]) g(t_k) / sqrt(m)
    jumps = np.diff(codes)
    return (g @ jumps) / np.sqrt(np.arange(1, m_max + 1))


def _ordinal_moments(R: np.ndarray, cuts: list, codes: list, tol: float = 1e-13):
    """Mean and covariance of ordinal codes of standard-normal latents with
    correlation ``R`` (exact up to ``tol`` via the Hermite/Mehler expansion)."""
    p = R.shape[0]
    off = np.abs(R[~np.eye(p, dtype=bool)]) if p > 1 else np.array([0.0])
    rmax = float(off.max()) if off.size else 0.0
    m_max = 2 if rmax == 0 else int(min(2000, max(2, np.ceil(np.log(tol) / np.log(rmax)))))
    mean = np.empty(p)
    var = np.empty(p)
    C = np.empty((p, m_max))
    for i in range(p):
        cdf = stats.norm.cdf(np.concatenate([[-np.inf], cuts[i], [np.inf]]))
        prob = np.diff(cdf)
        mean[i] = prob @ codes[i]
        var[i] = prob @ codes[i] ** 2 - mean[i] ** 2
        C[i] = _hermite_coefs(cuts[i], codes[i], m_max)
    cov = np.zeros((p, p))
    Rm = np.ones_like(R)
    for m in range(m_max):
        Rm = Rm * R
        cov += Rm * np.outer(C[:, m], C[:, m])
    np.fill_diagonal(cov, var)
    return mean, cov


def _ordinal(z: np.ndarray, cuts: np.ndarray, low: int) -> np.ndarray:
    return np.searchsorted(cuts, z, side="left").astype(np.int64) + low


def _allocate_100(shares: np.ndarray) -> np.ndarray:
    """Round rows of shares to integers summing to 100 (largest remainder)."""
    raw = shares * 100
    base = np.floor(raw).astype(np.int64)
    short = 100 - base.sum(axis=1)
    order = np.argsort(-(raw - base), axis=1, kind="stable")
    ranks = np.argsort(order, axis=1, kind="stable")
    return base + (ranks < short[:, None]).astype(np.int64)


def _simulate_block(truth: Truth, n: int, rng: np.random.Generator, offset=None) -> dict:
    inst = Instrument.servqual22()
    dims = list(truth.dimensions)
    lat = truth.latent_cov()[:10, :10]
    xi = rng.standard_normal((n, 10)) @ np.linalg.cholesky(lat).T
    if offset is not None:  # segment / wave shifts of the factor means (SurveyDesign)
        xi = xi + offset
    b = truth._sat_coefs()
    s = xi @ b + np.sqrt(truth.satisfaction_residual_variance()) * rng.standard_normal(n)
    beta = truth.loyalty_on_satisfaction
    loy = beta * s + np.sqrt(1 - beta**2) * rng.standard_normal(n)
    cuts = np.asarray(truth.thresholds)
    out: dict[str, np.ndarray] = {}
    for kind, f0, lds, means in (
        ("P", 0, truth.loadings, truth.perception_means),
        ("E", 5, truth.expectation_loadings, truth.expectation_means),
    ):
        for j, item in enumerate(inst.items):
            d = inst.dimension_of(item)
            lam = lds[j]
            z = means[d] + lam * xi[:, f0 + dims.index(d)]
            z += np.sqrt(1 - lam**2) * rng.standard_normal(n)
            out[f"{kind}{item}"] = _ordinal(z, cuts, 1)
    for item in inst.items:
        out[f"G{item}"] = out[f"P{item}"] - out[f"E{item}"]
    for j in range(3):
        lam = truth.satisfaction_loadings[j]
        z = truth.satisfaction_mean + lam * s + np.sqrt(1 - lam**2) * rng.standard_normal(n)
        out[f"SAT{j + 1}"] = _ordinal(z, cuts, 1)
    for j, (col, mu) in enumerate(
        (("LOY1", truth.loyalty_mean), ("LOY2", truth.loyalty_mean), ("LTR", truth.ltr_mean))
    ):
        lam = truth.loyalty_loadings[j]
        z = mu + lam * loy + np.sqrt(1 - lam**2) * rng.standard_normal(n)
        c = np.asarray(truth.ltr_thresholds) if col == "LTR" else cuts
        out[col] = _ordinal(z, c, 0 if col == "LTR" else 1)
    conc = truth.importance_concentration * np.array([truth.stated_importance[d] for d in dims])
    alloc = _allocate_100(rng.dirichlet(conc, size=n))
    for j, d in enumerate(dims):
        out[f"IMP_{d}"] = alloc[:, j]
    # behaviour
    rel = xi[:, dims.index("reliability")]
    p_problem = special.expit(
        special.logit(truth.problem_rate) - truth.problem_on_reliability * rel
    )
    problem = rng.random(n) < p_problem
    complained = problem & (rng.random(n) < truth.complain_rate)
    resolved = complained & (rng.random(n) < truth.resolve_rate)
    quick = resolved & (rng.random(n) < truth.quick_rate)
    outcome = np.where(
        ~problem, 0, np.where(~complained, 1, np.where(~resolved, 2, np.where(~quick, 3, 4)))
    )
    ch_eff = np.array([truth.churn_outcome_effects[o] for o in OUTCOMES])[outcome]
    p_churn = special.expit(
        special.logit(truth.churn_rate) + truth.churn_on_satisfaction * s + ch_eff
    )
    w_eff = np.array([truth.wom_outcome_effects[o] for o in OUTCOMES])[outcome]
    mu_pos = truth.wom_positive_rate * np.exp(truth.wom_on_satisfaction * s)
    mu_neg = truth.wom_negative_rate * np.exp(-truth.wom_on_satisfaction * s + w_eff)
    out["problem"] = problem.astype(np.int64)
    out["complained"] = complained.astype(np.int64)
    out["complaint_outcome"] = np.asarray(OUTCOMES, dtype=object)[outcome]
    out["churn"] = (rng.random(n) < p_churn).astype(np.int64)
    out["wom_positive"] = rng.poisson(mu_pos).astype(np.int64)
    out["wom_negative"] = rng.poisson(mu_neg).astype(np.int64)
    out["segment"] = np.where(rng.random(n) < truth.segment_share, "B", "A").astype(object)
    return out


def simulate_survey(
    n: int, truth: Truth | None = None, seed=None, *, block_size: int = 250_000, design=None
) -> tuple[pd.DataFrame, Truth]:
    """Simulate ``n`` SERVQUAL respondents with known parameters.

    Parameters
    ----------
    n : int
        Number of respondents.
    truth : Truth, optional
        Generating parameters (defaults: ``Truth()``).
    seed : int, SeedSequence or Generator, optional
        The same seed gives the same frame.  No global state is used.
    block_size : int
        Respondents generated per block (bounds memory; does not change the
        result for a given seed only if kept the same).
    design : SurveyDesign, optional
        Segments (with population and sample shares and satisfaction
        shifts), waves and shifts in chosen dimensions
        (:class:`servqual.simulate_design.SurveyDesign`): ``n`` respondents
        per wave, with columns ``segment``, ``wave`` and ``weight`` (the known
        population weight); the true metrics are ``design.truth_table(truth)``.

    Returns
    -------
    (DataFrame, Truth)
        Columns ``P1..P22``, ``E1..E22``, ``G1..G22`` (P − E), ``SAT1..SAT3``,
        ``LOY1``, ``LOY2``, ``LTR`` (0-10), ``IMP_<dimension>`` (sum to 100),
        ``problem``, ``complained``, ``complaint_outcome``, ``churn``,
        ``wom_positive``, ``wom_negative``, ``segment``.

    Examples
    --------
    >>> df, truth = simulate_survey(500, seed=1)
    >>> df.shape
    (500, 84)
    >>> bool(df["P1"].between(1, 7).all())
    True
    """
    check_params({"n": n}, {"n": Interval(1, None, integer=True)})
    check_params({"block_size": block_size}, {"block_size": Interval(1, None, integer=True)})
    # 84 float columns plus one text column, and one block of working arrays
    check_memory(
        n * (84 * 8 + 60) + min(n, block_size) * 200 * 8,
        what=f"simulate_survey(n={n:,})",
        hint="simulate fewer respondents, or several smaller samples with different seeds",
    )
    truth = Truth() if truth is None else truth
    if not isinstance(truth, Truth):
        raise TypeError(f"truth must be a servqual.Truth, got {type(truth).__name__}.")
    rng = check_rng(seed)
    if design is not None:
        from .simulate_design import SurveyDesign, simulate_design

        if not isinstance(design, SurveyDesign):
            raise TypeError(f"design must be a SurveyDesign, got {type(design).__name__}.")
        df = pd.DataFrame(simulate_design(truth, design, n, rng, block_size, _simulate_block))
        df["complaint_outcome"] = pd.Categorical(df["complaint_outcome"], categories=OUTCOMES)
        df["segment"] = df["segment"].astype(str)
        return df, truth
    blocks = []
    for start in range(0, n, block_size):
        m = min(block_size, n - start)
        blocks.append(_simulate_block(truth, m, rng))
    if len(blocks) == 1:
        data = blocks[0]
    else:
        data = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
    df = pd.DataFrame(data)
    df["complaint_outcome"] = pd.Categorical(df["complaint_outcome"], categories=OUTCOMES)
    df["segment"] = df["segment"].astype(str)
    return df, truth
