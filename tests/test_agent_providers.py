"""Non-offline chat models in the same graph: a scripted tool-calling fake model, grounding rejecting an
invented number (regenerate once, then the template fallback), and the provider factory's errors."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver
from test_agent_fixtures import make_store

from agent.graph import build_agent
from agent.models import ModelProviderError, get_model
from agent.session import Session


class ScriptedModel(GenericFakeChatModel):
    """GenericFakeChatModel.bind_tools raises NotImplementedError; a provider model would bind here."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> "ScriptedModel":
        return self


def _spend_call() -> AIMessage:
    return AIMessage(
        content="", tool_calls=[{"name": "spend_by", "args": {"by": "channel"}, "id": "c1", "type": "tool_call"}]
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("prov"))[0]


def _session(store, script: list[AIMessage]) -> Session:
    model = ScriptedModel(messages=iter(script))
    return Session(store, graph=build_agent(store, model=model, checkpointer=InMemorySaver()))


def test_scripted_model_grounded_answer(store) -> None:
    rec = _session(store, [_spend_call(), AIMessage(content="Search spent 416,000 in total.")]).ask(
        "how much went to search?"
    )
    assert rec["tool_calls"] == [{"name": "spend_by", "args": {"by": "channel"}}]
    assert rec["grounded"] and rec["answer"] == "Search spent 416,000 in total."


def test_invented_number_regenerates_then_falls_back(store) -> None:
    script = [_spend_call(), AIMessage(content="Search spent 999,999."), AIMessage(content="Roughly 5 million.")]
    rec = _session(store, script).ask("how much went to search?")
    assert rec["grounded"] is True and rec["grounding"]["fallback"] is True
    assert rec["grounding"]["rejected"] == ["999,999"]
    assert "416,000" in rec["answer"] and "999,999" not in rec["answer"]


def test_invented_number_fixed_on_regeneration(store) -> None:
    script = [_spend_call(), AIMessage(content="Search spent 999,999."), AIMessage(content="Search: 416,000.")]
    rec = _session(store, script).ask("how much went to search?")
    assert rec["grounded"] and rec["answer"] == "Search: 416,000." and "grounding" not in rec


def test_provider_factory_errors(monkeypatch) -> None:
    monkeypatch.setenv("MMM_AGENT_MODEL", "openai:gpt-4o")
    with pytest.raises(ModelProviderError) as err:
        get_model()
    assert err.value.code == "model_package_missing" and "pip install langchain-openai" in err.value.hint
    with pytest.raises(ModelProviderError):
        get_model("gpt-4o")
    monkeypatch.setenv("MMM_AGENT_MODEL", "offline")
    assert type(get_model()).__name__ == "OfflineChatModel"
