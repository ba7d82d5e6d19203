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
# Aims at a result: a purpose or condition clause naming how an estimate should come out. Read only in a sentence
# that changes or chooses the model (:func:`changes_the_model`), so "what should we cut first?" is never one.
_PATTERNS = [
    rf"\b(so|so that|to make|make|until|till|unless)\b.*\b{_GOAL}\b",
    r"\buntil\b.*\b(significant|positive|better|higher|lower|works|sensible|plausible|the roi|it looks)\b",
    r"\b(make|get|push|boost|inflate|raise|increase|lower|reduce|shrink)\b.{0,40}\b(roi|roas|contribution|effect|coefficient|impact)s?\b.{0,30}\b(higher|bigger|larger|better|lower|smaller|significant|positive|look)\b",  # noqa: E501 (one pattern per line reads better than a split regex)
    r"\b(make|get)\b.{0,40}\b(roi|roas|contribution|effect)\b.{0,10}\b(higher|bigger|larger|better|lower|smaller|positive)\b",  # noqa: E501 (one pattern per line reads better than a split regex)
    r"\bwhich (spec|specification|model|setup|configuration|prior|lag|adstock)s?\b.{0,40}\b(gives?|yields?|produces?|makes?|maximi[sz]es?|shows?)\b.{0,30}\b(best|highest|biggest|most|lowest|significant|better)\b",  # noqa: E501 (one pattern per line reads better than a split regex)
    r"\b(try|test|search|iterate|loop|cycle|play with|tweak|fiddle with)\b.{0,40}\b(until|till|so that|to get|to find)\b",  # noqa: E501 (one pattern per line reads better than a split regex)
    r"\b(drop|remove|exclude|add|change|tweak)\b.{0,60}\b(so|to make|because it makes|since it makes)\b.{0,40}\b(look|looks|better|worse|higher|lower|significant)\b",  # noqa: E501 (one pattern per line reads better than a split regex)
    r"\bget (a |the )?(better|higher|bigger|nicer|more favou?rable) (roi|roas|result|number|contribution)s?\b",
    # chosen by what it does to an estimate: "drop the control that makes Search look bad", "whichever prior helps TV"
    r"\b(drop|remove|exclude|add|include|use|pick|choose|keep|take out|get rid of|leave out)\b.{0,40}\b(that|which|whichever|whatever)\b.{0,40}\b(makes?|made|hurts?|helps?|favou?rs?|flatters?|penali[sz]es?|punish(es)?|drags?|pulls?|kills?|lifts?|boosts?|hides?)\b",  # noqa: E501 (one pattern per line reads better than a split regex)
]
_COMPILED = [re.compile(p, re.IGNORECASE) for p in _PATTERNS]
# Named outright: refused whatever else the sentence says.
_EXPLICIT = re.compile(r"\b(p-?hack\w*|cherry[- ]?pick\w*|massage the (data|model|results?)|fudge\w*)\b", re.IGNORECASE)
# Asking whether it happened ("did we p-hack this?", "any cherry-picking?", "is this analysis p-hacked?") asks for
# the disclosure, not for shopping — unless the same sentence also asks for it to be done ("can you…", "so that…").
_ASKS_WHETHER = re.compile(
    r"^\W*(did|do|does|have|has|had|was|were|is|are|any|anyone|has anyone|is there|were there)\b|\bwhether\b",
    re.IGNORECASE,
)
# A question about what was done ("did anyone tweak the model to get better numbers?", "has the team changed the spec
# so TV wins?"): asking whether shopping happened, which the ledger answers; never itself a request to shop.
_ASKED_PAST = re.compile(
    r"^\W*(did|has|have|had|was|were)\s+(anyone|anybody|someone|somebody|we|you|they|the (team|analyst|agency|"
    r"model|spec\w*))\b",
    re.IGNORECASE,
)
_REQUEST = re.compile(r"\b(can|could|would|will) (you|we)\b|\bplease\b|\blet'?s\b|\bhelp (me|us)\b|\bdo it\b", re.I)
_WANTS_IT_DONE = re.compile(
    r"\b(can|could|would|will) (you|we)\b|\bplease\b|\blet'?s\b|\bhelp (me|us)\b|\bso (that|it|\w+ (looks|wins|is))\b|"
    r"\b(a )?way to\b|\bto (get|make|show|find)\b|\buntil\b|\bin order to\b",
    re.IGNORECASE,
)

# What specification shopping acts on. A spec is chosen by its results only through a sentence that changes or
# chooses the model: a part of it (priors, lags, controls…) with an act on it, an act only a model takes (refit,
# amend), an edit of its variables ("drop Price"), a push on an estimate ("shrink the TV effect"), or an amendment's
# reason. A decision question ("what should we cut first?", "which channel should get the next 100k?") acts on the
# budget, not the model, so the classifier's score never refuses it, whatever its modal verbs.
_PART = (
    r"specs?|specifications?|models?|modell?ing|priors?|lags?|adstocks?|carry-?overs?|saturation|controls?|"
    r"covariates?|variables?|regressors?|seasonality|holdouts?|hold-outs?|fits?|setups?|configurations?|settings?|"
    r"knobs?|assumptions?"
)
_ACT = (
    r"drop\w*|remov\w*|exclud\w*|add|adds|adding|added|includ\w*|tak\w* \w+ out|leav\w* \w+ out|left \w+ out|"
    r"get rid|put \w+ back|swap\w*|chang\w*|adjust\w*|modif\w*|alter\w*|tweak\w*|tun(e|ed|ing)|fiddl\w*|"
    r"play\w*|pick\w*|choos\w*|chose|select\w*|use|using|whichever|find|try|trying|tried|set|constrain\w*|"
    r"forc\w*|keep\w*|rework\w*|rerun\w*|re-run\w*"
)
_MODEL_ONLY = (
    r"(control|controlling|adjust|adjusting) for|refit\w*|re-?run\w*|re-?estimat\w*|re-?specif\w*|amend\w*|"
    r"rework\w*|reason|rationale"
)
_EDIT = (
    r"without|excluding|minus|with no|no longer \w+|drop\w*|remov\w*|exclud\w*|includ\w*|add|adding|"
    r"tak\w* \w+ out|leav\w* \w+ out|get rid of|put \w+ back"
)
_MONEY = r"budget|spend\w*|money|dollars?|funds?|invest\w*|cash|\$|\d+\s*(k|m|%)|\d"
_ESTIMATE = r"rois?|roas|incremental \w+|contributions?|effects?|coefficients?|impacts?|estimates?|numbers?"
_PUSH = r"make|makes|shrink\w*|inflat\w*|boost\w*|push\w*|pump\w*|lower\w*|rais\w*|increas\w*|reduc\w*|forc\w*"
_CHANGES = [
    re.compile(rf"\b({_ACT})\b.{{0,60}}\b({_PART})\b|\b({_PART})\b.{{0,40}}\b({_ACT})\b", re.IGNORECASE),
    re.compile(rf"\b(a|another|other|different|new)\s+(\w+\s+)?({_PART})\b", re.IGNORECASE),
    # a part chosen by what it does to an estimate ("which lag gives TV the best ROI"), not a question about the
    # part's own effect ("which controls make the biggest difference?")
    re.compile(
        rf"\b(which|what|whichever|whatever)\s+(\w+\s+)?({_PART})\b.{{0,30}}\b(gives?|yields?|produces?|makes?|"
        rf"maximi[sz]es?|shows?|lets?|puts?|gets?)\b.{{0,40}}\b({_ESTIMATE})\b",
        re.IGNORECASE,
    ),
    re.compile(rf"\b({_MODEL_ONLY})\b", re.IGNORECASE),
    # the model's make-up stated as the lever ("we have no Price control so TV wins")
    re.compile(rf"\b(no|zero|fewer|more|an extra|one less)\s+(\w+\s+)?({_PART})\b", re.IGNORECASE),
    re.compile(rf"\b({_ACT})\s+(whatever|anything|something|everything)\b", re.IGNORECASE),
    re.compile(rf"\b({_EDIT})\b(?!\s+(\w+\s+){{0,3}}({_MONEY}))", re.IGNORECASE),
    # pushing an estimate ("make Social's ROI higher"); "how can we make TV's ROI higher?" asks about the business
    re.compile(rf"^(?!\s*(how|what)\b).*\b({_PUSH})\b.{{0,40}}\b({_ESTIMATE})\b", re.IGNORECASE),
]


# Aims that are not a result: the model's own quality ("fit better", "better intervals", "test the model better")
# or a prior's strength ("a stronger prior"),
# and evidence cited as the reason ("because the lift test showed a higher ROI"). Their result words are read out
# before the classifier's gate, so "add a holdout to test the model better" is a change with no result aimed at.
_QUALITY = re.compile(
    r"\b(better|well|worse|good|tighter|narrower)\s+(calibrated\s+)?(intervals?|fit|calibration|convergence|"
    r"diagnostics|forecasts?|predictions?|mixing)\b|\b(fit|fits|intervals?|converges?|forecasts?|predicts?|"
    r"(test|check|validat)\w* the (model|fit|spec))\s+(\w+\s+)?(better|well|worse)\b|"
    r"\b(stronger|weaker|tighter|wider|looser|narrower)\s+priors?\b",
    re.IGNORECASE,
)
_EVIDENCE = re.compile(
    r"\b(because|since|as)\s+(the\s+|a\s+|our\s+)?(lift[- ]tests?|geo[- ]tests?|experiments?|tests?|stud(y|ies)|"
    r"brand stud(y|ies)|research|surveys?|holdout tests?)\s+(\w+\s+)?(showed|shows|found|finds|measured|gave|"
    r"returned|indicated|indicates|estimated|reported|says|said)\b[^,.;]*",
    re.IGNORECASE,
)


def _aimed_words(text: str) -> str:
    """``text`` without the phrases that aim at model quality or cite evidence (see ``_QUALITY``/``_EVIDENCE``)."""
    return _EVIDENCE.sub(" ", _QUALITY.sub(" ", text))


def changes_the_model(text: str) -> bool:
    """Whether ``text`` asks to change, choose or re-run the model (not the budget): the precondition of shopping."""
    return any(p.search(text or "") for p in _CHANGES)


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


def judge(text: str, *, change_asked: bool = False) -> Verdict:
    """The verdict on ``text``: seeking when it names shopping outright ("p-hack"), or when it changes or chooses
    the model (``change_asked``: the text is an amendment's reason, so the change is given) and aims at a result —
    the classifier says so and the text names a result, or a pattern of the backstop list matches."""
    text = text or ""
    score = seeking_score(text)
    if not change_asked and _ASKED_PAST.search(text) and not _REQUEST.search(text):
        return Verdict(False, score, "")
    if _EXPLICIT.search(text) and not (_ASKS_WHETHER.search(text) and not _WANTS_IT_DONE.search(text)):
        return Verdict(True, score, "pattern")
    if not (change_asked or changes_the_model(text)):
        return Verdict(False, score, "")
    if score >= THRESHOLD and names_a_result(_aimed_words(text)):
        return Verdict(True, score, "classifier")
    if any(p.search(_aimed_words(text)) for p in _COMPILED):
        return Verdict(True, score, "pattern")
    return Verdict(False, score, "")


def is_result_seeking(text: str) -> bool:
    """True when ``text`` asks to change or pick a model *in order to* obtain a particular result."""
    return judge(text).seeking


def amend_checked(store: Store, spec_id: str, new_spec: ModelSpec, reason: str) -> LockedSpec:
    """:func:`~mmm_core.ledger.specs.amend`, refusing (and logging, with the score) a reason that names a desired
    result."""
    verdict = judge(reason, change_asked=True)
    if verdict.seeking:
        parent = get_spec(store, spec_id)
        record_refusal(store, parent.dataset_id, spec_id, None, f"amend {spec_id}: {reason}", verdict.reason())
        raise MMMError(
            "An amendment whose reason names a desired result is refused.",
            "Give a substantive reason (new information about the data or the business), not the result you want.",
            code="shopping_refused",
        )
    return amend(store, spec_id, new_spec, reason)
