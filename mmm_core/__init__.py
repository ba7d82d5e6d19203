"""Deterministic core of mmm-agent: store, MFF ingest, specs and ledger, engine, effects, reports.

This package never imports an LLM library; everything here is usable alone from Python.
"""

__version__ = "0.1.0"
