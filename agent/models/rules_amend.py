"""Requests to change the model itself — an amendment of the locked spec, never a refit of it unchanged: a control
removed or added ("stop controlling for Price", "I want Price out"), a channel's carry-over made longer or shorter
("let TV carry over longer"), a trend or seasonality added ("add a trend"). Read by the rule table
(``agent.models.rules``: ``AMEND_SPEC``) and the router (``changes_a_control``).

A question about the model ("does TV carry over longer than Radio?", "is there a trend in sales?") is not a
request: sentences that open as a question are never read as an amendment by these rules.
"""

from __future__ import annotations

import re

# A sentence that asks about the model rather than asking to change it ("what if we drop Price?" asks for a change).
_ASKS = r"\s*(does|do|did|is|are|was|were|which|what(?! if)|what's|how|why|when|who|explain|tell me)\b"

# A model term (not a variable of the data) and the words that take one out.
_TERM = r"(the |a |any |our )?(linear |time )?(trend|seasonality|seasonal (terms?|effects?|component)|fourier terms?)\b"
_TERM_OUT = r"remov\w*|drop\w*|take|taking|get rid of|exclud\w*|kill|lose|ditch|scrap|turn off|switch off|disable"

AMEND_SPEC = re.compile(
    rf"^(?!{_ASKS}).*("
    # The carry-over of a channel changed: "let TV carry over longer", "make the adstock on Print longer",
    # "give Radio a longer carry-over", "allow TV's effect to last 12 weeks".
    r"\b(let|allow|make|give|set|change|increase|extend|lengthen|shorten|reduce|cap|raise|lower)\b.{0,40}\b("
    r"carr(y|ies|ied|ying)[- ]?over|adstock|lags?|max[_ ]lag|half[- ]li(fe|ves)|decay)\b|"
    r"\b(carr(y|ies|ied|ying)[- ]?over|adstock|lags?|half[- ]life|decay)\b.{0,25}\b(longer|shorter|to \d+|of \d+|"
    r"at \d+)\b|"
    r"\b(let|allow|make)\b.{0,25}\b(carry (over|on)|last|linger)\b.{0,20}\b(longer|shorter|\d+ (weeks?|periods?))|"
    r"\b(like|want|need|prefer)\b.{0,30}\b(carry[- ]?over|adstock|lags?|half[- ]li(fe|ves))\b|"
    r"\b\w+ (should|must|needs? to|ought to) (carry[- ]?over|carry on|last|linger)\b|"
    # A term added to the model: "add a trend", "put a linear trend in", "include seasonality".
    r"\b(add|include|put|use|allow|fit|model)\b.{0,20}\b(a |an )?(linear |time |long[- ]term )?(trend|"
    r"seasonality|seasonal (terms?|effects?|component)|intercept)\b|"
    # A term taken out: "remove the trend", "take the trend out", "get rid of the seasonality term", "no trend".
    rf"\b({_TERM_OUT})\b.{{0,20}}\b{_TERM}|^\s*(no|without( a| the)?) {_TERM}|"
    # A prior or a curve form changed: "set the ROI prior for TV to 2", "use a Hill curve for Search".
    r"\b(set|change|use|make|give|put|increase|lower|raise|tighten|widen|loosen)\b.{0,30}\b(roi |beta |informative )?"
    r"priors?\b|\bpriors?\b.{0,30}\b(to|at|of|=) ?\d|\b(use|switch to|try|fit)\b.{0,15}\b(a |the )?(hill|logistic|"
    r"michaelis[- ]menten|tanh|weibull|geometric|delayed)( curve| saturation| adstock| form)?\b)"
)

_CONTROL_CHANGE = re.compile(
    r"\b(without|excluding|minus|drop\w*|remov\w*|exclud\w*|add|adds|adding|added|includ\w*|get rid of|kill\w*|"
    r"no longer|leav\w* out|left out|(take|took|taking|pull\w*|kick\w*|swap\w*)\b.{0,25}\bout|"
    r"(doesn'?t|does not|don'?t|do not|shouldn'?t|should not|not|stop|no longer) (use|using|include|including|want|"
    r"have|need|control\w*|adjust\w*)|with (no|zero)|no more|(shouldn'?t|should not|not) be (in|a|an|part of|one of)|"
    r"back in(to)?|"
    # "let's control for Promo too", "I want Price out", "could the model leave Price aside?"
    r"(control|controlling|adjust|adjusting|account|accounting) for|(want|need|like|prefer)\b.{0,20}\b(out|gone|"
    r"removed|dropped|excluded)|(leav\w*|set\w*|put\w*) .{0,20}aside|no \w+ (control|variable|adjustment)|"
    # "ditch Promo", "lose the price control", "strip out Promo", "leave Holiday out of the next version", "no Promo",
    # "the holiday variable should go", "with Promo as a control"
    r"ditch\w*|lose|losing|strip\w*|scrap\w*|axe|axed|dump\w*|toss\w*|omit\w*|leav\w* .{0,25}\bout|no|should go|"
    r"as an? (extra |additional )?(control|covariate))\b"
)


def changes_a_control(low: str, controls: tuple[str, ...]) -> bool:
    """Whether ``low`` names one of the data's controls and asks for it to be removed or added (a question about
    it, "does the model control for Price?", asks nothing to change)."""
    named = any(re.search(rf"(?<!\w){re.escape(c.casefold())}(?!\w)", low) for c in controls)
    return named and not re.match(_ASKS, low) and bool(_CONTROL_CHANGE.search(low))


# What a question asks of a control when it names one: its effect on the KPI ("how much does Price affect sales?",
# "did the promo work?", "what did Holiday contribute?").
_CONTROL_EFFECT = re.compile(
    r"\bhow (did|does|do|has|have)\b.{0,30}\bdo\b|"  # "how did the promo do?"
    r"\b(effect\w*|affect\w*|impact\w*|matter\w*|contribut\w*|work\w*|drive\w*|drove|influenc\w*|lift\w*|add|adds|"
    r"added|boost\w*|brought|bring\w*|generat\w*|perform\w*|"
    r"help\w*|hurt\w*|important|importance|move\w*|explain\w*|role|elasticit\w*|sensitiv\w*)\b"
)


def names_a_control(text: str, controls: tuple[str, ...] | list[str], low: str) -> bool:
    """Whether the question names one of ``controls`` (whole word, any case; a name of four letters or more also
    with an ending: "promotions", "promos" for Promo) and asks about its effect (``low``: the normalised question)."""
    words = text.casefold()
    named = any(
        re.search(rf"(?<![\w-]){re.escape(c.casefold())}{'[a-z]*' if len(c) >= 4 else ''}(?![\w-])", words)
        for c in controls
    )
    return named and bool(_CONTROL_EFFECT.search(low))
