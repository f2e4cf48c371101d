# Every target creates the virtualenv on first use, so `make run` and `make test` are the only set-up.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run test browser test-unit lint format typecheck protos protos-check migrate bench bench-smoke clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv failed; installing Debian's python3-venv"; \
	  apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,embedded]'
	@touch $(STAMP)

run: $(STAMP) ## run the whole stack in the foreground (embedded PostgreSQL and file broker unless configured)
	$(PY) -m services.stack

test: $(STAMP) browser ## run the whole test suite against the machine's PostgreSQL and RabbitMQ
	$(PY) -m pytest $(PYTEST_ARGS)

browser: ## install Debian's Chromium for the browser tests when it is missing
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test-unit: $(STAMP) ## unit tests only (no sockets)
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

lint: $(STAMP) ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP) ## apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: $(STAMP) ## mypy
	$(VENV)/bin/mypy gateway services

protos: $(STAMP) ## regenerate the gRPC code in protos/ from the .proto files
	$(PY) protos/generate.py

protos-check: $(STAMP) ## fail when the committed generated code differs from the .proto files
	$(PY) protos/generate.py --check

migrate: $(STAMP) ## apply the SQL migrations to DATABASE_URL
	$(PY) -m services.shared.migrations

BENCH_RESULTS ?= .bench/results.json

bench: $(STAMP) ## run the benchmarks: figures beside their floors, as a table and in .bench/results.json (needs wrk)
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	BENCH_RESULTS=$(BENCH_RESULTS) $(PY) -m pytest tests/benchmarks -m benchmark -s $(PYTEST_ARGS)

bench-smoke: $(STAMP) ## every benchmark at a tiny size (for CI: proves they run; the figures mean nothing)
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	BENCH_SMOKE=1 BENCH_RESULTS=.bench/smoke.json $(PY) -m pytest tests/benchmarks -m benchmark -s -q $(PYTEST_ARGS)

clean: ## remove the virtualenv and local run data
	rm -rf $(VENV) .run
