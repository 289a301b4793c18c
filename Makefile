# Two commands for a newcomer: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home

.PHONY: install run test lint format ui demo bench clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m tools.demo.ensure
	$(PY) -m pipelines run

test: $(STAMP)
	$(PY) -m ruff check pipelines tools tests
	$(PY) -m pipelines parse
	$(PY) -m pytest -q

# Python: ruff lint + format; SQL: sqlfluff with the dbt templater (.sqlfluff), which
# compiles the models without touching the warehouse. `make format` applies both fixers.
LINT_ENV := WARMHEART_WAREHOUSE=:memory:
lint: $(STAMP)
	$(PY) -m ruff check pipelines tools tests
	$(PY) -m ruff format --check pipelines tools tests
	$(LINT_ENV) $(VENV)/bin/sqlfluff lint dbt_project

format: $(STAMP)
	$(PY) -m ruff check --fix pipelines tools tests
	$(PY) -m ruff format pipelines tools tests
	$(LINT_ENV) $(VENV)/bin/sqlfluff fix dbt_project

# `dagster dev`: webserver and daemon (the schedule and the upload sensor fire). UI_PORT=3001 make ui
UI_PORT ?= 3000
ui: $(STAMP)
	$(PY) -m pipelines ui --port $(UI_PORT)

demo: $(STAMP)
	$(PY) -m tools.demo --out data/raw --seed 7 --persons-per-city 200

bench: $(STAMP)
	$(PY) -m tools.bench

clean:
	rm -rf data/warehouse.duckdb* data/marts/* data/dagster_home/* dbt_project/target
