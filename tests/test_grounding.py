"""The grounding rule: which numbers are extracted from an answer and how they match tool outputs."""

from __future__ import annotations

import json

from agent.grounding import check, extract_numbers, ungrounded


def _values(text: str) -> list[tuple[float, float, bool]]:
    return [(n.value, n.scale, n.percent) for n in extract_numbers(text)]


def test_extraction_formats() -> None:
    assert _values("1,234.5 and -0.3") == [(1234.5, 1, False), (-0.3, 1, False)]
    assert _values("12% of $2.5M, 2.5 million, 1.2k, 3bn") == [
        (12, 1, True),
        (2.5, 1e6, False),
        (2.5, 1e6, False),
        (1.2, 1e3, False),
        (3, 1e9, False),
    ]
    assert _values("90% interval 1.8–3.1") == [(90, 1, True), (1.8, 1, False), (3.1, 1, False)]
    assert _values("range 1.8-3.1") == [(1.8, 1, False), (3.1, 1, False)]


def test_identifiers_dates_and_markers_ignored() -> None:
    text = "fit ds_3f9a1c2b spec v2 sha256 3f9a1c2b… 12345678… on 2021-01-04, 2nd try\n1. first\n2) second"
    assert _values(text) == []


def test_rounding_aware_matching() -> None:
    src = [
        json.dumps(
            {"roi": 2.3456, "lo": 1.8123, "hi": 3.0999, "level": 0.9, "spend": 1234567.4, "prob": 0.8731, "neg": -0.412}
        )
    ]
    assert check("ROI 2.35 (90% interval 1.81–3.10), spend $1,234,567 or $1.2M, P 87%, change -0.41", src)[0]
    assert ungrounded("ROI 2.34", src) == ["2.34"]
    assert ungrounded("ROI 7.5 and 88%", src) == ["7.5", "88%"]


def test_user_message_and_tool_text_are_sources() -> None:
    assert check("a budget of $2M over 13 weeks", ["optimize $2M over 13 weeks"])[0]
    assert check("2 specs and 3 fits", [json.dumps({"disclosure": "2 specs and 3 fits have been tried"})])[0]
