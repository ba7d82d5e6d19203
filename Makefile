# mmm-agent: two commands from a fresh clone — `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
# A second venv with the runtime install only (a built wheel, no dev extras): what a user's `pip install` gets.
RUNTIME_VENV := .venv-runtime
# The demo there runs without a network namespace where `unshare -n` works (root on Linux), proving it offline.
OFFLINE := $(shell unshare -n true 2>/dev/null && echo unshare -n)
DEMO_ARGS ?=
# Python 3.12: $PYTHON if given, else pyenv's newest 3.12 (where these machines keep it), else python3.12 on PATH.
PYTHON ?= $(shell { ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.12.*/bin/python3.12 2>/dev/null | sort -V | tail -1; command -v python3.12; } | head -1)
PY := $(VENV)/bin/python
export PYTHONHASHSEED ?= 0

.PHONY: help install dev demo demo-runtime test test-slow lint format lock bench ui chat clean

help:
	@echo "make demo         set up .venv and run the whole path on bundled data, offline"
	@echo "make test         set up .venv with dev extras, lint (ruff) and run the fast test suite"
	@echo "make test-slow    run the slow statistical tests (-m slow)"
	@echo "make lint         ruff check and ruff format --check"
	@echo "make format       ruff format and ruff check --fix"
	@echo "make demo-runtime the demo from a wheel in a clean runtime-only venv ($(RUNTIME_VENV)), offline"
	@echo "make lock         regenerate constraints.txt (the whole pinned tree) in a clean venv"
	@echo "make bench        run the benchmarks in bench/"
	@echo "make ui           start the chat UI on localhost"

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

# Fresh every time: a non-editable install of this tree into a new venv with nothing but the runtime
# dependencies, then in an empty temp folder (no repo files) the demo and one chat turn without network, and the
# chat UI started, fetched and stopped (.ci/ui_smoke.py; it needs the loopback network).
demo-runtime:
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: pass PYTHON=/path/to/python3.12"; exit 1; }
	rm -rf $(RUNTIME_VENV) build  # setuptools leaves deleted modules in build/ and would ship them
	$(PYTHON) -m venv $(RUNTIME_VENV)
	$(RUNTIME_VENV)/bin/python -m pip install -q --upgrade pip
	$(RUNTIME_VENV)/bin/python -m pip install -q -c constraints.txt .
	work=$$(mktemp -d) && cd $$work && $(OFFLINE) $(CURDIR)/$(RUNTIME_VENV)/bin/mmm-agent demo --workdir . $(DEMO_ARGS) \
	  && $(OFFLINE) $(CURDIR)/$(RUNTIME_VENV)/bin/mmm-agent --store mmm_store/mmm.duckdb ask "What is the ROI of Search?" \
	  && test -s report.html \
	  && $(CURDIR)/$(RUNTIME_VENV)/bin/python $(CURDIR)/.ci/ui_smoke.py mmm_store/mmm.duckdb \
	  && rm -rf $$work

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	$(PY) -m pytest

# One process per test file: dozens of full-draw fits in one process once ended in a segfault inside XLA's LLVM
# compile (each file passes on its own) — the process had run out of memory maps, which engine.executables'
# kernel budget now prevents; a fresh JAX/XLA per file is kept anyway (one file's state cannot reach another). Exception, SLOW_TOGETHER: files that
# reuse each other's fits (a per-process cache in the first file) share one process, a handful of fits in all.
# Each process prints its wall time. Exit code 5 = no slow test in that file.
# Empty for now: grouped, test_experiments_suggest's seed-0 refit failed in numpyro's NUTS (max_treedepth unset) after
# the calibration fits in the same process; candidates once that is fixed: the two experiments files, the two
# mediation files.
SLOW_TOGETHER :=
test-slow: $(VENV)/.dev
	@fail=0; runs="$(SLOW_TOGETHER)"; together=" $${runs//,/ } "; \
	for f in $$(grep -l "mark.slow" tests/test_*.py); do \
	  case "$$together" in *" $$f "*) ;; *) runs="$$runs $$f";; esac; \
	done; \
	for run in $$runs; do \
	  files=$${run//,/ }; start=$$(date +%s); echo "== $$files"; $(PY) -m pytest -m slow -q $$files; rc=$$?; \
	  echo "== $$files took $$(( $$(date +%s) - start )) s"; \
	  if [ $$rc -ne 0 ] && [ $$rc -ne 5 ]; then fail=1; echo "!! $$files failed ($$rc)"; fi; \
	done; exit $$fail

# pyproject pins the direct dependencies; this resolves them (runtime + dev) in a clean venv and writes every
# installed version. The current constraints.txt is the starting point, so versions move only where a pin changed
# or a package was added or dropped; `make lock LOCK_FROM=` resolves from scratch (newest allowed versions).
LOCK_FROM ?= constraints.txt
lock:
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: pass PYTHON=/path/to/python3.12"; exit 1; }
	rm -rf .venv-lock build
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install -q --upgrade pip
	.venv-lock/bin/python -m pip install -q $(if $(LOCK_FROM),-c $(LOCK_FROM)) '.[dev]'
	{ echo '# Every installed package of mmm-agent[dev], pinned. Generated by `make lock`; do not edit.'; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable | grep -v -i '^mmm[-_]agent'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .venv-lock build

bench: $(VENV)/.dev
	$(PY) bench/ingest.py
	$(PY) bench/fit_speed.py --preset national_small
	$(PY) bench/fit_speed.py --preset geo_medium --skip-pymc-default --skip-pymc-numpyro-default --baseline labs:nutpie
	$(PY) bench/fit_speed.py --preset medium_business --skip-pymc-default --baseline labs:nutpie
	$(PY) bench/srmse.py
	$(PY) bench/srmse.py --source labs
	$(PY) bench/fit_speed.py --preset enterprise --quick-only
	$(PY) bench/enterprise.py
	$(PY) bench/optimizer.py
	$(PY) bench/decision_quality.py
	$(PY) bench/ask_latency.py
	$(PY) bench/questions.py
	$(PY) bench/calibration.py

ui: $(VENV)/.runtime
	$(VENV)/bin/mmm-agent ui

clean:
	rm -rf $(VENV) $(RUNTIME_VENV) .venv-lock build mmm_store .pytest_cache
