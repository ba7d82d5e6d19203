"""Many fits: a batch of quick fits (and a fit's out-of-sample fold) on a local Ray runtime lands every result in
the store; without Ray the local worker pool runs the batch and says so; a batch refuses what it cannot run before
queuing anything."""

from __future__ import annotations

import importlib.util

import pytest
from pydantic import ValidationError
from service_support import locked_tiny_spec

from agent.service import fleet
from mmm_core import jobs
from mmm_core.errors import MMMError
from mmm_core.fit.job import run_fit
from mmm_core.jobs.batch import BatchRequest, expand, load_batch
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
    assert load_batch(store, out["batch_id"]).job_ids == [j["job_id"] for j in out["jobs"]]
    for job in out["jobs"]:
        fit = fit_record(store, job["fit_id"])
        assert fit.status == "succeeded" and fit.spec_id == job["spec_id"] and fit.mode == "quick"
        with store.connect() as conn:
            rows = conn.execute("SELECT count(*) FROM posterior_summary WHERE fit_id = ?", [fit.id]).fetchone()[0]
        assert rows > 0
    assert verify_ledger(store).ok


def _one_fold(store: Store, spec_id: str, origin_fit: str, out: dict) -> None:
    """The batch's last job was the fold of ``origin_fit``: its validation is put together in the result."""
    [validation] = out["oos"]
    assert validation["fit_id"] == origin_fit and len(validation["origins"]) == 1
    assert validation["fold_fits"] == [out["jobs"][-1]["fit_id"]] and out["jobs"][-1]["spec_id"] == spec_id


def test_the_batch_record_crosses_specs_and_datasets(two_markets) -> None:
    store = two_markets["store"]
    batch = BatchRequest(
        specs=two_markets["specs"][:1], datasets=two_markets["datasets"], rationale="one per market", quick=True
    )
    reqs = expand(store, batch)
    # the datasets' default specs are the ones already locked: locking again reuses them
    assert [r.spec_id for r in reqs] == two_markets["specs"][:1] + two_markets["specs"]
    assert all(r.quick for r in reqs)
    with pytest.raises(MMMError) as err:
        expand(store, BatchRequest(datasets=two_markets["datasets"]))
    assert err.value.code == "rationale_required"
    with pytest.raises(MMMError, match="No fits"):
        expand(store, BatchRequest())
    with pytest.raises(ValidationError, match="backend"):
        BatchRequest(specs=two_markets["specs"], backend="spark")
    assert jobs.list_jobs(store).jobs == []  # nothing queued by a refused batch


@pytest.mark.skipif(not HAS_RAY, reason="Ray is not installed (pip install ray); the local-pool test covers batches")
def test_a_batch_on_a_local_ray_runtime_lands_every_fit_in_the_store(two_markets) -> None:
    store = two_markets["store"]
    first = run_fit(store, two_markets["specs"][0], quick=True, draws=100, seed=0)["fit_id"]
    batch = BatchRequest(specs=two_markets["specs"] * 2, folds=[first], quick=True, draws=100, backend="ray")
    out = fleet.run_batch(store, batch)
    assert out["backend"] == "ray" and "local Ray runtime" in out["ray_address"] and out["note"] is None
    assert [t["ran_on"] for t in out["tasks"]] == ["ray"] * 5  # each job fitted by a Ray task, not elsewhere
    for job in out["jobs"]:  # the driver registered each fit: the only writer of the store
        fit = fit_record(store, job["fit_id"])
        assert (
            fit.settings["draws"] == 100 and "registered by the batch driver" in jobs.get_job(store, job["job_id"]).log
        )
    _every_result_in_the_store(store, out, 5)
    _one_fold(store, two_markets["specs"][0], first, out)


def test_without_ray_the_local_pool_runs_the_batch_and_says_so(two_markets, monkeypatch) -> None:
    monkeypatch.setattr(fleet, "ray_available", lambda: False)
    store = two_markets["store"]
    with pytest.raises(MMMError) as err:
        fleet.run_batch(store, BatchRequest(specs=two_markets["specs"], backend="ray"))
    assert err.value.code == "ray_missing"
    first = run_fit(store, two_markets["specs"][0], quick=True, draws=100, seed=0)["fit_id"]
    batch = BatchRequest(specs=two_markets["specs"], folds=[first], quick=True, draws=100, backend="auto", workers=2)
    out = fleet.run_batch(store, batch)
    assert out["backend"] == "local" and "Ray is not installed" in out["note"]
    assert [t["exit_code"] for t in out["tasks"]] == [0, 0], out["jobs"]  # the workers' stderr is captured too
    _every_result_in_the_store(store, out, 3)
    _one_fold(store, two_markets["specs"][0], first, out)
