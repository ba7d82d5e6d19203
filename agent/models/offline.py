"""The offline chat model: deterministic, no network, no weights. It routes English to tool calls and writes
answers from templates filled only with tool outputs.

One step of the agent loop:
- the last message is the user's → route it (router + entities) and emit tool calls, or answer directly
  (help, clarifying questions); if channel names are needed and not yet known, first call ``describe_dataset``
  (a "context" call) and route again once it returns;
- the last messages are tool results → write the answer from ``prompts/answers`` (or continue the plan after a
  context call).

Routing metadata travels in ``AIMessage.additional_kwargs["mmm"]`` so answers know the intent they serve.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from agent.models import answers, memory, setup
from agent.models.planner import plan


class OfflineChatModel(BaseChatModel):
    """Deterministic tool-calling chat model for offline use and tests."""

    tool_names: list[str] = []

    @property
    def _llm_type(self) -> str:
        return "mmm-offline"

    def bind_tools(self, tools: Any, **kwargs: Any) -> OfflineChatModel:  # type: ignore[override]
        names = [
            getattr(t, "name", None) or (t.get("name") if isinstance(t, dict) else None) or getattr(t, "__name__", "")
            for t in tools
        ]
        return self.model_copy(update={"tool_names": [n for n in names if n]})

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=respond(messages, self.tool_names))])


def respond(messages: list[BaseMessage], tools: list[str]) -> AIMessage:
    """The next assistant message for this conversation."""
    h = memory.last_human(messages)
    if h < 0:
        return AIMessage(content=answers.help_text(tools))
    turn = messages[h + 1 :]
    if not turn or not isinstance(turn[-1], ToolMessage):
        return plan(messages, tools, context_done=False)
    caller = next((m for m in reversed(turn) if isinstance(m, AIMessage) and m.tool_calls), None)
    meta = memory.meta(caller)
    if meta.get("phase") == "context":
        return plan(messages, tools, context_done=True)
    return answer(messages, turn, caller, meta)


def answer(
    messages: list[BaseMessage], turn: list[BaseMessage], caller: AIMessage | None, meta: dict[str, Any]
) -> AIMessage:
    """Write the final answer from the tool results of the last tool-calling step."""
    ids = {c["id"] for c in (caller.tool_calls if caller else [])}
    results = [m for m in turn if isinstance(m, ToolMessage) and (not ids or m.tool_call_id in ids)]
    known = memory.known_channels(messages)
    meta.setdefault("kpi", _kpi(messages))
    parts, extra = [], {}
    for tm in results:
        if tm.status == "error" and str(tm.content).startswith("User rejected"):
            parts.append(answers.declined(tm.name or ""))
            continue
        data = memory.parse(tm.content)
        if meta.get("setup_step") and "error" not in data and tm.name in ("draft_spec", "edit_spec"):
            draft = memory.latest_draft(messages) or data
            step = meta["setup_step"]
            parts.append(
                answers.render(
                    "answers/setup_question.j2",
                    step=step,
                    r=draft,
                    changed=tm.name == "edit_spec",
                    args=meta.get("args") or {},
                )
            )
            extra = {"setup_step": step, "draft_id": draft.get("draft_id")}
            continue
        parts.append(answers.compose(tm.name or "", data, meta, known))
    text = "\n\n".join(p for p in parts if p) or "Done."
    return AIMessage(content=text, additional_kwargs={"mmm": {**extra, "intent": meta.get("intent"), "template": True}})


def _kpi(messages: list[BaseMessage]) -> str | None:
    d = memory.latest(messages, "describe_dataset", "draft_spec", "edit_spec", "show_spec")
    if not d:
        return None
    if d.get("kpi"):
        return d["kpi"]
    cands = d.get("kpi_candidates") or []
    return cands[0] if len(cands) == 1 else None


__all__ = ["OfflineChatModel", "respond", "setup"]
