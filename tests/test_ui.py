"""The UI's pieces without a browser: charts from real tool JSON, the chat-history schema, the guided-setup
buttons (their replies must drive the agent's setup state machine), turn events, progress text, offline HTML,
auth secret, app-root preparation and upload helpers."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import tempfile
from pathlib import Path

# Importing chainlit writes `.files/` and `.chainlit/translations/` into its app root (the cwd by default):
# point it at a scratch folder before any chainlit import so the tests never write into the repository.
os.environ.setdefault("CHAINLIT_APP_ROOT", tempfile.mkdtemp(prefix="mmm_ui_approot_"))

import pytest
from langchain_core.messages import AIMessage, ToolMessage

from agent.ui import charts as ui_charts
from agent.ui import progress as ui_progress
from agent.ui import setup as ui_setup
from agent.ui import turn as ui_turn
from agent.ui.data import SCHEMA, auth_secret, ensure_schema, history_url, offline_html, prepare_app_root

REPO = Path(__file__).resolve().parents[1]


# --- charts -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tool_json(demo_fit: dict) -> dict:
    """Real outputs of the result tools on the session's quick fit (capped exactly as the agent sees them)."""
    from tools import build_tools

    tools = {t.name: t for t in build_tools(demo_fit["store"])}
    calls = {
        "roi": ("roi", {}),
        "contrib_period": ("contributions", {"by": "period"}),
        "contrib_channel": ("contributions", {"by": "channel"}),
        "curve": ("response_curve", {"channel": "Search"}),
    }
    out = {k: (name, json.loads(tools[name].invoke(args))) for k, (name, args) in calls.items()}
    if "optimize_budget" in tools:
        out["optimize"] = ("optimize_budget", json.loads(tools["optimize_budget"].invoke({"budget": 500000})))
    if "scenario" in tools:
        moves = [{"from": "Social", "to": "Search", "share": 0.2}]
        out["scenario"] = ("scenario", json.loads(tools["scenario"].invoke({"moves": moves})))
    return out


def test_roi_chart_has_intervals_from_tool_json(tool_json: dict) -> None:
    name, data = tool_json["roi"]
    [(_, fig)] = ui_charts.figures_for(name, data)
    bar = fig.data[0]
    assert list(bar.x)[0] == max(data["channels"], key=lambda c: data["channels"][c]["roi"]["mean"])
    assert bar.error_y.array is not None and len(bar.error_y.arrayminus) == len(data["channels"])
    assert "90% interval" in fig.layout.title.text and "approximate" in fig.layout.title.text


def test_truncated_contributions_are_fetched_in_full_for_the_chart(tool_json: dict, demo_fit: dict) -> None:
    name, data = tool_json["contrib_period"]
    assert ui_charts.is_truncated(data)  # 104 periods do not fit the tool's size cap
    [(_, fig)] = ui_charts.figures_for(name, data, demo_fit["store"])
    lines = [t for t in fig.data if t.mode == "lines"]
    assert lines and len(lines[0].x) == 104
    [(_, bars)] = ui_charts.figures_for(*tool_json["contrib_channel"])
    assert "Search" in list(bars.data[0].x)


def test_response_curve_and_allocation_charts(tool_json: dict, demo_fit: dict) -> None:
    [(_, curve)] = ui_charts.figures_for(*tool_json["curve"], demo_fit["store"])
    assert len(curve.data) == 2 and len(curve.data[1].x) > 10  # band + mean over the full multiplier grid
    for key in ("optimize", "scenario"):
        if key in tool_json and "error" not in tool_json[key][1]:
            [(_, fig)] = ui_charts.figures_for(*tool_json[key])
            assert [t.name for t in fig.data] == ["current", "proposed"]


def test_mediation_chart_and_unusable_outputs() -> None:
    stat = {"mean": 1.0, "lo": 0.5, "hi": 1.5}
    data = {"channels": {"TV": {"direct": stat, "indirect": stat, "total": stat}}}
    [(_, fig)] = ui_charts.figures_for("mediation", data)
    assert [t.name for t in fig.data] == ["direct", "indirect"]
    assert ui_charts.figures_for("roi", {"error": {"code": "no_fit"}}) == []
    assert ui_charts.figures_for("roi", {"channels": "garbled"}) == []
    assert ui_charts.figures_for("spend_by", {"rows": []}) == []


# --- chat history (SQLite data layer) -----------------------------------------------------------------------


def test_history_schema_accepts_the_steps_chainlit_writes(tmp_path: Path) -> None:
    path = ensure_schema(tmp_path / "h.sqlite")
    ensure_schema(path)  # idempotent
    with sqlite3.connect(path) as conn:
        cols = {r[1] for r in conn.execute("PRAGMA table_info(steps)")}
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"autoCollapse", "defaultOpen", "command", "modes"} <= cols
    assert {"users", "threads", "steps", "elements", "feedbacks"} <= tables
    assert history_url(path).startswith("sqlite+aiosqlite:///")

    from chainlit.data.sql_alchemy import SQLAlchemyDataLayer

    async def roundtrip() -> dict:
        layer = SQLAlchemyDataLayer(conninfo=history_url(path))
        step = {
            "id": "s1",
            "threadId": "t1",
            "name": "roi",
            "type": "tool",
            "streaming": False,
            "input": "{}",
            "output": "{}",
            "autoCollapse": True,
            "defaultOpen": False,
            "metadata": {},
            "createdAt": "2026-01-01T00:00:00Z",
            "showInput": "json",
        }
        await SQLAlchemyDataLayer.create_step.__wrapped__(layer, step)  # the wrapper needs a live session
        await layer.engine.dispose()
        return step

    asyncio.run(roundtrip())
    with sqlite3.connect(path) as conn:
        assert conn.execute('SELECT name, "autoCollapse" FROM steps WHERE id = ?', ["s1"]).fetchone() == ("roi", 1)
        assert conn.execute("SELECT count(*) FROM threads WHERE id = 't1'").fetchone()[0] == 1
    assert "autoCollapse" in SCHEMA


# --- guided setup ----------------------------------------------------------------------------------------------

DRAFT = {
    "draft_id": "draft_1",
    "status": "draft",
    "kpi": "Sales",
    "channels": ["Email", "Search"],
    "controls": ["Price", "Promo"],
    "mediators": [],
    "seasonality_order": 2,
    "geo_pooling": "partial",
    "holdout_periods": 0,
    "trend": "linear",
    "likelihood": "additive",
    "available": {
        "kpi_candidates": ["Sales"],
        "channels": ["Email", "Search"],
        "controls": ["Price", "Promo"],
        "geographies": 3,
        "periods": 104,
    },
}


def test_every_setup_button_is_an_answer_the_setup_machine_understands() -> None:
    from agent.models import setup

    for step in ("kpi", "channels", "controls", "seasonality", "pooling", "holdout"):
        buttons = ui_setup.setup_buttons(step, DRAFT)
        assert buttons, step
        for b in buttons:
            assert setup.parse_reply(step, b.reply, DRAFT) is not None, (step, b)
    assert setup.parse_reply("channels", "drop Email", DRAFT) == {"channels": ["Search"]}
    [lock] = ui_setup.setup_buttons("confirm", DRAFT)
    assert setup.confirm_is_lock(lock.reply)
    from agent.models.router import route

    assert route(lock.reply).args["reason"]  # the rationale travels with the lock request


def test_spec_preview_greeting_and_suggestions() -> None:
    preview = ui_setup.spec_preview(DRAFT)
    assert "| Channels | Email, Search |" in preview and "| Holdout periods | 0 |" in preview
    none = {"dataset": None, "spec_id": None, "fit_id": None}
    assert "Dataset: none yet" in ui_setup.greeting(none) and "Fit: none yet" in ui_setup.greeting(none)
    st = {"dataset": {"id": "ds_1", "name": "demo"}, "spec_id": "spec_1", "fit_id": "fit_1", "fit_mode": "quick"}
    text = ui_setup.greeting(st)
    assert "demo (ds_1)" in text and "spec_1" in text and "fit_1 (quick, approximate)" in text
    replies = [b.reply for b in ui_setup.suggestions(st, ["Search"])]
    assert "What is the ROI of each channel?" in replies and "Show the response curve of Search" in replies
    assert ui_setup.after_tool_buttons("lock_spec", {"spec_id": "spec_1"})[0].reply == "run a quick fit"
    assert ui_setup.after_tool_buttons("lock_spec", {"error": {}}) == []


def test_status_of_a_fitted_store(demo_fit: dict) -> None:
    st = ui_setup.status(demo_fit["store"])
    assert st["dataset"]["id"] == demo_fit["dataset_id"] and st["fit_id"] and st["spec_id"]


# --- upload helpers --------------------------------------------------------------------------------------------


def test_upload_format_sniffing_description_and_errors_in_full(tmp_path: Path, demo_fit: dict) -> None:
    from mmm_core.data import queries
    from mmm_core.data.ingest import ingest
    from mmm_core.errors import MFFValidationError

    assert ui_setup.sniff_format(REPO / "data" / "demo_national.csv") == "mff"
    wide = tmp_path / "wide.csv"
    wide.write_text("date,Sales,TV_Spend\n2024-01-01,1,2\n")
    assert ui_setup.sniff_format(wide) == "wide"
    table = ui_setup.describe_table(queries.describe(demo_fit["store"], demo_fit["dataset_id"]))
    assert "| Search_Spend | media | Search | 100% |" in table and "| Sales | kpi |" in table
    bad = tmp_path / "bad.csv"
    bad.write_text("Period,VariableName,VariableValue\n2024-01-01,Sales,1\n2024-01-08,Sales,abc\n")
    with pytest.raises(MFFValidationError) as info:
        ingest(demo_fit["store"], bad)
    text = ui_setup.error_text(info.value, "bad.csv")
    assert f"`{info.value.code}`" in text and info.value.message in text
    assert "line" in text and "'abc'" in text and info.value.hint in text


# --- turn events, approvals, progress -------------------------------------------------------------------------


def test_events_deduplicate_tool_calls_after_a_resume() -> None:
    call = {"name": "lock_spec", "args": {"draft_id": "d"}, "id": "c1", "type": "tool_call"}
    seen: set[str] = set()
    first = ui_turn.events({"model": {"messages": [AIMessage(content="", tool_calls=[call])]}}, seen)
    again = ui_turn.events(
        {"HumanInTheLoopMiddleware.after_model": {"messages": [AIMessage(content="", tool_calls=[call])]}}, seen
    )
    assert [type(e).__name__ for e in first] == ["ToolStart"] and again == []
    done = ui_turn.events(
        {"tools": {"messages": [ToolMessage(content='{"spec_id": "s"}', tool_call_id="c1", name="lock_spec")]}}, seen
    )
    assert done[0].data == {"spec_id": "s"} and not done[0].error
    answer = ui_turn.events(
        {"model": {"messages": [AIMessage(content="ok", additional_kwargs={"mmm": {"setup_step": "kpi"}})]}}, seen
    )
    assert answer[0].meta["setup_step"] == "kpi"

    class Intr:
        value = {"action_requests": [{"name": "fit_model", "args": {}, "description": "Fit"}]}

    [approval] = ui_turn.events({"__interrupt__": (Intr(),)}, seen)
    assert approval.requests[0]["name"] == "fit_model"
    res = ui_turn.decisions(approval.requests + approval.requests, [True, False])
    assert res["decisions"][0] == {"type": "approve"} and res["decisions"][1]["type"] == "reject"


def test_stream_runs_the_sync_graph_off_the_event_loop() -> None:
    class Graph:
        def stream(self, payload, config, stream_mode):
            yield {"a": 1}
            yield {"b": 2}

    class Broken:
        def stream(self, payload, config, stream_mode):
            yield {"a": 1}
            raise ValueError("boom")

    async def collect(graph) -> list:
        return [c async for c in ui_turn.stream(graph, {}, {})]

    assert asyncio.run(collect(Graph())) == [{"a": 1}, {"b": 2}]
    with pytest.raises(ValueError, match="boom"):
        asyncio.run(collect(Broken()))


def test_progress_text() -> None:
    assert ui_progress.progress_text(0.0, 3.0).startswith("Fitting… 0% · elapsed 0:03 · estimating")
    text = ui_progress.progress_text(0.5, 10.0, "sampling\nwarm-up 50%\n")
    assert "50%" in text and "elapsed 0:10" in text and "about 0:10 remaining" in text and "warm-up 50%" in text
    assert "remaining" not in ui_progress.progress_text(1.0, 20.0)


# --- offline page, auth, app root ------------------------------------------------------------------------------


def test_offline_html_drops_links_to_other_hosts() -> None:
    from chainlit.server import build_dir

    html = (Path(build_dir) / "index.html").read_text()
    assert "cdn.jsdelivr.net" in html and "fonts.googleapis.com" in html
    clean = offline_html(html)
    assert "https://" not in clean.replace('content="https://', "") and "/assets/index-" in clean


def test_auth_secret_is_required_with_a_password_and_derived_when_absent() -> None:
    assert auth_secret({}) is None
    derived = auth_secret({"MMM_AGENT_PASSWORD": "pw"})
    assert derived and derived == auth_secret({"MMM_AGENT_PASSWORD": "pw"}) != auth_secret({"MMM_AGENT_PASSWORD": "x"})
    assert auth_secret({"MMM_AGENT_PASSWORD": "pw", "CHAINLIT_AUTH_SECRET": "mine"}) == "mine"


def test_ui_environment_prepares_an_app_root_outside_the_repo(tmp_path: Path) -> None:
    from agent.cli.ui import ui_environment

    env = ui_environment(str(tmp_path / "s" / "mmm.duckdb"), {"MMM_AGENT_PASSWORD": "pw"})
    root = Path(env["CHAINLIT_APP_ROOT"])
    assert root == (tmp_path / "s" / "ui").resolve()
    assert (root / ".chainlit" / "config.toml").is_file() and (root / "public" / "theme.json").is_file()
    assert json.loads((root / "public" / "theme.json").read_text())["custom_fonts"] == []
    assert env["CHAINLIT_AUTH_SECRET"] and env["MMM_AGENT_STORE"].endswith("mmm.duckdb")
    custom = tmp_path / "custom"
    (custom / ".chainlit").mkdir(parents=True)
    (custom / ".chainlit" / "config.toml").write_text("# mine")
    prepare_app_root(custom)
    assert (custom / ".chainlit" / "config.toml").read_text() == "# mine"  # a user's config is kept


def test_committed_config_is_offline() -> None:
    import tomllib

    cfg = tomllib.loads((REPO / "agent" / "ui" / "assets" / "config.toml").read_text())
    assert cfg["features"]["latex"] is False and cfg["features"]["spontaneous_file_upload"]["enabled"]
    assert cfg["UI"]["default_avatar_file_url"] == "" and cfg["UI"]["logo_file_url"] == ""


def test_interval_setting_replaces_the_interval_tools(demo_fit: dict) -> None:
    from agent.ui.tools import parse_level, session_tools

    assert parse_level("spec") is None and parse_level("0.8") == 0.8 and parse_level("1.5") is None
    tools = {t.name: t for t in session_tools(demo_fit["store"], 0.8)}
    roi = json.loads(tools["roi"].invoke({"channel": "Search"}))
    assert roi["interval"]["level"] == 0.8 and list(roi["channels"]) == ["Search"]
    contrib = json.loads(tools["contributions"].invoke({"by": "channel"}))
    assert contrib["interval"]["level"] == 0.8
    default = {t.name: t for t in session_tools(demo_fit["store"], None)}
    assert json.loads(default["roi"].invoke({}))["interval"]["level"] == 0.9


def test_session_graph_runs_a_turn_through_the_thread_bridge(demo_fit: dict, monkeypatch) -> None:
    """The app's own graph (AsyncSqliteSaver + sync stream in a worker thread) answers at the chosen level."""
    import importlib

    monkeypatch.setenv("MMM_AGENT_STORE", str(demo_fit["store"].path))
    ui = importlib.import_module("agent.ui.app")
    monkeypatch.setattr(ui, "STORE", demo_fit["store"])
    monkeypatch.setattr(ui, "_SAVER", None)
    from langchain_core.messages import HumanMessage

    async def run() -> list:
        graph = await ui._new_graph("offline", 0.8)
        config = {"configurable": {"thread_id": "ui-test"}, "recursion_limit": 40}
        payload = {"messages": [HumanMessage(content="What is the ROI of Search?")], "fit_id": demo_fit["fit_id"]}
        seen: set[str] = set()
        out = [e async for chunk in ui_turn.stream(graph, payload, config) for e in ui_turn.events(chunk, seen)]
        state = await graph.aget_state(config)  # the checkpoint was written through the async saver
        assert state.values["fit_id"] == demo_fit["fit_id"]
        await ui._SAVER.conn.close()
        return out

    out = asyncio.run(run())
    ends = [e for e in out if isinstance(e, ui_turn.ToolEnd)]
    answer = [e for e in out if isinstance(e, ui_turn.Answer)][-1]
    assert any(e.name == "roi" and e.data["interval"]["level"] == 0.8 for e in ends)
    assert "Search returned" in answer.text and "80%" in answer.text
