"""The ledger: lock, amend, post-hoc flag, version chains, tamper check, fit gatekeeping, provenance."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest
from spec_support import base_spec, make_dataset

from mmm_core import ledger
from mmm_core.errors import FitRefusedError, LedgerError, NotFoundError, SpecValidationError, TamperError
from mmm_core.ledger import fits as ledger_fits
from mmm_core.ledger import hashchain as ledger_hashchain
from mmm_core.ledger import store as ledger_store
from mmm_core.ledger import verify as ledger_verify


def _events(store, kind=None):
    with store.connect() as conn:
        rows = conn.execute("SELECT kind, spec_id, fit_id, detail_json FROM ledger_events ORDER BY id").fetchall()
    return [(k, s, f, json.loads(d)) for k, s, f, d in rows if kind is None or k == kind]


def _finished_fit(store, spec_id, ok=True):
    fit_id = ledger.begin_fit(store, spec_id, settings={"draws": 10})
    if ok:
        ledger.finish_fit(store, fit_id, {"max_rhat": 1.0}, {"overall": "pass"}, "artifacts/x.nc", {"ok": True})
    else:
        ledger.fail_fit(store, fit_id, {"code": "boom", "message": "exploded", "hint": ""})
    return fit_id


def _amended(store, spec_id, l_max, reason="longer carry-over"):
    media = [
        {"name": "TV", "variable": "TV_Spend", "adstock": {"l_max": l_max}},
        {"name": "Search", "variable": "Search_Spend"},
    ]
    return ledger.amend(store, spec_id, base_spec(media=media), reason)


# --- lock ------------------------------------------------------------------------------------------------------


def test_lock_stores_identity_data_and_rationale(store, dataset):
    locked = ledger.lock(store, base_spec(), "  pre-registered plan  ")
    assert locked.version == 1 and locked.parent_id is None and not locked.post_hoc
    assert locked.data_fingerprint == ledger_store.recompute_fingerprint(store, dataset)
    assert locked.rationale == "pre-registered plan"
    assert locked.sha256 == ledger_store.sha256_text(ledger.canonical_json(base_spec()))
    assert ledger.get_spec(store, locked.spec_id).spec == base_spec()
    assert [e[0] for e in _events(store)] == ["lock"]


@pytest.mark.parametrize("rationale", ["", "   ", None])
def test_lock_requires_a_rationale(store, dataset, rationale):
    with pytest.raises(SpecValidationError, match="rationale is required"):
        ledger.lock(store, base_spec(), rationale)


def test_lock_refuses_specs_that_do_not_match_the_data(store, dataset):
    with pytest.raises(SpecValidationError, match="must be a media variable"):
        ledger.lock(store, base_spec(media=[{"name": "TV", "variable": "Price"}], controls=[]), "x")
    with pytest.raises(NotFoundError):
        ledger.lock(store, base_spec(dataset_id="ds_missing"), "x")


def test_lock_validates_a_spec_built_in_code(store, dataset):
    """A spec edited with model_copy skips pydantic's checks; locked unchecked, it once sat in the ledger where no
    later load could read it. Lock validates it again and writes nothing."""
    spec = base_spec()
    twice = spec.model_copy(update={"controls": list(spec.controls) + list(spec.controls)})
    with pytest.raises(SpecValidationError, match="duplicate"):
        ledger.lock(store, twice, "edited in code")
    with store.connect() as conn:
        assert conn.execute("SELECT count(*) FROM specs").fetchone()[0] == 0 and _events(store) == []


def test_locking_an_identical_spec_returns_the_existing_record(store, dataset):
    first = ledger.lock(store, base_spec(), "plan")
    again = ledger.lock(store, base_spec(), "same plan, typed again")
    assert again.spec_id == first.spec_id and again.reused and not first.reused
    with store.connect() as conn:
        assert conn.execute("SELECT count(*) FROM specs").fetchone()[0] == 1
    assert ledger.get_spec(store, first.spec_id).rationale == "plan"  # the locked row was not altered
    with pytest.raises(SpecValidationError, match="Expected a ModelSpec"):
        ledger.lock(store, first.spec_id, "re-lock by id")
    assert [e[0] for e in _events(store)] == ["lock", "lock_reused"]


def test_relocking_cannot_launder_a_post_hoc_spec(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    _finished_fit(store, v1.spec_id)
    v2 = _amended(store, v1.spec_id, 12)
    relocked = ledger.lock(store, v2.spec, "fresh start?")
    assert relocked.spec_id == v2.spec_id and relocked.post_hoc and relocked.version == 2


def test_a_fresh_lock_after_results_on_the_dataset_is_post_hoc(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    _finished_fit(store, v1.spec_id)
    other = ledger.lock(store, base_spec(controls=[]), "another idea")
    assert other.version == 1 and other.post_hoc
    assert "locked after results of other specs" in ledger.provenance(store, other.spec_id)["disclosure"]


# --- amend -----------------------------------------------------------------------------------------------------


def test_amend_before_any_fit_is_not_post_hoc(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    v2 = _amended(store, v1.spec_id, 12)
    assert (v2.version, v2.parent_id, v2.post_hoc, v2.amendment_reason) == (2, v1.spec_id, False, "longer carry-over")


@pytest.mark.parametrize("ok", [True, False])
def test_amend_after_a_finished_fit_is_post_hoc(store, dataset, ok):
    v1 = ledger.lock(store, base_spec(), "plan")
    fit_id = _finished_fit(store, v1.spec_id, ok=ok)
    v2 = _amended(store, v1.spec_id, 12)
    assert v2.post_hoc
    assert _events(store, "amend")[0][3]["after_fits"] == [fit_id]


def test_running_fit_does_not_make_an_amendment_post_hoc(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    ledger.begin_fit(store, v1.spec_id)
    assert not _amended(store, v1.spec_id, 12).post_hoc


def test_grandchild_inherits_post_hoc_from_a_fit_on_the_grandparent(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    _finished_fit(store, v1.spec_id)
    v2 = _amended(store, v1.spec_id, 12)
    v3 = _amended(store, v2.spec_id, 10, reason="shorter again")
    assert v3.version == 3 and v3.parent_id == v2.spec_id and v3.post_hoc
    assert [s.version for s in ledger.chain(store, v3.spec_id)] == [1, 2, 3]


def test_amend_refusals(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    for reason in ("", "  ", None):
        with pytest.raises(SpecValidationError, match="reason is required"):
            _amended(store, v1.spec_id, 12, reason=reason)
    with pytest.raises(SpecValidationError, match="identical") as exc:
        ledger.amend(store, v1.spec_id, base_spec(), "no change")
    assert exc.value.code == "amendment_identical"
    make_dataset(store, "ds_b", "other")
    with pytest.raises(SpecValidationError, match="stays on its parent's dataset"):
        ledger.amend(store, v1.spec_id, base_spec(dataset_id="ds_b"), "other data")
    with pytest.raises(NotFoundError):
        ledger.amend(store, "spec_nope", base_spec(controls=[]), "x")
    _amended(store, v1.spec_id, 12)
    with pytest.raises(LedgerError, match="already amended") as exc:
        _amended(store, v1.spec_id, 10)
    assert exc.value.code == "not_latest"


# --- immutability and tamper check --------------------------------------------------------------------------------


def test_no_public_update_or_delete_path():
    modules = (ledger, ledger_fits, ledger_store, ledger_hashchain, ledger_verify)
    for module in modules:
        public = [n for n, _ in inspect.getmembers(module, inspect.isfunction) if not n.startswith("_")]
        assert not [n for n in public if n.startswith(("update_spec", "delete", "remove", "edit", "set_", "alter"))]
    for module in modules:  # the only statements touching specs / ledger_events are INSERTs and SELECTs
        source = inspect.getsource(module)
        for table in ("specs", "ledger_events"):
            assert f"UPDATE {table}" not in source and f"DELETE FROM {table}" not in source


def _corrupt(
    store,
    spec_id,
    sql="UPDATE specs SET canonical_json = replace(canonical_json, '\"l_max\":8', '\"l_max\":9') WHERE id = ?",
):
    with store.transaction() as conn:
        conn.execute(sql, [spec_id])


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE specs SET canonical_json = replace(canonical_json, '\"l_max\":8', '\"l_max\":9') WHERE id = ?",
        # an attacker who also rewrites the hash is caught by the hash recorded in the lock event
        "UPDATE specs SET canonical_json = replace(canonical_json, '\"l_max\":8', '\"l_max\":9'), "
        "sha256 = sha256(replace(canonical_json, '\"l_max\":8', '\"l_max\":9')) WHERE id = ?",
        "UPDATE specs SET data_fingerprint = 'fp_forged' WHERE id = ?",
    ],
)
def test_tampered_spec_fails_every_command(store, dataset, sql):
    v1 = ledger.lock(store, base_spec(), "plan")
    _corrupt(store, v1.spec_id, sql)
    for call in (
        lambda: ledger.get_spec(store, v1.spec_id),
        lambda: ledger.provenance(store, v1.spec_id),
        lambda: ledger.begin_fit(store, v1.spec_id),
        lambda: ledger.ledger_report(store, "demo"),
        lambda: _amended(store, v1.spec_id, 12),
    ):
        with pytest.raises(TamperError):
            call()
    assert _events(store, "tamper_detected")
    assert any(e[3]["code"] == "spec_tampered" for e in _events(store, "fit_refused"))


def test_tamper_during_a_fit_fails_the_fit(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    fit_id = ledger.begin_fit(store, v1.spec_id)
    _corrupt(store, v1.spec_id)
    with pytest.raises(TamperError):
        ledger.finish_fit(store, fit_id, {}, {}, "x.nc")
    assert ledger.get_fit(store, fit_id)["status"] == "failed"


# --- begin_fit gatekeeping ------------------------------------------------------------------------------------------


def test_begin_fit_refuses_drafts_and_unknown_ids(store, dataset, tmp_path):
    draft = tmp_path / "draft.yaml"
    draft.write_text(base_spec().to_yaml())
    for target, code in (
        (base_spec(), "not_locked"),
        (str(draft), "not_locked"),
        ("spec.yaml", "not_locked"),
        ("spec_unknown", "unknown_spec"),
    ):
        with pytest.raises(FitRefusedError) as exc:
            ledger.begin_fit(store, target)
        assert exc.value.code == code and "spec lock" in exc.value.hint
    refused = [e for e in ledger.ledger_report(store, "demo")["events"] if e["kind"] == "fit_refused"]
    assert len(refused) == 2  # the draft object and the draft file name their dataset; the others cannot
    assert len(_events(store, "fit_refused")) == 4
    with store.connect() as conn:
        assert conn.execute("SELECT count(*) FROM fits").fetchone()[0] == 0


def test_begin_fit_refuses_changed_or_missing_data(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    with store.transaction() as conn:
        conn.execute("UPDATE datasets SET fingerprint = 'fp_reingested' WHERE id = ?", [dataset])
    with pytest.raises(FitRefusedError) as exc:
        ledger.begin_fit(store, v1.spec_id)
    assert exc.value.code == "data_changed"
    with store.transaction() as conn:
        conn.execute("DELETE FROM datasets WHERE id = ?", [dataset])
    with pytest.raises(FitRefusedError) as exc:
        ledger.begin_fit(store, v1.spec_id)
    assert exc.value.code == "dataset_missing"
    assert [e[3]["code"] for e in _events(store, "fit_refused")] == ["data_changed", "dataset_missing"]


def test_begin_fit_refuses_unknown_mode(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    with pytest.raises(FitRefusedError, match="mode"):
        ledger.begin_fit(store, v1.spec_id, mode="vi")


def test_fit_lifecycle(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    fit_id = ledger.begin_fit(store, v1.spec_id, engine="numpyro", mode="quick", settings={"seed": 3})
    fit = ledger.get_fit(store, fit_id)
    assert fit["status"] == "running" and fit["started_at"] and fit["pid"] and fit["dataset_id"] == dataset
    ledger.update_fit_progress(store, fit_id, 0.5, "warmup done")
    ledger.update_fit_progress(store, fit_id, 0.9, "sampling")
    assert ledger.get_fit(store, fit_id)["log"] == "warmup done\nsampling\n"
    ledger.finish_fit(store, fit_id, {"max_rhat": 1.01}, {"overall": "pass"}, "a/b.nc", {"blocking": []})
    fit = ledger.get_fit(store, fit_id)
    assert (
        fit["status"] == "succeeded"
        and fit["finished_at"]
        and json.loads(fit["diagnostics_json"]) == {"max_rhat": 1.01}
    )
    with pytest.raises(LedgerError, match="not running"):
        ledger.fail_fit(store, fit_id, {"code": "late"})
    with pytest.raises(LedgerError):
        ledger.update_fit_progress(store, fit_id, 1.0)
    assert [e[0] for e in _events(store)] == ["lock", "fit_start", "fit_finish"]


def test_stale_running_fits_are_reaped(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone = ledger.begin_fit(store, v1.spec_id, pid=dead.pid)
    assert ledger.reap_stale_fits(store) == [gone]
    alive = ledger.begin_fit(store, v1.spec_id)
    assert ledger.reap_stale_fits(store) == []
    fit = ledger.get_fit(store, gone)
    assert fit["status"] == "failed" and json.loads(fit["error_json"])["code"] == "stale_fit"
    with store.transaction() as conn:
        conn.execute("UPDATE fits SET heartbeat_at = heartbeat_at - INTERVAL 2 HOUR WHERE id = ?", [alive])
    ledger.ledger_report(store, "demo")  # reaps too
    assert ledger.get_fit(store, alive)["status"] == "failed"
    assert ledger.begin_fit(store, v1.spec_id)  # re-runnable


# --- provenance and report ---------------------------------------------------------------------------------------


def test_provenance_and_disclosure_for_a_pre_registered_spec(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    _finished_fit(store, v1.spec_id)
    p = ledger.provenance(store, v1.spec_id)
    assert p["spec_id"] == v1.spec_id and p["spec_version"] == 1 and p["post_hoc"] is False
    assert p["specs_tried_on_dataset"] == 1 and p["fits_on_dataset"] == 1 and p["amendments"] == []
    assert p["disclosure"] == (
        f"Results come from locked spec v1 (sha256 {v1.sha256[:8]}…), locked before any "
        "results were seen; 1 spec and 1 fit have been tried on this dataset."
    )


def test_disclosure_after_post_hoc_amendments(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    v2 = _amended(store, v1.spec_id, 12, reason="brand study says longer")
    _finished_fit(store, v2.spec_id)
    _finished_fit(store, v2.spec_id, ok=False)
    v3 = _amended(store, v2.spec_id, 10, reason="divergences at 12")
    p = ledger.provenance(store, v3.spec_id)
    assert p["amendments"] == [
        {"version": 2, "spec_id": v2.spec_id, "reason": "brand study says longer", "post_hoc": False},
        {"version": 3, "spec_id": v3.spec_id, "reason": "divergences at 12", "post_hoc": True},
    ]
    assert p["disclosure"] == (
        f"Results come from locked spec v3 (sha256 {v3.sha256[:8]}…), amended twice — "
        '1 of them after results were seen (latest reason: "divergences at 12"); '
        "3 specs and 2 fits have been tried on this dataset."
    )
    v2p = ledger.provenance(store, v2.spec_id)["disclosure"]
    assert 'amended once before any results were seen (reason: "brand study says longer")' in v2p


def test_ledger_report_tells_the_story_in_order(store, dataset):
    v1 = ledger.lock(store, base_spec(), "plan")
    _finished_fit(store, v1.spec_id)
    v2 = _amended(store, v1.spec_id, 12)
    ledger.record_refusal(store, dataset, v2.spec_id, None, "make TV look better", "result shopping")
    with pytest.raises(FitRefusedError):
        ledger.begin_fit(store, "draft.yaml")
    report = ledger.ledger_report(store, "demo")
    assert [(s["version"], s["post_hoc"]) for s in report["specs"]] == [(1, False), (2, True)]
    assert report["specs"][1]["changes"] == ["media[TV].adstock.l_max: 8 → 12"]
    assert report["specs"][1]["amendment_reason"] == "longer carry-over"
    assert [f["status"] for f in report["fits"]] == ["succeeded"] and report["fits"][0]["spec_version"] == 1
    assert [e["kind"] for e in report["events"]] == ["lock", "fit_start", "fit_finish", "amend", "refusal"]
    assert report["disclosure"].startswith(
        "2 specs locked on this dataset (1 after results had been seen); 1 fit (1 succeeded)"
    )
