"""Chat and CLI go through the same core function for every action, so they write the same ledger events.

Each test runs one action through the chat tool and through the CLI on the same store and compares what the
ledger gained (event kinds, detail fields, the plan files the details point to) and the answer itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_agent_fixtures import make_store

from agent.cli.main import main
from mmm_core import spec as specs
from tools import build_tools


def _events(store, dataset_id: str) -> list[dict]:
    with store.connect() as conn:
        rows = conn.execute(
            "SELECT id, kind, spec_id, fit_id, detail_json FROM ledger_events WHERE dataset_id = ? ORDER BY id",
            [dataset_id],
        ).fetchall()
    return [
        {"id": r[0], "kind": r[1], "spec_id": r[2], "fit_id": r[3], "detail": json.loads(r[4] or "{}")} for r in rows
    ]


def _new_events(store, dataset_id: str, action) -> tuple[object, list[dict]]:
    before = {e["id"] for e in _events(store, dataset_id)}
    out = action()
    return out, [e for e in _events(store, dataset_id) if e["id"] not in before]


def _shape(events: list[dict]) -> list[tuple]:
    """What must match between the two doors: kind, the ids it is filed under, and the detail's fields."""
    return [(e["kind"], e["spec_id"], e["fit_id"], sorted(e["detail"])) for e in events]


def _fail_health(store, fit_id: str) -> None:
    """Mark a stored fit's health review failed (as a review with a failed check would have written it)."""
    review = {"overall": "fail", "summary": "test", "checks": [{"name": "r_hat", "status": "fail"}]}
    with store.transaction() as conn:
        conn.execute("UPDATE fits SET health_json = ? WHERE id = ?", [json.dumps(review), fit_id])


def _cli(store, *argv: str, capsys: pytest.CaptureFixture[str]) -> dict:
    code = main(["--store", str(store.path), *argv, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out
    return out


def test_scenario_through_chat_and_cli_writes_the_same_plan_and_event(demo_fit: dict, capsys) -> None:
    store, ds, fit_id = demo_fit["store"], demo_fit["dataset_id"], demo_fit["fit_id"]
    tools = {t.name: t for t in build_tools(store)}
    moves = [{"from": "Social", "to": "Search", "share": 0.25}]
    chat, chat_events = _new_events(
        store, ds, lambda: json.loads(tools["scenario"].invoke({"moves": moves, "fit_id": fit_id}))
    )
    assert "error" not in chat, chat
    # The same plan stated as amounts, the way the CLI takes it.
    alloc = [f"--allocation={ch}={amount}" for ch, amount in chat["allocation"].items()]
    cli, cli_events = _new_events(store, ds, lambda: _cli(store, "scenario", fit_id, *alloc, capsys=capsys))

    assert (
        _shape(chat_events)
        == _shape(cli_events)
        == [("scenario", demo_fit["spec_id"], fit_id, ["budget", "path", "plan_id"])]
    )
    for event, plan_id in ((chat_events[0], chat["plan_id"]), (cli_events[0], cli["plan_id"])):
        assert event["detail"]["plan_id"] == plan_id and Path(event["detail"]["path"]).is_file()
    # Same function, same draws: the same expected KPI for the same allocation.
    assert cli["scenarios"][0]["expected_kpi"]["mean"] == pytest.approx(chat["expected_kpi"]["mean"], rel=1e-5)
    assert chat["current_allocation"] == pytest.approx(
        cli["current"]["allocation"], rel=1e-5
    )  # tools round to 6 digits


def test_optimize_through_chat_and_cli_writes_the_same_plan_and_event(demo_fit: dict, capsys) -> None:
    store, ds, fit_id = demo_fit["store"], demo_fit["dataset_id"], demo_fit["fit_id"]
    tools = {t.name: t for t in build_tools(store)}
    chat, chat_events = _new_events(
        store,
        ds,
        lambda: json.loads(
            tools["optimize_budget"].invoke({"budget": 200_000, "max_share": {"Search": 0.25}, "fit_id": fit_id})
        ),
    )
    assert "error" not in chat, chat
    assert "truncated" not in chat, chat["truncated"]  # the decision and the allocation arrive whole
    cli, cli_events = _new_events(
        store,
        ds,
        lambda: _cli(store, "optimize", fit_id, "--budget", "200k", "--bound", "Search=:50k", capsys=capsys),
    )
    assert (
        _shape(chat_events)
        == _shape(cli_events)
        == [("optimize", demo_fit["spec_id"], fit_id, ["budget", "path", "plan_id"])]
    )
    assert chat_events[0]["detail"]["budget"] == cli_events[0]["detail"]["budget"] == 200_000
    assert chat["allocation"] == pytest.approx(cli["allocation"], rel=1e-5)


def test_lock_fit_and_amend_through_chat_and_cli_write_the_same_events(tmp_path: Path, capsys) -> None:
    """Two stores with the same data: one driven by the chat tools, one by the CLI."""
    (tmp_path / "chat").mkdir()
    (tmp_path / "cli").mkdir()
    chat_store, chat_ds = make_store(tmp_path / "chat")
    cli_store, cli_ds = make_store(tmp_path / "cli")
    tools = {t.name: t for t in build_tools(chat_store)}

    def chat_actions() -> dict:
        draft = json.loads(tools["draft_spec"].invoke({}))
        locked = json.loads(tools["lock_spec"].invoke({"draft_id": draft["draft_id"], "rationale": "default spec"}))
        fit = json.loads(tools["fit_model"].invoke({"spec_id": locked["spec_id"], "quick": True}))
        shopping = json.loads(
            tools["amend_spec"].invoke({"spec_id": locked["spec_id"], "reason": "so TV looks better", "controls": []})
        )
        return {"locked": locked, "fit": fit, "shopping": shopping}

    def cli_actions() -> dict:
        draft = tmp_path / "cli" / "draft.yaml"
        specs.save_draft(specs.init_spec(cli_store, cli_ds), draft)
        locked = _cli(cli_store, "spec", "lock", str(draft), "--rationale", "default spec", capsys=capsys)
        fit = _cli(cli_store, "fit", locked["spec_id"], "--quick", capsys=capsys)
        amended = specs.load_spec(draft).model_copy(update={"controls": []})
        specs.save_draft(amended, tmp_path / "cli" / "amended.yaml")
        code = main(
            ["--store", str(cli_store.path), "spec", "amend", locked["spec_id"], str(tmp_path / "cli" / "amended.yaml"),
             "--reason", "so TV looks better", "--json"]
        )  # fmt: skip
        shopping = json.loads(capsys.readouterr().out)
        assert code != 0
        return {"locked": locked, "fit": fit, "shopping": shopping}

    chat, chat_events = _new_events(chat_store, chat_ds, chat_actions)
    cli, cli_events = _new_events(cli_store, cli_ds, cli_actions)
    # A fit whose health review failed: both doors refuse a decision answer and log the refusal the same way.
    for st, fit_id in ((chat_store, chat["fit"]["fit_id"]), (cli_store, cli["fit"]["fit_id"])):
        _fail_health(st, fit_id)
    chat_roi, chat_refusal = _new_events(
        chat_store, chat_ds, lambda: json.loads(tools["roi"].invoke({"fit_id": chat["fit"]["fit_id"]}))
    )
    code, cli_refusal = _new_events(
        cli_store, cli_ds, lambda: main(["--store", str(cli_store.path), "roi", cli["fit"]["fit_id"], "--json"])
    )
    cli_roi = json.loads(capsys.readouterr().out)
    assert code != 0 and chat_roi["error"]["code"] == cli_roi["error"]["code"] == "fit_unhealthy"
    assert [e["kind"] for e in chat_refusal] == [e["kind"] for e in cli_refusal] == ["refusal"]
    assert chat_refusal[0]["detail"] == cli_refusal[0]["detail"]
    assert chat["shopping"]["error"]["code"] == cli["shopping"]["error"]["code"] == "shopping_refused"
    kinds = [e["kind"] for e in chat_events]
    assert kinds == [e["kind"] for e in cli_events] == ["lock", "fit_start", "fit_finish", "refusal"]
    for a, b in zip(chat_events, cli_events, strict=True):
        assert sorted(a["detail"]) == sorted(b["detail"]), a["kind"]
    starts = [e["detail"]["settings"] for e in (chat_events[1], cli_events[1])]
    assert starts[0] == starts[1]  # the same fit settings through both doors
    assert chat["locked"]["version"] == cli["locked"]["version"] == 1
