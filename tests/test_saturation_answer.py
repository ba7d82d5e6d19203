""" "Is TV saturated?": where today's spend sits on the response curve (effects.curves.at_current_spend) and the
chat's answer from the response_curve tool — computed, grounded, with a verdict the numbers support (before, the
answer only said a curve was computed, and the tool's 4,000-character cap cut the points near today's spend)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mmm_core.effects.curves import DEFAULT_MULTIPLIERS, LINEAR_ABOVE, SATURATED_BELOW, at_current_spend
from mmm_core.grounding import check

M = DEFAULT_MULTIPLIERS
WORDS = {"saturated": "Saturated:", "linear": "Not saturated:", "diminishing": "Diminishing returns:"}
SPEND = 1_000.0 * M  # today's spend is 1,000


def _draws(curve, n: int = 400, seed: int = 0) -> np.ndarray:
    """[n, M] contribution draws of a curve with a draw-level scale jitter (the shape is what is judged)."""
    scale = np.random.default_rng(seed).normal(1.0, 0.05, size=(n, 1))
    return scale * curve(SPEND)[None, :]


@pytest.mark.parametrize(
    ("curve", "verdict"),
    [
        (lambda x: 2.0 * x, "linear"),  # a straight line: the next step earns the average
        (lambda x: 3000.0 * (1 - np.exp(-x / 150.0)), "saturated"),  # flat long before today's 1,000
        (lambda x: 3000.0 * (1 - np.exp(-x / 1500.0)), "diminishing"),  # bending, not flat
    ],
)
def test_verdict_follows_the_curve_shape(curve, verdict) -> None:
    out = at_current_spend(_draws(curve), SPEND, M, 0.9, "equal_tailed")
    assert out["verdict"] == verdict
    share = out["next_step_share_of_average"]
    if verdict == "linear":
        assert share["lo"] > LINEAR_ABOVE and share["mean"] == pytest.approx(1.0, abs=1e-6)
    if verdict == "saturated":
        assert share["hi"] < SATURATED_BELOW
    assert out["roi"]["mean"] == pytest.approx(float(np.mean(_draws(curve)[:, 10] / 1000.0)))


def test_no_verdict_without_today_or_spend() -> None:
    draws = _draws(lambda x: 2.0 * x)
    assert at_current_spend(draws[:, :10], SPEND[:10], M[:10], 0.9, "equal_tailed") is None  # 1× not on the grid
    assert at_current_spend(draws, SPEND * 0, M, 0.9, "equal_tailed") is None  # the channel spent nothing


def test_chat_answer_is_computed_and_grounded(demo_fit) -> None:
    from agent.models.answers import compose
    from tools import build_tools

    tools = {t.name: t for t in build_tools(demo_fit["store"])}
    raw = tools["response_curve"].invoke({"fit_id": demo_fit["fit_id"], "channel": "Search"})
    out = json.loads(raw)
    a = out["at_current_spend"]
    assert a is not None and a["verdict"] in ("saturated", "linear", "diminishing")
    text = compose("response_curve", out, {"intent": "curve", "channel": "Search"}, [])
    assert "Search at today's spend" in text and WORDS[a["verdict"]] in text
    ok, bad = check(text, [out])
    assert ok, bad
