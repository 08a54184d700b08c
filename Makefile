# Everything runs from a virtual environment in .venv, made from python3.11 on first use.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export SLA_LEDGER_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test lint stubs check-stubs proto-check bench bench-quick clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: install and start the server on the embedded default (a SQLite file here)
run: $(STAMP)
	$(BIN)/sla-ledger serve

## test: install and run the whole test suite (PostgreSQL tests use SLA_LEDGER_TEST_POSTGRES_URL)
test: $(STAMP)
	$(BIN)/python -m pytest

## lint: ruff and mypy
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain projections service tools tests bench

## stubs: regenerate service/generated from proto/
stubs: $(STAMP)
	$(BIN)/python tools/generate_stubs.py

## check-stubs: fail when service/generated is stale
check-stubs: $(STAMP)
	$(BIN)/python tools/generate_stubs.py --check

## proto-check: buf lint and format
proto-check: $(STAMP)
	$(BIN)/buf lint
	$(BIN)/buf format --diff --exit-code

## bench: every benchmark at full size (minutes; figures go in BENCHMARKS.md)
bench: $(STAMP)
	for name in ingest compliance rebuild subscribe; do $(BIN)/python -m bench.$$name || exit 1; done

## bench-quick: every benchmark at a tiny size, only to check the harness works (run by CI)
bench-quick: $(STAMP)
	for name in ingest compliance rebuild subscribe; do $(BIN)/python -m bench.$$name --quick || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
