# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export CFIT_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test static pytest-sqlite pytest-postgres postgres-ready test-sqlite test-postgres lint install lock messages clean

## Installs exactly the locked versions, checked against their hashes (see "Dependencies" in README.md).
$(STAMP): pyproject.toml requirements-dev.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## Serve http://127.0.0.1:8000 with the framework and demo accounts, on SQLite.
demo: $(STAMP)
	$(BIN)/cfit migrate --no-input -v 0
	$(BIN)/cfit demo
	$(BIN)/cfit runserver 127.0.0.1:8000

#: Coverage is measured on the SQLite run only: tracing every line of cfit/ (coverage's C tracer, the one
#: Python 3.11 has) doubles the CPU time of the tests it measures (measured on the walkthrough and API
#: tests: 11.8 s without, 23.5 s with), and the two runs share the machine's cores. The PostgreSQL run adds
#: few lines of its own (row locks, full-text search). `make test COVERAGE=` skips it on both.
COVERAGE ?= --cov --cov-report=

## The whole suite: lint and type checks once, then the tests on SQLite and, when a PostgreSQL answers at
## PG_URL, on PostgreSQL at the same time (two processes: the suite's wall time is that of the slower one).
## POSTGRES=yes makes PostgreSQL required (CI), POSTGRES=no skips it.
POSTGRES ?= auto
PG_URL ?= postgres://postgres@127.0.0.1:5432/cfit
PYTEST_PARALLEL = -p no:cacheprovider $(PYTEST_ARGS)
test: static
	@rm -f .coverage .coverage.sqlite .coverage.postgres
	@if [ "$(POSTGRES)" != no ] && $(MAKE) --no-print-directory postgres-ready; then \
		echo "tests on SQLite and on PostgreSQL ($(PG_URL)) at the same time; each prints when it ends"; \
		$(MAKE) --no-print-directory -j2 --output-sync=target pytest-sqlite pytest-postgres; \
	elif [ "$(POSTGRES)" = yes ]; then \
		echo "PostgreSQL is required (POSTGRES=yes) but does not answer at $(PG_URL)"; exit 1; \
	else \
		echo "no PostgreSQL at $(PG_URL): tests on SQLite only"; \
		$(MAKE) --no-print-directory pytest-sqlite; \
	fi
	@test -z "$(COVERAGE)" || { $(BIN)/coverage combine -q; \
		echo "coverage of cfit/ by the tests on SQLite: $$($(BIN)/coverage report --format=total) %"; }

static: $(STAMP)
	$(BIN)/ruff check cfit tests
	$(BIN)/ruff format --check cfit tests
	$(BIN)/mypy
	PYTHONWARNINGS=error $(BIN)/cfit makemigrations --check --dry-run -v 0

# Each run has its own data folder and coverage file, so that the two never write the same file.
pytest-sqlite: $(STAMP)
	env -u DATABASE_URL CFIT_DATA_DIR=$(CURDIR)/var/test-sqlite COVERAGE_FILE=.coverage.sqlite \
		$(BIN)/pytest $(COVERAGE) $(PYTEST_PARALLEL)

pytest-postgres: $(STAMP)
	DATABASE_URL=$(PG_URL) CFIT_DATA_DIR=$(CURDIR)/var/test-postgres \
		$(BIN)/pytest $(PYTEST_PARALLEL)

postgres-ready:
	@command -v psql >/dev/null 2>&1 || exit 1
	@psql "$(PG_URL)" -c "select 1" >/dev/null 2>&1 || createdb --maintenance-db="$(dir $(PG_URL))postgres" "$(notdir $(PG_URL))" >/dev/null 2>&1

test-sqlite:
	$(MAKE) test POSTGRES=no

test-postgres: static
	$(MAKE) postgres-ready
	$(MAKE) pytest-postgres

## Refresh the lock files after a change of the dependencies in pyproject.toml (newest versions allowed).
LOCK := $(BIN)/pip-compile --quiet --allow-unsafe --generate-hashes --strip-extras --no-emit-find-links --no-emit-index-url
lock:
	$(LOCK) --output-file requirements.lock pyproject.toml
	$(LOCK) --extra dev --output-file requirements-dev.lock pyproject.toml

lint: $(STAMP)
	$(BIN)/ruff check cfit tests && $(BIN)/ruff format --check cfit tests

## Refresh the UI translations (needs GNU gettext): extract, then compile.
messages: $(STAMP)
	cd cfit && ../$(BIN)/cfit makemessages -l nl -l fr -l de -l nb --no-obsolete --no-location
	cd cfit && ../$(BIN)/cfit compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache

## Regenerate the committed OpenAPI document after an API change (a test compares them).
openapi: $(STAMP)
	$(BIN)/cfit export_openapi_schema --api cfit.api.api --indent 2 --sorted --output docs/openapi.json
