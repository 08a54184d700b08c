# Everything runs from a virtual environment in .venv, made from python3.11 on first use.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export SLA_LEDGER_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Benchmarks use their own variable when set, the tests' server otherwise.
export SLA_LEDGER_BENCH_POSTGRES_URL ?= $(SLA_LEDGER_TEST_POSTGRES_URL)

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

## bench: every benchmark at full size, one after the other (minutes); writes BENCHMARKS.md
bench: $(STAMP)
	$(BIN)/python -m bench --write BENCHMARKS.md

## bench-quick: every benchmark at a tiny size, only to check the harness works (run by CI)
bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
