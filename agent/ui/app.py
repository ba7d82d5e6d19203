"""The Chainlit chat UI (started by `mmm-agent ui`): upload, guided setup, approvals, queued fits with live
progress (``agent.ui.jobs``), charts, report download, chat settings, optional password auth and SQLite chat history.

The agent graph is the same one the CLI uses (``agent.graph.build_agent``); the LangGraph thread id is the Chainlit
thread id, so a resumed chat continues the same conversation state. Pieces live beside it in ``agent/ui/``.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import chainlit as cl
from chainlit.input_widget import MultiSelect, Select
from langchain_core.messages import HumanMessage
from langgraph.types import Command

from agent.ui import experiments as ui_experiments
from agent.ui import jobs as ui_jobs
from agent.ui import login_limit
from agent.ui import setup as ui_setup
from agent.ui import turn as ui_turn
from agent.ui.data import (
    HISTORY_FILE,
    PASSWORD_ENV,
    SECRET_ENV,
    auth_secret,
    ensure_schema,
    history_url,
    install_offline_html,
)
from agent.ui.messages import retire_buttons, say
from agent.ui.safe_text import md_name, neutralise
from agent.ui.tools import LEVELS, parse_level, session_tools
from agent.ui.turn_view import TurnView
from mmm_core.data.queries import describe
from mmm_core.engine.setup import setup as setup_engine
from mmm_core.errors import MMMError
from mmm_core.report.build import build_report
from mmm_core.store import Store

ENGINE = setup_engine()  # before the first fit in this server process: host devices and the compilation cache
STORE = Store(os.environ.get("MMM_AGENT_STORE") or None)
HISTORY = ensure_schema(STORE.path.parent / HISTORY_FILE)
APPROVAL_TIMEOUT_S = 3600  # a person may read the spec before approving; the default 90 s is too short
install_offline_html()


@cl.data_layer
def _data_layer() -> Any:
    from chainlit.data.sql_alchemy import SQLAlchemyDataLayer

    return SQLAlchemyDataLayer(conninfo=history_url(HISTORY))


if os.environ.get(PASSWORD_ENV):
    os.environ.setdefault(SECRET_ENV, auth_secret() or "")
    from chainlit.server import app as _server

    login_limit.install(_server)  # 5 failed logins a minute per address and per user name, then 429

    @cl.password_auth_callback
    def _login(username: str, password: str) -> cl.User | None:
        # One shared password; the user name separates histories (each user sees only their own threads).
        if username.strip() and hmac.compare_digest(password.encode(), os.environ[PASSWORD_ENV].encode()):
            return cl.User(identifier=username.strip(), metadata={"provider": "password"})
        return None


# --- session -----------------------------------------------------------------------------------------------

_SAVER: Any = None


async def _checkpointer() -> Any:
    """One AsyncSqliteSaver for the process, next to the store (the CLI's sessions live there too)."""
    global _SAVER
    if _SAVER is None:
        import aiosqlite
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        conn = await aiosqlite.connect(str(STORE.path.parent / "sessions.sqlite"))
        _SAVER = AsyncSqliteSaver(conn)
        await _SAVER.setup()
    return _SAVER


async def _new_graph(model: str | None, level: float | None) -> Any:
    from agent.graph import build_agent

    saver = await _checkpointer()
    return await asyncio.to_thread(
        lambda: build_agent(STORE, model=model, checkpointer=saver, tools=session_tools(STORE, level))
    )


async def _start_session(thread_id: str) -> dict[str, Any]:
    cl.user_session.set("graph", await _new_graph(None, None))
    cl.user_session.set("config", {"configurable": {"thread_id": thread_id}, "recursion_limit": 40})
    cl.user_session.set("seen", set())
    st = await asyncio.to_thread(ui_setup.status, STORE)
    # Like `ask` in the CLI: a new conversation answers from the store's latest fit until it makes its own.
    cl.user_session.set("pending", {"fit_id": st["fit_id"]} if st["fit_id"] else {})
    if st["dataset"]:  # the role fields list the current dataset's variables
        cl.user_session.set("described", await asyncio.to_thread(describe, STORE, st["dataset"]["id"]))
    await _send_settings()
    return st


async def _send_settings() -> None:
    env = os.environ.get("MMM_AGENT_MODEL", "").strip()
    models = ["offline"] + ([env] if env and env.casefold() != "offline" else [])
    await cl.ChatSettings(
        [
            Select(id="model", label="Chat model (others via $MMM_AGENT_MODEL)", values=models, initial_index=0),
            Select(
                id="interval",
                label="Interval level",
                values=list(LEVELS),
                initial_index=0,
                description="'spec' uses the level declared in the locked spec",
            ),
            *(
                MultiSelect(id=f.id, label=f.label, values=f.values, initial=f.initial, description=f.description)
                for f in ui_setup.role_fields(cl.user_session.get("described"))
            ),
        ]
    ).send()


@cl.on_chat_start
async def on_chat_start() -> None:
    st = await _start_session(cl.context.session.thread_id)
    await say(ui_setup.greeting(st), ui_setup.suggestions(st))


@cl.on_chat_resume
async def on_chat_resume(thread: dict[str, Any]) -> None:
    await _start_session(thread["id"])


@cl.on_settings_update
async def on_settings_update(settings: dict[str, Any]) -> None:
    try:  # role fields first: a declaration is the same core call as `spec init --media/--controls`
        described = cl.user_session.get("described")
        declared = await asyncio.to_thread(ui_setup.apply_role_fields, STORE, described, settings)
    except MMMError as exc:
        await say(ui_setup.error_text(exc, doing="Could not declare those roles"))
        return
    if declared:
        cl.user_session.set("described", declared[1])
        cl.user_session.set("channels", declared[1].get("channels") or [])
        await _send_settings()
        await say(declared[0], [ui_setup.Button("Set up a model", "set up a model")])
    model, level = settings.get("model"), parse_level(settings.get("interval"))
    try:
        cl.user_session.set("graph", await _new_graph(model, level))
    except MMMError as exc:
        await say(ui_setup.error_text(exc, doing="Could not switch the chat model"))
        return
    await say(
        f"Settings applied: chat model {model}; interval level {'from the spec' if level is None else f'{level:.0%}'}."
    )


@cl.action_callback("reply")
async def on_reply(action: cl.Action) -> None:
    text = str(action.payload.get("reply", ""))
    echo = cl.Message(content=text, author="You", type="user_message")
    await echo.send()
    # Chainlit wraps messages, not action callbacks, in task start/end; an approval asked inside a callback
    # re-starts the task when answered, so the callback must end it or the composer stays disabled.
    await cl.context.emitter.task_start()
    try:
        await _dispatch(text, echo.id)
    finally:
        await cl.context.emitter.task_end()


@cl.action_callback(ui_jobs.CANCEL_ACTION)
async def on_cancel_fit(action: cl.Action) -> None:
    await say(await asyncio.to_thread(ui_jobs.cancel_text, STORE, str(action.payload.get("job_id", ""))))


@cl.on_message
async def on_message(message: cl.Message) -> None:
    files = [e for e in message.elements or [] if getattr(e, "path", None)]
    if files:
        await retire_buttons()
        for element in files:
            await _upload(element)
        return
    await _dispatch(message.content or "", message.id)


async def _dispatch(text: str, parent_id: str | None = None) -> None:
    await retire_buttons()
    if text.strip().casefold() == "/report" or _asks_for_report(text):
        await _report()
    elif text.strip():
        await _turn(text, parent_id)


def _asks_for_report(text: str) -> bool:
    """The report is a file download the UI makes itself (the agent has no report tool to call)."""
    from agent.models.router import route

    return route(text).intent == "report"


# --- upload --------------------------------------------------------------------------------------------------


async def _upload(element: Any) -> None:
    """Ingest an attached file and show its description (or its validation error, in full)."""
    from mmm_core.data import queries
    from mmm_core.data.ingest import ingest

    name = Path(element.name or "upload.csv").name
    local = Path(tempfile.mkdtemp(prefix="mmm_upload_")) / name  # keep the suffix: it selects the reader
    shutil.copyfile(element.path, local)
    if ui_experiments.is_experiment_file(local):  # lift tests for the session's dataset, not data to ingest
        dataset = ui_experiments.upload_dataset(STORE, cl.user_session.get("described"))
        text = await asyncio.to_thread(ui_experiments.upload_text, STORE, dataset, local, name)
        shutil.rmtree(local.parent, ignore_errors=True)
        await say(text)
        return
    try:
        fmt = ui_setup.sniff_format(local)
        result = await asyncio.to_thread(ingest, STORE, local, Path(name).stem, fmt)
        described = await asyncio.to_thread(queries.describe, STORE, result.dataset_id)
    except MMMError as exc:
        await say(ui_setup.error_text(exc, name))
        return
    finally:
        shutil.rmtree(local.parent, ignore_errors=True)
    # The next turn works on this dataset; an older fit or spec of the session no longer applies.
    cl.user_session.set("pending", {"dataset_id": result.dataset_id, "fit_id": None, "spec_id": None, "draft_id": None})
    cl.user_session.set("channels", described.get("channels") or [])
    cl.user_session.set("described", described)
    await _send_settings()  # the role fields now list this dataset's variables
    verb = "Already stored" if result.already_present else f"Loaded ({fmt} format)"
    notes = "".join(f"\n- warning: {w}" for w in result.warnings) + ui_setup.role_hint(described)
    await say(
        f"{verb}: {md_name(name)}\n\n{ui_setup.describe_table(described)}{notes}",
        [ui_setup.Button("Set up a model", "set up a model")],
    )


# --- one agent turn ----------------------------------------------------------------------------------------


async def _turn(text: str, parent_id: str | None) -> None:
    graph, config = cl.user_session.get("graph"), cl.user_session.get("config")
    payload: Any = {"messages": [HumanMessage(content=text)], **(cl.user_session.get("pending") or {})}
    cl.user_session.set("pending", {})
    turn = TurnView(parent_id, STORE)
    try:
        while payload is not None:
            approval = None
            async for chunk in ui_turn.stream(graph, payload, config):
                for event in ui_turn.events(chunk, cl.user_session.get("seen")):
                    approval = event if isinstance(event, ui_turn.Approval) else approval
                    await turn.handle(event)
            payload = Command(resume=await _approve(approval.requests)) if approval else None
    except MMMError as exc:
        await say(f"`{exc.code}`: {exc.message}\n\nHint: {exc.hint}")
    await turn.finish()
    if turn.job_id:  # the fit runs in a worker process; its progress and summary follow this turn
        ui_jobs.follow(STORE, turn.job_id, say)


async def _approve(requests: list[dict[str, Any]]) -> dict[str, Any]:
    """Ask for each lock/amend/fit with Approve/Reject buttons; no answer in time counts as a rejection."""
    approved = []
    for req in requests:
        res = await cl.AskActionMessage(
            content=neutralise(f"**Approval needed** — {req.get('description') or req['name']}"),
            actions=[
                cl.Action(name="approve", payload={"ok": True}, label="Approve"),
                cl.Action(name="reject", payload={"ok": False}, label="Reject"),
            ],
            timeout=APPROVAL_TIMEOUT_S,
        ).send()
        approved.append(bool(res and (res.get("payload") or {}).get("ok")))
    return ui_turn.decisions(requests, approved)


# --- report ----------------------------------------------------------------------------------------------------


async def _report() -> None:
    """Write the fit's report with ``mmm_core.report.build.build_report`` and offer it as a download."""
    state = (await cl.user_session.get("graph").aget_state(cl.user_session.get("config"))).values
    from mmm_core.fit.job import latest_fit

    fit_id = state.get("fit_id") or (cl.user_session.get("pending") or {}).get("fit_id") or latest_fit(STORE)
    if not fit_id:
        await say("There is no fit to report on yet: lock a spec and fit it first.")
        return
    out = STORE.artifacts_dir / f"report_{fit_id}.html"
    try:
        result = await asyncio.to_thread(build_report, STORE, fit_id, out, "html")
    except MMMError as exc:
        await say(f"`{exc.code}`: {exc.message}\n\nHint: {exc.hint}")
        return
    path = Path(result["path"])
    grounded = (
        " Every number in it was checked against the results."
        if result["grounded"]
        else " Warning: some numbers in it could not be matched to the results."
    )
    await say(
        f"Report for {fit_id} is ready: {path.name}.{grounded}",
        elements=[cl.File(name=path.name, path=str(path), display="inline")],
    )
