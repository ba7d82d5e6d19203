"""Every `--out` of the CLI obeys one rule: never the store or its folder, an existing file only with --force.

Through the real entry point (``agent.cli.main.main``): a refused write is one clean JSON error (exit 2) and the
store file is byte-identical afterwards; argparse errors keep the same ``--json`` contract.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from agent.cli.main import main


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main([*argv, "--json"])
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1, f"--json must print exactly one line, got {out!r}"
    return code, json.loads(out[0])


def _refused(capsys, store: Path, *argv: str, match: str) -> dict:
    before = _digest(store)
    code, payload = _run(capsys, "--store", str(store), *argv)
    assert code == 2 and payload["error"]["code"] == "output_refused", payload
    assert match in payload["error"]["message"]
    assert _digest(store) == before, "a refused --out changed the store file"
    return payload["error"]


@pytest.fixture(scope="module")
def fitted(demo_fit: dict) -> dict:
    return {"path": Path(demo_fit["store"].path), "fit_id": demo_fit["fit_id"], "dataset_id": demo_fit["dataset_id"]}


def test_report_over_the_store_file_is_refused_and_the_store_is_untouched(capsys, fitted: dict) -> None:
    store = fitted["path"]
    err = _refused(capsys, store, "report", fitted["fit_id"], "--out", str(store), match="store file")
    assert "--out" in err["hint"]
    _refused(capsys, store, "report", fitted["fit_id"], "--out", str(store), "--force", match="store file")
    artifacts = store.parent / "artifacts" / "report.html"
    _refused(capsys, store, "report", fitted["fit_id"], "--out", str(artifacts), "--force", match="store's folder")
    code, payload = _run(capsys, "--store", str(store), "datasets")  # the store still works
    assert code == 0 and payload["datasets"]


def test_report_needs_force_over_an_existing_file_and_its_results_file(capsys, fitted, tmp_path: Path) -> None:
    store, out = fitted["path"], tmp_path / "report.html"
    out.write_text("keep me")
    _refused(capsys, store, "report", fitted["fit_id"], "--out", str(out), match="exists")
    assert out.read_text() == "keep me"
    fresh = tmp_path / "fresh.html"
    (tmp_path / "fresh.results.json").write_text("{}")
    _refused(capsys, store, "report", fitted["fit_id"], "--out", str(fresh), match="exists")
    assert not fresh.exists()
    code, payload = _run(capsys, "--store", str(store), "report", fitted["fit_id"], "--out", str(out), "--force")
    assert code == 0 and Path(payload["path"]) == out.resolve()
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")], "atomic write left a temp file"


def test_spec_init_over_the_store_file_is_refused(capsys, fitted, tmp_path: Path) -> None:
    store = fitted["path"]
    _refused(capsys, store, "spec", "init", fitted["dataset_id"], "--out", str(store), "--force", match="store file")
    draft = tmp_path / "spec.yaml"
    code, _ = _run(capsys, "--store", str(store), "spec", "init", fitted["dataset_id"], "--out", str(draft))
    assert code == 0 and draft.read_text().startswith("# Draft model spec")
    _refused(capsys, store, "spec", "init", fitted["dataset_id"], "--out", str(draft), match="exists")
    code, _ = _run(capsys, "--store", str(store), "spec", "init", fitted["dataset_id"], "--out", str(draft), "--force")
    assert code == 0


def test_synth_out_and_truth_are_checked(capsys, fitted, tmp_path: Path) -> None:
    store = fitted["path"]
    _refused(capsys, store, "synth", "national_small", "--out", str(store), "--force", match="store file")
    csv = tmp_path / "s.csv"
    _refused(capsys, store, "synth", "national_small", "--out", str(csv), "--truth", str(store), match="store file")
    assert not csv.exists(), "a refused --truth must stop the command before anything is written"
    _refused(capsys, store, "synth", "national_small", "--out", str(csv), "--truth", str(csv), match="same file")
    code, payload = _run(capsys, "--store", str(store), "synth", "national_small", "--out", str(csv))
    assert code == 0 and csv.stat().st_size > 1000
    _refused(capsys, store, "synth", "national_small", "--out", str(csv), match="exists")


@pytest.mark.parametrize(
    "argv, words",
    [
        (["report", "fit_x", "--out", "r.html", "--bogus"], "unrecognized arguments"),
        (["report"], "required"),
        (["report", "fit_x", "--out"], "expected one argument"),
        (["no-such-command"], "invalid choice"),
        (["query", "ds", "SELECT 1", "--max-rows", "many"], "invalid int value"),
    ],
)
def test_argparse_errors_keep_the_json_contract(capsys, argv: list[str], words: str) -> None:
    code, payload = _run(capsys, *argv)
    assert code == 2
    assert payload["error"]["code"] == "usage" and words in payload["error"]["message"]
    assert "--help" in payload["error"]["hint"]


def test_argparse_errors_without_json_print_usage_to_stderr(capsys) -> None:
    assert main(["report", "fit_x", "--out", "r.html", "--bogus"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "usage: mmm-agent" in captured.err and "unrecognized arguments" in captured.err
