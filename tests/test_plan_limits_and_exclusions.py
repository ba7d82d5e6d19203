"""Limits on every channel alike ("at least 10k on every channel") are limits, never the budget; a channel named to
be left out ("don't show me TV", "Search but not Social") is left out, and the answer says so."""

from __future__ import annotations

import pytest
from router_support import CHANNELS, route_in_world

from agent.models.answers import _left_out, _with_left_out, compose
from agent.models.plan_request import parse_budget


@pytest.mark.parametrize(
    ("q", "side", "value"),
    [
        ("what's the best allocation if we can't go below 10k on any channel?", 0, 10000.0),
        ("optimise the budget with at least 10k on every channel", 0, 10000.0),
        ("plan next quarter, minimum 20k per channel", 0, 20000.0),
        ("best mix with no more than 150k on each channel", 1, 150000.0),
        ("optimize, but no channel can exceed 200k", 1, 200000.0),
    ],
)
def test_a_limit_on_every_channel_bounds_each_and_is_not_the_budget(q: str, side: int, value: float) -> None:
    r = route_in_world(q)
    assert r.intent == "optimize" and r.args.get("budget") is None, r
    assert set(r.args["bounds"]) == set(CHANNELS)
    assert all(b[side] == value and b[1 - side] is None for b in r.args["bounds"].values())


def test_a_share_limit_on_every_channel_beside_a_budget() -> None:
    req = parse_budget("optimize 2 million, no channel above 40%", CHANNELS)
    assert req.budget == 2_000_000 and req.max_share == dict.fromkeys(CHANNELS, 0.4)


@pytest.mark.parametrize(
    ("q", "floor"),
    [("optimize but TV can't go below 50k", True), ("optimize the budget but keep TV at least 100k", True)],
)
def test_a_negated_ceiling_word_is_a_floor(q: str, floor: bool) -> None:
    [(lo, hi)] = route_in_world(q).args["bounds"].values()
    assert (lo is not None and hi is None) == floor


@pytest.mark.parametrize(
    ("q", "left_out", "kept"),
    [
        ("don't show me TV, just the other channels' ROI", ["TV"], []),
        ("ROI for search but not social", ["Social"], ["Search"]),
        ("how much did we spend on search but not social in 2023", ["Social"], ["Search"]),
    ],
)
def test_a_channel_left_out_is_said_to_be_left_out(q: str, left_out: list[str], kept: list[str]) -> None:
    r = route_in_world(q)
    assert r.args.get("exclude") == left_out and r.channels == kept, r
    meta = {"args": r.args}
    assert _left_out(meta, kept) == set(left_out)
    assert _with_left_out(_left_out(meta, kept), "table").startswith(f"Leaving out {left_out[0]} as asked.")


def test_a_channel_nobody_cares_about_is_left_out() -> None:
    r = route_in_world("I don't care about print, what about the rest?")
    assert r.intent == "roi" and r.args.get("exclude") == ["Print"] and r.channels == [], r


@pytest.mark.parametrize(
    ("q", "only"),
    [
        ("what's the ROI of tv and radio?", {"TV", "Radio"}),
        ("compare social vs print vs radio", {"Social", "Print", "Radio"}),
    ],
)
def test_the_roi_table_of_channels_named_holds_those_rows(q: str, only: set[str]) -> None:
    r = route_in_world(q)
    assert r.intent == "roi" and set(r.args["only"]) == only, r
    iv = {"mean": 1.0, "lo": 0.5, "hi": 1.5}
    table = {c: {"roi": iv, "contribution": iv, "spend": 1.0} for c in CHANNELS}
    text = compose("roi", {"channels": table}, {"args": r.args, "intent": "roi"}, CHANNELS)
    assert all(c in text for c in only) and not any(f"- {c}:" in text for c in set(CHANNELS) - only), text


@pytest.mark.parametrize(
    "q", ["what isn't working?", "which channel has no effect?", "which channels are ineffective?"]
)
def test_what_is_not_working_is_the_break_even_check(q: str) -> None:
    assert route_in_world(q).intent == "payback"


@pytest.mark.parametrize(
    ("q", "change"),
    [
        ("if the budget doubles, how should it be split?", 1.0),
        ("how would you allocate double the budget?", 1.0),
        ("with half the budget, what would you keep?", -0.5),
    ],
)
def test_a_budget_changed_by_a_multiple_is_planned_at_that_multiple(q: str, change: float) -> None:
    r = route_in_world(q)
    assert r.intent == "optimize" and r.args.get("budget_change") == change, r


@pytest.mark.parametrize(
    "q",
    [
        "give me a plan that keeps TV flat",
        "plan the budget keeping TV flat",
        "reallocate the budget but leave TV as is",
    ],
)
def test_a_plan_with_a_channel_held_is_a_plan(q: str) -> None:
    r = route_in_world(q)
    assert r.intent == "optimize" and r.args.get("fixed") == ["TV"], r


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("TV vs radio saturation", "headroom"),
        ("which of tv or search has higher marginal ROI?", "headroom"),
        ("how do search and social compare on contribution?", "contribution"),
    ],
)
def test_two_channels_set_side_by_side_keep_those_two_rows(q: str, intent: str) -> None:
    r = route_in_world(q)
    assert r.intent == intent and len(r.args["only"]) == 2 and set(r.args["only"]) == set(r.channels), r
