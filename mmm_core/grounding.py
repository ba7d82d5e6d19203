"""Number grounding (pure, no LLM imports): every number in a text must match a number in its sources.

Used by the agent (its answers against this turn's tool outputs, see ``agent.grounding``) and by the report
(its prose against its own results JSON, see ``mmm_core.report.build``).

Extraction rule (what counts as "a number in the text"):

- Plain numbers with optional sign, thousands separators and decimals: ``1,234.5``, ``-0.3``, ``12``.
- A leading currency sign is allowed (``$2.5``); a following scale word or suffix multiplies: ``k``/``thousand``
  (×1e3), ``m``/``M``/``mm``/``million`` (×1e6), ``bn``/``billion`` (×1e9). ``%`` marks a percentage.
- Ranges ``1.8–3.1`` / ``1.8-3.1`` are two numbers (the dash between two numbers is not a minus sign).
- Ignored, because they are identifiers or layout, not quantities: digits inside words or ids (``ds_3f9a1c2b``,
  ``sha256``, ``v2`` is *kept* only when written as a separate number), hex digests and anything ending in
  ``…`` (truncated hashes), ISO dates (``2021-01-04``), and list markers at the start of a line (``1.``, ``2)``).

Matching rule (rounding-aware): a text number with ``d`` decimals matches a source number ``x`` when
``|x/scale − value| ≤ ½·10^−d`` (i.e. ``x`` rounded to the text's precision equals the text), where ``scale``
is the suffix multiplier. A percentage also matches a fraction ``x`` via ``100·x`` (and ``x`` itself, for
sources that already speak in percent). Source numbers are every numeric value in the tool outputs' JSON plus
every number written inside their strings (so quoting a tool's own sentence is grounded), and the user's message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_NUMBER = re.compile(
    r"(?P<sign>(?<![\w.\d])[-−])?(?P<cur>[$€£])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<suffix>\s?(?:%|k\b|K\b|M\b|m\b|mm\b|mn\b|bn\b|thousand\b|million\b|billion\b))?"
)
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+)?\b")
_LIST_MARKER = re.compile(r"^\s*\d+[.)]\s", re.MULTILINE)


@dataclass(frozen=True)
class TextNumber:
    text: str
    value: float  # as written, before scaling (e.g. 2.5 for "$2.5M")
    decimals: int
    scale: float
    percent: bool


def extract_numbers(text: str) -> list[TextNumber]:
    """The quantities written in ``text`` (see the module docstring for what is ignored)."""
    cleaned = _ISO_DATE.sub(" ", text)
    cleaned = _LIST_MARKER.sub(lambda m: " " * len(m.group()), cleaned)
    out: list[TextNumber] = []
    for m in _NUMBER.finditer(cleaned):
        start, end = m.span()
        before = cleaned[start - 1] if start else " "
        after = cleaned[end : end + 1]
        if before.isalnum() or before == "_" or (after and (after.isalnum() or after in "_…")):
            continue  # part of an identifier, a hash, or a word like "2nd"
        num = m.group("num").replace(",", "")
        suffix = (m.group("suffix") or "").strip()
        scale = _SCALE.get(suffix.casefold(), 1.0) if suffix and suffix != "%" else 1.0
        if suffix == "m" and not m.group("cur"):
            scale = 1e6  # "1.5m" in prose is money; metres never appear in these answers
        value = float(num) * (-1 if m.group("sign") else 1)
        decimals = len(num.split(".")[1]) if "." in num else 0
        out.append(TextNumber(m.group(0), value, decimals, scale, suffix == "%"))
    return out


def source_numbers(payloads: list[Any]) -> list[float]:
    """Every number in tool outputs (JSON text or objects) and free text such as the user's message."""
    found: list[float] = []

    def walk(value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, (int, float)):
            found.append(float(value))
        elif isinstance(value, str):
            found.extend(n.value * n.scale for n in extract_numbers(value))
            found.extend(n.value for n in extract_numbers(value) if n.scale != 1.0)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    for p in payloads:
        if isinstance(p, str):
            try:
                walk(json.loads(p))
                continue
            except (ValueError, TypeError):
                pass
        walk(p)
    return found


def matches(n: TextNumber, x: float) -> bool:
    tol = 0.5 * 10 ** (-n.decimals) + 1e-9
    candidates = [x / n.scale]
    if n.percent:
        candidates.append(x * 100 / n.scale)
    return any(abs(c - n.value) <= tol for c in candidates)


def ungrounded(answer: str, sources: list[Any]) -> list[str]:
    """The numbers in ``answer`` that match no source number (empty list = grounded)."""
    pool = source_numbers(sources)
    return [n.text for n in extract_numbers(answer) if not any(matches(n, x) for x in pool)]


def check(answer: str, sources: list[Any]) -> tuple[bool, list[str]]:
    bad = ungrounded(answer, sources)
    return (not bad, bad)
