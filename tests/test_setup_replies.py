"""Guided setup reads free-text replies as a person writes them, and an aside does not end it.

Found by walking the setup as a new user: "keep all but Meta Ads" kept every channel (it starts with "keep"),
"…so skip Promo" set Promo as the only control, "hold out the last 8 weeks" was read as a carry-over setting
("last"), and an aside ("what is adstock?") ended the setup so the next "ok" was not understood.
"""

from __future__ import annotations

import pytest

from agent.models.setup import parse_carryover, parse_reply

CHANNELS = ["Google Search", "Meta Ads", "TV", "YouTube"]
CONTROLS = ["Holiday", "Price", "Promo"]
DRAFT = {"channels": CHANNELS, "controls": CONTROLS, "available": {"channels": CHANNELS, "controls": CONTROLS}}

REPLIES = [
    ("channels", "keep all but Meta Ads", {"channels": ["Google Search", "TV", "YouTube"]}),
    ("channels", "ok", {}),
    ("channels", "keep them all", {}),
    ("channels", "TV and YouTube", {"channels": ["TV", "YouTube"]}),
    ("channels", "drop Meta Ads", {"channels": ["Google Search", "TV", "YouTube"]}),
    ("controls", "the promo calendar is unreliable, so skip Promo", {"controls": ["Holiday", "Price"]}),
    ("controls", "keep all except Promo", {"controls": ["Holiday", "Price"]}),
    ("controls", "yes, Price only", {"controls": ["Price"]}),
    ("controls", "none", {"controls": []}),
    ("controls", "ok", {}),
    ("holdout", "hold out the last 8 weeks", {"holdout_periods": 8}),
]


@pytest.mark.parametrize(("step", "text", "expected"), REPLIES)
def test_a_free_text_reply_changes_what_it_says(step: str, text: str, expected: dict) -> None:
    assert parse_reply(step, text, DRAFT) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TV can carry over 12 weeks", {"TV": {"max_lag": 12}}),
        ("TV's effect will last 6 weeks", {"TV": {"max_lag": 6}}),
        ("YouTube's half-life is 2 weeks", {"YouTube": {"half_life": 2.0}}),
        ("hold out the last 8 weeks", None),  # a holdout, not a carry-over
    ],
)
def test_carry_over_statements(text: str, expected) -> None:
    assert parse_carryover(text, DRAFT) == expected


def test_a_carry_over_in_other_units_is_not_guessed() -> None:
    said = parse_carryover("TV's effect lasts about 3 months", DRAFT)
    assert isinstance(said, str) and "say it in weeks" in said


def test_an_aside_keeps_the_setup_going(demo_fit: dict) -> None:
    from agent.session import Session

    session = Session(demo_fit["store"])
    assert "KPI" in session.ask("set up a new model")["answer"]
    assert "channels" in session.ask("ok")["answer"]
    aside = session.ask("what is adstock?")
    assert [c["name"] for c in aside["tool_calls"]] == ["carryover"]
    rec = session.ask("keep all but Email")
    assert rec["tool_calls"][-1]["name"] == "edit_spec", rec
    assert rec["tool_calls"][-1]["args"]["channels"] == ["Local", "Search", "Social"]
    assert "controls" in rec["answer"]
