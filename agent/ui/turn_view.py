"""One agent turn as the chat shows it: a step per tool call (its input and output), the charts and report file a
tool's result brings, the buttons that suggest the next reply, and the final answer (with the spec preview during
setup). A queued fit is noted so the app can follow its progress after the turn."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import chainlit as cl
from chainlit.utils import utc_now

from agent.ui import charts as ui_charts
from agent.ui import setup as ui_setup
from agent.ui import turn as ui_turn
from agent.ui.messages import say
from agent.ui.safe_text import neutralise
from mmm_core.store import Store


class TurnView:
    """Renders one turn's events: a step per tool call, charts and the final answer (and notes a queued fit)."""

    def __init__(self, parent_id: str | None, store: Store) -> None:
        self.store = store  # charts read the fit they show from it
        self.parent_id = parent_id  # tool steps hang under the user's message, as Chainlit shows its own steps
        self.steps: dict[str, cl.Step] = {}
        self.elements: list[Any] = []
        self.buttons: list[ui_setup.Button] = []
        self.answer: ui_turn.Answer | None = None
        self.job_id: str | None = None

    async def handle(self, event: ui_turn.Event) -> None:
        if isinstance(event, ui_turn.ToolStart):
            await self._start(event)
        elif isinstance(event, ui_turn.ToolEnd):
            await self._end(event)
        elif isinstance(event, ui_turn.Answer):
            self.answer = event

    async def _start(self, ev: ui_turn.ToolStart) -> None:
        step = cl.Step(name=ev.name, type="tool", show_input="json", language="json", parent_id=self.parent_id)
        step.input, step.start = ev.args, utc_now()
        await step.send()
        self.steps[ev.call_id] = step

    async def _end(self, ev: ui_turn.ToolEnd) -> None:
        step = self.steps.get(ev.call_id) or cl.Step(name=ev.name, type="tool")
        step.output = neutralise(ev.content if len(ev.content) < 6000 else ev.content[:6000] + "…")
        step.is_error, step.end = ev.error, utc_now()
        await step.update()
        if ev.name == "fit_model" and not ev.error:
            self.job_id = ev.data.get("job_id")
        self._remember(ev)
        figures = await asyncio.to_thread(ui_charts.figures_for, ev.name, ev.data, self.store)
        self.elements += [cl.Plotly(name=n, figure=f, display="inline") for n, f in figures]
        if ev.name == "report" and not ev.error and ev.data.get("path"):
            self.elements.append(cl.File(name=Path(ev.data["path"]).name, path=ev.data["path"], display="inline"))
        self.buttons += ui_setup.after_tool_buttons(ev.name, ev.data, cl.user_session.get("channels"))

    def _remember(self, ev: ui_turn.ToolEnd) -> None:
        if ev.error:
            return
        if ev.name == "draft_spec":
            cl.user_session.set("draft", ev.data)
        elif ev.name == "edit_spec":
            old = cl.user_session.get("draft") or {}
            cl.user_session.set("draft", {**ev.data, "available": old.get("available", {})})
        if ev.data.get("channels") and ev.name in ("describe_dataset", "draft_spec"):
            cl.user_session.set("channels", list(ev.data["channels"]))

    async def finish(self) -> None:
        if self.answer is None and not self.elements:
            return  # the turn failed before answering; its error was already shown
        text = self.answer.text if self.answer else ""
        step = (self.answer.meta if self.answer else {}).get("setup_step")
        buttons = self.buttons
        if step and cl.user_session.get("draft"):
            draft = cl.user_session.get("draft")
            text += "\n\n" + ui_setup.spec_preview(draft)
            buttons = ui_setup.setup_buttons(step, draft) + buttons
        await say(text, buttons, self.elements)
