"""Experiments as evidence (issue 19), fast checks: the lift-test file format and its refusals, storage per dataset,
the spec field (absent = old hash), the draft, the CLI contract, the engine's counterfactual and the consistency
check's arithmetic. Statistical checks live in test_experiments_calibration.py (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from spec_support import base_spec

from mmm_core.data.experiments import add_experiments, list_experiments
from mmm_core.errors import MFFValidationError, SpecValidationError
from mmm_core.fit.experiment_check import check_experiments
from mmm_core.spec import init_spec
from mmm_core.spec.schema import ModelSpec, canonical_json, spec_sha256

HEADER = "channel ,GEOGRAPHY,start,End,Spend_Change,lift,Lift SE,Type,Source,Notes\n"
GOOD = "TV,,2023-03-06,2023-03-27,50000,120000,30000,heavy-up,agency study,extra column ignored\n"


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "tests.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_add_then_list_matches_headers_loosely_and_stores_once(store, dataset, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    first = add_experiments(store, dataset, path)
    assert len(first["added"]) == 1 and first["already_present"] == []
    assert len(first["file_fingerprint"]) == 64
    again = add_experiments(store, dataset, path)  # same content: stored once
    assert again["added"] == [] and again["already_present"] == first["added"]
    (exp,) = list_experiments(store, dataset)
    assert exp["experiment_id"] == first["added"][0]
    assert (exp["channel"], exp["geography"], exp["start"], exp["end"]) == ("TV", "all", "2023-03-06", "2023-03-27")
    assert (exp["spend_change"], exp["lift"], exp["lift_se"], exp["type"]) == (50000, 120000, 30000, "heavy-up")


@pytest.mark.parametrize(
    ("row", "column", "value", "words"),
    [
        ("Radio,,2023-03-06,2023-03-27,5,1,1,,,\n", "channel ", "Radio", "unknown channel"),
        ("TV,Mars,2023-03-06,2023-03-27,5,1,1,,,\n", "GEOGRAPHY", "Mars", "unknown geography"),
        ("TV,,2023-03-27,2023-03-06,5,1,1,,,\n", "End", "2023-03-06", "before Start"),
        ("TV,,2023-03-06,2030-01-07,5,1,1,,,\n", "End", "2030-01-07", "outside the data"),
        ("TV,,2023-03-07,2023-03-27,5,1,1,,,\n", "start", "2023-03-07", "not a period start"),
        ("TV,,March,2023-03-27,5,1,1,,,\n", "start", "March", "not a date"),
        ("TV,,2023-03-06,2023-03-27,lots,1,1,,,\n", "Spend_Change", "lots", "not a number"),
        ("TV,,2023-03-06,2023-03-27,5,1,0,,,\n", "Lift SE", "0", "must be positive"),
        ("TV,,2023-03-06,2023-03-27,5,1,-2,,,\n", "Lift SE", "-2", "must be positive"),
        ("TV,,2023-03-06,2023-03-27,5,1,1,A/B,,\n", "Type", "A/B", "unknown test type"),
    ],
)
def test_each_refusal_names_file_row_column_value_and_fix(store, dataset, tmp_path, row, column, value, words) -> None:
    path = write(tmp_path, GOOD + row)
    with pytest.raises(MFFValidationError) as err:
        add_experiments(store, dataset, path)
    e = err.value
    assert (e.row, e.column, e.value, e.code) == (3, column, value, "invalid_experiment")
    assert words in e.message and "tests.csv, row 3" in e.message and e.hint
    assert list_experiments(store, dataset) == []  # the good row before it was not stored either


def test_missing_columns_are_named(store, dataset, tmp_path: Path) -> None:
    with pytest.raises(MFFValidationError, match="missing column.*LiftSE"):
        add_experiments(
            store,
            dataset,
            write(tmp_path, "TV,,2023-03-06,2023-03-27,5,1\n", "Channel,Geography,Start,End,SpendChange,Lift\n"),
        )


def test_spec_without_experiments_keeps_its_hash(dataset) -> None:
    spec = base_spec(dataset)
    assert "experiments" not in json.loads(canonical_json(spec))
    with_empty = ModelSpec.parse({**spec.model_dump(mode="json"), "experiments": []})
    assert spec_sha256(with_empty) == spec_sha256(spec)


def _experiment(**changes) -> dict:
    exp = {
        "experiment_id": "exp_1",
        "channel": "TV",
        "start": "2023-03-06",
        "end": "2023-03-27",
        "spend_change": 5e4,
        "lift": 1.2e5,
        "lift_se": 3e4,
    }
    return {**exp, **changes}


def test_spec_experiments_change_the_hash_and_are_checked(dataset) -> None:
    spec = base_spec(dataset)
    calibrated = ModelSpec.parse({**spec.model_dump(mode="json"), "experiments": [_experiment()]})
    assert spec_sha256(calibrated) != spec_sha256(spec)
    assert ModelSpec.from_yaml(calibrated.to_yaml()) == calibrated
    with pytest.raises(SpecValidationError, match="not among media"):
        ModelSpec.parse({**spec.model_dump(mode="json"), "experiments": [_experiment(channel="Radio")]})
    with pytest.raises(SpecValidationError, match="greater than 0"):
        ModelSpec.parse({**spec.model_dump(mode="json"), "experiments": [_experiment(lift_se=0)]})


def test_spec_init_lists_every_stored_experiment(store, dataset, tmp_path: Path) -> None:
    assert init_spec(store, dataset).experiments == []
    add_experiments(store, dataset, write(tmp_path, GOOD))
    (exp,) = init_spec(store, dataset).experiments
    assert (exp.experiment_id, exp.channel, exp.lift, exp.lift_se) == (
        list_experiments(store, dataset)[0]["experiment_id"],
        "TV",
        120000,
        30000,
    )


def test_cli_add_and_list_follow_the_json_contract(store, dataset, tmp_path: Path, capsys) -> None:
    from agent.cli.main import main

    path = write(tmp_path, GOOD)
    assert main(["--store", str(store.path), "experiments", "add", dataset, str(path), "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert main(["--store", str(store.path), "experiments", "list", dataset, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["experiments"][0]["experiment_id"] == added["added"][0]
    assert "id" not in listed["experiments"][0]
    bad = write(tmp_path, "TV,,2023-03-06,2023-03-27,5,1,0,,,\n")
    assert main(["--store", str(store.path), "experiments", "add", dataset, str(bad), "--json"]) != 0
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "invalid_experiment" and "Lift SE" in error["message"] and error["hint"]


class _Exp:  # the fields of engine.config.ExperimentConfig the check reads
    def __init__(self, lift: float, se: float) -> None:
        self.name, self.channel, self.lift, self.lift_se = "exp_a", 0, lift, se


def test_consistency_check_passes_a_reproduced_test_and_warns_with_both_numbers() -> None:
    rng = np.random.default_rng(0)
    draws = rng.normal(1000.0, 50.0, (800, 1))
    alone = rng.normal(900.0, 300.0, (800, 1))
    ok = check_experiments(draws, [_Exp(1010.0, 100.0)], ["TV"], alone)
    assert ok.status == "pass"
    row = ok.details["experiments"][0]
    assert row["calibrated"]["predicted"] == pytest.approx(1000, abs=10) and abs(row["calibrated"]["z"]) < 0.2
    wrong = check_experiments(draws, [_Exp(5000.0, 250.0)], ["TV"], alone)  # far from what the data alone allow
    assert wrong.status == "warn" and "measured 5,000 ± 250" in wrong.reason and "the data alone 90" in wrong.reason
    assert wrong.details["experiments"][0]["data_alone"]["z"] > 3
