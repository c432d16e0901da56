"""Figures are byte-identical across separate processes (issue 2 section 8, issue 7)."""

import json
import subprocess
import sys

from servqual.figures import registry

SCRIPT = """
import json, sys
from servqual.figures import build_all
out = build_all(sys.argv[1], only=json.loads(sys.argv[2]), progress=False)
print(json.dumps({p.name: h for _, p, h in out}))
"""


def _build(tmp, names):
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp), json.dumps(names)],
                       capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_two_processes_give_identical_bytes(tmp_path):
    names = sorted(registry())
    a = _build(tmp_path / "a", names)
    b = _build(tmp_path / "b", names)
    assert len(a) == 2 * len(names)
    assert a == b
    svg = (tmp_path / "a" / f"{names[0]}.svg").read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    png = (tmp_path / "a" / f"{names[0]}.png").read_bytes()
    assert b"Software" not in png
