"""The forking-paths ledger: locked specs, their amendments, fits, refusals, and the provenance every result
carries.

Rules enforced here (ARCHITECTURE §4):

- A spec is locked with a mandatory rationale; its canonical JSON, SHA-256, the dataset fingerprint and the time
  are stored once. There is no function that updates or deletes a spec; changing one means ``amend``: a new
  version linked to its parent, with a mandatory reason. Chains are linear — only the latest version of a chain
  can be amended — so version numbers tell the order in which specs were tried.
- ``post_hoc`` is true for a spec locked or amended after any fit on the same dataset had finished (succeeded
  or failed). This includes the ancestors' fits and, stricter than "ancestors only", fits of other specs on the
  dataset: a fresh lock written after seeing another spec's results is no more pre-registered than an amendment.
- Locking a spec identical (same sha256, same data) to one already locked returns the existing record (with its
  history and post_hoc flag) instead of writing a second one; re-locking cannot launder a post-hoc spec.
- Every read of a spec runs the tamper check (``ledger_store.get_spec``), which first checks the ledger's hash
  chain (``ledger.hashchain``). Every write goes through ``store.run``: appends move the chain head, so two at once
  conflict and one runs again.
"""

from __future__ import annotations

from typing import Any

from mmm_core.data.declare import role_origins
from mmm_core.data.queries import describe
from mmm_core.errors import LedgerError, NotFoundError, SpecValidationError
from mmm_core.ledger.fits import (  # re-exported: the ledger is the one door to fits
    DEFAULT_STALE_AFTER_S,
    begin_fit,
    fail_fit,
    finish_fit,
    get_fit,
    reap_stale_fits,
    update_fit_progress,
)
from mmm_core.ledger.hashchain import ensure_intact
from mmm_core.ledger.store import LockedSpec, append_event, dataset_fingerprint, get_spec, log_event, utcnow
from mmm_core.spec.canonical import canonical_json, sha256_text
from mmm_core.spec.draft import validate_against
from mmm_core.spec.schema import ModelSpec
from mmm_core.store import Store, new_id

__all__ = [
    "DEFAULT_STALE_AFTER_S",
    "LockedSpec",
    "amend",
    "begin_fit",
    "chain",
    "fail_fit",
    "finish_fit",
    "get_fit",
    "get_spec",
    "lock",
    "plural",
    "provenance",
    "reap_stale_fits",
    "record_refusal",
    "update_fit_progress",
]


def lock(store: Store, spec: ModelSpec, rationale: str) -> LockedSpec:
    """Lock a spec as version 1 of a new chain (or return the identical spec already locked on this data)."""
    rationale = _required(
        rationale, "rationale", 'Say why this model: e.g. --rationale "TV carry-over up to 8 weeks per brand study".'
    )
    spec = _validated(store, spec)
    fingerprint = _current_fingerprint(store, spec.dataset_id)
    text = canonical_json(spec)
    sha = sha256_text(text)
    now = utcnow()
    roles = roles_detail(store, spec)
    existing = store.run(lambda conn: _lock_in(conn, spec.dataset_id, text, sha, fingerprint, rationale, now, roles))
    found = get_spec(store, existing[0])
    return LockedSpec(**{**found.__dict__, "reused": True}) if existing[1] else found


def _lock_in(
    conn: Any, dataset_id: str, text: str, sha: str, fingerprint: str, rationale: str, now: Any, roles: dict
) -> tuple[str, bool]:
    """One lock transaction; returns (spec id, reused). Runs again from the start if it conflicts."""
    existing = conn.execute(
        "SELECT id FROM specs WHERE dataset_id = ? AND sha256 = ? AND data_fingerprint = ? ORDER BY locked_at LIMIT 1",
        [dataset_id, sha, fingerprint],
    ).fetchone()
    if existing:
        detail = {"rationale": rationale, "sha256": sha}
        append_event(conn, "lock_reused", detail, dataset_id=dataset_id, spec_id=existing[0])
        return existing[0], True
    spec_id = new_id("spec")
    basis = _finished_fits(conn, dataset_id, now)
    _insert(conn, spec_id, dataset_id, 1, None, text, sha, fingerprint, rationale, None, bool(basis), now)
    detail = {
        "sha256": sha,
        "data_fingerprint": fingerprint,
        "version": 1,
        "parent_id": None,
        "rationale": rationale,
        "post_hoc": bool(basis),
        "after_fits": basis,
        "locked_at": now.isoformat(),
        "roles": roles,
    }
    append_event(conn, "lock", detail, dataset_id=dataset_id, spec_id=spec_id)
    return spec_id, False


def amend(store: Store, spec_id: str, new_spec: ModelSpec, reason: str) -> LockedSpec:
    """Lock ``new_spec`` as the next version after ``spec_id`` (which must be the latest of its chain)."""
    reason = _required(reason, "reason", 'Say why the spec changes: e.g. --reason "add price as a control".')
    parent = get_spec(store, spec_id)
    if new_spec.dataset_id != parent.dataset_id:
        raise SpecValidationError(
            f"The amendment names dataset {new_spec.dataset_id} but spec {spec_id} is on {parent.dataset_id}.",
            "An amendment stays on its parent's dataset; for other data lock a new spec.",
            code="dataset_mismatch",
        )
    new_spec = _validated(store, new_spec)
    text = canonical_json(new_spec)
    sha = sha256_text(text)
    if sha == parent.sha256:
        raise SpecValidationError(
            f"The amendment is identical to spec {spec_id} (v{parent.version}).",
            "Change at least one field, or keep using the existing spec.",
            code="amendment_identical",
        )
    fingerprint = _current_fingerprint(store, parent.dataset_id)
    now, new = utcnow(), new_id("spec")
    roles = roles_detail(store, new_spec)
    store.run(lambda conn: _amend_in(conn, parent, new, text, sha, fingerprint, reason, now, roles))
    return get_spec(store, new)


def _amend_in(
    conn: Any, parent: LockedSpec, new: str, text: str, sha: str, fingerprint: str, reason: str, now: Any, roles: dict
) -> None:
    """One amend transaction (runs again from the start if it conflicts)."""
    child = conn.execute("SELECT id, version FROM specs WHERE parent_id = ?", [parent.spec_id]).fetchone()
    if child:
        raise LedgerError(
            f"Spec {parent.spec_id} (v{parent.version}) was already amended by {child[0]} (v{child[1]}).",
            f"Amend the latest version of the chain instead: {child[0]} "
            "or its successors (see `mmm-agent ledger DATASET`).",
            code="not_latest",
        )
    basis = _finished_fits(conn, parent.dataset_id, now)
    version = parent.version + 1
    row = (new, parent.dataset_id, version, parent.spec_id, text, sha, fingerprint, parent.rationale, reason)
    _insert(conn, *row, bool(basis), now)
    detail = {
        "sha256": sha,
        "data_fingerprint": fingerprint,
        "version": version,
        "parent_id": parent.spec_id,
        "reason": reason,
        "rationale": parent.rationale,
        "post_hoc": bool(basis),
        "after_fits": basis,
        "locked_at": now.isoformat(),
        "roles": roles,
    }
    append_event(conn, "amend", detail, dataset_id=parent.dataset_id, spec_id=new)


def roles_detail(store: Store, spec: ModelSpec) -> dict[str, dict[str, str]]:
    """The roles the spec gives its variables, split into those the user ``declared`` (``spec init --media/
    --controls``, a KPI chosen among candidates, a variable used in another role than ingest inferred) and those
    ``inferred`` from the data as ingest read it. Written into the lock/amend event, so the ledger says which
    modelling choices were the user's."""
    used = {spec.kpi: "kpi"}
    for m in spec.media:
        used[m.variable] = "media"
        if m.exposure:
            used[m.exposure] = "exposure"
    used |= {c.name: "control" for c in spec.controls}
    used |= {m.name: "mediator" for m in spec.mediators if m.type != "latent"}
    origins = role_origins(store, spec.dataset_id)
    out: dict[str, dict[str, str]] = {"declared": {}, "inferred": {}}
    for name, role in sorted(used.items()):
        inferred = origins.get(name, (role, role))[1]
        out["inferred" if inferred == role else "declared"][name] = role
    return out


def chain(store: Store, spec_id: str) -> list[LockedSpec]:
    """The spec and its ancestors, oldest (v1) first; each one tamper-checked."""
    out = [get_spec(store, spec_id)]
    while out[-1].parent_id:
        out.append(get_spec(store, out[-1].parent_id))
    return out[::-1]


def record_refusal(
    store: Store, dataset_id: str | None, spec_id: str | None, fit_id: str | None, request: str, reason: str
) -> int:
    """Log a request that was refused (e.g. "make TV look better" in chat); returns the event id."""
    ids = {"dataset_id": dataset_id, "spec_id": spec_id, "fit_id": fit_id}
    return log_event(store, "refusal", {"request": request, "reason": reason}, **ids)


def provenance(store: Store, spec_id: str) -> dict[str, Any]:
    """What every result must carry: the spec's identity, its amendments, how much was tried on the dataset,
    and one plain sentence saying so."""
    versions = chain(store, spec_id)
    spec = versions[-1]
    n_specs, n_fits = _dataset_counts(store, spec.dataset_id)
    amendments = [
        {"version": v.version, "spec_id": v.spec_id, "reason": v.amendment_reason, "post_hoc": v.post_hoc}
        for v in versions[1:]
    ]
    return {
        "spec_id": spec.spec_id,
        "spec_sha256": spec.sha256,
        "spec_version": spec.version,
        "post_hoc": spec.post_hoc,
        "dataset_id": spec.dataset_id,
        "data_fingerprint": spec.data_fingerprint,
        "specs_tried_on_dataset": n_specs,
        "fits_on_dataset": n_fits,
        "amendments": amendments,
        "disclosure": disclosure(spec, versions, n_specs, n_fits),
        # the chain head when this provenance was written: a copy kept outside the store reveals a later rewrite
        "anchor": ensure_intact(store),
    }


def disclosure(spec: LockedSpec, versions: list[LockedSpec], n_specs: int, n_fits: int) -> str:
    """e.g. "Results come from locked spec v2 (sha256 3f9a1c2b…), amended once after results were seen
    (reason: "longer TV carry-over"); 2 specs and 3 fits have been tried on this dataset." """
    head = f"Results come from locked spec v{spec.version} (sha256 {spec.sha256[:8]}…), "
    tail = f"; {plural(n_specs, 'spec')} and {plural(n_fits, 'fit')} have been tried on this dataset."
    amends = versions[1:]
    if not amends:
        body = (
            "locked after results of other specs on this dataset had been seen"
            if spec.post_hoc
            else "locked before any results were seen"
        )
        return head + body + tail
    late = sum(v.post_hoc for v in amends)
    times = {1: "once", 2: "twice"}.get(len(amends), f"{len(amends)} times")
    when = (
        "after results were seen"
        if late == len(amends)
        else "before any results were seen"
        if not late
        else f"— {late} of them after results were seen"
    )
    if versions[0].post_hoc:
        when += " (v1 itself was locked after other specs' results)"
    label = "reason" if len(amends) == 1 else "latest reason"
    return head + f'amended {times} {when} ({label}: "{amends[-1].amendment_reason}")' + tail


# --- helpers ---------------------------------------------------------------------------------------------------


def _required(text: str | None, what: str, hint: str) -> str:
    if text is None or not str(text).strip():
        raise SpecValidationError(f"A {what} is required and was empty.", hint, code=f"{what}_required")
    return str(text).strip()


def _validated(store: Store, spec: Any) -> ModelSpec:
    if not isinstance(spec, ModelSpec):
        raise SpecValidationError(
            f"Expected a ModelSpec, got {type(spec).__name__}.",
            "Load the YAML with mmm_core.spec.schema.load_spec(path) first.",
            code="not_a_spec",
        )
    # Validated again from its plain data: a spec built in code (model_copy, attribute edits) skips pydantic's
    # checks, and one locked unchecked would sit in the ledger unreadable by every later load.
    spec = ModelSpec.parse(spec.model_dump(mode="json"))
    try:
        described = describe(store, spec.dataset_id)
    except NotFoundError as exc:
        raise NotFoundError(
            f"The spec names dataset {spec.dataset_id!r}, which is not in the store.",
            exc.hint,
            code="dataset_not_found",
        ) from None
    validate_against(spec, described)
    return spec


def _current_fingerprint(store: Store, dataset_id: str) -> str:
    fingerprint = dataset_fingerprint(store, dataset_id)
    if fingerprint is None:
        raise NotFoundError(
            f"Dataset {dataset_id!r} is not in the store.", "Ingest it first.", code="dataset_not_found"
        )
    return fingerprint


def _insert(
    conn: Any,
    spec_id: str,
    dataset_id: str,
    version: int,
    parent_id: str | None,
    text: str,
    sha: str,
    fingerprint: str,
    rationale: str | None,
    reason: str | None,
    post_hoc: bool,
    now: Any,
) -> None:
    conn.execute(
        "INSERT INTO specs (id, dataset_id, version, parent_id, canonical_json, sha256, data_fingerprint, status, "
        "rationale, amendment_reason, post_hoc, locked_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'locked', ?, ?, ?, ?)",
        [spec_id, dataset_id, version, parent_id, text, sha, fingerprint, rationale, reason, post_hoc, now],
    )


def _finished_fits(conn: Any, dataset_id: str, now: Any) -> list[str]:
    rows = conn.execute(
        "SELECT f.id FROM fits f JOIN specs s ON s.id = f.spec_id WHERE s.dataset_id = ? "
        "AND f.status IN ('succeeded', 'failed') AND f.finished_at <= ? ORDER BY f.finished_at",
        [dataset_id, now],
    ).fetchall()
    return [r[0] for r in rows]


def _dataset_counts(store: Store, dataset_id: str) -> tuple[int, int]:
    with store.connect() as conn:
        n_specs = conn.execute("SELECT count(*) FROM specs WHERE dataset_id = ?", [dataset_id]).fetchone()[0]
        n_fits = conn.execute(
            "SELECT count(*) FROM fits f JOIN specs s ON s.id = f.spec_id WHERE s.dataset_id = ?", [dataset_id]
        ).fetchone()[0]
    return int(n_specs), int(n_fits)


def plural(n: int, noun: str) -> str:
    """ "1 spec", "2 specs"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
