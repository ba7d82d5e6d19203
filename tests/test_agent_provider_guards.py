"""With MMM_AGENT_MODEL naming a provider, the same guards hold: the shopping guard, the locked-spec guard at the
tool boundary, grounding and the question check. Offline: the provider's chat model is replaced by a recorded one
that replays provider-style responses (tool calls with their arguments, then prose), so the test exercises the
real factory path (``get_model`` → ``init_chat_model``) and the real graph without a network."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from scope_support import geo_fit, raw_spend

import agent.models as models
from agent.graph import build_agent
from agent.session import Session

# Provider-style responses, one list per conversation turn-by-turn (what a hosted model returned, in LangChain's
# message format: tool calls with JSON arguments, then the answer text; a second text is its reply to a check).
RECORDED: dict[str, list[dict[str, Any]]] = {
    "tiktok": [
        {"tool_calls": [{"name": "roi", "args": {}, "id": "r1"}]},
        {"content": "Meta Ads is your best social channel, so TikTok-style spend should go there."},
        {"content": "TikTok is not in the data. The channels are Meta Ads, Search, TV and YouTube."},
    ],
    "tv2023": [
        {
            "tool_calls": [
                {
                    "name": "spend_by",
                    "args": {
                        "channels": ["TV"],
                        "windows": [{"start": "2023-01-01", "end": "2023-12-31", "label": "2023"}],
                    },
                    "id": "s1",
                }
            ]
        },
        {"content": "TV spend in 2023 was 999,999."},
        {"content": "TV spend in 2023 was 1,000,001."},
    ],
    "fit_draft": [
        {"tool_calls": [{"name": "fit_model", "args": {"spec_id": "draft_123"}, "id": "f1"}]},
        {"content": "The fit was refused: that is not a locked spec."},
    ],
}


BOUND: list[str] = []  # the tools the graph bound to the provider model


class RecordedModel(GenericFakeChatModel):
    """Replays recorded provider responses; records the tools the graph bound (as a provider model would)."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> RecordedModel:
        BOUND[:] = [getattr(t, "name", "") for t in tools]
        return self


def _message(d: dict[str, Any]) -> AIMessage:
    calls = [{**c, "type": "tool_call"} for c in d.get("tool_calls", [])]
    return AIMessage(content=d.get("content", ""), tool_calls=calls)


@pytest.fixture(scope="module")
def fitted():
    return geo_fit()


@pytest.fixture
def provider(monkeypatch):
    """MMM_AGENT_MODEL=openai:gpt-4o, with init_chat_model answering from a recording."""
    made: list[str] = []

    def session_for(fitted, name: str) -> Session:
        model = RecordedModel(messages=iter([_message(d) for d in RECORDED[name]]))

        def init_chat_model(spec: str) -> RecordedModel:
            made.append(spec)
            return model

        monkeypatch.setattr(models, "init_chat_model", init_chat_model)
        return Session(fitted.store, graph=build_agent(fitted.store, checkpointer=InMemorySaver()))

    monkeypatch.setenv("MMM_AGENT_MODEL", "openai:gpt-4o")
    BOUND.clear()
    yield session_for
    assert made and set(made) == {"openai:gpt-4o"}


def test_shopping_guard_refuses_before_the_provider_is_called(fitted, provider) -> None:
    s = provider(fitted, "tiktok")
    rec = s.ask("drop the price control so TV looks better")
    assert rec.get("refused") and rec["tool_calls"] == []
    assert BOUND == []  # the provider model was never even bound for this turn: no call reached it


def test_question_check_sends_an_answer_about_another_channel_back(fitted, provider) -> None:
    s = provider(fitted, "tiktok")
    rec = s.ask("What is the ROI of TikTok?")
    assert rec["answer"].startswith("TikTok is not in the data")
    final = [m for m in s.state()["messages"] if isinstance(m, AIMessage)][-1]
    assert final.additional_kwargs["question_check"]["attempts"] == 2
    assert {"roi", "spend_by", "compare_channels"} <= set(BOUND)  # the provider saw the same tools


def test_grounding_replaces_invented_numbers_with_the_computed_one(fitted, provider) -> None:
    s = provider(fitted, "tv2023")
    rec = s.ask("How much did we spend on TV in 2023?")
    truth = raw_spend(fitted.raw, "TV", "2023-01-01", "2023-12-31")
    assert rec["grounded"] and rec["grounding"]["fallback"] and rec["grounding"]["rejected"] == ["999,999"]
    assert f"{truth:,.0f}" in rec["answer"] and "2023-01-02 to 2023-12-25" in rec["answer"]


def test_locked_spec_guard_holds_at_the_tool_boundary(fitted, provider) -> None:
    s = provider(fitted, "fit_draft")
    s.ask("fit the model please", approve=True)
    tool = [m for m in s.state()["messages"] if isinstance(m, ToolMessage)][-1]
    assert tool.name == "fit_model" and json.loads(tool.content)["error"]["code"] == "not_locked"
