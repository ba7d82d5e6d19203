"""Shared fixtures for the agent tests: a store with the bundled demo data, a locked spec and a fit.

The fit is a real quick fit of the bundled demo data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data" / "demo_national.csv"


@dataclass
class Fitted:
    store: Any
    dataset_id: str
    spec_id: str
    fit_id: str


def make_store(tmp: Path):
    from mmm_core.data.ingest import ingest
    from mmm_core.store import Store

    store = Store(tmp / "mmm.duckdb")
    loaded = ingest(store, DATA, name="demo_national")
    return store, loaded.dataset_id


def fitted_store(tmp: Path) -> Fitted:
    """A real quick fit of the demo data (a broken engine fails these tests instead of being papered over)."""
    from mmm_core import ledger
    from mmm_core.fit.job import run_fit
    from mmm_core.spec import init_spec

    store, ds = make_store(tmp)
    locked = ledger.lock(store, init_spec(store, ds), "Agent tests: default spec, locked before fitting.")
    fit = run_fit(store, locked.spec_id, quick=True)
    return Fitted(store, ds, locked.spec_id, fit["fit_id"])
