"""Asking whether the model was tuned after seeing results is a question for the ledger, never itself refused as
specification shopping; asking to tune it still is."""

from __future__ import annotations

import pytest
from router_support import route_in_world

from mmm_core.ledger.shopping import judge


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("did anyone tweak the model to get better numbers?", "disclosure"),
        ("was the model specification decided before looking at results?", "disclosure"),
        ("have we changed the priors?", "disclosure"),
        ("has the team changed the spec so TV wins?", "disclosure"),
        ("is this the first model we built?", "ledger"),
    ],
)
def test_questions_about_what_was_done_go_to_the_ledger(q: str, intent: str) -> None:
    assert route_in_world(q).intent == intent
    assert not judge(q).seeking


@pytest.mark.parametrize("q", ["tweak the model to get better numbers for TV", "can you change the priors so TV wins?"])
def test_asking_for_the_tuning_is_still_shopping(q: str) -> None:
    assert judge(q).seeking


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("which channels are in the model?", "show_spec"),
        ("what controls are included?", "show_spec"),
        ("which channels are in the data?", "describe"),
    ],
)
def test_what_the_model_holds_is_the_spec_not_the_dataset(q: str, intent: str) -> None:
    assert route_in_world(q).intent == intent
