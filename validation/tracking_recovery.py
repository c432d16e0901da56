"""Long version of tests/test_simulate_design.py (not part of the test suite).

Run: .venv/bin/python validation/tracking_recovery.py [reps]
Writes validation/results/tracking_recovery.json:
* level of the independent-samples NPS difference test (no change), n = 300 per wave;
* its power and CI coverage under a known shift (reliability +1.0, assurance +0.6 latent SD);
* coverage of the weighted NPS interval and bias of weighted vs unweighted NPS under an
  informative design (business: 20% of the base, 50% of the sample, factors -1 SD).
Answers are drawn from the simulator's exact LTR probabilities (SurveyDesign.ltr_probabilities).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from servqual._io import write_text
from servqual.compare import z_difference
from servqual.simulate import Truth
from servqual.simulate_design import SurveyDesign
from servqual.weighting import nps_estimate

OUT = Path(__file__).resolve().parent / "results" / "tracking_recovery.json"


def _nps(y):
    pp, pd_ = (y >= 9).mean(axis=1), (y <= 6).mean(axis=1)
    return 100 * (pp - pd_), 100 * np.sqrt((pp + pd_ - (pp - pd_) ** 2) / y.shape[1])


def main(reps: int = 20_000) -> dict:
    truth = Truth()
    rng = np.random.default_rng(20261130)
    d = SurveyDesign({"s": 1.0}, waves=2, wave_shift={2: {"reliability": 1.0, "assurance": 0.6}})
    p1, p2 = d.ltr_probabilities(truth, "s", 1), d.ltr_probabilities(truth, "s", 2)
    n = 300
    out = {"reps": reps, "n_per_wave": n}
    e1, s1 = _nps(rng.choice(11, size=(reps, n), p=p1))
    e2, s2 = _nps(rng.choice(11, size=(reps, n), p=p1))
    out["level"] = float(np.mean(z_difference(e1, s1, e2, s2)[3] < 0.05))
    e2, s2 = _nps(rng.choice(11, size=(reps, n), p=p2))
    r = z_difference(e1, s1, e2, s2)
    delta = d.true_nps(truth, "s", 1) - d.true_nps(truth, "s", 2)
    out["power"] = float(np.mean(r[3] < 0.05))
    out["difference_coverage"] = float(np.mean((r[4] <= delta) & (delta <= r[5])))
    design = SurveyDesign({"retail": 0.8, "business": 0.2},
                          sample={"retail": 0.5, "business": 0.5},
                          segment_shift={"business": -1.0})  # fmt: skip
    segs = design.segments
    probs = [design.ltr_probabilities(truth, s) for s in segs]
    true = design.true_nps(truth)
    wts = np.array([design.weight(s) for s in segs])
    hits, est_w, est_u = 0, [], []
    for _ in range(min(reps, 5000)):
        s = rng.choice(2, size=400, p=[design.sample[x] for x in segs])
        y = np.where(s == 0, rng.choice(11, 400, p=probs[0]), rng.choice(11, 400, p=probs[1]))
        e = nps_estimate(y, wts[s])
        hits += abs(e.estimate - true) <= 1.959964 * e.se
        est_w.append(e.estimate)
        est_u.append(nps_estimate(y).estimate)
    m = min(reps, 5000)
    out["weighted_coverage"] = hits / m
    out["weighted_bias"] = float(np.mean(est_w) - true)
    out["unweighted_bias"] = float(np.mean(est_u) - true)
    write_text(OUT, json.dumps(out, indent=2) + "\n", force=True)  # its own output
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _results import study_output

    with study_output("tracking_recovery"):  # the printed summary, with provenance
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
