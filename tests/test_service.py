"""The REST API in process (TestClient): every route's happy path and its refusals — 401 without the token, 413
over the size limit, 422 for a bad body or an invalid file, 404 for unknown ids, the ledger's refusals."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from service_support import locked_tiny_spec, tiny_mff, wait_for

from agent.service.app import create_app
from mmm_core.fit.job import run_fit
from mmm_core.store import Store

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("api")
    store = Store(folder / "mmm.duckdb")
    ids = locked_tiny_spec(store, folder)
    fit = run_fit(store, ids["spec_id"], quick=True, draws=200, seed=0)
    client = TestClient(create_app(store.path, TOKEN, max_bytes=200_000), headers=AUTH)
    return {"client": client, "store": store, "folder": folder, "fit_id": fit["fit_id"], **ids}


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "hint"} and error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


def test_every_route_but_health_and_the_schema_needs_the_token(api) -> None:
    bare = TestClient(api["client"].app)
    assert bare.get("/health").json() == {"status": "ok"}
    for method, path in (("get", "/datasets"), ("post", "/fits"), ("get", f"/fits/{api['fit_id']}/roi")):
        _error(getattr(bare, method)(path), 401, "unauthorized")
    _error(bare.get("/datasets", headers={"Authorization": "Bearer wrong"}), 401)
    _error(bare.get("/datasets", headers={"Authorization": TOKEN}), 401)  # not a bearer header


def test_openapi_is_generated_from_the_shared_models(api) -> None:
    schema = api["client"].get("/openapi.json").json()
    models = set(schema["components"]["schemas"])
    assert {"FitRequest", "Job", "JobList", "IngestResult", "LockRequest", "OptimizeRequest"} <= models
    assert any(name.startswith("ModelSpec") for name in models)
    assert "/jobs/{job_id}/events" in schema["paths"] and "/ask" in schema["paths"]


def test_upload_validates_like_ingest(api) -> None:
    client, folder = api["client"], api["folder"]
    body = tiny_mff(folder / "upload.csv", seed=5).read_bytes()
    ok = client.post("/datasets", files={"file": ("upload.csv", body)}, data={"name": "uploaded"})
    assert ok.status_code == 201, ok.text
    assert ok.json()["rows"] == body.count(b"\n") - 1 and ok.json()["dataset_id"].startswith("ds_")
    bad = body.replace(b"VariableValue", b"Value", 1)
    _error(client.post("/datasets", files={"file": ("bad.csv", bad)}), 422)
    _error(client.post("/datasets", files={"file": ("big.csv", b"x" * 300_000)}), 413, "too_large")
    _error(client.post("/datasets", data={"name": "no file"}), 422, "bad_request")


def test_datasets_describe_and_query(api) -> None:
    client, ds = api["client"], api["dataset_id"]
    assert ds in [d["dataset_id"] for d in client.get("/datasets").json()["datasets"]]
    roles = {v["name"]: v["role"] for v in client.get(f"/datasets/{ds}").json()["variables"]}
    assert roles["TV_Spend"] == "media"
    _error(client.get("/datasets/ds_nope"), 404)
    rows = client.post(f"/datasets/{ds}/query", json={"sql": "SELECT count(*) AS n FROM mff"}).json()
    assert rows["columns"] == ["n"] and rows["rows"][0][0] > 0
    _error(client.post(f"/datasets/{ds}/query", json={"sql": "DROP TABLE mff_rows"}), 422)
    _error(client.post(f"/datasets/{ds}/query", json={"sql": "SELECT 1", "max_rows": 0}), 422, "bad_request")


def test_specs_draft_lock_show_amend_and_the_ledgers_refusals(api) -> None:
    client, ds = api["client"], api["dataset_id"]
    draft = client.post(f"/datasets/{ds}/spec", json={"kpi": "Sales"}).json()["spec"]
    _error(client.post("/specs", json={"spec": draft, "rationale": ""}), 422, "rationale_required")
    _error(client.post("/specs", json={"spec": {**draft, "kpi": 3}, "rationale": "x"}), 422, "bad_request")
    locked = client.post("/specs", json={"spec": draft, "rationale": "API test"})
    assert locked.status_code == 201 and locked.json()["spec_id"] == api["spec_id"]  # same spec: the same lock
    shown = client.get(f"/specs/{api['spec_id']}").json()
    assert shown["spec_id"] == api["spec_id"] and shown["provenance"]["spec_version"] == 1
    _error(client.get("/specs/spec_nope"), 404)
    same = client.post(f"/specs/{api['spec_id']}/amend", json={"spec": draft, "reason": "nothing changes"})
    _error(same, 422, "amendment_identical")
    changed = {**draft, "interval": {**draft["interval"], "level": 0.8}}
    shopping = client.post(f"/specs/{api['spec_id']}/amend", json={"spec": changed, "reason": "make TV look better"})
    assert shopping.status_code >= 400 and "shopping" in shopping.json()["error"]["code"]
    ledger = client.get(f"/datasets/{ds}/ledger").json()
    kinds = {e["kind"] for e in ledger["events"]}
    assert {"lock", "fit_start", "refusal"} <= kinds


def test_fits_are_queued_cancelled_rerun_and_streamed(api) -> None:
    client = api["client"]
    _error(client.post("/fits", json={"spec_id": "spec_nope", "quick": True}), 404, "unknown_spec")
    _error(client.post("/fits", json={"spec_id": api["spec_id"], "draws": -1}), 422, "bad_request")
    queued = client.post("/fits", json={"spec_id": api["spec_id"], "quick": True})
    assert queued.status_code == 202 and queued.json()["state"] == "queued"
    job_id = queued.json()["job_id"]
    assert client.get(f"/jobs/{job_id}").json()["request"]["quick"] is True
    assert job_id in [j["job_id"] for j in client.get("/jobs", params={"state": "queued"}).json()["jobs"]]
    assert client.post(f"/jobs/{job_id}/cancel").json()["state"] == "cancelled"
    _error(client.post(f"/jobs/{job_id}/cancel"), 409, "job_finished")
    events = client.get(f"/jobs/{job_id}/events")
    assert events.headers["content-type"].startswith("text/event-stream")
    blocks = [b for b in events.text.split("\n\n") if b.strip()]
    assert blocks[0].startswith("event: progress") and blocks[-1].startswith("event: end")
    assert json.loads(blocks[-1].split("data: ", 1)[1])["state"] == "cancelled"
    again = client.post(f"/jobs/{job_id}/rerun")
    assert again.status_code == 202 and again.json()["rerun_of"] == job_id
    client.post(f"/jobs/{again.json()['job_id']}/cancel")
    batch = [{"spec_id": api["spec_id"], "quick": True, "seed": i} for i in range(3)]
    waiting = len(client.get("/jobs", params={"state": "queued"}).json()["jobs"])
    _error(client.post("/fits/batch", json={"fits": batch + [{"spec_id": "spec_nope"}]}), 404, "unknown_spec")
    assert len(client.get("/jobs", params={"state": "queued"}).json()["jobs"]) == waiting  # all or nothing
    _error(client.post("/fits/batch", json={"fits": []}), 400, "empty_batch")  # was 422: a batch has many sources
    _error(client.post("/fits/batch", json={"specs": [api["spec_id"]], "origins": 9}), 422, "bad_request")
    _error(client.post("/fits/batch", json={"comparisons": [api["spec_id"]]}), 400, "no_comparison")
    for path in ("/jobs/job_nope", "/jobs/job_nope/events"):
        _error(client.get(path), 404, "unknown_job")
    _error(client.post("/jobs/job_nope/rerun"), 404)


def test_a_batch_runs_in_a_process_of_its_own_and_reports_each_member(api) -> None:
    client = api["client"]
    body = {"specs": [api["spec_id"]], "folds": [api["fit_id"]], "quick": True, "draws": 100}
    started = client.post("/fits/batch", json={**body, "backend": "local", "workers": 1})
    assert started.status_code == 202, started.text
    batch = started.json()
    assert batch["backend"] == "local" and batch["note"] is None and not batch["done"]
    assert [m["what"] for m in batch["members"]] == ["fit", f"fold 1/1 of {api['fit_id']}"]
    assert all(m["state"] in ("queued", "running") for m in batch["members"])
    path = f"/fits/batch/{batch['batch_id']}"
    done = wait_for(
        lambda: (b := client.get(path).json())["done"] and b, timeout=600, every=1.0, what="the batch to end"
    )
    assert done["counts"]["succeeded"] == 2, done["members"]
    for member in done["members"]:
        assert member["state"] == "succeeded" and member["fit_id"] and member["error"] is None
        assert client.get(f"/jobs/{member['job_id']}").json()["fit_id"] == member["fit_id"]
    _error(client.get("/fits/batch/batch_nope"), 404, "unknown_batch")


def test_answers_of_a_fit(api) -> None:
    client, fit_id = api["client"], api["fit_id"]
    assert client.get(f"/fits/{fit_id}").json()["status"] == "succeeded"
    roi = client.get(f"/fits/{fit_id}/roi", params={"interval": 0.8}).json()
    assert set(roi["channels"]) == {"TV", "Search"} and roi["interval"]["level"] == 0.8
    assert roi["provenance"]["spec_id"] == api["spec_id"]
    assert 0 <= client.get(f"/fits/{fit_id}/compare", params={"a": "TV", "b": "Search"}).json()["prob"] <= 1
    assert client.get(f"/fits/{fit_id}/contributions", params={"by": "period"}).json()["rows"]
    _error(client.get(f"/fits/{fit_id}/contributions", params={"by": "week"}), 422, "bad_request")
    _error(client.get(f"/fits/{fit_id}/compare", params={"a": "TV", "b": "Radio"}), 404, "channel_not_found")
    for path in ("/fits/fit_nope", "/fits/fit_nope/roi", "/fits/fit_nope/mediation"):
        _error(client.get(path), 404)


def test_plans_and_the_report(api) -> None:
    client, fit_id = api["client"], api["fit_id"]
    plan = client.post(f"/fits/{fit_id}/optimize", json={"budget": "100k", "periods": 4, "allow_unhealthy": True})
    assert plan.status_code == 200, plan.text
    assert set(plan.json()["allocation"]) == {"TV", "Search"}
    _error(client.post(f"/fits/{fit_id}/optimize", json={"budget": "lots", "allow_unhealthy": True}), 400)
    _error(client.post(f"/fits/{fit_id}/optimize", json={"budget": "1k", "budgte": 2}), 422, "bad_request")
    body = {"allocation": {"TV": "20k"}, "periods": 4, "allow_unhealthy": True}
    assert client.post(f"/fits/{fit_id}/scenario", json=body).status_code == 200
    report = client.post(f"/fits/{fit_id}/report", json={"format": "md", "allow_unhealthy": True}).json()
    assert report["fit_id"] == fit_id and "ROI" in report["content"] and "path" not in report


def test_ask_keeps_a_session(api) -> None:
    client = api["client"]
    first = client.post("/ask", json={"text": "What is the ROI of TV?", "fit": api["fit_id"]}).json()
    assert first["answer"] and first["session"]
    second = client.post("/ask", json={"text": "and Search?", "session": first["session"]}).json()
    assert second["session"] == first["session"] and second["answer"]
    _error(client.post("/ask", json={"text": ""}), 422, "bad_request")
