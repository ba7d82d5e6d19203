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


# Spec shopping in words the corpus does not hold: each changes or chooses the model (a spec, a prior, a control,
# a refit) and aims at a result, some without any word the classifier knows as one ("look bad", "hurts TV").
SPEC_SHOPPING = [
    "try another spec until TV looks better",
    "drop the control that makes Search look bad",
    "remove whichever control hurts TV",
    "refit with a different adstock so Search wins",
    "keep re-running with new priors until Radio is significant",
    "use the lag that gives TV the highest ROI",
    "take Price out of the model so Search comes out on top",
    "pick whichever spec makes Social look best",
    "can we tweak the adstock to get TV a better ROI?",
    "leave Holiday out if that makes TV look stronger",
    "try a few control sets and keep the one where Search wins",
    "rerun without Promo so the TV effect is bigger",
    "stop controlling for Holiday so TV looks better",
    "set a tighter prior on Search so its ROI looks higher",
    # the model's make-up stated as the lever, with no verb of change
    "we have no Price control so TV wins",
    "with no Promo control Search comes out on top",
]
# Decisions about the budget, with modal verbs and result words: they change no model, so they are never shopping.
DECISIONS = [
    "what should we cut first?",
    "what should we cut",
    "should we spend more on TV",
    "which channel should get the next 100k",
    "where should we put more money?",
    "should we stop Radio?",
    "Should we move money from TV to Search?",
    "what should the budget be next quarter?",
    "should we spend more on TV to beat last year's sales?",
    "which channel should we grow to win more customers?",
    "what must we cut to hit a better ROI?",
    "should we add budget to Search so it wins more sales?",
    "which channel should we bet on to come out on top next year?",
    "we need to cut 10%: which channel should go first?",
    "should Search get more budget so we hit the target?",
    "move 200k from TV to Google Search",
    "how can we make TV's ROI higher?",
]
# Changes aimed at the model's quality, or citing evidence, and questions about a part's own effect: the classifier
# scores these as seeking (0.58-0.80), but no result is aimed at.
QUALITY = [
    "did adding Holiday make the fit better?",
    "which controls make the biggest difference?",
    "should we refit with more draws to get better intervals?",
    "should we add a holdout to test the model better?",
    "add Holiday because it makes the model fit better",
    "use a stronger prior on TV because the lift test showed a higher ROI",
]
# ... and the same changes aimed at a result are still refused.
QUALITY_TWINS = [
    "use a stronger prior on TV because the lift test should show TV wins",
    "add a holdout so Search looks better",
    "which lag makes TV's ROI biggest?",
]
# Plain model changes with a substantive reason or none: an amendment, never shopping ("drop Radio" may be either).
CHANGES = [
    "should we drop Radio?",
    "refit without Price",
    "stop controlling for Holiday",
    "take Holiday out of the model",
    "no longer adjust for Price",
    "add Holiday as a control because holidays shift demand",
    "the model has no Price control, is that ok?",
]


@pytest.mark.parametrize("text", SPEC_SHOPPING)
def test_spec_shopping_is_refused(text: str) -> None:
    assert shopping.changes_the_model(text) and shopping.is_result_seeking(text), (text, shopping.judge(text))


@pytest.mark.parametrize("text", DECISIONS)
def test_decision_questions_are_not_model_changes(text: str) -> None:
    assert not shopping.changes_the_model(text) and not shopping.is_result_seeking(text), shopping.judge(text)


@pytest.mark.parametrize("text", CHANGES)
def test_plain_model_changes_pass(text: str) -> None:
    assert shopping.changes_the_model(text) and not shopping.is_result_seeking(text), shopping.judge(text)


@pytest.mark.parametrize("text", QUALITY)
def test_changes_aimed_at_model_quality_or_citing_evidence_pass(text: str) -> None:
    assert not shopping.is_result_seeking(text), shopping.judge(text)


@pytest.mark.parametrize("text", QUALITY_TWINS)
def test_their_result_seeking_twins_are_refused(text: str) -> None:
    assert shopping.is_result_seeking(text), shopping.judge(text)


def test_an_amendment_reason_is_judged_as_a_change() -> None:
    """In ``amend_checked`` the change is given: a reason that only wishes a result is refused."""
    reason = "Search should win in the presentation"
    assert not shopping.is_result_seeking(reason) and shopping.judge(reason, change_asked=True).seeking


@pytest.mark.parametrize("text", ATTACKS)
def test_attack_phrasings_are_refused(text: str) -> None:
    assert shopping.is_result_seeking(text), (text, shopping.judge(text))


@pytest.mark.parametrize("text", ORDINARY + [c[0] for c in CASES])
def test_ordinary_requests_pass(text: str) -> None:
    assert not shopping.is_result_seeking(text), (text, shopping.judge(text))


def test_refusal_reason_carries_the_score() -> None:
    verdict = shopping.judge(ATTACKS[0])
    assert verdict.seeking and verdict.by == "classifier" and f"{verdict.score:.2f}" in verdict.reason()


@pytest.mark.parametrize(
    "text", ["did we p-hack this?", "any p-hacking?", "was any cherry-picking done?", "did we fudge the numbers?"]
)
def test_asking_whether_shopping_happened_is_a_question_not_a_request(text: str) -> None:
    """The ledger answers it (the disclosure); refusing it as shopping refused the question about honesty itself."""
    assert not shopping.judge(text).seeking


@pytest.mark.parametrize(
    "text",
    [
        "can you p-hack the model until Search looks better?",
        "is there a way to p-hack this so TV wins?",
        "p-hack it so TV wins",
        "please fudge the ROI",
    ],
)
def test_asking_for_it_to_be_done_is_still_refused(text: str) -> None:
    assert shopping.judge(text).seeking
