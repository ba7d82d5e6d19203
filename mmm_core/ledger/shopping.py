"""Recognising requests that name a desired result ("so TV looks better", "until Search is significant").

Pre-registration only protects inference if specs are not chosen by their results: trying variations until one
gives the answer you want (the garden of forking paths) makes every interval too narrow and every "significant"
effect suspect. So a request whose stated goal is a particular outcome is refused and logged, whatever the
wording. The rule is deliberately about *purpose*, so neutral requests ("add price as a control because the pricing
team changed list prices") still pass.

Two parts decide (:func:`judge`): a classifier over a phrase corpus (``mmm_core.ledger.purpose``; recognises the
purpose across wordings it has never seen), gated on the text naming a result at all, and the older pattern list
below, kept as a precise backstop for explicit phrasings ("p-hack", "cherry-pick"). Every refusal logs the
classifier's score, so a wrong call can be traced and the corpus extended.

The rule lives in the ledger because it guards the ledger's door: the chat (``amend_spec`` tool and the shopping
guard on user messages) and the CLI (``spec amend``) both amend through :func:`amend_checked`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mmm_core.errors import MMMError
from mmm_core.ledger.purpose import THRESHOLD, names_a_result, seeking_score
from mmm_core.ledger.specs import LockedSpec, amend, get_spec, record_refusal
from mmm_core.spec.schema import ModelSpec
from mmm_core.store import Store

_GOAL = r"(look|looks|looking|seem|seems|appear|appears|come out|comes out|show up|shows up)\s+(better|worse|good|bad|stronger|weaker|higher|lower|bigger|smaller|more|less|significant|positive|negative|best|worst)"  # noqa: E501 (one pattern per line reads better than a split regex)
_PATTERNS = [
    rf"\b(so|so that|to make|make|until|till|unless)\b.*\b{_GOAL}\b",
    r"\buntil\b.*\b(significant|positive|better|higher|lower|works|sensible|plausible|the roi|it looks)\b",
    r"\b(make|get|push|boost|inflate|raise|increase|lower|reduce|shrink)\b.{0,40}\b(roi|roas|contribution|effect|coefficient|impact)s?\b.{0,30}\b(higher|bigger|larger|better|lower|smaller|significant|positive|look)\b",  # noqa: E501 (one pattern per line reads better than a split regex)
    r"\b(make|get)\b.{0,40}\b(roi|roas|contribution|effect)\b.{0,10}\b(higher|bigger|larger|better|lower|smaller|positive)\b",  # noqa: E501 (one pattern per line reads better than a split regex)
    r"\bwhich (spec|specification|model|setup|configuration|prior|lag|adstock)s?\b.{0,40}\b(gives?|yields?|produces?|makes?|maximi[sz]es?|shows?)\b.{0,30}\b(best|highest|biggest|most|lowest|significant|better)\b",  # noqa: E501 (one pattern per line reads better than a split regex)
    r"\b(try|test|search|iterate|loop|cycle|play with|tweak|fiddle with)\b.{0,40}\b(until|till|so that|to get|to find)\b",  # noqa: E501 (one pattern per line reads better than a split regex)
    r"\b(drop|remove|exclude|add|change|tweak)\b.{0,60}\b(so|to make|because it makes|since it makes)\b.{0,40}\b(look|looks|better|worse|higher|lower|significant)\b",  # noqa: E501 (one pattern per line reads better than a split regex)
    r"\b(p-?hack|cherry[- ]?pick|massage the (data|model|results?)|fudge)\b",
    r"\bget (a |the )?(better|higher|bigger|nicer|more favou?rable) (roi|roas|result|number|contribution)s?\b",
]
_COMPILED = [re.compile(p, re.IGNORECASE) for p in _PATTERNS]

REFUSAL_REASON = (
    "The request names the result it wants; choosing a specification by its results (forking paths) "
    "invalidates the intervals of the pre-registered, locked spec."
)


@dataclass(frozen=True)
class Verdict:
    """Whether a text seeks a result, the classifier's probability, and which part decided."""

    seeking: bool
    score: float
    by: str  # "classifier", "pattern" or "" (not seeking)

    def reason(self) -> str:
        """The ledger's refusal reason, with the score that led to it."""
        return f"{REFUSAL_REASON} (classifier score {self.score:.2f}; threshold {THRESHOLD:.2f}; by {self.by})"


def judge(text: str) -> Verdict:
    """The verdict on ``text``: seeking when the classifier says so (and the text names a result), or a pattern
    of the backstop list matches."""
    text = text or ""
    score = seeking_score(text)
    if score >= THRESHOLD and names_a_result(text):
        return Verdict(True, score, "classifier")
    if any(p.search(text) for p in _COMPILED):
        return Verdict(True, score, "pattern")
    return Verdict(False, score, "")


def is_result_seeking(text: str) -> bool:
    """True when ``text`` asks to change or pick a model *in order to* obtain a particular result."""
    return judge(text).seeking


def amend_checked(store: Store, spec_id: str, new_spec: ModelSpec, reason: str) -> LockedSpec:
    """:func:`~mmm_core.ledger.specs.amend`, refusing (and logging, with the score) a reason that names a desired
    result."""
    verdict = judge(reason)
    if verdict.seeking:
        parent = get_spec(store, spec_id)
        record_refusal(store, parent.dataset_id, spec_id, None, f"amend {spec_id}: {reason}", verdict.reason())
        raise MMMError(
            "An amendment whose reason names a desired result is refused.",
            "Give a substantive reason (new information about the data or the business), not the result you want.",
            code="shopping_refused",
        )
    return amend(store, spec_id, new_spec, reason)
