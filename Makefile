# Two commands for a newcomer: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home

.PHONY: install install-spark run test test-e2e test-all test-spark lint format ui demo bench clean

# pip's own notices go to data/logs/install.log: a newcomer's terminal shows one line.
$(STAMP): pyproject.toml requirements.lock
	@echo "安装依赖 installing dependencies into $(VENV)/ (first run only, about a minute; log: data/logs/install.log)"
	@mkdir -p data/logs
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip >> data/logs/install.log 2>&1 || (tail -20 data/logs/install.log; exit 1)
	@$(PY) -m pip install --quiet -r requirements.lock >> data/logs/install.log 2>&1 || (tail -20 data/logs/install.log; exit 1)
	@$(PY) -m pip install --quiet --no-deps -e . >> data/logs/install.log 2>&1 || (tail -20 data/logs/install.log; exit 1)
	@touch $(STAMP)

install: $(STAMP)

# The dbt models on Spark (WARMHEART_ENGINE=spark make run, make test-spark): pyspark, about
# 500 MB and a Java runtime (17 or later), kept out of the default install.
SPARK_STAMP := $(VENV)/.installed-spark
$(SPARK_STAMP): $(STAMP) requirements-spark.lock
	@echo "安装 Spark installing dbt-spark and pyspark into $(VENV)/ (about 500 MB; log: data/logs/install.log)"
	@command -v java >/dev/null || (echo "Spark needs a Java runtime (17 or later): apt-get install openjdk-17-jre-headless"; exit 1)
	@$(PY) -m pip install --quiet -r requirements-spark.lock >> data/logs/install.log 2>&1 || (tail -20 data/logs/install.log; exit 1)
	@touch $(SPARK_STAMP)

install-spark: $(SPARK_STAMP)

# VERBOSE=1 make run shows Dagster's event stream instead of the progress display.
run: $(STAMP) $(if $(filter spark,$(WARMHEART_ENGINE)),$(SPARK_STAMP))
	@$(PY) -m tools.demo.ensure
	@$(PY) -m pipelines run $(if $(VERBOSE),--verbose)

# Two tiers on two workers (pytest-xdist; a test module stays on one worker, so its
# warehouse fixture is built once, except the modules tests/conftest.py spreads; the shared
# demo run is built once per session):
#   make test      every test but the end-to-end ones: the developer's loop, under 3 minutes;
#   make test-e2e  the end-to-end tests (marked `slow`): whole pipeline runs, faults, corpus;
#   make test-all  both tiers in one session: what CI runs (.ci/run).
PYTEST := $(PY) -m pytest -q -n 2 --dist loadgroup

test: $(STAMP)
	$(PY) -m ruff check pipelines tools tests
	$(PY) -m pipelines parse
	$(PYTEST) -m "not slow"

test-e2e: $(STAMP)
	$(PY) -m pipelines parse
	$(PYTEST) -m slow

test-all: $(STAMP)
	$(PY) -m ruff check pipelines tools tests
	$(PY) -m pipelines parse
	$(PYTEST)

# The engine-equivalence test (tests/spark): the demo campaign's models built on a local
# Spark must give every published mart row for row as DuckDB (several minutes).
test-spark: $(SPARK_STAMP)
	$(PY) -m pipelines parse
	$(PY) -m pytest -q -s -m spark tests/spark

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
