"""`mmm-agent serve` as a real process (uvicorn on a free localhost port, with its own queue worker): upload →
draft → lock → submit a quick fit → follow its progress → ROI, over HTTP; and stopping the server stops its worker."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys

import httpx
import pytest
from service_support import ROOT, tiny_mff, wait_for

TOKEN = "server-test-token"
HAS_RAY = importlib.util.find_spec("ray") is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {**os.environ, "MMM_AGENT_API_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "agent.cli", "--store", str(tmp_path / "mmm.duckdb"), "serve", "--port"]
    proc = subprocess.Popen(argv + [str(port)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/health", timeout=1).status_code == 200
        except httpx.TransportError:
            assert proc.poll() is None, proc.stderr.read()
            return False

    wait_for(up, timeout=60, what="the server to answer")
    client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
    yield {"client": client, "proc": proc, "folder": tmp_path, "base": base}
    client.close()
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


def test_the_whole_path_over_http(server) -> None:
    client = server["client"]
    assert httpx.get(f"{server['base']}/datasets").status_code == 401  # no token
    data = tiny_mff(server["folder"] / "tiny.csv").read_bytes()
    ds = client.post("/datasets", files={"file": ("tiny.csv", data)}).json()["dataset_id"]
    draft = client.post(f"/datasets/{ds}/spec", json={"kpi": "Sales"}).json()["spec"]
    spec_id = client.post("/specs", json={"spec": draft, "rationale": "server test"}).json()["spec_id"]
    job = client.post("/fits", json={"spec_id": spec_id, "quick": True, "draws": 200}).json()
    assert job["state"] == "queued"
    with client.stream("GET", f"/jobs/{job['job_id']}/events") as events:  # the worker started by `serve` runs it
        kinds = [line.split(": ", 1)[1] for line in events.iter_lines() if line.startswith("event: ")]
    assert kinds[0] == "progress" and kinds[-1] == "end" and len(kinds) >= 3
    done = client.get(f"/jobs/{job['job_id']}").json()
    assert done["state"] == "succeeded", done
    roi = client.get(f"/fits/{done['fit_id']}/roi").json()
    assert set(roi["channels"]) == {"TV", "Search"} and roi["provenance"]["spec_id"] == spec_id

    batch = client.post("/fits/batch", json={"specs": [spec_id] * 2, "quick": True, "draws": 100}).json()
    assert batch["backend"] == ("ray" if HAS_RAY else "local"), batch  # auto: Ray when installed, and it says so
    assert (batch["note"] is None) == HAS_RAY
    path = f"/fits/batch/{batch['batch_id']}"
    ended = wait_for(
        lambda: (b := client.get(path).json())["done"] and b, timeout=600, every=1.0, what="the batch to end"
    )
    assert [m["state"] for m in ended["members"]] == ["succeeded", "succeeded"], ended["members"]
    assert len({m["fit_id"] for m in ended["members"]}) == 2


def test_serve_refuses_to_start_without_a_token(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MMM_AGENT_API_TOKEN"}
    argv = [sys.executable, "-m", "agent.cli", "--store", str(tmp_path / "s.duckdb"), "serve", "--json"]
    out = subprocess.run(argv, cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert out.returncode == 2 and '"no_api_token"' in out.stdout
