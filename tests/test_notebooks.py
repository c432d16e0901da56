"""Every notebook runs top to bottom; the .ipynb pairs carry no outputs."""

import asyncio
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

NB_DIR = Path(__file__).resolve().parents[1] / "notebooks"
SOURCES = sorted(NB_DIR.glob("[0-9]*.py"))


def test_there_are_notebooks():
    assert SOURCES, f"no notebooks found in {NB_DIR}"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Every notebook executed, two kernels at a time (the machine's two cores):
    ``{path: notebook}``, or the exception its execution raised."""
    sem = asyncio.Semaphore(2)

    async def run(src):
        nb = jupytext.read(src)
        path = tmp_path_factory.mktemp(src.stem)
        client = NotebookClient(
            nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path)}}
        )
        async with sem:
            try:
                await client.async_execute()
            except Exception as exc:  # reported by the notebook's own test
                return src, exc
        return src, nb

    async def run_all():
        return dict(await asyncio.gather(*(run(src) for src in SOURCES)))

    return asyncio.run(run_all())


@pytest.mark.parametrize("src", SOURCES, ids=[p.stem for p in SOURCES])
def test_notebook_executes(src, executed):
    nb = executed[src]
    if isinstance(nb, Exception):
        raise nb
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    # the notebooks use the current names: no deprecation (FutureWarning) in them
    stderr = "".join(
        o.get("text", "")
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.get("name") == "stderr"
    )
    assert "FutureWarning" not in stderr, stderr


@pytest.mark.parametrize("src", SOURCES, ids=[p.stem for p in SOURCES])
def test_ipynb_pair_is_stripped_and_in_sync(src):
    ipynb = src.with_suffix(".ipynb")
    assert ipynb.exists(), f"{ipynb.name} missing: run jupytext --to ipynb {src.name}"
    paired = nbformat.read(ipynb, as_version=4)
    assert all(not c.get("outputs") for c in paired.cells if c.cell_type == "code")
    assert all(c.get("execution_count") is None for c in paired.cells if c.cell_type == "code")
    text = jupytext.read(src)
    assert [c.source for c in paired.cells] == [c.source for c in text.cells]
