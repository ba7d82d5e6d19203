"""CLI end to end: spec init/lock/amend/show and ledger on a temporary store (JSON contract, ARCHITECTURE §6)."""

from __future__ import annotations

import json

import pytest
import yaml
from spec_support import make_dataset

from agent.cli.main import main
from mmm_core import ledger
from mmm_core.store import Store


@pytest.fixture
def env(tmp_path):
    path = tmp_path / "mmm.duckdb"
    make_dataset(Store(path))
    return tmp_path, str(path)


def run(capsys, store, *argv, ok=True):
    code = main(["--store", store, *argv, "--json"])
    out, err = capsys.readouterr()
    assert (code == 0) == ok, err
    lines = out.strip().splitlines()
    assert len(lines) == 1, out  # exactly one JSON object on stdout
    return json.loads(lines[0])


def test_spec_workflow_end_to_end(env, capsys):
    tmp, store = env
    draft = tmp / "spec.yaml"
    init = run(capsys, store, "spec", "init", "demo", "--out", str(draft))
    assert init["spec"]["kpi"] == "Sales" and init["path"] == str(draft) and draft.is_file()

    locked = run(capsys, store, "spec", "lock", str(draft), "--rationale", "pre-registered")
    assert set(locked) >= {"spec_id", "sha256", "version", "dataset_id"} and locked["version"] == 1

    data = yaml.safe_load(draft.read_text())
    next(m for m in data["media"] if m["name"] == "TV")["adstock"]["l_max"] = 12
    (tmp / "v2.yaml").write_text(yaml.safe_dump(data))
    amended = run(capsys, store, "spec", "amend", locked["spec_id"], str(tmp / "v2.yaml"), "--reason", "longer TV")
    assert amended["parent_id"] == locked["spec_id"] and amended["version"] == 2 and amended["post_hoc"] is False

    shown = run(capsys, store, "spec", "show", amended["spec_id"], "--diff", locked["spec_id"])
    assert shown["diff"]["lines"] == ["media[TV].adstock.l_max: 8 → 12"]
    assert shown["provenance"]["spec_version"] == 2 and shown["spec"]["kpi"] == "Sales"

    report = run(capsys, store, "ledger", "demo")
    assert [s["version"] for s in report["specs"]] == [1, 2] and report["disclosure"]


def test_human_ledger_tells_order_reasons_and_post_hoc(env, capsys):
    tmp, store = env
    draft = tmp / "spec.yaml"
    run(capsys, store, "spec", "init", "demo", "--out", str(draft))
    v1 = run(capsys, store, "spec", "lock", str(draft), "--rationale", "brand study plan")
    fit_id = ledger.begin_fit(Store(store), v1["spec_id"])
    ledger.finish_fit(Store(store), fit_id, {}, {}, "x.nc")
    data = yaml.safe_load(draft.read_text())
    data["controls"] = []
    (tmp / "v2.yaml").write_text(yaml.safe_dump(data))
    v2 = run(capsys, store, "spec", "amend", v1["spec_id"], str(tmp / "v2.yaml"), "--reason", "price looked odd")
    assert v2["post_hoc"] is True
    assert main(["--store", store, "ledger", "demo"]) == 0
    text = capsys.readouterr().out
    assert "1. v1" in text and "before any results" in text and "rationale: brand study plan" in text
    assert "2. v2" in text and "AFTER results had been seen (post hoc)" in text and "reason: price looked odd" in text
    assert "changed: controls[Price]: removed" in text and "succeeded" in text
    assert text.index("1. v1") < text.index("2. v2")
    assert main(["--store", store, "spec", "show", v2["spec_id"]]) == 0
    shown = capsys.readouterr().out
    assert "controls[Price]: removed" in shown and "amended once after results were seen" in shown


def test_errors_follow_the_json_contract(env, capsys):
    tmp, store = env
    draft = tmp / "spec.yaml"
    run(capsys, store, "spec", "init", "demo", "--out", str(draft))
    err = run(capsys, store, "spec", "lock", str(draft), "--rationale", " ", ok=False)
    assert err["error"]["code"] == "rationale_required" and err["error"]["hint"]
    err = run(capsys, store, "spec", "show", "spec_missing", ok=False)
    assert err["error"]["code"] == "spec_not_found"
    draft.write_text(draft.read_text().replace("pooling: full", "pooling: sometimes"))
    err = run(capsys, store, "spec", "lock", str(draft), "--rationale", "x", ok=False)
    assert "geo.pooling" in err["error"]["message"] and "'partial'" in err["error"]["message"]


def test_tampered_spec_fails_cli_commands(env, capsys):
    tmp, store = env
    draft = tmp / "spec.yaml"
    run(capsys, store, "spec", "init", "demo", "--out", str(draft))
    v1 = run(capsys, store, "spec", "lock", str(draft), "--rationale", "plan")
    with Store(store).transaction() as conn:
        conn.execute("UPDATE specs SET canonical_json = replace(canonical_json, 'Sales', 'Revenue')")
    for argv in (
        ["spec", "show", v1["spec_id"]],
        ["ledger", "demo"],
        ["spec", "amend", v1["spec_id"], str(draft), "--reason", "x"],
    ):
        assert run(capsys, store, *argv, ok=False)["error"]["code"] == "spec_tampered"


def test_every_command_has_an_example_in_help(capsys):
    for argv in (["spec", "init"], ["spec", "lock"], ["spec", "amend"], ["spec", "show"], ["ledger"]):
        with pytest.raises(SystemExit):
            main([*argv, "--help"])
        assert "Example:" in capsys.readouterr().out
