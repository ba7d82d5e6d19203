"""Shared fixtures: one quick fit of the bundled demo dataset per test session (a real fit, real store)."""

from __future__ import annotations

from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_national.csv"


@pytest.fixture(scope="session")
def demo_fit(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Store with data/demo_national.csv ingested, the default spec locked and a quick fit made."""
    from mmm_core import ledger
    from mmm_core.data.ingest import ingest
    from mmm_core.fit.job import run_fit
    from mmm_core.spec import init_spec
    from mmm_core.store import Store

    store = Store(tmp_path_factory.mktemp("demo_fit") / "mmm.duckdb")
    ds = ingest(store, DEMO, name="demo")
    locked = ledger.lock(store, init_spec(store, ds.dataset_id), "test session: default spec")
    fit = run_fit(store, locked.spec_id, quick=True, seed=0)
    return {"store": store, "dataset_id": ds.dataset_id, "spec_id": locked.spec_id, "fit_id": fit["fit_id"]}


@pytest.fixture
def store(tmp_path: Path):
    """An empty store in the test's own folder."""
    from mmm_core.store import Store

    return Store(tmp_path / "mmm.duckdb")


@pytest.fixture
def dataset(store) -> str:
    """A tiny dataset written straight into the store tables (see spec_support.make_dataset)."""
    from spec_support import make_dataset

    return make_dataset(store)
