"""The risk-aware candidates of the decision rule, on hand-built posteriors whose disagreement we control.

Each channel's horizon contribution is ``beta_s · (1 − exp(−x / k))`` for draw ``s``: a channel whose ``beta`` is
the same in every draw is *well identified*, one whose ``beta`` varies widely is not. Fast and exact (no fit), so
the rule's mechanics are pinned here; the fitted worlds are in ``test_decision_quality.py``.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from mmm_core.optimizer import PlanRequest, plan_response
from mmm_core.optimizer.response import Response

PERIODS = 13
CURRENT = 100.0  # every channel's current total over the horizon
S = 400


def _curves(amounts, args, static):
    per = args["beta"] * (1.0 - jnp.exp(-amounts[None, :] / args["k"][None, :]))  # [S, C]
    return per.sum(-1), per


def _response(beta: np.ndarray, k: np.ndarray) -> Response:
    """Cells are channels; each observed per-period range is wide (the ±30% trust region is what binds)."""
    n = beta.shape[1]
    level = np.full(n, CURRENT / PERIODS)
    return Response(
        _curves,
        (),
        {"beta": jnp.asarray(beta, jnp.float32), "k": jnp.asarray(k, jnp.float32)},
        tuple("ABCD"[:n]),
        tuple("ABCD"[:n]),
        np.arange(n),
        np.ones(n),
        level,
        np.stack([0.2 * level, 3.0 * level], axis=1),
        PERIODS,
        beta.shape[0],
        spend_cv=np.full(n, 0.5),
        label="hand-built posterior",
    )


@pytest.fixture(scope="module")
def starved():
    """A is clearly under-funded and well identified (marginal return 0.91 in every draw); C and D return 0.30,
    certain; B returns 0.24 on average, the least, but its draws disagree (beta log-normal, sd 1.5 on the log
    scale): in about one draw in eight, B returns more than A and cutting it loses."""
    rng = np.random.default_rng(0)
    beta = np.column_stack(
        [
            np.full(S, 300.0),
            80.0 * np.exp(rng.normal(-1.125, 1.5, S)),  # mean 80, median 26, top 5% above 300
            np.full(S, 100.0),
            np.full(S, 100.0),
        ]
    )
    return _response(beta, np.full(4, 200.0))


def _plan(r: Response, **options) -> tuple[dict, dict]:
    res = plan_response(r, PlanRequest(4 * CURRENT, PERIODS, **options))
    return res.allocation, res.details["decision"]


def test_clearly_starved_well_identified_channel_gets_the_money(starved) -> None:
    alloc, dec = _plan(starved)
    assert dec["status"] in ("risk_aware", "partial", "optimum"), dec["summary"]
    assert alloc["A"] >= 1.2 * CURRENT, alloc  # at least two thirds of the +30% the trust region allows
    assert dec["prob_better"] >= 0.9 and dec["gain_share"] >= dec["rule"]["min_gain_share"]
    assert sum(alloc.values()) == pytest.approx(4 * CURRENT, rel=1e-6)
    assert all(0.7 * CURRENT - 1e-6 <= a <= 1.3 * CURRENT + 1e-6 for a in alloc.values()), alloc


def test_risk_aware_candidates_move_where_the_optimum_path_cannot(starved) -> None:
    """The mean optimum cuts B, the channel the draws disagree about: no step of that path passes the rule
    (P(better) is the same at every step, to first order), while moving C and D's money into A does."""
    path_alloc, path_dec = _plan(starved, risk_aware=False)
    alloc, dec = _plan(starved)
    assert path_dec["status"] == "keep" and path_alloc == pytest.approx({ch: CURRENT for ch in "ABCD"})
    assert dec["status"] == "risk_aware" and dec["risk_aversion"] is not None
    assert dec["optimum"]["prob_better"] < 0.9 <= dec["prob_better"]
    assert alloc["A"] >= 1.2 * CURRENT and alloc["B"] == pytest.approx(CURRENT), alloc  # B is left alone


def test_near_optimal_mix_is_kept() -> None:
    """Every channel returns the same at the current mix on average; the draws disagree about which is better,
    so no move gains materially in expectation: the answer is the current mix, exactly."""
    rng = np.random.default_rng(1)
    beta = 200.0 * np.exp(rng.normal(-0.125, 0.5, (S, 4)))
    alloc, dec = _plan(_response(beta, np.full(4, 200.0)))
    assert dec["status"] == "keep" and dec["step"] == 0.0, dec["summary"]
    assert alloc == pytest.approx({ch: CURRENT for ch in "ABCD"})
    assert dec["why"]["uncertain_channels"]  # the reason names the channels whose curves carry the doubt


def test_risk_aware_moves_respect_fixed_channels_and_total_change_limits(starved) -> None:
    alloc, dec = _plan(starved, fixed={"A": CURRENT})
    assert alloc["A"] == pytest.approx(CURRENT)
    alloc, dec = _plan(starved, max_total_change=0.05)
    moved = 0.5 * sum(abs(a - CURRENT) for a in alloc.values()) / (4 * CURRENT)
    assert moved <= 0.05 + 1e-6 and alloc["A"] > CURRENT, alloc


def test_a_risk_aware_recommendation_is_answered_in_words_grounded_in_the_tool(demo_fit: dict) -> None:
    """The chat template names a risk-aware move as such, with numbers from the tool output only."""
    import json

    from agent.models.answers import compose
    from mmm_core.answers.planning import optimize
    from mmm_core.grounding import check
    from tools.planning_tools import _compact_plan

    out = optimize(demo_fit["store"], demo_fit["fit_id"], 150_000, periods=13)
    tool = {"fit_id": demo_fit["fit_id"], **_compact_plan(out), "provenance": out["provenance"]}
    tool = json.loads(json.dumps(tool))
    tool["decision"]["status"] = "risk_aware"  # whatever this fit decided: the wording of that branch
    text = compose("optimize_budget", tool, {"kpi": "sales"}, [])
    ok, bad = check(text, [json.dumps(tool)])
    assert ok, (bad, text)
    assert "Recommendation: a cautious move the posterior agrees on" in text, text


def test_channel_allowance_widens_what_the_data_cannot_pin() -> None:
    """Identified and well varied: the base allowance; a data cause or flat spend each widen that channel more;
    no evidence (a hand-built response): None, so the rule falls back to the single allowance."""
    from mmm_core.optimizer.allowance import BASE, channel_allowance

    k = channel_allowance(((), ("seasonality",), (), ("little spend variation",)), np.array([0.8, 0.8, 0.25, 0.1]))
    assert k[0] == pytest.approx(BASE)
    assert k[1] > k[0] and k[2] > k[0] and k[3] > max(k[1], k[2])
    assert channel_allowance(None, np.ones(4)) is None


def test_widening_by_channel_touches_only_the_widened_channels_spread() -> None:
    from mmm_core.optimizer.allowance import widen_by_channel

    rng = np.random.default_rng(2)
    per = rng.normal([1.0, -0.5], [0.1, 0.4], (S, 2))
    delta = per.sum(1)
    assert widen_by_channel(delta, per, np.ones(2)) == pytest.approx(delta)
    wide = widen_by_channel(delta, per, np.array([1.0, 3.0]))
    assert np.median(wide) == pytest.approx(np.median(delta), abs=0.05)
    assert np.std(wide - per[:, 0]) == pytest.approx(3.0 * np.std(per[:, 1]), rel=1e-6)


def test_a_move_into_a_channel_the_data_cannot_pin_is_judged_wider() -> None:
    """A is starved but its return is uncertain (beta log-sd 0.35): with its spend varied and unconfounded the rule
    moves money into it; the same posterior with A's spend following the seasons and barely varying does not
    (or moves less), because A's part of the gain is judged wider."""
    from dataclasses import replace

    rng = np.random.default_rng(3)
    beta = np.column_stack(
        [300.0 * np.exp(rng.normal(0.0, 0.35, S)), np.full(S, 100.0), np.full(S, 100.0), np.full(S, 100.0)]
    )
    base = replace(_response(beta, np.full(4, 200.0)), data_causes=((), (), (), ()), spend_cv=np.full(4, 0.8))
    pinned, dec_pinned = _plan(base)
    weak = replace(base, data_causes=(("seasonality",), (), (), ()), spend_cv=np.array([0.1, 0.8, 0.8, 0.8]))
    loose, dec_weak = _plan(weak)
    assert dec_pinned["status"] != "keep" and pinned["A"] >= 1.2 * CURRENT, dec_pinned["summary"]
    assert loose["A"] < pinned["A"] - 0.05 * CURRENT, (loose, pinned)
    assert dec_weak["rule"]["allowance"]["A"] > dec_pinned["rule"]["allowance"]["A"]
