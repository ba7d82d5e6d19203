"""The planning rules that used to live in the chat tools: moves, budget shares, held channels, request checks."""

from __future__ import annotations

import pytest

from mmm_core.optimizer.core import OptimizerError
from mmm_core.optimizer.request import PlanRequest, held_at_current, share_bounds
from mmm_core.optimizer.scenarios import apply_moves

LEVELS = {"TV": 100.0, "Search": 50.0, "Social": 20.0}


def test_moves_shift_and_scale_current_levels() -> None:
    alloc = apply_moves(LEVELS, [{"from": "TV", "to": "Search", "share": 0.2}, {"channel": "Social", "change": -0.5}])
    assert alloc == {"TV": 80.0, "Search": 70.0, "Social": 10.0}
    assert sum(apply_moves(LEVELS, [{"from": "TV", "to": "Search"}]).values()) == pytest.approx(170.0)
    assert apply_moves(LEVELS, [{"channel": "tv", "change": -3}])["TV"] == 0.0  # never below zero; names fold case
    assert apply_moves(LEVELS, []) == LEVELS and apply_moves(LEVELS, []) is not LEVELS
    # a level sets the channel's spend ("reduce TV to 30"), where an amount changes it ("cut TV by 30")
    assert apply_moves(LEVELS, [{"channel": "TV", "level": 30}])["TV"] == 30.0
    assert apply_moves(LEVELS, [{"channel": "TV", "amount": -30}])["TV"] == 70.0


@pytest.mark.parametrize(
    "move, code",
    [
        ({"from": "Radio", "to": "TV"}, "optimizer_unknown_channel"),
        ({"channel": "Print", "change": 0.1}, "optimizer_unknown_channel"),
        ({"from": "TV", "to": "Search", "share": 1.5}, "optimizer_bad_move"),
        ({"amount": 5}, "optimizer_bad_move"),
        ({"channel": "TV", "level": -5}, "optimizer_bad_move"),
    ],
)
def test_bad_moves_are_typed_errors(move: dict, code: str) -> None:
    with pytest.raises(OptimizerError) as e:
        apply_moves(LEVELS, [move])
    assert e.value.code == code


def test_shares_of_the_budget_become_channel_bounds() -> None:
    out = share_bounds(1000.0, {"TV": [10, 500]}, max_share={"Search": 0.3}, min_share={"TV": 0.1})
    assert out == {"TV": (100.0, 500), "Search": (None, 300.0)}
    assert share_bounds(1000.0) is None
    with pytest.raises(OptimizerError, match="between 0 and 1"):
        share_bounds(1000.0, max_share={"TV": 30})
    assert held_at_current(["TV"]) == {"TV": (0.0, 0.0)} and held_at_current(None) is None


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"budget": 0}, "optimizer_bad_budget"),
        ({"budget": float("nan")}, "optimizer_bad_budget"),
        ({"budget": 1, "periods": 0}, "optimizer_bad_periods"),
        ({"budget": 1, "objective": "max"}, "optimizer_bad_objective"),
        ({"budget": 1, "geo_split": "random"}, "optimizer_bad_geo_split"),
        ({"budget": 1, "cvar_q": 0}, "optimizer_bad_cvar_q"),
        ({"budget": 1, "max_total_change": 1.2}, "optimizer_bad_change"),
    ],
)
def test_plan_requests_are_checked_when_built(kwargs: dict, code: str) -> None:
    with pytest.raises(OptimizerError) as e:
        PlanRequest(**kwargs)
    assert e.value.code == code


def test_plan_request_defaults_and_immutability() -> None:
    req = PlanRequest(1e6)
    assert (req.periods, req.objective, req.geo_split, req.n_starts, req.max_draws, req.seed) == (
        13,
        "mean",
        "recent",
        5,
        1000,
        0,
    )
    with pytest.raises(AttributeError):
        req.budget = 2.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        PlanRequest(1e6, colour="red")  # type: ignore[call-arg]


def test_shares_from_one_source_are_of_its_spend_before_any_move() -> None:
    """ "a tenth of TV to Radio and a tenth to Print": two equal tenths, not a tenth of what the first one left."""
    moves = [{"from": "TV", "to": "Search", "share": 0.1}, {"from": "TV", "to": "Social", "share": 0.1}]
    alloc = apply_moves(LEVELS, moves)
    assert alloc["TV"] == pytest.approx(LEVELS["TV"] * 0.8)
    assert alloc["Search"] - LEVELS["Search"] == pytest.approx(alloc["Social"] - LEVELS["Social"])
    twice = [{"from": "TV", "to": "Search", "share": 0.7}, {"from": "TV", "to": "Social", "share": 0.7}]
    over = apply_moves(LEVELS, twice)
    assert over["TV"] == 0.0 and sum(over.values()) == pytest.approx(sum(LEVELS.values()))  # never below zero
