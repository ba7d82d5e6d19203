"""Many fits: a batch of quick fits on a local Ray runtime lands every result in the store; without Ray the local
worker pool runs the batch and says so; a batch refuses what it cannot run before queuing anything."""

from __future__ import annotations

import importlib.util

import pytest
from service_support import locked_tiny_spec

from agent.service import fleet
from mmm_core import jobs
from mmm_core.errors import MMMError
from mmm_core.ledger import verify_ledger
from mmm_core.ledger.fits import fit_record
from mmm_core.store import Store

HAS_RAY = importlib.util.find_spec("ray") is not None


@pytest.fixture
def two_markets(tmp_path) -> dict:
    """Two datasets (two 'markets'), each with its default spec locked."""
    store = Store(tmp_path / "mmm.duckdb")
    a = locked_tiny_spec(store, tmp_path, name="market_a", seed=1)
    b = locked_tiny_spec(store, tmp_path, name="market_b", seed=2)
    return {"store": store, "specs": [a["spec_id"], b["spec_id"]], "datasets": [a["dataset_id"], b["dataset_id"]]}


def _every_result_in_the_store(store: Store, out: dict, n: int) -> None:
    assert out["n"] == n and out["succeeded"] == n, out["jobs"]
    fit_ids = [j["fit_id"] for j in out["jobs"]]
    assert len(set(fit_ids)) == n
    for job in out["jobs"]:
        fit = fit_record(store, job["fit_id"])
        assert fit.status == "succeeded" and fit.spec_id == job["spec_id"] and fit.mode == "quick"
        with store.connect() as conn:
            rows = conn.execute("SELECT count(*) FROM posterior_summary WHERE fit_id = ?", [fit.id]).fetchone()[0]
        assert rows > 0
    assert verify_ledger(store).ok


def test_batch_requests_cross_specs_and_datasets(two_markets) -> None:
    store = two_markets["store"]
    reqs = fleet.batch_requests(store, two_markets["specs"][:1], two_markets["datasets"], "one per market", quick=True)
    # the datasets' default specs are the ones already locked: locking again reuses them
    assert [r.spec_id for r in reqs] == two_markets["specs"][:1] + two_markets["specs"]
    assert all(r.quick for r in reqs)
    with pytest.raises(MMMError) as err:
        fleet.batch_requests(store, [], two_markets["datasets"], None)
    assert err.value.code == "rationale_required"
    with pytest.raises(MMMError, match="No fits"):
        fleet.batch_requests(store, [], [], None)
    with pytest.raises(MMMError, match="Unknown backend"):
        fleet.run_batch(store, reqs, backend="spark")
    assert jobs.list_jobs(store).jobs == []  # nothing queued by a refused batch


@pytest.mark.skipif(not HAS_RAY, reason="Ray is not installed (pip install ray); the local-pool test covers batches")
def test_a_batch_on_a_local_ray_runtime_lands_every_fit_in_the_store(two_markets) -> None:
    store = two_markets["store"]
    reqs = fleet.batch_requests(store, two_markets["specs"] * 2, [], None, quick=True, draws=100)
    out = fleet.run_batch(store, reqs, backend="ray")
    assert out["backend"] == "ray" and "local Ray runtime" in out["ray_address"] and out["note"] is None
    assert [t["ran_on"] for t in out["tasks"]] == ["ray"] * 4  # each job fitted by a Ray task, not elsewhere
    for job in out["jobs"]:  # the driver registered each fit: the only writer of the store
        fit = fit_record(store, job["fit_id"])
        assert (
            fit.settings["draws"] == 100 and "registered by the batch driver" in jobs.get_job(store, job["job_id"]).log
        )
    _every_result_in_the_store(store, out, 4)


def test_without_ray_the_local_pool_runs_the_batch_and_says_so(two_markets, monkeypatch) -> None:
    monkeypatch.setattr(fleet, "ray_available", lambda: False)
    store = two_markets["store"]
    with pytest.raises(MMMError) as err:
        fleet.run_batch(store, [], backend="ray")
    assert err.value.code == "ray_missing"
    reqs = fleet.batch_requests(store, two_markets["specs"], [], None, quick=True, draws=100)
    out = fleet.run_batch(store, reqs, backend="auto", workers=2)
    assert out["backend"] == "local" and "Ray is not installed" in out["note"]
    assert [t["exit_code"] for t in out["tasks"]] == [0, 0]
    _every_result_in_the_store(store, out, 2)
