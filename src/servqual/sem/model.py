"""RAM representation of a parameter table: implied moments and their Jacobian.

This is the internal interface every discrepancy function uses.  For group
``g`` with ``p`` observed and ``v`` total variables (observed first), the
free-parameter vector ``theta`` (length ``q``) fills

* ``A`` (v x v): directed effects, ``A[i, j]`` = effect of ``j`` on ``i``;
* ``S`` (v x v): (residual) variances and covariances;
* ``m`` (v): intercepts / means (mean structure only).

With ``B = (I - A)^-1`` and ``G = B[:p]`` the implied moments are
``Sigma = G S G'`` and ``mu = G m``.  :meth:`RAMModel.moments` returns them,
:meth:`RAMModel.jacobian` returns ``dSigma/dtheta`` (q, p, p) and
``dmu/dtheta`` (q, p), and :meth:`RAMModel.ml_gradient` contracts the ML
weight matrix with the Jacobian without forming it.  A new estimator (e.g.
DWLS on polychoric correlations, or FIML) only needs these three calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace

import numpy as np
import pandas as pd

from ..errors import SpecificationError

__all__ = ["RAMGroup", "RAMModel", "build_model"]


@dataclass(frozen=True)
class RAMGroup:
    """Matrix layout of one group."""

    names: tuple[str, ...]
    p: int
    A0: np.ndarray
    S0: np.ndarray
    m0: np.ndarray
    a_pos: tuple[np.ndarray, np.ndarray, np.ndarray]  # rows, cols, param index
    s_pos: tuple[np.ndarray, np.ndarray, np.ndarray]  # r <= c
    m_pos: tuple[np.ndarray, np.ndarray]  # rows, param index
    exo_s: tuple[np.ndarray, np.ndarray]  # fixed.x (co)variances, filled from data
    exo_m: np.ndarray  # fixed.x means
    meanstructure: bool

    @property
    def v(self) -> int:
        return len(self.names)

    def base(self, cov: np.ndarray, mean: np.ndarray) -> tuple:
        """Fixed matrices with exogenous-covariate moments set from the sample."""
        S0 = self.S0.copy()
        r, c = self.exo_s
        S0[r, c] = cov[r, c]
        S0[c, r] = cov[r, c]
        m0 = self.m0.copy()
        m0[self.exo_m] = mean[self.exo_m]
        return self.A0, S0, m0


@dataclass(frozen=True)
class RAMModel:
    """All groups plus the free-parameter bookkeeping."""

    groups: tuple[RAMGroup, ...]
    q: int
    partable: pd.DataFrame  # with column ``par`` (free-parameter index or -1)
    observed: tuple[str, ...]
    latent: tuple[str, ...]

    @cached_property
    def rows(self) -> SimpleNamespace:
        """The parameter table as NumPy arrays (built once per model; read-only).

        ``lhs``, ``op``, ``rhs``, ``label`` (object), ``group``, ``par`` (int),
        ``fixed`` (float), ``free``, ``exo`` (bool), and ``i_lhs``/``i_rhs``:
        positions of ``lhs``/``rhs`` among the group's variables (-1 if none).
        """
        pt = self.partable
        names = {n: i for i, n in enumerate(self.groups[0].names)} if self.groups else {}
        out = SimpleNamespace(
            lhs=pt["lhs"].to_numpy(object),
            op=pt["op"].to_numpy(object),
            rhs=pt["rhs"].to_numpy(object),
            label=pt["label"].to_numpy(object),
            group=pt["group"].to_numpy(int),
            par=pt["par"].to_numpy(int),
            fixed=pt["fixed"].to_numpy(float),
            free=pt["free"].to_numpy(bool),
            exo=pt["exo"].to_numpy(bool) if "exo" in pt else np.zeros(len(pt), bool),
        )
        out.i_lhs = np.array([names.get(x, -1) for x in out.lhs], dtype=int)
        out.i_rhs = np.array([names.get(x, -1) for x in out.rhs], dtype=int)
        for a in vars(out).values():
            a.flags.writeable = False
        return out

    # ------------------------------------------------------------------ moments
    def matrices(self, theta: np.ndarray, g: int, base: tuple):
        grp = self.groups[g]
        A0, S0, m0 = base
        A = A0.copy()
        r, c, k = grp.a_pos
        A[r, c] = theta[k]
        S = S0.copy()
        r, c, k = grp.s_pos
        S[r, c] = theta[k]
        S[c, r] = theta[k]
        m = m0.copy()
        r, k = grp.m_pos
        m[r] = theta[k]
        return A, S, m

    def moments(self, theta: np.ndarray, g: int, base: tuple):
        """``(Sigma, mu, B, S, m)`` of group ``g``."""
        grp = self.groups[g]
        A, S, m = self.matrices(theta, g, base)
        B = np.linalg.inv(np.eye(grp.v) - A)
        G = B[: grp.p]
        Sigma = G @ S @ G.T
        mu = G @ m
        return Sigma, mu, B, S, m

    def ml_gradient(self, theta, g, base, W, r, parts=None):
        """Gradient of ``sum(W * Sigma) - 2 r' mu`` w.r.t. ``theta``.

        ``W`` is the symmetric weight of ``dSigma`` and ``r`` the weight
        vector of ``dmu`` (both p-dimensional); used by every discrepancy.
        ``parts`` may pass the ``moments(theta, g, base)`` already computed.
        """
        grp = self.groups[g]
        _, _, B, S, m = parts if parts is not None else self.moments(theta, g, base)
        G = B[: grp.p]
        K = B @ S @ G.T  # v x p
        GW = G.T @ W
        grad = np.zeros(self.q)
        ar, ac, ak = grp.a_pos
        if ak.size:
            gA = 2.0 * (GW @ K.T)
            vals = gA[ar, ac]
            if grp.meanstructure:
                Bm = B @ m
                gr = G.T @ r
                vals = vals - 2.0 * gr[ar] * Bm[ac]
            grad += np.bincount(ak, vals, self.q)
        sr, sc, sk = grp.s_pos
        if sk.size:
            gS = GW @ G
            vals = gS[sr, sc] * np.where(sr == sc, 1.0, 2.0)
            grad += np.bincount(sk, vals, self.q)
        mr, mk = grp.m_pos
        if mk.size:
            grad += np.bincount(mk, -2.0 * (G.T @ r)[mr], self.q)
        return grad

    def jacobian(self, theta, g, base):
        """``(dSigma, dmu)`` with shapes ``(q, p, p)`` and ``(q, p)``."""
        grp = self.groups[g]
        _, _, B, S, m = self.moments(theta, g, base)
        p = grp.p
        G = B[:p]
        K = B @ S @ G.T
        dS = np.zeros((self.q, p, p))
        dm = np.zeros((self.q, p))
        ar, ac, ak = grp.a_pos
        if ak.size:
            t = G[:, ar].T[:, :, None] * K[ac][:, None, :]
            t = t + t.transpose(0, 2, 1)
            np.add.at(dS, ak, t)
            if grp.meanstructure:
                Bm = B @ m
                np.add.at(dm, ak, G[:, ar].T * Bm[ac][:, None])
        sr, sc, sk = grp.s_pos
        if sk.size:
            t = G[:, sr].T[:, :, None] * G[:, sc].T[:, None, :]
            off = sr != sc
            t[off] = t[off] + t[off].transpose(0, 2, 1)
            np.add.at(dS, sk, t)
        mr, mk = grp.m_pos
        if mk.size:
            np.add.at(dm, mk, G[:, mr].T)
        return dS, dm


def build_model(
    pt: pd.DataFrame, observed: list[str], latent: list[str], equalities: list[tuple[str, str]] = ()
) -> RAMModel:
    """Assign free-parameter indices (shared labels -> shared index) and layout."""
    pt = pt.copy()
    alias: dict[str, str] = {}
    for a, b in equalities:
        labels = set(pt["label"].dropna())
        for lab in (a, b):
            if lab not in labels:
                raise SpecificationError(f"equality constraint uses unknown label {lab!r}.")
        ra = alias.get(a, a)
        rb = alias.get(b, b)
        for k, v in list(alias.items()):
            if v == rb:
                alias[k] = ra
        alias[rb] = ra
    par = np.full(len(pt), -1, dtype=int)
    by_label: dict[str, int] = {}
    q = 0
    for i, row in enumerate(pt.itertuples()):
        if not row.free:
            if isinstance(row.label, str) and row.label in by_label:
                raise SpecificationError(
                    f"label {row.label!r} is used on both a fixed and a free parameter."
                )
            continue
        lab = row.label if isinstance(row.label, str) else None
        if lab is not None:
            lab = alias.get(lab, lab)
            if lab in by_label:
                par[i] = by_label[lab]
                continue
            by_label[lab] = q
        par[i] = q
        q += 1
    pt["par"] = par
    names = list(observed) + list(latent)
    idx = {n: i for i, n in enumerate(names)}
    p, v = len(observed), len(names)
    meanstructure = bool((pt["op"] == "~1").any())
    groups = []
    for g in sorted(pt["group"].unique()):
        sub = pt[pt["group"] == g]
        A0, S0, m0 = np.zeros((v, v)), np.zeros((v, v)), np.zeros(v)
        a, s, mm, ex_s, ex_m = [], [], [], [], []
        for row in sub.itertuples():
            if row.op == "=~":
                i, j = idx[row.rhs], idx[row.lhs]
            elif row.op == "~":
                i, j = idx[row.lhs], idx[row.rhs]
            elif row.op == "~~":
                i, j = sorted((idx[row.lhs], idx[row.rhs]))
            else:
                i, j = idx[row.lhs], -1
            if row.op in ("=~", "~"):
                if row.par >= 0:
                    a.append((i, j, row.par))
                else:
                    A0[i, j] = row.fixed
            elif row.op == "~~":
                if row.par >= 0:
                    s.append((i, j, row.par))
                elif row.exo:
                    ex_s.append((i, j))
                else:
                    S0[i, j] = S0[j, i] = row.fixed
            else:
                if row.par >= 0:
                    mm.append((i, row.par))
                elif row.exo:
                    ex_m.append(i)
                else:
                    m0[i] = row.fixed

        def arr(lst, w):
            if not lst:
                return tuple(np.zeros(0, dtype=int) for _ in range(w))
            x = np.asarray(lst, dtype=int)
            return tuple(x[:, c] for c in range(w))

        groups.append(
            RAMGroup(
                names=tuple(names),
                p=p,
                A0=A0,
                S0=S0,
                m0=m0,
                a_pos=arr(a, 3),
                s_pos=arr(s, 3),
                m_pos=arr(mm, 2),
                exo_s=arr(ex_s, 2),
                exo_m=np.asarray(ex_m, dtype=int),
                meanstructure=meanstructure,
            )
        )
    return RAMModel(tuple(groups), q, pt, tuple(observed), tuple(latent))
