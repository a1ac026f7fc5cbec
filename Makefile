# Two commands on a fresh machine: `make book` and `make test`. Both set up .venv first.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PROFILE ?= quick
NB ?=
RUN ?=
GRID ?=
BACKEND ?=
JOBS ?= 2
ARGS ?=
# Chapters whose inputs are unchanged since their last good execution are restored, not re-executed
# (cache in book/executed/.cache; helpers/book/execution_cache.py), by `make notebooks` and by
# `make test` alike. FORCE=1 executes them anyway; MINNBOOK_CHAPTER_CACHE=0 (or CI set) turns it off.
FORCE ?=
CHAPTER := $(PY) -m helpers.book chapter $(if $(FORCE),--force)
STAMP := $(VENV)/.installed

.PHONY: setup book notebooks notebook sweep html test unit lint bench paper paper-status mome-exact clean clean-cache lab

setup: $(STAMP)

# CPU torch first (a bare `torch` would pull the CUDA build); see README for GPU users.
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "torch==2.13.0"
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

book: notebooks html

notebooks: $(STAMP)
	$(CHAPTER) --all --profile $(PROFILE)

# One chapter. With parameters (ARGS="-p product EX_succ_e") or RUN=name it is a run: written to
# runs/<chapter>/<name>/ (notebook, tables/, figures/, parameters.json), never into the book;
# without either it re-executes the book's own copy (book/executed/, _build/tables/).
notebook: $(STAMP)
	$(CHAPTER) $(NB) $(ARGS) $(if $(RUN),--run $(RUN))

# A grid of runs in parallel (joblib; BACKEND=dask for a Dask cluster) with one summary table:
# make sweep NB=07_mome_ethanol GRID="product=EX_succ_e,EX_lac__D_e seed=0,1"
# -> runs/<chapter>/<RUN or sweep_<keys>>/<run>/ and .../summary.csv
sweep: $(STAMP)
	$(PY) -m helpers.book sweep $(NB) --grid "$(GRID)" -j $(JOBS) $(if $(RUN),--name $(RUN)) $(if $(BACKEND),--backend $(BACKEND)) $(ARGS)

html: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "Book built: $(CURDIR)/_build/html/index.html"

# JupyterLab on the chapter sources with the project's .venv as the kernel (installed on first use).
lab: $(STAMP)
	$(VENV)/bin/jupyter-lab --version >/dev/null 2>&1 || $(PY) -m pip install -q "jupyterlab>=4"
	$(VENV)/bin/jupyter-lab notebooks

test: $(STAMP)
	$(PY) -m pytest tests

unit: $(STAMP)
	$(PY) -m pytest tests -m "not notebooks and not book"

lint: $(STAMP)
	$(VENV)/bin/ruff check helpers tests benchmarks

# Paper-protocol MINN units (results/paper/), resumable; see helpers/book/paper/__init__.py.
paper: $(STAMP)
	nice $(PY) -m helpers.book paper run -j $(JOBS) $(ARGS)

paper-status: $(STAMP)
	$(PY) -m helpers.book paper status -j $(JOBS)

# Chapter 08's exact check of one constrained set-up, e.g. make mome-exact ARGS="iJO1366 LB --max-cost 2".
mome-exact: $(STAMP)
	$(PY) -m helpers.book mome-exact $(ARGS)

bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(PY) $$script; done

clean:
	rm -rf _build book/executed

clean-cache: $(STAMP)
	$(PY) -c "import helpers.data.cache as c; c.clear_cache()"
