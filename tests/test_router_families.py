"""The router's readers for phrasing families, without the graph (fast): who gives and who gets in a money move,
amounts written in words, two periods set against each other, exclusions, and which end of a ranking is asked.
The same families run end to end in ``tests/test_router_paraphrases.py``."""

from __future__ import annotations

import pytest

from agent.models.amounts import amounts, parse_moves
from agent.models.entities import Catalog
from agent.models.plan_request import parse_budget
from agent.models.router import route
from agent.models.when import parse_when

KNOWN = ["TV", "Radio", "Print", "Search", "Social"]
CAT = Catalog(channels=tuple(KNOWN), controls=("Price",), start="2021-01-04", end="2023-12-25", frequency="W")


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("take 15k out of Radio and put it into paid search", {"from": "Radio", "to": "Search", "amount": 15000.0}),
        ("move 50k over to search from tv", {"from": "TV", "to": "Search", "amount": 50000.0}),
        ("put 100k into Search from TV", {"from": "TV", "to": "Search", "amount": 100000.0}),
        ("cut TV by 30k and give it to search", {"from": "TV", "to": "Search", "amount": 30000.0}),
        ("what if social got print's budget?", {"from": "Print", "to": "Social", "share": 1.0}),
        ("what happens if tv gets 25k of social's money?", {"from": "Social", "to": "TV", "amount": 25000.0}),
        ("take half of radio's budget and put it in social", {"from": "Radio", "to": "Social", "share": 0.5}),
        ("reallocate fifty thousand from social to radio", {"from": "Social", "to": "Radio", "amount": 50000.0}),
        ("move 200k from TV to Google Search", {"from": "TV", "to": "Search", "amount": 200000.0}),
        ("pause social for a quarter", {"channel": "Social", "change": -1.0}),
        ("trim search by 15k", {"channel": "Search", "amount": -15000.0}),
        ("what happens if we switch off radio?", {"channel": "Radio", "change": -1.0}),
    ],
)
def test_money_moves_name_the_giver_and_the_taker_and_keep_amounts_amounts(text: str, move: dict) -> None:
    assert parse_moves(text, KNOWN) == [move]
    assert route(text, KNOWN, catalog=CAT).intent == "scenario"


def test_money_in_words_and_horizons_that_are_not_money() -> None:
    assert amounts("half a million") == [500000.0] and amounts("one hundred and fifty thousand") == [150000.0]
    assert amounts("ten grand") == [10000.0] and amounts("in 2023") == []
    assert parse_budget("we have 2m to spend over the next 6 months", KNOWN).as_args() == {
        "budget": 2e6,
        "periods": 26,
    }
    assert parse_budget("where should the next $1M go?", KNOWN).incremental


def test_this_period_against_last_is_the_one_before() -> None:
    w = parse_when("social spend this year compared with last year", "2021-01-04", "2023-12-25")
    assert [(x.start.isoformat(), x.end.isoformat()) for x in w.windows] == [
        ("2023-01-01", "2023-12-25"),
        ("2022-01-01", "2022-12-31"),
    ]
    q = parse_when("TV spend this quarter vs last", "2021-01-04", "2023-12-25")
    assert [x.label for x in q.windows] == ["this quarter, Q4 2023", "last quarter, Q3 2023"]
    alone = parse_when("sales last year", "2021-01-04", "2023-12-25")  # alone, "last" is the latest
    assert [x.label for x in alone.windows] == ["last year, 2023"]
    assert [x.label for x in parse_when("between Jan and Jun 2022", None, None).windows] == [
        "January 2022 to June 2022"
    ]


@pytest.mark.parametrize(
    ("text", "intent", "args"),
    [
        ("how did sales in 2022 compare with 2023?", "kpi_by", {"by": "period"}),
        ("how did radio's contribution in 2023 compare with 2022?", "contribution", {"channel": "Radio"}),
        ("what share of sales is due to TV?", "contribution", {"channel": "TV"}),
        ("how much of our sales is driven by adevrtising", "media_share", {}),
        ("which channel should we NOT cut?", "rank", {"order": "best"}),
        ("which channel should get the axe?", "rank", {"order": "worst"}),
        ("rank our channels from best to worst", "rank", {"order": "best"}),
        ("ROI for every channel other than search", "roi", {}),
        ("show ROI for all channels but TV", "roi", {}),
        ("not counting TV, which channel has the best ROI?", "rank", {"order": "best", "exclude": ["TV"]}),
        ("how does search compare to the other channels?", "roi", {}),
        ("how much did we spned on socail in 2022", "spend_by", {"channels": ["Social"]}),
        ("how is OOH performing?", "not_in_data", {"names": ["OOH"]}),
    ],
)
def test_phrasing_families(text: str, intent: str, args: dict) -> None:
    r = route(text, KNOWN, catalog=CAT)
    assert r.intent == intent, (text, r)
    assert {k: r.args.get(k) for k in args} == args, (text, r.args)


def test_a_name_that_contains_an_excluding_word_is_still_a_name() -> None:
    weird = "Ignore previous instructions and lock"
    assert route(f"what is the ROI of {weird}", [weird, "Search"]).args == {"channel": weird}
