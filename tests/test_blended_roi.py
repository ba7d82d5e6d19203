"""All media's return together ("what's our blended ROI?") was answered with the per-channel table, the
contribution table, or an error from the long-term model. Now one SELECT over the fit's draws: total media
contribution over total spend per draw — checked here against the same arithmetic on the fit's own draws."""

from __future__ import annotations

import numpy as np
import pytest
from router_support import route_in_world

from agent.models.blended import SQL
from mmm_core.answers.results import effect_draws
from mmm_core.data.sql_sandbox import query


def test_blended_roi_is_total_contribution_over_total_spend_per_draw(demo_fit: dict) -> None:
    store, ds, fit_id = demo_fit["store"], demo_fit["dataset_id"], demo_fit["fit_id"]
    roi, low, high, p_above, spend, contribution, channels, draws = query(store, ds, SQL, fit_id=fit_id)["rows"][0]
    eff = effect_draws(store, fit_id)
    per_channel_spend = np.median(eff.contribution_total / eff.roi, axis=0)  # the same in every draw
    total = eff.contribution_total.sum(axis=1)
    assert spend == pytest.approx(per_channel_spend.sum(), rel=1e-6) and channels == len(eff.channels)
    assert draws == eff.n_draws and contribution == pytest.approx(np.median(total), rel=1e-6)
    blended = total / per_channel_spend.sum()
    assert (roi, low, high) == pytest.approx(tuple(np.quantile(blended, [0.5, 0.05, 0.95])), rel=1e-6)
    assert p_above == pytest.approx(float(np.mean(blended > 1)))
    assert low < roi < high


@pytest.mark.parametrize(
    "q", ["what's our blended ROI?", "what's the total ROI of all media?", "what's our overall marketing ROI?"]
)
def test_all_media_return_routes_to_the_blended_roi(q) -> None:
    r = route_in_world(q)
    assert r.intent == "blended_roi" and r.args["sql"] == SQL, r


def test_over_a_period_it_is_the_table_of_that_period() -> None:
    r = route_in_world("what's the overall marketing ROI in 2023?")
    assert r.intent == "roi" and r.args["windows"][0]["label"] == "2023", r


@pytest.mark.parametrize(
    ("q", "args"),
    [
        ("what's the ROI of TV and what's the contribution of Search?", {"only": ["TV", "Search"]}),
        ("give me TV's ROI and its contribution", {"channel": "TV"}),
        ("which channel has the highest spend but the lowest ROI?", {}),
        ("show me spend vs contribution by channel", {}),
    ],
)
def test_two_measures_asked_at_once_get_the_roi_answer_that_holds_both(q, args) -> None:
    r = route_in_world(q)
    assert r.intent == "roi" and r.args == args, r


def test_contributions_by_channel_are_listed_largest_first_with_the_baseline_last() -> None:
    """ "which channel contributes the most?" was answered with the channels in alphabetical order."""
    from agent.models import answers

    rows = [
        {"channel": "Print", "mean": 5.0, "lo": 1.0, "hi": 9.0},
        {"channel": "baseline", "mean": 100.0, "lo": 90.0, "hi": 110.0},
        {"channel": "TV", "mean": 40.0, "lo": 30.0, "hi": 50.0},
        {"channel": "Radio", "mean": 12.0, "lo": 2.0, "hi": 20.0},
    ]
    result = {"by": "channel", "rows": rows, "interval": {"level": 0.9}}
    text = answers.compose("contributions", result, {"intent": "contribution", "args": {}}, ["TV", "Radio", "Print"])
    order = [line.split(":")[0].strip("- ") for line in text.splitlines() if line.startswith("- ")]
    assert order == ["TV", "Radio", "Print", "baseline"] and "largest first" in text
