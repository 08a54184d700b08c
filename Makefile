# Everything runs from a virtual environment in .venv, made from python3.11 on first use.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime
export SLA_LEDGER_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Benchmarks use their own variable when set, the tests' server otherwise.
export SLA_LEDGER_BENCH_POSTGRES_URL ?= $(SLA_LEDGER_TEST_POSTGRES_URL)
# Python keeps compiled modules (__pycache__, ignored by git) even where the environment says
# not to: the tests and benchmarks start several hundred servers, and each would otherwise
# compile the project from source again (about 0.4 s of CPU a process here).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test lint stubs check-stubs proto-check bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The service and what it needs to run, nothing else.
# The client package (clients/python) is installed beside the project, which depends on it.
$(RUNTIME_STAMP): pyproject.toml clients/python/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ./clients/python -e .
	touch $(RUNTIME_STAMP)

# The service with the dev tools (pytest, ruff, mypy, buf, grpcio-tools, ...); includes the runtime.
$(STAMP): pyproject.toml clients/python/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ./clients/python -e '.[dev]'
	touch $(STAMP) $(RUNTIME_STAMP)

## run: install the service (runtime dependencies only) and start it on the embedded default
## (a SQLite file here)
run: $(RUNTIME_STAMP)
	$(BIN)/sla-ledger serve

## test: install and run the whole test suite (PostgreSQL tests use SLA_LEDGER_TEST_POSTGRES_URL),
## spread over one worker process a core (TEST_WORKERS=0 runs it in this process)
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

## lint: ruff and mypy
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain projections service reports portal interchange tools tests bench clients/python/src clients/python/tests

## stubs: regenerate service/generated and the client's stubs from proto/
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
