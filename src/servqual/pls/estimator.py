"""``servqual.pls.fit``: data checks, estimation, tables, bootstrap."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._checks import (
    Interval,
    Options,
    as_py,
    check_data,
    check_frame,
    check_params,
    check_rng,
    check_scale,
    check_weights,
    suspect_missing_codes,
)
from .._options import check_missing, check_n_boot, check_n_jobs, renamed, resolve_progress
from .._resampling import bootstrap_notes
from .._result import records_provenance
from .._warn import warn
from ..errors import (
    ConstantItemError,
    ConvergenceWarning,
    DataError,
    DegenerateResultWarning,
    ImproperSolutionWarning,
    MissingColumnError,
    MissingDataWarning,
    NotPositiveDefiniteWarning,
    OutOfRangeError,
    ParameterError,
    ScaleWarning,
    SpecificationError,
)
from ..measurement import ave, composite_reliability, fornell_larcker, htmt
from ..weighting import correlation as correlation_w
from ..weighting import rows_kept
from . import bootstrap as _boot
from .consistent import correct
from .core import CoreEstimate, Structure, estimate, standardise, total_effects
from .diagnostics import f2_reestimated, info_criteria, item_vif
from .extended import (
    build,
    f2_reestimated_extended,
    is_extended,
    lean_fit,
    parse_extended,
    rescale_two_stage,
)
from .result import PLSResult
from .spec import Block, PLSModel, parse_model

__all__ = ["fit"]


def _as_model(model) -> PLSModel:
    if isinstance(model, str):
        return parse_model(model)
    if isinstance(model, PLSModel):
        return model.validate()
    raise SpecificationError(
        f"model must be lavaan-like syntax (str) or a PLSModel, got {type(model).__name__}."
    )


#: PLS: "mean" (default, as seminr and SmartPLS) imputes item means, reported;
#: "listwise" (= "available": one model) drops incomplete rows, reported
PLS_MISSING = ("mean", "listwise", "available", "raise")


def _prepare(model: PLSModel, data, missing: str, *, check_codes: bool = True):
    """Check columns, constant items and missing values; return (raw frame, notes).
    ``check_codes``: warn about answers that look like missing codes (-99, 99, ...)."""
    check_data(data)
    # every entry point (fit, predict, mga) passes through here
    for b in model.blocks:
        absent = [i for i in b.items if i not in data.columns]
        if absent:
            raise MissingColumnError(
                f"item(s) {absent} of construct {b.name!r} not found in the data; "
                f"available columns: {', '.join(map(str, list(data.columns)[:12]))}"
                f"{' ...' if data.shape[1] > 12 else ''}."
            )
    missing = check_missing(missing, PLS_MISSING)
    items = list(model.items)
    frame = check_frame(
        data, items, missing="raise" if missing == "raise" else "allow", allow_constant=True
    )
    notes: list[str] = []
    suspects = {c: k for c in items if check_codes and (k := suspect_missing_codes(frame[c]))}
    if suspects:
        detail = ", ".join(f"{c}: {', '.join(map(str, k))}" for c, k in suspects.items())
        codes = sorted({x for k in suspects.values() for x in k})
        notes.append(
            f"answers that look like missing codes ({detail}) are used as answers; "
            f"declare them, e.g. missing_value={codes[0] if len(codes) == 1 else codes}."
        )
        warn(notes[-1], ScaleWarning)
    na = frame.isna().sum()
    if na.any():
        detail = ", ".join(f"{c}: {int(k)}" for c, k in na[na > 0].items())
        if missing in ("listwise", "available"):
            keep = ~frame.isna().any(axis=1)
            notes.append(
                f"missing values ({detail}); {int((~keep).sum())} row(s) dropped listwise."
            )
            frame = frame.loc[keep]
        else:
            notes.append(f"missing values ({detail}) replaced by item means.")
            frame = frame.fillna(frame.mean())
        warn(notes[-1], MissingDataWarning)
    if frame.shape[0] < 3:
        raise DataError(f"only {frame.shape[0]} usable row(s); PLS needs at least 3.")
    for b in model.blocks:
        for it in b.items:
            v = frame[it].to_numpy()
            if np.nanmax(v) == np.nanmin(v):
                raise ConstantItemError(
                    f"item {it!r} of construct {b.name!r} is constant (every value is "
                    f"{v[0]:g}); it carries no information."
                )
    return frame, notes


def _check_collinear(model: PLSModel, S: np.ndarray, st: Structure) -> None:
    for j in st.mode_b:
        idx = st.blocks[j]
        if idx.size < 2:
            continue
        ev, vec = np.linalg.eigh(S[np.ix_(idx, idx)])
        if ev[0] <= 1e-10 * ev[-1]:
            b = model.blocks[j]
            involved = [it for it, v in zip(b.items, vec[:, 0]) if abs(v) > 1e-6]
            raise DataError(
                f"items {involved} of formative (mode B) construct {b.name!r} are perfectly "
                "collinear (singular item correlation matrix); drop a redundant item or "
                "estimate the block in mode A."
            )


@renamed(bootstrap="n_boot")
@records_provenance
def fit(
    model,
    data: pd.DataFrame,
    *,
    modes: dict | None = None,
    scheme: str = "path",
    scaled: bool = True,
    missing: str = "mean",
    n_boot: int = 0,
    ci: float = 0.95,
    seed=None,
    n_jobs: int = 1,
    progress="auto",
    scale: tuple[float, float] | None = None,
    consistent: bool | list = False,
    tol: float = 1e-7,
    max_iter: int = 300,
    missing_value=None,
    f2: str = "reestimate",
    interaction: str = "two_stage",
    hoc: str = "two_stage",
    weights=None,
) -> PLSResult:
    """Estimate a PLS path model (Lohmöller 1989; Tenenhaus et al. 2005).

    Parameters
    ----------
    model : str or PLSModel
        lavaan-like syntax (``=~`` reflective/mode A, ``<~`` composite/mode B,
        ``~`` paths) or a :class:`PLSModel` (see :func:`ecsi_model`).
    data : DataFrame
        Indicator columns.
    modes : dict, optional
        Override block modes, e.g. ``{"Value": "B"}``.
    scheme : {"path", "centroid", "factorial"}
        Inner weighting scheme.
    scaled : bool
        Standardise the indicators (correlation matrix) or only centre them.
    missing : {"mean", "listwise", "available", "raise"}
        ``"mean"`` (default, as in seminr): item-mean imputation;
        ``"listwise"`` (``"available"`` is the same for one model): drop rows
        incomplete on the model's items; both reported with a warning.
        ``"raise"`` refuses missing values.
    n_boot : int
        Number of bootstrap resamples (0 = none, the default: PLS has point
        estimates of its own; otherwise at least
        :func:`~servqual._options.min_n_boot` of ``ci``; ``bootstrap=`` is the
        old name).  Percentile and BCa
        intervals for weights, loadings, paths, indirect/total effects, HTMT.
    ci : float
        Interval coverage.
    seed, n_jobs, progress
        Bootstrap randomness, workers and progress bar (results do not depend
        on ``n_jobs``).
    scale : (low, high), optional
        Response scale of the items for 0-100 scores and indices (default: the
        smallest and largest observed item value).
    consistent : bool or list of str
        Consistent PLS (PLSc, Dijkstra & Henseler 2015): loadings, construct
        correlations, paths and R^2 of reflective blocks corrected for
        measurement error with rho_A (for common-factor models).  Weights,
        scores and HTMT are those of PLS.  A list of construct names treats
        only those mode-A blocks as common factors and the others as
        composites.  A block with rho_A > 1 is flagged (the correction then
        shrinks its correlations).
    tol, max_iter
        Convergence: largest outer-weight change below ``tol``.
    missing_value : scalar or list, optional
        Codes that mean "missing" in the item columns (e.g. ``-99``); they are
        treated as NaN and then handled by ``missing`` (as seminr's
        ``missing_value``).
    f2 : {"reestimate", "r2"}
        How the ``f2`` column of ``paths`` is computed: ``"reestimate"``
        (default, as seminr and SmartPLS) estimates the whole model again
        without the path; ``"r2"`` keeps the scores and drops the predictor
        from the target's regression.  Both are reported (``f2_reestimated``,
        ``f2_r2``).  In interaction and two-stage HOC models the whole
        procedure, first stage included, is re-estimated without the path (as
        seminr); the main effects ``A`` and ``B`` of an ``A*B`` term get NaN
        there (without them the model is not a moderation model; seminr
        reports NA): read ``f2_r2`` for them.
    interaction : {"two_stage", "product_indicator", "orthogonal"}
        How ``A*B`` terms in ``~`` lines are measured (see
        :mod:`servqual.pls.extended`); default two-stage (Hair et al. 2022).
    hoc : {"two_stage", "repeated"}
        How higher-order constructs (``H =~ A + B`` with constructs on the
        right) are estimated: seminr's two-stage approach (default) or
        repeated indicators.
    weights : column name or array, optional
        Respondent weights: weighted PLS (WPLS, Becker & Ismail 2016).  The
        indicators are standardised with weighted means and SDs and the
        algorithm runs on the weighted covariance matrix, so weights, loadings,
        paths, R², reliability and HTMT are weighted; bootstrap resamples carry
        each respondent's weight.  (``missing="mean"`` imputes unweighted means.)

    Returns
    -------
    PLSResult

    Examples
    --------
    >>> import servqual
    >>> mobi = servqual.load_dataset("mobi")
    >>> res = fit('''Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
    ...              Sat =~ CUSA1 + CUSA2 + CUSA3
    ...              Sat ~ Image''', mobi)
    >>> round(float(res.r2["Sat"]), 3)
    0.485
    """
    check_params(
        {
            "scheme": scheme,
            "scaled": scaled,
            "ci": ci,
            "tol": tol,
            "max_iter": max_iter,
            "f2": f2,
            "interaction": interaction,
            "hoc": hoc,
        },
        {
            "scheme": Options(("path", "centroid", "factorial")),
            "scaled": bool,
            "ci": Interval(0, 1, closed="neither"),
            "tol": Interval(0, None, closed="neither"),
            "max_iter": Interval(1, None, integer=True),
            "f2": Options(("reestimate", "r2")),
            "interaction": Options(("two_stage", "product_indicator", "orthogonal")),
            "hoc": Options(("two_stage", "repeated")),
        },
    )
    n_boot = check_n_boot(n_boot, ci=ci)
    n_jobs = check_n_jobs(n_jobs)
    progress = resolve_progress(progress)
    check_rng(seed)  # typed error naming a bad seed; the seed itself is passed on
    extended = None
    raw_items: tuple[str, ...] = ()
    pre_notes: list[str] = []
    if is_extended(model):
        spec = parse_extended(model)
        hocs = set(spec.hocs)
        raw_model = PLSModel(tuple(Block(n, it, md) for n, it, md in spec.blocks if n not in hocs))
        if missing_value is not None:
            data = _apply_missing_codes(data, raw_model.items, missing_value)
        base, pre_notes = _prepare(raw_model, data, missing)
        if weights is not None:  # respondent weights of the rows kept, in their order
            weights = rows_kept(check_weights(weights, data), data, base)
        raw_items = raw_model.items
        if scale is None:
            scale = (float(base.to_numpy().min()), float(base.to_numpy().max()))
        scale = check_scale(scale)

        def fit_stage(m, d):
            with warnings.catch_warnings():  # suspect missing codes: reported once, above
                warnings.simplefilter("ignore", ScaleWarning)
                return fit(
                    m,
                    d,
                    scheme=scheme,
                    scaled=scaled,
                    progress=False,
                    tol=tol,
                    max_iter=max_iter,
                    weights=weights,
                )

        model, data, extended = build(
            model, base, interaction=interaction, hoc=hoc, fit_stage=fit_stage
        )
        missing_value = None
    model = _as_model(model).with_modes(modes).validate()
    which = _resolve_consistent(model, consistent)
    if missing_value is not None:
        data = _apply_missing_codes(data, model.items, missing_value)
    w_all = check_weights(weights, data) if isinstance(data, pd.DataFrame) else None
    frame, notes = _prepare(model, data, missing, check_codes=extended is None)
    notes = pre_notes + [t for t in notes if t not in pre_notes]
    raw = frame.to_numpy()
    w = None
    if w_all is not None:
        w = rows_kept(w_all, data, frame)
        if not (w > 0).any():
            raise OutOfRangeError("every usable row has weight 0: nothing to estimate from.")
        w = w * w.size / w.sum()
    if scale is None:
        scale = (float(raw.min()), float(raw.max()))
    else:
        scale = check_scale(scale)
        # built columns (interaction products, stage-1 scores) are not on the item scale
        own = np.array([extended is None or c in raw_items for c in frame.columns])
        bad = ((raw < scale[0]) | (raw > scale[1])) & own
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise OutOfRangeError(
                f"item {frame.columns[c]!r}: row {as_py(frame.index[r])!r} "
                f"(value {raw[r, c]:g}) is "
                f"outside the declared scale {scale[0]:g}-{scale[1]:g}."
            )
    st = Structure.from_model(model)
    # one working copy of the data; S and the item correlations come from it
    mean, sd, X, S = standardise(raw, w, scaled)
    _check_collinear(model, _corr_from_cov(S), st)
    est, consistent, more = estimate_checked(model, st, S, which, scheme, tol, max_iter)
    W0 = est.W[0]  # PLSc corrects loadings, paths and R², not the weights
    warns = list(notes) + more
    iters = int(est.iterations[0])
    converged = bool(est.converged[0])
    if not n_boot:  # the centred copy is not needed any more: free it before the tables
        X = None
    tabs = tables(model, st, est, S, X, raw, frame, sd, scaled, scale, mean, w)
    C = correlation_w(raw, w)
    add_diagnostics(tabs, model, st, S, C, raw.shape[0], scheme, tol, max_iter, consistent, f2)
    vif = tabs["outer"]["vif"].to_numpy(dtype=float)
    if np.isnan(vif).any():  # item_vif: NaN for perfectly collinear items of a block
        bad = [model.items[i] for i in np.flatnonzero(np.isnan(vif))]
        warns.append(
            f"items {bad} are perfectly collinear within their block (e.g. identical "
            "columns): their VIF is infinite and is reported as NaN."
        )
        warn(warns[-1], DegenerateResultWarning)
    if extended is not None:  # seminr: re-run the whole procedure (stage 1 too) per path
        opts = dict(scheme=scheme, scaled=scaled, tol=tol, max_iter=max_iter, weights=weights)
        _f2_extended(tabs, spec, base, consistent, f2, (interaction, hoc), opts)
    inter = set((extended or {}).get("interactions", {}))
    warns += _rho_a_checks(tabs["reliability"].drop(index=list(inter)), consistent)
    boot = None
    if n_boot:
        layout = _boot.Layout.build(st, model.constructs, model.items)
        vec = _boot.statistic_vector(
            S[None],
            st,
            layout,
            scheme=scheme,
            tol=tol,
            max_iter=max_iter,
            consistent=_boot_consistent(which),
        )[0]
        boot = _boot.run(
            X,
            st,
            layout,
            vec,
            scaled=scaled,
            consistent=_boot_consistent(which),
            scheme=scheme,
            tol=tol,
            max_iter=max_iter,
            n_boot=n_boot,
            ci=ci,
            seed=seed,
            n_jobs=n_jobs,
            progress=progress,
            W0=W0,
            weights=w,
            raw=raw,
        )
        warns += bootstrap_notes(boot.draws, " (replicates that did not converge count as failed)")
        _attach_ci(tabs, boot.table)
    if extended is not None:
        rescale_two_stage(tabs, extended, frame)
    return PLSResult(
        model=model,
        scheme=scheme,
        scaled=scaled,
        consistent=consistent,
        n=int(raw.shape[0]),
        iterations=iters,
        converged=converged,
        item_scale=scale,
        data=frame,
        bootstrap=boot,
        ci=ci,
        extended=extended,
        warnings=tuple(warns),
        **tabs,
    )


def _f2_extended(tabs, spec, base, consistent, f2, methods, opts):
    """Replace ``f2_reestimated`` (and ``f2`` by default) of an interaction/HOC model."""
    interaction, hoc = methods

    def stage(m, d, consistent=False):  # scores and R^2 only: no tables, no diagnostics
        return lean_fit(m, d, consistent=consistent, **opts)

    def refit(reduced):
        m, d, _ = build(reduced, base, interaction=interaction, hoc=hoc, fit_stage=stage)
        keep = consistent if isinstance(consistent, bool) else [
            c for c in consistent if c in m.constructs
        ]  # fmt: skip
        return stage(m, d, keep).r2

    p = tabs["paths"]
    new = f2_reestimated_extended(
        spec, p, tabs["r2"], interaction=interaction, hoc=hoc, refit=refit
    )
    p["f2_reestimated"] = new
    if f2 == "reestimate":
        p["f2"] = new


def estimate_checked(model, st, S, which, scheme, tol, max_iter):
    """PLS on ``S``, PLSc-corrected for the blocks ``which`` selects (False: none):
    ``(estimate, consistent, warnings)``; non-convergence is also warned."""
    est = estimate(S, st, scheme=scheme, tol=tol, max_iter=max_iter)
    warns = []
    if not est.converged[0]:
        msg = (
            f"the PLS algorithm did not converge in {max_iter} iterations (tol={tol:g}); "
            "estimates are from the last iteration."
        )
        warns.append(msg)
        warn(msg, ConvergenceWarning)
    if which is False:
        return est, False, warns
    consistent = True if which is None else tuple(model.constructs[j] for j in which)
    est = correct(est, S[None], st, which)
    return est, consistent, warns + _plsc_checks(model, est)


def _corr_from_cov(S: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.diag(S))
    return S / np.outer(d, d)


def _alpha_std(r: np.ndarray) -> float:
    """Standardized alpha ``k rbar / (1 + (k - 1) rbar)`` from an item correlation matrix
    (as :func:`~servqual.measurement.cronbach_alpha` with ``standardized=True``)."""
    k = r.shape[0]
    rbar = r[np.triu_indices(k, 1)].mean()
    return float(k * rbar / (1 + (k - 1) * rbar))


def tables(
    model, st, est: CoreEstimate, S, X, raw, frame, sd, scaled, scale, mean, rw=None, *,
    n=None, htmt_table=None,
) -> dict:  # fmt: skip
    """The result tables; without ``raw`` (fitted from moments: pass ``n`` and
    ``htmt_table``) the score tables are empty."""
    names = list(model.constructs)
    items = list(model.items)
    n = raw.shape[0] if n is None else n
    W = est.W[0]
    w = W[np.arange(st.p), st.block_of]
    w_unstd = w / sd if scaled else w
    outer = pd.DataFrame(
        {
            "construct": [names[j] for j in st.block_of],
            "item": items,
            "mode": [model.blocks[j].mode for j in st.block_of],
            "weight": w,
            "loading": est.loadings[0],
            "weight_unstd": w_unstd,
        }
    )
    cross = pd.DataFrame(est.cross[0], index=pd.Index(items, name="item"), columns=names)
    R = pd.DataFrame(est.R[0], index=pd.Index(names, name="construct"), columns=names)
    Bm = est.B[0]
    Rm = est.R[0]
    tot = total_effects(Bm)
    rows = []
    for s, t in st.paths:
        P = list(st.preds[t])
        r2_full = est.r2[0, t]
        others = [k for k in P if k != s]
        if others:
            c = np.linalg.solve(Rm[np.ix_(others, others)], Rm[others, t])
            r2_red = float(c @ Rm[others, t])
        else:
            r2_red = 0.0
        f2 = (r2_full - r2_red) / (1 - r2_full)
        vif = float(np.linalg.inv(Rm[np.ix_(P, P)])[P.index(s), P.index(s)])
        rows.append(
            {"source": names[s], "target": names[t], "estimate": Bm[s, t], "f2_r2": f2, "vif": vif}
        )
    paths = pd.DataFrame(rows)
    eff = []
    reach = _boot._reachable(st)
    for k in range(st.m):
        for j in range(st.m):
            if reach[k, j]:
                eff.append(
                    {
                        "source": names[k],
                        "target": names[j],
                        "direct": Bm[k, j],
                        "indirect": tot[k, j] - Bm[k, j],
                        "total": tot[k, j],
                    }
                )
    effects = pd.DataFrame(eff)
    r2 = []
    for j in st.endo:
        kp = len(st.preds[j])
        v = est.r2[0, j]
        r2.append({"construct": names[j], "r2": v, "r2_adj": 1 - (1 - v) * (n - 1) / (n - kp - 1)})
    r2 = pd.DataFrame(r2, columns=["construct", "r2", "r2_adj"]).set_index("construct")
    # reliability
    rel = []
    Sc = _corr_from_cov(S)
    for j, b in enumerate(model.blocks):
        idx = st.blocks[j]
        lam = est.loadings[0, idx]
        wj = W[idx, j] * (np.sqrt(np.diag(S)[idx]) if not scaled else 1.0)
        row = {"construct": b.name, "mode": b.mode, "n_items": idx.size}
        row["alpha"] = _alpha_std(Sc[np.ix_(idx, idx)]) if idx.size > 1 else 1.0
        row["rho_c"] = composite_reliability(np.clip(lam, -1, 1))
        row["rho_a"] = _rho_a(wj, Sc[np.ix_(idx, idx)]) if idx.size > 1 else 1.0
        row["ave"] = ave(np.clip(lam, -1, 1))
        rel.append(row)
    reliability = pd.DataFrame(rel).set_index("construct")
    blocks = {b.name: list(b.items) for b in model.blocks}
    h = htmt(frame, blocks, weights=rw) if htmt_table is None else htmt_table
    fl = R.copy()
    for c in names:
        fl.loc[c, c] = np.sqrt(reliability.loc[c, "ave"])
    fl_test = fornell_larcker(reliability["ave"].to_dict(), R)
    multi = [j for j, b in enumerate(model.blocks) if len(b.items) > 1 and b.mode == "A"]
    comm = np.concatenate([est.loadings[0, st.blocks[j]] ** 2 for j in multi]) if multi else []
    gof = float(np.sqrt(np.mean(comm) * np.mean(r2["r2"]))) if len(comm) else np.nan
    r2_adj = r2["r2_adj"].rename("r2_adj")
    r2 = r2["r2"].rename("r2")
    out = {
        "outer": outer,
        "cross_loadings": cross,
        "construct_correlations": R,
        "paths": paths,
        "effects": effects,
        "r2": r2,
        "r2_adj": r2_adj,
        "reliability": reliability,
        "htmt": h,
        "fornell_larcker": fl,
        "fornell_larcker_test": fl_test,
        "gof": gof,
    }
    if raw is None:  # fitted from moments: no rows, no scores
        empty = pd.DataFrame(columns=names, dtype=float)
        return {**out, "scores": empty, "scores_raw": empty.copy(), "scores_100": empty.copy()}
    if X is not None:
        Y = X @ W
    else:  # from the raw items (a column-major view): ((raw - mean) / sd) W without a copy
        Ws = W / sd[:, None] if scaled else W
        Y = (Ws.T @ raw.T).T - mean @ Ws
    scores = pd.DataFrame(Y, index=frame.index, columns=names)
    lo, hi = scale
    Wu = np.zeros_like(W)
    Wu[np.arange(st.p), st.block_of] = w_unstd
    Wu = Wu / Wu.sum(axis=0)
    # raw is a column-major view of the frame: (Wu' raw')' multiplies it without a copy
    scores_raw = pd.DataFrame((Wu.T @ raw.T).T, index=frame.index, columns=names)
    s100 = scores_raw.to_numpy() - lo  # in place: no pandas temporaries
    s100 /= hi - lo
    s100 *= 100.0
    scores_100 = pd.DataFrame(s100, index=frame.index, columns=names, copy=False)
    return {**out, "scores": scores, "scores_raw": scores_raw, "scores_100": scores_100}


def _resolve_consistent(model: PLSModel, consistent):
    """False (PLS), None (PLSc on every reflective block) or construct indices."""
    if isinstance(consistent, (bool, np.bool_)):
        return None if consistent else False
    if isinstance(consistent, str) or not hasattr(consistent, "__iter__"):
        raise ParameterError(
            f"consistent={consistent!r} is invalid: expected True/False or a list of "
            "reflective construct names."
        )
    names = list(consistent)
    which = []
    for c in names:
        if c not in model.constructs:
            raise ParameterError(
                f"consistent: {c!r} is not a construct of the model "
                f"({', '.join(model.constructs)})."
            )
        b = model.block(c)
        if b.mode != "A" or len(b.items) < 2:
            raise ParameterError(
                f"consistent: construct {c!r} cannot be a common factor (PLSc needs a "
                f"mode-A block with at least two items; it is mode {b.mode} with "
                f"{len(b.items)} item(s))."
            )
        which.append(model.constructs.index(c))
    return tuple(sorted(set(which))) if which else False


def _boot_consistent(which):
    return False if which is False else (True if which is None else which)


def _apply_missing_codes(data, items, codes):
    if not isinstance(data, pd.DataFrame):
        return data  # _prepare raises the typed error
    codes = list(codes) if isinstance(codes, (list, tuple, set, np.ndarray)) else [codes]
    cols = [c for c in items if c in data.columns]
    out = data.copy()
    out[cols] = out[cols].mask(out[cols].isin(codes))
    return out


def add_diagnostics(tabs, model, st, S, C, n, scheme, tol, max_iter, consistent, f2) -> None:
    """Item VIF (``C``: the item correlations), seminr's AIC/BIC per equation and f^2 by
    re-estimation."""
    tabs["outer"]["vif"] = item_vif(st, C)
    r2 = tabs["r2"]
    crit = [info_criteria(r2[c], len(model.predecessors(c)), n) for c in r2.index]
    tabs["info_criteria"] = pd.DataFrame(
        {"aic": [a for a, _ in crit], "bic": [b for _, b in crit]}, index=r2.index
    )
    paths = tabs["paths"]
    re = f2_reestimated(model, S, scheme=scheme, tol=tol, max_iter=max_iter, consistent=consistent)
    paths["f2_reestimated"] = [re[(s, t)] for s, t in zip(paths["source"], paths["target"])]
    paths.insert(3, "f2", paths["f2_reestimated"] if f2 == "reestimate" else paths["f2_r2"].copy())


def _rho_a_checks(reliability: pd.DataFrame, consistent) -> list[str]:
    """Flag reflective blocks with rho_A > 1 (an improper reliability)."""
    rel = reliability[(reliability["mode"] == "A") & (reliability["n_items"] > 1)]
    bad = rel[rel["rho_a"] > 1]
    out = []
    for c, v in bad["rho_a"].items():
        used = consistent is True or (consistent and c in consistent)
        msg = (
            f"rho_A of construct {c!r} is {v:.3f} > 1 (an improper reliability: items with "
            "negative or very unequal correlations)"
            + (
                "; PLSc divides its correlations by sqrt(rho_A), so its corrected paths are shrunk."
                if used
                else "."
            )
        )
        out.append(msg)
        warn(msg, ImproperSolutionWarning)
    return out


def _plsc_checks(model, est: CoreEstimate) -> list[str]:
    """Improper PLSc solutions: |corrected correlation| >= 1 or a non-PD matrix."""
    out = []
    R = est.R[0]
    names = model.constructs
    bad = [
        f"{names[i]}-{names[j]} ({R[i, j]:.3f})"
        for i in range(len(names))
        for j in range(i + 1, len(names))
        if not abs(R[i, j]) < 1
    ]
    if bad:
        msg = (
            "PLSc: disattenuated construct correlation(s) not below 1 in absolute value: "
            + ", ".join(bad)
            + "; the consistent estimates are improper."
        )
        out.append(msg)
        warn(msg, ImproperSolutionWarning)
    ev = np.linalg.eigvalsh(np.nan_to_num(R))
    if ev[0] <= 0:
        msg = (
            f"PLSc: the corrected construct correlation matrix is not positive definite "
            f"(smallest eigenvalue {ev[0]:.3g})."
        )
        out.append(msg)
        warn(msg, NotPositiveDefiniteWarning)
    return out


def _rho_a(w: np.ndarray, S: np.ndarray) -> float:
    """Dijkstra & Henseler (2015) rho_A from weights scaled to unit composite variance."""
    w = w / np.sqrt(w @ S @ w)
    off = S - np.diag(np.diag(S))
    ww = np.outer(w, w)
    return float((w @ w) ** 2 * (w @ off @ w) / (w @ (ww - np.diag(np.diag(ww))) @ w))


def _attach_ci(tabs: dict, table: pd.DataFrame) -> None:
    cols = ["se", "ci_lower", "ci_upper", "bca_lower", "bca_upper"]
    pos = {key: i for i, key in enumerate(zip(table["kind"], table["first"], table["second"]))}
    values = table[cols].to_numpy()

    def pick(kind, first, second):
        return values[[pos[(kind, a, b)] for a, b in zip(first, second)]]

    out = tabs["outer"]
    for kind in ("weight", "loading"):
        v = pick(kind, out["construct"], out["item"])
        for i, c in enumerate(cols):
            out[f"{kind}_{c}"] = v[:, i]
    p = tabs["paths"]
    v = pick("path", p["source"], p["target"])
    for i, c in enumerate(cols):
        p[c] = v[:, i]
    e = tabs["effects"]
    for kind in ("indirect", "total"):
        v = pick(kind, e["source"], e["target"])
        for i, c in enumerate(cols):
            e[f"{kind}_{c}"] = v[:, i]
    ht = table[table["kind"] == "htmt"].drop(columns="kind")
    tabs["htmt_ci"] = ht.rename(columns={"first": "construct_1", "second": "construct_2"})
    rel = table[table["kind"].isin(_boot.RELIABILITY)].drop(columns="second")
    tabs["reliability_ci"] = rel.rename(columns={"kind": "statistic", "first": "construct"})[
        ["construct", "statistic", "estimate", *cols]
    ].reset_index(drop=True)
