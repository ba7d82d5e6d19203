"""`mmm-agent demo` runs the whole path offline: synth → ingest → describe → spec → lock → fit → ROI → report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli.main import main


def test_demo_quick_runs_the_whole_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--workdir", str(tmp_path), "--quick", "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["dataset_id"].startswith("ds_") and out["spec_id"] and out["fit_id"]
    assert Path(out["report"]).is_file()
    assert out["fit"]["status"] == "succeeded" and out["fit"]["approximate"] is True
    assert set(out["roi"]["channels"]) == set(out["true_roi"]) == {"Search", "Social", "Local", "Email"}
    assert out["not_built"] == [] and "report:" in captured.err
    # Re-running on the same workdir reuses the identical dataset instead of duplicating it.
    assert main(["demo", "--workdir", str(tmp_path), "--quick", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["dataset_id"] == out["dataset_id"]
