"""Re-check servqual.pls against seminr 2.x's published PLS test fixtures.

The fixture numbers (cited by seminr test and fixture file) are in
``seminr_pls.json`` beside this script; no R is needed.  Prints one line per
case with the largest absolute difference of paths, weights, loadings, f^2
(seminr's NA must be servqual's NaN) and, for ``pls.predict`` cases, the
out-of-sample errors.  The unit tests (``tests/test_pls_seminr_fixtures.py``,
``tests/test_pls_extended.py``) hold the same numbers.

Usage: ``python validation/peers/seminr_pls.py``
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import servqual
from servqual import pls


def _max_diff(table, ref: dict, sep: str) -> float:
    """Largest |servqual - seminr| over ``ref``; a None (seminr's NA) must be NaN here."""
    worst = 0.0
    for k, v in ref.items():
        got = float(table[tuple(k.split(sep))])
        worst = max(worst, 0.0 if math.isnan(got) else math.inf) if v is None else max(
            worst, abs(got - v)
        )  # fmt: skip
    return worst


def _check(case: dict, data) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if case.get("function") == "predict":
            res = pls.predict(case["model"], data, **case["options"])
            tab = res.table.set_index("item")
            d = max(max(abs(tab.loc[it, c] - v) for it, v in ref.items())
                    for c, ref in case["predict"].items())  # fmt: skip
            return f"out-of-sample RMSE/MAE {d:.1e}", d
        res = pls.fit(case["model"], data, progress=False, **case["options"])
    paths = res.paths.set_index(["source", "target"])
    outer = res.outer.set_index(["construct", "item"])
    d_p = _max_diff(paths["estimate"], case["paths"], "->")
    d_w = _max_diff(outer["weight"], case["weights"], "|")
    d_l = _max_diff(outer["loading"], case.get("loadings", {}), "|")
    d_f = _max_diff(paths["f2"], case.get("f2", {}), "->")
    text = f"paths {d_p:.1e}, weights {d_w:.1e}, loadings {d_l:.1e}, f2 {d_f:.1e}"
    return text, max(d_p, d_w, d_l, d_f)


def main() -> int:
    spec = json.loads((Path(__file__).with_name("seminr_pls.json")).read_text())
    worst_all = 0.0
    print(spec["source"])
    for case in spec["cases"]:
        data = servqual.load_dataset(case.get("data", "mobi"))
        text, worst = _check(case, data)
        worst_all = max(worst_all, worst)
        print(f"{case['name']}: max |diff| {text}")
        if case.get("note"):
            print(f"    note: {case['note']}")
        print(f"    seminr {case['seminr_test']}; {', '.join(case['fixtures'])}")
    for fixture, why in spec.get("not_reproduced", {}).items():
        print(f"not reproduced: {fixture} ({why})")
    print(f"largest difference: {worst_all:.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
