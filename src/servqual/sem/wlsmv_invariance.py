"""Multigroup WLSMV with parameters shared across groups (ordinal measurement invariance).

lavaan 0.6's conventions for ordinal indicators in several groups (delta
parameterization), as ``lavaan::sem(..., ordered = TRUE, group = g,
group.equal = ...)`` fits them:

- the sample statistics of group ``g`` are the thresholds and the polychoric
  correlations; DWLS weights ``1 / diag(Gamma_g)`` with ``Gamma_g`` the full
  ``muthen1984`` asymptotic covariance (thresholds and correlations,
  :func:`~servqual.sem.polychoric.full_gamma`);
- the latent responses ``y*`` have intercepts 0, mean ``mu*_g = Lambda_g alpha_g``
  and covariance ``Sigma*_g = Lambda_g Psi_g Lambda_g' + Theta_g``; the scale
  factors ``delta_g = 1 / sd(y*_g)`` make the model-implied polychorics
  ``delta_i delta_j Sigma*_ij`` and the model-implied (standardised) thresholds
  ``delta_i (tau_ik - mu*_i)``; the residual variances are derived,
  ``Theta_ii = 1 / delta_i^2 - (Lambda Psi Lambda')_ii``;
- identification: in the first group ``delta = 1`` and ``alpha = 0``; with
  ``"thresholds"`` in ``group_equal`` the thresholds are one set of parameters
  and, in the other groups, the scale factors and the latent means are free;
  without it each group has its own (saturated) thresholds, ``delta = 1`` and
  ``alpha = 0``.  ``"intercepts"`` changes nothing (the latent-response
  intercepts are fixed at 0), as in lavaan;
- fit function ``F = sum_g f_g (s_g - sigma_g)' W_g (s_g - sigma_g)`` with
  ``f_g = n_g / N``; statistic ``T = (N - G) F`` (N - 1 with one group, as
  lavaan), robust sandwich standard errors and the scaled-and-shifted test from
  the stacked ``W = diag(f_g W_g)`` and ``Gamma = diag(Gamma_g / f_g)``.

lavaan 0.6.14 reports no robust (Savalei catML) CFI/TLI/RMSEA for these
models (``NA``); servqual reports NaN for them likewise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.linalg import block_diag

from .._warn import warn
from ..errors import ConvergenceWarning, ParameterError
from .indices import FIT_KEYS, scaled_shifted_measures
from .ml import MLProblem, SampleMoments, start_values

__all__ = ["wlsmv_shared_estimate"]


class _Layout:
    """Where each parameter lives in the stacked vector ``[ram | tau | delta | alpha]``."""

    def __init__(self, ram, G, n_tau, equal_thresholds):
        pt = ram.partable
        obs = list(ram.observed)
        fixed = np.zeros(ram.q, dtype=bool)
        for row in pt.itertuples():
            if row.par >= 0 and (
                row.op == "~1" or (row.op == "~~" and row.lhs == row.rhs and row.lhs in obs)
            ):
                fixed[row.par] = True
        self.ram_free = np.flatnonzero(~fixed)
        self.q_ram = ram.q
        self.G = G
        self.p = len(obs)
        grp = ram.groups[0]
        self.n_lat = grp.v - grp.p
        self.eq = equal_thresholds
        self.n_tau = n_tau
        k = self.ram_free.size
        self.tau = [
            slice(k, k + n_tau) if equal_thresholds else slice(k + g * n_tau, k + (g + 1) * n_tau)
            for g in range(G)
        ]
        k += n_tau if equal_thresholds else G * n_tau
        self.delta, self.alpha = [None] * G, [None] * G
        if equal_thresholds:
            for g in range(1, G):
                self.delta[g] = slice(k, k + self.p)
                k += self.p
            for g in range(1, G):
                self.alpha[g] = slice(k, k + self.n_lat)
                k += self.n_lat
        self.k = k

    def parts(self, phi, g):
        delta = np.ones(self.p) if self.delta[g] is None else phi[self.delta[g]]
        alpha = np.zeros(self.n_lat) if self.alpha[g] is None else phi[self.alpha[g]]
        return phi[self.tau[g]], delta, alpha


def wlsmv_shared_estimate(prep, ram, group_equal, gamma="muthen1984"):
    """``(theta, vcov, estimated, indices, problem, converged, messages)`` as
    :func:`servqual.sem.ordinal.wlsmv_estimate`; ``problem.ordinal_rows`` holds the
    threshold, scale-factor (``~*~``) and latent-mean (``~1``) rows.

    Examples
    --------
    The public way in is :func:`servqual.sem.fit` with ``ordered=True``, a
    ``group`` and ``group_equal`` (compared with lavaan in
    ``tests/test_sem_peers.py``):

    >>> import pandas as pd, servqual
    >>> a, _ = servqual.simulate_survey(800, servqual.Truth(scale_points=5), seed=1)
    >>> b, _ = servqual.simulate_survey(800, servqual.Truth(scale_points=5), seed=2)
    >>> d = pd.concat([a.assign(g="a"), b.assign(g="b")], ignore_index=True)
    >>> res = servqual.sem.fit("f =~ P1 + P2 + P3 + P4", d, ordered=True, group="g",
    ...                        group_equal=["thresholds", "loadings"])
    >>> p = res.params
    >>> sorted(p.loc[p.op == "~*~", "group"].unique()), int(res.fit_indices["df"])
    (['a', 'b'], 18)
    """
    from .polychoric import full_gamma, polychoric_moments

    if gamma != "muthen1984":
        raise ParameterError(
            "multigroup WLSMV with shared parameters uses lavaan's 'muthen1984' Gamma only."
        )
    names = list(ram.observed)
    G = len(prep.arrays)
    frames = [pd.DataFrame(X, columns=names) for X in prep.arrays]
    moms = [polychoric_moments(f, names, gamma=gamma) for f in frames]
    counts = [[m.thresholds[c].size for c in names] for m in moms]
    equal_thr = "thresholds" in tuple(group_equal)
    if equal_thr and any(c != counts[0] for c in counts):
        bad = [c for i, c in enumerate(names) if len({cnt[i] for cnt in counts}) > 1]
        raise ParameterError(
            f"group_equal='thresholds' needs the same categories in every group; item(s) {bad} "
            f"have different numbers of observed categories across groups {prep.group_labels}."
        )
    gammas = [full_gamma(f, m) for f, m in zip(frames, moms)]
    svec = [
        np.concatenate([m.thresholds[c].to_numpy() for c in names] + [_lower(m.corr.to_numpy())])
        for m in moms
    ]
    wdiag = [1.0 / np.diag(gm) for gm in gammas]
    ns = np.array([m.n for m in moms], dtype=float)
    N = ns.sum()
    # lavaan 0.6: the groups' discrepancies are weighted by (n_g - 1) / (N - G) in the
    # fit function (T = sum_g (n_g - 1) F_g), by n_g / N in the sandwich and the
    # scaled test (checked against lavaan 0.6.14 on bfi, tests/test_sem_peers.py)
    f = (ns - 1) / (N - G)
    n_tau = sum(counts[0])
    lay = _Layout(ram, G, n_tau, equal_thr)
    # start: ML on the polychoric matrices (shared labels honoured), pooled thresholds
    Rs = [m.corr.loc[names, names].to_numpy() for m in moms]
    sm = SampleMoments(tuple(Rs), tuple(np.zeros(len(names)) for _ in Rs), ns.astype(int))
    problem = MLProblem(ram, sm)
    theta_ml, _, _, _ = problem.fit(start_values(ram, sm))
    phi0 = np.zeros(lay.k)
    phi0[: lay.ram_free.size] = theta_ml[lay.ram_free]
    for g in range(G):
        tau_g = svec[g][:n_tau]
        phi0[lay.tau[g]] = (sum(f[h] * svec[h][:n_tau] for h in range(G))) if equal_thr else tau_g
        if lay.delta[g] is not None:
            phi0[lay.delta[g]] = 1.0
    base_theta = theta_ml.copy()
    base_theta[~np.isin(np.arange(ram.q), lay.ram_free)] = 0.0
    li, lj = np.tril_indices(len(names), -1)
    perms = []
    for g in range(G):
        gn = list(ram.groups[g].names[: ram.groups[g].p])
        perms.append(np.array([gn.index(c) for c in names]))
    item_of_tau = np.repeat(np.arange(len(names)), counts[0])

    def ram_theta(phi):
        th = base_theta.copy()
        th[lay.ram_free] = phi[: lay.ram_free.size]
        return th

    def implied(phi, g):
        th = ram_theta(phi)
        Sigma, _, B, _, _ = ram.moments(th, g, problem.bases[g])
        P = perms[g]
        Sig = np.asarray(Sigma)[np.ix_(P, P)]
        lam = np.asarray(B)[: lay.p, lay.p :][P]
        tau, delta, alpha = lay.parts(phi, g)
        mu = lam @ alpha
        t_model = delta[item_of_tau] * (tau - mu[item_of_tau])
        r_model = delta[li] * delta[lj] * Sig[li, lj]
        return np.concatenate([t_model, r_model]), Sig, delta

    sw = [np.sqrt(f[g] * wdiag[g]) for g in range(G)]

    def resid(phi):
        return np.concatenate([sw[g] * (svec[g] - implied(phi, g)[0]) for g in range(G)])

    def jac_groups(phi, eps=1e-6):
        cols = [[] for _ in range(G)]
        for k in range(phi.size):
            h = np.zeros_like(phi)
            h[k] = eps * max(1.0, abs(phi[k]))
            for g in range(G):
                cols[g].append((implied(phi + h, g)[0] - implied(phi - h, g)[0]) / (2 * h[k]))
        return [np.column_stack(c) for c in cols]

    sol = optimize.least_squares(
        resid,
        phi0,
        jac=lambda t: -np.vstack([sw[g][:, None] * D for g, D in enumerate(jac_groups(t))]),
        method="lm",
        xtol=1e-12,
        ftol=1e-12,
        gtol=1e-12,
        max_nfev=500,
    )
    phi = sol.x
    messages = []
    for m in moms:
        messages += list(m.warnings)
    converged = bool(sol.success)
    if not converged:
        msg = f"DWLS (multigroup, shared parameters) did not converge: {sol.message}"
        messages.append(msg)
        warn(msg, ConvergenceWarning)
    Ds = jac_groups(phi)
    n_star = N - G  # lavaan's N - 1 of one group, N - G of several
    fs = ns / N
    W = block_diag(*[fs[g] * np.diag(wdiag[g]) for g in range(G)])
    Gam = block_diag(*[gammas[g] / fs[g] for g in range(G)])
    D = np.vstack(Ds)
    WD = W @ D
    binv = np.linalg.inv(D.T @ WD)
    vcov_phi = binv @ (WD.T @ Gam @ WD) @ binv / n_star
    # fit statistics
    r = [svec[g] - implied(phi, g)[0] for g in range(G)]
    F = sum(f[g] * np.sum(wdiag[g] * r[g] ** 2) for g in range(G))
    T = float(n_star * F)
    n_stats = sum(s.size for s in svec)
    df = int(n_stats - lay.k)
    U = W - WD @ binv @ WD.T
    UG = U @ Gam
    tr1, tr2 = float(np.trace(UG)), float(np.sum(UG * UG.T))
    # baseline: thresholds saturated in every group, correlations zero
    Tb = float(
        n_star * sum(f[g] * np.sum(wdiag[g][n_tau:] * svec[g][n_tau:] ** 2) for g in range(G))
    )
    Wb = [fs[g] * wdiag[g][n_tau:] for g in range(G)]
    Gb = block_diag(*[gammas[g][n_tau:, n_tau:] / fs[g] for g in range(G)])
    UGb = np.diag(np.concatenate(Wb)) @ Gb
    dfb = int(sum(s.size - n_tau for s in svec))
    tb1, tb2 = float(np.trace(UGb)), float(np.sum(UGb * UGb.T))
    indices = dict.fromkeys(FIT_KEYS, np.nan)
    indices.update(scaled_shifted_measures(T, df, tr1, tr2, Tb, dfb, tb1, tb2, n_star, G))
    indices.update(
        npar=int(lay.k),
        n=int(N),
        cfi_robust=np.nan,
        tli_robust=np.nan,
        rmsea_robust=np.nan,
    )
    srmr = 0.0
    iu = np.triu_indices(len(names), 1)
    for g in range(G):
        _, Sig, delta = implied(phi, g)
        P = delta[:, None] * delta[None, :] * Sig
        res = (Rs[g] - P)[iu]
        srmr += ns[g] / N * np.sqrt(np.mean(np.r_[res, np.zeros(len(names))] ** 2))
    indices["srmr"] = float(srmr)
    # RAM parameters: derived residual variances 1/delta^2 - (Lambda Psi Lambda')_ii
    theta = ram_theta(phi)
    obs = list(ram.observed)
    for g in range(G):
        _, Sig, delta = implied(phi, g)
        for row in ram.partable[(ram.partable["group"] == g)].itertuples():
            if row.par >= 0 and row.op == "~~" and row.lhs == row.rhs and row.lhs in obs:
                i = names.index(row.lhs)
                theta[row.par] = 1.0 / delta[i] ** 2 - Sig[i, i]
    q = ram.q
    vcov = np.zeros((q, q))
    kr = lay.ram_free.size
    vcov[np.ix_(lay.ram_free, lay.ram_free)] = vcov_phi[:kr, :kr]
    est = np.zeros(q, dtype=bool)
    est[lay.ram_free] = True
    se_phi = np.sqrt(np.clip(np.diag(vcov_phi), 0, None))
    rows = []
    for g in range(G):
        tau, delta, alpha = lay.parts(phi, g)
        ts = se_phi[lay.tau[g]]
        k = 0
        for i, c in enumerate(names):
            for t in range(counts[0][i]):
                lab = f".thr.{c}|t{t + 1}" if equal_thr else ""
                rows.append((g, c, "|", f"t{t + 1}", lab, tau[k], ts[k], delta[i]))
                k += 1
        dse = se_phi[lay.delta[g]] if lay.delta[g] is not None else np.zeros(lay.p)
        for i, c in enumerate(names):
            rows.append((g, c, "~*~", c, "", delta[i], dse[i], 1.0))
        ase = se_phi[lay.alpha[g]] if lay.alpha[g] is not None else np.zeros(lay.n_lat)
        grp = ram.groups[g]
        lat = list(grp.names[grp.p :])
        _, _, B, S, _ = ram.moments(theta, g, problem.bases[g])
        Bl = np.asarray(B)[grp.p :, :]
        lat_sd = np.sqrt(np.diag(Bl @ np.asarray(S) @ Bl.T))
        for j, c in enumerate(lat):
            rows.append((g, c, "~1", "", "", alpha[j], ase[j], 1.0 / lat_sd[j]))
    problem.ordinal_rows = pd.DataFrame(
        rows, columns=["group", "lhs", "op", "rhs", "label", "est", "se", "scale"]
    )
    problem.polychoric = moms[0]
    problem.polychorics = moms
    problem.gamma = gamma
    problem.shared_thresholds = equal_thr
    return theta, vcov, est, indices, problem, converged, messages


def _lower(R: np.ndarray) -> np.ndarray:
    return R[np.tril_indices(R.shape[0], -1)]
