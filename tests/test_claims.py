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
    assert len(table) == 10
    assert set(table["verdict"]) <= set(claims.VERDICTS)
    byclaim = dict(zip(table["claim"].str[:12], table["verdict"]))
    assert byclaim["Only 4% of d"] == "misquoted"
    assert byclaim["+5 points of"] == "conditional"
    assert list(table["verdict"]).count("untraceable") == 4
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
    assert out.count("verdict:") == 10
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


# ---------------------------------------------------------------- issue 15, section 5


def _row(table, start):
    rows = table[table["claim"].str.startswith(start)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_sixteen_to_twenty_people_from_tarps_own_figures(table):
    from scipy import stats

    row = _row(table, "Each dissatisfied customer tells 16-20")
    assert row["verdict"] == "untraceable"
    # brute force: the negative binomial matches TARP's mean 9.5 and 13% telling > 20
    d = claims.tarp_wom_distribution()
    size, p = d.args
    k = np.arange(0, 5000)
    pmf = stats.nbinom.pmf(k, size, p)
    assert np.sum(k * pmf) == pytest.approx(9.5, abs=1e-9)
    assert pmf[k > 20].sum() == pytest.approx(0.13, abs=1e-9)
    assert row["value"] == pytest.approx(pmf[(k >= 16) & (k <= 20)].sum(), abs=1e-12)
    assert row["alternative_value"] == pytest.approx(pmf[k >= 16].sum(), abs=1e-12)
    # "each tells 16-20" describes under a tenth of dissatisfied customers
    assert 0.05 < row["value"] < 0.10
    assert f"{100 * row['value']:.1f}% of dissatisfied" in row["reproduced"]
    # the funnel's default word of mouth is TARP's 9.5, not 16-20
    import inspect

    sig = inspect.signature(servqual.wom.complaint_funnel)
    assert sig.parameters["wom_negative"].default == claims.TARP_WOM_MEAN
    assert "9.5" in row["alternative"]


def test_customers_vs_managers_rater_ranking(table):
    from servqual.drivers.stated import rank_claim

    row = _row(table, "Customers rank reliability and responsiveness")
    assert row["verdict"] == "misquoted"
    # the cited allocations sum to 100 and put reliability first, tangibles last; the
    # figures themselves are flagged unverified (no copy of PBZ 1991's table was found)
    pts = claims.PBZ1991_POINTS
    assert sum(pts.values()) == 100 and claims.PBZ1991_VERIFIED is False
    assert max(pts, key=pts.get) == "reliability" and min(pts, key=pts.get) == "tangibles"
    assert "NOT verified" in row["origin"]
    # recompute the customers' test on the same simulated sample
    shares = {d: v / 100 for d, v in pts.items()}
    df, _ = servqual.simulate_survey(600, servqual.Truth(stated_importance=shares), seed=1991)
    cols = {d: f"IMP_{d}" for d in pts}
    rc = rank_claim(df, ["reliability", "responsiveness"], columns=cols)
    assert rc.supported and row["value"] == pytest.approx(rc.p_value, rel=1e-12)
    means = df[list(cols.values())].mean()
    # allocations are drawn around the cited means (Dirichlet, n = 600): within 1.5 points
    np.testing.assert_allclose(means.to_numpy(), [pts[d] for d in pts], atol=1.5)
    # managers with tangibles and reliability swapped: Kendall tau between the rankings
    # is (3 concordant - 7 discordant) / 10 pairs = -0.4
    cust_rank = [1, 2, 3, 4, 5]  # R, Resp, A, E, T
    mgr_rank = [5, 2, 3, 4, 1]
    tau = stats_tau(cust_rank, mgr_rank)
    assert tau == pytest.approx(-0.4)
    assert row["alternative_value"] == pytest.approx(tau, abs=1e-12)


def stats_tau(a, b):
    from scipy import stats

    return float(stats.kendalltau(a, b).statistic)


def test_rater_forum_corporation_traced_to_pzb(table):
    row = _row(table, "RATER was discovered by the US Forum Corporation")
    assert row["verdict"] == "misquoted"
    assert "Parasuraman, Zeithaml & Berry (1988)" in row["origin"]
    assert "64(1)" in row["origin"]
    assert np.isnan(row["value"])
    assert row["parameters"].startswith("5 dimensions, 22 items")
