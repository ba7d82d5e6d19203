"""Guided edits of a draft spec, the headline choices of a spec, and where a store keeps its drafts.

The chat's guided setup edits drafts one choice at a time; the rules of an edit (dropping a channel also drops it
from the mediators it fed, and a mediator left with no channel goes) live here rather than in the chat tool, and
a draft is a YAML file in ``<store dir>/drafts/<draft_id>.yaml`` that the CLI can lock like any other.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from mmm_core.errors import NotFoundError, SpecLockedError
from mmm_core.spec.schema import ModelSpec, load_spec, save_draft
from mmm_core.store import Store


def edit_spec(
    spec: ModelSpec,
    *,
    kpi: str | None = None,
    channels: list[str] | None = None,
    controls: list[str] | None = None,
    seasonality_order: int | None = None,
    geo_pooling: str | None = None,
    holdout_periods: int | None = None,
    carryover: dict[str, dict[str, float]] | None = None,
) -> ModelSpec:
    """A new spec with the given choices changed (None leaves a choice as it is; validated by ModelSpec).

    ``channels`` keeps exactly these media channels (case-insensitive); ``controls`` replaces the controls;
    ``carryover`` maps a channel to ``{"max_lag": periods}`` and/or ``{"half_life": periods}`` (the adstock's
    maximum lag and its half-life prior median)."""
    data = spec.model_dump(mode="json")
    if carryover:
        _set_carryover(data, carryover)
    if kpi:
        data["kpi"] = kpi
    if channels is not None:
        wanted = {c.casefold() for c in channels}
        data["media"] = [m for m in data["media"] if m["name"].casefold() in wanted]
        kept = {m["name"] for m in data["media"]}
        for med in data["mediators"]:
            med["channels"] = [c for c in med["channels"] if c in kept]
        data["mediators"] = [m for m in data["mediators"] if m["channels"]]
    if controls is not None:
        data["controls"] = [{"name": c} for c in controls]
    if seasonality_order is not None:
        data["seasonality"]["fourier_order"] = seasonality_order
    if geo_pooling:
        data["geo"]["pooling"] = geo_pooling
    if holdout_periods is not None:
        data["holdout"]["last_n"] = holdout_periods
    return ModelSpec.parse(data)


def _set_carryover(data: dict[str, Any], carryover: dict[str, dict[str, float]]) -> None:
    by_name = {m["name"].casefold(): m for m in data["media"]}
    unknown = sorted(ch for ch in carryover if ch.casefold() not in by_name)
    if unknown:
        raise NotFoundError(
            f"{', '.join(unknown)} is not a media channel of the spec ({', '.join(m['name'] for m in data['media'])}).",
            "Name a channel the spec has; nothing was changed.",
            code="unknown_spec_item",
        )
    for ch, setting in carryover.items():
        adstock = by_name[ch.casefold()]["adstock"]
        if setting.get("max_lag") is not None:
            adstock["l_max"] = int(setting["max_lag"])
        if setting.get("half_life") is not None:
            adstock["half_life"]["median"] = float(setting["half_life"])


def apply_changes(
    spec: ModelSpec, *, remove: list[str] | None = None, add_controls: list[str] | None = None, **choices: Any
) -> ModelSpec:
    """A new spec with exactly the named changes: ``remove`` takes the named channels or controls out,
    ``add_controls`` adds controls, other ``choices`` as in :func:`edit_spec`.

    An amendment changes only what its request names, so a name that is neither a channel nor a control of
    ``spec`` is refused (listing what exists) rather than ignored, and nothing else is touched: removing one control
    keeps the others, however little of the spec the caller knew."""
    channels = [m.name for m in spec.media]
    controls = [c.name for c in spec.controls]
    drop = {n.casefold() for n in remove or []}
    unknown = sorted(n for n in remove or [] if n.casefold() not in {x.casefold() for x in channels + controls})
    if unknown:
        raise NotFoundError(
            f"{', '.join(unknown)} is not in the spec (channels: {', '.join(channels) or 'none'}; "
            f"controls: {', '.join(controls) or 'none'}).",
            "Name a channel or control the spec has; nothing was changed.",
            code="unknown_spec_item",
        )
    if drop & {c.casefold() for c in channels}:
        choices["channels"] = [c for c in channels if c.casefold() not in drop]
    # Controls are edited in place (not replaced by name), so the settings of the controls kept (sign) survive.
    data = spec.model_dump(mode="json")
    data["controls"] = [c for c in data["controls"] if c["name"].casefold() not in drop]
    have = {c["name"].casefold() for c in data["controls"]}
    data["controls"] += [{"name": c} for c in add_controls or [] if c.casefold() not in have]
    return edit_spec(ModelSpec.parse(data), **choices)


def spec_choices(spec: ModelSpec) -> dict[str, Any]:
    """The choices a person reviews before locking, in the names :func:`edit_spec` takes."""
    return {
        "dataset_id": spec.dataset_id,
        "kpi": spec.kpi,
        "channels": [m.name for m in spec.media],
        "controls": [c.name for c in spec.controls],
        "mediators": [m.name for m in spec.mediators],
        "seasonality_order": spec.seasonality.fourier_order,
        "geo_pooling": spec.geo.pooling,
        "holdout_periods": spec.holdout.last_n,
        "carryover": {
            m.name: {"max_lag": m.adstock.l_max, "half_life": m.adstock.half_life.median} for m in spec.media
        },
        "trend": spec.trend.type,
        "likelihood": spec.likelihood,
    }


def drafts_dir(store: Store) -> Path:
    folder = store.path.parent / "drafts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_store_draft(store: Store, draft_id: str) -> ModelSpec:
    """The draft ``draft_id`` of this store; a locked spec id is refused (locked specs change only by amendment)."""
    if draft_id.startswith("spec_"):
        raise SpecLockedError(
            f"{draft_id} is a locked spec and cannot be edited.",
            "Change a locked spec only with amend_spec and a reason; it will be disclosed.",
        )
    path = drafts_dir(store) / f"{Path(draft_id).name}.yaml"
    if not path.is_file():
        raise NotFoundError(f"No draft {draft_id!r}.", "Start one with draft_spec.", code="draft_not_found")
    return load_spec(path)


def save_store_draft(store: Store, spec: ModelSpec, draft_id: str | None = None) -> str:
    """Write ``spec`` as a draft of this store (a new ``draft_…`` id unless one is given); returns the id."""
    draft_id = draft_id or f"draft_{uuid.uuid4().hex[:8]}"
    save_draft(spec, drafts_dir(store) / f"{Path(draft_id).name}.yaml")
    return draft_id
