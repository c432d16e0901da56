"""Tests for servqual.claims.audit and the `servqual claims` subcommand."""

import argparse

import numpy as np
import pytest
from scipy import special

import servqual
from servqual import claims


@pytest.fixture(scope="module")
def table():
    return claims.audit()


def test_columns_and_verdicts(table):
    for col in ("claim", "origin", "model", "reproduced", "verdict"):
        assert col in table.columns
    assert len(table) == 7
    assert set(table["verdict"]) <= set(claims.VERDICTS)
    byclaim = dict(zip(table["claim"].str[:12], table["verdict"]))
    assert byclaim["Only 4% of d"] == "misquoted"
    assert byclaim["+5 points of"] == "conditional"
    assert list(table["verdict"]).count("untraceable") == 3
    assert table["origin"].str.contains("TARP").any()
    assert table["origin"].str.contains("Reichheld & Sasser").any()
    assert table["origin"].str.contains("Jones & Sasser").any()


def test_values_recomputed_by_hand(table):
    v = table.set_index(table["claim"].str[:12])
    # TARP: 26/27 do not complain to headquarters; 63% of them do not buy again
    assert v.loc["Only 4% of d", "value"] == pytest.approx(26 / 27 * 0.63)
    assert v.loc["Only 4% of d", "alternative_value"] == pytest.approx(0.5 * 0.63)
    assert "3.7% complain" in v.loc["Only 4% of d", "reproduced"]
    # 5-point drop: (1 + d - r0) / (1 + d - r1) - 1 with r 0.95 -> 0.90, d 0.10
    assert v.loc["A 5% drop in", "value"] == pytest.approx(100 * (0.15 / 0.20 - 1))
    assert v.loc["A 5% drop in", "alternative_value"] == pytest.approx(100 * (0.30 / 0.35 - 1))

    # R&S example: defection 20% -> 15%, growth 10%, d 10%, acquisition 1
    def npv(life):
        t = np.arange(1, 30)
        w = np.clip(life - (t - 1), 0, 1)
        return np.sum(w * 1.1 ** (t - 1) / 1.1**t) - 1

    assert v.loc["+5 points of", "value"] == pytest.approx(100 * (npv(1 / 0.15) / npv(5) - 1))
    # referral share rho / (1 - r)
    assert v.loc["60% of new c", "value"] == pytest.approx(0.12 / 0.2)
    # 6x: P(5)/P(4) with P(4) = 0.15, P(5) = 0.90
    assert v.loc["A satisfied ", "value"] == pytest.approx(0.90 / 0.15)
    # simulated survey ratio recomputed from the same seeded survey
    df, _ = servqual.simulate_survey(4000, servqual.Truth(scale_points=5), seed=2007)
    buy = 1 - df["churn"]
    ratio = buy[df["SAT1"] == 5].mean() / buy[df["SAT1"] == 4].mean()
    assert v.loc["A satisfied ", "alternative_value"] == pytest.approx(ratio)
    assert ratio < 1.5  # with ~85% repurchase the ratio cannot approach 6


def test_repurchase_ratio_bound():
    for p4 in (0.1, 0.3, 0.6):
        for slope in (0.5, 3.0, 20.0):
            r = claims.repurchase_ratio(p4, slope)
            assert r == pytest.approx(special.expit(special.logit(p4) + slope) / p4)
            assert r <= 1 / p4 + 1e-12


def test_cli_prints_table(capsys):
    parser = argparse.ArgumentParser(prog="servqual")
    sub = parser.add_subparsers()
    claims.add_cli(sub)
    args = parser.parse_args(["claims", "--full"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert out.count("verdict:") == 7
    assert "Jones & Sasser" in out and "untraceable" in out


def test_printed_numbers_follow_the_models(table):
    import re

    from servqual.retention import retention_uplift

    v = table.set_index(table["claim"].str[:12])
    # the stated condition for "-25%" is recomputed: x = d + 1 - r before the drop
    x = float(re.search(r"d \+ \(1 - r\) = ([0-9.]+)", v.loc["A 5% drop in", "conditions"])[1])
    r0 = 1.10 - x
    up = retention_uplift(r0, r0 - 0.05, 0.10, forms=["start"])["uplift_pct"].iloc[0]
    assert up == pytest.approx(-25.0, abs=1e-9)
    # headline numbers in the text are the ones in the value columns
    assert (
        f"+{v.loc['+5 points of', 'value']:.0f}% per-customer NPV"
        in v.loc["+5 points of", "reproduced"]
    )
    assert (
        f"{v.loc['A 5% drop in', 'value']:.1f}% customer value"
        in v.loc["A 5% drop in", "reproduced"]
    )
    assert (
        f"{100 * v.loc['60% of new c', 'value']:.0f}% of new" in v.loc["60% of new c", "reproduced"]
    )
    assert (
        f"= {v.loc['A satisfied ', 'alternative_value']:.2f}"
        in v.loc["A satisfied ", "alternative"]
    )
