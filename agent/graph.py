"""The agent graph: LangChain's ``create_agent`` (model node ↔ tool node) with deterministic middleware.

Order matters. ``before_model`` hooks run in list order, ``after_model`` hooks in reverse, ``wrap_*`` hooks nest
with the first outermost:

1. ``SessionStateMiddleware`` — ids from tool outputs → state (dataset/draft/spec/fit).
2. ``ShoppingGuard`` — refuses result-seeking requests before any model call.
3. step budget — model/tool call limits per turn, at most one lock and one fit.
4. ``HumanInTheLoopMiddleware`` — approval before lock, amend and fit (of a locked spec).
5. ``LockedSpecGuard`` — a fit of anything but a locked spec is refused and logged.
6. ``QuestionCheckMiddleware`` — the final answer names the question's entities and periods (or refuses);
   it wraps grounding, so it judges the grounded answer and its one retry is grounded too.
7. ``GroundingMiddleware`` — every number in a final answer must come from this turn's tools or the user.
"""

from __future__ import annotations

from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage

from agent import guards
from agent.grounding import GroundingMiddleware
from agent.models import get_model
from agent.models.offline import respond
from agent.question_check import QuestionCheckMiddleware
from agent.state import SessionState, SessionStateMiddleware
from agent.store_scope import StorePinMiddleware
from mmm_core.prompts_loader import prompt_text
from mmm_core.store import Store


def system_prompt() -> str:
    return prompt_text("system.md")


def template_fallback(tool_names: list[str]) -> Any:
    """The offline model's templated answer for the current turn (grounding's last resort)."""

    def fallback(messages: list[BaseMessage]) -> AIMessage:
        msg = respond(messages, tool_names)
        if msg.tool_calls:  # no tool results to write from: say so rather than guess
            return AIMessage(
                content="I can only state numbers that a tool computed, and none did for this "
                'question. Please ask again, e.g. "what is the ROI of each channel?".'
            )
        return msg

    return fallback


def build_agent(
    store: Store,
    model: BaseChatModel | str | None = None,
    checkpointer: Any = None,
    tools: list | None = None,
    budget: bool = True,
) -> Any:
    """The compiled agent graph for ``store``. ``model``: a chat model, a provider string, or None for
    ``$MMM_AGENT_MODEL``/offline. ``checkpointer``: e.g. ``InMemorySaver()`` or ``session.sqlite_saver(store)``."""
    from tools import build_tools

    chat = model if isinstance(model, BaseChatModel) else get_model(model)
    tool_list = tools if tools is not None else build_tools(store)
    names = [t.name for t in tool_list]
    middleware = [StorePinMiddleware(store), SessionStateMiddleware(), guards.ShoppingGuard(store)]
    if budget:
        middleware += guards.step_budget()
    middleware += [
        guards.approval_middleware(store),
        guards.LockedSpecGuard(store),
        QuestionCheckMiddleware(),
        GroundingMiddleware(template_fallback(names)),
    ]
    return create_agent(
        chat,
        tool_list,
        system_prompt=system_prompt(),
        middleware=middleware,
        checkpointer=checkpointer,
        state_schema=SessionState,
        name="mmm-agent",
    )
