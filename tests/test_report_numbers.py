"""Every number of the report's executive summary, recomputed by hand and found in the HTML.

The recomputation uses numpy/pandas/scipy directly, never the servqual function that
made the number: NPS (promoters 9-10 minus detractors 0-6, Reichheld 2003) with its
trinomial SE; CSAT top-2-box with the Wilson interval; the SERVQUAL gap P − E per
respondent with its t interval; Shapley shares of R² by brute force over all subsets
(Lindeman et al. 1980); with respondent weights the weighted estimates, their
linearised SEs (R ``survey``'s ``svymean`` formula), Kish's n_eff and the design effect.
Formatting: NPS, CSAT and percentages with 1 decimal, gaps and means with 2.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import servqual as sq
from servqual.codebook import codebook_from_instrument
from servqual.datasets import abc_codebook
from servqual.report import survey_report

INST = sq.Instrument.servqual22()
DIMS = INST.dimension_columns("P")
Z = stats.norm.ppf(0.975)


def f1(v):
    s = f"{v:.1f}"
    return "0.0" if s == "-0.0" else s  # the report shows no negative zero


def f2(v):
    s = f"{v:.2f}"
    return "0.00" if s == "-0.00" else s


def wls_r2(y, X, w):
    """R² of the weighted least-squares fit (w = 1: ordinary R²)."""
    if X.shape[1] == 0:
        return 0.0
    A = np.column_stack([np.ones(len(y)), X])
    sw = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(A * sw[:, None], y * sw, rcond=None)
    r = y - A @ beta
    ybar = np.sum(w * y) / w.sum()
    return 1 - np.sum(w * r * r) / np.sum(w * (y - ybar) ** 2)


def shapley(y, X, w=None):
    """Shapley value of R² per predictor, brute force over all 2^p subsets."""
    w = np.ones(len(y)) if w is None else w
    p = X.shape[1]
    r2 = {s: wls_r2(y, X[:, list(s)], w)
          for k in range(p + 1) for s in itertools.combinations(range(p), k)}  # fmt: skip
    phi = np.zeros(p)
    for j in range(p):
        for s, v in r2.items():
            if j not in s:
                wt = math.factorial(len(s)) * math.factorial(p - len(s) - 1) / math.factorial(p)
                phi[j] += wt * (r2[tuple(sorted(s + (j,)))] - v)
    return phi, r2[tuple(range(p))]


def mean_and_se(x, w=None):
    """Weighted mean and the linearised SE sqrt(n/(n-1) sum u²), u = w (x - m) / sum w."""
    n = len(x)
    w = np.ones(n) if w is None else w
    m = np.sum(w * x) / w.sum()
    u = w * (x - m) / w.sum()
    return m, math.sqrt(n / (n - 1) * np.sum(u * u))


def kish(w):
    return w.sum() ** 2 / np.sum(w * w)


def wilson(k, n):
    p = k / n
    den = 1 + Z**2 / n
    c = (p + Z**2 / (2 * n)) / den
    h = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n)) / den
    return 100 * (c - h), 100 * (c + h)


@pytest.fixture(scope="module")
def survey():
    df = sq.load_dataset("servqual_sim").head(600).copy()
    # unequal respondent weights, e.g. post-stratification: segment A counts 1.6, B 0.7
    df["w"] = np.where(df["segment"] == "A", 1.6, 0.7) * (1 + 0.25 * (df.index % 3))
    return df


def _codebook(weight=None):
    roles = {"satisfaction": ["SAT1", "SAT2", "SAT3"], "loyalty": ["LOY1", "LOY2"],
             "recommend": "LTR"}  # fmt: skip
    cb = codebook_from_instrument(INST, roles=roles, scales={"LTR": (0, 10)})
    if weight:
        cb = cb.with_roles(weight=weight)
    return cb


@pytest.mark.parametrize("weighted", [False, True])
def test_executive_summary_numbers_by_hand_simulated(survey, weighted):
    rep = survey_report(survey, _codebook("w" if weighted else None), n_boot=0, seed=1,
                        date="2026-01-01")  # fmt: skip
    ex = rep.executive.body
    n = len(survey)
    w = survey["w"].to_numpy(float) if weighted else np.ones(n)
    # NPS: code +100 promoter, -100 detractor; trinomial SE (unweighted) or linearised
    ltr = survey["LTR"].to_numpy()
    code = 100.0 * (ltr >= 9) - 100.0 * (ltr <= 6)
    nps, se = mean_and_se(code, w)
    if not weighted:
        pp, pd_ = (ltr >= 9).mean(), (ltr <= 6).mean()
        se = 100 * math.sqrt((pp + pd_ - (pp - pd_) ** 2) / n)
    assert f"<td>{f1(nps)}</td>" in ex
    assert f"<td>[{f1(max(nps - Z * se, -100))}, {f1(min(nps + Z * se, 100))}]</td>" in ex
    # CSAT: SAT1 on 1-7, top two boxes 6-7
    sat = (survey["SAT1"] >= 6).to_numpy(float)
    p, se_p = mean_and_se(sat, w)
    assert f"<td>{f1(100 * p)}</td>" in ex
    if weighted:  # logit interval with t(n - 1), R survey::svyciprop(method = "logit")
        t = stats.t.ppf(0.975, n - 1)
        eta, half = math.log(p / (1 - p)), t * se_p / (p * (1 - p))
        lo, hi = 100 / (1 + math.exp(-(eta - half))), 100 / (1 + math.exp(-(eta + half)))
        assert f"<td>{f1(kish(w))}</td>" in ex  # Kish's effective n
        assert f"<td>{f2(n * np.sum(w * w) / w.sum() ** 2)}</td>" in ex  # design effect
    else:
        lo, hi = wilson(sat.sum(), n)
    assert f"<td>[{f1(lo)}, {f1(hi)}]</td>" in ex
    # overall gap: mean of all P items minus mean of all E items, t interval
    P = survey[INST.columns("P")].to_numpy(float)
    E = survey[INST.columns("E")].to_numpy(float)
    gap, se_g = mean_and_se(P.mean(axis=1) - E.mean(axis=1), w)
    t = stats.t.ppf(0.975, n - 1)
    assert f"<td>{f2(gap)}</td>" in ex
    assert f"<td>[{f2(gap - t * se_g)}, {f2(gap + t * se_g)}]</td>" in ex
    # per-block gaps
    for dim, pcols in DIMS.items():
        ecols = ["E" + c[1:] for c in pcols]
        d = survey[pcols].mean(axis=1).to_numpy() - survey[ecols].mean(axis=1).to_numpy()
        g, s = mean_and_se(d, w)
        assert f"<td>{f2(g)}</td>" in ex, dim
        if not weighted:
            assert f"<td>[{f2(g - t * s)}, {f2(g + t * s)}]</td>" in ex, dim
    # top drivers: Shapley shares (percent of R²) and contributions (R² points)
    X = np.column_stack([survey[c].mean(axis=1) for c in DIMS.values()])
    y = survey[["SAT1", "SAT2", "SAT3"]].mean(axis=1).to_numpy()
    phi, r2 = shapley(y, X, w)
    order = np.argsort(-phi)[:3]
    for j in order:
        assert f"<td>{f1(100 * phi[j] / r2)}%</td>" in ex
        assert f"<td>{f1(100 * phi[j])}%</td>" in ex
    assert f"(R² = {r2:.3f})" in ex
    assert f"{list(DIMS)[order[0]].capitalize()} accounts for" in ex  # the top block named


def test_executive_summary_numbers_by_hand_real_abc_survey():
    """ABC survey (266 respondents, 1-5, 0 = not applicable): CSAT, mean ratings, drivers."""
    raw, cb = sq.load_dataset("abc_survey"), abc_codebook()
    assert cb.missing_codes == (0,)
    rep = survey_report(raw, cb, missing="available", n_boot=0, date="2026-01-01")
    ex = rep.executive.body
    df = raw.copy()
    for c in cb.rated_columns():
        df[c] = pd.to_numeric(df[c], errors="coerce").mask(lambda s: s == 0)
    q1 = df["q1"].dropna()
    assert f"<td>{f1(100 * (q1 >= 4).mean())}</td>" in ex
    lo, hi = wilson(int((q1 >= 4).sum()), len(q1))
    assert f"<td>[{f1(lo)}, {f1(hi)}]</td>" in ex and f"n = {len(q1)}" in ex
    blocks = cb.instrument.dimension_columns()
    items = [c for v in blocks.values() for c in v]
    score = df[items].mean(axis=1).dropna().to_numpy()
    m, se = mean_and_se(score)
    t = stats.t.ppf(0.975, len(score) - 1)
    assert f"<td>{f2(m)}</td>" in ex and f"<td>[{f2(m - t * se)}, {f2(m + t * se)}]</td>" in ex
    comp = pd.DataFrame({b: df[cols].mean(axis=1) for b, cols in blocks.items()})
    for b in blocks:  # block means over respondents with at least one answer in the block
        x = comp[b].dropna().to_numpy()
        mb, sb = mean_and_se(x)
        tb = stats.t.ppf(0.975, len(x) - 1)
        assert f"<td>{len(x)}</td><td>{f2(mb)}</td><td>[{f2(mb - tb * sb)}, " \
               f"{f2(mb + tb * sb)}]</td>" in ex, b  # fmt: skip
    comp["sat"] = df["q1"]
    used = comp.dropna()
    assert len(used) == 232
    phi, r2 = shapley(used["sat"].to_numpy(), used[list(blocks)].to_numpy())
    for j in np.argsort(-phi)[:3]:
        assert f"<td>{f1(100 * phi[j] / r2)}%</td>" in ex
    assert f"(R² = {r2:.3f})" in ex
    assert "Technical support accounts for" in ex


def test_weight_role_reaches_the_headline_table(survey):
    rep = survey_report(survey, _codebook("w"), n_boot=0, date="2026-01-01")
    t = next(t for t in rep.tables() if t.key == "headline")
    assert set(t.frame["Weighted"]) == {"yes"}
    w = survey["w"].to_numpy()
    assert t.frame["Effective n"].iloc[0] == pytest.approx(kish(w), rel=1e-12)
    assert "Effective n" in t.shown().columns and "Design effect" in t.shown().columns


def test_segment_mean_ratings_by_hand_real_abc_survey():
    """ABC by country: each country's mean rating against the rest, Welch's t interval
    (R ``t.test(var.equal = FALSE)``), shown with two decimals like every scale mean."""
    raw, cb = sq.load_dataset("abc_survey"), abc_codebook()
    rep = survey_report(raw, cb, missing="available", n_boot=0, date="2026-01-01")
    body = next(s for s in rep.sections if s.id == "segments").body
    df = raw.copy()
    items = [c for v in cb.instrument.dimension_columns().values() for c in v]
    for c in items:
        df[c] = pd.to_numeric(df[c], errors="coerce").mask(lambda s: s == 0)
    score = df[items].mean(axis=1)
    keep = score.notna() & df["country"].notna()
    score, country = score[keep].to_numpy(), df.loc[keep, "country"].to_numpy()
    for c in ("Benelux", "Germany", "UK"):
        a, b = score[country == c], score[country != c]
        va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
        se = math.sqrt(va + vb)
        dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
        q = stats.t.ppf(0.975, dof)
        d = a.mean() - b.mean()
        row = (f"<th scope='row'>{c}</th><td class='txt'>Mean rating</td><td>{a.size}</td>"
               f"<td>{f2(a.mean())}</td><td>{f2(b.mean())}</td><td>{f2(d)}</td>"
               f"<td>[{f2(d - q * se)}, {f2(d + q * se)}]</td>")  # fmt: skip
        assert row in body, c
