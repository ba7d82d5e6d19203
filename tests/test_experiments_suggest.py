"""Which lift test to run next (issue 19, item 4): the design, its precision, and the preposterior.

Fast: the preposterior's arithmetic against the closed form of a linear-Gaussian case, the geo holdout design, and
the CLI / answer contract on the session's demo fit. Slow (truth): on the season-confounded world of
test_experiments_calibration, TV — whose spend *is* the season — ranks first, and the narrowing of its ROI interval
the preposterior predicts is close to what a refit with the simulated test of that design gives.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from mmm_core.answers.lift_design import design_for, lift_draws, lift_se, preposterior


def test_preposterior_matches_the_linear_gaussian_closed_form() -> None:
    """ROI and lift jointly Gaussian: the posterior sd after a measurement with error se is
    sqrt(var_roi − cov² / (var_lift + se²)) whatever the measurement; reweighting recovers it."""
    rng = np.random.default_rng(1)
    lift = rng.normal(-1000.0, 400.0, 4000)
    roi = 1.5 - 0.001 * (lift + 1000.0) + rng.normal(0.0, 0.2, 4000)
    se = 300.0
    p = preposterior(roi, lift, se)
    exact = np.sqrt(roi.var() - np.cov(roi, lift)[0, 1] ** 2 / (lift.var() + se**2))
    assert p.method == "importance reweighting" and p.effective_draws > 1000
    assert p.expected_sd_after == pytest.approx(exact, rel=0.05)
    assert p.expected_width_after == pytest.approx(2 * 1.645 * exact, rel=0.08)
    assert 0 < p.narrowing < 1 and p.lift_se == se
    vague = preposterior(roi, lift, 1e6)  # a test far noisier than the model's own uncertainty tells nothing
    assert vague.narrowing < 0.02
    precise = preposterior(roi, lift, 1.0)  # few draws carry the weight: the linear-Gaussian update is used
    assert precise.method == "linear-Gaussian" and precise.expected_sd_after == pytest.approx(0.2, rel=0.1)


def _fake_post(spend: np.ndarray, geos: tuple[str, ...], national: bool = False):
    config = SimpleNamespace(
        l_max=4, channel_l_max=(), per_channel=lambda name, n: (national,) * n if name == "national" else None
    )
    return SimpleNamespace(data=SimpleNamespace(spend=spend, geos=geos, channels=("TV", "Radio")), config=config)


def test_a_geo_panel_gets_a_holdout_set_and_a_dark_channel_a_heavy_up() -> None:
    spend = np.zeros((30, 4, 2))
    spend[..., 0] = np.array([40.0, 10.0, 30.0, 20.0])  # TV: North 40, South 10, East 30, West 20 per period
    spend[27:, :, 1] = 5.0  # Radio spent only in the last periods: no window with room for carry-over saw it
    post = _fake_post(spend, ("North", "South", "East", "West"))
    tv = design_for(post, 0, 6)
    assert (tv.start, tv.end, tv.until) == (21, 26, 29)  # flat spend: the latest 6 periods with 3 of carry-over after
    assert tv.kind == "geo holdout" and tv.geographies == ("North", "West")  # every other geo by spend: 40, 20
    assert tv.spend_change == pytest.approx(-6 * 60.0) and tv.geo_spend() == (-240.0, 0.0, 0.0, -120.0)
    radio = design_for(post, 1, 6)
    assert radio.kind == "heavy-up" and radio.spend_change > 0
    assert radio.spend_change == pytest.approx(0.5 * 6 * (spend[..., 1].mean(axis=0) * radio.cell).sum())
    national = design_for(_fake_post(spend, ("North", "South", "East", "West"), national=True), 0, 6)
    assert national.geographies == ("all",) and national.kind == "go-dark"
    with pytest.raises(Exception, match="does not fit"):
        design_for(post, 0, 28)


def test_suggest_answers_every_channel_ranked_with_design_and_precision(demo_fit, capsys) -> None:
    from agent.cli.main import main

    args = ["--store", str(demo_fit["store"].path), "experiments", "suggest", demo_fit["fit_id"], "--weeks", "4"]
    assert main([*args, "--json", "--allow-unhealthy"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fit_id"] == demo_fit["fit_id"] and out["periods"] == 4 and "provenance" in out
    rows = out["suggestions"]
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    narrowing = [r["precision"]["expected_narrowing"] for r in rows]
    assert narrowing == sorted(narrowing, reverse=True) and all(0 <= x < 1 for x in narrowing)
    for r in rows:
        p, d = r["precision"], r["design"]
        assert d["periods"] == 4 and d["spend_change"] != 0 and d["geographies"] == ["all"]
        assert p["roi_expected_width_after"] <= p["roi_width_before"] * 1.02 and p["lift_se"] > 0
        assert r["reason"] and r["identifiability"]["label"]
    assert main([*args, "--allow-unhealthy"]) == 0
    text = capsys.readouterr().out
    assert rows[0]["channel"] in text and "→" in text


# --- slow: truth on the season-confounded world ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_the_confounded_channel_ranks_first_and_the_predicted_narrowing_holds_on_refit(seed: int) -> None:
    """Tolerance: the predicted and the refit narrowing of TV's 90 % ROI interval agree within 0.10 (absolute; seeds
    0 / 1 measured 0.56 vs 0.56 and 0.44 vs 0.43).
    The preposterior is an expectation over test outcomes computed from the fit's 1000 draws, the refit one
    posterior (measured at the noise-free true lift) from another 1000: the Monte Carlo error of a 90 % width from
    1000 NUTS draws is ~5 %, and the reweighting uses the no-test posterior's shape where the refit can move into
    regions those draws sample thinly."""
    from test_experiments_calibration import _nuts, confounded_world
    from test_experiments_calibration import config as world_config

    from mmm_core.effects.draws import compute_effects
    from mmm_core.engine.config import ExperimentConfig
    from mmm_core.engine.posterior import Posterior

    data, _, true_lift = confounded_world(seed)
    fit = _nuts(data, world_config(), seed)
    post = Posterior.from_fit(fit, data)
    roi = compute_effects(post).roi
    results = {}
    for c, name in enumerate(data.channels):
        design = design_for(post, c, 6)
        results[name] = (design, preposterior(roi[:, c], lift_draws(post, design), lift_se(post, design)))
    ranking = sorted(results, key=lambda n: -results[n][1].narrowing)
    design, predicted = results["TV"]
    lift = true_lift(design.start, design.end, design.spend_change, design.until)
    test = ExperimentConfig(
        "sim", 0, design.start, design.end, design.geo_spend(), lift, predicted.lift_se, design.until
    )
    refit = Posterior.from_fit(_nuts(data, world_config(test), seed), data)
    after = compute_effects(refit).roi[:, 0]
    lo, hi = np.quantile(after, [0.05, 0.95])
    refit_narrowing = 1 - (hi - lo) / predicted.width_before
    print(
        f"seed {seed}: ranking {ranking} (narrowing "
        + ", ".join(f"{n} {results[n][1].narrowing:.2f}" for n in ranking)
        + f"); TV design {design.kind} {design.spend_change:,.0f} over weeks {design.start}-{design.end}, lift SE "
        f"{predicted.lift_se:,.0f} (true lift {lift:,.0f}); TV 90% width before {predicted.width_before:.3f}, "
        f"predicted after {predicted.expected_width_after:.3f} (narrowing {predicted.narrowing:.2f}), refit "
        f"{hi - lo:.3f} (narrowing {refit_narrowing:.2f}); ESS {predicted.effective_draws:.0f}"
    )
    assert ranking[0] == "TV"
    assert abs(predicted.narrowing - refit_narrowing) < 0.10


def test_chat_tools_record_a_reported_test_and_suggest_the_next(demo_fit, tmp_path) -> None:
    """``record_lift_test`` validates like a file row (a bad value is refused by name) and stores the test for the
    dataset; ``suggest_experiment`` returns the ranking compactly."""
    from mmm_core.data.experiments import list_experiments
    from tools import build_tools

    store = demo_fit["store"]
    tools = {t.name: t for t in build_tools(store)}
    reported = {
        "channel": "Search",
        "geography": "all",
        "start": "2022-02-28",
        "end": "2022-03-21",
        "spend_change": 50000,
        "lift": 120000,
        "lift_se": 30000,
        "fit_id": None,
    }
    reported.pop("fit_id")
    bad = json.loads(tools["record_lift_test"].invoke({**reported, "channel": "Radio"}))
    assert bad["error"]["code"] == "invalid_experiment" and "unknown channel" in bad["error"]["message"]
    assert "row" not in bad["error"]["message"]  # one record, not a file row
    out = json.loads(tools["record_lift_test"].invoke(reported))
    try:
        assert out["experiment"]["channel"] == "Search" and out["experiment"]["lift_se"] == 30000
        assert [e["experiment_id"] for e in list_experiments(store, demo_fit["dataset_id"])] == out["added"]
    finally:  # the session's store is shared: leave no experiment behind
        store.run(lambda conn: conn.execute("DELETE FROM experiments"))
    suggested = json.loads(tools["suggest_experiment"].invoke({"fit_id": demo_fit["fit_id"], "weeks": 4}))
    if "error" in suggested:  # the demo quick fit may be unhealthy: then the refusal is the answer
        assert suggested["error"]["code"] == "fit_unhealthy"
    else:
        assert suggested["suggestions"][0]["rank"] == 1 and suggested["suggestions"][0]["design"]["periods"] == 4


def test_plan_value_reruns_the_optimizer_on_reweighted_draws(demo_fit) -> None:
    """The resampled response is the same response on the chosen draws; the plan value of a test is a share of
    simulated outcomes and a finite expected KPI gain, beside the plan recommended now."""
    from mmm_core.answers.plan_value import _resampled, plan_value
    from mmm_core.answers.results import load_posterior
    from mmm_core.optimizer.response import posterior_response
    from mmm_core.optimizer.scenarios import current_level

    post = load_posterior(demo_fit["store"], demo_fit["fit_id"]).thin(200)
    r = posterior_response(post, 13, max_draws=200)
    cells = r.to_cells(current_level(r))
    total = r.evaluate(cells)[0]
    idx = np.array([3] * 100 + [7] * 100)
    np.testing.assert_allclose(_resampled(r, idx).evaluate(cells)[0], total[idx], rtol=1e-5)
    design = design_for(post, 0, 6)
    (value,), plan = plan_value(post, [design], [lift_se(post, design)], sims=2)
    assert 0 <= value["p_change"] <= 1 and value["sims"] == 2 and np.isfinite(value["evsi"])
    assert plan["budget"] == pytest.approx(sum(plan["allocation"].values())) and plan["status"]
