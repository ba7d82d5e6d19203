"""One conversation with the agent: a thread in a checkpointer, turns, approvals, and the turn's JSON record.

Used by the CLI (`ask`, `chat`) and later by the UI. The SQLite checkpointer lives at
``<store dir>/sessions.sqlite`` so sessions survive processes; tests pass an ``InMemorySaver``.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command

from agent.graph import build_agent
from agent.grounding import check, turn_sources
from mmm_core.store import Store

# approve: True (approve all), False (decline all), or a callback deciding per action request.
Approver = bool | Callable[[dict[str, Any]], bool]


def sqlite_saver(store: Store) -> Any:
    """A SqliteSaver on ``<store dir>/sessions.sqlite`` (sync; use AsyncSqliteSaver under Chainlit)."""
    conn = sqlite3.connect(str(store.path.parent / "sessions.sqlite"), check_same_thread=False)
    return SqliteSaver(conn)


class Session:
    """A chat session on one store. ``graph`` may be shared between sessions (state is keyed by thread)."""

    def __init__(
        self,
        store: Store,
        session_id: str | None = None,
        graph: Any = None,
        model: Any = None,
        checkpointer: Any = None,
    ) -> None:
        self.store = store
        self.session_id = session_id or f"s_{uuid.uuid4().hex[:8]}"
        self.graph = graph or build_agent(
            store, model=model, checkpointer=checkpointer if checkpointer is not None else sqlite_saver(store)
        )

    @property
    def config(self) -> dict[str, Any]:
        return {"configurable": {"thread_id": self.session_id}, "recursion_limit": 40}

    def state(self) -> dict[str, Any]:
        return dict(self.graph.get_state(self.config).values)

    def ask(self, text: str, approve: Approver = False, fit_id: str | None = None) -> dict[str, Any]:
        """One user turn; approval interrupts are resolved by ``approve``. Returns the turn's JSON record."""
        before = len(self.state().get("messages", []))
        payload: dict[str, Any] = {"messages": [HumanMessage(content=text)]}
        if fit_id:
            payload["fit_id"] = fit_id
        out = self.graph.invoke(payload, self.config)
        approvals: list[dict[str, Any]] = []
        while out.get("__interrupt__"):
            decisions = []
            for intr in out["__interrupt__"]:
                for action in intr.value.get("action_requests", []):
                    ok = approve(action) if callable(approve) else bool(approve)
                    approvals.append(
                        {"name": action["name"], "args": action["args"], "decision": "approved" if ok else "declined"}
                    )
                    decisions.append(
                        {"type": "approve"}
                        if ok
                        else {"type": "reject", "message": "Declined: the user did not approve this action."}
                    )
            out = self.graph.invoke(Command(resume={"decisions": decisions}), self.config)
        return self._record(list(out.get("messages", []))[before:], approvals)

    def _record(self, new: list[Any], approvals: list[dict[str, Any]]) -> dict[str, Any]:
        calls = [{"name": c["name"], "args": c["args"]} for m in new if isinstance(m, AIMessage) for c in m.tool_calls]
        final = next((m for m in reversed(new) if isinstance(m, AIMessage) and not m.tool_calls), None)
        answer = str(final.content) if final else ""
        info = (final.additional_kwargs.get("grounding") if final else None) or {}
        grounded = info.get("grounded")
        if grounded is None:  # answers that bypass the model (guards) are checked here
            grounded = check(answer, turn_sources(new))[0]
        meta = (final.additional_kwargs.get("mmm") if final else None) or {}
        record: dict[str, Any] = {
            "answer": answer,
            "tool_calls": calls,
            "grounded": bool(grounded),
            "session": self.session_id,
        }
        if info.get("fallback"):
            record["grounding"] = info
        declined = [a for a in approvals if a["decision"] == "declined"]
        if declined:
            record["pending_approval"] = declined
        if approvals:
            record["approvals"] = approvals
        if meta.get("refused"):
            record["refused"] = True
        if meta.get("parsed"):
            record["parsed"] = meta["parsed"]
        errors = [m.name for m in new if isinstance(m, ToolMessage) and '"error"' in str(m.content)[:20]]
        if errors:
            record["tool_errors"] = errors
        return record
