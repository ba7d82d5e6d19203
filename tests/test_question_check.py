"""The question check beside grounding: an answer must be about the question's entities and periods (or refuse).
Unit cases on the rule, then real graph runs — the offline model, and a scripted tool-calling model whose
answers about a different channel or period are sent back once and then replaced."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver
from scope_support import geo_fit, raw_spend

from agent.graph import build_agent
from agent.models.entities import Catalog
from agent.models.scope import parse_question
from agent.question_check import check_answer
from agent.session import Session

CAT = Catalog(
    channels=("Search", "Social", "TV", "Email"),
    geographies=("North", "South"),
    start="2022-01-03",
    end="2024-12-30",
)
NATIONAL = Catalog(channels=CAT.channels, start=CAT.start, end=CAT.end)


def _ok(question: str, answer: str, cat: Catalog = CAT, **meta: Any) -> bool:
    return check_answer(parse_question(question, cat), answer, meta).ok


def test_the_three_dangerous_answers_are_rejected() -> None:
    # A different channel's number for an unknown one; all years for one year; the national table for two geos.
    assert not _ok("What is the ROI of TikTok?", "Social returned 1.20 per unit of spend.")
    assert not _ok("How much did we spend on TV in 2023?", "Total spend by channel: TV 29,112,900")
    assert not _ok("ROI North vs South", "ROI by channel: Search 2.10, Social 1.20, TV 0.80, Email 3.00")


def test_answers_to_the_question_asked_pass() -> None:
    assert _ok("What is the ROI of TikTok?", "TikTok is not in the data. Known channels: Search, Social, TV, Email.")
    assert _ok("How much did we spend on TV in 2023?", "TV spend in 2023 (2023-01-02 to 2023-12-25): 9,483,375")
    assert _ok("TV spend last quarter", "Last quarter, Q4 2024 (2024-10-07 to 2024-12-30): TV 120,000")
    assert _ok("ROI North vs South", "North: Search 2.1 … South: Search 1.9 …")
    assert _ok("ROI in 2019", "There is no data for 2019: the data covers 2022-01-03 to 2024-12-30.")
    assert _ok("Which channel do you mean?", "Which channel do you mean: Search or Social?")
    # A refusal must still name what it refuses.
    assert not _ok("What is the ROI of TikTok?", "That channel is not in the data.")
    # Templates that are refusals or questions by intent pass as such.
    assert _ok("ROI of serach", "Which channel do you mean?", intent="clarify")


def test_national_data_has_no_north() -> None:
    q = parse_question("ROI North vs South", NATIONAL)
    assert q.unknown == ["North", "South"]
    assert not check_answer(q, "ROI by channel: Search 2.10").ok


@pytest.fixture(scope="module")
def fitted():
    return geo_fit()


def _offline(fitted) -> Session:
    return Session(fitted.store, graph=build_agent(fitted.store, checkpointer=InMemorySaver()))


def _final(session: Session) -> AIMessage:
    return [m for m in session.state()["messages"] if isinstance(m, AIMessage)][-1]


def test_offline_graph_answers_the_question_asked(fitted) -> None:
    s = _offline(fitted)
    rec = s.ask("What is the ROI of TikTok?")
    assert rec["answer"].startswith("TikTok is not in the data")
    assert "Known channels: Meta Ads, Search, TV, YouTube." in rec["answer"]
    assert not any(c["name"] == "roi" for c in rec["tool_calls"]) and rec["grounded"]
    rec = s.ask("How much did we spend on TV in 2023?")
    truth = raw_spend(fitted.raw, "TV", "2023-01-01", "2023-12-31")
    assert rec["answer"].startswith(f"TV spend in 2023 (2023-01-02 to 2023-12-25): {truth:,.0f}")
    assert _final(s).additional_kwargs["question_check"] == {"ok": True, "attempts": 1}
    rec = s.ask("ROI North vs South")
    assert "North" in rec["answer"] and "South" in rec["answer"] and "East" not in rec["answer"]
    assert rec["tool_calls"][-1] == {"name": "roi", "args": {"geos": ["North", "South"]}}


class ScriptedModel(GenericFakeChatModel):
    """A tool-calling chat model replaying scripted responses (GenericFakeChatModel cannot bind tools)."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedModel:
        return self


def _scripted(fitted, script: list[AIMessage]) -> Session:
    model = ScriptedModel(messages=iter(script))
    return Session(fitted.store, graph=build_agent(fitted.store, model=model, checkpointer=InMemorySaver()))


def _call(name: str, args: dict) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"c_{name}", "type": "tool_call"}])


def test_a_model_answer_about_another_channel_is_sent_back_once(fitted) -> None:
    script = [
        _call("roi", {}),
        AIMessage(content="Meta Ads has the strongest return of your social channels."),
        AIMessage(content="TikTok is not in the data; the channels are Meta Ads, Search, TV and YouTube."),
    ]
    s = _scripted(fitted, script)
    rec = s.ask("What is the ROI of TikTok?")
    assert rec["answer"].startswith("TikTok is not in the data")
    check = _final(s).additional_kwargs["question_check"]
    assert check["ok"] and check["attempts"] == 2 and "TikTok" in check["rejected"][0]


def test_a_second_miss_is_replaced_not_sent(fitted) -> None:
    script = [
        _call("spend_by", {"by": "channel", "channels": ["TV"]}),
        AIMessage(content="TV spend is in the table above."),
        AIMessage(content="TV spend, all periods, is in the table above."),
    ]
    s = _scripted(fitted, script)
    rec = s.ask("How much did we spend on TV in 2023?")
    assert rec["answer"].startswith("I could not produce an answer to exactly what you asked")
    assert "2023" in rec["answer"] and rec["grounded"]
    check = _final(s).additional_kwargs["question_check"]
    assert check["replaced"] and not check["ok"]


def test_geographies_on_national_data_are_refused_not_answered_nationally(demo_fit) -> None:
    s = Session(demo_fit["store"], graph=build_agent(demo_fit["store"], checkpointer=InMemorySaver()))
    rec = s.ask("ROI North vs South")
    assert rec["answer"].startswith("North and South are not in the data")
    assert "The data is national: it has no geographies." in rec["answer"]
    assert not any(c["name"] == "roi" for c in rec["tool_calls"])
    rec = s.ask("What is the ROI of TV in Texas?")
    assert rec["answer"].startswith("TV and Texas are not in the data") and rec["grounded"]


def test_calls_must_compute_what_was_asked() -> None:
    from agent.question_check import check_calls

    q = parse_question("How much did we spend on TV in 2023?", CAT)
    window = {"start": "2023-01-01", "end": "2023-12-31", "label": "2023"}
    assert check_calls(q, [{"name": "spend_by", "args": {"channels": ["TV"], "windows": [window]}}]) == []
    # "In 2023, TV spend was …" over an all-years total: the answer names the year, the call never applied it.
    assert check_calls(q, [{"name": "spend_by", "args": {"channels": ["TV"]}}]) == [
        "spend_by was not computed over 2023"
    ]
    wide = {"start": "2022-01-01", "end": "2024-12-31"}
    assert check_calls(q, [{"name": "spend_by", "args": {"channels": ["TV"], "windows": [wide]}}])
    q = parse_question("What is the ROI of TikTok?", CAT)
    assert check_calls(q, [{"name": "roi", "args": {"channel": "Social"}}]) == [
        "roi computed Social, which the question does not ask about"
    ]
    assert check_calls(q, [{"name": "roi", "args": {}}]) == []  # the table, then the answer must refuse TikTok


def test_a_model_that_quotes_the_year_over_all_years_is_caught(fitted) -> None:
    script = [
        _call("spend_by", {"by": "channel", "channels": ["TV"]}),
        AIMessage(content="In 2023, TV spend is the figure in the table."),
        AIMessage(content="In 2023, TV spend is the figure in the table."),
    ]
    s = _scripted(fitted, script)
    rec = s.ask("How much did we spend on TV in 2023?")
    check = _final(s).additional_kwargs["question_check"]
    assert check["replaced"] and "spend_by was not computed over 2023" in check["rejected"]
    assert rec["answer"].startswith("I could not produce an answer to exactly what you asked")


def test_action_answers_are_not_data_answers() -> None:
    # "lock it because TV and Search were agreed": the lock's report need not be about TV.
    assert _ok("lock it because TV and Search were agreed", "Locked spec v2.", intent="lock")
    assert not _ok("What is TV's ROI?", "Search returned 2.10.", intent="roi")


def test_windows_that_tile_the_period_asked_compute_it() -> None:
    """ "Search ROI for each quarter of 2022": four quarters are 2022, computed; three of them, or quarters of
    another year, are not."""
    from agent.question_check import check_calls

    q = parse_question("Search ROI for each quarter of 2022", CAT)
    quarters = [
        {"start": f"2022-{m:02d}-01", "end": end, "label": f"Q{i + 1} 2022"}
        for i, (m, end) in enumerate([(1, "2022-03-31"), (4, "2022-06-30"), (7, "2022-09-30"), (10, "2022-12-31")])
    ]
    assert check_calls(q, [{"name": "roi", "args": {"channel": "Search", "windows": quarters}}]) == []
    assert check_calls(q, [{"name": "roi", "args": {"channel": "Search", "windows": quarters[:3]}}])
    gap = [quarters[0], quarters[1], quarters[3]]
    assert check_calls(q, [{"name": "roi", "args": {"channel": "Search", "windows": gap}}])
