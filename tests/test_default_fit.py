"""The default fit: the newest pre-registered full fit answers when no fit is named, else a stated fallback."""

from __future__ import annotations

import json

import pytest
from spec_support import base_spec

from agent.cli.main import main
from mmm_core import ledger
from mmm_core.errors import NotFoundError
from mmm_core.fit.job import latest_fit
from mmm_core.ledger.default_fit import default_fit, named_fit
from tools.base import resolve_fit


def _fit(store, spec_id: str, mode: str) -> str:
    fit_id = ledger.begin_fit(store, spec_id, mode=mode, settings={"draws": 10})
    ledger.finish_fit(store, fit_id, {"max_rhat": 1.0}, {"overall": "pass"}, "artifacts/x.nc", {"ok": True})
    return fit_id


def _post_hoc(store, spec_id: str) -> str:
    """A version locked after results were seen (amended after a finished fit)."""
    media = [
        {"name": "TV", "variable": "TV_Spend", "adstock": {"l_max": 12}},
        {"name": "Search", "variable": "Search_Spend"},
    ]
    amended = ledger.amend(store, spec_id, base_spec(media=media), "longer carry-over")
    assert amended.post_hoc
    return amended.spec_id


def test_a_later_quick_post_hoc_fit_does_not_displace_the_pre_registered_full_one(store, dataset) -> None:
    v1 = ledger.lock(store, base_spec(), "plan").spec_id
    full = _fit(store, v1, "nuts")
    quick_post_hoc = _fit(store, _post_hoc(store, v1), "quick")  # newer, but quick and post-hoc
    choice = default_fit(store)
    assert (choice.fit_id, choice.spec_id, choice.quick, choice.post_hoc) == (full, v1, False, False)
    assert choice.reason is None and choice.describe() == f"fit {full} (spec {v1})"
    # One rule for every caller that used to take "the latest fit": the fit job's helper, the chat tools.
    assert latest_fit(store) == latest_fit(store, dataset) == resolve_fit(store, None) == full
    assert named_fit(store, quick_post_hoc).flags == ["quick", "post-hoc"]


def test_without_a_full_fit_the_fallback_is_stated(store, dataset) -> None:
    v1 = ledger.lock(store, base_spec(), "plan").spec_id
    quick = _fit(store, v1, "quick")
    choice = default_fit(store, dataset)
    assert choice.fit_id == quick and choice.quick and not choice.post_hoc
    assert "No pre-registered full (NUTS) fit" in choice.reason and "quick (approximate)" in choice.reason


def test_pre_registered_comes_before_full(store, dataset) -> None:
    v1 = ledger.lock(store, base_spec(), "plan").spec_id
    quick = _fit(store, v1, "quick")
    _fit(store, _post_hoc(store, v1), "nuts")  # full, but its spec was changed after results were seen
    choice = default_fit(store)
    assert choice.fit_id == quick and "quick" in choice.reason


def test_only_post_hoc_fits_say_so(store, dataset) -> None:
    v1 = ledger.lock(store, base_spec(), "plan").spec_id
    failed = ledger.begin_fit(store, v1)
    ledger.fail_fit(store, failed, {"code": "boom", "message": "x", "hint": ""})  # failed fits never answer
    assert default_fit(store) is None
    first = _fit(store, v1, "nuts")  # its success makes the next version post-hoc; then it is marked failed
    post = _fit(store, _post_hoc(store, v1), "nuts")
    with store.connect() as conn:
        conn.execute("UPDATE fits SET status = 'failed' WHERE id = ?", [first])
    choice = default_fit(store)
    assert choice.fit_id == post and choice.post_hoc and "post-hoc" in choice.reason


def test_no_fit_and_unknown_fit(store, dataset) -> None:
    assert default_fit(store) is None and latest_fit(store) is None
    assert default_fit(store, "no_such_dataset") is None
    with pytest.raises(NotFoundError, match="No fit with id"):
        named_fit(store, "fit_missing")


def test_cli_ask_says_which_fit_answered(demo_fit: dict, capsys: pytest.CaptureFixture) -> None:
    store, fit_id, spec_id = str(demo_fit["store"].path), demo_fit["fit_id"], demo_fit["spec_id"]
    code = main(["--store", store, "ask", "What is the ROI of Search?", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["fit"]["fit_id"] == fit_id and out["fit"]["spec_id"] == spec_id
    assert out["fit"]["source"] == "default" and out["fit"]["quick"] is True and "quick" in out["fit"]["reason"]
    code = main(["--store", store, "ask", "What is the ROI of Search?", "--fit", fit_id])
    text = capsys.readouterr().out
    assert code == 0 and f"[answered from fit {fit_id} (spec {spec_id}; quick)]" in text
