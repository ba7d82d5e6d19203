"""The ledger as a hash chain: every attack of issue 14 item 4 on a store file in hand, each caught by `verify` and
refused by every command that reads the ledger; the fit-time fingerprint check; concurrent appends; the
migration of an older store; the anchor.

Attacks edit the DuckDB file directly, as someone holding the file would (a plain ``duckdb.connect``)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading

import duckdb
import pytest
from spec_support import base_spec

from mmm_core import ledger
from mmm_core.errors import TamperError
from mmm_core.ledger import hashchain as ledger_chain
from mmm_core.ledger.store import log_event
from mmm_core.store import GENESIS_HASH, MIGRATIONS, Store, chain_hash


def _history(store, dataset, tmp_path):
    """v1 → fit (succeeded, with an artifact file) → refusal → v2 (post hoc) → fit (failed) → refusal."""
    v1 = ledger.lock(store, base_spec(), "pre-registered plan")
    folder = tmp_path / "fit_artifacts"
    folder.mkdir()
    (folder / "samples.npz").write_bytes(b"draws")
    fit1 = ledger.begin_fit(store, v1.spec_id, settings={"draws": 10})
    ledger.finish_fit(store, fit1, {"max_rhat": 1.0}, {"overall": "pass"}, str(folder), {"ok": True})
    ledger.record_refusal(store, dataset, v1.spec_id, None, "make TV win", "result-seeking")
    media = [
        {"name": "TV", "variable": "TV_Spend", "adstock": {"l_max": 12}},
        {"name": "Search", "variable": "Search_Spend"},
    ]
    v2 = ledger.amend(store, v1.spec_id, base_spec(media=media), "longer carry-over")
    fit2 = ledger.begin_fit(store, v2.spec_id)
    ledger.fail_fit(store, fit2, {"code": "boom", "message": "exploded", "hint": ""})
    ledger.record_refusal(store, dataset, v2.spec_id, None, "drop Price so Search wins", "result-seeking")
    return {"v1": v1.spec_id, "v2": v2.spec_id, "fit1": fit1, "fit2": fit2, "folder": folder}


def _attack(store, *statements):
    """Edit the store file as an attacker would: outside mmm-agent, no chain bookkeeping."""
    conn = duckdb.connect(str(store.path))
    try:
        for sql, *params in statements:
            conn.execute(sql, params[0] if params else [])
    finally:
        conn.close()


def _event_id(store, kind, n=0, **where):
    cond = "".join(f" AND {k} = ?" for k in where)
    with store.connect() as conn:
        rows = conn.execute(f"SELECT id FROM ledger_events WHERE kind = ?{cond} ORDER BY id", [kind, *where.values()])
        return rows.fetchall()[n][0]


def _kinds(report):
    return {p["kind"] for p in report.to_dict()["problems"]}


def _every_read_refuses(store, h, code):
    """get_spec, provenance, the ledger report and fit registration all raise TamperError with ``code``."""
    for call in (
        lambda: ledger.get_spec(store, h["v1"]),
        lambda: ledger.provenance(store, h["v2"]),
        lambda: ledger.ledger_report(store, "demo"),
        lambda: ledger.begin_fit(store, h["v2"]),
    ):
        with pytest.raises(TamperError) as exc:
            call()
        assert exc.value.code == code
    return exc.value


# --- the chain as written -------------------------------------------------------------------------------------------


def test_every_event_is_linked_and_commits_to_what_must_not_change(store, dataset, tmp_path):
    h = _history(store, dataset, tmp_path)
    with store.connect() as conn:
        rows = conn.execute(
            "SELECT id, created_at, kind, dataset_id, spec_id, fit_id, detail_json, prev_hash, hash "
            "FROM ledger_events ORDER BY id"
        ).fetchall()
        head = conn.execute("SELECT event_id, hash, n_events FROM ledger_head").fetchone()
    prev = GENESIS_HASH
    for event_id, created, kind, ds, spec, fit, detail, stored_prev, stored in rows:
        assert stored_prev == prev and stored == chain_hash(prev, event_id, created, kind, (ds, spec, fit), detail)
        prev = stored
    assert head == (rows[-1][0], prev, len(rows)) and ledger.anchor(store) == prev
    assert ledger.provenance(store, h["v2"])["anchor"] == ledger.ledger_report(store, "demo")["anchor"] == prev
    details = {(r[2], r[4] or r[5]): json.loads(r[6]) for r in rows}
    amend = details[("amend", h["v2"])]
    assert amend["reason"] == "longer carry-over" and amend["post_hoc"] is True and amend["parent_id"] == h["v1"]
    assert amend["rationale"] == "pre-registered plan" and amend["locked_at"]
    finish = details[("fit_finish", h["v1"])]
    assert finish["status"] == "succeeded" and set(finish["artifacts"]) == {"samples.npz"}
    assert {"diagnostics_json_sha256", "health_json_sha256", "gate_json_sha256"} <= set(finish)
    assert details[("fit_fail", h["v2"])]["status"] == "failed"
    assert ledger.verify_ledger(store).ok


# --- the attacks ------------------------------------------------------------------------------------------------


def test_edited_rows_refuse_the_fit_with_both_fingerprints_and_fail_verify(store, dataset, tmp_path):
    h = _history(store, dataset, tmp_path)
    locked = ledger.get_spec(store, h["v2"]).data_fingerprint
    _attack(
        store, ("UPDATE mff_rows SET value = value * 2 WHERE dataset_id = ? AND period < DATE '2023-03-01'", [dataset])
    )
    with store.connect() as conn:
        n_fits = conn.execute("SELECT count(*) FROM fits").fetchone()[0]
    with pytest.raises(TamperError) as exc:
        ledger.begin_fit(store, h["v2"])
    assert exc.value.code == "data_tampered" and dataset in exc.value.message and locked in exc.value.message
    found = [e for e in ledger.ledger_report(store, "demo")["events"] if e["detail"].get("code") == "data_tampered"]
    assert found and found[-1]["detail"]["expected"] == locked and found[-1]["detail"]["found"] != locked
    assert found[-1]["detail"]["found"] in exc.value.message
    with store.connect() as conn:
        assert conn.execute("SELECT count(*) FROM fits").fetchone()[0] == n_fits  # no fit was registered
    report = ledger.verify_ledger(store, "demo")
    assert {"data_altered", "data_changed"} <= _kinds(report) and not report.datasets[0].ok


def test_run_fit_refuses_edited_rows_before_sampling(store, dataset):
    from mmm_core.fit.job import run_fit

    v1 = ledger.lock(store, base_spec(), "plan")
    _attack(store, ("UPDATE mff_rows SET value = 1.0 WHERE dataset_id = ?", [dataset]))
    with pytest.raises(TamperError, match="altered outside mmm-agent") as exc:
        run_fit(store, v1.spec_id, quick=True)
    assert exc.value.code == "data_tampered"


@pytest.mark.parametrize(
    ("column", "sql"),
    [
        ("post_hoc", "UPDATE specs SET post_hoc = NOT post_hoc WHERE id = ?"),
        ("amendment_reason", "UPDATE specs SET amendment_reason = 'the data showed a longer decay' WHERE id = ?"),
        ("parent_id", "UPDATE specs SET parent_id = NULL WHERE id = ?"),
    ],
)
def test_spec_row_edits_are_caught(store, dataset, tmp_path, column, sql):
    h = _history(store, dataset, tmp_path)
    _attack(store, (sql, [h["v2"]]))
    with pytest.raises(TamperError, match=column) as exc:
        ledger.get_spec(store, h["v2"])
    assert exc.value.code == "spec_tampered"
    for call in (lambda: ledger.provenance(store, h["v2"]), lambda: ledger.ledger_report(store, "demo")):
        with pytest.raises(TamperError):
            call()
    report = ledger.verify_ledger(store)
    assert [(p["kind"], p["spec_id"]) for p in report.to_dict()["problems"]] == [("spec_field_altered", h["v2"])]


def test_rewriting_the_reason_in_the_event_too_breaks_the_chain(store, dataset, tmp_path):
    h = _history(store, dataset, tmp_path)
    amend_event = _event_id(store, "amend")
    new_reason = "replace(detail_json, 'longer carry-over', 'the brand study said so')"
    _attack(
        store,
        ("UPDATE specs SET amendment_reason = 'the brand study said so' WHERE id = ?", [h["v2"]]),
        (f"UPDATE ledger_events SET detail_json = {new_reason} WHERE id = ?", [amend_event]),
    )
    err = _every_read_refuses(store, h, "ledger_broken")
    assert f"event #{amend_event} (amend) was altered" in err.message
    first = ledger.verify_ledger(store).to_dict()["problems"][0]
    assert first["kind"] == "event_altered" and first["event_id"] == amend_event


@pytest.mark.parametrize("kind", ["refusal", "fit_start", "fit_finish"])
def test_deleting_events_breaks_the_chain_at_the_next_event(store, dataset, tmp_path, kind):
    h = _history(store, dataset, tmp_path)
    victim = _event_id(store, kind)
    _attack(store, ("DELETE FROM ledger_events WHERE id = ?", [victim]))
    err = _every_read_refuses(store, h, "ledger_broken")
    first = ledger.verify_ledger(store).to_dict()["problems"][0]
    assert first["kind"] == "link_broken" and first["event_id"] > victim
    assert f"event #{first['event_id']}" in err.message and first["expected"] != first["found"]


def test_deleting_a_whole_fit_is_caught(store, dataset, tmp_path):
    h = _history(store, dataset, tmp_path)
    _attack(
        store,
        ("DELETE FROM ledger_events WHERE fit_id = ?", [h["fit1"]]),
        ("DELETE FROM fits WHERE id = ?", [h["fit1"]]),
    )
    _every_read_refuses(store, h, "ledger_broken")
    assert "link_broken" in _kinds(ledger.verify_ledger(store))


def test_deleting_the_last_refusal_is_caught_by_the_head(store, dataset, tmp_path):
    h = _history(store, dataset, tmp_path)
    _attack(store, ("DELETE FROM ledger_events WHERE id = ?", [_event_id(store, "refusal", 1)]))
    assert _kinds(ledger.verify_ledger(store)) == {"head_mismatch"}
    _every_read_refuses(store, h, "ledger_broken")
    # the refused fit was logged after the gap: the chain does not heal, the break now shows as a link
    assert _kinds(ledger.verify_ledger(store)) == {"link_broken"}


def test_deleting_a_whole_amendment_is_caught(store, dataset, tmp_path):
    h = _history(store, dataset, tmp_path)
    ledger.record_refusal(store, dataset, h["v1"], None, "go back to v1 and drop Price", "result-seeking")
    _attack(
        store,
        ("DELETE FROM ledger_events WHERE spec_id = ?", [h["v2"]]),
        ("DELETE FROM fits WHERE spec_id = ?", [h["v2"]]),
        ("DELETE FROM specs WHERE id = ?", [h["v2"]]),
    )
    with pytest.raises(TamperError) as exc:
        ledger.get_spec(store, h["v1"])
    assert exc.value.code == "ledger_broken"
    assert "link_broken" in _kinds(ledger.verify_ledger(store))


def test_consistent_rehash_of_spec_and_lock_event_breaks_the_chain(store, dataset, tmp_path):
    h = _history(store, dataset, tmp_path)
    old = ledger.get_spec(store, h["v1"]).sha256
    forged = "replace(canonical_json, '\"l_max\":8', '\"l_max\":9')"
    _attack(
        store,
        (f"UPDATE specs SET canonical_json = {forged}, sha256 = sha256({forged}) WHERE id = ?", [h["v1"]]),
        (
            "UPDATE ledger_events SET detail_json = replace(detail_json, ?, "
            "(SELECT sha256 FROM specs WHERE id = ?)) WHERE spec_id = ? AND kind = 'lock'",
            [old, h["v1"], h["v1"]],
        ),
    )
    lock_event = _event_id(store, "lock")
    err = _every_read_refuses(store, h, "ledger_broken")
    assert f"event #{lock_event} (lock)" in err.message
    assert ledger.verify_ledger(store).to_dict()["problems"][0]["event_id"] == lock_event


def test_a_dropped_chain_table_is_a_clean_refusal(store, dataset, tmp_path):
    h = _history(store, dataset, tmp_path)
    _attack(store, ("DROP TABLE ledger_head",))
    err = _every_read_refuses(store, h, "ledger_broken")
    assert "tables were altered" in err.message
    assert _kinds(ledger.verify_ledger(store)) == {"schema_altered"}


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        (
            'UPDATE fits SET diagnostics_json = \'{"max_rhat": 1.0, "divergences": 0}\' WHERE id = ?',
            "fit_field_altered",
        ),
        ("UPDATE fits SET status = 'succeeded' WHERE id = ?", "fit_status_altered"),
    ],
)
def test_fit_outcome_edits_are_caught_by_verify(store, dataset, tmp_path, sql, kind):
    h = _history(store, dataset, tmp_path)
    _attack(store, (sql, [h["fit1"] if "diagnostics" in sql else h["fit2"]]))
    assert kind in _kinds(ledger.verify_ledger(store))


def test_replaced_artifact_file_is_caught_by_verify(store, dataset, tmp_path):
    h = _history(store, dataset, tmp_path)
    (h["folder"] / "samples.npz").write_bytes(b"better draws")
    (h["folder"] / "optimizer_plan.json").write_text("{}")  # files added after the fit are not part of it
    problems = ledger.verify_ledger(store).to_dict()["problems"]
    assert [(p["kind"], p["fit_id"]) for p in problems] == [("artifact_altered", h["fit1"])]


def test_a_full_consistent_rewrite_passes_the_chain_but_not_the_anchor(store, dataset, tmp_path):
    """The documented limit: someone who recomputes every hash passes verify; the anchor written down earlier
    (printed at lock time, in reports) no longer matches."""
    h = _history(store, dataset, tmp_path)
    anchor_before = ledger.anchor(store)
    conn = duckdb.connect(str(store.path))
    conn.execute("UPDATE specs SET post_hoc = false WHERE id = ?", [h["v2"]])
    conn.execute(
        "UPDATE ledger_events SET detail_json = replace(detail_json, '\"post_hoc\": true', '\"post_hoc\": false') "
        "WHERE spec_id = ? AND kind = 'amend'",
        [h["v2"]],
    )
    rows = conn.execute(
        "SELECT id, created_at, kind, dataset_id, spec_id, fit_id, detail_json FROM ledger_events ORDER BY id"
    ).fetchall()
    prev = GENESIS_HASH
    for event_id, created, kind, ds, spec, fit, detail in rows:
        digest = chain_hash(prev, event_id, created, kind, (ds, spec, fit), detail)
        conn.execute("UPDATE ledger_events SET prev_hash = ?, hash = ? WHERE id = ?", [prev, digest, event_id])
        prev = digest
    conn.execute("UPDATE ledger_head SET hash = ?", [prev])
    conn.close()
    ledger_chain.forget(store)
    report = ledger.verify_ledger(store)
    assert report.ok and report.anchor != anchor_before
    assert ledger.get_spec(store, h["v2"]).post_hoc is False  # the rewrite is only visible through the anchor


# --- the per-process gate ------------------------------------------------------------------------------------------


def test_a_long_running_process_sees_an_edit_of_an_old_event(store, dataset, tmp_path, monkeypatch):
    h = _history(store, dataset, tmp_path)
    ledger.get_spec(store, h["v1"])  # the chain is verified and remembered
    walked = []
    real_walk = ledger_chain.walk
    monkeypatch.setattr(
        ledger_chain, "walk", lambda rows, *a, **k: walked.append(len(rows)) or real_walk(rows, *a, **k)
    )
    log_event(store, "note", {"n": 1})
    ledger.get_spec(store, h["v1"])
    assert walked == [1]  # only the new event was hashed
    _attack(store, ("UPDATE ledger_events SET detail_json = '{}' WHERE id = ?", [_event_id(store, "refusal")]))
    with pytest.raises(TamperError, match="refusal"):
        ledger.get_spec(store, h["v1"])


def test_threads_appending_at_once_keep_one_chain(store):
    def append(n):
        for i in range(15):
            log_event(store, "note", {"thread": n, "i": i})

    threads = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = ledger.verify_ledger(store)
    assert report.ok and report.events_checked == 60


def test_two_processes_appending_at_once_keep_one_chain(store):
    code = textwrap.dedent(f"""
        from mmm_core.ledger.store import log_event
        from mmm_core.store import Store
        store = Store({str(store.path)!r}, timeout=120)
        for i in range(25):
            log_event(store, "note", {{"i": i}})
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(2)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    report = ledger.verify_ledger(store)
    assert report.ok and report.events_checked == 50


# --- an older store --------------------------------------------------------------------------------------------------


def test_an_older_store_is_chained_once_and_says_so(tmp_path):
    path = tmp_path / "old.duckdb"
    conn = duckdb.connect(str(path))
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)")
    for statement in MIGRATIONS[1]:
        conn.execute(statement)
    conn.execute("INSERT INTO schema_version VALUES (1, now())")
    for kind in ("fit_refused", "refusal"):
        conn.execute("INSERT INTO ledger_events (created_at, kind, detail_json) VALUES (now(), ?, '{}')", [kind])
    conn.close()
    store = Store(path)
    assert store.schema_version() == max(MIGRATIONS)
    report = ledger.verify_ledger(store)
    assert report.ok and report.events_checked == 3
    with store.connect() as conn:
        last = conn.execute("SELECT kind, detail_json FROM ledger_events ORDER BY id DESC LIMIT 1").fetchone()
    assert last[0] == "chain_started" and json.loads(last[1])["events_chained"] == 2
    store.migrate()  # applied versions are not re-run: no second chain_started
    assert ledger.verify_ledger(store).events_checked == 3


# --- the CLI ----------------------------------------------------------------------------------------------------------


def test_verify_and_lock_on_the_command_line(store, dataset, tmp_path, capsys):
    from agent.cli.main import main

    draft = tmp_path / "spec.yaml"
    draft.write_text(base_spec().to_yaml())
    assert main(["--store", str(store.path), "spec", "lock", str(draft), "--rationale", "plan", "--json"]) == 0
    locked = json.loads(capsys.readouterr().out)
    assert main(["--store", str(store.path), "verify", "demo", "--json"]) == 0
    clean = json.loads(capsys.readouterr().out)
    assert clean["ok"] and clean["anchor"] == locked["anchor"] and clean["datasets"][0]["dataset_id"] == dataset
    assert main(["--store", str(store.path), "ledger", "demo"]) == 0
    assert f"Ledger anchor (chain head): {locked['anchor']}" in capsys.readouterr().out
    log_event(store, "refusal", {"request": "x"}, dataset_id=dataset)
    log_event(store, "refusal", {"request": "y"}, dataset_id=dataset)
    _attack(store, ("DELETE FROM ledger_events WHERE id = ?", [_event_id(store, "refusal")]))
    assert main(["--store", str(store.path), "verify", "--json"]) == 3
    broken = json.loads(capsys.readouterr().out)
    assert not broken["ok"] and broken["problems"][0]["kind"] == "link_broken"
    assert main(["--store", str(store.path), "verify"]) == 3
    assert "First broken link: event #" in capsys.readouterr().out
    assert main(["--store", str(store.path), "ledger", "demo", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "ledger_broken"


def test_a_report_carries_the_anchor_in_its_provenance(demo_fit, tmp_path):
    from mmm_core.report import build_report

    out = build_report(demo_fit["store"], demo_fit["fit_id"], tmp_path / "report.md", fmt="md", allow_unhealthy=True)
    anchor = out["provenance"]["anchor"]
    assert len(anchor) == 64 and f"**Ledger anchor:** `{anchor}`" in (tmp_path / "report.md").read_text()
