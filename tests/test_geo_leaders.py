""" "Which region has the best ROI?": mmm_core names each channel's leading geography and whether its interval
overlaps another's; the roi tool carries both ends and the answer only picks the end asked for (real quick fit of
the scope tests' geo data; the truth here is the per-geography table itself, ranked by hand)."""

from __future__ import annotations

import json

import pytest
from scope_support import geo_fit

from agent.models.answers import compose
from mmm_core.answers import results
from mmm_core.answers.intervals import intervals_overlap
from tools.result_tools import build as result_tools


def test_intervals_that_touch_overlap_and_apart_do_not() -> None:
    assert intervals_overlap({"lo": 0.0, "hi": 1.0}, {"lo": 1.0, "hi": 2.0})
    assert intervals_overlap({"lo": 0.0, "hi": 3.0}, {"lo": 1.0, "hi": 2.0})  # one inside the other
    assert not intervals_overlap({"lo": 0.0, "hi": 1.0}, {"lo": 1.01, "hi": 2.0})
    assert not intervals_overlap({"lo": 1.01, "hi": 2.0}, {"lo": 0.0, "hi": 1.0})


@pytest.fixture(scope="module")
def fitted():
    return geo_fit()


def _roi(fitted, **args) -> dict:
    tool = next(t for t in result_tools(fitted.store) if t.name == "roi")
    return json.loads(tool.func(fit_id=fitted.fit_id, **args))


def test_the_roi_tool_carries_each_channels_leading_geography(fitted) -> None:
    geos = list(results.effect_draws(fitted.store, fitted.fit_id).geos)
    out = _roi(fitted, geos=geos)
    for order, pick in (("best", max), ("worst", min)):
        leaders = {x["channel"]: x for x in out["geo_leaders"][order]}
        assert set(leaders) == set(out["by_geo"][geos[0]])
        for name, x in leaders.items():
            means = {g: out["by_geo"][g][name]["roi"]["mean"] for g in geos}
            assert x["geo"] == pick(means, key=means.get) and x["roi"] == out["by_geo"][x["geo"]][name]["roi"]
            others = [out["by_geo"][g][name]["roi"] for g in geos if g != x["geo"]]
            assert x["overlap"] == any(o["lo"] <= x["roi"]["hi"] and x["roi"]["lo"] <= o["hi"] for o in others)
    assert {x["channel"] for x in _roi(fitted, geos=geos, channel="TV")["geo_leaders"]["best"]} == {"TV"}
    assert "geo_leaders" not in _roi(fitted, geos=geos[:1])  # one geography: nothing to rank


def test_the_answer_names_the_leader_of_the_end_asked_for(fitted) -> None:
    geos = list(results.effect_draws(fitted.store, fitted.fit_id).geos)
    out = _roi(fitted, geos=geos, channel="TV")
    meta = {"intent": "roi", "args": {"geos": geos}}
    for order, word in (("best", "Highest"), ("worst", "Lowest")):
        (lead,) = out["geo_leaders"][order]
        text = compose("roi", out, {**meta, "geo_order": order}, [])
        assert f"{word} ROI for TV: {lead['geo']}, {lead['roi']['mean']:.2f}" in text
    assert "Highest" not in compose("roi", out, meta, []) and "Lowest" not in compose("roi", out, meta, [])
