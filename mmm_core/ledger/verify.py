"""``mmm-agent verify``: the whole ledger checked against itself and against the data.

1. The hash chain, event by event, and its head row (``ledger.hashchain``).
2. Every spec row against its one lock/amend event: sha256 of the canonical JSON, data fingerprint, post_hoc,
   reason, rationale, parent, version; and every lock/amend event has its spec row.
3. Every fit row against its events: one ``fit_start`` (spec, engine, mode, settings), and for a finished fit one
   closing event whose status, digests of the stored JSON columns and of the artifact files match; every
   ``fit_start`` has its fit row.
4. Every dataset: its rows, hashed now as ingest hashed them, against the ``datasets`` row and against the
   fingerprint each spec on it was locked on.

What it cannot see: a consistent rewrite of the whole store by someone who also recomputes every hash. The anchor
(the chain head hash) it prints is the defence: compare it with one written down earlier (printed at lock time,
in reports, by ``mmm-agent ledger``); a rewrite changes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from mmm_core.data.queries import resolve_dataset
from mmm_core.ledger.hashchain import Problem, check_chain, schema_error
from mmm_core.ledger.store import (
    SPEC_COLUMNS,
    artifact_digests,
    content_sha,
    rows_fingerprint,
    spec_event_mismatches,
)
from mmm_core.spec.canonical import sha256_text
from mmm_core.store import Store

MAX_CHAIN_PROBLEMS = 20  # after the first broken link the rest is suspect anyway; enough to see the extent
_FIT_COLUMNS = (
    "id",
    "spec_id",
    "engine",
    "mode",
    "settings_json",
    "status",
    "diagnostics_json",
    "health_json",
    "gate_json",
    "artifact_path",
    "error_json",
)
_CLOSING = {"succeeded": "fit_finish", "failed": "fit_fail"}


@dataclass(frozen=True)
class DatasetCheck:
    dataset_id: str
    name: str
    fingerprint: str
    recomputed: str
    n_specs: int
    n_fits: int

    @property
    def ok(self) -> bool:
        return self.fingerprint == self.recomputed

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "ok": self.ok}


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify`` found: ``problems`` lists the chain's first (at most 20) broken links first, then spec,
    fit and data problems. ``anchor`` is the chain head hash, to compare with one kept outside the store."""

    events_checked: int
    anchor: str
    datasets: list[DatasetCheck]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "datasets": [d.to_dict() for d in self.datasets],
            "events_checked": self.events_checked,
            "anchor": self.anchor,
            "problems": [p.to_dict() for p in self.problems],
        }


def verify_ledger(store: Store, dataset: str | None = None) -> VerifyReport:
    """Check the whole chain, and the specs, fits and data of ``dataset`` (id or name; all when None)."""
    only = resolve_dataset(store, dataset)["id"] if dataset else None
    try:
        return _verify(store, only)
    except duckdb.Error as exc:  # a dropped table or column: report it as what it is, not as a crash
        problem = Problem(
            "schema_altered", "event_id", None, "the ledger's tables", str(exc), schema_error(exc).message
        )
        return VerifyReport(0, "", [], [problem])


def _verify(store: Store, only: str | None) -> VerifyReport:
    with store.transaction() as conn:  # one snapshot: a concurrent append cannot look like a broken link
        chain = check_chain(conn, limit=MAX_CHAIN_PROBLEMS)
        events = _events(conn, only)
        specs = _rows(conn, f"SELECT {', '.join(SPEC_COLUMNS)} FROM specs", only, "dataset_id")
        fits = _rows(conn, _fits_sql(), only, "s.dataset_id")
        datasets = _datasets(conn, only, specs, fits)
    problems = [*chain.problems, *spec_problems(specs, events), *fit_problems(fits, events)]
    problems += data_problems(datasets, specs)
    return VerifyReport(chain.events_checked, chain.anchor, datasets, problems)


# --- specs -----------------------------------------------------------------------------------------------------


def spec_problems(specs: list[dict[str, Any]], events: list[dict[str, Any]]) -> list[Problem]:
    recorded: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        if e["kind"] in ("lock", "amend"):
            recorded.setdefault(e["spec_id"], []).append(e)
    out = []
    known = {s["id"] for s in specs}
    for spec in specs:
        out += _one_spec(spec, recorded.get(spec["id"], []))
    for spec_id, evs in recorded.items():
        if spec_id not in known:
            e = evs[0]
            out.append(_p("spec_missing", "spec_id", spec_id, f"the spec row of event #{e['id']}", None))
    return out


def _one_spec(spec: dict[str, Any], evs: list[dict[str, Any]]) -> list[Problem]:
    sid = spec["id"]
    out = []
    actual = sha256_text(spec["canonical_json"])
    if actual != spec["sha256"]:
        out.append(_p("spec_altered", "spec_id", sid, spec["sha256"], actual, "its JSON no longer hashes to sha256"))
    if len(evs) != 1:
        return [*out, _p("spec_without_event", "spec_id", sid, "one lock/amend event", f"{len(evs)} events")]
    event = evs[0]
    if event["dataset_id"] != spec["dataset_id"]:
        out.append(_p("spec_field_altered", "spec_id", sid, event["dataset_id"], spec["dataset_id"], "dataset_id"))
    if spec["status"] != "locked":
        out.append(_p("spec_field_altered", "spec_id", sid, "locked", spec["status"], "status"))
    for column, expected, found in spec_event_mismatches(spec, event["detail"]):
        out.append(_p("spec_field_altered", "spec_id", sid, expected, found, column))
    return out


# --- fits ------------------------------------------------------------------------------------------------------


def fit_problems(fits: list[dict[str, Any]], events: list[dict[str, Any]]) -> list[Problem]:
    by_fit: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for e in events:
        if e["fit_id"] and e["kind"] in ("fit_start", "fit_finish", "fit_fail"):
            by_fit.setdefault(e["fit_id"], {}).setdefault(e["kind"], []).append(e)
    out = []
    for fit in fits:
        out += _one_fit(fit, by_fit.get(fit["id"], {}))
    known = {f["id"] for f in fits}
    for fit_id, kinds in by_fit.items():
        if fit_id not in known and "fit_start" in kinds:
            e = kinds["fit_start"][0]
            out.append(_p("fit_missing", "fit_id", fit_id, f"the fit row of event #{e['id']}", None))
    return out


def _one_fit(fit: dict[str, Any], kinds: dict[str, list[dict[str, Any]]]) -> list[Problem]:
    fid, starts = fit["id"], kinds.get("fit_start", [])
    if len(starts) != 1:
        return [_p("fit_without_event", "fit_id", fid, "one fit_start event", f"{len(starts)} events")]
    start = starts[0]
    out = []
    settings = json.loads(fit["settings_json"]) if fit["settings_json"] else {}
    observed = {"spec_id": fit["spec_id"], "engine": fit["engine"], "mode": fit["mode"], "settings": settings}
    for key, found in observed.items():
        expected = start["spec_id"] if key == "spec_id" else start["detail"].get(key)
        if expected != found:
            out.append(_p("fit_field_altered", "fit_id", fid, expected, found, key))
    closing = kinds.get("fit_finish", []) + kinds.get("fit_fail", [])
    wanted = _CLOSING.get(fit["status"])
    if [e["kind"] for e in closing] != ([wanted] if wanted else []):
        recorded = ", ".join(e["kind"] for e in closing) or "no closing event"
        return [*out, _p("fit_status_altered", "fit_id", fid, recorded, fit["status"], "status")]
    if closing:
        out += _outcome_problems(fit, closing[0]["detail"])
    return out


def _outcome_problems(fit: dict[str, Any], detail: dict[str, Any]) -> list[Problem]:
    """The stored outcome against the closing event's digests (keys an older event lacks are not compared)."""
    out = []
    if "error" in detail and fit["status"] == "failed":
        found = json.loads(fit["error_json"]) if fit["error_json"] else None
        if found != detail["error"]:
            out.append(_p("fit_field_altered", "fit_id", fit["id"], detail["error"], found, "error"))
    for column in ("diagnostics_json", "health_json", "gate_json"):
        expected = detail.get(f"{column}_sha256")
        if expected is not None and content_sha(fit[column] or "") != expected:
            out.append(_p("fit_field_altered", "fit_id", fit["id"], expected, content_sha(fit[column] or ""), column))
    recorded = detail.get("artifacts") or {}
    if recorded and Path(fit["artifact_path"] or "").is_dir():
        now = artifact_digests(fit["artifact_path"])
        for name, digest in recorded.items():
            if now.get(name) != digest:
                out.append(_p("artifact_altered", "fit_id", fit["id"], digest, now.get(name), name))
    return out


# --- data --------------------------------------------------------------------------------------------------------


def data_problems(datasets: list[DatasetCheck], specs: list[dict[str, Any]]) -> list[Problem]:
    out = []
    by_id = {d.dataset_id: d for d in datasets}
    for d in datasets:
        if not d.ok:
            out.append(_p("data_altered", "dataset_id", d.dataset_id, d.fingerprint, d.recomputed, "stored rows"))
    for spec in specs:
        d = by_id.get(spec["dataset_id"])
        if d is None:
            out.append(_p("dataset_missing", "spec_id", spec["id"], spec["dataset_id"], None, "its dataset"))
        elif spec["data_fingerprint"] != d.recomputed:
            found = d.recomputed
            out.append(
                _p("data_changed", "spec_id", spec["id"], spec["data_fingerprint"], found, "data it was locked on")
            )
    return out


# --- reading -------------------------------------------------------------------------------------------------------


def _events(conn: Any, only: str | None) -> list[dict[str, Any]]:
    sql = "SELECT id, kind, dataset_id, spec_id, fit_id, detail_json FROM ledger_events"
    rows = _rows(conn, sql, only, "dataset_id")
    for r in rows:
        try:
            r["detail"] = json.loads(r.pop("detail_json") or "{}")
        except ValueError:
            r["detail"] = {}  # an unparseable detail also breaks the chain, which is reported first
    return rows


def _fits_sql() -> str:
    cols = ", ".join(f"f.{c}" for c in _FIT_COLUMNS)
    return f"SELECT {cols} FROM fits f LEFT JOIN specs s ON s.id = f.spec_id"


def _rows(conn: Any, sql: str, only: str | None, column: str) -> list[dict[str, Any]]:
    cur = conn.execute(sql + (f" WHERE {column} = ?" if only else "") + " ORDER BY 1", [only] if only else [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _datasets(conn: Any, only: str | None, specs: list[dict], fits: list[dict]) -> list[DatasetCheck]:
    rows = _rows(conn, "SELECT id, name, fingerprint FROM datasets", only, "id")
    out = []
    for r in rows:
        spec_ids = {s["id"] for s in specs if s["dataset_id"] == r["id"]}
        n_fits = sum(f["spec_id"] in spec_ids for f in fits)
        recomputed = rows_fingerprint(conn, r["id"])
        out.append(DatasetCheck(r["id"], r["name"], r["fingerprint"], recomputed, len(spec_ids), n_fits))
    return out


def _p(kind: str, where: str, ref: Any, expected: Any, found: Any, what: str = "") -> Problem:
    label = where.removesuffix("_id")
    text = f"{label} {ref}: {kind.replace('_', ' ')}" + (f" ({what})" if what else "")
    return Problem(kind, where, ref, expected, found, text)
