"""Regenerate the shipped ``servqual_sim`` dataset and its generating parameters.

Run ``python -m servqual.datasets.make_servqual_sim [--force]``; it writes
``servqual_sim.csv`` and ``servqual_sim_truth.json`` beside the loaders and
refuses to overwrite them unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from ..simulate import Truth, simulate_survey

SEED = 20261122
N = 2000


def make() -> tuple[pd.DataFrame, Truth]:
    """The dataset exactly as shipped: ``simulate_survey(2000, seed=20261122)``."""
    df, truth = simulate_survey(N, Truth(), seed=SEED)
    return df.drop(columns=[c for c in df.columns if c.startswith("G")]), truth


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--force", action="store_true", help="overwrite existing files")
    ap.add_argument("--out", default=str(Path(__file__).parent / "data"))
    args = ap.parse_args(argv)
    out = Path(args.out)
    targets = [out / "servqual_sim.csv", out / "servqual_sim_truth.json"]
    exists = [str(t) for t in targets if t.exists()]
    if exists and not args.force:
        print(f"refusing to overwrite {exists}; pass --force")
        return 1
    df, truth = make()
    from .._io import atomic_write, write_text

    with atomic_write(targets[0], force=args.force) as fh:
        df.to_csv(fh, index=False)
    meta = {"n": N, "seed": SEED, "call": f"simulate_survey({N}, Truth(), seed={SEED})",
            "truth": truth.to_dict()}  # fmt: skip
    write_text(targets[1], json.dumps(meta, indent=1, sort_keys=True) + "\n", force=args.force)
    print("\n".join(str(t) for t in targets))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
