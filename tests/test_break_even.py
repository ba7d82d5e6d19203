"""Whether a channel pays back at the user's margin: break-even ROI is one over the margin, and the probability of
a profit is the share of the channel's ROI draws above it (never the ROI's mean compared with one)."""

from __future__ import annotations

import numpy as np
import pytest
from router_support import route_in_world

from mmm_core.answers.break_even import break_even, with_break_even
from mmm_core.errors import MMMError


def test_the_probability_of_a_profit_is_the_share_of_draws_above_one_over_the_margin() -> None:
    rng = np.random.default_rng(3)
    draws = np.column_stack([rng.lognormal(np.log(1.3), 0.5, 4000), rng.lognormal(np.log(4.0), 0.3, 4000)])
    table = {"channels": {"Social": {"roi": {}}, "Search": {"roi": {}}}}
    out = with_break_even(table, draws, ["Social", "Search"], 0.3)
    assert out["break_even"] == pytest.approx(1 / 0.3) and out["margin"] == 0.3
    assert out["channels"]["Social"]["prob_profitable"] == pytest.approx(np.mean(draws[:, 0] > 1 / 0.3))
    assert out["channels"]["Search"]["prob_profitable"] == pytest.approx(np.mean(draws[:, 1] > 1 / 0.3))
    assert out["channels"]["Social"]["prob_profitable"] < 0.1 < 0.5 < out["channels"]["Search"]["prob_profitable"]


@pytest.mark.parametrize("margin", [0.0, -0.2])
def test_a_margin_that_sets_no_break_even_is_refused(margin: float) -> None:
    with pytest.raises(MMMError, match="margin"):
        break_even(margin)


@pytest.mark.parametrize(
    ("q", "channel", "margin"),
    [
        ("is social profitable at a 30% margin?", "Social", 0.3),
        ("which channels lose money if our margin is 25%?", None, 0.25),
        ("does radio pay back?", "Radio", None),
        ("is print worth it?", "Print", None),
    ],
)
def test_a_payback_question_carries_its_channel_and_margin(q: str, channel: str | None, margin: float | None) -> None:
    r = route_in_world(q)
    assert r.intent == "payback" and r.channels == ([channel] if channel else []), r
    assert r.args.get("margin") == margin
