"""``reliability()``: every measurement-quality statistic of an instrument's dimensions."""

from __future__ import annotations

import warnings
from dataclasses import field

import numpy as np
import pandas as pd

from .._checks import (
    Interval,
    check_data,
    check_params,
    check_weights,
)
from .._options import check_missing
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from .._warn import warn
from ..errors import (
    ConvergenceWarning,
    ImproperSolutionWarning,
    InsufficientDataError,
    MissingDataWarning,
    NotPositiveDefiniteWarning,
    ServqualWarning,
)
from ..factor import one_factor_ml
from ..weighting import kish_neff, rows_kept, weighted_cov
from ._alpha import cronbach_alpha, difference_score_reliability, feldt_ci
from ._validity import (
    _pairwise_corr,
    ave,
    composite_reliability,
    fornell_larcker,
    htmt,
    htmt2,
)


# ---------------------------------------------------------------- reliability()
@resultclass
class ReliabilityResult(Result):
    """Measurement quality of each dimension of an instrument.

    Attributes
    ----------
    table : DataFrame, one row per dimension
        ``n`` (respondents who answered all the dimension's items: the rows
        its statistics use), ``n_items``, ``alpha`` with ``alpha_ci_lower``/``alpha_ci_upper``
        (Feldt), ``alpha_std`` (standardized alpha), ``omega`` (reliability of
        the raw sum from the one-factor ML CFA), ``rho_c`` (composite
        reliability from standardized loadings), ``ave``, ``sqrt_ave``,
        ``max_factor_corr``, ``fornell_larcker`` (passed?), ``max_htmt``,
        ``max_htmt2``, ``min_loading``, ``max_loading``, ``heywood``.
    loadings : DataFrame, one row per item
        ``dimension item loading error_var std_loading identified_by``.
    factor_corr : DataFrame
        Factor correlations: sum-score correlations disattenuated with omega,
        ``r(sum_A, sum_B) / sqrt(omega_A omega_B)`` (consistent under the
        congeneric model; a joint CFA with :mod:`servqual.sem` gives the full ML
        value).
    htmt, htmt2 : DataFrame
        Heterotrait-monotrait ratios (:func:`htmt`, :func:`htmt2`).
    fornell_larcker : DataFrame
        :func:`fornell_larcker` on AVE and ``factor_corr``.
    difference : DataFrame, one row per dimension (empty unless the instrument
        pairs P and E items): ``r_pp``, ``r_ee`` (alpha of the P and E
        composites), ``r_pe``, ``sd_p``, ``sd_e``, ``r_d`` (Lord's reliability of
        the P−E composite) and ``alpha_gap_items`` (naive alpha of the item
        differences, for comparison).
    n : int
        Respondents used by at least one dimension.
    kind, ci, validation, warnings

    The tables are returned as copies, so editing one leaves the result intact.

    Examples
    --------
    >>> import servqual
    >>> res = servqual.reliability(servqual.load_dataset("servqual_sim").head(300),
    ...                            servqual.Instrument.servqual22())
    >>> list(res.table.index)
    ['tangibles', 'reliability', 'responsiveness', 'assurance', 'empathy']
    >>> t = res.table
    >>> t.loc["tangibles", "alpha"] = 0.0
    >>> bool(res.table.loc["tangibles", "alpha"] > 0)
    True
    """

    table: pd.DataFrame
    loadings: pd.DataFrame
    factor_corr: pd.DataFrame
    htmt: pd.DataFrame
    htmt2: pd.DataFrame
    fornell_larcker: pd.DataFrame
    difference: pd.DataFrame
    n: int
    kind: str | None
    ci: float
    validation: object = field(repr=False)
    warnings: tuple[str, ...] = ()

    def summary(self) -> Summary:
        """Printable / HTML summary."""
        pct = f"{100 * self.ci:g}%"
        cols = [
            "n",
            "n_items",
            "alpha",
            "alpha_ci_lower",
            "alpha_ci_upper",
            "omega",
            "rho_c",
            "ave",
            "fornell_larcker",
            "max_htmt",
            "max_htmt2",
        ]
        sections = [
            (
                "Sample",
                {
                    "respondents": self.n,
                    "items": "" if self.kind is None else self.kind,
                    "alpha CI": f"{pct} Feldt (1965)",
                },
            ),
            ("Reliability and convergent validity", self.table[cols]),
            ("HTMT (Henseler et al. 2015)", self.htmt),
            ("HTMT2 (Roemer et al. 2021)", self.htmt2),
            ("Factor correlations (disattenuated)", self.factor_corr),
            (
                "Standardized loadings",
                self.loadings.set_index(["dimension", "item"])[["std_loading"]],
            ),
        ]
        if len(self.difference):
            sections.append(
                ("P−E difference scores (Lord; Brown, Churchill & Peter 1993)", self.difference)
            )
        return Summary("Measurement quality", sections, self.warnings)

    def __str__(self) -> str:
        return str(self.summary())


def _emit(messages: list, text: str, category) -> None:
    messages.append(text)
    warn(text, category)


def _reversed_items(frame: pd.DataFrame, instrument, kind) -> pd.DataFrame:
    """The items of ``kind`` (only those: one copy of them, not of the frame), reverse-keyed
    items flipped."""
    lo, hi = instrument.scale
    out = frame[[c for c in instrument.columns(kind) if c in frame.columns]].astype(float)
    for stem in instrument.reverse:
        c = instrument.column(stem, kind)
        if c in out:
            out[c] = lo + hi - out[c]
    return out


@records_provenance
def reliability(
    data: pd.DataFrame,
    instrument,
    *,
    kind: str | None = "P",
    ci: float = 0.95,
    missing: str = "available",
    weights=None,
) -> ReliabilityResult:
    """Reliability, convergent and discriminant validity per dimension.

    Cronbach's alpha with Feldt CI, omega and rho_C from a congeneric one-factor
    ML CFA per dimension, AVE, the Fornell-Larcker check, HTMT and HTMT2,
    standardized loadings; for P−E instruments also the reliability of the
    difference scores (Lord's formula; Brown, Churchill & Peter 1993).

    Parameters
    ----------
    data : DataFrame
    instrument : Instrument
    kind : item kind to analyse (``"P"`` or ``"E"``).  Ignored for
        instruments without item kinds (e.g. ``Instrument.ecsi_mobi()``).
    ci : confidence level of the alpha interval.
    missing : {"available", "listwise", "mean", "raise"}
        ``"available"`` (default): each dimension uses the respondents who
        answered all *its* items (``table["n"]``), cross-dimension statistics
        (factor correlations, HTMT) pairwise-complete ones; ``"listwise"``:
        only respondents complete on every item of every dimension; ``"mean"``:
        item-mean imputation (counted); ``"raise"``: refuse missing answers.
        Passed to :func:`servqual.validate`, whose report is ``.validation``.
    weights : column name or array, optional
        Respondent weights: alpha, omega, rho_C, AVE, loadings, factor correlations and
        HTMT use weighted moments; the Feldt CI uses Kish's effective n (the P−E
        difference-score table stays unweighted).

    Examples
    --------
    >>> import servqual
    >>> inst = servqual.Instrument.from_mapping(
    ...     {"image": [f"IMAG{i}" for i in range(1, 6)], "value": ["PERV1", "PERV2"],
    ...      "satisfaction": ["CUSA1", "CUSA2", "CUSA3"]}, scale=(1, 10))
    >>> res = reliability(servqual.load_dataset("mobi"), inst)
    >>> res.table["alpha"].round(3).tolist()
    [0.714, 0.817, 0.77]
    """
    from ..instrument import Instrument
    from ..validation import validate

    check_data(data)
    check_params({"ci": ci}, {"ci": Interval(0, 1, closed="neither")})
    missing = check_missing(missing, ("available", "listwise", "mean", "raise"))
    if not isinstance(instrument, Instrument):
        raise TypeError(
            f"instrument must be a servqual.Instrument, got {type(instrument).__name__}."
        )
    if not instrument.prefixes:
        kind = None
    else:
        instrument._check_kind(kind)
    # the P-E difference-score table needs both kinds; a perceptions-only
    # (SERVPERF) survey, with no E column at all, gets its P items alone (an
    # E item without its P partner still raises UnpairedItemError)
    paired = (
        instrument.is_paired
        and kind in ("P", "E")
        and any(c in data.columns for c in instrument.columns("E"))
    )
    kinds = ["P", "E"] if paired else ([kind] if kind is not None else None)
    w_all = check_weights(weights, check_data(data))
    clean, report = validate(data, instrument, missing, kinds=kinds, min_rows=3)
    w = None if w_all is None else rows_kept(w_all, data, clean)
    msgs: list[str] = []
    items = _reversed_items(clean, instrument, kind)
    blocks = instrument.dimension_columns(kind)
    all_cols = [c for cols in blocks.values() for c in cols]
    complete = {d: items[cols].notna().all(axis=1).to_numpy() for d, cols in blocks.items()}
    n = int(np.column_stack(list(complete.values())).any(axis=1).sum())
    if missing == "available" and items[all_cols].isna().to_numpy().any():
        n_all = int(items[all_cols].notna().all(axis=1).sum())
        _emit(
            msgs,
            "available-case reliability: each dimension uses the respondents who answered "
            "all its items (table column 'n': "
            + ", ".join(f"{d} {int(c.sum())}" for d, c in complete.items())
            + f"; {n_all} answered every item).",
            MissingDataWarning,
        )

    rows, load_rows, sums, omegas = [], [], {}, {}
    for dim, cols in blocks.items():
        block = items.loc[complete[dim], cols]
        if block.shape[0] < 3:
            raise InsufficientDataError(
                f"dimension {dim!r}: only {block.shape[0]} respondent(s) answered all its "
                f"items {cols}; at least 3 needed."
            )
        wb = None if w is None else w[complete[dim]]
        x = block.to_numpy(float)
        k = len(cols)
        sums[dim] = items[cols].sum(axis=1, min_count=k).to_numpy()
        row = {"dimension": dim, "n": int(block.shape[0]), "n_items": k}
        n_f = int(block.shape[0]) if wb is None else max(3, int(round(kish_neff(wb))))
        if k < 2:
            row.update(
                alpha=np.nan,
                alpha_ci_lower=np.nan,
                alpha_ci_upper=np.nan,
                alpha_std=np.nan,
                omega=np.nan,
                rho_c=np.nan,
                ave=np.nan,
                heywood=False,
            )
            _emit(
                msgs,
                f"dimension {dim!r} has a single item: reliability is not estimable.",
                ServqualWarning,
            )
            for c in cols:
                load_rows.append(
                    {
                        "dimension": dim,
                        "item": c,
                        "loading": np.nan,
                        "error_var": np.nan,
                        "std_loading": np.nan,
                        "identified_by": "single item",
                    }
                )
            omegas[dim] = np.nan
            rows.append(row)
            continue
        a = cronbach_alpha(block, cols, weights=wb)
        lo_, hi_ = feldt_ci(a, n=n_f, k=k, ci=ci) if a < 1 else (np.nan, np.nan)
        S = np.cov(x, rowvar=False) if wb is None else weighted_cov(x, wb, ddof=1)
        if np.linalg.eigvalsh(S)[0] <= 1e-12 * np.trace(S):
            _emit(
                msgs,
                f"dimension {dim!r}: the item covariance matrix is not positive "
                "definite (collinear items).",
                NotPositiveDefiniteWarning,
            )
        fit = one_factor_ml(S)
        if not fit.converged:
            _emit(
                msgs,
                f"dimension {dim!r}: the one-factor ML fit did not converge"
                + (" (the two items are not positively correlated)" if k == 2 else "")
                + ".",
                ConvergenceWarning,
            )
        if fit.heywood:
            _emit(
                msgs,
                f"dimension {dim!r}: Heywood case (an item's residual variance is at "
                "its lower bound); omega, rho_C and AVE are unreliable.",
                ImproperSolutionWarning,
            )
        lam = fit.std_loadings
        ok = np.all(np.isfinite(lam))
        om = composite_reliability(fit.loadings, error_var=fit.error_var) if ok else np.nan
        omegas[dim] = om
        row.update(
            alpha=a,
            alpha_ci_lower=lo_,
            alpha_ci_upper=hi_,
            alpha_std=cronbach_alpha(block, cols, standardized=True, weights=wb),
            omega=om,
            rho_c=composite_reliability(lam) if ok else np.nan,
            ave=ave(lam) if ok else np.nan,
            heywood=fit.heywood,
        )
        if a < 0:
            _emit(
                msgs,
                f"dimension {dim!r}: negative alpha ({a:.3f}); check reverse-keyed items.",
                ServqualWarning,
            )
        for j, c in enumerate(cols):
            load_rows.append(
                {
                    "dimension": dim,
                    "item": c,
                    "loading": fit.loadings[j],
                    "error_var": fit.error_var[j],
                    "std_loading": lam[j],
                    "identified_by": fit.identified_by,
                }
            )
        rows.append(row)

    table = pd.DataFrame(rows).set_index("dimension")
    loadings = pd.DataFrame(load_rows)
    names = list(blocks)
    sc = np.atleast_2d(_pairwise_corr(np.column_stack([sums[d] for d in names]), w))
    om = np.array([omegas[d] for d in names])
    fc = sc / np.sqrt(np.outer(om, om))
    np.fill_diagonal(fc, 1.0)
    factor_corr = pd.DataFrame(fc, index=pd.Index(names, name="dimension"), columns=names)
    if np.any(np.abs(fc[~np.eye(len(names), dtype=bool)]) > 1):
        _emit(
            msgs,
            "a disattenuated factor correlation exceeds 1: the dimensions are not "
            "empirically distinct.",
            ImproperSolutionWarning,
        )
    fl = fornell_larcker(table["ave"].to_dict(), factor_corr) if len(names) > 1 else None
    if len(names) > 1:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            h = htmt(items, blocks, weights=w, missing="available")
            h2 = htmt2(items, blocks, weights=w, missing="available")
        for w in caught:
            _emit(msgs, str(w.message), w.category)
    else:
        h = h2 = pd.DataFrame(np.nan, index=names, columns=names)
    table["sqrt_ave"] = np.sqrt(table["ave"])
    table["max_factor_corr"] = fl["max_abs_corr"] if fl is not None else np.nan
    table["fornell_larcker"] = fl["passed"] if fl is not None else True
    table["max_htmt"] = h.max(axis=1)
    table["max_htmt2"] = h2.max(axis=1)
    g = loadings.groupby("dimension", sort=False)["std_loading"]
    table["min_loading"] = g.min()
    table["max_loading"] = g.max()

    difference = (
        _difference_table(clean, instrument)
        if paired
        else pd.DataFrame(
            columns=["r_pp", "r_ee", "r_pe", "sd_p", "sd_e", "r_d", "alpha_gap_items"]
        )
    )
    return ReliabilityResult(
        table=table,
        loadings=loadings,
        factor_corr=factor_corr,
        htmt=h,
        htmt2=h2,
        fornell_larcker=fl if fl is not None else pd.DataFrame(),
        difference=difference,
        n=n,
        kind=kind,
        ci=ci,
        validation=report,
        warnings=tuple(msgs),
    )


def _difference_table(clean: pd.DataFrame, instrument) -> pd.DataFrame:
    P = _reversed_items(clean, instrument, "P")
    E = _reversed_items(clean, instrument, "E")
    rows = []
    for dim, stems in instrument.dimensions.items():
        pc = [instrument.column(s, "P") for s in stems]
        ec = [instrument.column(s, "E") for s in stems]
        ok = P[pc].notna().all(axis=1) & E[ec].notna().all(axis=1)
        Pd, Ed = P.loc[ok], E.loc[ok]
        p = Pd[pc].to_numpy(float).mean(axis=1)
        e = Ed[ec].to_numpy(float).mean(axis=1)
        if len(stems) < 2:
            r_pp = r_ee = a_gap = np.nan
        else:
            r_pp, r_ee = cronbach_alpha(Pd, pc), cronbach_alpha(Ed, ec)
            gaps = pd.DataFrame(Pd[pc].to_numpy(float) - Ed[ec].to_numpy(float))
            a_gap = cronbach_alpha(gaps)
        sd_p, sd_e = p.std(ddof=1), e.std(ddof=1)
        r_pe = float(np.corrcoef(p, e)[0, 1])
        rows.append(
            {
                "dimension": dim,
                "r_pp": r_pp,
                "r_ee": r_ee,
                "r_pe": r_pe,
                "sd_p": sd_p,
                "sd_e": sd_e,
                "r_d": difference_score_reliability(r_pp, r_ee, r_pe, sd_p, sd_e),
                "alpha_gap_items": a_gap,
            }
        )
    return pd.DataFrame(rows).set_index("dimension")
