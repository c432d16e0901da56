"""The property-based suite with the long hypothesis profile (issue #14).

Runs ``tests/test_fuzz_*.py`` with ``SERVQUAL_FUZZ_PROFILE=long`` (the
``long`` profile of ``tests/_fuzz.py``: 150 examples per test instead of the CI
profile's 6, random rather than derandomized) and writes the profile, pytest's
summary and every falsifying example, with provenance, to
``validation/results/fuzz_long.txt``.

Run:  nice .venv/bin/python validation/fuzz_long.py [extra pytest arguments, e.g. -k csi]
(about 20-40 minutes on two shared cores).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def profile_text() -> str:
    """The settings of the ``long`` profile, as hypothesis will use them."""
    sys.path.insert(0, str(ROOT / "tests"))
    os.environ["SERVQUAL_FUZZ_PROFILE"] = "long"
    import _fuzz  # noqa: F401 - registers the profiles
    from hypothesis import settings

    s = settings.get_profile("long")
    return (f"profile long: max_examples={s.max_examples}, derandomize={s.derandomize}, "
            f"deadline={s.deadline}")  # fmt: skip


def main(argv: list[str]) -> int:
    env = {**os.environ, "SERVQUAL_FUZZ_PROFILE": "long", "SERVQUAL_PROGRESS": "off"}
    tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_fuzz_*.py"))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests, *argv]
    print(profile_text())
    print(f"$ SERVQUAL_FUZZ_PROFILE=long python {' '.join(cmd[1:])}\n")
    t0 = time.perf_counter()
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    print(run.stdout + run.stderr)
    print(f"wall time {time.perf_counter() - t0:.0f} s, exit code {run.returncode}")
    return run.returncode


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _results import study_output

    with study_output("fuzz_long"):  # validation/results/fuzz_long.txt, with provenance
        code = main(sys.argv[1:])
    raise SystemExit(code)
