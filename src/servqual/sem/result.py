"""The immutable result of :func:`servqual.sem.fit`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from types import MappingProxyType

import numpy as np
import pandas as pd

from .._checks import Interval, Options, check_params
from .._result import Result, resultclass
from .._summary import Summary

__all__ = ["SEMResult"]

_SECTIONS = (
    ("=~", "Latent variables"),
    ("~", "Regressions"),
    ("~~cov", "Covariances"),
    ("~1", "Intercepts"),
    ("~~var", "Variances"),
    (":=", "Defined parameters"),
)


@resultclass
class SEMResult(Result):
    """Fitted SEM.

    Attributes
    ----------
    params : DataFrame
        One row per parameter: ``lhs op rhs [group] label est se z pvalue
        ci_lower ci_upper std_lv std_all``.
    fit_indices : mapping
        ``chi2 df pvalue baseline_chi2 baseline_df cfi tli rmsea
        rmsea_ci_lower rmsea_ci_upper rmsea_pvalue srmr loglik loglik_h1 aic bic
        sabic n npar`` (lavaan's ``fitMeasures``).  Robust estimators (MLM,
        MLR, WLSMV) add ``chi2_scaled scaling_factor pvalue_scaled
        baseline_chi2_scaled cfi_scaled tli_scaled rmsea_scaled cfi_robust
        tli_robust rmsea_robust`` (WLSMV also ``shift``); ``chi2`` is then the
        unscaled statistic, as in lavaan.
    r2 : Series
        R-squared of every endogenous variable, indexed by variable (by
        ``(group, variable)`` in a multigroup fit) -- the same type as
        ``PLSResult.r2``; a single-equation model (drivers) gives a float.
    robust_test : mapping
        The scaled test (``chi2_scaled``, ``scaling_factor``, ``df``,
        ``pvalue_scaled``): Satorra-Bentler (MLM), Yuan-Bentler T2* (MLR) or
        scaled-and-shifted (WLSMV); empty for ML.
    warnings : tuple of str
        Non-convergence, non-PD matrices, Heywood cases, identification,
        failed bootstrap replicates, listwise deletion.

    Examples
    --------
    >>> import servqual
    >>> hs = servqual.load_dataset("holzinger_swineford")
    >>> res = servqual.sem.fit("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6", hs)
    >>> round(float(res.modindices().iloc[0]["mi"]), 3)  # lavaan 0.6.14: 10.433
    10.433
    >>> res.residuals().shape, res.implied_cov().shape, res.r2.shape
    ((6, 6), (6, 6), (6,))
    >>> "Latent variables" in res.summary().as_text()
    True
    """

    model: str
    estimator: str
    se: str
    ci: float
    group: str | None
    group_labels: tuple
    converged: bool
    iterations: int
    optimizer: str
    params: pd.DataFrame = field(repr=False)
    fit_indices: Mapping = field(repr=False)
    r2: pd.Series = field(repr=False)
    warnings: tuple[str, ...] = ()
    _prep: object = field(default=None, repr=False)
    _problem: object = field(default=None, repr=False)
    _theta: np.ndarray = field(default=None, repr=False)
    _vcov: np.ndarray = field(default=None, repr=False)
    _draws: object = field(default=None, repr=False)
    robust_test: Mapping = field(default_factory=dict, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "fit_indices", MappingProxyType(dict(self.fit_indices)))
        object.__setattr__(self, "robust_test", MappingProxyType(dict(self.robust_test)))

    # ------------------------------------------------------------ tables
    def to_frame(self) -> pd.DataFrame:
        """The parameter table (tidy: one row per parameter)."""
        return self.params

    @property
    def n(self) -> int:
        """Observations used (after listwise deletion)."""
        return int(self.fit_indices["n"])

    @property
    def bootstrap_draws(self):
        """The :class:`~servqual._resampling.BootstrapDraws` (or None)."""
        return self._draws

    def _group_index(self, group) -> int:
        if group is None:
            return 0
        if group not in self.group_labels:
            from ..errors import ParameterError

            raise ParameterError(
                f"group={group!r} is invalid: expected one of {list(self.group_labels)}."
            )
        return self.group_labels.index(group)

    def implied_cov(self, *, group=None) -> pd.DataFrame:
        """Model-implied covariance matrix of the observed variables."""
        g = self._group_index(group)
        pr = self._problem
        Sigma = pr.model.moments(self._theta, g, pr.bases[g])[0]
        names = list(pr.model.observed)
        return pd.DataFrame(Sigma, index=names, columns=names)

    def sample_cov(self, *, group=None) -> pd.DataFrame:
        """Sample covariance (divisor n, as used by ML; for WLSMV the polychoric correlations)."""
        g = self._group_index(group)
        names = list(self._problem.model.observed)
        return pd.DataFrame(self._problem.moments.cov[g], index=names, columns=names)

    def residuals(self, *, kind: str = "raw", group=None) -> pd.DataFrame:
        """Residual covariances ``S - Sigma`` (``kind="raw"``) or correlation
        residuals (``kind="cor"``, lavaan's ``cor.bollen``)."""
        check_params({"kind": kind}, {"kind": Options(("raw", "cor"))})
        S = self.sample_cov(group=group)
        Sig = self.implied_cov(group=group)
        if kind == "raw":
            return S - Sig
        ds = np.sqrt(np.diag(S.to_numpy()))
        dm = np.sqrt(np.diag(Sig.to_numpy()))
        return S / np.outer(ds, ds) - Sig / np.outer(dm, dm)

    def modindices(self, *, min_mi: float = 0.0, sort: bool = True) -> pd.DataFrame:
        """Modification indices (score tests) and expected parameter changes.

        Candidates are every missing loading (latent ``=~`` observed) and
        every missing covariance among observed residuals and among latent
        variables; MI uses the expected information like lavaan.
        """
        from .modindices import modification_indices

        check_params({"min_mi": min_mi, "sort": sort}, {"min_mi": Interval(0, None), "sort": bool})
        if self.estimator != "ML" or hasattr(self._problem, "patterns"):
            from ..errors import ParameterError

            raise ParameterError(
                "modification indices are computed for complete-data ML only (this result "
                f"used estimator={self.estimator!r}"
                + (", missing='fiml')." if hasattr(self._problem, "patterns") else ").")
            )
        out = modification_indices(self)
        out = out[out["mi"] >= min_mi]
        if sort:
            out = out.sort_values("mi", ascending=False, kind="stable")
        return out.reset_index(drop=True)

    # ------------------------------------------------------------ summary
    def summary(self) -> Summary:
        """lavaan-style text (and HTML in notebooks) with every warning."""
        fi = self.fit_indices
        head = {
            "estimator": self.estimator,
            "optimizer": self.optimizer,
            "converged": "yes" if self.converged else "NO",
            "iterations": self.iterations,
            "observations": fi["n"],
            "free parameters": int(self._problem.model.q),
            "standard errors": ("robust (DWLS sandwich)" if self.estimator == "WLSMV" else self.se),
        }
        if self.group is not None:
            head["groups"] = ", ".join(
                f"{g} ({int(n)})" for g, n in zip(self.group_labels, self._problem.moments.n)
            )
        test = {"chi2": fi["chi2"], "df": fi["df"], "p-value": fi["pvalue"]}
        fitm = {
            "CFI": fi["cfi"],
            "TLI": fi["tli"],
            "RMSEA": fi["rmsea"],
            "RMSEA 90% CI": f"[{fi['rmsea_ci_lower']:.3f}, {fi['rmsea_ci_upper']:.3f}]",
            "P(RMSEA <= .05)": fi["rmsea_pvalue"],
            "SRMR": fi["srmr"],
            "baseline chi2 (df)": f"{fi['baseline_chi2']:.3f} ({fi['baseline_df']})",
            "loglik H0": fi["loglik"],
            "loglik H1": fi["loglik_h1"],
            "AIC": fi["aic"],
            "BIC": fi["bic"],
            "SABIC": fi["sabic"],
        }
        sections = [("Model", head), ("Model test (user model)", test)]
        if self.robust_test:
            name = {"MLR": "Yuan-Bentler T2*", "WLSMV": "scaled-and-shifted"}.get(
                self.estimator, "Satorra-Bentler"
            )
            sections.append((f"{name} scaled test", dict(self.robust_test)))
        sections.append(("Fit indices", fitm))
        p = self.params
        cols = ["label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_lv", "std_all"]
        for key, title in _SECTIONS:
            if key == "~~cov":
                m = (p["op"] == "~~") & (p["lhs"] != p["rhs"])
            elif key == "~~var":
                m = (p["op"] == "~~") & (p["lhs"] == p["rhs"])
            else:
                m = p["op"] == key
            if not m.any():
                continue
            sub = p[m].copy()
            sub.index = [
                f"{a} {o} {b}".strip() if key != "~1" else f"{a} ~ 1"
                for a, o, b in zip(sub["lhs"], sub["op"], sub["rhs"])
            ]
            if "group" in sub:
                sub.index = [f"[{g}] {i}" for g, i in zip(sub["group"], sub.index)]
            sections.append((title, sub[cols]))
        if len(self.r2):
            sections.append(("R-square", self.r2.to_frame()))
        title = (
            "Structural equation model ("
            + ("multigroup, " if self.group else "")
            + self.estimator
            + ")"
        )
        return Summary(title, sections, self.warnings)
