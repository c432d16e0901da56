"""Preparing a model for :func:`servqual.sem.fit`.

Syntax -> parameter table (lavaan's defaults, ``group_equal`` as equality
labels) -> RAM model, with the data validated (missing values reported, never
silently dropped) and split by group.  :class:`Prepared` holds everything an
estimator (and a bootstrap refit) needs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import check_columns, check_data, check_frame, check_identical
from .._warn import warn
from ..errors import (
    InsufficientDataError,
    MissingDataWarning,
    MissingValuesError,
    OutOfRangeError,
    ParameterError,
    SpecificationError,
)
from .defined import DefinedParameters
from .model import RAMModel, build_model
from .syntax import build_partable, model_variables, parse

__all__ = ["Prepared", "prepare", "build_prepared"]


_GROUP_EQUAL = (
    "loadings",
    "intercepts",
    "means",
    "residuals",
    "lv.variances",
    "lv.covariances",
    "regressions",
)
_OPMAP = {"loadings": ("=~",), "regressions": ("~",), "intercepts": ("~1",)}


@dataclass(frozen=True)
class Prepared:
    """Everything needed to estimate (and re-estimate on resamples)."""

    model: RAMModel
    defined: DefinedParameters
    arrays: tuple[np.ndarray, ...]  # per-group data matrices (observed columns)
    group_labels: tuple
    statements: tuple
    equalities: tuple
    notes: tuple[str, ...]
    weights: tuple[np.ndarray, ...] | None = None  # per-group sampling weights (sum N)


def _apply_group_equal(pt: pd.DataFrame, group_equal, latent) -> pd.DataFrame:
    pt = pt.copy()
    for what in group_equal:
        if what == "thresholds":  # ordinal items: handled by the WLSMV estimator
            continue
        if what not in _GROUP_EQUAL:
            raise ParameterError(
                f"group_equal entry {what!r} is invalid: expected one of {_GROUP_EQUAL}."
            )
    if pt["group"].nunique() < 2 or not group_equal:
        return pt
    for i, row in enumerate(pt.itertuples()):
        if not row.free or isinstance(row.label, str):
            continue
        lat_l, lat_r = row.lhs in latent, row.rhs in latent
        hit = False
        if row.op in ("=~", "~"):
            hit = ("loadings" if row.op == "=~" else "regressions") in group_equal
        elif row.op == "~1":
            hit = ("means" if lat_l else "intercepts") in group_equal
        elif row.op == "~~":
            if lat_l and lat_r:
                hit = ("lv.variances" if row.lhs == row.rhs else "lv.covariances") in group_equal
            elif not lat_l and not lat_r:
                hit = "residuals" in group_equal
        if hit:
            pt.loc[pt.index[i], "label"] = f".eq.{row.lhs}{row.op}{row.rhs}"
    if "intercepts" in group_equal and "means" not in group_equal:
        # lavaan: with equal intercepts, latent means are free beyond the first group
        m = (pt["op"] == "~1") & pt["lhs"].isin(latent) & (pt["group"] > 0) & ~pt["user"]
        pt.loc[m, "free"] = True
        pt.loc[m, "fixed"] = np.nan
    return pt


def prepare(
    model: str,
    data: pd.DataFrame,
    *,
    group=None,
    missing="listwise",
    meanstructure=None,
    group_equal=(),
    std_lv=False,
    fixed_x=True,
    weights=None,
) -> Prepared:
    """Parse, validate the data and build the RAM model.

    ``weights`` (validated, one per row of ``data``) become per-group
    sampling weights of the rows kept, normalised to sum to the total N
    (lavaan's ``sampling.weights.normalization = "total"``).
    """
    from .interactions import expand_interactions

    model, data, _ = expand_interactions(model, data)
    statements = parse(model)
    observed, latent = model_variables(statements)
    check_data(data)
    if isinstance(data, pd.DataFrame):
        unknown = [v for v in observed if v not in data.columns]
        if unknown:
            raise SpecificationError(
                f"unknown variable(s) {unknown}: not columns of the data and not latent "
                "variables defined with '=~'."
            )
    if group is not None and group not in getattr(data, "columns", ()):
        raise SpecificationError(f"group column {group!r} is not in the data.")
    cols = list(observed)
    check_columns(data, cols)
    if data.shape[0] < len(observed) + 1:
        raise InsufficientDataError(
            f"only {data.shape[0]} row(s) in the data; at least {len(observed) + 1} needed for "
            f"{len(observed)} observed variables."
        )
    frame = check_frame(data, cols, missing="allow")
    notes = []
    na_rows = frame.isna().any(axis=1).to_numpy().copy()
    if group is not None:
        gcol = data[group]
        na_rows |= gcol.isna().to_numpy()
    if missing == "fiml":
        # FIML keeps every row with at least one observed value (and a group)
        all_na = frame.isna().all(axis=1).to_numpy()
        na_any = frame.isna().any(axis=1).to_numpy()
        if group is not None:
            all_na = all_na | data[group].isna().to_numpy()
        if na_any.any() or all_na.any():
            counts = frame.isna().sum()
            detail = ", ".join(f"{c}: {int(k)}" for c, k in counts[counts > 0].items())
            msg = (
                f"FIML: {int(na_any.sum())} of {len(frame)} rows have missing values "
                f"(missing per column: {detail}); they are used through the observed-data "
                f"likelihood, {int(all_na.sum())} rows with no observed value dropped."
            )
            notes.append(msg)
            warn(msg, MissingDataWarning)
        na_rows = all_na
    elif na_rows.any() and missing == "raise":
        counts = frame.isna().sum()
        detail = ", ".join(f"{c!r}: {int(k)}" for c, k in counts[counts > 0].items())
        raise MissingValuesError(
            f"missing values in column(s) {detail}; choose missing='listwise' (drop those "
            "rows) or missing='fiml' (use every observed value)."
        )
    elif na_rows.any():
        counts = frame.isna().sum()
        parts = [f"{c}: {int(k)}" for c, k in counts[counts > 0].items()]
        if group is not None and data[group].isna().any():
            parts.append(f"{group} (group): {int(data[group].isna().sum())}")
        detail = ", ".join(parts)
        msg = (
            f"listwise deletion dropped {int(na_rows.sum())} of {len(frame)} rows with "
            f"missing values (missing per column: {detail}); missing='fiml' would use "
            "every observed value instead."
        )
        notes.append(msg)
        warn(msg, MissingDataWarning)
    keep = ~na_rows
    X = frame.to_numpy(float)[keep]
    check_identical(X, cols)
    wk = None
    if weights is not None:
        wk = np.asarray(weights, float)[keep]
        if not (wk > 0).any():
            raise OutOfRangeError("every usable row has weight 0: no data to fit.")
        wk = wk * wk.size / wk.sum()
    if group is None:
        levels = (None,)
        arrays = (X,)
        wts = None if wk is None else (wk,)
    else:
        gv = data[group].to_numpy()[keep]
        levels = tuple(pd.unique(gv))
        arrays = tuple(X[gv == lev] for lev in levels)
        wts = None if wk is None else tuple(wk[gv == lev] for lev in levels)
    min_n = len(observed) + 1
    for lev, A in zip(levels, arrays):
        if A.shape[0] < min_n:
            where = "" if lev is None else f" in group {lev!r}"
            raise InsufficientDataError(
                f"only {A.shape[0]} usable rows{where}; at least {min_n} needed for "
                f"{len(observed)} observed variables."
            )
    ms = True if missing == "fiml" else meanstructure  # FIML needs the mean structure
    return build_prepared(
        statements, observed, latent, arrays, levels, notes, wts,
        meanstructure=ms, group_equal=group_equal, std_lv=std_lv, fixed_x=fixed_x,
        model=model,
    )  # fmt: skip


def build_prepared(statements, observed, latent, arrays, levels, notes, weights, *,
                   meanstructure, group_equal, std_lv, fixed_x,
                   model=None) -> Prepared:  # fmt: skip
    """Parameter table and RAM model of parsed ``statements`` (lavaan defaults).

    ``model``, the syntax the statements were parsed from, lets the structure be
    cached per syntax and options.
    """
    has_means = any(s.op == "~1" for s in statements)
    ms = bool(meanstructure) if meanstructure is not None else (len(levels) > 1 or has_means)
    key = (len(levels), ms, tuple(group_equal), bool(std_lv), bool(fixed_x))
    if model is None:
        ram, defined, equalities = _build_structure(statements, observed, latent, *key)
    else:
        try:
            hash(key)
        except TypeError:  # e.g. a list inside group_equal: validated (and refused) uncached
            ram, defined, equalities = _structure.__wrapped__(model, *key)
        else:
            ram, defined, equalities = _structure(model, *key)
    return Prepared(
        ram, defined, arrays, levels, tuple(statements), equalities, tuple(notes), weights
    )


@functools.lru_cache(maxsize=32)
def _structure(model: str, n_groups: int, ms: bool, group_equal: tuple, std_lv: bool, fixed_x):
    """Parameter table, RAM model and defined parameters of a syntax (cached: the
    same model is typically fitted many times -- subsamples, groups, studies).
    Everything returned is treated as immutable downstream."""
    statements = parse(model)
    observed, latent = model_variables(statements)
    return _build_structure(
        statements, observed, latent, n_groups, ms, group_equal, std_lv, fixed_x
    )


def _build_structure(statements, observed, latent, n_groups, ms, group_equal, std_lv, fixed_x):
    """Uncached :func:`_structure` of parsed ``statements``."""
    pt = build_partable(
        statements, n_groups=n_groups, meanstructure=ms, std_lv=std_lv, fixed_x=fixed_x
    )
    pt = _apply_group_equal(pt, group_equal, latent)
    equalities = tuple((s.lhs, s.rhs) for s in statements if s.op == "==")
    ram = build_model(pt, observed, latent, equalities)
    labels = set(pt["label"].dropna())
    defined = DefinedParameters([s for s in statements if s.op == ":="], labels)
    return ram, defined, equalities
