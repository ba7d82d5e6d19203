"""The optimizer, what-ifs and response curves on a multi-outcome fit (issue 22 item 5): the objective is the
weighted sum of outcomes (weights from the spec), cross-effects included, and every plan says what each outcome
gains or loses. One quick two_products fit through the CLI (one chain of 40 draws: the contract and the
arithmetic, not recovery) serves the module; the arithmetic checks re-score its draws with kappa or the weights
replaced, so they test the optimizer's reading of the model, not the fit's quality."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import yaml
from multi_support import world_data

from agent.cli.main import main
from mmm_core.store import Store

WEIGHTS = {"Sales_Single": 1.0, "Sales_Multi": 2.5}
DESCRIPTION = "weighted sum of outcomes Sales_Single × 1 + Sales_Multi × 2.5 (weights from the spec)"
CANNIBALISATION = {
    "source": "Sales_Multi",
    "target": "Sales_Single",
    "type": "cannibalisation",
    "modulator": "Promo_Multi",
}
PERIODS = 13


def _cli(store: str, *argv: str, json_out: bool = True) -> tuple[int, str]:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["--store", store, *argv, *(["--json"] if json_out else [])])
    return code, buf.getvalue()


def _json(store: str, *argv: str) -> dict:
    code, out = _cli(store, *argv)
    assert code == 0, out
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> dict:
    """A quick two-outcome fit with the cannibalisation cross-effect and weights 1 / 2.5 in the spec."""
    from mmm_core.synth.make import write

    tmp = tmp_path_factory.mktemp("multi_optimize")
    csv, _ = write("two_products", 0, tmp / "tp.csv")
    store = str(tmp / "mmm.duckdb")
    ds = _json(store, "ingest", str(csv), "--name", "tp")["dataset_id"]
    draft = tmp / "spec.yaml"
    _json(store, "spec", "init", ds, "--kpi", ",".join(WEIGHTS), "--out", str(draft))
    data = yaml.safe_load(draft.read_text())
    data["outcomes"].update(
        cross_effects=[CANNIBALISATION], control_outcomes={"Promo_Multi": ["Sales_Multi"]}, weights=WEIGHTS
    )
    draft.write_text(yaml.safe_dump(data))
    locked = _json(store, "spec", "lock", str(draft), "--rationale", "two products, weighted by margin")
    fit = _json(store, "fit", locked["spec_id"], "--quick", "--draws", "40", "--seed", "0")
    return {"store": store, "fit_id": fit["fit_id"]}


@pytest.fixture(scope="module")
def post(fitted):
    from mmm_core.answers.results import load_posterior

    return load_posterior(Store(fitted["store"]), fitted["fit_id"], outcomes=True)


def _with(post, kappa: float | None = None, weights: tuple[float, ...] | None = None):
    """The same draws with every kappa set to ``kappa`` and/or other outcome weights."""
    params = dict(post.params)
    if kappa is not None:
        params["kappa"] = np.full_like(np.asarray(params["kappa"]), kappa)
    config = post.multi_config if weights is None else dataclasses.replace(post.multi_config, weights=weights)
    return dataclasses.replace(post, params=params, multi_config=config)


def _optimum(post, budget: float) -> dict[str, float]:
    """The plain optimum (no decision rule, no trust region): the direction the objective pulls in."""
    from mmm_core.optimizer import PlanRequest, plan

    request = PlanRequest(budget, PERIODS, trust_region=None, decision_rule=False, n_starts=2, max_draws=20)
    return plan(post, request).to_dict()["decision"]["optimum_allocation"]


def test_optimize_on_a_multi_fit_states_its_objective_and_each_outcome(fitted) -> None:
    from agent.cli.planning import _render_optimize

    r = _json(fitted["store"], "optimize", fitted["fit_id"], "--budget", "300000")
    assert r["objective"]["description"] == DESCRIPTION
    assert r["objective"]["outcomes"] == WEIGHTS
    assert set(r["outcomes"]) == set(WEIGHTS) and r["decision"]["status"] in ("move", "keep", "partial")
    weighted = 0.0
    for name, o in r["outcomes"].items():
        assert o["weight"] == WEIGHTS[name]
        d = o["vs_current"]["delta"]
        assert d["lo"] <= d["mean"] <= d["hi"] and 0.0 <= o["vs_current"]["prob_up"] <= 1.0
        weighted += o["vs_current"]["weighted_delta"]["mean"]
    # inside the observed spend range (trust region) nothing is widened: the outcomes add up to the total
    assert weighted == pytest.approx(r["vs_current"]["delta"]["mean"], abs=1e-6 * r["expected_kpi"]["mean"])
    text = _render_optimize(r)
    assert f"KPI = {DESCRIPTION}" in text and "Sales_Multi (weight 2.5): expected" in text


def test_weighted_objective_is_predict_multi_over_the_horizon(post) -> None:
    """The response of a plan = Σ_k w_k × (media contributions incl. routed) of predict_multi, same draws: the last
    13 observed periods play the horizon (the data before them are the 'recent' past)."""
    from mmm_core.engine.multi_model import predict_multi
    from mmm_core.optimizer.multi_response import response_of
    from mmm_core.optimizer.response import SPEND_FLOOR

    post = _with(post, kappa=-0.6)  # a clear cross-effect, so the routing is tested
    data = post.multi_data
    cut = len(data.periods) - PERIODS
    past = dataclasses.replace(
        data,
        periods=data.periods[:cut],
        spend=data.spend[:cut],
        kpi=data.kpi[:cut],
        controls=data.controls[:cut],
        modulators=data.modulators[:cut],
    )
    r = response_of(dataclasses.replace(post, multi_data=past), PERIODS, max_draws=1000)
    plan = np.array([90_000.0, 60_000.0, 30_000.0, 20_000.0])
    total, per = r.evaluate(r.to_cells(plan))
    spend = np.array(data.spend, float)
    spend[cut:] = plan / PERIODS  # national: one geo
    spend += SPEND_FLOOR * np.asarray(post.scaled.outcomes[0].spend_scale)[None]  # the response's floor
    mods = np.array(data.modulators, float)
    mods[cut:] = mods[cut - PERIODS : cut].mean(axis=0)  # held at the recent mean
    pred = predict_multi(post.params, post.scaled, post.multi_config, spend, mods)
    expected = (pred["contributions"][:, cut:].sum(axis=(1, 2)) * post.weights).sum(-1)  # [S, C]
    assert np.allclose(per, expected, rtol=2e-4)
    assert np.allclose(total, expected.sum(-1), rtol=2e-4)


def test_cannibalisation_makes_the_source_channel_worth_less(post) -> None:
    """kappa < 0 takes single-pack units in proportion to what a channel drives on multipack: each channel's
    value falls by exactly w_single · kappa · m̄ · (its multipack part), and the plan moves budget away from the
    channel whose value is most on multipack."""
    from mmm_core.optimizer.multi_response import response_of

    none, strong = _with(post, kappa=0.0), _with(post, kappa=-0.9)
    r0, r1 = response_of(none, PERIODS), response_of(strong, PERIODS)
    cells = r0.to_cells(r0.recent_level * PERIODS)
    parts = r0.outcomes.parts(r0, cells)  # [S, C, K], no cross-effect: the direct terms
    m_bar = post.multi_data.modulators[-PERIODS:, :, 0].mean()
    expected = r0.evaluate(cells)[1] + post.weights[0] * -0.9 * m_bar * parts[..., 1]
    assert np.allclose(r1.evaluate(cells)[1], expected, rtol=1e-4)
    budget = float((r0.recent_level * PERIODS).sum())
    before, after = _optimum(none, budget), _optimum(strong, budget)
    mroi = r0.outcomes.parts(r0, cells).mean(0)  # [C, K] at the current mix
    multi_heavy = post.channels[int(np.argmax(mroi[:, 1] / mroi.sum(-1)))]
    assert after[multi_heavy] < before[multi_heavy] - 1e-3 * budget
    assert sum(after.values()) == pytest.approx(budget)


def test_weights_move_the_plan_towards_the_weighted_outcome(post) -> None:
    from mmm_core.optimizer.multi_response import response_of

    r = response_of(post, PERIODS)
    budget = float((r.recent_level * PERIODS).sum())
    parts = r.outcomes.parts(r, r.to_cells(r.recent_level * PERIODS)).mean(0)  # [C, K]
    multi_heavy = post.channels[int(np.argmax(parts[:, 1] / parts.sum(-1)))]
    single_first = _optimum(_with(post, weights=(1.0, 0.2)), budget)
    multi_first = _optimum(_with(post, weights=(0.2, 1.0)), budget)
    assert multi_first[multi_heavy] > single_first[multi_heavy] + 1e-3 * budget


def test_scenario_gives_per_outcome_and_total_deltas(fitted) -> None:
    from agent.cli.planning import _render_scenario
    from mmm_core.answers.planning import scenario

    store = Store(fitted["store"])
    moves = [{"from": "TV", "to": "Search", "share": 0.1}]
    r = scenario(store, fitted["fit_id"], moves=moves)
    sc = r["scenarios"][0]
    assert r["objective"]["description"] == DESCRIPTION
    assert set(sc["outcomes"]) == set(WEIGHTS)
    weighted = sum(o["vs_current"]["weighted_delta"]["mean"] for o in sc["outcomes"].values())
    assert not sc["warnings"]  # a 10% move stays in the observed range: nothing widened, the outcomes add up
    assert weighted == pytest.approx(sc["vs_current"]["delta"]["mean"], abs=1e-6 * sc["expected_kpi"]["mean"])
    text = _render_scenario(r)
    assert f"KPI = {DESCRIPTION}" in text and "Sales_Single (weight 1): expected" in text


def test_response_curve_of_the_weighted_sum(fitted, post) -> None:
    from mmm_core.answers.results import response_curve

    out = response_curve(Store(fitted["store"]), fitted["fit_id"], "social")
    assert out["channel"] == "Social" and out["contribution"][0]["mean"] == pytest.approx(0.0, abs=1e-6)
    c = post.channels.index("Social")
    zero = np.array(post.multi_data.spend, float)
    zero[..., c] = 0.0
    full = post.predict_outcomes()["mu"].sum(axis=(1, 2)) - post.predict_outcomes(zero)["mu"].sum(axis=(1, 2))
    at_one = out["multipliers"].index(1.0)
    assert out["contribution"][at_one]["mean"] == pytest.approx(float((full @ post.weights).mean()), rel=1e-3)


def test_single_kpi_answers_still_refuse_with_the_reason(fitted) -> None:
    from mmm_core.answers.results import load_posterior
    from mmm_core.errors import FitRefusedError

    with pytest.raises(FitRefusedError, match="several outcomes; this answer needs a single-KPI posterior"):
        load_posterior(Store(fitted["store"]), fitted["fit_id"])


def test_chat_tools_say_the_objective_and_each_outcome(fitted) -> None:
    from agent.models.answers import compose
    from tools import build_tools

    tools = {t.name: t for t in build_tools(Store(fitted["store"]))}
    out = json.loads(tools["optimize_budget"].invoke({"fit_id": fitted["fit_id"]}))  # budget: today's total
    assert out["objective_outcomes"] == DESCRIPTION and set(out["outcomes"]) == set(WEIGHTS)
    text = compose("optimize_budget", out, {"intent": "optimize"}, [])
    assert f"Here the KPI is the {DESCRIPTION}" in text and "- Sales_Multi (weight 2.50):" in text
    moves = [{"from": "TV", "to": "Search", "share": 0.1}]
    out = json.loads(tools["scenario"].invoke({"fit_id": fitted["fit_id"], "moves": moves}))
    text = compose("scenario", out, {"intent": "scenario"}, [])
    assert "against current levels" in text and "- Sales_Single (weight 1.00):" in text


def test_evaluate_allocation_says_what_each_outcome_gets(post) -> None:
    from mmm_core.optimizer import evaluate_allocation

    tv = 0.9 * float(post.multi_data.spend[-PERIODS:, :, post.channels.index("TV")].sum())  # inside the range
    out = evaluate_allocation(post, {"TV": tv}, PERIODS, max_draws=20)
    assert out["objective"]["description"] == DESCRIPTION and set(out["outcomes"]) == set(WEIGHTS)
    assert not out["warnings"]  # no extrapolation: nothing widened, so the outcomes add up exactly
    weighted = sum(o["vs_current"]["weighted_delta"]["mean"] for o in out["outcomes"].values())
    assert weighted == pytest.approx(out["vs_current"]["delta"]["mean"], rel=1e-4)


def test_true_response_routes_media_through_the_known_kappa() -> None:
    """The truth the slow check scores plans with: on two_products (kappa -0.3, modulated by the multipack
    promotion), single-pack's true media KPI over the horizon is its own media terms plus kappa × the promotion's
    recent mean × multipack's media — the same world with kappa 0 gives the first part, multipack alone the last."""
    from mmm_core.optimizer.truth import true_multi_media_kpi

    _, _, world = world_data("two_products", 0)
    (cross,) = world.spec.cross
    flat = dataclasses.replace(world.spec, cross=(dataclasses.replace(cross, kappa=0.0),))
    no_cross = dataclasses.replace(world, preset=dataclasses.replace(world.preset, extra={"multi": flat}))
    plan = {"TV": 150_000.0, "Search": 90_000.0, "Social": 40_000.0, "Display": 30_000.0}
    single, multi = np.eye(2)
    m_bar = world.controls[:, -PERIODS:, world.control_names.index("Promo_Multi")].mean()
    routed = cross.kappa * m_bar * true_multi_media_kpi(world, plan, PERIODS, multi)
    expected = true_multi_media_kpi(no_cross, plan, PERIODS, single) + routed
    assert routed < 0 and true_multi_media_kpi(world, plan, PERIODS, single) == pytest.approx(expected, rel=1e-9)


def _adds_up(out: dict, rel: float = 1e-6) -> None:
    """Σ_k w_k · outcome_k equals the objective: expected values and the paired changes vs the reference."""
    outcomes = out["outcomes"].values()
    total = sum(o["weight"] * o["expected_kpi"]["mean"] for o in outcomes)
    assert total == pytest.approx(out["expected_kpi"]["mean"], rel=rel)
    weighted = sum(o["vs_current"]["weighted_delta"]["mean"] for o in outcomes)
    assert weighted == pytest.approx(out["vs_current"]["delta"]["mean"], rel=rel, abs=rel * out["expected_kpi"]["mean"])


def test_outcomes_add_up_to_the_objective_when_a_plan_extrapolates(post) -> None:
    """Far above history every channel is widened (×3 at most): each outcome's part follows its channel's widening
    of the weighted total, so the outcomes still add up to the objective (issue 22, user report: 3,877,369 total
    against 2,985,089 + 3,580,149 at weights 1)."""
    from mmm_core.optimizer import PlanRequest, evaluate_allocation, plan

    level = post.multi_data.spend[-PERIODS:].sum(axis=(0, 1))
    far = {ch: 8.0 * float(v) for ch, v in zip(post.channels, level, strict=True)}
    out = evaluate_allocation(post, far, PERIODS, max_draws=20)
    assert any("widened ×3.00" in w for w in out["warnings"])  # the case the report was about
    _adds_up(out)
    request = PlanRequest(8.0 * float(level.sum()), PERIODS, trust_region=None, decision_rule=False, max_draws=20)
    result = plan(post, request).to_dict()
    assert any("widened" in w for w in result["warnings"]) and result["vs_current"]["delta"]["mean"] != 0.0
    _adds_up(result)


def test_widened_parts_add_up_to_the_widened_total_for_either_rule() -> None:
    """``explain.widen_parts`` against ``explain.widen``: a positive channel (log-scale rule) and one whose total
    crosses zero (additive rule), with a part of each sign (a cannibalised outcome) and a zero weight."""
    from mmm_core.optimizer.explain import widen, widen_parts

    rng = np.random.default_rng(0)
    lift = rng.lognormal(3.0, 0.4, (200, 1))
    parts = np.stack(
        [
            np.concatenate([lift * 1.5, rng.normal(0.0, 5.0, (200, 1))], axis=1),  # Sales_Multi
            np.concatenate([-0.3 * lift, rng.normal(1.0, 5.0, (200, 1))], axis=1),  # cannibalised Sales_Single
            rng.normal(2.0, 1.0, (200, 2)),  # an outcome outside the objective
        ],
        axis=-1,
    )
    weights, factor = np.array([2.5, 1.0, 0.0]), np.array([3.0, 2.0])
    per = parts @ weights
    wide = widen_parts(parts, weights, factor)
    for c in range(2):  # channel by channel: the weighted widened parts are the widened channel total
        assert np.allclose(wide[:, c] @ weights, widen(per[:, c], per[:, [c]], factor[[c]]), rtol=1e-12)
    assert wide[:, 0, 0].std() > 2.0 * parts[:, 0, 0].std() and wide[:, 1, 2].std() > 1.5 * parts[:, 1, 2].std()
    assert np.allclose(wide[:, 0, 1] / wide[:, 0, 0], -0.2, rtol=1e-12)  # cannibalisation stays proportional
    assert np.allclose(widen_parts(parts, weights, np.ones(2)), parts)  # no extrapolation: nothing moves


def test_chat_plan_for_the_next_money_names_the_weighted_total_and_todays_spend(fitted) -> None:
    """'Where should the next 100k go?' on a multi fit: the KPI word is the weighted total (never 'media-driven the
    KPI'), and the line against today's spend says today's spend and the 100,000 the plan adds."""
    from agent.cli.planning import _render_optimize
    from agent.models.answers import compose
    from tools import build_tools

    tools = {t.name: t for t in build_tools(Store(fitted["store"]))}
    out = json.loads(
        tools["optimize_budget"].invoke({"fit_id": fitted["fit_id"], "budget": 100_000, "incremental": True})
    )
    text = compose("optimize_budget", out, {"intent": "optimize"}, [])
    assert "media-driven the " not in text and "the the " not in text
    assert text.count("the KPI") == text.count("Here the KPI is the weighted sum")  # that sentence defines it
    total = "the weighted total of Sales_Single + Sales_Multi"
    assert f"in {total} per unit spent" in text and f"{total[0].upper()}{total[1:]} driven by media" in text
    today = out["incremental"]["current_total"]
    assert f"Against today's spend of {today:,.0f} at today's mix, this plan adds 100,000: {total}" in text
    r = _json(fitted["store"], "optimize", fitted["fit_id"], "--budget", str(today + 100_000))
    level = r["current"]["level"]["total_spend"]
    assert f"vs today's spend of {level:,.0f} at today's mix (+100,000 spend)" in _render_optimize(r)
