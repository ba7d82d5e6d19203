"""A control named in a question about what it did ("how much did promotions add?") gets the controls' effects, never
the media channels' contributions (an answer about other entities than the one asked); "what does marginal ROI mean?"
is explained before this fit's marginal ROIs (it got the ROI table)."""

from __future__ import annotations

import pytest
from router_support import route_in_world


@pytest.mark.parametrize(
    "q",
    [
        "how much did promotions add?",
        "how much did Promo add?",
        "what's the effect of promos?",
        "how much did the holiday add to sales?",
    ],
)
def test_a_control_named_gets_the_controls_effects(q: str) -> None:
    assert route_in_world(q).intent == "controls"


def test_a_channel_named_with_the_same_verb_keeps_its_contribution() -> None:
    r = route_in_world("what did TV add in 2022?")
    assert r.intent == "contribution" and r.args["channel"] == "TV"


@pytest.mark.parametrize("q", ["what does marginal ROI mean?", "what is marginal ROI?", "explain marginal roi"])
def test_what_marginal_roi_means_is_explained_with_this_fits_figures(q: str) -> None:
    r = route_in_world(q)
    assert r.intent == "headroom" and r.args == {"ask": "marginal"}, r


def test_a_control_asked_about_in_a_period_says_its_effect_spans_every_period() -> None:
    from agent.models.answers import render

    r = route_in_world("how did the promo do in 2022?")
    assert r.intent == "controls" and r.args["over"] == ["2022"], r
    result = {"interval": {"level": 0.9}, "controls": {}}
    text = render("answers/controls.j2", r=result, controls=[], kpi_word="Sales", args=r.args, channel=None)
    assert "not for 2022 alone" in text


def test_how_a_control_did_is_its_effect() -> None:
    assert route_in_world("how did the spring promo do?").intent == "controls"
