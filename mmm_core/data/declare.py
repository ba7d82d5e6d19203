"""Roles the user declares, overriding the inferred ones (``spec init --media A,B --controls C,D``; issue 18).

Inference reads names (``TV Spend`` is media, ``TV`` alone is not); when it is wrong the user says what each
variable is. The declaration is written to the dataset's ``variables`` table, so the spec drafted from it, its
lock and its fit all see the same roles; the rows (and the fingerprint) are untouched.
"""

from __future__ import annotations

from collections.abc import Sequence

from mmm_core.data.channels import channel_name, metric_kind
from mmm_core.data.queries import describe
from mmm_core.data.roles import inferred_roles
from mmm_core.errors import MMMError, NotFoundError
from mmm_core.store import Store


def declare_roles(
    store: Store, dataset: str, media: Sequence[str] = (), controls: Sequence[str] = (), kpi: str | None = None
) -> list[str]:
    """Make ``media`` media variables and ``controls`` controls; returns one note per role changed.

    Refuses unknown names (listing the dataset's variables), a name given twice, and the KPI as media or control.
    """
    d = describe(store, dataset)
    known = {v["name"]: v for v in d["variables"]}
    _refuse_bad_names(d["name"], known, media, controls, kpi)
    updates: list[tuple[str, str | None, str | None, str]] = []
    notes = []
    for name in media:
        v = known[name]
        if v["role"] != "media":
            channel = v.get("channel") or channel_name(name, [v["outlet"]] if v.get("outlet") else [])
            metric = "exposure" if metric_kind(name) == "exposure" else "spend"
            updates.append(("media", channel, metric, name))
            notes.append(f"{name}: declared media (channel {channel}; was {v['role']}).")
    for name in controls:
        if known[name]["role"] != "control":
            updates.append(("control", None, None, name))
            notes.append(f"{name}: declared a control (was {known[name]['role']}).")
    if updates:
        with store.transaction() as conn:
            conn.executemany(
                "UPDATE variables SET role = ?, channel = ?, metric = ? WHERE dataset_id = ? AND name = ?",
                [[role, channel, metric, d["dataset_id"], name] for role, channel, metric, name in updates],
            )
    return notes


def _refuse_bad_names(
    dataset: str, known: dict[str, dict], media: Sequence[str], controls: Sequence[str], kpi: str | None
) -> None:
    unknown = [n for n in [*media, *controls] if n not in known]
    if unknown:
        raise NotFoundError(
            f"Dataset {dataset!r} has no variable {', '.join(repr(n) for n in unknown)}.",
            f"Variables: {', '.join(sorted(known))}.",
            code="variable_not_found",
        )
    both = sorted(set(media) & set(controls))
    if both:
        raise MMMError(
            f"{', '.join(both)} given as both media and control.", "Name each variable once.", code="role_conflict"
        )
    if kpi is not None and kpi in {*media, *controls}:
        raise MMMError(
            f"The KPI {kpi!r} cannot also be media or a control.",
            "Drop it from --media/--controls.",
            code="role_conflict",
        )


def role_origins(store: Store, dataset_id: str) -> dict[str, tuple[str, str]]:
    """Per model variable: (its role now, the role ingest inferred). They differ where the user declared a role.

    The inferred role is recomputed by ingest's rules from the distinct (VariableName, Outlet) pairs and the stored
    coverage (a declaration changes neither), so nothing beyond the declaration itself needs storing.
    """
    with store.connect() as conn:
        pairs = conn.execute(
            "SELECT DISTINCT variable_name, outlet FROM mff_rows WHERE dataset_id = ?", [dataset_id]
        ).df()
        sql = "SELECT name, role, coverage FROM variables WHERE dataset_id = ?"
        stored = conn.execute(sql, [dataset_id]).fetchall()
    inferred = inferred_roles(pairs, {name: 1.0 if c is None else float(c) for name, _, c in stored})
    return {name: (role, inferred.get(name, role)) for name, role, _ in stored}
