"""Re-check servqual.pls against seminr 2.x's published PLS test fixtures.

The fixture numbers (cited by seminr test and fixture file) are in
``seminr_pls.json`` beside this script; no R is needed.  Prints one line per
case with the largest absolute difference of paths and weights.  The unit
tests (``tests/test_pls_extended.py``) hold the same numbers.

Usage: ``python validation/peers/seminr_pls.py``
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import servqual
from servqual import pls


def main() -> int:
    spec = json.loads((Path(__file__).with_name("seminr_pls.json")).read_text())
    mobi = servqual.load_dataset("mobi")
    worst_all = 0.0
    print(spec["source"])
    for case in spec["cases"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = pls.fit(case["model"], mobi, progress=False, **case["options"])
        paths = res.paths.set_index(["source", "target"])["estimate"]
        weights = res.outer.set_index(["construct", "item"])["weight"]
        d_p = max(abs(paths[tuple(k.split("->"))] - v) for k, v in case["paths"].items())
        d_w = max(
            (abs(weights[tuple(k.split("|"))] - v) for k, v in case["weights"].items()),
            default=0.0,
        )
        loadings = res.outer.set_index(["construct", "item"])["loading"]
        d_l = max(
            (abs(loadings[tuple(k.split("|"))] - v) for k, v in case.get("loadings", {}).items()),
            default=0.0,
        )
        worst_all = max(worst_all, d_p, d_w, d_l)
        print(f"{case['name']}: max |diff| paths {d_p:.1e}, weights {d_w:.1e}, loadings {d_l:.1e}")
        if case.get("note"):
            print(f"    note: {case['note']}")
        print(f"    seminr {case['seminr_test']}; {', '.join(case['fixtures'])}")
    for fixture, why in spec.get("not_reproduced", {}).items():
        print(f"not reproduced: {fixture} ({why})")
    print(f"largest difference: {worst_all:.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
