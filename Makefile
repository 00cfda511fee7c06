PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test install migrate demo lint schema bench clean

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

bench: install
	$(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check api schema tests

schema: install
	$(BIN)/gongkai print-schema > clients/schema.graphql

clean:
	rm -rf $(VENV) var
