"""Budget planning from a stored fit: CLI parsing, stored plans, ledger events, refusal of unhealthy fits."""

from __future__ import annotations

import json

import pytest

from agent.cli.main import main
from agent.cli.planning import amount
from mmm_core import ledger
from mmm_core.answers.planning import optimize, scenario, stored_plans
from mmm_core.errors import MMMError


@pytest.mark.parametrize(
    "text, value",
    [("2M", 2e6), ("500k", 5e5), ("$1,250,000", 1.25e6), ("1.5e6", 1.5e6), ("2 m", 2e6), ("750", 750.0), ("3bn", 3e9)],
)
def test_amounts_in_words(text: str, value: float) -> None:
    assert amount(text) == pytest.approx(value)


def test_unreadable_amount_is_refused() -> None:
    with pytest.raises(MMMError, match="Cannot read the amount"):
        amount("lots")


def test_optimize_is_stored_logged_and_respects_bounds(demo_fit: dict) -> None:
    store, fit_id = demo_fit["store"], demo_fit["fit_id"]
    plan = optimize(store, fit_id, 200_000, periods=13, bounds={"Search": (None, 50_000)})
    assert sum(plan["allocation"].values()) == pytest.approx(200_000, rel=1e-6)
    assert plan["allocation"]["Search"] <= 50_000 * (1 + 1e-9)
    assert plan["provenance"]["spec_id"] == demo_fit["spec_id"]
    assert stored_plans(store, fit_id)[-1]["plan_id"] == plan["plan_id"]
    events = ledger.ledger_report(store, demo_fit["dataset_id"])["events"]
    assert any(e["kind"] == "optimize" for e in events)


def test_scenario_compares_with_current(demo_fit: dict) -> None:
    out = scenario(demo_fit["store"], demo_fit["fit_id"], [{"Search": 60_000}], periods=13, names=["more search"])
    sc = out["scenarios"][0]
    assert sc["allocation"]["Search"] == pytest.approx(60_000)
    assert 0.0 <= sc["vs_current"]["prob_better"] <= 1.0
    assert out["fit_id"] == demo_fit["fit_id"] and out["provenance"]["spec_id"] == demo_fit["spec_id"]


def test_cli_optimize_and_scenario_json(demo_fit: dict, capsys: pytest.CaptureFixture[str]) -> None:
    store, fit_id = str(demo_fit["store"].path), demo_fit["fit_id"]
    assert (
        main(
            [
                "--store",
                store,
                "optimize",
                fit_id,
                "--budget",
                "150k",
                "--fixed",
                "Email=10k",
                "--bound",
                "Local=5k:40k",
                "--json",
            ]
        )
        == 0
    )
    plan = json.loads(capsys.readouterr().out)
    assert plan["allocation"]["Email"] == pytest.approx(10_000)
    assert 5_000 - 1e-6 <= plan["allocation"]["Local"] <= 40_000 + 1e-6
    assert main(["--store", store, "scenario", fit_id, "--allocation", "Social=30k", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["scenarios"][0]["allocation"]["Social"] == pytest.approx(30_000)
    assert main(["--store", store, "optimize", fit_id, "--budget", "lots", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "bad_amount"


def test_incremental_budget_keeps_current_levels_and_adds_the_money(demo_fit: dict) -> None:
    store, fit_id = demo_fit["store"], demo_fit["fit_id"]
    plan = optimize(store, fit_id, 50_000, periods=13, incremental=True)
    inc = plan["incremental"]
    assert inc["added"] == 50_000
    assert sum(plan["allocation"].values()) == pytest.approx(inc["current_total"] + 50_000, rel=1e-6)
    for ch, level in inc["current"].items():
        assert plan["allocation"][ch] >= level * (1 - 1e-9)
        assert inc["increments"][ch] == pytest.approx(plan["allocation"][ch] - level)
    assert sum(inc["increments"].values()) == pytest.approx(50_000, rel=1e-6)
