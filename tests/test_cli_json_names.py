"""One name per field across the CLI's JSON: identifiers are always ``<thing>_id`` (never a bare ``id``), and a
field two commands share has one name (``ingest`` and ``datasets`` both say ``dataset_id`` and ``rows``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.cli.main import main

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_national.csv"


def run(capsys: pytest.CaptureFixture, store: str, *argv: str) -> dict[str, Any]:
    code = main(["--store", store, *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def keys_named(value: Any, name: str, path: str = "") -> list[str]:
    """Paths of every key called ``name`` in a JSON value."""
    if isinstance(value, dict):
        here = [f"{path}.{name}"] if name in value else []
        return here + [p for k, v in value.items() for p in keys_named(v, name, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in keys_named(v, name, f"{path}[{i}]")]
    return []


def test_keys_named_finds_nested_ids() -> None:
    assert keys_named({"a": [{"id": 1}], "id": 2, "b": {"c": {"id": 3}}}, "id") == [".id", ".a[0].id", ".b.c.id"]


def test_no_command_says_bare_id(demo_fit: dict, capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    store = str(demo_fit["store"].path)
    ds, spec, fit = demo_fit["dataset_id"], demo_fit["spec_id"], demo_fit["fit_id"]
    roi = run(capsys, store, "roi", fit, "--allow-unhealthy")
    a, b = sorted(roi["channels"])[:2]
    outputs = {
        "datasets": run(capsys, store, "datasets"),
        "describe": run(capsys, store, "describe", ds),
        "ledger": run(capsys, store, "ledger", ds),
        "spec show": run(capsys, store, "spec", "show", spec),
        "health": run(capsys, store, "health", fit),
        "roi": roi,
        "compare": run(capsys, store, "compare", fit, a, b, "--allow-unhealthy"),
        "contributions": run(capsys, store, "contributions", fit, "--allow-unhealthy"),
        "report": run(capsys, store, "report", fit, "--out", str(tmp_path / "r.md"), "--allow-unhealthy"),
    }
    assert {cmd: keys_named(out, "id") for cmd, out in outputs.items() if keys_named(out, "id")} == {}
    events = outputs["ledger"]["events"]
    assert events and all(isinstance(e["event_id"], int) for e in events)


def test_ingest_and_datasets_name_the_dataset_alike(demo_fit: dict, capsys: pytest.CaptureFixture) -> None:
    store = str(demo_fit["store"].path)
    ingested = run(capsys, store, "ingest", str(DEMO), "--name", "demo")  # identical content: already stored
    listed = run(capsys, store, "datasets")["datasets"]
    row = next(d for d in listed if d["dataset_id"] == ingested["dataset_id"])
    assert row["rows"] == ingested["rows"] and row["name"] == ingested["name"]
    assert ingested["dataset_id"] == demo_fit["dataset_id"]


def test_roi_at_a_margin_gives_the_break_even_and_each_channels_odds(
    demo_fit: dict, capsys: pytest.CaptureFixture
) -> None:
    store = str(demo_fit["store"].path)
    out = run(capsys, store, "roi", demo_fit["fit_id"], "--allow-unhealthy", "--margin", "0.4")
    assert out["break_even"] == pytest.approx(2.5) and out["margin"] == 0.4
    assert all(0.0 <= c["prob_profitable"] <= 1.0 for c in out["channels"].values())
    assert main(["--store", store, "roi", demo_fit["fit_id"], "--allow-unhealthy", "--margin", "0.4"]) == 0
    assert "break-even ROI 2.5; P(profit):" in capsys.readouterr().out
