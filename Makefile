# hukou-stats: every target sets itself up from nothing (a virtual environment in .venv).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
REGION ?= 440100
YEAR   ?=

.PHONY: setup bulletin test check lint clean ingest build bench fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

ingest: $(STAMP)
	$(BIN)/hukou-stats ingest

build: ingest
	$(BIN)/hukou-stats build

## bulletin: the main job on the bundled real data (default Guangzhou, latest year with both rates), every format
## (xlsx, html, md, csv + datapackage.json, charts); optional BULLETIN_LANG=zh|en|both, FORMATS=xlsx,html,md,csv
bulletin: build
	$(BIN)/hukou-stats bulletin --region $(REGION) $(if $(YEAR),--year $(YEAR)) $(if $(BULLETIN_LANG),--lang $(BULLETIN_LANG)) $(if $(FORMATS),--formats $(FORMATS)) $(if $(RELEASE),--release $(RELEASE))

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

## fuzz: the property-based tests with 20x the cases (HYPOTHESIS_PROFILE=fuzz, ~24,000) and 200 kills of a running
## ingest+build (HUKOU_KILLS); about 15-30 minutes
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz HUKOU_KILLS=$(or $(KILLS),200) $(BIN)/python -m pytest tests/test_fuzz.py tests/test_failure_safety.py -q -p no:cacheprovider --hypothesis-show-statistics

clean:
	rm -rf data/processed out .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) src/*.egg-info

## targets: the CI gate on target attainment (exit 1 when a target is really missed: a correct outcome);
## writes out/targets/junit.xml and targets.json. Not part of `make test`.
.PHONY: targets evaluate
targets: build
	$(BIN)/hukou-stats targets check --junit out/targets/junit.xml --json out/targets/targets.json $(if $(RELEASE),--release $(RELEASE))

## evaluate: mid-term (2018) and final (2020) evaluation reports for REGION
evaluate: build
	$(BIN)/hukou-stats evaluate --region $(REGION) --as-of 2018
	$(BIN)/hukou-stats evaluate --region $(REGION) --as-of 2020

## bench: microdata aggregation at 1M, 10M, 100M SYNTHETIC persons (cached in bench/data/, ~2.5 GB);
## DuckDB vs the bare DuckDB floor, Polars (streaming) and pandas; writes bench/results.json.
## Smaller run: make bench BENCH_SIZES="1000000 10000000"
BENCH_SIZES ?= 1000000 10000000 100000000
bench: $(STAMP)
	nice $(BIN)/python benchmarks/bench.py --sizes $(BENCH_SIZES)

## bench-census: reading, validating and building the bundled data with every county of the 2020 census, the
## time of each stage (registry, grid, layout, rows, schemas, checks, ingest, build); writes bench/census_county.json
.PHONY: bench-census
bench-census: $(STAMP)
	$(BIN)/python benchmarks/census_county.py
