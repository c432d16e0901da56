"""The property-based suite with the long hypothesis profile (issue #14).

Runs ``tests/test_fuzz_*.py`` with ``SERVQUAL_FUZZ_PROFILE=long`` (the
``long`` profile of ``tests/_fuzz.py``: 150 examples per test instead of the CI
profile's 6, random rather than derandomized) and writes the profile, pytest's
summary and every falsifying example, with provenance, to
``validation/results/fuzz_long.txt``.

Run:  nice .venv/bin/python validation/fuzz_long.py [--max-minutes M] [pytest arguments]
(e.g. ``-k csi``); the run takes tens of minutes on two shared cores.  Output is
streamed into the results file, so a run stopped by ``--max-minutes`` or SIGTERM
records the tests it finished and says that it is incomplete.
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


def main(argv: list[str], max_minutes: float | None = None) -> int:
    from servqual._io import Terminated

    env = {**os.environ, "SERVQUAL_FUZZ_PROFILE": "long", "SERVQUAL_PROGRESS": "off"}
    tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_fuzz_*.py"))
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rfE", "--tb=short",
           "-v", *tests, *argv]  # fmt: skip
    print(profile_text())
    print(f"$ SERVQUAL_FUZZ_PROFILE=long python {' '.join(cmd[1:])}\n")
    t0 = time.perf_counter()
    # streamed line by line, so that a run stopped early (--max-minutes, SIGTERM)
    # still records what it found so far
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        for line in proc.stdout:
            print(line, end="")
            if max_minutes and time.perf_counter() - t0 > 60 * max_minutes:
                print(f"\nSTOPPED after {max_minutes} minutes (--max-minutes): incomplete run")
                break
    except Terminated:  # record what ran so far
        print("\nSTOPPED by SIGTERM: incomplete run")
    finally:
        if proc.poll() is None:
            proc.terminate()
        code = proc.wait()
    print(f"wall time {time.perf_counter() - t0:.0f} s, exit code {code}")
    return code


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _results import study_output

    from servqual._io import terminate_cleanly

    args = sys.argv[1:]
    limit = None
    if args[:1] == ["--max-minutes"]:
        limit, args = float(args[1]), args[2:]
    with study_output("fuzz_long"), terminate_cleanly():  # results file, with provenance
        code = main(args, limit)
    raise SystemExit(code)
