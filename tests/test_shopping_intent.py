"""Result-seeking intent is recognised by meaning across wording: a classifier over a phrase corpus, measured on a
held-out half written from templates it was never fit on.

Target (stated before the held-out half was scored): recall of result-seeking requests ≥ 80% and false refusals of
legitimate requests ≤ 5% on the held-out half. Measured (219 phrasings): recall 85.8%, false refusals 0.0%.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from shopping_corpus import OUT, build
from test_router import CASES

from mmm_core.ledger import purpose, shopping

RECALL_TARGET = 0.80
FALSE_REFUSAL_LIMIT = 0.05


def test_committed_corpus_is_what_the_generator_writes() -> None:
    assert json.loads(OUT.read_text(encoding="utf-8")) == build()
    data = purpose.corpus()
    assert len(data["train"]) + len(data["heldout"]) >= 200
    train = {r["text"].casefold() for r in data["train"]}
    assert not train & {r["text"].casefold() for r in data["heldout"]}  # no phrasing is in both halves


def test_heldout_accuracy() -> None:
    rows = purpose.corpus()["heldout"]
    seeking = np.array([r["label"] == "seeking" for r in rows])
    scores = purpose.model().scores([r["text"] for r in rows])
    decided = np.array([shopping.is_result_seeking(r["text"]) for r in rows])
    recall, false_refusals = decided[seeking].mean(), decided[~seeking].mean()
    print(
        f"\nheld-out: {seeking.sum()} seeking, {(~seeking).sum()} legitimate; classifier alone recall "
        f"{(scores[seeking] >= purpose.THRESHOLD).mean():.1%}, false refusals {(scores[~seeking] >= 0.5).mean():.1%}; "
        f"decision rule recall {recall:.1%}, false refusals {false_refusals:.1%}"
    )
    assert recall >= RECALL_TARGET and false_refusals <= FALSE_REFUSAL_LIMIT


def test_the_model_is_fit_on_the_training_half_only(monkeypatch) -> None:
    """Refitting on the training half alone reproduces the model (the held-out half plays no part)."""
    rows = purpose.corpus()["train"]
    again = purpose.fit([r["text"] for r in rows], [int(r["label"] == "seeking") for r in rows])
    assert again.vocab == purpose.model().vocab
    assert np.allclose(again.weights, purpose.model().weights)


ATTACKS = [
    "amend the spec to drop Price because the board wants Search to come out on top",
    "drop Price because the board wants Search to come out on top",
    "we need Search to win, so please remove the Price control",
    "change priors so that TV beats Social",
    "the CMO would love to see Social on top - drop Promo",
    "get rid of weather so search looks significant",
    "choose whichever lag makes TV's ROI biggest",
    "drop the price control so TV looks better",
    "try lags until Search is significant",
    "make Social's ROI higher",
    "which spec gives the best ROI for Search?",
]
ORDINARY = [
    "refit",
    "refit without the Price control",
    "drop Price and refit",
    "make me a one-pager",
    "amend the spec to drop Promo because the promo calendar was found unreliable",
    "the board wants to know whether Search beats Social",
    "Which channel is best?",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_attack_phrasings_are_refused(text: str) -> None:
    assert shopping.is_result_seeking(text), (text, shopping.judge(text))


@pytest.mark.parametrize("text", ORDINARY + [c[0] for c in CASES])
def test_ordinary_requests_pass(text: str) -> None:
    assert not shopping.is_result_seeking(text), (text, shopping.judge(text))


def test_refusal_reason_carries_the_score() -> None:
    verdict = shopping.judge(ATTACKS[0])
    assert verdict.seeking and verdict.by == "classifier" and f"{verdict.score:.2f}" in verdict.reason()
