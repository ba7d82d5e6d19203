"""Tools: compact capped JSON, errors as data, only real capabilities registered."""

from __future__ import annotations

import json

from test_agent_fixtures import make_store

from tools import build_tools
from tools.base import MAX_CHARS, cap


def test_cap_truncates_with_a_note() -> None:
    text = cap(
        {
            "fit_id": "fit_1",
            "rows": [{"period": i, "mean": i * 1.5} for i in range(2000)],
            "provenance": {"spec_id": "spec_1"},
        }
    )
    data = json.loads(text)
    assert len(text) <= MAX_CHARS and "truncated" in data and data["provenance"]["spec_id"] == "spec_1"


def test_cap_leaves_out_the_bulkiest_field_first_and_says_which() -> None:
    """A plan whose long warnings push it over the cap keeps its allocation (the last resort once dropped every
    nested field at once)."""
    payload = {
        "plan_id": "plan_1",
        "allocation": {"TV": 1.0, "Search": 2.0},
        "warnings": ["x" * 900] * 3 + ["y" * 2000],
        "decision": {"status": "keep", "detail": "z" * 1500},
        "provenance": {"spec_id": "spec_1"},
    }
    data = json.loads(cap(payload))
    assert data["allocation"] == {"TV": 1.0, "Search": 2.0} and data["provenance"]["spec_id"] == "spec_1"
    assert "warnings" not in data and "warnings" in data["truncated"] and data["decision"]["status"] == "keep"


def test_tools_on_a_store(tmp_path) -> None:
    store, ds = make_store(tmp_path)
    tools = {t.name: t for t in build_tools(store)}
    assert {"describe_dataset", "run_sql", "spend_by", "draft_spec", "lock_spec", "fit_model", "roi"} <= set(tools)
    # Every capability is built: the planning, mediation and report tools are always registered.
    assert {"optimize_budget", "scenario", "mediation", "report", "response_curve"} <= set(tools)
    out = json.loads(tools["spend_by"].invoke({"by": "channel"}))
    assert out["dataset_id"] == ds and {r["channel"] for r in out["rows"]} == {"Email", "Local", "Search", "Social"}
    err = json.loads(tools["run_sql"].invoke({"sql": "DELETE FROM mff"}))
    assert err["error"]["code"] == "query_refused"
    draft = json.loads(tools["draft_spec"].invoke({}))
    edited = json.loads(tools["edit_spec"].invoke({"draft_id": draft["draft_id"], "controls": ["Price"]}))
    assert edited["controls"] == ["Price"]
    locked = json.loads(tools["edit_spec"].invoke({"draft_id": "spec_123", "controls": []}))
    assert locked["error"]["code"] == "spec_locked"
    refused = json.loads(tools["fit_model"].invoke({"spec_id": draft["draft_id"], "quick": True}))
    assert "error" in refused
    for name, tool in tools.items():
        assert len(tool.description) > 20, name
