"""Polychoric correlations and their asymptotic covariance (for DWLS / WLSMV).

Two-step estimator (Olsson 1979, *Psychometrika* 44, 443-460): thresholds
``tau = Phi^-1(cumulative proportions)`` of each item, then, per pair, the ML
correlation of the underlying bivariate normal given the thresholds.
Rectangle probabilities use an exact vectorised bivariate-normal CDF via
Owen's T function (``scipy.special.owens_t``).

The asymptotic covariance matrix ``Gamma`` of the polychorics accounts for
the estimated thresholds through case-wise influence functions (Muthen 1984,
*Psychometrika* 49, 115-132; the approach of lavaan's ``muthen1984``):
``IF_rho,i = A_rr^-1 (s_rho,i - A_rt IF_tau,i)`` with ``s_rho`` the bivariate
score, ``A_rr`` its expected information, ``A_rt = -E[d s_rho / d tau]`` and
``IF_tau`` the thresholds' influence functions.  ``Gamma = mean(IF IF')`` is
the covariance of ``sqrt(n) (rho_hat - rho)``; the DWLS weight is
``diag(Gamma)^-1``.
"""

from __future__ import annotations

from dataclasses import field

import numpy as np
import pandas as pd
from scipy import optimize, special

from .._checks import check_frame
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from .._warn import warn
from ..errors import (
    ConstantItemError,
    ImproperSolutionWarning,
    NotPositiveDefiniteWarning,
    OutOfRangeError,
    ParameterError,
)

__all__ = [
    "bivariate_normal_cdf",
    "thresholds",
    "polychoric",
    "polychoric_matrix",
    "polychoric_moments",
    "PolychoricPair",
    "PolychoricMoments",
    "full_gamma",
]

_RHO_MAX = 0.9999
_TINY = 1e-300


def bivariate_normal_cdf(h, k, rho) -> np.ndarray:
    """``P(Z1 <= h, Z2 <= k)`` for standard bivariate normals with correlation ``rho``.

    Exact (to rounding) via Owen's T function:
    ``Phi2 = (Phi(h) + Phi(k))/2 - T(h, a_h) - T(k, a_k) - beta`` with
    ``a_h = (k - rho h)/(h sqrt(1 - rho^2))`` and ``beta = 1/2`` when ``h`` and
    ``k`` have opposite signs (Owen 1956).  Broadcasts; infinite limits allowed.

    Examples
    --------
    >>> round(float(bivariate_normal_cdf(0.0, 0.0, 0.5)), 6)  # 1/4 + asin(.5)/(2 pi)
    0.333333
    """
    h, k, rho = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (h, k, rho)))
    out = np.empty(h.shape)
    fin = np.isfinite(h) & np.isfinite(k)
    # infinite limits
    out[~fin] = np.where(
        (h[~fin] == -np.inf) | (k[~fin] == -np.inf),
        0.0,
        np.where(h[~fin] == np.inf, special.ndtr(k[~fin]), special.ndtr(h[~fin])),
    )
    hh, kk, rr = h[fin], k[fin], rho[fin]
    hh = np.where(hh == 0, _TINY, hh)
    kk = np.where(kk == 0, _TINY, kk)
    s = np.sqrt(1.0 - rr * rr)
    with np.errstate(over="ignore"):
        ah = (kk - rr * hh) / (hh * s)
        ak = (hh - rr * kk) / (kk * s)
    beta = np.where((hh > 0) != (kk > 0), 0.5, 0.0)
    out[fin] = (
        0.5 * (special.ndtr(hh) + special.ndtr(kk))
        - special.owens_t(hh, ah)
        - special.owens_t(kk, ak)
        - beta
    )
    return np.clip(out, 0.0, 1.0)


def _bvn_pdf(h, k, rho):
    s2 = 1.0 - rho * rho
    with np.errstate(invalid="ignore", over="ignore"):
        q = (h * h - 2 * rho * h * k + k * k) / s2
        d = np.exp(-0.5 * q) / (2 * np.pi * np.sqrt(s2))
    return np.where(np.isfinite(h) & np.isfinite(k), d, 0.0)


def _codes(x: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    cats, codes = np.unique(x, return_inverse=True)
    if cats.size < 2:
        raise ConstantItemError(f"column {name!r} has a single category; no thresholds exist.")
    if cats.size > 20:
        raise OutOfRangeError(
            f"column {name!r} has {cats.size} distinct values; an ordinal item with at most "
            "20 categories is expected."
        )
    return cats, codes


def _tau(codes: np.ndarray, m: int) -> np.ndarray:
    cum = np.cumsum(np.bincount(codes, minlength=m))[:-1] / codes.size
    return special.ndtri(cum)


def thresholds(x, *, name: str = "x") -> pd.Series:
    """Thresholds of an ordinal variable: ``Phi^-1`` of its cumulative proportions.

    Returns a Series indexed by the category each threshold closes (``t1`` is
    the upper limit of the lowest observed category).

    Examples
    --------
    >>> thresholds([1, 1, 2, 2, 2, 3, 3, 3]).round(4).tolist()
    [-0.6745, 0.3186]
    """
    v = check_frame(pd.DataFrame({name: np.asarray(x)}), [name], integer=False)[name].to_numpy()
    cats, codes = _codes(v, name)
    tau = _tau(codes, cats.size)
    return pd.Series(tau, index=[f"t{j + 1}" for j in range(tau.size)], name=name)


def _grid(tx, ty, rho):
    """Cell probabilities (r x s) and the Phi2 grid with infinite borders."""
    a = np.r_[-np.inf, tx, np.inf]
    b = np.r_[-np.inf, ty, np.inf]
    G = bivariate_normal_cdf(a[:, None], b[None, :], rho)
    pi = G[1:, 1:] - G[:-1, 1:] - G[1:, :-1] + G[:-1, :-1]
    return np.maximum(pi, 1e-300), a, b


def _dpi_drho(a, b, rho):
    D = _bvn_pdf(a[:, None], b[None, :], rho)
    return D[1:, 1:] - D[:-1, 1:] - D[1:, :-1] + D[:-1, :-1]


def _fit_pair(table: np.ndarray, tx: np.ndarray, ty: np.ndarray) -> tuple[float, bool]:
    def nll(r):
        pi, _, _ = _grid(tx, ty, r)
        return -float(np.sum(table * np.log(pi)))

    res = optimize.minimize_scalar(
        nll, bounds=(-_RHO_MAX, _RHO_MAX), method="bounded", options={"xatol": 1e-10}
    )
    rho = float(res.x)
    return rho, bool(res.success) and abs(rho) < _RHO_MAX - 1e-6


def _fit_pairs_batched(tables, ta, tb, start, max_iter=60):
    """Fisher scoring for many pairs at once (padded to a common grid).

    ``tables`` (m, R, S) counts, ``ta`` (m, R+1) / ``tb`` (m, S+1) threshold
    grids with -inf/+inf borders (padding categories have +inf limits and zero
    counts).  Returns rho (m,) and a converged mask; unconverged pairs are
    refitted by the bounded 1-D search.
    """
    rho = np.clip(start, -0.95, 0.95)
    n = tables.sum(axis=(1, 2))

    def cells(r):
        G = bivariate_normal_cdf(ta[:, :, None], tb[:, None, :], r[:, None, None])
        pi = G[:, 1:, 1:] - G[:, :-1, 1:] - G[:, 1:, :-1] + G[:, :-1, :-1]
        D = _bvn_pdf(ta[:, :, None], tb[:, None, :], r[:, None, None])
        dr = D[:, 1:, 1:] - D[:, :-1, 1:] - D[:, 1:, :-1] + D[:, :-1, :-1]
        return pi, dr

    def loglik(pi):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.sum(
                np.where(tables > 0, tables * np.log(np.maximum(pi, 1e-300)), 0.0), axis=(1, 2)
            )

    pi, dr = cells(rho)
    ll = loglik(pi)
    done = np.zeros(rho.size, dtype=bool)
    for _ in range(max_iter):
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(pi > 1e-300, dr / pi, 0.0)
        score = np.sum(tables * ratio, axis=(1, 2))
        info = n * np.sum(dr * ratio, axis=(1, 2))
        step = np.where(done | (info <= 0), 0.0, score / np.maximum(info, 1e-300))
        new = np.clip(rho + step, -_RHO_MAX, _RHO_MAX)
        for _halve in range(30):
            pi_n, dr_n = cells(new)
            ll_n = loglik(pi_n)
            worse = (ll_n < ll - 1e-12) & ~done
            if not worse.any():
                break
            new = np.where(worse, 0.5 * (rho + new), new)
        done |= np.abs(new - rho) < 1e-10
        rho, pi, dr, ll = new, pi_n, dr_n, ll_n
        if done.all():
            break
    ok = done & (np.abs(rho) < _RHO_MAX - 1e-6)
    return rho, ok


def _pair_influence(cx, cy, tx, ty, rho, ifx, ify):
    """Case-wise influence function of rho for one pair (length n)."""
    pi, a, b = _grid(tx, ty, rho)
    dr = _dpi_drho(a, b, rho)
    info = float(np.sum(dr * dr / pi))  # expected information A_rr (per case)
    s = np.sqrt(1.0 - rho * rho)
    # d Phi2(a_i, b_j)/d a_i = phi(a_i) Phi((b_j - rho a_i)/s); zero at infinite a_i
    with np.errstate(invalid="ignore"):
        ga = special.ndtr((b[None, :] - rho * a[:, None]) / s) * _phi(a)[:, None]
        gb = special.ndtr((a[:, None] - rho * b[None, :]) / s) * _phi(b)[None, :]
    ga = np.nan_to_num(ga)
    gb = np.nan_to_num(gb)
    r, c = pi.shape
    # d pi_ij / d tau_x[m] (m = 1..r-1, interior thresholds): cell rows m (upper) and m+1
    dga = ga[:, 1:] - ga[:, :-1]  # (r+1, s): d/d a_i of [Phi2(a_i, b_j) - Phi2(a_i, b_{j-1})]
    dgb = gb[1:, :] - gb[:-1, :]  # (r, s+1)
    a_rx = np.array(
        [
            np.sum(dr[m - 1] * dga[m] / pi[m - 1]) - np.sum(dr[m] * dga[m] / pi[m])
            for m in range(1, r)
        ]
    )
    a_ry = np.array(
        [
            np.sum(dr[:, m - 1] * dgb[:, m] / pi[:, m - 1])
            - np.sum(dr[:, m] * dgb[:, m] / pi[:, m])
            for m in range(1, c)
        ]
    )
    score = (dr / pi)[cx, cy]
    return (score - ifx @ a_rx - ify @ a_ry) / info


def _tau_scores(codes: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Case-wise scores of the univariate probit likelihood w.r.t. the thresholds."""
    a = np.r_[-np.inf, tau, np.inf]
    P = special.ndtr(a[1:]) - special.ndtr(a[:-1])
    ph = _phi(a)
    n, m = codes.size, tau.size
    out = np.zeros((n, m))
    rows = np.arange(n)
    up = codes < m  # upper threshold tau_k exists
    out[rows[up], codes[up]] += ph[codes[up] + 1] / P[codes[up]]
    lo = codes > 0
    out[rows[lo], codes[lo] - 1] -= ph[codes[lo]] / P[codes[lo]]
    return out


def _bv_tau_scores(cx, cy, pi, a, b, rho):
    """Case-wise scores of the bivariate probit likelihood w.r.t. both items' thresholds."""
    s = np.sqrt(1.0 - rho * rho)
    with np.errstate(invalid="ignore"):
        ga = special.ndtr((b[None, :] - rho * a[:, None]) / s) * _phi(a)[:, None]
        gb = special.ndtr((a[:, None] - rho * b[None, :]) / s) * _phi(b)[None, :]
    dga = np.nan_to_num(ga)[:, 1:] - np.nan_to_num(ga)[:, :-1]  # (r+1, c)
    dgb = np.nan_to_num(gb)[1:, :] - np.nan_to_num(gb)[:-1, :]  # (r, c+1)
    r, c = pi.shape
    n = cx.size
    rows = np.arange(n)
    gx = np.zeros((n, r - 1))
    gy = np.zeros((n, c - 1))
    p_case = pi[cx, cy]
    up = cx < r - 1
    gx[rows[up], cx[up]] += dga[cx[up] + 1, cy[up]] / p_case[up]
    lo = cx > 0
    gx[rows[lo], cx[lo] - 1] -= dga[cx[lo], cy[lo]] / p_case[lo]
    up = cy < c - 1
    gy[rows[up], cy[up]] += dgb[cx[up], cy[up] + 1] / p_case[up]
    lo = cy > 0
    gy[rows[lo], cy[lo] - 1] -= dgb[cx[lo], cy[lo]] / p_case[lo]
    return gx, gy


def _muthen1984_gamma(codes, taus, R, li, lj) -> np.ndarray:
    """The correlation block of :func:`_muthen1984_influence`'s ``n IF' IF``."""
    _, infl = _muthen1984_influence(codes, taus, R, li, lj)
    return codes[0].size * (infl.T @ infl)


def _muthen1984_influence(codes, taus, R, li, lj) -> tuple[np.ndarray, np.ndarray]:
    """Gamma of the polychorics as lavaan's ``muthen1984`` builds it (lavaan 0.6).

    The blocks of the two-step estimating equations are estimated by outer
    products of case-wise scores: ``A11`` (per variable, thresholds),
    ``A22 = diag(sum s_rho^2)`` and ``A21 = sum s_rho s_tau'`` (the pair's own
    thresholds), and ``Gamma = n B^-1 (SC'SC) B^-T`` with
    ``B^-1 = [[A11^-1, 0], [-A22^-1 A21 A11^-1, A22^-1]]`` -- the correlation
    block is returned.  Its threshold correction uses the univariate scores
    where the exact two-step influence function uses the bivariate
    likelihood's, so its diagonal is smaller (see ``gamma="expected"`` and
    ``validation/wlsmv_gamma.py``).
    """
    n = codes[0].size
    sc_t = [_tau_scores(cd, t) for cd, t in zip(codes, taus)]
    start = np.cumsum([0] + [s.shape[1] for s in sc_t])
    ST = np.hstack(sc_t)
    A11inv = np.zeros((ST.shape[1], ST.shape[1]))
    for k, s in enumerate(sc_t):
        sl = slice(start[k], start[k + 1])
        A11inv[sl, sl] = np.linalg.inv(s.T @ s)
    SR = np.zeros((n, li.size))
    A21 = np.zeros((li.size, ST.shape[1]))
    for k, (i, j) in enumerate(zip(li, lj)):
        rho = R[i, j]
        pi, a, b = _grid(taus[i], taus[j], rho)
        SR[:, k] = (_dpi_drho(a, b, rho) / pi)[codes[i], codes[j]]
        gx, gy = _bv_tau_scores(codes[i], codes[j], pi, a, b, rho)
        A21[k, start[i] : start[i + 1]] = SR[:, k] @ gx
        A21[k, start[j] : start[j + 1]] = SR[:, k] @ gy
    a22 = np.einsum("ij,ij->j", SR, SR)
    # rows of B^-1 for the correlations, applied to the case-wise scores
    infl = (SR - ST @ (A11inv @ A21.T)) / a22
    # rows of B^-1 for the thresholds: A11^-1 s_tau (all items' thresholds, item order)
    return ST @ A11inv, infl


def full_gamma(data: pd.DataFrame, moments: PolychoricMoments) -> np.ndarray:
    """lavaan's ``muthen1984`` asymptotic covariance of ``sqrt(n)`` times the thresholds
    (items in ``moments.corr`` order, each item's ``t1, t2, ...``) followed by the
    polychorics (``moments.pairs`` order) -- the full ``Gamma`` that WLSMV with
    threshold structure (multigroup invariance) needs; ``moments.gamma`` is its
    correlation block and ``moments.thresholds_gamma`` its threshold diagonal.

    Examples
    --------
    >>> import servqual
    >>> df, _ = servqual.simulate_survey(300, seed=1)
    >>> m = polychoric_moments(df, ["P1", "P2", "P3"])
    >>> G = full_gamma(df, m)
    >>> k = sum(t.size for t in m.thresholds.values())
    >>> bool(np.allclose(G[k:, k:], m.gamma.to_numpy()))
    True
    """
    if not isinstance(moments, PolychoricMoments):
        raise ParameterError(
            f"moments must be the PolychoricMoments of polychoric_moments(data, ...); got "
            f"{type(moments).__name__}."
        )
    cols = list(moments.corr.columns)
    frame = check_frame(data, cols, min_rows=3)
    if frame.shape[0] != moments.n:
        raise ParameterError(
            f"data has {frame.shape[0]} row(s) but the moments were estimated on {moments.n}: "
            "pass the frame they were computed from."
        )
    codes = []
    for c in cols:
        cats, cd = _codes(frame[c].to_numpy(), c)
        if cats.size != moments.thresholds[c].size + 1:
            raise ParameterError(
                f"column {c!r} has {cats.size} categories in data but "
                f"{moments.thresholds[c].size + 1} in the moments: pass the frame they were "
                "computed from."
            )
        codes.append(cd)
    taus = [moments.thresholds[c].to_numpy() for c in cols]
    p = len(cols)
    li, lj = np.tril_indices(p, -1)
    if_t, if_r = _muthen1984_influence(codes, taus, moments.corr.to_numpy(), li, lj)
    infl = np.hstack([if_t, if_r])
    return codes[0].size * (infl.T @ infl)


def _phi(x):
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(x), np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi), 0.0)


def _tau_influence(codes: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """IF of tau_m = Phi^-1(P(X <= m)): (1{x <= m} - P_m) / phi(tau_m); shape (n, m)."""
    m = np.arange(tau.size)
    ind = (codes[:, None] <= m[None, :]).astype(float)
    return (ind - special.ndtr(tau)[None, :]) / _phi(tau)[None, :]


@resultclass
class PolychoricPair(Result):
    """Polychoric correlation of two ordinal variables.

    Attributes
    ----------
    rho, se : estimate and two-step standard error (thresholds' uncertainty included)
    thresholds_x, thresholds_y : Series
    table : DataFrame, the contingency table
    loglik : float
    converged : bool (False when rho is at the +-0.9999 bound)
    """

    rho: float
    se: float
    thresholds_x: pd.Series
    thresholds_y: pd.Series
    table: pd.DataFrame = field(repr=False)
    loglik: float
    converged: bool

    def to_frame(self) -> pd.DataFrame:
        """One row: ``rho``, ``se``, ``loglik``, ``converged``."""
        return pd.DataFrame(
            [{"rho": self.rho, "se": self.se, "loglik": self.loglik, "converged": self.converged}]
        )

    def summary(self) -> Summary:
        """The estimate and the contingency table."""
        head = {"rho": self.rho, "se": self.se, "loglik": self.loglik}
        head["converged"] = self.converged
        return Summary(
            "Polychoric correlation", [("Estimate", head), ("Contingency table", self.table)]
        )


@records_provenance
def polychoric(x, y) -> PolychoricPair:
    """Polychoric correlation of two ordinal variables (two-step ML, Olsson 1979).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> z = rng.multivariate_normal([0, 0], [[1, .6], [.6, 1]], size=20_000)
    >>> res = polychoric(np.digitize(z[:, 0], [-1, 0, 1]), np.digitize(z[:, 1], [-.5, .5]))
    >>> abs(res.rho - 0.6) < 3 * res.se
    True
    """
    names = (getattr(x, "name", None) or "x", getattr(y, "name", None) or "y")
    if names[0] == names[1]:
        names = (names[0], names[1] + "_2")
    frame = check_frame(
        pd.DataFrame({names[0]: np.asarray(x), names[1]: np.asarray(y)}), list(names), min_rows=2
    )
    mom = polychoric_moments(frame, list(names))
    rho = float(mom.corr.iloc[0, 1])
    tx, ty = mom.thresholds[names[0]], mom.thresholds[names[1]]
    vx, cx = np.unique(frame[names[0]].to_numpy(), return_inverse=True)
    vy, cy = np.unique(frame[names[1]].to_numpy(), return_inverse=True)
    table = np.zeros((vx.size, vy.size))
    np.add.at(table, (cx, cy), 1)
    pi, _, _ = _grid(tx.to_numpy(), ty.to_numpy(), rho)
    return PolychoricPair(
        rho=rho,
        se=float(np.sqrt(mom.gamma.iloc[0, 0] / mom.n)),
        thresholds_x=tx,
        thresholds_y=ty,
        table=pd.DataFrame(
            table, index=pd.Index(vx, name=names[0]), columns=pd.Index(vy, name=names[1])
        ),
        loglik=float(np.sum(table * np.log(pi))),
        converged=bool(mom.converged.iloc[0]),
    )


@resultclass
class PolychoricMoments(Result):
    """Sample statistics for DWLS / WLSMV on ordinal items.

    Attributes
    ----------
    corr : DataFrame (p x p) polychoric correlation matrix
    thresholds : dict column -> Series of thresholds
    pairs : list of (column, column) in the order of ``gamma`` (row-wise lower
        triangle: (x2, x1), (x3, x1), (x3, x2), ...)
    gamma : DataFrame, asymptotic covariance of ``sqrt(n) (rho_hat - rho)``
        over ``pairs``
    weights : Series, DWLS weights ``1 / diag(gamma)`` (per case; multiply by n
        for the weight of the fit function ``sum w (r - sigma)^2``)
    influence : ndarray (n, n_pairs), case-wise influence functions
    converged : Series of bool per pair
    n : int
    warnings : tuple of str
    """

    corr: pd.DataFrame
    thresholds: dict
    pairs: list
    gamma: pd.DataFrame
    weights: pd.Series
    influence: np.ndarray = field(repr=False)
    converged: pd.Series = field(repr=False)
    n: int = 0
    warnings: tuple[str, ...] = ()
    thresholds_gamma: pd.Series = field(default=None, repr=False)  # n Var(tau_hat), "x|t1"

    def to_frame(self) -> pd.DataFrame:
        """One row per pair of items: ``x``, ``y``, ``rho``, ``weight``, ``converged``."""
        labels = [f"{a}~~{b}" for a, b in self.pairs]
        corr = self.corr
        return pd.DataFrame(
            {
                "x": [a for a, _ in self.pairs],
                "y": [b for _, b in self.pairs],
                "rho": [float(corr.loc[a, b]) for a, b in self.pairs],
                "weight": self.weights.reindex(labels).to_numpy(),
                "converged": self.converged.reindex(labels).to_numpy(),
            }
        )

    def summary(self) -> Summary:
        """Sample size, items and the polychoric correlation matrix."""
        head = {"n": self.n, "items": self.corr.shape[0], "pairs": len(self.pairs)}
        return Summary(
            "Polychoric moments",
            [("Sample", head), ("Polychoric correlations", self.corr)],
            self.warnings,
        )


@records_provenance
def polychoric_moments(
    data: pd.DataFrame, columns=None, *, gamma: str = "muthen1984"
) -> PolychoricMoments:
    """Polychoric matrix, thresholds, asymptotic covariance ``Gamma`` and DWLS weights.

    Items must be ordinal codes (any ordered numeric values, at most 20
    categories); missing values raise
    :class:`~servqual.errors.MissingValuesError`.  ``gamma="muthen1984"``
    (default) builds ``Gamma`` as lavaan 0.6 does (blocks of the two-step
    estimating equations from outer products of case-wise scores);
    ``gamma="expected"`` uses expected-information blocks (see
    ``validation/wlsmv_gamma.py`` for how the two compare with the sampling
    variance).

    Examples
    --------
    >>> import servqual
    >>> df, _ = servqual.simulate_survey(500, seed=1)
    >>> m = polychoric_moments(df, ["P1", "P2", "P3"])
    >>> m.gamma.shape, len(m.pairs)
    ((3, 3), 3)
    """
    from .._checks import Options, check_params

    check_params({"gamma": gamma}, {"gamma": Options(("muthen1984", "expected"))})
    use_m84 = gamma == "muthen1984"
    frame = check_frame(data, columns, min_rows=3)
    cols = list(frame.columns)
    n, p = frame.shape
    codes, taus, ifs = [], {}, []
    for c in cols:
        cats, cd = _codes(frame[c].to_numpy(), c)
        t = _tau(cd, cats.size)
        codes.append(cd)
        taus[c] = pd.Series(t, index=[f"t{j + 1}" for j in range(t.size)], name=c)
        ifs.append(_tau_influence(cd, t))
    R = np.eye(p)
    li, lj = np.tril_indices(p, -1)
    m_max = max(t.size for t in taus.values()) + 1
    grid = np.full((p, m_max + 1), np.inf)
    grid[:, 0] = -np.inf
    for k, c in enumerate(cols):
        grid[k, 1 : taus[c].size + 1] = taus[c].to_numpy()
    tables = np.zeros((li.size, m_max, m_max))
    start = np.empty(li.size)
    for k, (i, j) in enumerate(zip(li, lj)):
        np.add.at(tables[k], (codes[i], codes[j]), 1)
        start[k] = (
            np.corrcoef(codes[i], codes[j])[0, 1]
            if (codes[i].std() > 0 and codes[j].std() > 0)
            else 0.0
        )
    rhos, oks = _fit_pairs_batched(tables, grid[li], grid[lj], np.nan_to_num(start))
    pairs, inf_cols, conv = [], [], []
    msgs: list[tuple[str, type]] = []
    for k, (i, j) in enumerate(zip(li, lj)):
        ti, tj = taus[cols[i]].to_numpy(), taus[cols[j]].to_numpy()
        rho, ok = float(rhos[k]), bool(oks[k])
        if not ok:  # robust fallback: bounded 1-D search
            rho, ok = _fit_pair(tables[k][: ti.size + 1, : tj.size + 1], ti, tj)
        R[i, j] = R[j, i] = rho
        pairs.append((cols[i], cols[j]))
        conv.append(ok)
        inf_cols.append(_pair_influence(codes[i], codes[j], ti, tj, rho, ifs[i], ifs[j]))
        if not ok:
            msgs.append(
                (
                    f"polychoric correlation of {cols[i]!r} and {cols[j]!r} is at the bound "
                    f"({rho:+.4f}); the pair is (nearly) perfectly associated or has empty cells.",
                    ImproperSolutionWarning,
                )
            )
    if np.linalg.eigvalsh(R)[0] <= 0:
        msgs.append(
            (
                "the polychoric correlation matrix is not positive definite.",
                NotPositiveDefiniteWarning,
            )
        )
    for m, cat in msgs:
        warn(m, cat)
    infl = np.column_stack(inf_cols) if inf_cols else np.zeros((n, 0))
    if use_m84 and li.size:
        tl = [taus[c].to_numpy() for c in cols]
        gamma = _muthen1984_gamma(codes, tl, R, li, lj)
    else:
        gamma = infl.T @ infl / n
    labels = [f"{a}~~{b}" for a, b in pairs]
    tg, tl = [], []
    for c, cd, f in zip(cols, codes, ifs):
        if use_m84:
            st = _tau_scores(cd, taus[c].to_numpy())
            tg.append(n * np.diag(np.linalg.inv(st.T @ st)))
        else:
            tg.append(np.mean(f * f, axis=0))
        tl += [f"{c}|{t}" for t in taus[c].index]
    return PolychoricMoments(
        thresholds_gamma=pd.Series(np.concatenate(tg) if tg else [], index=tl, dtype=float),
        corr=pd.DataFrame(R, index=cols, columns=cols),
        thresholds=taus,
        pairs=pairs,
        gamma=pd.DataFrame(gamma, index=labels, columns=labels),
        weights=pd.Series(1.0 / np.diag(gamma), index=labels, name="weight"),
        influence=infl,
        converged=pd.Series(conv, index=labels, dtype=bool),
        n=int(n),
        warnings=tuple(m for m, _ in msgs),
    )


def polychoric_matrix(data: pd.DataFrame, columns=None) -> pd.DataFrame:
    """Polychoric correlation matrix of ordinal items (see :func:`polychoric_moments`).

    Examples
    --------
    >>> import servqual
    >>> df, _ = servqual.simulate_survey(500, seed=1)
    >>> polychoric_matrix(df, ["P1", "P2"]).shape
    (2, 2)
    """
    return polychoric_moments(data, columns).corr
