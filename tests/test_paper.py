"""The paper's numbers come from generated includes, and those are not stale (issue 7)."""

import re
from pathlib import Path

from servqual.paper import computed_table, inline, render_includes, validation_table

ROOT = Path(__file__).resolve().parents[1]


def test_committed_includes_match_a_fresh_generation():
    fresh = render_includes(ROOT)
    for name, text in fresh.items():
        committed = ROOT / "paper" / "generated" / name
        assert committed.exists(), f"{name} missing: run `servqual paper`"
        assert committed.read_text(encoding="utf-8") == text, (
            f"{name} is stale: run `servqual paper`"
        )


def test_every_reference_value_is_reproduced():
    table = validation_table()
    assert len(table) >= 20
    assert set(table["agrees"]) == {"yes"}, table[table["agrees"] != "yes"]
    sources = " ".join(table["source"])
    for ref in ("lavaan", "seminr", "Fader & Hardie"):
        assert ref in sources
    # issue 15: an uncited closed-form value is not a "published" reference
    assert "NPS" not in sources


def test_closed_form_checks_are_their_own_table():
    t = computed_table()
    assert list(t.columns) == ["source", "quantity", "closed form", "servqual", "agrees"]
    assert set(t["agrees"]) == {"yes"}
    # hand computation: 100 * sqrt((1/2 + 1/6 - (1/3)^2) / 100) = 100 * sqrt(5/9) / 10
    se = t[t["quantity"].str.startswith("trinomial SE")]
    assert se["closed form"].tolist() == [f"{10 * (5 / 9) ** 0.5:.2f}"] == ["7.45"]


def test_paper_includes_resolve_and_cover_the_sections():
    paper = ROOT / "paper" / "paper.md"
    text = paper.read_text(encoding="utf-8")
    markers = re.findall(r"<!-- include: (\S+) -->", text)
    assert markers == [
        "generated/validation.md",
        "generated/computed.md",
        "generated/performance.md",
        "generated/claims.md",
    ]
    full = inline(paper)
    assert "<!-- include:" not in full
    assert "85.306" in full  # lavaan χ², arriving through the include
    for section in ("# Summary", "# Statement of need", "# State of the field", "# Methods",
                    "# Validation", "# Performance", "# Example", "# References"):  # fmt: skip
        assert section in text
    for tool in ("lavaan", "semopy", "seminr", "cSEM", "SmartPLS", "plspm", "relaimpo",
                 "pymc-marketing"):  # fmt: skip
        assert tool in text
    keys = set(re.findall(r"@([a-z0-9]+)", text))
    bib = (ROOT / "paper" / "paper.bib").read_text(encoding="utf-8")
    missing = [k for k in keys if f"{{{k}," not in bib]
    assert not missing, missing
