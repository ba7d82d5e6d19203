"""Chat messages of the UI with their reply buttons: an answer with buttons is remembered so that the next turn
can take them off (older buttons would replay stale replies)."""

from __future__ import annotations

import chainlit as cl

from agent.ui import setup as ui_setup
from agent.ui.safe_text import neutralise


def actions(buttons: list[ui_setup.Button]) -> list[cl.Action]:
    """Reply buttons: pressing one sends its reply as the user's next message (``app.on_reply``)."""
    return [cl.Action(name="reply", payload={"reply": b.reply}, label=b.label) for b in buttons]


async def say(text: str, buttons: list[ui_setup.Button] | None = None, elements: list | None = None) -> None:
    """Send ``text`` (neutralised: no markup from data reaches the page) with its buttons and elements."""
    msg = cl.Message(content=neutralise(text), actions=actions(buttons or []), elements=elements or [])
    await msg.send()
    if buttons:
        cl.user_session.set("buttons_msg", msg)


async def retire_buttons() -> None:
    """Older answers' buttons would replay stale replies (a KPI question already answered): remove them."""
    msg = cl.user_session.get("buttons_msg")
    if msg is not None:
        cl.user_session.set("buttons_msg", None)
        await msg.remove_actions()
