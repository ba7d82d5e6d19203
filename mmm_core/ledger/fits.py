"""Fit records: the only way a fit starts (``begin_fit``), its progress, its outcome, and the reaping of fits
left 'running' by a process that died.

``begin_fit`` refuses anything that is not an intact locked spec on unchanged data, and every refusal is written
to the ledger before the error is raised, so shopping attempts leave a trace.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import duckdb
import yaml

from mmm_core.errors import FitRefusedError, LedgerError, NotFoundError, TamperError
from mmm_core.ledger.store import (
    append_event,
    artifact_digests,
    content_sha,
    dataset_fingerprint,
    get_spec,
    log_event,
    recompute_fingerprint,
    spec_exists,
    to_json,
    utcnow,
)
from mmm_core.store import Store, new_id

FIT_MODES = ("nuts", "quick")
DEFAULT_STALE_AFTER_S = 3600.0  # a live fit heartbeats far more often; an hour of silence means it is gone
_LOG_KEEP_CHARS = 20_000
_LOCK_HINT = 'Lock it first: `mmm-agent spec lock FILE.yaml --rationale "why"`, then fit the printed spec_id.'


def begin_fit(
    store: Store,
    spec_id: Any,
    engine: str = "numpyro",
    mode: str = "nuts",
    settings: dict[str, Any] | None = None,
    pid: int | None = None,
) -> str:
    """Register a fit of a locked spec and return its id (status 'running', started now, by ``pid``).

    Refuses (``FitRefusedError``, logged): drafts (a ModelSpec object or a YAML path), unknown ids, unknown
    modes, specs whose dataset is gone or whose data fingerprint changed. A tampered spec, a broken ledger chain
    or stored rows that no longer hash to the locked fingerprint raise ``TamperError`` (also logged)."""
    reap_stale_fits(store)
    spec_id = _require_spec_id(store, spec_id, mode)
    try:
        locked = get_spec(store, spec_id)
    except TamperError as exc:
        # Logged if the ledger can still be written; tables an attacker dropped must not hide the refusal itself.
        with contextlib.suppress(duckdb.Error):
            detail = {"code": exc.code, "reason": exc.message}
            log_event(store, "fit_refused", detail, dataset_id=_raw_dataset_id(store, spec_id), spec_id=spec_id)
        raise
    current = dataset_fingerprint(store, locked.dataset_id)
    if current is None:
        _refuse(
            store,
            "dataset_missing",
            f"Dataset {locked.dataset_id} of spec {spec_id} is no longer in the store.",
            "Ingest the data again and lock a spec for the new dataset.",
            locked.dataset_id,
            spec_id,
        )
    if current != locked.data_fingerprint:
        _refuse(
            store,
            "data_changed",
            f"The data of dataset {locked.dataset_id} changed after spec {spec_id} was locked "
            f"(fingerprint {locked.data_fingerprint[:12]}… then, {current[:12]}… now).",
            "A locked spec is tied to the exact data. Amend the spec (or lock a new one) on the current data.",
            locked.dataset_id,
            spec_id,
        )
    _refuse_altered_rows(store, locked.dataset_id, spec_id, locked.data_fingerprint)
    fit_id, now = new_id("fit"), utcnow()
    detail = {"engine": engine, "mode": mode, "settings": settings or {}, "spec_sha256": locked.sha256}
    detail["data_fingerprint"] = locked.data_fingerprint

    def register(conn: Any) -> None:
        conn.execute(
            "INSERT INTO fits (id, spec_id, engine, mode, settings_json, status, progress, log, pid, created_at, "
            "started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, 'running', 0, '', ?, ?, ?, ?)",
            [fit_id, spec_id, engine, mode, to_json(settings or {}), pid or os.getpid(), now, now, now],
        )
        append_event(conn, "fit_start", detail, dataset_id=locked.dataset_id, spec_id=spec_id, fit_id=fit_id)

    store.run(register)
    return fit_id


def _refuse_altered_rows(store: Store, dataset_id: str, spec_id: str, locked_fingerprint: str) -> None:
    """The rows a fit would read must hash to the fingerprint the spec was locked on: the ``datasets`` row alone
    proves nothing, since whoever edits ``mff_rows`` can leave it as it was. Logged, then ``TamperError``."""
    found = recompute_fingerprint(store, dataset_id)
    if found == locked_fingerprint:
        return
    message = (
        f"The stored rows of dataset {dataset_id} were altered outside mmm-agent: they hash to {found}, but spec "
        f"{spec_id} was locked on data with fingerprint {locked_fingerprint}."
    )
    detail = {"code": "data_tampered", "reason": message, "expected": locked_fingerprint, "found": found}
    log_event(store, "fit_refused", detail, dataset_id=dataset_id, spec_id=spec_id)
    raise TamperError(
        message,
        "Do not fit on this store's copy: ingest the original file again and lock the spec on it.",
        code="data_tampered",
    )


def _require_spec_id(store: Store, spec_id: Any, mode: str) -> str:
    if not isinstance(spec_id, str):
        _refuse(
            store,
            "not_locked",
            "A draft spec cannot be fitted; only a locked spec id can.",
            _LOCK_HINT,
            getattr(spec_id, "dataset_id", None),
            request=type(spec_id).__name__,
        )
    if spec_id.lower().endswith((".yaml", ".yml", ".json")) or Path(spec_id).is_file():
        _refuse(
            store,
            "not_locked",
            f"{spec_id} is a draft file, not a locked spec.",
            _LOCK_HINT,
            _draft_dataset_id(spec_id),
            request=spec_id,
        )
    if not spec_exists(store, spec_id):
        _refuse(
            store,
            "unknown_spec",
            f"No locked spec with id {spec_id!r}.",
            _LOCK_HINT + " `mmm-agent ledger DATASET` lists locked specs.",
            request=spec_id,
        )
    if mode not in FIT_MODES:
        _refuse(
            store,
            "invalid_mode",
            f"Fit mode {mode!r} is not one of {', '.join(FIT_MODES)}.",
            "Use 'nuts' (full posterior) or 'quick' (approximate).",
            spec_id=spec_id,
        )
    return spec_id


def _draft_dataset_id(path: str) -> str | None:
    """The dataset a draft file names, to file its refusal under that dataset (best effort: drafts may be
    invalid or missing, and the refusal must still be raised)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return str(data["dataset_id"]) if isinstance(data, dict) and data.get("dataset_id") else None
    except (OSError, ValueError, yaml.YAMLError):
        return None


def _raw_dataset_id(store: Store, spec_id: str) -> str | None:
    # Only to file the refusal under its dataset; the spec itself is not trusted.
    with store.connect() as conn:
        row = conn.execute("SELECT dataset_id FROM specs WHERE id = ?", [spec_id]).fetchone()
    return row[0] if row else None


def _refuse(
    store: Store,
    code: str,
    message: str,
    hint: str,
    dataset_id: str | None = None,
    spec_id: str | None = None,
    request: str | None = None,
) -> NoReturn:
    log_event(
        store,
        "fit_refused",
        {"code": code, "reason": message, "request": request},
        dataset_id=dataset_id,
        spec_id=spec_id,
    )
    raise FitRefusedError(message, hint, code=code)


def update_fit_progress(store: Store, fit_id: str, progress: float, log_line: str | None = None) -> None:
    """Record progress (0–1), append a log line and refresh the heartbeat of a running fit."""
    line = "" if log_line is None else log_line.rstrip("\n") + "\n"
    with store.transaction() as conn:
        n = conn.execute(
            "UPDATE fits SET progress = ?, heartbeat_at = ?, log = right(coalesce(log, '') || ?, ?) "
            "WHERE id = ? AND status = 'running'",
            [float(progress), utcnow(), line, _LOG_KEEP_CHARS, fit_id],
        ).fetchone()[0]
    if not n:
        _not_running(store, fit_id)


def finish_fit(
    store: Store,
    fit_id: str,
    diagnostics: dict[str, Any],
    health: dict[str, Any],
    artifact_path: str,
    gate: dict[str, Any] | None = None,
) -> None:
    """Mark a running fit succeeded with its diagnostics, health review, gate result and artifact path."""
    fit = get_fit(store, fit_id)
    try:
        get_spec(store, fit["spec_id"])  # a spec tampered with during the fit poisons the fit too
    except TamperError as exc:
        fail_fit(store, fit_id, exc.to_dict())
        raise
    columns = {
        "diagnostics_json": to_json(diagnostics),
        "health_json": to_json(health),
        "gate_json": to_json(gate or {}),
        "artifact_path": str(artifact_path),
    }
    # The event commits to the outcome as stored: digests of the JSON columns and of the artifact files.
    detail = {"artifact_path": artifact_path, "status": "succeeded", "artifacts": artifact_digests(artifact_path)}
    detail.update({f"{k}_sha256": content_sha(v) for k, v in columns.items() if k.endswith("_json")})
    _close(store, fit, "succeeded", "fit_finish", detail, **columns, progress=1.0)


def fail_fit(store: Store, fit_id: str, error: dict[str, Any]) -> None:
    """Mark a running (or queued) fit failed with an error ``{code, message, hint}``; it may be re-run."""
    detail = {"error": error, "status": "failed"}
    _close(store, get_fit(store, fit_id), "failed", "fit_fail", detail, error_json=to_json(error))


def _close(store: Store, fit: dict[str, Any], status: str, kind: str, detail: dict[str, Any], **columns: Any) -> None:
    now = utcnow()
    started = fit["started_at"] or fit["created_at"]
    columns.update(status=status, finished_at=now, heartbeat_at=now, elapsed_s=(now - started).total_seconds())
    assignments = ", ".join(f"{k} = ?" for k in columns)

    def close(conn: Any) -> int:
        n = conn.execute(
            f"UPDATE fits SET {assignments} WHERE id = ? AND status IN ('running', 'queued')",
            [*columns.values(), fit["id"]],
        ).fetchone()[0]
        if n:
            append_event(conn, kind, detail, dataset_id=fit["dataset_id"], spec_id=fit["spec_id"], fit_id=fit["id"])
        return n

    if not store.run(close):
        _not_running(store, fit["id"])


def _not_running(store: Store, fit_id: str) -> NoReturn:
    status = get_fit(store, fit_id)["status"]
    raise LedgerError(
        f"Fit {fit_id} is {status}, not running; its record cannot change.",
        "Start a new fit with `mmm-agent fit SPEC_ID`.",
        code="fit_not_running",
    )


@dataclass(frozen=True)
class FitRecord:
    """A fits row decoded once: its JSON columns parsed, its times kept as datetimes.

    ``diagnostics``/``health``/``gate``/``error`` are None when the fit has not written them (a running or a
    failed fit); ``settings`` is what the fit was started with (``FitSettings.to_dict()``)."""

    id: str
    spec_id: str
    dataset_id: str | None
    engine: str
    mode: str
    status: str
    progress: float | None
    log: str | None
    settings: dict[str, Any]
    diagnostics: dict[str, Any] | None
    health: dict[str, Any] | None
    gate: dict[str, Any] | None
    error: dict[str, Any] | None
    artifact_path: str | None
    elapsed_s: float | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> FitRecord:
        def parsed(column: str) -> Any:
            return json.loads(row[column]) if row.get(column) else None

        return cls(
            id=row["id"],
            spec_id=row["spec_id"],
            dataset_id=row.get("dataset_id"),
            engine=row["engine"],
            mode=row["mode"],
            status=row["status"],
            progress=row.get("progress"),
            log=row.get("log"),
            settings=parsed("settings_json") or {},
            diagnostics=parsed("diagnostics_json"),
            health=parsed("health_json"),
            gate=parsed("gate_json"),
            error=parsed("error_json"),
            artifact_path=row.get("artifact_path"),
            elapsed_s=row.get("elapsed_s"),
            started_at=row.get("started_at"),
            finished_at=row.get("finished_at"),
        )

    @property
    def failed_checks(self) -> list[str]:
        """Names of the health checks that failed (empty when the review passed or was never run)."""
        return [c["name"] for c in (self.health or {}).get("checks", []) if c.get("status") == "fail"]

    @property
    def unhealthy(self) -> bool:
        """The post-fit health review failed: the fit's numbers are not fit for decisions."""
        return (self.health or {}).get("overall") == "fail"


def fit_record(store: Store, fit_id: str) -> FitRecord:
    """The fit as a typed record (see :class:`FitRecord`); raises ``NotFoundError`` for an unknown id."""
    return FitRecord.from_row(get_fit(store, fit_id))


def get_fit(store: Store, fit_id: str) -> dict[str, Any]:
    """The raw fits row (plus its spec's dataset_id) as stored, JSON columns still text: the ledger's own
    bookkeeping reads it; answers use :func:`fit_record`."""
    with store.connect() as conn:
        cur = conn.execute(
            "SELECT f.*, s.dataset_id FROM fits f LEFT JOIN specs s ON s.id = f.spec_id WHERE f.id = ?", [fit_id]
        )
        row = cur.fetchone()
        columns = [d[0] for d in cur.description]
    if row is None:
        raise NotFoundError(
            f"No fit with id {fit_id!r}.", "`mmm-agent ledger DATASET` lists fits.", code="fit_not_found"
        )
    return dict(zip(columns, row, strict=True))


def reap_stale_fits(store: Store, stale_after_s: float = DEFAULT_STALE_AFTER_S) -> list[str]:
    """Mark 'running' fits whose process is gone as failed (so they can be re-run); return their ids.

    A fit is stale when its pid is not alive on this host (stores are local files, so the fitting process ran
    here) or its last heartbeat is older than ``stale_after_s``."""
    now = utcnow()
    with store.connect() as conn:
        rows = conn.execute(
            "SELECT id, pid, coalesce(heartbeat_at, started_at, created_at) FROM fits WHERE status = 'running'"
        ).fetchall()
    reaped = []
    for fit_id, pid, beat in rows:
        silent = (now - beat).total_seconds()
        if pid is not None and pid_alive(int(pid)) and silent <= stale_after_s:
            continue
        why = (
            f"process {pid} is no longer running"
            if pid is None or not pid_alive(int(pid))
            else f"no heartbeat for {silent:.0f} s"
        )
        try:
            fail_fit(
                store,
                fit_id,
                {"code": "stale_fit", "message": f"The fit was abandoned: {why}.", "hint": "Run the fit again."},
            )
            reaped.append(fit_id)
        except LedgerError:
            pass  # another process closed it in the meantime: nothing to reap
    return reaped


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host (the fit reaper and the job queue's one rule)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
