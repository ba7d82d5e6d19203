"""The shopping guard lets plain reading and decision questions through, and nothing that names a result to obtain.

The classifier over the shopping corpus scores some questions about results as result-seeking ("top performing
media?", "what should we cut first?"): they name a result but change no model, setting or fit, so they cannot
choose a spec by its results. ``mmm_core.ledger.shopping.judge`` reads the classifier only for a sentence that
changes or chooses the model; every result-seeking phrasing of the corpus (both halves) the rule caught before and
every attack of the shopping tests must still be refused by the guard (``agent.guards.shopping_verdict``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_shopping_intent import ATTACKS, DECISIONS, SPEC_SHOPPING

from agent.guards import shopping_verdict
from mmm_core.ledger.purpose import THRESHOLD, names_a_result, seeking_score

CORPUS = Path(__file__).resolve().parents[1] / "prompts" / "shopping" / "corpus.json"
NAMES = ["TV", "Radio", "Print", "Search", "Social", "Price", "Promo", "Holiday", "Sales", "Google Search"]
# Questions the classifier alone scores as seeking (a result word and a high score), asking for no model change.
READING = [
    "top performing media?",
    "radio against tv: who wins on ROI?",
    "which market performs best for TV?",
    "what should we cut first?",
]


def _refused(text: str) -> bool:
    """The guard's decision (agent.guards.ShoppingGuard.before_model)."""
    return shopping_verdict(text, NAMES).seeking


@pytest.mark.parametrize("text", READING)
def test_reading_questions_the_classifier_scored_as_seeking_pass(text: str) -> None:
    assert seeking_score(text) >= THRESHOLD and names_a_result(text), "no longer a classifier false positive"
    assert not _refused(text)


@pytest.mark.parametrize("text", DECISIONS)
def test_decision_questions_pass_the_guard(text: str) -> None:
    assert not _refused(text), shopping_verdict(text, NAMES)


@pytest.mark.parametrize("text", SPEC_SHOPPING)
def test_spec_shopping_is_refused_by_the_guard(text: str) -> None:
    assert _refused(text), shopping_verdict(text, NAMES)


def test_every_result_seeking_phrasing_is_still_refused() -> None:
    data = json.loads(CORPUS.read_text())
    seeking = [i["text"] for half in ("train", "heldout") for i in data[half] if i["label"] == "seeking"]
    caught = [t for t in seeking if _refused(t)]
    assert len(caught) >= 0.9 * len(seeking)
    assert all(_refused(t) for t in ATTACKS)
