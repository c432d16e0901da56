# servqual: `make figures` and `make test` each work alone on a fresh machine
# with only Python >= 3.10 and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: figures test lint venv clean paper docs

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,dask]"
	touch $(STAMP)

venv: $(STAMP)

figures: $(STAMP)
	$(VENV)/bin/servqual figures --out paper/figures --force

# two workers, one test file each at a time (--dist loadfile keeps a file's
# module-scoped fixtures in one process): the CI machine has two cores
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks validation notebooks
	$(VENV)/bin/ruff format --check src tests benchmarks validation

DOCS_STAMP := $(VENV)/.docs-installed

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev,dask,docs]"
	touch $(DOCS_STAMP)

# the documentation site: API reference, user guide (executed notebooks, cached in
# docs/_build/.jupyter_cache), methods, validation and performance; warnings are errors
docs: $(DOCS_STAMP)
	$(PY) docs/make_api.py
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "wrote docs/_build/html/index.html"

paper: $(STAMP)
	mkdir -p paper/build
	$(VENV)/bin/servqual paper --root . --inline paper/build/paper.md --force
	@if command -v pandoc >/dev/null 2>&1; then \
		cd paper && pandoc build/paper.md --citeproc --bibliography paper.bib -s \
			--metadata link-citations=true -o build/paper.html && echo "wrote paper/build/paper.html"; \
	else \
		echo "pandoc is not installed: 'apt-get install pandoc' (or see https://pandoc.org/installing.html)"; \
		echo "then run 'make paper' again. The includes are in paper/generated/, the inlined"; \
		echo "Markdown in paper/build/paper.md."; \
	fi

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
