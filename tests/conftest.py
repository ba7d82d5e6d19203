"""Shared fixtures: one quick fit of the bundled demo dataset per test session (a real fit, real store), the
engine set-up for the session, and a guard that fails any test leaving JAX's global state changed.

Why the guard: a test that flips a process-wide JAX option (``jax_enable_x64``, ...) or XLA_FLAGS changes the
numbers of every NumPyro fit after it, so statistical tests would pass or fail by test order. It restores
the state (later tests stay unaffected) and reports the test that changed it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mmm_core.engine.setup import setup

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_national.csv"
# Before any test module is imported (JAX must not have started): host devices and cache from the environment.
ENGINE = setup()
# Variables the engine or JAX read (MMM_AGENT_* also names the store): a test sets them with monkeypatch only.
_GUARDED_ENV = ("XLA_FLAGS", "JAX_", "MMM_AGENT_")


def _jax_globals() -> dict:
    jax = sys.modules.get("jax")
    config = dict(jax.config.values) if jax is not None else {}
    env = {f"env:{k}": v for k, v in os.environ.items() if k.startswith(_GUARDED_ENV)}
    return {**env, **config}


def _changes(before: dict, after: dict) -> list[str]:
    env = {k for k in before.keys() | after.keys() if k.startswith("env:")}  # set, changed or removed
    config = (before.keys() & after.keys()) - env  # JAX options exist once JAX is imported
    return sorted(k for k in env | config if before.get(k) != after.get(k))


def _restore(before: dict, changed: list[str]) -> None:
    for key in changed:
        if key.startswith("env:"):
            name, value = key[4:], before.get(key)
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        else:
            sys.modules["jax"].config.update(key, before[key])


@pytest.fixture(autouse=True)
def jax_global_state_unchanged() -> Iterator[None]:
    before = _jax_globals()
    yield
    changed = _changes(before, _jax_globals())
    if changed:
        _restore(before, changed)
        pytest.fail(f"the test changed global JAX/engine state (restored now): {', '.join(changed)}", pytrace=False)


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
