"""Fast checks of the issue-17 understanding rules, below the graph: impossible what-ifs, negations the spelling
corrector must keep, seasons, the KPI's own name, P(ROI > x) and the answers that leave channels out."""

from __future__ import annotations

import pytest

from agent.models import answers, spelling
from agent.models.amounts import parse_moves
from agent.models.impossible import impossible_move
from agent.models.router import intent_bearing, route
from agent.models.when import parse_when

C = ["TV", "Radio", "Print", "Search", "Social"]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("move 100k from TV to TV", "from TV to TV"),
        ("reallocate half of tv to tv", "from TV to TV"),
        ("cut radio by 200%", "at most all"),
        ("what if we spend -10k on print", "cannot be negative"),
    ],
)
def test_impossible_what_ifs_are_refused_before_computing(text: str, why: str) -> None:
    r = route(text, C)
    assert r.intent == "impossible" and why in r.args["reason"]


def test_possible_what_ifs_are_not_refused() -> None:
    for text in ("move 100k from TV to Radio", "cut radio by 20%", "what if we spend 10k more on print"):
        assert route(text, C).intent == "scenario", text
        assert impossible_move(text, parse_moves(text, C), C) is None


def test_taking_money_from_one_channel_is_a_cut() -> None:
    assert parse_moves("take 500k from print", C) == [{"channel": "Print", "amount": -500000.0}]


def test_a_negating_prefix_is_never_corrected_away() -> None:
    assert spelling.correct("which channels are unprofitable") == "which channels are unprofitable"
    assert route("which channels are unprofitable", C).intent == "payback"


def test_seasons_are_windows() -> None:
    w = parse_when("revenue in summer 2022", "2021-01-04", "2023-12-25").args
    assert [(x["start"], x["end"]) for x in w] == [("2022-06-01", "2022-08-31")]


def test_the_kpi_name_is_not_masked_as_a_request() -> None:
    assert intent_bearing(["Sales", "Refit the model now"]) == ["Refit the model now"]


@pytest.mark.parametrize(
    ("text", "above", "threshold"),
    [
        ("what is the probability TV's ROI is above 1?", True, 1.0),
        ("how likely is it that tv pays back?", True, 1.0),
        ("what are the chances tv has an roi below 2?", False, 2.0),
    ],
)
def test_roi_odds_read_from_the_posterior_draws(text: str, above: bool, threshold: float) -> None:
    r = route(text, C)
    assert r.intent == "roi_probability" and (r.args["above"], r.args["threshold"]) == (above, threshold)
    assert "FROM roi_draws WHERE channel = 'TV'" in r.args["sql"]


def _stats(m: float) -> dict[str, float]:
    return {"mean": m, "lo": m / 2, "hi": m * 2, "median": m, "sd": 0.1}


def test_tables_leave_out_the_excluded_channels_and_say_so() -> None:
    r = route("ROI of everything except TV", C)
    assert r.intent == "roi" and r.args == {"exclude": ["TV"]}
    result = {"channels": {c: {"roi": _stats(2.0), "spend": 1.0, "contribution": _stats(2.0)} for c in C}}
    text = answers.compose("roi", result, {"intent": "roi", "args": r.args}, C)
    assert text.startswith("Leaving out TV as asked.") and "- TV:" not in text and "- Radio:" in text


def test_headroom_ranks_by_marginal_roi() -> None:
    assert route("which channel has the most room to grow?", C).intent == "headroom"
    result = {
        "channels": {
            "TV": {"roi": _stats(2.0), "mroi": _stats(0.5)},
            "Radio": {"roi": _stats(1.0), "mroi": _stats(0.9)},
        }
    }
    text = answers.compose("roi", result, {"intent": "headroom", "args": {}}, C)
    assert text.startswith("Radio has the most room to grow") and text.index("- Radio") < text.index("- TV")


def test_long_term_and_controls_questions_reach_their_tools() -> None:
    assert route("what is TV's long-term effect?", C).args == {"channel": "TV"}
    assert route("how much of Search's value is brand-building?", C).intent == "long_term"
    assert route("which controls matter?", C).intent == "controls"
    assert route("which controls do we have", C).intent == "describe"
