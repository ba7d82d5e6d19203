"""Deterministic core of mmm-agent: store, MFF ingest, specs and ledger, engine, effects, reports.

This package never imports an LLM library; everything here is usable alone from Python.

Import policy (written here once):

- Inside mmm_core, imports sit at the top of their module, heavy libraries included (pandas, DuckDB, SciPy,
  Plotly, and JAX/NumPyro inside the engine), so import order never changes behaviour and a module's
  dependencies can be read from its head.
- The CLI (``agent/cli``) imports mmm_core inside its command handlers, so ``mmm-agent --help`` loads no
  numerical library and a light command such as ``datasets`` loads only what it uses (pandas and DuckDB, not
  JAX). That is the CLI's convention and is not marked line by line.
- Any other import inside a function carries ``# lazy: <reason>`` on its line (or in a comment just above a
  group of them). The reasons are of two kinds: an optional dependency (pymc-marketing, the ``pymc`` extra, so
  ``engine/pymc_engine.py`` imports without it), or a library slow to import (JAX, ArviZ, scipy.stats; about
  1 s each) that a module needs on one path while commands answering from a stored fit import the module for
  another.
"""

__version__ = "0.1.0"
