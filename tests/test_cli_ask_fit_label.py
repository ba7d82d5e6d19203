"""`mmm-agent ask` says which fit answered only when the turn read one.

A data question ("spend by month") or a setup step is answered without a fit; labelling it "[answered from fit …]"
claimed a source it did not have. Such a turn names the fit results would come from instead.
"""

from __future__ import annotations

import json

import pytest

from agent.cli.main import main


def test_a_data_question_is_not_labelled_as_answered_by_a_fit(demo_fit: dict, capsys: pytest.CaptureFixture) -> None:
    store, fit_id = str(demo_fit["store"].path), demo_fit["fit_id"]
    assert main(["--store", store, "ask", "spend by month"]) == 0
    text = capsys.readouterr().out
    assert "[answered from fit" not in text
    assert f"[answered without reading a fit; results come from fit {fit_id}" in text
    assert main(["--store", store, "ask", "spend by month", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fit_read"] is False and out["fit"]["fit_id"] == fit_id


def test_a_results_question_is_labelled_with_its_fit(demo_fit: dict, capsys: pytest.CaptureFixture) -> None:
    store, fit_id = str(demo_fit["store"].path), demo_fit["fit_id"]
    assert main(["--store", store, "ask", "what is the ROI of Search?", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fit_read"] is True and out["fit"]["fit_id"] == fit_id
