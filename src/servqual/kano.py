"""Kano analysis: evaluation table, category shares, strength, Fong test, CS coefficients.

Each feature is asked twice: the *functional* question ("how do you feel if the
service has X?") and the *dysfunctional* one ("... if it does not have X?").
Answers are coded 1 like, 2 must-be, 3 neutral, 4 live-with, 5 dislike (the
words are accepted too, case-insensitively).  A pair is classified with the
evaluation table of Berger et al. (1993):

====================  ====  =======  =======  =========  =======
functional \\ dysf.    like  must-be  neutral  live-with  dislike
====================  ====  =======  =======  =========  =======
like                  Q     A        A        A          O
must-be               R     I        I        I          M
neutral               R     I        I        I          M
live-with             R     I        I        I          M
dislike               R     R        R        R          Q
====================  ====  =======  =======  =========  =======

A attractive, O one-dimensional, M must-be, I indifferent, R reverse,
Q questionable.

References
----------
Berger, C. et al. (1993). Kano's methods for understanding customer-defined
quality. *Center for Quality of Management Journal* 2(4), 3-35.
Fong, D. (1996). Using the self-stated importance questionnaire to interpret
Kano questionnaire results. *CQM Journal* 5(3), 21-23.
Lee, M. C. & Newcomb, J. F. (1997). Applying the Kano methodology to meet
customer requirements: NASA's microgravity research program. *Quality
Management Journal* 4(3), 95-106 (category strength, total strength).
DuMouchel, W. (1993), in Berger et al. (1993), section IVb (continuous scores).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field

import numpy as np
import pandas as pd

from ._checks import Interval, check_columns, check_data, check_params, check_rng
from ._moved import moved_names
from ._options import check_missing
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from ._warn import warn
from .errors import (
    EmptyDataError,
    InputTypeError,
    MissingDataWarning,
    MissingValuesError,
    OutOfRangeError,
    ParameterError,
    ServqualWarning,
)

__all__ = [
    "ANSWERS",
    "CATEGORIES",
    "EVALUATION_TABLE",
    "KanoResult",
    "classify",
    "classify_frame",
    "continuous_scores",
    "fong_test",
    "kano",
    "simulate_kano",
]

ANSWERS = ("like", "must-be", "neutral", "live-with", "dislike")
CATEGORIES = ("A", "O", "M", "I", "R", "Q")
_NAMES = {
    "A": "attractive",
    "O": "one-dimensional",
    "M": "must-be",
    "I": "indifferent",
    "R": "reverse",
    "Q": "questionable",
}
# Tie-break order for the modal category: M > O > A > I, then R, Q.
_TIE_ORDER = ("M", "O", "A", "I", "R", "Q")

_TABLE = np.array(
    [
        ["Q", "A", "A", "A", "O"],
        ["R", "I", "I", "I", "M"],
        ["R", "I", "I", "I", "M"],
        ["R", "I", "I", "I", "M"],
        ["R", "R", "R", "R", "Q"],
    ]
)
#: Berger et al. (1993) evaluation table; rows functional, columns dysfunctional.
EVALUATION_TABLE = pd.DataFrame(_TABLE, index=list(ANSWERS), columns=list(ANSWERS))
EVALUATION_TABLE.index.name = "functional"
EVALUATION_TABLE.columns.name = "dysfunctional"

_WORDS = {
    "like": 1,
    "i like it": 1,
    "must-be": 2,
    "must be": 2,
    "mustbe": 2,
    "expect": 2,
    "i expect it": 2,
    "neutral": 3,
    "i am neutral": 3,
    "live-with": 4,
    "live with": 4,
    "livewith": 4,
    "tolerate": 4,
    "i can live with it": 4,
    "dislike": 5,
    "i dislike it": 5,
}

# DuMouchel (1993) continuous scores for answers 1..5.
FUNCTIONAL_SCORES = np.array([4.0, 2.0, 0.0, -1.0, -2.0])
DYSFUNCTIONAL_SCORES = np.array([-2.0, -1.0, 0.0, 2.0, 4.0])
#: Kano: "available" (default) -- each feature uses the respondents who answered both
#: of its questions; "listwise" -- only respondents who answered every question
_KANO_MISSING = ("available", "listwise", "raise")


def _kano_rows(data: pd.DataFrame, feats: Mapping, missing: str) -> pd.DataFrame:
    """Rows to use: all (available/raise) or those complete on every feature (listwise)."""
    if missing != "listwise":
        return data
    cols = [c for pair in feats.values() for c in pair]
    return data.loc[data[cols].notna().all(axis=1).to_numpy()]


def _ndim(values, name: str) -> int:
    """``np.ndim``, with ragged nested lists (``[0, []]``) as a typed error."""
    try:
        return np.ndim(values)
    except ValueError:
        raise InputTypeError(
            f"{name} must be one answer or a one-dimensional list of answers, got the ragged "
            f"{type(values).__name__} {values!r:.40}."
        ) from None


def _codes(values, name: str, allow_missing: bool = False) -> tuple[np.ndarray, pd.Index]:
    """Answer codes 1..5 (0 for missing when allowed) and the row labels.

    Each distinct value is interpreted once, so long columns are fast.
    """
    if isinstance(values, (dict, set)) or _ndim(values, name) != 1:
        raise InputTypeError(
            f"{name} must be one answer or a one-dimensional list, array or Series of answers, "
            f"got {type(values).__name__} {values!r:.40}."
        )
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    if s.shape[0] == 0:
        raise EmptyDataError(f"{name} holds no answers.")
    raw = s.to_numpy(dtype=object)
    try:
        missing = pd.isna(s).to_numpy()
        inverse, uniq = pd.factorize(pd.Series(raw[~missing], dtype=object), sort=False)
    except TypeError:  # unhashable entries: lists, dicts...
        pos = next(i for i, v in enumerate(raw) if not isinstance(v, (str, int, float)))
        raise InputTypeError(
            f"{name}: row {_label(s.index[pos])!r} holds {type(raw[pos]).__name__} "
            f"{raw[pos]!r:.40}; expected a code 1-5 or an answer word."
        ) from None
    lookup = np.array([_interpret(v) for v in uniq], dtype=np.int64)
    out = np.zeros(raw.shape[0], dtype=np.int64)
    out[~missing] = lookup[inverse] if len(uniq) else 0
    if missing.any() and not allow_missing:
        pos = int(np.flatnonzero(missing)[0])
        raise MissingValuesError(
            f"{name}: row {_label(s.index[pos])!r} has a missing answer; "
            "expected a code 1-5 or a word (like, must-be, neutral, live-with, dislike)."
        )
    if s.dtype == bool:
        out[:] = 0  # True/False are not answer codes
    elif s.dtype == object:  # factorize treats True as 1: reject booleans explicitly
        out[[isinstance(v, (bool, np.bool_)) for v in raw]] = 0
    bad = (~missing) & (out == 0)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise OutOfRangeError(
            f"{name}: row {_label(s.index[pos])!r} has invalid answer {raw[pos]!r}; expected a "
            "code 1-5 (1 like, 2 must-be, 3 neutral, 4 live-with, 5 dislike) or one of those words."
        )
    return out, s.index


def _interpret(v) -> int:
    """Code 1..5 of one answer, 0 when invalid."""
    if isinstance(v, str):
        code = _WORDS.get(" ".join(v.strip().lower().replace("_", " ").split()))
        if code is None:
            try:
                code = _as_code(float(v))
            except ValueError:
                code = None
    elif isinstance(v, (bool, np.bool_)):
        code = None
    else:
        try:
            code = _as_code(float(v))
        except (TypeError, ValueError):
            code = None
    return 0 if code is None else code


def _as_code(x: float) -> int | None:
    if np.isfinite(x) and x == int(x) and 1 <= x <= 5:
        return int(x)
    return None


def _label(v):
    return v.item() if isinstance(v, np.generic) else v


def classify(functional, dysfunctional):
    """Kano category of functional/dysfunctional answer pairs (Berger et al. 1993).

    Parameters
    ----------
    functional, dysfunctional : scalar, list, array or Series
        Answers coded 1 like, 2 must-be, 3 neutral, 4 live-with, 5 dislike, or
        those words (case-insensitive).

    Returns
    -------
    str for scalar input, otherwise a Series of letters A/O/M/I/R/Q (index of
    ``functional`` if it is a Series).

    Examples
    --------
    >>> classify(1, 5), classify("like", "neutral"), classify("Must-be", "dislike")
    ('O', 'A', 'M')
    >>> classify([1, 3], [5, 3]).tolist()
    ['O', 'I']
    """
    scalar = _ndim(functional, "functional") == 0 and _ndim(dysfunctional, "dysfunctional") == 0
    f, idx = _codes([functional] if scalar else functional, "functional")
    d, _ = _codes([dysfunctional] if scalar else dysfunctional, "dysfunctional")
    if f.shape != d.shape:
        raise ParameterError(
            f"functional has {f.shape[0]} answers but dysfunctional has {d.shape[0]}; "
            "expected one pair per respondent."
        )
    letters = _TABLE[f - 1, d - 1]
    if scalar:
        return str(letters[0])
    return pd.Series(letters, index=idx, name="category", dtype=object)


def _features(data: pd.DataFrame, features) -> dict[str, tuple[str, str]]:
    check_data(data)
    if not isinstance(features, Mapping) or not features:
        raise ParameterError(
            f"features={features!r} is invalid: expected a non-empty mapping "
            "feature -> (functional column, dysfunctional column)."
        )
    out = {}
    for name, pair in features.items():
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ParameterError(
                f"features[{name!r}]={pair!r} is invalid: expected a pair "
                "(functional column, dysfunctional column)."
            )
        out[str(name)] = (pair[0], pair[1])
    check_columns(data, [c for p in out.values() for c in p])
    if data.shape[0] == 0:
        raise EmptyDataError("the data frame has no rows.")
    return out


def classify_frame(data: pd.DataFrame, features: Mapping, *, missing: str = "available"):
    """Per-respondent Kano categories: one column per feature, letters A/O/M/I/R/Q.

    ``features`` maps a feature name to its (functional, dysfunctional) columns.
    ``missing="available"`` (default) leaves the category missing (``None``)
    where an answer of that pair is missing; ``"listwise"`` keeps only the
    respondents who answered every question; ``"raise"`` raises on a missing
    answer (naming row and column). ``"omit"`` is the old name of
    ``"available"``.

    Examples
    --------
    >>> df = pd.DataFrame({"wifi_f": [1, 2], "wifi_d": [5, 5]})
    >>> classify_frame(df, {"wifi": ("wifi_f", "wifi_d")})["wifi"].tolist()
    ['O', 'M']
    """
    missing = check_missing(missing, _KANO_MISSING)
    feats = _features(data, features)
    data = _kano_rows(data, feats, missing)
    cols = {}
    for name, (fc, dc) in feats.items():
        f, _ = _codes(data[fc], f"column {fc!r}", allow_missing=missing != "raise")
        d, _ = _codes(data[dc], f"column {dc!r}", allow_missing=missing != "raise")
        ok = (f > 0) & (d > 0)
        lab = np.full(f.shape[0], None, dtype=object)
        lab[ok] = _TABLE[f[ok] - 1, d[ok] - 1]
        cols[name] = lab
    return pd.DataFrame(cols, index=data.index)


def continuous_scores(data: pd.DataFrame, features: Mapping, *, missing: str = "available"):
    """DuMouchel (1993) continuous functional/dysfunctional scores per feature.

    Functional answers score 4, 2, 0, -1, -2 and dysfunctional answers -2, -1,
    0, 2, 4 (like ... dislike).  Returns one row per feature with the mean and
    standard deviation of each score and ``n``.

    Examples
    --------
    >>> df = pd.DataFrame({"f": [1, 1, 3], "d": [5, 3, 3]})
    >>> continuous_scores(df, {"x": ("f", "d")})[["functional", "dysfunctional"]].round(3).values
    array([[2.667, 1.333]])
    """
    missing = check_missing(missing, _KANO_MISSING)
    feats = _features(data, features)
    data = _kano_rows(data, feats, missing)
    rows = []
    for name, (fc, dc) in feats.items():
        f, _ = _codes(data[fc], f"column {fc!r}", allow_missing=missing != "raise")
        d, _ = _codes(data[dc], f"column {dc!r}", allow_missing=missing != "raise")
        ok = (f > 0) & (d > 0)
        fs, ds = FUNCTIONAL_SCORES[f[ok] - 1], DYSFUNCTIONAL_SCORES[d[ok] - 1]
        rows.append(
            {
                "feature": name,
                "n": int(ok.sum()),
                "functional": fs.mean() if ok.any() else np.nan,
                "functional_sd": fs.std(ddof=1) if ok.sum() > 1 else np.nan,
                "dysfunctional": ds.mean() if ok.any() else np.nan,
                "dysfunctional_sd": ds.std(ddof=1) if ok.sum() > 1 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def fong_test(a: int, b: int, n: int, *, z: float = 1.65) -> bool:
    """Fong (1996) test: do the two most frequent categories differ?

    Significant when ``|a - b| >= z * sqrt((a + b) * (2n - a - b) / (2n))``.

    Examples
    --------
    >>> fong_test(60, 20, 100), fong_test(30, 25, 100)
    (True, False)
    """
    for nm, v in (("a", a), ("b", b), ("n", n)):
        check_params({nm: v}, {nm: Interval(0, None, integer=True)})
    check_params({"z": z}, {"z": Interval(0, None, closed="neither")})
    if a + b > n or n == 0:
        raise ParameterError(f"a={a}, b={b}, n={n} is invalid: expected a + b <= n and n > 0.")
    return bool(abs(a - b) >= z * np.sqrt((a + b) * (2 * n - a - b) / (2 * n)))


@resultclass
class KanoResult(Result):
    """Kano analysis of several features.

    Attributes
    ----------
    table : DataFrame
        One row per feature: ``n``, ``n_missing``, counts ``A O M I R Q``,
        shares ``pct_A`` ... ``pct_Q`` (percent of classified answers),
        ``category`` (mode, ties M > O > A > I > R > Q), ``category_strength``
        (percentage-point gap between the top two categories), ``total_strength``
        (A% + O% + M%), ``fong_significant``, ``better``, ``worse`` and the
        DuMouchel means ``functional_score``, ``dysfunctional_score``.
    categories : DataFrame
        Per-respondent letters (rows = respondents, columns = features).
    warnings : tuple of str
    """

    table: pd.DataFrame
    categories: pd.DataFrame
    warnings: tuple[str, ...] = field(default=())

    def summary(self) -> Summary:
        cols = [
            "feature",
            "n",
            "category",
            "pct_A",
            "pct_O",
            "pct_M",
            "pct_I",
            "category_strength",
            "total_strength",
            "fong_significant",
            "better",
            "worse",
        ]
        return Summary(
            "Kano analysis (Berger et al. 1993 evaluation table)",
            [("Features", self.table[cols])],
            self.warnings,
            digits=2,
        )


def _modal(counts: Mapping[str, int]) -> tuple[str, str]:
    order = sorted(_TIE_ORDER, key=lambda c: (-counts[c], _TIE_ORDER.index(c)))
    return order[0], order[1]


@records_provenance
def kano(
    data: pd.DataFrame, features: Mapping, *, missing: str = "available", z: float = 1.65
) -> KanoResult:
    """Kano analysis: per-respondent categories, shares, strength, Fong test, Better/Worse.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    features : mapping
        feature name -> (functional column, dysfunctional column).
    missing : {"available", "listwise", "raise"}
        ``"available"`` (default) drops incomplete pairs per feature; their
        number is reported in ``n_missing`` and as a warning. ``"listwise"``
        keeps only respondents who answered every question (the number dropped
        is warned about); ``"raise"`` refuses missing answers. ``"omit"`` is
        the old name of ``"available"``.
    z : float
        Critical value of the Fong test (1.65 ~ 10% two-sided, Fong 1996).

    Returns
    -------
    KanoResult

    Examples
    --------
    >>> df = pd.DataFrame({"f": [1, 1, 1, 2], "d": [5, 5, 3, 5]})
    >>> r = kano(df, {"wifi": ("f", "d")})
    >>> r.table.loc[0, "category"], float(r.table.loc[0, "better"]), float(r.table.loc[0, "worse"])
    ('O', 0.75, -0.75)
    """
    check_params({"z": z}, {"z": Interval(0, None, closed="neither")})
    missing = check_missing(missing, _KANO_MISSING)
    cats = classify_frame(data, features, missing=missing)
    scores = continuous_scores(data, features, missing=missing)
    rows, warns = [], []
    if missing == "listwise" and cats.shape[0] < data.shape[0]:
        warns.append(
            f"{data.shape[0] - cats.shape[0]} of {data.shape[0]} respondents omitted "
            "(listwise: a Kano answer missing)."
        )
    for name in cats.columns:
        lab = cats[name]
        n_missing = int(lab.isna().sum())
        lab = lab.dropna()
        n = int(lab.shape[0])
        counts = {c: int((lab == c).sum()) for c in CATEGORIES}
        row: dict[str, object] = {"feature": name, "n": n, "n_missing": n_missing, **counts}
        if n_missing:
            warns.append(f"feature {name!r}: {n_missing} incomplete answer pair(s) omitted.")
        if n == 0:
            warns.append(f"feature {name!r}: no complete answer pair; nothing to classify.")
        pct = {c: (100.0 * counts[c] / n if n else np.nan) for c in CATEGORIES}
        row.update({f"pct_{c}": pct[c] for c in CATEGORIES})
        if n:
            top, second = _modal(counts)
            row["category"] = top
            row["category_name"] = _NAMES[top]
            row["category_strength"] = pct[top] - pct[second]
            row["fong_significant"] = fong_test(counts[top], counts[second], n, z=z)
        else:
            row.update(
                category=None, category_name=None, category_strength=np.nan, fong_significant=False
            )
        row["total_strength"] = pct["A"] + pct["O"] + pct["M"]
        denom = counts["A"] + counts["O"] + counts["M"] + counts["I"]
        if denom:
            row["better"] = (counts["A"] + counts["O"]) / denom
            row["worse"] = -(counts["O"] + counts["M"]) / denom
        else:
            row["better"] = row["worse"] = np.nan
            if n:
                warns.append(f"feature {name!r}: no A/O/M/I answers; Better/Worse undefined.")
        sc = scores.loc[scores["feature"] == name].iloc[0]
        row["functional_score"] = sc["functional"]
        row["dysfunctional_score"] = sc["dysfunctional"]
        rows.append(row)
    for w in warns:
        cls = MissingDataWarning if "omitted" in w else ServqualWarning
        warn(w, cls)
    return KanoResult(table=pd.DataFrame(rows), categories=cats, warnings=tuple(warns))


# cells of the evaluation table per category, for the simulator
_CELLS = {c: np.argwhere(_TABLE == c) for c in CATEGORIES}


def simulate_kano(
    n: int,
    categories: Mapping[str, str | Mapping[str, float]],
    *,
    noise: float = 0.2,
    seed=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate Kano answer pairs with a known category mix per feature.

    Each respondent's category for a feature is drawn from that feature's
    distribution; the answer pair is then drawn uniformly from the cells of the
    evaluation table belonging to that category, so classifying it returns the
    drawn category exactly.

    Parameters
    ----------
    n : int
        Respondents.
    categories : mapping
        feature -> a letter (true category, held by a share ``1 - noise`` of
        respondents, the rest spread evenly over A, O, M, I) or a mapping letter
        -> probability.
    noise : float
        Share of respondents off the true category when a letter is given.
    seed : int, SeedSequence, Generator or None

    Returns
    -------
    data : DataFrame
        Columns ``<feature>_f`` and ``<feature>_d`` (codes 1-5).
    truth : DataFrame
        One row per feature: the true probability of each category (the
        category drawn for a respondent is recovered exactly by classifying
        its answer pair).

    Examples
    --------
    >>> df, truth = simulate_kano(50, {"wifi": "A"}, seed=1)
    >>> df.shape, float(truth.loc[0, "A"])
    ((50, 2), 0.8)
    """
    check_params(
        {"n": n, "noise": noise}, {"n": Interval(1, None, integer=True), "noise": Interval(0, 1)}
    )
    if not isinstance(categories, Mapping) or not categories:
        raise ParameterError(
            f"categories={categories!r} is invalid: expected a non-empty mapping "
            "feature -> letter or feature -> {letter: probability}."
        )
    rng = check_rng(seed)
    cols, truth = {}, []
    for feat, spec in categories.items():
        if isinstance(spec, str):
            if spec not in CATEGORIES:
                raise ParameterError(
                    f"categories[{feat!r}]={spec!r} is invalid: expected one of {CATEGORIES}."
                )
            others = [c for c in ("A", "O", "M", "I") if c != spec]
            probs = {c: 0.0 for c in CATEGORIES}
            probs[spec] = 1 - noise
            for c in others:
                probs[c] += noise / len(others)
        elif isinstance(spec, Mapping):
            bad = [c for c in spec if c not in CATEGORIES]
            p = np.array([float(v) for v in spec.values()]) if spec else np.array([])
            if bad or p.size == 0 or np.any(p < 0) or not np.isclose(p.sum(), 1.0):
                raise ParameterError(
                    f"categories[{feat!r}]={dict(spec)!r} is invalid: expected letters from "
                    f"{CATEGORIES} with non-negative probabilities summing to 1."
                )
            probs = {c: float(spec.get(c, 0.0)) for c in CATEGORIES}
        else:
            raise ParameterError(
                f"categories[{feat!r}]={spec!r} is invalid: expected a letter or a mapping."
            )
        p = np.array([probs[c] for c in CATEGORIES])
        drawn = rng.choice(len(CATEGORIES), size=n, p=p / p.sum())
        f = np.empty(n, dtype=np.int64)
        d = np.empty(n, dtype=np.int64)
        for k, c in enumerate(CATEGORIES):
            idx = np.flatnonzero(drawn == k)
            if idx.size:
                cells = _CELLS[c][rng.integers(len(_CELLS[c]), size=idx.size)]
                f[idx], d[idx] = cells[:, 0] + 1, cells[:, 1] + 1
        cols[f"{feat}_f"], cols[f"{feat}_d"] = f, d
        truth.append({"feature": str(feat), **probs})
    return pd.DataFrame(cols), pd.DataFrame(truth)


# the plot moved to servqual.figures (the old name works for one release, with a FutureWarning)
__getattr__ = moved_names(__name__, {"better_worse_plot": "servqual.figures.cx:plot_better_worse"})
