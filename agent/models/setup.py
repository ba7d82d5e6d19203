"""Guided setup as a small explicit state machine: one question per turn, the state kept in the answer's
metadata (``additional_kwargs["mmm"]["setup_step"]``) so the checkpointer persists it with the conversation.

    kpi → channels → controls → seasonality → pooling (only with > 1 geography) → holdout → confirm → lock
"""

from __future__ import annotations

import re
from typing import Any

from agent.models import entities

STEPS = ("kpi", "channels", "controls", "seasonality", "pooling", "holdout", "confirm")
_AFFIRM = re.compile(
    r"^\s*(ok|okay|yes|y|yep|sure|keep|fine|default|defaults|looks good|good|all|"
    r"keep (them|it|all)( all)?|that'?s fine|sounds good|go ahead|correct)\b",
    re.IGNORECASE,
)
_NEGATE = re.compile(
    r"^\s*(no|none|nope|off|0|zero|nothing|no controls|no holdout|disable|turn it off)\b", re.IGNORECASE
)
# A reply that names what to leave out ("keep all but Meta Ads", "skip Promo") is a removal even when it starts
# with an affirmation; it is read before "ok"/"keep".
_DROP = re.compile(
    r"\b(drop\w*|remov\w*|without|exclud\w*|except|not|but|skip\w*|minus|leave (out|off)|leav\w* \w+ out|"
    r"get rid of|no longer|don'?t (use|want|need|include))\b",
    re.IGNORECASE,
)
HINTS = {
    "kpi": 'Reply with the KPI\'s name or "ok".',
    "channels": 'Reply "ok" to keep all channels, name the ones to keep, or say "drop X".',
    "controls": 'Reply "ok", "none", or name the controls to use.',
    "seasonality": 'Reply "ok", "off", or a Fourier order such as 1 or 2.',
    "pooling": 'Reply "ok", "none", "partial" or "full".',
    "holdout": 'Reply "no" or a number of weeks to hold out.',
}


def next_step(step: str, draft: dict[str, Any]) -> str:
    i = STEPS.index(step) + 1
    nxt = STEPS[min(i, len(STEPS) - 1)]
    if nxt == "pooling" and (draft.get("available") or {}).get("geographies", 1) <= 1:
        return next_step("pooling", draft)
    return nxt


def _names(text: str, options: list[str]) -> list[str]:
    low = text.casefold()
    return [o for o in options if re.search(rf"(?<!\w){re.escape(o.casefold())}(?!\w)", low)]


def parse_reply(step: str, text: str, draft: dict[str, Any]) -> dict[str, Any] | None:
    """The edit_spec changes a reply to ``step`` asks for ({} = keep as is); None when it is not an answer."""
    avail = draft.get("available") or {}
    if step == "kpi":
        if _AFFIRM.match(text):
            return {}
        names = _names(text, list(avail.get("kpi_candidates") or []) + [draft.get("kpi", "")])
        m = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*[.!]?\s*", text)
        return {"kpi": names[0]} if names else ({"kpi": m.group(1)} if m else None)
    if step == "channels":
        current = list(draft.get("channels") or [])
        found = entities.find_channels(text, list(avail.get("channels") or current)).found
        if not found:
            return {} if _AFFIRM.match(text) else None
        if _DROP.search(text):
            return {"channels": [c for c in current if c not in found]}
        return {"channels": found}
    if step == "controls":
        options = list(avail.get("controls") or draft.get("controls") or [])
        found = _names(text, options)
        if not found:
            return {} if _AFFIRM.match(text) else {"controls": []} if _NEGATE.match(text) else None
        if _DROP.search(text):
            return {"controls": [c for c in draft.get("controls", []) if c not in found]}
        return {"controls": found}
    if step == "seasonality":
        if _AFFIRM.match(text):
            return {}
        if _NEGATE.match(text):
            return {"seasonality_order": 0}
        m = re.search(r"\b(\d{1,2})\b", text)
        return {"seasonality_order": int(m.group(1))} if m else None
    if step == "pooling":
        if _AFFIRM.match(text):
            return {}
        m = re.search(r"\b(none|partial|full)\b", text, re.IGNORECASE)
        return {"geo_pooling": m.group(1).lower()} if m else None
    if step == "holdout":
        if _NEGATE.match(text):
            return {"holdout_periods": 0}
        m = re.search(r"\b(\d{1,3})\b", text)
        if m:
            return {"holdout_periods": int(m.group(1))}
        return {} if _AFFIRM.match(text) else None
    return None


_CARRY = re.compile(
    # "lasts"/"will last", never "the last 8 weeks" (a holdout answer)
    r"\bcarr(y|ies|ied)[- ]?over\b|\bcarryover\b|\bad-?stock\b|\blag\b|\blasts\b|\blasting\b|"
    r"\b(will|would|can|could|may|might|to|does|should|it|effects?) last\b|\blinger\w*\b|"
    r"\bkeeps? working\b|\bhalf[- ]?li(fe|ves)\b|\bdecay\w*\b|\bwears? off\b",
    re.IGNORECASE,
)
_SPAN = re.compile(r"\b(\d+(?:\.\d+)?)\s*(weeks?|wks?|w|periods?|days?|months?|years?)\b", re.IGNORECASE)
_HALF = re.compile(r"\bhalf[- ]?li(fe|ves)\b|\bhalves\b|\bhalf of (it|the effect)\b", re.IGNORECASE)
_QUESTION = re.compile(r"\?\s*$|^\s*(what|how|why|which|who|when|is|are|does|do|can you|could you|explain)\b", re.I)
_EVERY = re.compile(r"\b(all|every|each)\b( of the)? (channels?|media)\b", re.IGNORECASE)


def parse_carryover(text: str, draft: dict[str, Any]) -> dict[str, dict[str, float]] | str | None:
    """A free-text carry-over statement ("TV can carry over 12 weeks", "Radio's half-life is 2 weeks") as the
    draft's ``carryover`` edit; a sentence saying what could not be understood; or None (not about carry-over).
    Spans are in periods (weeks for weekly data): other units are not converted by guesswork."""
    if not _CARRY.search(text):
        return None
    span = _SPAN.search(text)
    if not span and _QUESTION.search(text):
        return None  # "what is adstock?" asks about carry-over; it sets nothing
    channels = list(draft.get("channels") or [])
    named = entities.find_channels(text, channels).found or (channels if _EVERY.search(text) else [])
    if not named:
        return (
            "I read that as a carry-over setting but not which channel it is for. Name one "
            f'({", ".join(channels)}) or say "all channels", e.g. "{channels[0] if channels else "TV"} can carry '
            'over N weeks".'
        )
    if not span:
        return (
            f"I read that as a carry-over setting for {', '.join(named)}, but not how long: give a number of weeks "
            '(the periods of this data), e.g. "carries over N weeks" or "half-life N weeks".'
        )
    if span.group(2).casefold().startswith(("d", "m", "y")):
        return (
            f"I read that as a carry-over setting for {', '.join(named)}, but carry-over is set in weeks (the periods "
            f'of this data) and I do not convert "{span.group(0)}" by guesswork: say it in weeks.'
        )
    value = float(span.group(1))
    key = "half_life" if _HALF.search(text) else "max_lag"
    if key == "max_lag" and not value.is_integer():
        return f"The maximum lag is a whole number of weeks; {span.group(0)} is not."
    return {ch: {key: int(value) if key == "max_lag" else value} for ch in named}


def confirm_is_lock(text: str) -> bool:
    return bool(_AFFIRM.match(text)) or bool(re.search(r"\block\b", text, re.IGNORECASE))


def describe_changes(changes: dict[str, Any]) -> list[str]:
    """Spec changes as short phrases for a proposal ("remove Price", "seasonality order 2")."""
    words = {
        "remove": "remove {}",
        "add_controls": "add the control {}",
        "channels": "keep only the channels {}",
        "controls": "use only the controls {}",
        "kpi": "explain {}",
        "seasonality_order": "seasonality order {}",
        "holdout_periods": "hold out the last {} periods",
        "geo_pooling": "geo pooling {}",
    }
    out = []
    for key, value in changes.items():
        if key == "seasonality_order" and value == 0:  # said in words: the proposal quotes no number it made up
            out.append("remove the seasonality")
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        out.append(words.get(key, key + " {}").format(shown))
    return out


# "set up a model with media TV, Search and controls Price": roles declared in the setup request itself, as
# `spec init --media/--controls` takes them. A list runs to the next role word, a sentence end or "kpi".
_ROLE_LIST = re.compile(
    r"\b(media|channels?|controls?)\s*(?:are|is|=|:)?\s+(.+?)(?=\s*(?:\b(?:and\s+|with\s+)?(?:media|channels?|"
    r"controls?|kpi|target)\b|[.;!?]|$))",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:,|\band\b|&|\+)\s*", re.IGNORECASE)


def parse_roles(text: str, options: list[str]) -> dict[str, list[str]]:
    """``{"media": [...], "controls": [...]}`` declared in ``text``. A list counts as a declaration only when it
    names at least one of the data's variables (``options``, any case), so "channels are fine" declares nothing;
    its other words are passed on as typed, and the draft_spec tool refuses them with the list of variables (one
    home for that rule)."""
    out: dict[str, list[str]] = {}
    by_fold = {o.casefold(): o for o in options}
    for m in _ROLE_LIST.finditer(text):
        role = "controls" if m.group(1).casefold().startswith("control") else "media"
        words = [w.strip(" '\"") for w in _SPLIT.split(m.group(2)) if w.strip(" '\"")]
        if any(w.casefold() in by_fold for w in words):
            out.setdefault(role, []).extend(by_fold.get(w.casefold(), w) for w in words)
    return out
