"""Issue 18 item 3 in the UI: the guided setup's Media / Controls fields declare roles as `spec init --media A,B
--controls C,D` does (same core call), the next guided setup uses them, and the lock records them as declared."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

# Importing chainlit writes into its app root: keep it out of the repository (as tests/test_ui.py does).
os.environ.setdefault("CHAINLIT_APP_ROOT", tempfile.mkdtemp(prefix="mmm_ui_approot_"))

import pytest
from test_mff_support import weeks, write_lines

from agent.ui import setup as ui_setup
from agent.ui import turn as ui_turn
from mmm_core.data import queries
from mmm_core.data.ingest import ingest
from mmm_core.store import Store

BARE = ["Date,TV,Search,Radio,Price,Sales"] + [
    f"{p},{100 + 3 * i},{50 + (i % 4)},{20 + i % 3},{9 + i % 2},{1000 + 5 * i}" for i, p in enumerate(weeks(30))
]


@pytest.fixture
def bare(tmp_path: Path) -> tuple[Store, dict]:
    """The issue's wide file whose channel columns carry no metric word: no media inferred."""
    store = Store(tmp_path / "store" / "mmm.duckdb")
    result = ingest(store, write_lines(tmp_path / "bare.csv", BARE), fmt="wide")
    return store, queries.describe(store, result.dataset_id)


def test_role_fields_list_every_variable_but_the_kpi_and_say_where_to_declare(bare) -> None:
    _, described = bare
    fields = {f.id: f for f in ui_setup.role_fields(described)}
    assert set(fields) == {"declare_media", "declare_controls"}
    assert (
        fields["declare_media"].values == ["Price", "Radio", "Search", "TV"] and fields["declare_media"].initial == []
    )
    assert fields["declare_controls"].initial == ["Price", "Radio", "Search", "TV"]
    assert "settings panel (the Media and Controls fields)" in ui_setup.role_hint(described)
    assert ui_setup.role_fields(None) == []


def test_the_fields_declare_roles_as_spec_init_does(bare) -> None:
    store, described = bare
    settings = {"model": "offline", "declare_media": ["TV", "Search"], "declare_controls": ["Price", "Radio"]}
    assert ui_setup.role_declaration(described, settings) == (["TV", "Search"], [])  # Price, Radio already controls
    text, after = ui_setup.apply_role_fields(store, described, settings)
    assert "TV: declared media (channel TV; was control)." in text and "| TV | media | TV |" in text
    assert after["channels"] == ["Search", "TV"] and queries.describe(store, "bare")["channels"] == ["Search", "TV"]
    assert ui_setup.apply_role_fields(store, after, settings) is None  # unchanged fields declare nothing
    assert ui_setup.role_hint(after) == ""


def test_the_change_wins_when_a_variable_stays_selected_in_its_old_field(bare) -> None:
    """TV starts under Controls (inferred); adding it under Media while it is still ticked there makes it media."""
    store, described = bare
    controls = [f for f in ui_setup.role_fields(described) if f.id == "declare_controls"][0].initial
    ui_setup.apply_role_fields(store, described, {"declare_media": ["TV"], "declare_controls": controls})
    after = queries.describe(store, "bare")
    assert after["channels"] == ["TV"] and "TV" not in after["controls"]
    # and back: TV ticked under Controls while still under Media is a control again
    ui_setup.apply_role_fields(store, after, {"declare_media": ["TV"], "declare_controls": ["TV"]})
    assert queries.describe(store, "bare")["channels"] == []


def test_the_app_guided_setup_then_uses_the_declared_media_and_the_lock_says_so(bare, monkeypatch) -> None:
    """Through the app's own graph: fields applied, 'set up a model' drafts TV and Search, the lock records them."""
    import importlib

    from langchain_core.messages import HumanMessage
    from langgraph.types import Command

    from mmm_core import ledger

    store, described = bare
    ui_setup.apply_role_fields(store, described, {"declare_media": ["TV", "Search"]})
    monkeypatch.setenv("MMM_AGENT_STORE", str(store.path))
    ui = importlib.import_module("agent.ui.app")
    monkeypatch.setattr(ui, "STORE", store)
    monkeypatch.setattr(ui, "_SAVER", None)
    replies = ["set up a model", "Sales", "ok", "ok", "ok", "no", ui_setup.LOCK_REPLY]

    async def run() -> list:
        graph = await ui._new_graph("offline", None)
        config = {"configurable": {"thread_id": "ui-roles"}, "recursion_limit": 40}
        seen: set[str] = set()
        out = []
        for i, text in enumerate(replies):
            payload = {"messages": [HumanMessage(content=text)]}
            if i == 0:
                payload["dataset_id"] = described["dataset_id"]
            while payload is not None:  # as the app's turn: an approval request is answered "Approve"
                got = [e async for chunk in ui_turn.stream(graph, payload, config) for e in ui_turn.events(chunk, seen)]
                out += got
                asks = [e for e in got if isinstance(e, ui_turn.Approval)]
                payload = (
                    Command(resume=ui_turn.decisions(asks[-1].requests, [True] * len(asks[-1].requests)))
                    if asks
                    else None
                )
        await ui._SAVER.conn.close()
        return out

    events = asyncio.run(run())
    drafts = [e for e in events if isinstance(e, ui_turn.ToolEnd) and e.name in ("draft_spec", "edit_spec")]
    assert drafts and sorted(drafts[0].data["available"]["channels"]) == ["Search", "TV"], drafts[:1]
    specs = ledger.ledger_report(store, "bare")["events"]
    lock = [e for e in specs if e["kind"] == "lock"]
    assert lock, [e.text for e in events if isinstance(e, ui_turn.Answer)][-3:]
    assert lock[-1]["detail"]["roles"]["declared"] == {"Search": "media", "TV": "media"}
