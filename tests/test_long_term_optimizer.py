"""Optimising on total ROI (issue 21): on the brand world's true system, the long-term term is exactly
amount x long-term ROI, it moves budget toward the brand builder, and the plan says it optimised on total ROI."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_core.optimizer.core import OptimizerError
from mmm_core.optimizer.long_term import LongTermROI, with_long_term
from mmm_core.optimizer.plans import plan, plan_response
from mmm_core.optimizer.request import PlanRequest
from mmm_core.optimizer.truth import truth_response
from mmm_core.synth import generate

PERIODS = 13


@pytest.fixture(scope="module")
def brand():
    d = generate("brand", 0)
    short = truth_response(d.world.base, PERIODS)
    names = short.channels
    long = LongTermROI(names, np.array([[d.truth["channels"][c]["long_roi"] for c in names]]), 24)
    return d, short, with_long_term(short, long)


def test_the_long_term_term_is_amount_times_long_roi(brand):
    d, short, total = brand
    amounts = np.array([40_000.0, 90_000.0, 60_000.0, 30_000.0])
    s_total, s_per = short.evaluate(short.to_cells(amounts))
    t_total, t_per = total.evaluate(total.to_cells(amounts))
    long = np.array([d.truth["channels"][c]["long_roi"] for c in short.channels])
    assert t_per[0] == pytest.approx(s_per[0] + amounts * long, rel=1e-5)
    assert t_total[0] == pytest.approx(s_total[0] + amounts @ long, rel=1e-5)
    assert any("total ROI (flagged)" in n for n in total.notes)


def test_total_roi_moves_budget_to_the_brand_builder(brand):
    _, short, total = brand
    budget = float(short.recent_level.sum()) * PERIODS
    free = {"trust_region": None, "decision_rule": False, "extrapolate": True, "n_starts": 3}
    req = PlanRequest(budget, PERIODS, **free)
    on_short = plan_response(short, req)
    on_total = plan_response(total, PlanRequest(budget, PERIODS, total_roi=True, **free))
    assert on_total.allocation["TV"] > 1.2 * on_short.allocation["TV"]  # TV's effect is 2/3 long-term
    assert on_total.allocation["Search"] < on_short.allocation["Search"]  # Search builds nothing
    # at the optimum the marginal total ROI of funded channels is equal; it exceeds TV's short-term marginal by
    # its long-term ROI (1.6)
    mroi = on_total.marginal_roi
    assert mroi["TV"]["mean"] > 1.6


def test_total_roi_without_long_term_draws_is_refused_before_any_work():
    with pytest.raises(OptimizerError) as exc:
        plan(None, PlanRequest(1000.0, PERIODS, total_roi=True))
    assert exc.value.code == "optimizer_no_long_term"


def test_a_fit_without_a_long_term_model_is_refused(demo_fit):
    from mmm_core.optimizer.long_term import stored_long_term_roi

    with pytest.raises(OptimizerError) as exc:
        stored_long_term_roi(demo_fit["store"], demo_fit["fit_id"])
    assert exc.value.code == "optimizer_no_long_term" and "--brand-metrics" in exc.value.hint


def test_channels_must_match(brand):
    _, short, _ = brand
    with pytest.raises(OptimizerError, match="no ROI for"):
        with_long_term(short, LongTermROI(("TV",), np.ones((3, 1)), 24))


def test_cli_flag_reaches_the_request_and_the_header_says_total_roi(tmp_path, capsys):
    from agent.cli.main import main
    from agent.cli.planning import _objective

    assert "TOTAL ROI" in _objective({"kind": "mean", "basis": "total_roi"})
    assert "TOTAL ROI" not in _objective({"kind": "mean"})
    code = main(["--store", str(tmp_path / "s.duckdb"), "optimize", "fit_x", "--budget", "1k", "--total-roi", "--json"])
    out = capsys.readouterr()
    assert code != 0 and "unrecognized arguments" not in out.err  # parsed; refused because the fit does not exist
