"""Experiments in chat (issue 19, item 5a): "we ran a lift test on TV in the North: +120k sales on 50k extra spend,
±30k" is read into a test record (what is missing is asked back), stored for the dataset by the
``record_lift_test`` tool with the amendment rule stated; "what should we test next?" calls ``suggest_experiment``;
both answers are grounded."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from test_agent_fixtures import fitted_store

from agent.models.names import Catalog
from agent.models.router import route

CATALOG = Catalog(channels=("TV", "Search"), geographies=("North", "South"), start="2022-01-03", end="2024-12-30")
REPORT = "we ran a lift test on TV in the North: +120k sales on 50k extra spend, ±30k"


def test_the_lift_test_sentence_is_read_and_the_missing_window_asked_back() -> None:
    r = route(REPORT, ["TV", "Search"], catalog=CATALOG)
    assert r.intent == "clarify_lift_test" and any("when the test ran" in m for m in r.args["missing"])
    parsed = r.args["parsed"]
    assert (parsed["channel"], parsed["geography"], parsed["lift"], parsed["spend_change"], parsed["lift_se"]) == (
        "TV",
        "North",
        120_000,
        50_000,
        30_000,
    )
    full = route(REPORT.replace("North:", "North from 2023-03-06 to 2023-03-27:"), ["TV", "Search"], catalog=CATALOG)
    assert full.intent == "record_lift_test"
    assert (full.args["start"], full.args["end"]) == ("2023-03-06", "2023-03-27")
    assert "standard error" in full.args["source"]


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        (
            "We did a go-dark test of Search from 6 March 2023 to 27 March 2023: we withheld 40k spend and lost 60k "
            "sales (95% CI ±20k)",
            {"type": "go-dark", "spend_change": -40_000, "lift": -60_000, "lift_se": pytest.approx(20_000 / 1.96)},
        ),
        (
            "we ran a heavy-up test on TV in March 2023, +120k sales on 50k extra spend, standard error 30k",
            {"type": "heavy-up", "start": "2023-03-01", "end": "2023-03-31", "geography": "all", "lift_se": 30_000},
        ),
    ],
)
def test_other_phrasings_of_a_lift_test(text: str, fields: dict) -> None:
    r = route(text, ["TV", "Search"], catalog=CATALOG)
    assert r.intent == "record_lift_test", r
    assert {k: r.args[k] for k in fields} == fields


@pytest.mark.parametrize(
    "text",
    [
        "what should we test next?",
        "Which channel should we test first?",
        "what lift tests should we run?",
        "where should we run a lift test",
        "next experiment?",
    ],  # fmt: skip
)
def test_what_to_test_next_is_its_own_intent(text: str) -> None:
    assert route(text, ["TV", "Search"], catalog=CATALOG).intent == "suggest_test"


def test_results_questions_are_not_taken_for_experiments() -> None:
    for text in ("what is the ROI of TV?", "move 50k from TV to Search", "how sure are we about TV?"):
        assert route(text, ["TV", "Search"], catalog=CATALOG).intent not in ("record_lift_test", "suggest_test")


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    from agent.graph import build_agent
    from agent.session import Session

    fx = fitted_store(tmp_path_factory.mktemp("experiments_chat"))
    return Session(fx.store, graph=build_agent(fx.store, checkpointer=InMemorySaver())), fx


def _ask(session, text: str, **kw) -> dict:
    from agent.grounding import ungrounded

    rec = session.ask(text, **kw)
    msgs = session.state()["messages"]
    start = max(i for i, m in enumerate(msgs) if isinstance(m, HumanMessage))
    sources = [str(msgs[start].content)] + [m.content for m in msgs[start + 1 :] if isinstance(m, ToolMessage)]
    assert ungrounded(rec["answer"], sources) == [], rec["answer"]
    return rec


def test_chat_records_a_reported_test_and_suggests_the_next(session) -> None:
    from mmm_core.data.experiments import list_experiments

    chat, fx = session
    asked = _ask(chat, "we ran a lift test on Search: +30k sales on 20k extra spend, ±6k", fit_id=fx.fit_id)
    assert [c["name"] for c in asked["tool_calls"]] in ([], ["describe_dataset"]) and "when the test ran" in asked[
        "answer"
    ]
    rec = _ask(chat, "we ran a lift test on Search from 2022-02-28 to 2022-03-21: +30k sales on 20k extra spend, ±6k")
    assert [c["name"] for c in rec["tool_calls"]][-1] == "record_lift_test"
    (stored,) = list_experiments(fx.store, fx.dataset_id)
    assert stored["channel"] == "Search" and stored["lift"] == 30_000 and stored["lift_se"] == 6_000
    assert stored["experiment_id"] in rec["answer"] and "amendment" in rec["answer"] and "post hoc" in rec["answer"]
    nxt = _ask(chat, "what should we test next?", fit_id=fx.fit_id)
    assert [c["name"] for c in nxt["tool_calls"]][-1] == "suggest_experiment"
    assert "narrower" in nxt["answer"] or "failed its health review" in nxt["answer"]
