"""Tests of servqual.kano."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from servqual import kano as K  # noqa: E402
from servqual.errors import (  # noqa: E402
    EmptyDataError,
    MissingColumnError,
    MissingDataWarning,
    MissingValuesError,
    OutOfRangeError,
    ParameterError,
)
from servqual.figures.cx import plot_better_worse  # noqa: E402

# Berger et al. (1993), CQM Journal 2(4), evaluation table as given in issue 4:
# rows functional answer, columns dysfunctional answer, order
# like / must-be / neutral / live-with / dislike.
BERGER = [
    "Q A A A O",
    "R I I I M",
    "R I I I M",
    "R I I I M",
    "R R R R Q",
]
WORDS = ["like", "must-be", "neutral", "live-with", "dislike"]
CELLS = [(f, d, BERGER[f - 1].split()[d - 1]) for f in range(1, 6) for d in range(1, 6)]


@pytest.mark.parametrize("f,d,expected", CELLS)
def test_evaluation_table_cell(f, d, expected):
    assert K.classify(f, d) == expected
    assert K.classify(WORDS[f - 1], WORDS[d - 1]) == expected
    assert K.classify(WORDS[f - 1].upper(), " " + WORDS[d - 1].title() + " ") == expected
    assert K.EVALUATION_TABLE.iloc[f - 1, d - 1] == expected


def test_table_has_25_cells_and_vectorised_classify():
    assert len(CELLS) == 25
    f = [c[0] for c in CELLS]
    d = [c[1] for c in CELLS]
    got = K.classify(pd.Series(f, index=[f"r{i}" for i in range(25)]), d)
    assert got.tolist() == [c[2] for c in CELLS]
    assert got.index[3] == "r3"
    # floats holding whole numbers and numeric strings are codes too
    assert K.classify(np.array([1.0, 2.0]), ["5", "5"]).tolist() == ["O", "M"]


def test_classify_bad_input():
    with pytest.raises(OutOfRangeError, match=r"functional: row 1 has invalid answer 6"):
        K.classify([1, 6], [5, 5])
    with pytest.raises(OutOfRangeError, match=r"dysfunctional: row 0 .*'love it'"):
        K.classify(["like"], ["love it"])
    with pytest.raises(OutOfRangeError, match=r"1\.5"):
        K.classify(1.5, 3)
    with pytest.raises(OutOfRangeError, match="True"):
        K.classify(True, 3)
    with pytest.raises(OutOfRangeError, match=r"row 1 has invalid answer True"):
        K.classify([1, True], [3, 3])
    with pytest.raises(OutOfRangeError, match=r"row 0 has invalid answer"):
        K.classify(pd.Series([True, False]), [3, 3])
    with pytest.raises(MissingValuesError, match="row 1"):
        K.classify([1, None], [3, 3])
    with pytest.raises(ParameterError, match="2 answers but dysfunctional has 1"):
        K.classify([1, 2], [3])
    with pytest.raises(EmptyDataError):
        K.classify([], [])


def _frame():
    # feature "wifi": 5 O, 3 A, 1 M, 1 I; feature "tie": 2 M, 2 O, 2 A, 1 Q
    wifi = [(1, 5)] * 5 + [(1, 3)] * 3 + [(3, 5)] + [(3, 3)]
    tie = [(2, 5)] * 2 + [(1, 5)] * 2 + [(1, 2)] * 2 + [(1, 1)] + [(3, 3)] * 3
    return pd.DataFrame(
        {
            "wifi_f": [a for a, _ in wifi],
            "wifi_d": [b for _, b in wifi],
            "tie_f": [a for a, _ in tie],
            "tie_d": [b for _, b in tie],
        },
        index=[f"resp{i}" for i in range(10)],
    )


FEATS = {"wifi": ("wifi_f", "wifi_d"), "tie": ("tie_f", "tie_d")}


def test_kano_counts_shares_strength_coefficients():
    r = K.kano(_frame(), FEATS)
    w = r.table.set_index("feature").loc["wifi"]
    assert (w["A"], w["O"], w["M"], w["I"], w["R"], w["Q"]) == (3, 5, 1, 1, 0, 0)
    assert w["category"] == "O" and w["category_name"] == "one-dimensional"
    assert w["pct_O"] == pytest.approx(50.0)
    # strength = top% - second% = 50 - 30; total = A% + O% + M% = 90
    assert w["category_strength"] == pytest.approx(20.0)
    assert w["total_strength"] == pytest.approx(90.0)
    assert w["better"] == pytest.approx(8 / 10)
    assert w["worse"] == pytest.approx(-6 / 10)
    # Fong: |5 - 3| = 2 < 1.65 * sqrt(8 * 12 / 20) = 3.61 -> not significant
    assert not w["fong_significant"]
    # DuMouchel means by hand: functional 8*4 + 2*0 -> 3.2; dysfunctional 6*4 + 4*0 -> 2.4
    assert w["functional_score"] == pytest.approx(3.2)
    assert w["dysfunctional_score"] == pytest.approx(2.4)
    assert r.categories.loc["resp0", "wifi"] == "O"
    assert r.categories.index.tolist() == _frame().index.tolist()
    assert "Kano analysis" in str(r.summary())


def test_mode_tie_break_m_over_o_over_a_over_i():
    t = K.kano(_frame(), FEATS).table.set_index("feature").loc["tie"]
    # counts: M 2, O 2, A 2, I 3 ... I has the mode here, so make a pure tie
    assert (t["M"], t["O"], t["A"], t["I"], t["Q"]) == (2, 2, 2, 3, 1)
    assert t["category"] == "I"
    df = pd.DataFrame({"f": [2, 1, 1, 3], "d": [5, 5, 3, 3]})  # M, O, A, I once each
    assert K.kano(df, {"x": ("f", "d")}).table.loc[0, "category"] == "M"
    df = pd.DataFrame({"f": [1, 1, 3], "d": [5, 3, 3]})  # O, A, I
    assert K.kano(df, {"x": ("f", "d")}).table.loc[0, "category"] == "O"
    df = pd.DataFrame({"f": [1, 3], "d": [3, 3]})  # A, I
    assert K.kano(df, {"x": ("f", "d")}).table.loc[0, "category"] == "A"
    assert K.kano(df, {"x": ("f", "d")}).table.loc[0, "category_strength"] == 0.0


def test_fong_against_brute_formula():
    for a, b, n in [(60, 20, 100), (30, 25, 100), (12, 4, 20), (7, 7, 14), (40, 10, 50)]:
        crit = 1.65 * np.sqrt((a + b) * (2 * n - a - b) / (2 * n))
        assert K.fong_test(a, b, n) == (abs(a - b) >= crit)
    # 60 vs 20 of 100: crit = 1.65*sqrt(80*120/200) = 11.43 < 40
    assert K.fong_test(60, 20, 100)
    assert not K.fong_test(30, 25, 100)  # crit = 1.65*sqrt(55*145/200) = 10.43 > 5
    with pytest.raises(ParameterError, match="a=60, b=50, n=100"):
        K.fong_test(60, 50, 100)
    with pytest.raises(ParameterError, match="a=-1"):
        K.fong_test(-1, 0, 10)
    with pytest.raises(ParameterError, match="z=0"):
        K.fong_test(1, 0, 10, z=0)


def test_kano_bad_input_names_row_and_column():
    df = _frame()
    df.loc["resp4", "tie_d"] = 7
    with pytest.raises(OutOfRangeError, match=r"column 'tie_d': row 'resp4' .* 7"):
        K.kano(df, FEATS)
    df = _frame().astype(object)
    df.loc["resp2", "wifi_f"] = None
    with pytest.raises(MissingValuesError, match=r"'wifi_f'.*'resp2'"):
        K.kano(df, FEATS, missing="raise")
    with pytest.warns(MissingDataWarning, match="1 incomplete"):
        r = K.kano(df, FEATS)  # default "available": per feature pair
    assert r.table.loc[0, "n"] == 9 and r.table.loc[0, "n_missing"] == 1
    assert r.table["n"].tolist()[1:] == [10] * (len(FEATS) - 1)
    assert r.warnings
    with pytest.warns(MissingDataWarning, match="1 of 10 respondents omitted"):
        lw = K.kano(df, FEATS, missing="listwise")
    assert lw.table["n"].tolist() == [9] * len(FEATS)
    ref = K.kano(df.drop(index="resp2"), FEATS)
    assert lw.table["better"].tolist() == ref.table["better"].tolist()
    with pytest.warns(FutureWarning, match="omit"), pytest.warns(MissingDataWarning):
        K.kano(df, FEATS, missing="omit")
    with pytest.raises(MissingColumnError, match="nope"):
        K.kano(_frame(), {"x": ("nope", "wifi_d")})
    with pytest.raises(ParameterError, match="features"):
        K.kano(_frame(), {})
    with pytest.raises(ParameterError, match=r"features\['x'\]"):
        K.kano(_frame(), {"x": "wifi_f"})
    with pytest.raises(ParameterError, match="missing='drop'"):
        K.kano(_frame(), FEATS, missing="drop")
    with pytest.raises(TypeError, match="DataFrame"):
        K.kano(_frame().to_numpy(), FEATS)
    with pytest.raises(EmptyDataError):
        K.kano(_frame().iloc[:0], FEATS)
    with pytest.raises(ParameterError):
        K.continuous_scores(_frame(), FEATS, missing="x")
    with pytest.raises(OutOfRangeError, match="'wifi_f'"):
        K.classify_frame(_frame().replace({"wifi_f": {1: 0}}), FEATS)


def test_simulated_recovery():
    truth = {"wifi": "A", "billing": "M", "speed": "O", "logo": "I"}
    df, tr = K.simulate_kano(2000, truth, noise=0.3, seed=7)
    feats = {k: (f"{k}_f", f"{k}_d") for k in truth}
    r = K.kano(df, feats).table.set_index("feature")
    for feat, cat in truth.items():
        assert r.loc[feat, "category"] == cat
        assert bool(r.loc[feat, "fong_significant"])
        # share of the true category is 70%; binomial SE at n=2000 is 1.0 pt -> 4 SE
        assert r.loc[feat, f"pct_{cat}"] == pytest.approx(70.0, abs=4.1)
    # Better for an A-feature: P(A)+P(O) = 0.7 + 0.1 = 0.8 (no R/Q drawn)
    assert r.loc["wifi", "better"] == pytest.approx(0.8, abs=0.04)
    assert r.loc["billing", "worse"] == pytest.approx(-0.8, abs=0.04)
    assert tr.set_index("feature").loc["wifi", "A"] == pytest.approx(0.7)
    # same seed, same data
    assert df.equals(K.simulate_kano(2000, truth, noise=0.3, seed=7)[0])


def test_simulate_bad_input():
    with pytest.raises(ParameterError, match="n=0"):
        K.simulate_kano(0, {"x": "A"})
    with pytest.raises(ParameterError, match=r"categories\['x'\]='Z'"):
        K.simulate_kano(5, {"x": "Z"})
    with pytest.raises(ParameterError, match="summing to 1"):
        K.simulate_kano(5, {"x": {"A": 0.5}})
    with pytest.raises(ParameterError, match="noise"):
        K.simulate_kano(5, {"x": "A"}, noise=1.5)
    with pytest.raises(ParameterError, match="seed"):
        K.simulate_kano(5, {"x": "A"}, seed="a")


def test_better_worse_plot_artists():
    r = K.kano(_frame(), FEATS)
    fig, ax = plt.subplots()
    out = plot_better_worse(r, ax=ax)
    assert out is ax
    # one scatter per modal category (O drawn before I), at (|Worse|, Better)
    pts = np.vstack([c.get_offsets() for c in ax.collections])
    assert len(pts) == 2
    order = r.table.set_index("category").loc[["O", "I"]]
    np.testing.assert_allclose(pts[:, 0], -order["worse"].to_numpy(float))
    np.testing.assert_allclose(pts[:, 1], order["better"].to_numpy(float))
    assert sorted(t.get_text() for t in ax.texts if t.get_text() in FEATS) == ["tie", "wifi"]
    assert "Worse" in ax.get_xlabel() and "Better" in ax.get_ylabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["modal: one-dimensional", "modal: indifferent"]
    plt.close(fig)
    with pytest.raises(TypeError, match="KanoResult"):
        plot_better_worse(r.table)
