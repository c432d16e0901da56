"""Write a benchmark's printed numbers to ``benchmarks/results/<name>.json``.

The paper's performance table (``servqual paper``) is generated from these files,
so the numbers in the paper are the numbers a benchmark run printed.  Every
result records the run's provenance (:func:`run_provenance`): servqual's
version, the git commit, the date, and the versions of the peers it was timed
against and of the numerical stack.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parents[1]

#: packages whose versions every record carries: the numerical stack and the
#: tools servqual is compared with in benchmarks and validation studies
PEERS = ("numpy", "scipy", "pandas", "statsmodels", "scikit-learn", "semopy", "plspm", "joblib")


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
            timeout=10, check=True,
        )  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"


def _version(pkg: str) -> str | None:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return None


def run_provenance(peers=PEERS) -> dict:
    """servqual version, commit, UTC date and installed peers' versions of this run."""
    import servqual

    return {
        "servqual": servqual.__version__,
        "commit": _commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "peers": {p: v for p in peers if (v := _version(p)) is not None},
    }


def record(name: str, **values) -> Path:
    """Save ``values`` (JSON-serialisable) with provenance and machine information."""
    try:
        from threadpoolctl import threadpool_info

        blas = [
            {k: i.get(k) for k in ("internal_api", "num_threads", "version")}
            for i in threadpool_info()
        ]
    except Exception as exc:  # threadpoolctl missing: record why
        blas = [{"error": repr(exc)}]
    payload = {
        "benchmark": name,
        **values,
        "provenance": run_provenance(),
        "machine": {
            "python": platform.python_version(),
            "processor": platform.machine(),
            "cpu_count": os.cpu_count(),
            "load_average_at_record": list(os.getloadavg()),
            "blas": blas,
        },
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    return path
