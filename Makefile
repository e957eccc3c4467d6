# Two commands do everything on a fresh machine with Python 3.11+:
#   make report   build every HTML report into reports/ (the main job)
#   make test     run the whole test suite (lint, unit tests, doctests)
# Both create .venv and install cxstats into it first when needed.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help env browser report test lint data bench clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "cxstats needs Python 3.11 or newer on PATH (or PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

env: $(STAMP) ## create .venv and install cxstats with its dependencies

report: $(STAMP) ## build the HTML reports into reports/
	$(BIN)/cxstats report --out reports

test: $(STAMP) browser ## lint, then run every test and doctest (reports in Chromium, engines on Spark)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --dist loadgroup

browser: ## install Debian's chromium (browser test) and Java (Spark tests) when missing (needs root; else a message)
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing=" chromium"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's$$missing for the browser and Spark tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "note: the browser test needs Debian's chromium and the Spark tests its default-jre-headless;" \
	      "run 'sudo apt-get install$$missing' (those tests are skipped until then)"; \
	  fi; \
	fi

lint: $(STAMP) ## ruff only
	$(BIN)/ruff check .

data: $(STAMP) ## rebuild data/processed from data/raw
	$(BIN)/cxstats build-data

bench: $(STAMP) ## run the benchmarks (prints ratios against peers)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean: ## remove the environment and built reports
	rm -rf $(VENV) reports
