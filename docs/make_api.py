"""Write the API reference pages ``docs/api/*.rst`` from :func:`servqual._api.public_api`.

Run ``python docs/make_api.py`` after adding or removing a public name (a test
fails while the committed pages and the public API differ).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def pages() -> dict[str, str]:
    """File name -> text of every API page, plus the API index."""
    from servqual._api import api_page, public_api

    api = public_api()
    out = {f"{mod}.rst": api_page(mod, names) for mod, names in api.items()}
    toc = "\n".join(f"   {mod}" for mod in api)
    out["index.rst"] = (
        "API reference\n=============\n\n"
        "Every public module and name of servqual; each function's page shows its "
        "runnable example.\n\n.. toctree::\n   :maxdepth: 1\n\n" + toc + "\n"
    )
    return out


def main() -> int:
    target = HERE / "api"
    target.mkdir(exist_ok=True)
    want = pages()
    for old in target.glob("*.rst"):
        if old.name not in want:
            old.unlink()
    # autosummary regenerates the per-name pages on every build; a page left from an
    # earlier public API (a name since removed or re-listed) would be built as an orphan
    shutil.rmtree(target / "generated", ignore_errors=True)
    for name, text in want.items():
        (target / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(want)} pages to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
