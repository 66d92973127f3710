# The two quick-start commands: `make run` and `make test` each set up from nothing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint setup bench clean-out

$(BIN)/scrape: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dask]'
	touch $@

setup: $(BIN)/scrape

# Clean the bundled dumps and HTML pages into out/articles.jsonl (offline).
run: setup
	$(BIN)/scrape clean fixtures/dumps fixtures/html -o out/articles.jsonl

# Lint and types first: ruff (with the complexity limit) and mypy --strict must find nothing.
lint: setup
	$(BIN)/ruff check scrape tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/pip install -q -e '.[test,dask,bench]'
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/speed.py
