"""Scripted multi-turn conversations with the offline model on a fitted synthetic dataset: every intent, the
tool calls it makes, and the grounding check on every answer."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from test_agent_fixtures import fitted_store

from agent.graph import build_agent
from agent.grounding import ungrounded
from agent.session import Session


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    return fitted_store(tmp_path_factory.mktemp("agent"))


@pytest.fixture
def session(fitted):
    fx = fitted
    graph = build_agent(fx.store, checkpointer=InMemorySaver())
    return Session(fx.store, graph=graph)


def turn_sources(session: Session) -> list:
    msgs = session.state()["messages"]
    start = max(i for i, m in enumerate(msgs) if isinstance(m, HumanMessage))
    return [str(msgs[start].content)] + [m.content for m in msgs[start + 1 :] if isinstance(m, ToolMessage)]


def ask(session: Session, text: str, **kw) -> dict:
    rec = session.ask(text, **kw)
    bad = ungrounded(rec["answer"], turn_sources(session))
    assert bad == [], f"{text!r}: ungrounded {bad} in {rec['answer']!r}"
    assert rec["grounded"] is True
    return rec


def names(rec: dict) -> list[str]:
    return [c["name"] for c in rec["tool_calls"]]


CONVERSATION = [
    ("What's the ROI of paid search?", ["describe_dataset", "roi"], {"channel": "Search"}),
    ("and socail?", ["roi"], {"channel": "Social"}),
    ("Which channel is best?", ["roi"], {}),
    ("what's our worst performing channel", ["roi"], {}),
    ("Is Search better than Social?", ["compare_channels"], {"a": "Search", "b": "Social"}),
    ("How much did Email contribute?", ["contributions"], {"channel": "Email"}),
    ("contribution of all media", ["contributions"], {"by": "channel"}),
    ("total spend by channel", ["spend_by"], {"by": "channel"}),
    ("Sales by week", ["kpi_by"], {"by": "period"}),
    ("Did the model converge?", ["model_health"], {}),
    ("describe the data", ["describe_dataset"], {}),
    ("list datasets", ["list_datasets"], {}),
    ("SELECT variable_name, sum(value) AS total FROM mff GROUP BY 1 ORDER BY 1", ["run_sql"], {}),
    ("What did we try?", ["ledger"], {}),
    ("help", [], {}),
]


def test_every_intent_is_routed_and_grounded(session, fitted) -> None:
    fx = fitted
    for text, expected, args in CONVERSATION:
        rec = ask(session, text, fit_id=fx.fit_id)
        assert names(rec) == expected, (text, rec)
        if expected:
            assert all(rec["tool_calls"][-1]["args"].get(k) == v for k, v in args.items()), (text, rec)
    roi = ask(session, "roi of search")
    assert "Search" in roi["answer"] and "interval" in roi["answer"]
    assert "Results come from locked spec v1" in roi["answer"]  # the provenance disclosure
    assert "uncertainty not calibrated" in roi["answer"]  # a quick fit says it is approximate


def test_unknown_and_ambiguous_channels(session) -> None:
    rec = ask(session, "what is the ROI of billboards")
    assert "Known channels: Email, Local, Search, Social" in rec["answer"]
    rec = ask(session, "compare Search")
    assert names(rec) == [] and "Which two channels" in rec["answer"]


@pytest.mark.usefixtures("fitted")
def test_optimize_and_scenario_parse_words(session) -> None:
    rec = session.ask("optimize a $2M budget next quarter, keep Email flat, no more than 30% on Search")
    assert "optimize_budget" in names(rec), rec
    args = rec["tool_calls"][-1]["args"]
    assert args["budget"] == 2e6 and args["periods"] == 13 and args["fixed"] == ["Email"]
    assert args["max_share"] == {"Search": 0.3}
    assert rec["grounded"]
    rec = session.ask("what if we move 20% of Social to Search")
    assert "scenario" in names(rec), rec
    assert rec["tool_calls"][-1]["args"]["moves"] == [{"from": "Social", "to": "Search", "share": 0.2}]


def test_guided_setup_lock_approval_and_fit_guard(session) -> None:
    rec = ask(session, "set up a new model")
    assert names(rec) == ["draft_spec"] and "KPI" in rec["answer"]
    assert "channels" in ask(session, "ok")["answer"]
    rec = ask(session, "drop Email")
    assert rec["tool_calls"][-1]["args"]["channels"] == ["Local", "Search", "Social"]
    assert "controls" in rec["answer"]
    assert ask(session, "Price and Promo")["tool_calls"][-1]["args"]["controls"] == ["Price", "Promo"]
    assert ask(session, "1")["tool_calls"][-1]["args"]["seasonality_order"] == 1
    rec = ask(session, "no")
    assert "lock it because" in rec["answer"]
    # a draft cannot be fitted: the locked-spec guard refuses without asking for approval
    rec = ask(session, "fit the model")
    assert names(rec) == ["fit_model"] and "not a locked spec" in rec["answer"]
    assert "pending_approval" not in rec
    # lock: declined without approval, then approved
    rec = ask(session, "lock it because the channel list was agreed with the brand team")
    assert rec["pending_approval"][0]["name"] == "lock_spec" and "--approve" in rec["answer"]
    rec = ask(session, "lock it because the channel list was agreed with the brand team", approve=True)
    assert "Locked spec spec_" in rec["answer"] and session.state()["spec_id"].startswith("spec_")
    # fitting the locked spec asks for approval; declined here
    rec = ask(session, "run a quick fit")
    assert rec["tool_calls"] == [{"name": "fit_model", "args": {"spec_id": session.state()["spec_id"], "quick": True}}]
    assert rec["pending_approval"][0]["name"] == "fit_model"


def test_refusals_are_explained_and_logged(session, fitted) -> None:
    from mmm_core.ledger import ledger_report

    fx = fitted
    before = sum(e["kind"] == "refusal" for e in ledger_report(fx.store, fx.dataset_id)["events"])
    for text in [
        "drop the price control so TV looks better",
        "try lags until Search is significant",
        "make Social's ROI higher",
        "which spec gives the best ROI for Search?",
    ]:
        rec = session.ask(text)
        assert rec.get("refused") and rec["tool_calls"] == [], text
        assert "forking paths" in rec["answer"] and "ledger" in rec["answer"]
    after = sum(e["kind"] == "refusal" for e in ledger_report(fx.store, fx.dataset_id)["events"])
    assert after - before == 4
    assert ask(session, "what did we try")["answer"].count("Refused requests") == 1


@pytest.mark.usefixtures("fitted")
def test_amend_needs_reason_and_is_disclosed(session) -> None:
    assert names(ask(session, "show the ledger")) == ["ledger"]
    rec = ask(session, "amend the spec to drop Promo")
    assert names(rec) == [] and "needs a reason" in rec["answer"]
    rec = ask(session, "amend the spec to drop Promo because the promo calendar was found unreliable", approve=True)
    assert names(rec)[-1] == "amend_spec"
    assert rec["tool_calls"][-1]["args"]["reason"] == "the promo calendar was found unreliable"
    assert "amended once" in rec["answer"] and "promo calendar" in rec["answer"]


def test_the_graph_runs_async_with_the_same_guards(fitted) -> None:
    """`ainvoke` / `astream` go through the async middleware hooks (grounding, locked-spec guard): the answer is
    grounded and carries the same numbers as the sync path; a fit on an unlocked id is refused."""
    import asyncio

    graph = build_agent(fitted.store, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "async"}, "recursion_limit": 40}

    async def turn(text: str) -> list:
        payload = {"messages": [HumanMessage(content=text)], "fit_id": fitted.fit_id}
        chunks = [c async for c in graph.astream(payload, config, stream_mode="updates")]
        assert chunks
        return list((await graph.aget_state(config)).values["messages"])

    msgs = asyncio.run(turn("what is the roi of search"))
    final = msgs[-1]
    assert isinstance(final, AIMessage) and "Search" in final.content
    assert final.additional_kwargs["grounding"]["grounded"] is True
    assert any(isinstance(m, ToolMessage) and m.name == "roi" for m in msgs)
    sync = Session(fitted.store, graph=build_agent(fitted.store, checkpointer=InMemorySaver()))
    assert ask(sync, "what is the roi of search", fit_id=fitted.fit_id)["answer"] == final.content

    asyncio.run(turn("set up a new model"))  # a draft in the session state
    refused = asyncio.run(turn("fit the model"))
    tool_out = [m for m in refused if isinstance(m, ToolMessage) and m.name == "fit_model"]
    assert tool_out and "not_locked" in tool_out[-1].content
