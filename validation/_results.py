"""Every validation study writes what it prints to ``validation/results/<name>.txt``.

Use as ``with study_output("sem_fiml"): main()``: the printed output goes to the
terminal and, with a header recording the command, servqual's version, the
git commit, the date and the peers' versions, to the results file (written
atomically when the study finishes; an aborted run leaves the old file).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from _record import run_provenance  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


class _Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, s):
        for st in self.streams:
            st.write(s)
        return len(s)

    def flush(self):
        for st in self.streams:
            st.flush()


@contextlib.contextmanager
def study_output(name: str, results: Path = RESULTS):
    """Tee stdout into ``results/<name>.txt`` (with a provenance header) for the block."""
    from servqual._io import write_text

    buf = io.StringIO()
    old = sys.stdout
    sys.stdout = _Tee(old, buf)
    try:
        yield buf
    finally:
        sys.stdout = old
    header = {"study": name, "command": " ".join(["python", *sys.argv]), **run_provenance()}
    text = "# " + json.dumps(header, sort_keys=True) + "\n" + buf.getvalue()
    results.mkdir(parents=True, exist_ok=True)
    write_text(results / f"{name}.txt", text, force=True)
