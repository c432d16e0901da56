"""Write a benchmark's printed numbers to ``benchmarks/results/<name>.json``.

The paper's performance table (``servqual paper``) is generated from these files,
so the numbers in the paper are the numbers a benchmark run printed.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def record(name: str, **values) -> Path:
    """Save ``values`` (JSON-serialisable) with machine information; return the path."""
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
        "machine": {
            "python": platform.python_version(),
            "processor": platform.machine(),
            "cpu_count": os.cpu_count(),
            "blas": blas,
        },
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    return path
