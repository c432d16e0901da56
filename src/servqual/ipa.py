"""Where to act: importance-performance analysis, penalty-reward contrasts, moments of truth.

* :func:`ipa` - importance-performance analysis (Martilla & James 1977):
  attributes placed on a performance x importance grid split by crosshairs into
  "concentrate here", "keep up the good work", "low priority" and "possible
  overkill".
* :func:`~servqual.prca.penalty_reward` - penalty-reward contrast analysis with the
  impact-asymmetry index (Mittal, Ross & Baldasare 1998; Matzler et al. 2004).
* :func:`~servqual.prca.moments_of_truth` - the same contrast over the touchpoints of a
  customer journey; a touchpoint whose penalty significantly outweighs its
  reward is flagged as a "moment of truth" (drawn by :func:`servqual.figures.plot_journey`).

The last two live in :mod:`servqual.prca`, their one public home; reading
them from ``servqual.ipa`` still works for one release, with a FutureWarning.

References
----------
Martilla, J. A. & James, J. C. (1977). Importance-performance analysis.
*Journal of Marketing* 41(1), 77-79.
Mittal, V., Ross, W. T. & Baldasare, P. M. (1998). The asymmetric impact of
negative and positive attribute-level performance on overall satisfaction and
repurchase intentions. *Journal of Marketing* 62(1), 33-47.
Matzler, K., Bailom, F., Hinterhuber, H. H., Renzl, B. & Pichler, J. (2004).
The asymmetric relationship between attribute-level performance and overall
customer satisfaction: a reconsideration of the importance-performance
analysis. *Industrial Marketing Management* 33(4), 271-277.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field

import numpy as np
import pandas as pd

from ._checks import Interval, Options, check_frame, check_params, check_scale
from ._moved import moved_names
from ._options import check_missing
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from ._warn import warn
from .errors import InsufficientDataError, MissingDataWarning, ParameterError
from .prca import _attribute_list, _frame

__all__ = [
    "QUADRANTS",
    "IPAResult",
    "ipa",
]

#: names that moved to :mod:`servqual.prca` (penalty-reward has one public home)
_MOVED_TO_PRCA = (
    "TOUCHPOINTS",
    "PenaltyRewardResult",
    "MomentsOfTruthResult",
    "penalty_reward",
    "moments_of_truth",
    "simulate_asymmetric",
    "simulate_journey",
)


QUADRANTS = ("concentrate here", "keep up the good work", "low priority", "possible overkill")
#: IPA: "available" (default) -- each attribute's pair (rating + its importance column or
#: the outcome) uses the rows complete on that pair
_IPA_MISSING = ("available", "listwise", "raise")


# --------------------------------------------------------------------------- IPA
@resultclass
class IPAResult(Result):
    """Importance-performance analysis.

    Attributes
    ----------
    table : DataFrame
        ``attribute``, ``performance`` (mean rating), ``importance``,
        ``quadrant`` and ``n`` (rows used for that attribute).
    performance_line, importance_line : float
        Crosshair positions.
    importance_method : str
        ``"stated"``, ``"correlation"`` or ``"regression"``.
    crosshair : str
        ``"mean"``, ``"midpoint"`` or ``"given"``; how the lines were placed.
    scale : (low, high) or None
        Rating scale of the attributes when given (used for the axis label).
    """

    table: pd.DataFrame
    performance_line: float
    importance_line: float
    importance_method: str
    crosshair: str
    n: int
    n_dropped: int = 0
    notes: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())
    scale: tuple[float, float] | None = None

    def summary(self) -> Summary:
        info = {
            "importance": self.importance_method,
            "crosshair": self.crosshair,
            "performance line": self.performance_line,
            "importance line": self.importance_line,
            "n": self.n,
            "rows dropped": self.n_dropped,
        }
        secs = [("Settings", info), ("Attributes", self.table)]
        if self.notes:
            secs.append(("Notes", "\n".join(self.notes)))
        return Summary(
            "Importance-performance analysis (Martilla & James 1977)", secs, self.warnings
        )


def _quadrant(perf: float, imp: float, pline: float, iline: float) -> str:
    high_i, high_p = imp >= iline, perf >= pline
    if high_i:
        return "keep up the good work" if high_p else "concentrate here"
    return "possible overkill" if high_p else "low priority"


@records_provenance
def ipa(
    data: pd.DataFrame,
    attributes: Sequence[str],
    *,
    importance="correlation",
    outcome: str | None = None,
    crosshair="mean",
    scale=None,
    importance_scale=None,
    missing: str = "available",
) -> IPAResult:
    """Importance-performance analysis (Martilla & James 1977).

    Parameters
    ----------
    data : DataFrame
        One row per respondent; ``attributes`` hold performance ratings.
    attributes : list of str
    importance : "correlation", "regression" or mapping
        Derived importance - Pearson correlation of each attribute with
        ``outcome``, or standardized multiple-regression coefficients - or
        given importance: a mapping attribute -> number (stated importance) or
        attribute -> column name (its mean is used).
    outcome : str, optional
        Overall satisfaction column, needed for derived importance.
    crosshair : "mean", "midpoint" or (performance, importance)
        "mean": the means of performance and importance over attributes.
        "midpoint": the midpoint of ``scale`` for performance and of
        ``importance_scale`` for importance (the mean of importance when no
        ``importance_scale`` is given; a note says so).
    scale : (low, high), optional
        Rating scale of the attributes (checked; required for "midpoint").
    importance_scale : (low, high), optional
        Scale of stated importance.
    missing : {"available", "listwise", "raise"}
        ``"available"`` (default): each attribute uses the rows complete on the
        pair it needs -- its rating and its importance column, or its rating
        and ``outcome`` (regression importance needs every attribute at once
        and uses the rows complete on all of them); the rows used per attribute
        are in ``table["n"]``. ``"listwise"``: rows complete on every column;
        ``"raise"``: refuse missing values.

    Returns
    -------
    IPAResult

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 3, 5], "y": [1, 2, 3, 5, 4]})
    >>> r = ipa(df, ["a", "b"], importance={"a": 6, "b": 3}, crosshair="midpoint",
    ...         scale=(1, 5), importance_scale=(1, 7))
    >>> r.table["quadrant"].tolist()
    ['keep up the good work', 'possible overkill']
    """
    attributes = _attribute_list(attributes)
    missing = check_missing(missing, _IPA_MISSING)
    if scale is not None:
        scale = check_scale(scale)
    if importance_scale is not None:
        importance_scale = check_scale(importance_scale)
    notes: list[str] = []
    derived = isinstance(importance, str)
    if derived:
        check_params(
            {"importance": importance}, {"importance": Options(("correlation", "regression"))}
        )
        if outcome is None:
            raise ParameterError(
                f"importance={importance!r} derives importance from an outcome: pass outcome=."
            )
        cols = attributes + [outcome]
    elif isinstance(importance, Mapping):
        missing_imp = [a for a in attributes if a not in importance]
        if missing_imp:
            raise ParameterError(f"importance has no value for attribute(s) {missing_imp}.")
        cols = attributes + [importance[a] for a in attributes if isinstance(importance[a], str)]
    else:
        raise ParameterError(
            f"importance={importance!r} is invalid: expected 'correlation', 'regression' or "
            "a mapping attribute -> stated importance (number or column)."
        )
    # stated-importance columns may be constant; ratings and outcome may not
    cols = list(dict.fromkeys(cols))
    pairs = {a: _pair(a, importance, outcome, derived) for a in attributes}
    if missing == "available" and importance != "regression":
        full = check_frame(data, cols, missing="allow", allow_constant=True)
        frame, n_dropped, warns = _available(full, pairs)
    else:
        frame, n_dropped, warns = _frame(data, cols, missing, allow_constant=True)
    used = {a: frame[pairs[a]].dropna() for a in attributes}
    for a in attributes:
        check_frame(used[a], pairs[a][:1] + ([outcome] if derived else []), min_rows=3)
        if scale is not None:
            check_frame(used[a], [a], scale=scale, allow_constant=True)
    perf = np.array([used[a][a].mean() for a in attributes])
    if derived:
        if importance == "correlation":
            imp = np.array([np.corrcoef(used[a][a], used[a][outcome])[0, 1] for a in attributes])
        else:
            x = frame[attributes].to_numpy()
            y = frame[outcome].to_numpy()
            if frame.shape[0] <= len(attributes) + 1:
                raise InsufficientDataError(
                    f"regression importance needs more than {len(attributes) + 1} rows; "
                    f"got {frame.shape[0]}."
                )
            zx = (x - x.mean(0)) / x.std(0, ddof=1)
            zy = (y - y.mean()) / y.std(ddof=1)
            imp = np.linalg.lstsq(zx, zy, rcond=None)[0]
        method = importance
    else:
        vals = []
        for a in attributes:
            v = importance[a]
            if isinstance(v, str):
                vals.append(used[a][v].mean())
                if importance_scale is not None:
                    check_frame(used[a], [v], scale=importance_scale, allow_constant=True)
            else:
                check_params({f"importance[{a!r}]": v}, {f"importance[{a!r}]": Interval()})
                vals.append(float(v))
        imp = np.asarray(vals, dtype=float)
        method = "stated"
    if isinstance(crosshair, str):
        check_params({"crosshair": crosshair}, {"crosshair": Options(("mean", "midpoint"))})
        if crosshair == "mean":
            pline, iline = float(perf.mean()), float(imp.mean())
        else:
            if scale is None:
                raise ParameterError("crosshair='midpoint' needs the rating scale: pass scale=.")
            pline = (scale[0] + scale[1]) / 2
            if importance_scale is not None and not derived:
                iline = (importance_scale[0] + importance_scale[1]) / 2
            else:
                iline = float(imp.mean())
                notes.append("importance crosshair at the mean importance (no importance scale).")
    else:
        try:
            pline, iline = (float(v) for v in crosshair)
        except (TypeError, ValueError):
            raise ParameterError(
                f"crosshair={crosshair!r} is invalid: expected 'mean', 'midpoint' or a pair "
                "(performance, importance)."
            ) from None
        crosshair = "given"
    table = pd.DataFrame(
        {
            "attribute": attributes,
            "performance": perf,
            "importance": imp,
            "quadrant": [_quadrant(p, i, pline, iline) for p, i in zip(perf, imp)],
            "n": [int(used[a].shape[0]) for a in attributes],
        }
    )
    return IPAResult(
        table,
        pline,
        iline,
        method,
        crosshair,
        int(frame.shape[0]),
        n_dropped,
        tuple(notes),
        tuple(warns),
        None if scale is None else (float(scale[0]), float(scale[1])),
    )


# plots moved to servqual.figures (old names work for one release, with a FutureWarning)
__getattr__ = moved_names(
    __name__,
    {
        "ipa_plot": "servqual.figures.cx:plot_ipa",
        "journey_plot": "servqual.figures.cx:plot_journey",
        **{name: f"servqual.prca:{name}" for name in _MOVED_TO_PRCA},
    },
)


def _pair(a: str, importance, outcome, derived: bool) -> list[str]:
    """The columns attribute ``a`` needs: its rating and its importance column or outcome."""
    if derived:
        return [a, outcome] if a != outcome else [a]
    v = importance[a]
    return [a, v] if isinstance(v, str) and v != a else [a]


def _available(frame: pd.DataFrame, pairs: dict) -> tuple[pd.DataFrame, int, list[str]]:
    """Available-case IPA: keep rows complete on at least one attribute's pair; report."""
    ok = {a: frame[cols].notna().all(axis=1) for a, cols in pairs.items()}
    keep = pd.concat(ok, axis=1).any(axis=1)
    warns: list[str] = []
    short = {a: int((~m).sum()) for a, m in ok.items() if (~m).any()}
    if short:
        detail = ", ".join(f"{a!r}: {k}" for a, k in short.items())
        warns.append(
            "available-case IPA: rows missing a value of an attribute's pair are left out "
            f"of that attribute only (rows left out per attribute: {detail})."
        )
        warn(warns[-1], MissingDataWarning)
    return frame.loc[keep], int((~keep).sum()), warns
