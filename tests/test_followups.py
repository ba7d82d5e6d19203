"""Follow-ups resolve against the previous turn: "and YouTube?" after a ROI question is the ROI of YouTube; "is it
better than Meta Ads?" after asking about YouTube compares the two; "and in 2022?" keeps the question, new period."""

from __future__ import annotations

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from scope_support import geo_fit

from agent.graph import build_agent
from agent.models.entities import Catalog
from agent.models.followups import resolve
from agent.session import Session

CAT = Catalog(channels=("TV", "YouTube", "Meta Ads", "Search"), geographies=("North", "South"), end="2023-12-25")


@pytest.mark.parametrize(
    "previous, text, expected",
    [
        ("what is the ROI of TV?", "and YouTube?", "what is the ROI of YouTube?"),
        ("what is the ROI of TV?", "what about youtube", "what is the ROI of YouTube?"),
        ("what is the ROI of YouTube?", "is it better than Meta Ads?", "is YouTube better than Meta Ads?"),
        ("TV spend in 2022", "and 2023?", "TV spend in 2023?"),
        ("what is the ROI of TV?", "and in 2022?", "what is the ROI of TV in 2022?"),
        ("ROI in North", "same for South", "ROI in South?"),
        ("what is the ROI of TV?", "and TikTok?", "what is the ROI of TikTok?"),  # refused downstream as unknown
        ("What is the ROI of TikTok?", "and Search?", "What is the ROI of Search?"),
        ("what is the ROI of TV?", "and how much did we spend on Search?", "and how much did we spend on Search?"),
        ("what is the ROI of TV?", "help", "help"),
        # a bare "why?" after results: what the estimates rest on (never a question of its own, never left unread)
        ("which channels don't pay back?", "why?", "why are the ROI estimates so uncertain?"),
        ("is YouTube worth it?", "how come?", "why is YouTube's ROI so uncertain?"),
        ("what is adstock?", "why?", "why?"),
    ],
)
def test_resolve(previous: str, text: str, expected: str) -> None:
    assert resolve(text, previous, CAT) == expected


@pytest.fixture(scope="module")
def session():
    fx = geo_fit()
    return Session(fx.store, graph=build_agent(fx.store, checkpointer=InMemorySaver()))


def test_a_conversation_of_follow_ups(session) -> None:
    rec = session.ask("what is the ROI of TV?")
    assert rec["tool_calls"][-1] == {"name": "roi", "args": {"channel": "TV"}}
    rec = session.ask("and YouTube?")
    assert rec["tool_calls"] == [{"name": "roi", "args": {"channel": "YouTube"}}]
    assert rec["answer"].startswith("YouTube returned")
    rec = session.ask("is it better than Meta Ads?")
    assert rec["tool_calls"] == [{"name": "compare_channels", "args": {"a": "YouTube", "b": "Meta Ads"}}]
    assert "YouTube's ROI exceeds Meta Ads's" in rec["answer"]
    rec = session.ask("and in 2022?")
    call = rec["tool_calls"][0]
    assert call["name"] == "compare_channels" and call["args"]["windows"][0]["label"] == "2022"
    assert "2022-01-03 to 2022-12-26" in rec["answer"] and rec["grounded"]
    rec = session.ask("and TikTok?")
    assert rec["answer"].startswith("TikTok is not in the data") and rec["tool_calls"] == []
