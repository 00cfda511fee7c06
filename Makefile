PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test install migrate demo lint schema trusted-documents bench bench-county bench-subscriptions fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/gongkai migrate

demo: migrate
	$(BIN)/gongkai demo --if-empty

serve: demo
	$(BIN)/gongkai serve

test: install
	$(BIN)/python -m pytest

fuzz: install
	$(BIN)/python tests/fuzz/run.py

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/screening.py

# County scale (issue 12): Gongkai, a hand-written baseline and PostGraphile 4 over one generated
# PostgreSQL database (gongkai_bench_<N>, reused when it matches); see bench/RESULTS.md.
BENCH_DOCUMENTS ?= 100000
BENCH_ROUNDS ?= 3
BENCH_DURATION ?= 10
bench/postgraphile/node_modules/.installed: bench/postgraphile/package.json bench/postgraphile/package-lock.json
	cd bench/postgraphile && npm ci --no-audit --no-fund
	touch $@

bench-county: install bench/postgraphile/node_modules/.installed
	$(BIN)/python -m bench.county.run --documents $(BENCH_DOCUMENTS) --rounds $(BENCH_ROUNDS) --duration $(BENCH_DURATION)

# 300 idle kiosk subscriptions on one worker (PostgreSQL on 127.0.0.1, its own database): RSS, CPU, fan-out time.
bench-subscriptions: install
	$(BIN)/python -m bench.subscriptions

lint: install
	$(BIN)/ruff check api schema tests
	$(BIN)/ruff format --check api schema tests
	$(BIN)/mypy api schema

schema: install
	$(BIN)/gongkai print-schema > clients/schema.graphql

# The front ends' operation documents by hash (schema/trusted.py): run after changing clients/*/*.graphql.
trusted-documents: install
	$(BIN)/gongkai trusted-documents > clients/trusted-documents.json

clean:
	rm -rf $(VENV) var
