"""Input preparation shared by the driver models (through ``servqual._checks``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._checks import check_columns, check_data, check_frame, check_weights
from .._options import check_missing
from .._warn import warn
from ..errors import DataError, MissingDataWarning, OutOfRangeError, ParameterError

#: driver models: one model, one set of variables -- "available" (rows complete on the
#: model's own variables) is listwise deletion on those variables
DRIVER_MISSING = ("listwise", "available", "mean", "raise")

__all__ = ["prepare", "prepare_weighted", "correlation", "check_pd", "resolve_groups"]


def _names(value, what: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence) or isinstance(value, bytes):
        raise ParameterError(f"{what}={value!r} is invalid: expected a list of column names.")
    out = list(value)
    if not out:
        raise ParameterError(f"{what} is empty: expected at least one column name.")
    return out


def prepare(
    data: pd.DataFrame,
    target: str,
    predictors: Sequence[str],
    *,
    missing: str = "listwise",
    min_extra: int = 2,
) -> tuple[pd.DataFrame, list[str]]:
    """Validated float frame ``[target] + predictors`` and the warnings to attach.

    ``missing="listwise"`` (= ``"available"``: the rows complete on the model's
    own variables) drops incomplete rows, reporting how many per column (warned
    and returned); ``"mean"`` imputes predictor means (rows with a missing
    target are dropped), counted; ``"raise"`` raises
    :class:`MissingValuesError` naming the columns.
    """
    frame, notes, _ = _prepare(data, target, predictors, missing=missing, min_extra=min_extra)
    return frame, notes


def prepare_weighted(
    data: pd.DataFrame,
    target: str,
    predictors: Sequence[str],
    *,
    weights=None,
    missing: str = "listwise",
    min_extra: int = 2,
) -> tuple[pd.DataFrame, list[str], np.ndarray | None]:
    """:func:`prepare` plus the respondent weights of the rows kept (``None`` without)."""
    w = check_weights(weights, check_data(data))
    frame, notes, keep = _prepare(data, target, predictors, missing=missing, min_extra=min_extra)
    if w is None:
        return frame, notes, None
    w = w[keep]
    if not (w > 0).any():
        raise OutOfRangeError("every usable row has weight 0: nothing to estimate from.")
    return frame, notes, w


def _prepare(data, target, predictors, *, missing, min_extra):
    missing = check_missing(missing, DRIVER_MISSING)
    if not isinstance(target, str):
        raise ParameterError(f"target={target!r} is invalid: expected one column name.")
    predictors = _names(predictors, "predictors")
    if target in predictors:
        raise ParameterError(f"target {target!r} is also listed among the predictors.")
    check_columns(data, [target, *predictors])
    frame = check_frame(
        data,
        [target, *predictors],
        missing="raise" if missing == "raise" else "allow",
        min_rows=len(predictors) + min_extra,
    )
    notes: list[str] = []
    keep = np.ones(len(frame), dtype=bool)
    if missing == "mean" and frame[predictors].isna().to_numpy().any():
        counts = frame[predictors].isna().sum()
        detail = ", ".join(f"{c!r}: {int(k)}" for c, k in counts[counts > 0].items())
        msg = f"{int(counts.sum())} missing predictor value(s) imputed by the mean ({detail})."
        warn(msg, MissingDataWarning)
        notes.append(msg)
        frame[predictors] = frame[predictors].fillna(frame[predictors].mean())
    if missing != "raise":
        bad = frame.isna().any(axis=1)
        if bad.any():
            counts = frame.isna().sum()
            detail = ", ".join(f"{c!r}: {int(k)}" for c, k in counts[counts > 0].items())
            msg = (
                f"{int(bad.sum())} of {len(frame)} rows dropped (listwise) for missing "
                f"values ({detail})."
            )
            warn(msg, MissingDataWarning)
            notes.append(msg)
            keep = ~bad.to_numpy()
            frame = frame.loc[keep]
            frame = check_frame(frame, min_rows=len(predictors) + min_extra)
    return frame, notes, keep


def correlation(x: np.ndarray) -> np.ndarray:
    """Pearson correlation matrix of the columns of ``x``."""
    return np.corrcoef(x, rowvar=False)


def check_pd(rxx: np.ndarray, names: Sequence[str], tol: float = 1e-10) -> None:
    """Raise :class:`DataError` naming the collinear predictors if ``rxx`` is singular."""
    vals, vecs = np.linalg.eigh(rxx)
    if vals[0] <= tol * max(1.0, vals[-1]):
        v = vecs[:, 0]
        involved = [names[i] for i in np.flatnonzero(np.abs(v) > 0.1)]
        raise DataError(
            f"the predictors {involved} are (almost) perfectly collinear (smallest "
            f"eigenvalue of their correlation matrix {vals[0]:.2e}); drop or combine them."
        )


def resolve_groups(
    predictors: Sequence[str] | None, groups: Mapping[str, Sequence[str]] | None
) -> tuple[list[str], list[str], list[list[int]] | None]:
    """Return ``(predictors, unit_names, units)`` for ungrouped or grouped analyses.

    With ``groups`` every predictor must belong to exactly one group; when
    ``predictors`` is ``None`` they are the groups' columns in order.
    """
    if groups is None:
        if predictors is None:
            raise ParameterError("predictors=None is invalid without groups: expected columns.")
        predictors = _names(predictors, "predictors")
        if len(set(predictors)) != len(predictors):
            dup = sorted({c for c in predictors if predictors.count(c) > 1})
            raise ParameterError(f"predictor(s) {dup} listed more than once.")
        return predictors, list(predictors), None
    if not isinstance(groups, Mapping) or not groups:
        raise ParameterError(
            f"groups={groups!r} is invalid: expected a non-empty dict group -> list of columns."
        )
    owner: dict[str, str] = {}
    for g, cols in groups.items():
        for c in _names(cols, f"groups[{g!r}]"):
            if c in owner:
                raise ParameterError(
                    f"column {c!r} is in both group {owner[c]!r} and group {g!r}; "
                    "each predictor must belong to exactly one group."
                )
            owner[c] = g
    if predictors is None:
        predictors = list(owner)
    else:
        predictors = _names(predictors, "predictors")
        stray = [c for c in predictors if c not in owner]
        if stray:
            raise ParameterError(f"predictor(s) {stray} belong to no group; add them to `groups`.")
        extra = [c for c in owner if c not in predictors]
        if extra:
            raise ParameterError(
                f"group column(s) {extra} are not among the predictors; list them there."
            )
    pos = {c: i for i, c in enumerate(predictors)}
    units = [[pos[c] for c in cols] for cols in groups.values()]
    return predictors, [str(g) for g in groups], units
