"""Guided edits of a draft spec (the chat's setup) and the store's drafts folder."""

from __future__ import annotations

import pytest

from mmm_core.errors import NotFoundError, SpecLockedError
from mmm_core.spec.edits import edit_spec, load_store_draft, save_store_draft, spec_choices
from mmm_core.spec.schema import ModelSpec

SPEC = {
    "dataset_id": "ds_1",
    "kpi": "Sales",
    "media": [{"name": "TV", "variable": "TV_Spend"}, {"name": "Search", "variable": "Search_Spend"}],
    "controls": [{"name": "Price"}],
    "mediators": [{"name": "Awareness", "type": "sparse", "channels": ["TV"]}],
}


def test_dropping_a_channel_drops_the_mediator_it_alone_fed() -> None:
    spec = ModelSpec.parse(SPEC)
    edited = edit_spec(spec, channels=["search"], controls=[], holdout_periods=8, geo_pooling="none")
    choices = spec_choices(edited)
    assert choices["channels"] == ["Search"] and choices["mediators"] == [] and choices["controls"] == []
    assert (choices["holdout_periods"], choices["geo_pooling"]) == (8, "none")
    assert spec_choices(edit_spec(spec)) == spec_choices(spec)  # no change asked, none made


def test_drafts_round_trip_and_locked_ids_are_refused(store) -> None:
    spec = ModelSpec.parse(SPEC)
    draft_id = save_store_draft(store, spec)
    assert draft_id.startswith("draft_") and spec_choices(load_store_draft(store, draft_id)) == spec_choices(spec)
    with pytest.raises(SpecLockedError):
        load_store_draft(store, "spec_123")
    with pytest.raises(NotFoundError):
        load_store_draft(store, "draft_missing")
