# mmm-agent: two commands from a fresh clone — `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
# Python 3.12: $PYTHON if given, else pyenv's newest 3.12 (where these machines keep it), else python3.12 on PATH.
PYTHON ?= $(shell { ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.12.*/bin/python3.12 2>/dev/null | sort -V | tail -1; command -v python3.12; } | head -1)
PY := $(VENV)/bin/python
export PYTHONHASHSEED ?= 0

.PHONY: help install dev demo test test-slow bench ui chat clean

help:
	@echo "make demo      set up .venv and run the whole path on bundled data, offline"
	@echo "make test      set up .venv with dev extras and run the fast test suite"
	@echo "make test-slow run the slow statistical tests (-m slow)"
	@echo "make bench     run the benchmarks in bench/"
	@echo "make ui        start the chat UI on localhost"

$(VENV)/.runtime: pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: install it (pyenv install 3.12) or pass PYTHON=/path/to/python3.12"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

install: $(VENV)/.runtime

dev: $(VENV)/.dev

demo: $(VENV)/.runtime
	$(VENV)/bin/mmm-agent demo

test: $(VENV)/.dev
	$(PY) -m pytest

test-slow: $(VENV)/.dev
	$(PY) -m pytest -m slow

bench: $(VENV)/.dev
	$(PY) bench/ingest.py
	$(PY) bench/fit_speed.py --preset national_small
	$(PY) bench/fit_speed.py --preset geo_medium --warmup 250 --draws 250 --skip-pymc-default --pymc-shared-shapes
	$(PY) bench/fit_speed.py --preset enterprise --quick-only
	$(PY) bench/optimizer.py
	$(PY) bench/ask_latency.py

ui: $(VENV)/.runtime
	$(VENV)/bin/mmm-agent ui

clean:
	rm -rf $(VENV) mmm_store .pytest_cache
