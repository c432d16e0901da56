"""The property-based suite with the long hypothesis profile (issue #14).

Runs ``tests/test_fuzz_*.py`` with ``SERVQUAL_FUZZ_PROFILE=long`` (300 examples
per test instead of the CI profile's 6, random rather than derandomized) and
writes pytest's summary and every falsifying example to
``validation/results/fuzz_long.txt``.

Run:  .venv/bin/python validation/fuzz_long.py [extra pytest arguments, e.g. -k csi]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from servqual._io import write_text

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "validation" / "results" / "fuzz_long.txt"


def main(argv: list[str]) -> int:
    env = {**os.environ, "SERVQUAL_FUZZ_PROFILE": "long", "SERVQUAL_PROGRESS": "off"}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           *sorted(str(p) for p in (ROOT / "tests").glob("test_fuzz_*.py")), *argv]  # fmt: skip
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    text = f"$ SERVQUAL_FUZZ_PROFILE=long {' '.join(cmd[1:])}\n\n{run.stdout}{run.stderr}"
    write_text(OUT, text, force=True)  # this script's own output, replaced atomically
    print(run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr)
    print(f"wrote {OUT}")
    return run.returncode


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _results import study_output

    with study_output("fuzz_long"):  # also validation/results/fuzz_long.txt, with provenance
        code = main(sys.argv[1:])
    raise SystemExit(code)
