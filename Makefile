# servqual: `make figures` and `make test` each work alone on a fresh machine
# with only Python >= 3.10 and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: figures test lint venv clean paper

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

figures: $(STAMP)
	$(VENV)/bin/servqual figures --out paper/figures --force

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks validation notebooks
	$(VENV)/bin/ruff format --check src tests benchmarks validation

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
