"""The report speaks the codebook's language: warnings name blocks by their labels (never
the codebook's block keys or columns the report generates), every warning of an analysis
reaches the report instead of the console, and the declared-pairs section appears only
when it shows something the gap profile does not."""

from __future__ import annotations

import dataclasses
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import servqual as sq
from servqual.codebook import Codebook, Roles, codebook_from_instrument
from servqual.datasets import abc_codebook
from servqual.prca import penalty_reward
from servqual.report import survey_report

INST = sq.Instrument.servqual22()
#: labels of the ABC survey's blocks that differ from the codebook's keys
ABC_LABELS = {
    "equipment": "Machines and devices",
    "sales_support": "Account managers",
    "technical_support": "Service engineers",
    "supplies": "Consumables",
    "administrative_support": "Billing office",
    "terms_and_prices": "Contract conditions",
}


def _report(data, cb, **kw):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        rep = survey_report(data, cb, date="2026-01-01", **kw)
    return rep, [str(w.message) for w in rec]


@pytest.fixture(scope="module")
def abc():
    raw, cb = sq.load_dataset("abc_survey"), abc_codebook()
    cb = dataclasses.replace(cb, labels={**cb.labels, **ABC_LABELS})
    rep, escaped = _report(raw, cb, missing="available", n_boot=0)
    return raw, cb, rep, escaped


def _abc_composites(raw, cb) -> pd.DataFrame:
    """Block means over the answered items (0 = not applicable), and q1, complete rows."""
    df = raw.copy()
    for c in cb.rated_columns():
        df[c] = pd.to_numeric(df[c], errors="coerce").mask(lambda s: s == 0)
    blocks = cb.instrument.dimension_columns()
    comp = pd.DataFrame({b: df[cols].mean(axis=1) for b, cols in blocks.items()})
    comp["satisfaction"] = df["q1"]
    return comp.dropna()


def test_penalty_reward_sign_warning_names_the_block_label_not_its_key(abc):
    raw, cb, rep, _ = abc
    page = rep.to_html()
    notes = next(s for s in rep.sections if s.id == "penalty-reward").notes
    # recomputed on the block keys: which blocks have a negative reward, and by how much
    comp = _abc_composites(raw, cb)
    assert len(comp) == 232  # the 232 complete respondents the section reports
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = penalty_reward(comp, list(ABC_LABELS), "satisfaction", scale=(1, 5))
    odd = res.table[(res.table["penalty"] < 0) | (res.table["reward"] < 0)]
    assert set(odd["attribute"]) == {"sales_support", "administrative_support"}
    for _, r in odd.iterrows():
        label = ABC_LABELS[r["attribute"]]
        text = (f"attribute '{label}': unexpected sign (penalty {r['penalty']:.3f}, "
                f"reward {r['reward']:.3f})")  # fmt: skip
        assert any(n.startswith(text) for n in notes), text
        assert text.replace("'", "&#x27;") in page
    for key in ABC_LABELS:  # no block key anywhere in the page (the SEM, and so its
        assert not re.search(rf"\b{key}\b", page), key  # syntax, is skipped here)


def test_reliability_notes_use_labels_and_the_tables_column_names(abc):
    raw, cb, rep, _ = abc
    sec = next(s for s in rep.sections if s.id == "reliability")
    notes = " ".join(sec.notes)
    # the one-factor model of the Consumables block has an item at its variance bound
    assert "dimension 'Consumables': Heywood case" in notes
    assert "'supplies'" not in notes and "table column 'n'" not in notes
    assert "HTMT2" not in notes  # the report does not show HTMT2
    # the available-case counts are the Respondents column; "every question" recomputed
    df = raw[cb.items].apply(pd.to_numeric, errors="coerce").mask(lambda x: x == 0)
    n_all = int(df.notna().all(axis=1).sum())
    assert n_all == 10
    assert f"{n_all} of {len(raw)} answered every question" in notes
    resp = sec.tables[0].frame.set_index("Block")["Respondents"]
    for key, cols in cb.instrument.dimension_columns().items():
        assert resp[ABC_LABELS[key]] == int(df[cols].notna().all(axis=1).sum()), key


def test_no_warning_of_an_analysis_escapes_the_report(abc):
    *_, escaped = abc
    assert escaped == []


@pytest.fixture(scope="module")
def keyed():
    """The simulated survey under a codebook whose block keys (k_*) are not its labels,
    with every role, weights, missing answers and the economics section."""
    inst = dataclasses.replace(INST, dimensions={f"k_{d}": v for d, v in INST.dimensions.items()})
    df = sq.load_dataset("servqual_sim").head(400).copy()
    rng = np.random.default_rng(3)
    df["tenure"] = rng.integers(1, 25, len(df))
    df["w"] = 1 + (df.index % 3) * 0.3
    df.loc[rng.choice(400, 30, replace=False), "P3"] = np.nan
    roles = {"satisfaction": ["SAT1", "SAT2", "SAT3"], "loyalty": ["LOY1", "LOY2"],
             "recommend": "LTR", "churn": {"column": "churn", "positive": 1},
             "tenure": "tenure", "segment": ["segment"], "weight": "w"}  # fmt: skip
    cb = codebook_from_instrument(inst, roles=roles, scales={"LTR": (0, 10)})
    labels = {f"k_{d}": f"The {d.upper()} block" for d in INST.dimensions}
    cb = dataclasses.replace(cb, labels={**cb.labels, **labels})
    rep, escaped = _report(df, cb, missing="available", n_boot=40,
                           economics={"margin": 100, "initial_customers": 1000})  # fmt: skip
    return df, cb, rep, escaped


def test_block_keys_appear_only_in_the_model_syntax(keyed):
    df, cb, rep, escaped = keyed
    assert escaped == []
    page = rep.to_html()
    syntax = re.findall(r"<pre>.*?</pre>", page, flags=re.S)
    assert len(syntax) == 1 and "k_tangibles =~ P1 + P2 + P3 + P4" in syntax[0]
    outside = re.sub(r"<pre>.*?</pre>", "", page, flags=re.S)
    assert re.findall(r"\bk_[a-z]+", outside) == []
    assert "__score__" not in page
    notes = {s.id: " ".join(s.notes) for s in rep.all_sections()}
    # penalty-reward's sign warnings name the labels
    signs = re.findall(r"attribute '([^']+)': unexpected sign", notes["penalty-reward"])
    assert signs and all(re.fullmatch(r"The [A-Z]+ block", s) for s in signs)
    # the 30 blanks of P3 reach the gap profile's notes, counted
    assert "missing values in 'P3': 30" in notes["gap-profile"]
    for sid in ("gap-profile", "key-drivers", "ipa", "penalty-reward", "reliability", "worth"):
        body = next(s for s in rep.all_sections() if s.id == sid).body
        assert "The RELIABILITY block" in body or sid == "worth", sid


def test_gap_figure_is_weighted_like_its_table(keyed):
    """The weighted report's gap figure plots the weighted profile (as its table does)."""
    from matplotlib.figure import Figure

    from servqual.figures.profile import plot_gap_profile
    from servqual.report.plan import make_plan
    from servqual.report.render import figure

    df, cb, rep, _ = keyed
    w = df["w"].to_numpy(float)
    plan = make_plan(df, cb, None, None, None, None, "available", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ax = plot_gap_profile(df, plan.labelled_instrument(), weights=w,
                              ax=Figure().add_subplot())  # fmt: skip
    # the weighted mean perception of the tangibles block, by hand
    score = df[["P1", "P2", "P3", "P4"]].mean(axis=1)
    keep = df[["P1", "P2", "P3", "P4"]].notna().all(axis=1).to_numpy()
    p_tan = np.average(score[keep], weights=w[keep])
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0] == "The TANGIBLES block" and ax.get_ylabel() == "Dimension"
    plotted = ax.containers[0].lines[0].get_xdata()  # perceptions, top row last
    assert plotted[0] == pytest.approx(p_tan, abs=1e-12)
    table = next(t for t in rep.tables() if t.key == "gap_profile").frame
    assert table.set_index("Block").loc["The TANGIBLES block", "Perception"] == pytest.approx(
        p_tan, abs=1e-12
    )
    # and the report's figure is that weighted drawing, byte for byte (not the unweighted)
    drawn = {}
    for name, weights in (("weighted", w), ("unweighted", None)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            drawn[name] = figure(lambda ax, wt=weights: plot_gap_profile(
                df, plan.labelled_instrument(), weights=wt, ax=ax))[1]  # fmt: skip
    assert drawn["weighted"] != drawn["unweighted"]
    assert rep.images["Gap profile"] == drawn["weighted"]


# ----------------------------------------------------------------- declared pairs
def _cb(pairs=None, inst=INST):
    roles = {"satisfaction": ["SAT1", "SAT2", "SAT3"], "loyalty": ["LOY1", "LOY2"],
             "recommend": "LTR"}  # fmt: skip
    cb = codebook_from_instrument(inst, roles=roles, scales={"LTR": (0, 10)})
    return dataclasses.replace(cb, pairs=pairs or {})


@pytest.fixture(scope="module")
def sim():
    return sq.load_dataset("servqual_sim").head(300)


@pytest.mark.parametrize("how", ["instrument", "codebook", "codebook with the P/E pairs"])
def test_no_pairs_section_when_the_gap_profile_covers_the_pairs(sim, how):
    inst = {
        "instrument": INST,
        "codebook": _cb(),
        "codebook with the P/E pairs": _cb({f"P{i}": f"E{i}" for i in range(1, 23)}),
    }[how]
    rep = survey_report(sim, inst, n_boot=0, date="2026-01-01")
    assert "pairs" not in [s.id for s in rep.all_sections()]
    page = rep.to_html()
    assert "declared pairs" not in page and "pairs:" not in page
    assert "Gap between perceptions and expectations per block" in page


def test_no_pairs_section_on_a_perceptions_only_survey():
    """The gap-profile section already says why the ABC survey has no gaps."""
    rep = survey_report(sq.load_dataset("abc_survey"), abc_codebook(), missing="available",
                        n_boot=0, date="2026-01-01")  # fmt: skip
    ids = [s.id for s in rep.all_sections()]
    assert "pairs" not in ids
    gap = next(s for s in rep.sections if s.id == "gap-profile")
    assert "perceptions-only" in " ".join(gap.notes)


def test_pairs_the_gap_profile_does_not_cover_are_shown_with_a_reason_for_the_rest(sim):
    """A perceptions-only instrument with declared P/E pairs; one pair nobody answered."""
    inst = sq.Instrument.from_mapping({"speed": ["P10", "P11"], "care": ["P18", "P19"]},
                                      scale=(1, 7), name="custom")  # fmt: skip
    df = sim.copy()
    df["E19"] = np.nan
    cb = Codebook(inst, pairs={"P10": "E10", "P11": "E11", "P19": "E19"},
                  labels={"P11": "Serves customers quickly"},
                  roles=Roles(satisfaction=("SAT1", "SAT2")))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = survey_report(df, cb, n_boot=0, missing="available", date="2026-01-01")
    sec = next(s for s in rep.sections if s.id == "pairs")
    frame = sec.tables[0].frame.set_index("Question")
    for p, e in (("P10", "E10"), ("P11", "E11")):
        q = "Serves customers quickly" if p == "P11" else p
        assert frame.loc[q, "Gap (P − E)"] == pytest.approx((df[p] - df[e]).mean(), abs=1e-12)
        assert frame.loc[q, "Respondents"] == len(df)
    assert len(frame) == 2
    assert sec.notes == ("P19 (P19 − E19): not computed, 0 respondent(s) answered both.",)


# ------------------------------------------------------- read as a CX analyst would
def test_sem_degrees_of_freedom_whole_and_constructs_capitalised(keyed):
    *_, rep, _ = keyed
    body = next(s for s in rep.sections if s.id == "sem").body
    # 27 observed variables (22 P, 3 SAT, 2 LOY): 27 * 28 / 2 = 378 moments; free
    # parameters: 17 + 2 + 1 loadings, 27 residual variances, 15 block (co)variances,
    # 6 paths, 2 construct residual variances = 70; df = 378 - 70
    assert "<th scope='row'>Degrees of freedom</th><td>308</td>" in body
    assert "<th scope='row'>Loyalty</th><td class='txt'>Satisfaction</td>" in body
    assert "<th scope='row'>Satisfaction</th><td class='txt'>The EMPATHY block</td>" in body


def test_method_notes_describe_only_what_is_shown(abc, keyed):
    _, _, rep, _ = abc  # ABC: CSAT and a mean rating; no NPS, no gap, no churn
    method = {s.id: s.method for s in rep.sections}
    title = {s.id: s.title for s in rep.sections}
    assert title["nps-csat"] == "Headline metrics: CSAT and service quality"
    assert method["nps-csat"].startswith("CSAT = percent answering in the top two boxes")
    assert "Reichheld" not in method["nps-csat"] and "P − E" not in method["nps-csat"]
    assert "Welch's t test for the mean rating" in method["segments"]
    assert "NPS" not in method["segments"] and "gap" not in method["segments"]
    *_, rep2, _ = keyed  # every metric, weights, churn with tenure
    method = {s.id: s.method for s in rep2.sections}
    assert rep2.sections[0].title == "Headline metrics: NPS, CSAT and service quality"
    assert "Reichheld 2003" in method["nps-csat"] and "Kish's effective n" in method["nps-csat"]
    assert "the gap is the SERVQUAL score P − E" in method["nps-csat"]
    assert "Cox 1972" in method["retention"] and "Wilson interval" in method["retention"]
    plain = survey_report(sq.load_dataset("servqual_sim").head(300), INST, n_boot=0,
                          date="2026-01-01")  # fmt: skip
    method = {s.id: s.method for s in plain.sections}
    assert "Kish" not in method["nps-csat"]
    assert "Kaplan–Meier" not in method["retention"]  # no tenure: no life table
    assert (
        method["validation"] == "Counts in the data as read (no codebook declares missing codes)."
    )


def test_question_column_only_when_items_have_wording(abc, keyed):
    _, _, rep, _ = abc  # ABC's items carry no wording: Question would repeat Item
    for key in ("items", "loadings"):
        t = next(t for t in rep.tables() if t.key == key)
        assert "Question" not in t.frame.columns and "Item" in t.frame.columns, key
    *_, rep2, _ = keyed  # the SERVQUAL items have their wording
    items = next(t for t in rep2.tables() if t.key == "items").frame.set_index("Item")
    assert items.loc["P1", "Question"] == "Equipment looks modern"
