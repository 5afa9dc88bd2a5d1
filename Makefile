# Two commands for a new user: `make demo` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LINT_DIRS := $(wildcard server tests bench)

.PHONY: demo test lint serve-demo catalog-files readme-table bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (found " + sys.version.split()[0] + "); run make PYTHON=python3.11 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## demo: set up, then run the scripted walk-through against the embedded demo Sentry
demo: $(STAMP)
	$(BIN)/sentry-agent-mcp demo

## test: set up, lint, type-check and run the whole suite
test: lint
	$(BIN)/python -m pytest

## lint: ruff and mypy
lint: $(STAMP)
	$(BIN)/ruff check $(LINT_DIRS)
	$(BIN)/ruff format --check $(LINT_DIRS)
	$(BIN)/mypy

## serve-demo: the server over streamable HTTP on 127.0.0.1:8000 against the demo Sentry
serve-demo: $(STAMP)
	$(BIN)/sentry-agent-mcp serve --demo --transport streamable-http --host 127.0.0.1 --port 8000

## catalog-files: regenerate what is derived from the catalog: README.md's tool table and the
## precomputed tool entries (server/sentry_agent_mcp/tool_entries.json); tests fail when either is stale
catalog-files: $(STAMP)
	$(BIN)/sentry-agent-mcp tools --write-readme README.md --write-entries
readme-table: catalog-files

## bench: the performance suite, each figure against its baseline in the same run (bench/README.md);
## results in bench/results/*.json. The official server is installed with npm when Node is there.
OFFICIAL := bench/.cache/official/node_modules/@sentry/mcp-server/package.json
bench: $(STAMP)
	-test -f $(OFFICIAL) || npm install --silent --prefix bench/.cache/official @sentry/mcp-server@0.39.0
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/tools_list.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/workers.py
	$(BIN)/python bench/result_size.py
	$(BIN)/python bench/triage.py
	$(BIN)/python bench/latency.py

## bench-reliability: the full fault matrix, 10,000-call fuzz, 10,000-call soak and the red-team table of
## issue 10 (numbers in bench/README.md)
.PHONY: bench-reliability
bench-reliability: $(STAMP)
	$(BIN)/python bench/faults.py
	$(BIN)/python bench/fuzz.py
	$(BIN)/python bench/soak.py
	$(BIN)/python bench/soak.py --workers 2
	$(BIN)/python bench/soak.py --workers 2 --per-user
	$(BIN)/python bench/redteam.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
