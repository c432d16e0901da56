"""Customer-experience metrics: NPS, CSAT (top-2-box) and a CSI/ACSI-style index.

References
----------
Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business
Review* 81(12), 46-54 (NPS: % promoters 9-10 minus % detractors 0-6).
Rocks, B. (2016). Interval estimation for the "net promoter score". *The
American Statistician* 70(4), 365-372 (trinomial variance of the NPS).
Wilson, E. B. (1927). Probable inference, the law of succession, and
statistical inference. *JASA* 22(158), 209-212.
Fornell, C. et al. (1996). The American Customer Satisfaction Index: nature,
purpose, and findings. *Journal of Marketing* 60(4), 7-18 (0-100 index from
weighted item means).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import (
    Interval,
    check_frame,
    check_params,
    check_rng,
    check_scale,
    check_weights,
)
from ._options import DEFAULT_N_BOOT, check_missing, check_n_boot, check_n_jobs, resolve_progress
from ._resampling import bootstrap_notes, percentile_ci, run_bootstrap
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from ._warn import warn
from .errors import (
    DegenerateResultWarning,
    EmptyDataError,
    InputTypeError,
    MissingDataWarning,
    NonNumericError,
    OutOfRangeError,
    ParameterError,
    ScaleWarning,
)
from .weighting import nps_estimate, share_estimate

__all__ = [
    "NPSResult",
    "CSATResult",
    "CSIResult",
    "nps",
    "nps_se",
    "csat",
    "csi",
    "wilson_interval",
]

#: single-item metrics: ``"available"`` (= ``"listwise"`` for one item) drops and counts
#: unanswered rows; ``"raise"`` refuses them
_METRIC_MISSING = ("available", "listwise", "raise")
_CI = Interval(0, 1, closed="neither")

#: response scales CSAT recognises when it infers the scale from the data
KNOWN_SCALES: tuple[tuple[int, int], ...] = (
    (1, 3),
    (1, 4),
    (1, 5),
    (1, 6),
    (1, 7),
    (1, 9),
    (1, 10),
    (0, 10),
)


def _item_name(scores, default: str = "scores") -> str:
    """The user's column name when ``scores`` is a named Series."""
    name = getattr(scores, "name", None)
    return f"column {name!r}" if isinstance(name, str) and name else default


def _degenerate(text: str, warns: list[str]) -> None:
    warns.append(text)
    warn(text, DegenerateResultWarning)


def _answers(scores, name: str, scale, missing: str, weights=None):
    """Validated whole-number answers on ``scale``; missing ones removed and reported.

    Returns ``(answers, n_missing, warnings, w)`` with ``w`` the respondent
    weights of the answers kept (``None`` without weights).
    """
    try:
        ndim = np.asarray(scores, dtype=object).ndim if not isinstance(scores, pd.Series) else 1
    except ValueError:  # ragged nested lists
        ndim = 2
    if scores is None or isinstance(scores, (str, bytes, dict)) or ndim != 1:
        raise InputTypeError(
            f"{name} must be a one-dimensional list, array or Series of answers, got "
            f"{type(scores).__name__} {scores!r:.40}."
        )
    s = scores if isinstance(scores, pd.Series) else pd.Series(np.asarray(scores, dtype=object))
    if s.ndim != 1:
        raise ParameterError(f"{name} must be one-dimensional.")
    if s.shape[0] == 0:
        raise EmptyDataError(f"{name} is empty: expected at least one answer.")
    is_bool = s.map(lambda x: isinstance(x, (bool, np.bool_))).to_numpy(bool)
    if is_bool.any():  # True/False would silently count as answers 1/0
        i = int(np.flatnonzero(is_bool)[0])
        raise NonNumericError(
            f"{name}: row {s.index[i]!r} holds the boolean {bool(s.iloc[i])!r}; expected "
            f"whole-number answers on the {scale[0]:g}-{scale[1]:g} scale."
        )
    frame = check_frame(
        s.rename(name).to_frame(),
        [name],
        missing="raise" if missing == "raise" else "allow",
        scale=scale,
        integer=True,
        allow_constant=True,
    )
    v = frame[name].to_numpy()
    w = check_weights(weights, n=v.shape[0]) if weights is not None else None
    keep = ~np.isnan(v)
    n_missing = int((~keep).sum())
    warns = []
    if n_missing:
        warns.append(f"{n_missing} missing answer(s) in {name} omitted.")
        warn(warns[-1], MissingDataWarning)
    if w is not None:
        w = w[keep]
        if keep.any() and not (w > 0).any():
            raise OutOfRangeError(
                "weights are zero for every non-missing answer: at least one positive weight "
                "needed."
            )
    return v[keep], n_missing, warns, w


@resultclass
class NPSResult(Result):
    """Net Promoter Score with its trinomial standard error.

    ``nps``, ``se``, ``ci_lower`` and ``ci_upper`` are in points (-100...100);
    the interval is the normal interval ``nps +/- z * se``, clipped to
    [-100, 100].  With respondent weights the shares are weighted, ``se`` is
    the linearised SE and ``n_eff``/``deff`` are Kish's effective n and design
    effect (``n`` and the counts stay unweighted).
    """

    nps: float
    se: float
    ci_lower: float
    ci_upper: float
    n: int
    n_promoters: int
    n_passives: int
    n_detractors: int
    ci: float = 0.95
    n_missing: int = 0
    warnings: tuple[str, ...] = field(default=())
    n_eff: float | None = None
    deff: float = 1.0
    weighted: bool = False
    p_promoters: float | None = None
    p_detractors: float | None = None

    def __post_init__(self):
        if self.n_eff is None:
            object.__setattr__(self, "n_eff", float(self.n))
        if self.p_promoters is None:
            object.__setattr__(self, "p_promoters", self.n_promoters / self.n)
            object.__setattr__(self, "p_detractors", self.n_detractors / self.n)

    @property
    def pct_promoters(self) -> float:
        return 100.0 * self.p_promoters

    @property
    def pct_detractors(self) -> float:
        return 100.0 * self.p_detractors

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    k: getattr(self, k)
                    for k in (
                        "nps",
                        "se",
                        "ci_lower",
                        "ci_upper",
                        "n",
                        "n_promoters",
                        "n_passives",
                        "n_detractors",
                        "n_missing",
                        "n_eff",
                        "deff",
                    )
                }
            ]
        )

    def summary(self) -> Summary:
        return Summary(
            "Net Promoter Score",
            [
                (
                    "Estimate",
                    {
                        "NPS (points)": self.nps,
                        "SE (points)": self.se,
                        f"{self.ci:.0%} CI": f"[{self.ci_lower:.1f}, {self.ci_upper:.1f}]",
                        "n": self.n,
                        "effective n (Kish)": self.n_eff,
                        "design effect": self.deff,
                        "promoters (9-10), %": self.pct_promoters,
                        "detractors (0-6), %": self.pct_detractors,
                        "missing": self.n_missing,
                    },
                )
            ],
            self.warnings,
            digits=2,
        )


@records_provenance
def nps(
    scores, *, scale=None, weights=None, ci: float = 0.95, missing: str = "available"
) -> NPSResult:
    """Net Promoter Score from 0-10 likelihood-to-recommend answers.

    NPS = 100 (p_P - p_D) with promoters 9-10 and detractors 0-6; its standard
    error is the trinomial ``100 * sqrt((p_P + p_D - (p_P - p_D)^2) / n)``.

    The NPS is defined on the 0-10 scale only: an item declared on another
    scale (``scale=(1, 5)``), or whose answers never exceed 5 when no scale is
    declared, raises :class:`~servqual.errors.OutOfRangeError` naming the
    column and its range (declare ``scale=(0, 10)`` if such an item really is
    0-10). All answers promoters or all detractors give a zero-width interval:
    flagged with :class:`~servqual.errors.DegenerateResultWarning`.

    Parameters
    ----------
    scores : list, array or Series of whole numbers 0-10
    scale : (low, high), optional
        The item's declared scale (from a codebook); must be ``(0, 10)``.
    weights : array or Series, optional
        One respondent weight per answer.  The NPS is then the weighted mean
        of the +100/0/-100 codes and its SE the Taylor-linearised SE (R
        ``survey``: ``svymean`` on ``svydesign(ids = ~1, weights = ~w)``),
        which with equal weights is the trinomial SE times ``sqrt(n/(n-1))``.
    ci : float
        Confidence level of the normal interval.
    missing : {"available", "listwise", "raise"}
        Default ``"available"``: unanswered rows are dropped, counted in
        ``n_missing`` and warned about (for one item ``"listwise"`` is the
        same); ``"raise"`` refuses them. ``"omit"`` is the old name of
        ``"available"``.

    Examples
    --------
    >>> r = nps([10] * 300 + [8] * 200 + [3] * 100)
    >>> round(r.nps, 1), round(r.se, 2)
    (33.3, 3.04)
    """
    check_params({"ci": ci}, {"ci": _CI})
    missing = check_missing(missing, _METRIC_MISSING)
    name = _item_name(scores)
    if scale is not None:
        lo, hi = check_scale(scale)
        if (lo, hi) != (0, 10):
            raise OutOfRangeError(
                f"{name} is declared on the {lo:g}-{hi:g} scale: the NPS needs a 0-10 "
                "likelihood-to-recommend item (promoters 9-10, detractors 0-6)."
            )
    v, n_missing, warns, w = _answers(scores, name, (0, 10), missing, weights)
    n = v.shape[0]
    if n == 0:
        raise EmptyDataError(f"{name} holds no non-missing answer.")
    if scale is None and v.max() <= 5:
        raise OutOfRangeError(
            f"{name} has answers {v.min():g}-{v.max():g} only: it looks like a "
            f"{'1' if v.min() >= 1 else '0'}-5 item, and the NPS needs a 0-10 "
            "likelihood-to-recommend item. If it really is 0-10, pass scale=(0, 10)."
        )
    n_p, n_d = int((v >= 9).sum()), int((v <= 6).sum())
    est = nps_estimate(v, w)
    value, se = est.estimate, est.se
    if w is None:
        pp, pd_ = n_p / n, n_d / n
    else:
        pp, pd_ = float(w @ (v >= 9) / w.sum()), float(w @ (v <= 6) / w.sum())
    z = stats.norm.ppf(0.5 + ci / 2)
    if n_p == n or n_d == n:
        which = "promoters (9-10)" if n_p == n else "detractors (0-6)"
        _degenerate(
            f"every answer in {name} is among the {which}: NPS {value:g} with a zero-width "
            "interval; the sample cannot show any spread.",
            warns,
        )
    return NPSResult(
        nps=value,
        se=float(se),
        ci_lower=float(max(value - z * se, -100.0)),
        ci_upper=float(min(value + z * se, 100.0)),
        n=n,
        n_promoters=n_p,
        n_passives=n - n_p - n_d,
        n_detractors=n_d,
        ci=ci,
        n_missing=n_missing,
        warnings=tuple(warns),
        n_eff=est.n_eff,
        deff=est.deff,
        weighted=w is not None,
        p_promoters=pp,
        p_detractors=pd_,
    )


def nps_se(p_promoters: float, p_detractors: float, n: int) -> float:
    """Trinomial standard error of the NPS in points: ``100 sqrt((pP + pD - (pP - pD)^2) / n)``.

    Examples
    --------
    >>> round(nps_se(1 / 2, 1 / 6, 100), 2)
    7.45
    """
    check_params(
        {"p_promoters": p_promoters, "p_detractors": p_detractors, "n": n},
        {
            "p_promoters": Interval(0, 1),
            "p_detractors": Interval(0, 1),
            "n": Interval(1, None, integer=True),
        },
    )
    if p_promoters + p_detractors > 1 + 1e-12:
        raise ParameterError(
            f"p_promoters + p_detractors = {p_promoters + p_detractors:g} is invalid: "
            "expected at most 1."
        )
    var = p_promoters + p_detractors - (p_promoters - p_detractors) ** 2
    return float(100.0 * np.sqrt(max(var, 0.0) / n))


def wilson_interval(k: int, n: int, *, ci: float = 0.95) -> tuple[float, float]:
    """Wilson (1927) score interval of a binomial proportion ``k / n``.

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(30, 100)]
    [0.2189, 0.3958]
    """
    check_params(
        {"k": k, "n": n, "ci": ci},
        {"k": Interval(0, None, integer=True), "n": Interval(1, None, integer=True), "ci": _CI},
    )
    if k > n:
        raise ParameterError(f"k={k} is invalid: expected k <= n={n}.")
    z = stats.norm.ppf(0.5 + ci / 2)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return float(centre - half), float(centre + half)


@resultclass
class CSATResult(Result):
    """CSAT: percent of answers in the top box(es), with its interval (percent).

    Unweighted: the Wilson interval.  With respondent weights: the weighted
    share, its linearised SE (``se``, percent) and the logit interval of R
    ``survey``'s ``svyciprop(method = "logit")`` (t with n - 1 df); ``n_eff``
    and ``deff`` are Kish's effective n and design effect.
    """

    csat: float
    ci_lower: float
    ci_upper: float
    n: int
    n_satisfied: int
    threshold: float
    scale: tuple[float, float]
    ci: float = 0.95
    n_missing: int = 0
    warnings: tuple[str, ...] = field(default=())
    se: float = float("nan")
    n_eff: float | None = None
    deff: float = 1.0
    weighted: bool = False

    def __post_init__(self):
        if self.n_eff is None:
            object.__setattr__(self, "n_eff", float(self.n))

    def summary(self) -> Summary:
        interval = f"[{self.ci_lower:.1f}, {self.ci_upper:.1f}]"
        kind = "logit" if self.weighted else "Wilson"
        return Summary(
            "CSAT (top-box share)",
            [
                (
                    "Estimate",
                    {
                        "CSAT (%)": self.csat,
                        "SE (%)": self.se,
                        f"{self.ci:.0%} {kind} CI (%)": interval,
                        "satisfied if answer >=": self.threshold,
                        "scale": f"{self.scale[0]:g}-{self.scale[1]:g}",
                        "n": self.n,
                        "effective n (Kish)": self.n_eff,
                        "design effect": self.deff,
                        "missing": self.n_missing,
                    },
                )
            ],
            self.warnings,
            digits=2,
        )


def _infer_scale(v: np.ndarray, name: str, warns: list[str]) -> tuple[float, float]:
    lo, hi = float(v.min()), float(v.max())
    if (lo, hi) in KNOWN_SCALES:
        return lo, hi
    fits = [k for k in KNOWN_SCALES if k[0] <= lo and hi <= k[1]]
    if not fits:
        raise OutOfRangeError(
            f"{name} has answers {lo:g}-{hi:g}, which fit no known response scale "
            f"({', '.join(f'{a}-{b}' for a, b in KNOWN_SCALES)}): pass scale=(low, high)."
        )
    a, b = min(fits, key=lambda k: k[1] - k[0])
    text = (
        f"{name}: no scale declared and the answers span {lo:g}-{hi:g}, not a known scale; "
        f"assuming {a:g}-{b:g}. Pass scale=(low, high) to declare it."
    )
    warns.append(text)
    warn(text, ScaleWarning)
    return float(a), float(b)


@records_provenance
def csat(
    scores,
    *,
    weights=None,
    scale=None,
    top: int = 2,
    ci: float = 0.95,
    missing: str = "available",
) -> CSATResult:
    """CSAT as the top-``top``-box percentage, with a Wilson interval.

    An answer counts as satisfied when it is >= ``high - top + 1`` (4 or 5 on a
    1-5 scale with ``top=2``).  With ``weights`` (one respondent weight per
    answer) the share is weighted, ``se`` is the Taylor-linearised SE and the
    interval is R ``survey``'s ``svyciprop(method = "logit")`` interval.

    ``scale`` is the item's declared scale (from a codebook). Without it the
    scale is inferred from the answers: their range when it is one of
    :data:`KNOWN_SCALES`, otherwise the narrowest known scale holding them,
    with a :class:`~servqual.errors.ScaleWarning` -- never silently 1-5 (on a
    1-4 item the top two boxes are 3 and 4). ``missing`` as in :func:`nps`.
    All answers satisfied or none is flagged with
    :class:`~servqual.errors.DegenerateResultWarning`.

    Examples
    --------
    >>> r = csat([5, 4, 4, 3, 2, 5, 1, 4, 5, 3])
    >>> r.csat, round(r.ci_lower, 1), round(r.ci_upper, 1)
    (60.0, 31.3, 83.2)
    """
    check_params({"ci": ci, "top": top}, {"ci": _CI, "top": Interval(1, None, integer=True)})
    missing = check_missing(missing, _METRIC_MISSING)
    name = _item_name(scores)
    declared = check_scale(scale) if scale is not None else (-np.inf, np.inf)
    v, n_missing, warns, w = _answers(scores, name, declared, missing, weights)
    n = v.shape[0]
    if n == 0:
        raise EmptyDataError(f"{name} holds no non-missing answer.")
    lo, hi = declared if scale is not None else _infer_scale(v, name, warns)
    if top > hi - lo:
        raise ParameterError(
            f"top={top} is invalid: expected fewer boxes than the {hi - lo + 1:g}-point scale."
        )
    threshold = hi - top + 1
    k = int((v >= threshold).sum())
    if k in (0, n):
        _degenerate(
            f"{'every' if k else 'no'} answer in {name} is in the top {top} box(es) of the "
            f"{lo:g}-{hi:g} scale: CSAT {100.0 * k / n:g}% sits at the end of its range.",
            warns,
        )
    est = share_estimate(v >= threshold, w)
    p, se = (k / n, est.se) if w is None else (est.estimate, est.se)
    if w is None:
        a, b = wilson_interval(k, n, ci=ci)
    else:
        a, b = logit_interval(p, se, n - 1, ci=ci)
    return CSATResult(
        100.0 * p,
        100.0 * a,
        100.0 * b,
        n,
        k,
        threshold,
        (lo, hi),
        ci,
        n_missing,
        tuple(warns),
        se=100.0 * float(se),
        n_eff=est.n_eff,
        deff=est.deff,
        weighted=w is not None,
    )


def logit_interval(p: float, se: float, df: float, *, ci: float = 0.95) -> tuple[float, float]:
    """Interval for a proportion on the logit scale: ``expit(logit p +/- t se / (p (1 - p)))``.

    The delta-method interval of R ``survey``'s ``svyciprop(method = "logit")``
    with ``df`` degrees of freedom (``degf`` of the design); ``(0, 0)`` or
    ``(1, 1)`` at the boundaries.

    Examples
    --------
    >>> [round(x, 4) for x in logit_interval(0.3, 0.05, 99)]
    [0.2109, 0.4074]
    """
    if p <= 0.0 or p >= 1.0:
        return (float(p), float(p))
    t = stats.t.ppf(0.5 + ci / 2, df) if np.isfinite(df) else stats.norm.ppf(0.5 + ci / 2)
    eta, half = np.log(p / (1 - p)), t * se / (p * (1 - p))
    return float(1 / (1 + np.exp(-(eta - half)))), float(1 / (1 + np.exp(-(eta + half))))


@resultclass
class CSIResult(Result):
    """A 0-100 satisfaction index from weighted item means.

    Attributes
    ----------
    index : float
    items : DataFrame
        ``item``, ``n``, ``mean``, ``weight`` (normalised to sum to 1) and
        ``score`` (the item mean rescaled to 0-100).
    ci_lower, ci_upper : float
        Bootstrap percentile interval (NaN when ``n_boot=0``).
    """

    index: float
    items: pd.DataFrame
    ci_lower: float
    ci_upper: float
    scale: tuple[float, float]
    n: int
    n_boot: int = 0
    ci: float = 0.95
    warnings: tuple[str, ...] = field(default=())

    def summary(self) -> Summary:
        info = {
            "index (0-100)": self.index,
            "n": self.n,
            "scale": f"{self.scale[0]:g}-{self.scale[1]:g}",
        }
        if self.n_boot:
            info[f"{self.ci:.0%} bootstrap CI"] = f"[{self.ci_lower:.2f}, {self.ci_upper:.2f}]"
        return Summary(
            "Satisfaction index (CSI/ACSI style)",
            [("Index", info), ("Items", self.items)],
            self.warnings,
        )


def _weights(weights, items: list[str]) -> np.ndarray:
    """Validated item weights (named ``item_weights`` in messages)."""
    if weights is None:
        return np.ones(len(items))
    if isinstance(weights, Mapping):
        missing_w = [c for c in items if c not in weights]
        extra = [c for c in weights if c not in items]
        if missing_w or extra:
            raise ParameterError(
                f"item_weights do not match items: no weight for {missing_w}, unknown {extra}."
            )
        w = [weights[c] for c in items]
    elif isinstance(weights, (Sequence, np.ndarray, pd.Series)) and not isinstance(weights, str):
        w = list(weights)
        if len(w) != len(items):
            raise ParameterError(
                f"item_weights has {len(w)} values but there are {len(items)} items."
            )
    else:
        raise ParameterError(
            f"item_weights={weights!r} is invalid: expected a mapping or sequence."
        )
    for c, x in zip(items, w):
        check_params({f"item_weights[{c!r}]": x}, {f"item_weights[{c!r}]": Interval(0, None)})
    w = np.asarray(w, dtype=float)
    if w.sum() <= 0:
        raise ParameterError("item_weights are all zero: expected a positive total weight.")
    return w


@records_provenance
def csi(
    data: pd.DataFrame,
    items: Sequence[str],
    *,
    item_weights=None,
    weights=None,
    scale=(1, 10),
    missing: str = "available",
    n_boot: int = DEFAULT_N_BOOT,
    ci: float = 0.95,
    seed=None,
    n_jobs: int = 1,
    progress="auto",
) -> CSIResult:
    """CSI/ACSI-style 0-100 index: ``100 * sum w_i (mean_i - min) / ((max - min) sum w_i)``.

    Parameters
    ----------
    data : DataFrame
    items : list of str
        Item columns on ``scale``.
    item_weights : mapping item -> weight or sequence, optional
        Non-negative (e.g. outer weights of a PLS model); equal by default.
        (Formerly ``weights``: a mapping or one value per item passed as
        ``weights`` still works, with a FutureWarning.)
    weights : column name or array, optional
        Respondent weights: the item means are weighted means, and bootstrap
        resamples carry each respondent's weight.
    scale : (min, max)
    missing : {"available", "listwise", "raise"}
        Default ``"available"``: each item's mean uses its own answers (counts
        in ``items.n``, the number omitted warned about); ``"listwise"`` keeps
        the respondents who answered every item; ``"raise"`` refuses missing
        answers. ``"omit"`` is the old name of ``"available"``.
    n_boot : int
        Bootstrap replicates for a percentile CI (0: none, else at least
        :func:`~servqual._options.min_n_boot` of ``ci``).  Item weights are
        held fixed.
    ci, seed, n_jobs, progress
        Interval level, bootstrap randomness (bit-identical whatever
        ``n_jobs``), workers and progress bar (``"auto"``).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [7, 10, 4], "b": [1, 4, 10]})
    >>> round(csi(df, ["a", "b"], item_weights={"a": 2, "b": 1}).index, 2)
    59.26
    """
    lo, hi = check_scale(scale)
    check_params(
        {"ci": ci},
        {"ci": _CI},
    )
    n_boot = check_n_boot(n_boot, ci=ci)
    n_jobs = check_n_jobs(n_jobs)
    progress = resolve_progress(progress)
    missing = check_missing(missing, _METRIC_MISSING)
    check_rng(seed)  # typed error naming a bad seed; the seed itself is passed on
    items = [items] if isinstance(items, str) else list(items)
    if not items:
        raise ParameterError("items is empty: expected at least one item column.")
    if _are_item_weights(weights, items, data):
        if item_weights is not None:
            raise ParameterError(
                "both item_weights and item weights in weights= were given: weights= now "
                "means respondent weights; pass item weights as item_weights= only."
            )
        warn(
            "csi(weights=...) with one weight per item is deprecated: use item_weights=; "
            "weights= now means respondent weights (one per row).",
            FutureWarning,
        )
        item_weights, weights = weights, None
    w = _weights(item_weights, items)
    rw = check_weights(weights, data)
    x = check_frame(
        data,
        items,
        missing="raise" if missing == "raise" else "allow",
        scale=(lo, hi),
        allow_constant=True,
    ).to_numpy()
    warns = []
    incomplete = np.isnan(x).any(axis=1)
    if missing == "listwise" and incomplete.any():
        warns.append(
            f"{int(incomplete.sum())} of {x.shape[0]} respondents dropped (listwise) for a "
            f"missing answer in {items}."
        )
        warn(warns[-1], MissingDataWarning)
        x = x[~incomplete]
        rw = None if rw is None else rw[~incomplete]
    counts = (~np.isnan(x)).sum(axis=0)
    empty = [c for c, k in zip(items, counts) if k == 0]
    if empty:
        raise EmptyDataError(f"item(s) {empty} have no non-missing answer.")
    if (counts < x.shape[0]).any():
        warns.append(
            f"{int(x.shape[0] * len(items) - counts.sum())} missing item answer(s) "
            "omitted; item means use the available answers."
        )
        warn(warns[-1], MissingDataWarning)

    def item_means(xx, ww):
        if ww is None:
            return np.nanmean(xx, axis=0)
        ok = ~np.isnan(xx)
        return np.nansum(xx * ww[:, None], axis=0) / (ok * ww[:, None]).sum(axis=0)

    def index_of(i):
        m = item_means(x[i], None if rw is None else rw[i])
        return np.array([100.0 * np.sum(w * (m - lo)) / ((hi - lo) * w.sum())])

    value = float(index_of(np.arange(x.shape[0]))[0])
    if value in (0.0, 100.0):
        _degenerate(
            f"every answer to {items} is at the {'top' if value else 'bottom'} of the "
            f"{lo:g}-{hi:g} scale: the index is {value:g}, at the end of its range.",
            warns,
        )
    means = item_means(x, rw)
    table = pd.DataFrame(
        {
            "item": items,
            "n": counts,
            "mean": means,
            "weight": w / w.sum(),
            "score": 100.0 * (means - lo) / (hi - lo),
        }
    )
    lo_ci = hi_ci = np.nan
    if n_boot:
        draws = run_bootstrap(
            index_of,
            x.shape[0],
            n_boot,
            k=1,
            seed=seed,
            n_jobs=n_jobs,
            progress=progress,
            desc="CSI bootstrap",
        )
        warns += bootstrap_notes(draws)
        a, b = percentile_ci(draws.valid, ci)
        lo_ci, hi_ci = float(a[0]), float(b[0])
    return CSIResult(
        value, table, lo_ci, hi_ci, (lo, hi), int(x.shape[0]), n_boot, ci, tuple(warns)
    )


def _are_item_weights(weights, items, data) -> bool:
    """Whether ``weights`` is an old-style item-weight argument (mapping or one per item)."""
    if weights is None or isinstance(weights, str):
        return False
    if isinstance(weights, Mapping):
        return True
    n_rows = len(data) if isinstance(data, pd.DataFrame) else -1
    try:
        k = len(weights)
    except TypeError:
        return False
    return k == len(items) and k != n_rows
