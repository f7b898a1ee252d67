# Meterline: two commands do everything on a fresh machine.
#   make demo   set up, generate sample events, build, print invoices and where to go next
#   make test   set up, then run every test (dbt build + unit tests, sqlfluff, pytest)
# Then: make query SQL="select ...", make docs, make dagster.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt

# Billing date of the demo: pinned so the demo always shows the same final and open invoices.
DEMO_AS_OF ?= 2026-11-25
DEMO_LANDING ?= data/landing
export METERLINE_DUCKDB_PATH ?= warehouse/meterline.duckdb

# The fixture scenario `make test` builds: small, hand-checked.
FIXTURE_LANDING := tests/fixtures/landing
FIXTURE_AS_OF := 2026-11-25
FIXTURE_DB := warehouse/test.duckdb

# `make dagster`: the Dagster UI and daemon, local only. Instance state lives in .dagster_home/.
DAGSTER_PORT ?= 3000
# `make docs`: dbt docs (with the finance overview), local only.
DOCS_PORT ?= 8080

.PHONY: help setup setup-spark demo query docs test dbt-test lint pytest clean dagster

help:
	@echo "make demo   - set up, generate sample events, build everything, print a summary"
	@echo "make query SQL=\"select ...\" - run one read-only query on the warehouse (no SQL: billed totals)"
	@echo "make docs   - generate dbt docs (finance overview, every mart and column) and serve them on http://127.0.0.1:$(DOCS_PORT)"
	@echo "make test   - set up and run every test (what CI runs)"
	@echo "make clean  - remove build output and the local warehouse"
	@echo "make test-spark - the fixture on DuckDB and on Spark compared, then incremental runs and the bench floor on Spark (Java 17, ~15 min)"
	@echo "make dagster - start the Dagster UI on http://127.0.0.1:$(DAGSTER_PORT) (schedule and sensor stopped unless METERLINE_AUTOMATION=on)"
	@echo "make statements - usage statements (HTML and PDF per invoice) of the warehouse into exports/statements/"
	@echo "make screenshots - Dagster UI screenshots for the README (needs chromium and make demo)"
	@echo "make bench SIZE=small|medium|large|xl [TARGET=duckdb|spark] [BENCH_ARGS=...] - benchmark against plain SQL"
	@echo "make metrics [METRICS_ARGS=...] - revenue by plan and month (MetricFlow, per currency)"
	@echo "make simulate NAME=<name> [AS_OF=YYYY-MM-DD] - rate all history under the candidate prices in simulations/<name>/, print the revenue change"

# uv is the only thing installed outside the project's virtualenv (with pip, if missing).
$(VENV)/.installed: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 \
		|| $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --inexact
	@touch $@

# The Spark engine (dbt-spark + PySpark) is an optional extra: only tests and Spark runs need it.
$(VENV)/.installed-spark: $(VENV)/.installed
	$(UV) sync --frozen --inexact --extra spark
	@touch $@

profiles.yml:
	cp profiles.yml.example profiles.yml

setup: $(VENV)/.installed profiles.yml
	@mkdir -p warehouse/tmp

setup-spark: setup $(VENV)/.installed-spark

# Three steps, each announced; dbt prints a line per seed, model and test as it goes (about a
# minute and a half on two cores). The report ends with as_of, where the marts are and the next
# commands.
demo: setup
	rm -f $(METERLINE_DUCKDB_PATH) $(METERLINE_DUCKDB_PATH).wal
	@echo "==> [1/3] sample events for $(DEMO_AS_OF) into $(DEMO_LANDING)/"
	$(BIN)/python -m orchestration.sample --out $(DEMO_LANDING) --as-of $(DEMO_AS_OF)
	@echo "==> [2/3] dbt build into $(METERLINE_DUCKDB_PATH) (a line per seed, model and test)"
	$(DBT) build --vars '{landing_dir: "$(DEMO_LANDING)", as_of: "$(DEMO_AS_OF)"}' --selector daily
	@echo "==> [3/3] report (marts and audit tables only)"
	@$(BIN)/python -m orchestration.report --database $(METERLINE_DUCKDB_PATH) --as-of $(DEMO_AS_OF) --next-steps

# One read-only query on the warehouse, printed as a table: make query SQL="select ...".
# SQL reaches the recipe as an environment variable, so quotes in it need no escaping.
query: setup
	@$(BIN)/python -m orchestration.query --database $(METERLINE_DUCKDB_PATH) "$$SQL"

# dbt docs: the overview page for finance (models/overview.md), every mart, column and test,
# the lineage graph and the exposures. The catalog (column types, row counts) comes from the
# warehouse when it is built; without one the docs are generated with an empty catalog. The
# server only serves files: it holds no lock on the warehouse.
docs: setup
	@echo "==> dbt docs generate (about a minute): manifest and catalog into target/"
	@if [ -f $(METERLINE_DUCKDB_PATH) ]; then \
		$(DBT) docs generate --quiet; \
	else \
		echo "docs: no warehouse at $(METERLINE_DUCKDB_PATH) yet (make demo builds one): generating without its catalog"; \
		mkdir -p $(dir $(METERLINE_DUCKDB_PATH)) && $(DBT) docs generate --quiet --empty-catalog; \
	fi
	@echo "dbt docs on http://127.0.0.1:$(DOCS_PORT) (Ctrl-C stops it); the home page is the finance overview"
	$(DBT) docs serve --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

# The fixture build and the linters run side by side (each into its own log, printed when both
# are done: on two cores they overlap well), then every Python test.
CHECK_LOGS := warehouse/check-logs
test: setup-spark
	@mkdir -p $(CHECK_LOGS)
	@$(MAKE) --no-print-directory dbt-test > $(CHECK_LOGS)/dbt-test.log 2>&1 & dbt_pid=$$!; \
	$(MAKE) --no-print-directory lint > $(CHECK_LOGS)/lint.log 2>&1; lint_rc=$$?; \
	wait $$dbt_pid; dbt_rc=$$?; \
	cat $(CHECK_LOGS)/dbt-test.log $(CHECK_LOGS)/lint.log; \
	echo "dbt-test: exit $$dbt_rc; lint: exit $$lint_rc"; \
	test $$dbt_rc -eq 0 && test $$lint_rc -eq 0
	@$(MAKE) --no-print-directory pytest

# Its own target and log paths: sqlfluff's dbt templater compiles into target/ at the same time.
dbt-test: setup
	rm -f $(FIXTURE_DB) $(FIXTURE_DB).wal
	METERLINE_DUCKDB_PATH=$(FIXTURE_DB) $(DBT) build --target-path target/dbt-test --log-path logs/dbt-test \
		--vars '{landing_dir: "$(FIXTURE_LANDING)", as_of: "$(FIXTURE_AS_OF)"}'

lint: setup
	$(BIN)/sqlfluff lint models tests --disable-progress-bar --processes 2
	$(BIN)/ruff check orchestration bench tests

# Every Python test, the DuckDB/Spark parity test included, on two workers. The parity test, the
# longest file, goes first so that it does not run alone at the end.
PYTEST_FILES := tests/python/test_spark_parity.py \
	$(filter-out tests/python/test_spark_parity.py,$(sort $(wildcard tests/python/test_*.py)))
pytest: setup-spark
	METERLINE_TEST_SPARK=1 $(BIN)/pytest -n 2 --dist loadfile --durations=15 $(PYTEST_FILES)

clean:
	rm -rf target logs warehouse $(DEMO_LANDING) exports

# Benchmark against the bare-SQL floor (bench/README.md). SIZE: small, medium, large or xl;
# TARGET: duckdb or spark (the Spark floor and the dbt `spark` output; needs the spark extra);
# BENCH_ARGS is passed on to bench.run, e.g. BENCH_ARGS="--keep --threads 1".
SIZE ?= small
TARGET ?= duckdb
BENCH_ARGS ?=
.PHONY: bench
bench: $(if $(filter spark,$(TARGET)),setup-spark,setup)
	$(BIN)/python -m bench.run --size $(SIZE) --target $(TARGET) $(BENCH_ARGS)

# The launcher runs `dagster dev` in its own process group, prints the URL once the UI answers
# and stops the group on Ctrl-C/SIGTERM. Schedule and sensor start stopped unless
# METERLINE_AUTOMATION=on; state (runs, switches) in .dagster_home/.
dagster: setup
	DAGSTER_HOME="$(CURDIR)/.dagster_home" $(BIN)/python -m orchestration.dagster_launcher \
		--port $(DAGSTER_PORT)

# Usage statements of the warehouse (`make demo` first): an HTML page and a PDF per invoice, and
# index.html, into METERLINE_STATEMENTS_DIR (default exports/statements). PDFs need chromium;
# without it only the HTML files are written. The daily Dagster run writes them too.
.PHONY: statements
statements: setup
	$(BIN)/python -m orchestration.statements --database $(METERLINE_DUCKDB_PATH)

# The README's Dagster screenshots (docs/img/), in headless chromium, on the demo warehouse
# (`make demo` first): one daily run, then the UI through the launcher. Not part of `make test`.
.PHONY: screenshots
screenshots: setup
	$(BIN)/python -m orchestration.screenshots --out docs/img --as-of $(DEMO_AS_OF) \
		--landing-dir $(DEMO_LANDING)

# The same project on Apache Spark (dbt-spark session, local PySpark; needs Java 17): builds the
# fixture scenario on DuckDB and on Spark and compares every contract mart and audit table, then
# the incremental runs on Spark (daily runs against a full refresh, grown and changed files):
# about 15 minutes, so not part of `make test`.
.PHONY: test-spark
test-spark: setup-spark
	METERLINE_TEST_SPARK=1 $(BIN)/pytest tests/python/test_spark_parity.py
	METERLINE_TEST_SPARK=incremental $(BIN)/pytest -n 2 \
		tests/python/test_incremental_equivalence.py::test_spark_incremental_runs_equal_full_refresh \
		"tests/python/test_landing_hardening.py::test_growing_and_changed_files_never_stop_a_run[spark]" \
		tests/python/test_bench.py::test_spark_floor_gives_the_duckdb_floors_bill

# The semantic layer (MetricFlow, models/marts/_marts__semantic_models.yml) after a build: by
# default revenue by plan and month per currency, read from the BI copy. Another question:
# make metrics METRICS_ARGS="--metrics usage_quantity --group-by meter,metric_time__month";
# METRICS_ARGS=--list lists the metrics.
METRICS_ARGS ?= --metrics billed_revenue --group-by currency,metric_time__month,contract__plan_id
.PHONY: metrics
metrics: setup
	$(BIN)/python -m orchestration.metrics $(METRICS_ARGS)

# Price simulation (README "Price simulation"): the candidate seed files in simulations/$(NAME)/
# rate all history already in the warehouse into schema simulation_$(NAME); production tables
# are left as they are. AS_OF: the as_of of the production build (default: as the daily run's).
NAME ?=
AS_OF ?=
.PHONY: simulate
simulate: setup
	@test -n "$(NAME)" || { echo "make simulate NAME=<name>: the candidate is simulations/<name>/"; exit 2; }
	$(BIN)/python -m orchestration.simulate "$(NAME)" --database $(METERLINE_DUCKDB_PATH) $(if $(AS_OF),--as-of $(AS_OF))
