# The two quick-start commands: `make run` and `make test` each set up from nothing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint setup bench clean-out wheel-check

$(BIN)/scrape: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,postgres,dask]'
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

# What a user gets from `pip install scrape-articles`: the wheel built from this tree,
# installed with its dependencies from the registry into a venv of its own (outside the
# tree, so nothing is imported from the source), then `scrape --version` and the clean of a
# fixture run from there. .ci/run calls it after `make test`.
WHEEL_CHECK := build/wheel-check
wheel-check: setup
	rm -rf build  # setuptools builds in build/ too: no file of an earlier build gets into the wheel
	$(BIN)/pip wheel -q --no-deps -w $(WHEEL_CHECK)/dist .
	$(PY) -m venv $(WHEEL_CHECK)/venv
	$(WHEEL_CHECK)/venv/bin/pip install -q $(WHEEL_CHECK)/dist/scrape_articles-*.whl
	cd $(WHEEL_CHECK) && venv/bin/scrape --version
	cd $(WHEEL_CHECK) && venv/bin/python -c 'import scrape, sys; sys.exit(0 if "/venv/" in scrape.__file__ else "scrape imported from " + scrape.__file__)'
	cd $(WHEEL_CHECK) && venv/bin/scrape clean $(CURDIR)/fixtures/html/hotair_leaf_blower.html -o article.jsonl
	grep -q '"title":"' $(WHEEL_CHECK)/article.jsonl
