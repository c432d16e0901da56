"""The documentation site covers the public API (issue 15 §6).

``make docs`` builds the site (Sphinx, warnings as errors); these tests check,
without Sphinx, that every public name has an API page and that every public
function has a docstring example (the suite runs those examples as doctests).
"""

import importlib
import inspect
import pathlib
import sys

import pytest

from servqual._api import public_api

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs"))
from make_api import pages  # noqa: E402

sys.path.pop(0)
API = public_api()


def test_api_pages_are_committed_and_in_sync():
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "docs/api").glob("*.rst")}
    assert committed == pages(), "docs/api is stale: run `python docs/make_api.py`"


def test_every_public_name_is_on_its_module_page():
    assert len(API) >= 25 and sum(map(len, API.values())) >= 200
    for module, names in API.items():
        page = (ROOT / "docs/api" / f"{module}.rst").read_text(encoding="utf-8")
        listed = [ln.strip() for ln in page.split(".. autosummary::", 1)[-1].splitlines()]
        assert [n for n in listed if n and not n.startswith(":")] == names, module
    index = (ROOT / "docs/api/index.rst").read_text(encoding="utf-8")
    assert all(f"   {m}\n" in index for m in API)


def _public_objects():
    for module, names in API.items():
        mod = importlib.import_module(module)
        for name in names:
            yield f"{module}.{name}", getattr(mod, name)


@pytest.mark.parametrize(
    "qualname,obj",
    [(q, o) for q, o in _public_objects() if inspect.isfunction(o)],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_every_public_function_has_a_runnable_example(qualname, obj):
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"{qualname} has no docstring"
    assert ">>>" in doc, f"{qualname} has no docstring example"
    # the example runs: its module is collected by --doctest-modules (src/servqual)
    src = inspect.getsourcefile(inspect.unwrap(obj))
    assert src and pathlib.Path(src).is_relative_to(ROOT / "src" / "servqual"), qualname


def test_every_public_class_has_a_docstring():
    missing = [q for q, o in _public_objects() if inspect.isclass(o) and not inspect.getdoc(o)]
    assert missing == []
