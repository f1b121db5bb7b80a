# browserflow — the commands a user runs. `make demo` and `make test` work from a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup demo up down test lint typecheck bench conformance clean

## setup: virtualenv + project + Chromium + system tools (idempotent)
setup: $(STAMP)
	@$(BIN)/python -m browserflow.browser.chromium --ensure >/dev/null && echo "browserflow: chromium $$($(BIN)/python -m browserflow.browser.chromium)"
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

## demo: start the stack, run the demo task with live progress, stop what it started
demo: setup
	$(BIN)/browserflow demo

## up / down: the local stack for interactive use (Web UI on http://localhost:8233, review console on
## http://127.0.0.1:8234, its token in .data/console.token unless BROWSERFLOW_CONSOLE_TOKEN is set)
up: setup
	$(BIN)/browserflow up

down:
	@test -x $(BIN)/browserflow && $(BIN)/browserflow down || true

## test: the whole suite against real Temporal, Chromium, SQLite and PostgreSQL, then lint
test: setup
	$(BIN)/pytest
	$(BIN)/ruff check .
	$(BIN)/mypy browserflow workflows activities client worker.py demo bench tests
	$(BIN)/lint-imports

## lint: ruff, mypy and the import-layer contracts of pyproject.toml ([tool.importlinter])
lint:
	$(BIN)/ruff check .
	$(BIN)/mypy browserflow workflows activities client worker.py demo bench tests
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy browserflow workflows activities client worker.py demo bench tests

## bench: benchmarks printing ratios against plain Playwright measured in the same run
bench: setup
	$(BIN)/python -m bench.spine

## conformance: MiniWoB++ and the app suite measured through the real engine
conformance: setup
	$(BIN)/python -m bench.miniwob
	$(BIN)/python -m bench.apps

clean: down
	rm -rf .data .pytest_cache .mypy_cache .ruff_cache
