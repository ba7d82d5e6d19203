"""The shopping guard lets plain reading questions through, and nothing that names a result to obtain.

The classifier over the shopping corpus scores some questions about results as result-seeking ("top performing
media?"): they name a result but ask for no model, setting or change, so they cannot choose a spec by its results.
``agent.guards.reads_results_only`` lets exactly those pass; every result-seeking phrasing of the corpus (both
halves) and every attack of the shopping tests must still be refused by the guard's rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_shopping_intent import ATTACKS

from agent.guards import reads_results_only
from mmm_core.ledger.shopping import judge

CORPUS = Path(__file__).resolve().parents[1] / "prompts" / "shopping" / "corpus.json"
NAMES = ["TV", "Radio", "Print", "Search", "Social", "Price", "Promo", "Holiday", "Sales"]
READING = ["top performing media?", "radio against tv: who wins on ROI?", "which market performs best for TV?"]


def _refused(text: str) -> bool:
    """The guard's decision (agent.guards.ShoppingGuard.before_model)."""
    verdict = judge(text)
    return verdict.seeking and not (verdict.by == "classifier" and reads_results_only(text, NAMES))


@pytest.mark.parametrize("text", READING)
def test_reading_questions_the_classifier_scored_as_seeking_pass(text: str) -> None:
    assert judge(text).seeking, "no longer a classifier false positive: this test is moot"
    assert not _refused(text)


def test_every_result_seeking_phrasing_is_still_refused() -> None:
    data = json.loads(CORPUS.read_text())
    seeking = [i["text"] for half in ("train", "heldout") for i in data[half] if i["label"] == "seeking"]
    caught = [t for t in seeking if judge(t).seeking]  # the guard never refuses more than the classifier did
    assert len(caught) >= 0.9 * len(seeking)
    assert not [t for t in caught if not _refused(t)]
    assert all(_refused(t) for t in ATTACKS)
