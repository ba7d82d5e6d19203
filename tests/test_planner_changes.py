"""An amendment request names its changes however it is phrased, and no answer prints "None" for an id.

A new user's "stop controlling for Holiday" was routed to an amendment but named no change, and the reply read
"Spec None has …" (the proposal path had no locked spec id in a fresh session).
"""

from __future__ import annotations

import pytest

from agent.models.changes import named_changes

SPEC = {"spec_id": "spec_0123456789", "channels": ["TV", "Google Search", "Radio"], "controls": ["Holiday", "Price"]}

NAMED = [
    ("stop controlling for Holiday", {"remove": ["Holiday"]}),
    ("take Holiday out of the model", {"remove": ["Holiday"]}),
    ("no longer adjust for Price", {"remove": ["Price"]}),
    ("we don't need to control for Holiday anymore", {"remove": ["Holiday"]}),
    ("refit without controlling for Price", {"remove": ["Price"]}),
    ("drop Holiday", {"remove": ["Holiday"]}),
    ("remove the Price control", {"remove": ["Price"]}),
    ("leave Price out", {"remove": ["Price"]}),
    ("change the model to drop Price", {"remove": ["Price"]}),
    ("drop Google Search", {"remove": ["Google Search"]}),
    ("add Holiday as a control", {"add_controls": ["Holiday"]}),
    ("add a Weather control because rain keeps shoppers home", {"add_controls": ["Weather"]}),
    ("control for Holiday too", {"add_controls": ["Holiday"]}),
    ("drop price and add Weather", {"remove": ["Price"], "add_controls": ["Weather"]}),
    ("set seasonality to 2", {"seasonality_order": 2}),
]


@pytest.mark.parametrize(("text", "expected"), NAMED)
def test_each_phrasing_names_its_change(text: str, expected: dict) -> None:
    assert named_changes(text, SPEC) == expected


def test_a_name_the_spec_lacks_is_reported_not_guessed() -> None:
    said = named_changes("drop TikTok", SPEC)
    assert isinstance(said, str) and "TikTok is not in spec spec_0123456789" in said


@pytest.mark.parametrize("spec_id", [None, ""])
def test_no_spec_id_is_never_printed_as_none(spec_id) -> None:
    said = named_changes("amend the spec", {**SPEC, "spec_id": spec_id})
    assert isinstance(said, str) and "None" not in said and "The model's data has channels TV" in said
    said = named_changes("drop TikTok", {**SPEC, "spec_id": spec_id})
    assert "None" not in said and "not in the model's data" in said


def test_the_chat_proposes_the_named_change(demo_fit: dict) -> None:
    """Through the offline agent, in a fresh session (no spec loaded yet): the proposal names the control."""
    from agent.session import Session

    for text, change in (("stop controlling for Holiday", "remove Holiday"), ("take Price out", "remove Price")):
        answer = Session(demo_fit["store"]).ask(text)["answer"]
        assert f"Proposed amendment of the locked spec: {change}." in answer and "None" not in answer, answer


NO_ID_QUESTIONS = [
    "amend the spec",
    "refit",
    "what specs have we tried?",
    "was anything changed after seeing results?",
    "what's the status of the fit?",
    "drop TikTok from the model",
    "set up a new model",
]


def test_no_answer_prints_none_for_an_id(demo_fit: dict) -> None:
    """Answers that name specs, fits, drafts and jobs, each in a fresh session (no id known to the session yet)."""
    from agent.session import Session

    for text in NO_ID_QUESTIONS:
        answer = Session(demo_fit["store"]).ask(text)["answer"]
        assert "None" not in answer, (text, answer)
