# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export CFIT_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test test-sqlite test-postgres lint install lock messages clean

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

#: Measuring coverage costs about a fifth more test time: `make test COVERAGE=` skips it.
COVERAGE ?= --cov --cov-report=

## The whole suite: lint, then the tests on SQLite (and on PostgreSQL when DATABASE_URL is set).
test: $(STAMP)
	$(BIN)/ruff check cfit tests
	$(BIN)/ruff format --check cfit tests
	$(BIN)/mypy
	PYTHONWARNINGS=error $(BIN)/cfit makemigrations --check --dry-run -v 0
	$(BIN)/pytest $(COVERAGE) $(PYTEST_ARGS)
	@test -z "$(COVERAGE)" || echo "coverage of cfit/ by the tests: $$($(BIN)/coverage report --format=total) %"

test-sqlite:
	env -u DATABASE_URL $(MAKE) test

PG_URL ?= postgres://postgres@127.0.0.1:5432/cfit
test-postgres:
	psql "$(PG_URL)" -c "select 1" >/dev/null 2>&1 || createdb --maintenance-db="$(dir $(PG_URL))postgres" "$(notdir $(PG_URL))"
	DATABASE_URL=$(PG_URL) $(MAKE) test

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
