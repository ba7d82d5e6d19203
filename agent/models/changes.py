"""The changes an amendment request names: which channels or controls go, which controls come in, and settings.

Names are read against the spec (or the data) the request is about, longest name first, so a two-word channel
("Google Search") or a control after a phrase ("stop controlling for Holiday", "no longer adjust for Price",
"take Holiday out of the model", "add Holiday as a control") is named exactly; a name the spec does not have is
reported, never guessed. Nothing here decides *whether* a request is an amendment: the router does.
"""

from __future__ import annotations

import re
from typing import Any

# Removal first in the alternation: "stop controlling for X" must not read as "controlling for X" (an addition).
_FOR = r"(?:control\w*|adjust\w*|account\w*|correct\w*)\s+for"
_NOT = r"stop|stopped|quit|no longer|no need|don'?t|do not|doesn'?t|does not|shouldn'?t|should not|not|never|without"
_REMOVE = (
    rf"(?:{_NOT})\s+(?:\w+\s+){{0,2}}?(?:to\s+)?{_FOR}"
    r"|drop\w*|remov\w*|exclud\w*|without|excluding|minus|get rid of|delet\w*|kill\w*"
)
_OUT = r"take|took|taking|leave|leaving|left|kick\w*|pull\w*"  # "take X out", "leave X out of the model"
_ADD = rf"add|adds|adding|includ\w*|(?:start\w*\s+)?{_FOR}"
_VERB = re.compile(rf"\b(?:(?P<remove>{_REMOVE})|(?P<out>{_OUT})|(?P<add>{_ADD}))\s+", re.IGNORECASE)
_ARTICLE = re.compile(r"(?:the|a|an|our)\s+", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_NOT_NAMES = {
    "control",
    "controls",
    "channel",
    "channels",
    "variable",
    "variables",
    "it",
    "them",
    "that",
    "this",
    "one",
    "all",
    "more",
    "some",
    "any",
    "budget",
    "spend",
    "money",
    "model",
    "spec",
}
# Model terms named like variables ("remove the trend", "drop seasonality"): not names of the data.
_TERMS = {"trend": "trend", "trends": "trend", "seasonality": "seasonality", "seasonal": "seasonality"}
TREND_FIXED = (
    "The trend is a term of the model, not a variable, and an amendment from the chat cannot change it (an "
    "amendment here removes or adds channels and controls, or sets the seasonality order, the holdout and "
    "carry-over), so nothing was changed. To change the trend, draft a new spec with the trend you want and lock it."
)
SEASONALITY_ORDER = (
    "Which seasonality should the amendment set? Seasonality is set by its Fourier order, so nothing was changed: "
    'say e.g. "amend the spec to set seasonality order to …" with the order you want.'
)
_REASON = re.compile(r"\bbecause\b|\bsince\b|\breason\b", re.IGNORECASE)


# Changes the chat's amendment parser does not make: a prior, or the form of a curve.
_IN_THE_FILE = re.compile(
    r"\bpriors?\b|\b(hill|logistic|michaelis[- ]menten|tanh|weibull|geometric|delayed)\b", re.IGNORECASE
)


def _name_at(text: str, start: int, known: list[str]) -> tuple[str, int] | None:
    """The name that begins at ``start`` (after an article): a known name, longest first, else the next word."""
    m = _ARTICLE.match(text, start)
    start = m.end() if m else start
    rest = text[start:].casefold()
    for name in known:
        if rest.startswith(name.casefold()) and not rest[len(name) : len(name) + 1].isalnum():
            return name, start + len(name)
    word = _WORD.match(text, start)
    return (word.group(0), word.end()) if word else None


def named_pairs(text: str, known: list[str]) -> list[tuple[str, str]]:
    """("remove" | "add", name) for each change the words before any reason name, in order."""
    head = _REASON.split(text)[0]
    ordered = sorted(known, key=len, reverse=True)
    pairs: list[tuple[str, str]] = []
    for m in _VERB.finditer(head):
        found = _name_at(head, m.end(), ordered)
        if found is None or found[0].casefold() in _NOT_NAMES:
            continue
        name, end = found
        if m.group("out") and not re.match(r"(?:\s+(?:control|variable|channel))?\s+out\b", head[end:], re.I):
            continue  # "take" alone is no change; "take Holiday out" is
        pairs.append(("add" if m.group("add") else "remove", name))
    return pairs


def _settings(head: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    m = re.search(r"seasonality (?:order )?(?:to )?(\d+)|(\d+)\s*fourier", head, re.IGNORECASE)
    if m:
        out["seasonality_order"] = int(m.group(1) or m.group(2))
    m = re.search(r"hold ?out (?:to |the last )?(\d+)", head, re.IGNORECASE)
    if m:
        out["holdout_periods"] = int(m.group(1))
    return out


def named_changes(text: str, spec: dict[str, Any]) -> dict[str, Any] | str:
    """The changes the request names, as ``remove``/``add_controls``/settings; or what to say when a named item
    is unknown or nothing is named (nothing is guessed). ``spec`` holds ``channels``, ``controls`` and, when a
    locked spec is meant, its ``spec_id``."""
    channels, controls = list(spec.get("channels") or []), list(spec.get("controls") or [])
    have = {n.casefold(): n for n in channels + controls}
    changes: dict[str, Any] = {}
    unknown = []
    for verb, name in named_pairs(text, channels + controls):
        term = _TERMS.get(name.casefold())
        if term == "trend":  # a term of the model, not a variable: this amendment cannot set it
            return TREND_FIXED
        if term == "seasonality" and verb == "remove":
            changes["seasonality_order"] = 0
        elif term == "seasonality":  # "include seasonality": how much of it is the Fourier order, if it was said
            if "seasonality_order" not in _settings(_REASON.split(text)[0]):
                return SEASONALITY_ORDER
        elif verb == "add":
            _append(changes, "add_controls", have.get(name.casefold(), name))
        elif name.casefold() in have:
            _append(changes, "remove", have[name.casefold()])
        else:
            unknown.append(name)
    changes.update(_settings(_REASON.split(text)[0]))
    exists = f"channels {', '.join(channels) or 'none'}; controls {', '.join(controls) or 'none'}"
    spec_id = str(spec.get("spec_id") or "")
    where = f"spec {spec_id}" if spec_id.startswith("spec_") else "the model's data"
    if unknown:
        return f"{', '.join(unknown)} is not in {where} ({exists}), so nothing was changed."
    if not changes and _IN_THE_FILE.search(text):  # a prior or a curve form: written in the spec, not in chat
        return (
            "Priors and curve forms are changed in the spec file, not in chat: write the new version with the prior "
            f'or form you want and run `mmm-agent spec amend {spec_id or "SPEC_ID"} spec_v2.yaml --reason "…"`. '
            "It is recorded as a new, linked version and disclosed in every answer and report."
        )
    if not changes:
        return (
            f"Which change should the amendment make? {where[0].upper() + where[1:]} has {exists}. Say e.g. "
            '"amend the spec to drop <name> because …".'
        )
    return changes


def _append(changes: dict[str, Any], key: str, name: str) -> None:
    if name not in changes.setdefault(key, []):
        changes[key].append(name)
