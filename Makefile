# hukou-stats: every target sets itself up from nothing (a virtual environment in .venv).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
REGION ?= 440100
YEAR   ?=

.PHONY: setup bulletin test check lint lock clean ingest build bench fuzz

# installs exactly the versions of requirements.lock (the bounds are in pyproject.toml; `make lock` re-resolves)
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## lock: re-resolve requirements.lock from the bounds in pyproject.toml (every extra), with uv
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
		--no-header --annotation-style line -o requirements.lock

setup: $(STAMP)

# What the main job depends on: the inputs, the reference data, the schemas and the code. A target is redone only
# when one of them is newer than its result, so a second `make bulletin` with nothing changed does nothing.
INPUTS    := $(shell find data/raw data/reference schemas src -type f ! -name '.*' ! -name '*.pyc' 2>/dev/null | sed 's/ /\\ /g')
MADE      := data/processed/.made
INGESTED  := $(MADE)/ingested
DATABASE  := data/processed/hukou.duckdb
BULLETIN_MADE := $(MADE)/bulletin-$(REGION)-$(YEAR)-$(BULLETIN_LANG)-$(FORMATS)-$(RELEASE)

$(INGESTED): $(STAMP) $(INPUTS)
	$(BIN)/hukou-stats ingest
	@mkdir -p $(MADE) && touch $@

$(DATABASE): $(INGESTED)
	$(BIN)/hukou-stats build

ingest: $(INGESTED)

build: $(DATABASE)

## bulletin: the main job on the bundled real data (default Guangzhou, latest year with both rates), every format
## (xlsx, html, md, csv + datapackage.json, charts); optional REGION=, YEAR=, BULLETIN_LANG=zh|en|both,
## FORMATS=xlsx,html,md,csv, RELEASE=latest|first|YYYY-MM-DD. Nothing is redone when nothing changed.
bulletin: $(BULLETIN_MADE)

$(BULLETIN_MADE): $(DATABASE)
	$(BIN)/hukou-stats bulletin --region $(REGION) $(if $(YEAR),--year $(YEAR)) $(if $(BULLETIN_LANG),--lang $(BULLETIN_LANG)) $(if $(FORMATS),--formats $(FORMATS)) $(if $(RELEASE),--release $(RELEASE))
	@mkdir -p $(MADE) && touch "$@"

## test: the whole test suite (rendering, kills, fuzzing and the notebook included)
test: $(STAMP)
	$(BIN)/python -m pytest

## check: the fast tier for development (under a minute): everything but slow, render, kills, fuzz, notebook
check: $(STAMP)
	$(BIN)/python -m pytest -q -m "not (slow or render or kills or fuzz or notebook)"

## lint: ruff (lint and format) and mypy, as CI runs them
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks notebooks
	$(BIN)/mypy

## fuzz: the property-based tests with 20x the cases (HYPOTHESIS_PROFILE=fuzz, ~24,000), 200 kills of a running
## ingest+build and 200 of a run publishing an output folder (HUKOU_KILLS); under 30 minutes on 2 cores
FUZZ_TESTS := tests/test_fuzz.py tests/test_failure_safety.py \
	tests/test_hostile.py::test_killed_publishing_at_random_moments_leaves_a_whole_folder_and_no_leftovers
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz HUKOU_KILLS=$(or $(KILLS),200) $(BIN)/python -m pytest $(FUZZ_TESTS) -q -p no:cacheprovider --hypothesis-show-statistics

clean:
	rm -rf data/processed out .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) src/*.egg-info

## targets: the CI gate on target attainment (exit 1 when a target is really missed: a correct outcome);
## writes out/targets/junit.xml and targets.json. Not part of `make test`.
.PHONY: targets evaluate
targets: $(DATABASE)
	$(BIN)/hukou-stats targets check --junit out/targets/junit.xml --json out/targets/targets.json $(if $(RELEASE),--release $(RELEASE))

## evaluate: mid-term (2018) and final (2020) evaluation reports for REGION
evaluate: $(DATABASE)
	$(BIN)/hukou-stats evaluate --region $(REGION) --as-of 2018
	$(BIN)/hukou-stats evaluate --region $(REGION) --as-of 2020

## bench: microdata aggregation at 1M, 10M, 100M SYNTHETIC persons (cached in bench/data/, ~2.5 GB);
## DuckDB vs the bare DuckDB floor, Polars (streaming) and pandas; writes bench/results.json.
## Smaller run: make bench BENCH_SIZES="1000000 10000000"
BENCH_SIZES ?= 1000000 10000000 100000000
bench: $(STAMP)
	nice $(BIN)/python benchmarks/bench.py --sizes $(BENCH_SIZES)
