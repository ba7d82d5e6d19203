"""ModelSpec: defaults, YAML round trip, validation messages, drafting from a dataset, checks against it."""

from __future__ import annotations

import math

import pytest
from spec_support import VARIABLES, base_spec, make_dataset

from mmm_core.data.queries import describe
from mmm_core.errors import SpecValidationError
from mmm_core.spec import (
    ModelSpec,
    diff_specs,
    format_diff,
    init_spec,
    init_spec_with_notes,
    load_spec,
    save_draft,
    validate_against,
)


def test_defaults_are_explicit_and_documented():
    spec = base_spec()
    assert spec.sampler.chains == 2 and spec.sampler.warmup == 1000 and spec.sampler.draws == 1000
    assert spec.sampler.target_accept is None and spec.sampler.seed == 0  # None: the engine's choice
    assert spec.interval.level == 0.9 and spec.interval.method == "equal_tailed"
    assert spec.holdout.last_n == 0 and spec.media[0].adstock.l_max == 8
    for model in (ModelSpec, type(spec.media[0]), type(spec.media[0].adstock), type(spec.sampler)):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"


def test_type_dependent_priors_are_filled_or_refused():
    spec = base_spec(
        media=[{"name": "TV", "variable": "TV_Spend", "adstock": {"type": "delayed"}, "saturation": {"type": "hill"}}]
    )
    assert spec.media[0].adstock.peak_delay is not None and spec.media[0].saturation.slope is not None
    with pytest.raises(SpecValidationError, match="peak_delay is only used by type 'delayed'"):
        base_spec(media=[{"name": "TV", "variable": "TV_Spend", "adstock": {"peak_delay": {"mean": 1, "sd": 1}}}])
    with pytest.raises(SpecValidationError, match="slope is only used by type 'hill'"):
        base_spec(media=[{"name": "TV", "variable": "TV_Spend", "saturation": {"slope": {"median": 1, "sigma": 1}}}])


def test_yaml_round_trip(tmp_path):
    spec = base_spec(
        mediators=[{"name": "Awareness", "type": "sparse", "channels": ["TV"]}],
        trend={"type": "piecewise", "changepoints": ["2024-01-01"]},
    )
    assert ModelSpec.from_yaml(spec.to_yaml()) == spec
    path = save_draft(spec, tmp_path / "draft.yaml")
    assert path.read_text().startswith("# Draft model spec")
    assert load_spec(path) == spec


def test_validation_error_names_field_path_and_allowed_values():
    with pytest.raises(SpecValidationError) as exc:
        base_spec(
            media=[{"name": "TV", "variable": "TV_Spend", "adstock": {"type": "weibull"}}], geo={"pooling": "some"}
        )
    msg = exc.value.message
    assert "media[TV].adstock.type" in msg and "'geometric' or 'delayed'" in msg and "'weibull'" in msg
    assert "geo.pooling" in msg and "'none', 'partial' or 'full'" in msg


def test_unknown_field_lists_allowed_fields():
    with pytest.raises(SpecValidationError) as exc:
        base_spec(sampler={"chain": 4})
    assert "sampler.chain" in exc.value.message and "chains, warmup, draws" in exc.value.message


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"media": []}, "media"),
        ({"media": [{"name": "TV", "variable": "A"}, {"name": "TV", "variable": "B"}]}, "duplicate media channel"),
        ({"controls": [{"name": "TV_Spend"}]}, "each may play one role"),
        ({"mediators": [{"name": "Aw", "channels": ["Radio"]}]}, "unknown channel(s) ['Radio']"),
        ({"mediators": [{"name": "Aw", "type": "latent", "channels": ["TV"]}]}, "needs informative priors"),
        ({"trend": {"type": "piecewise"}}, "at least one changepoint"),
        ({"seasonality": {"fourier_order": 7, "period": 12}}, "too high"),
        ({"interval": {"level": 1.5}}, "interval.level"),
        ({"controls": [{"name": "Price", "sign": "up"}]}, "'positive', 'negative' or 'none'"),
    ],
)
def test_invalid_specs_are_refused(changes, fragment):
    with pytest.raises(SpecValidationError) as exc:
        base_spec(**changes)
    assert fragment in exc.value.message


def test_bad_yaml_is_a_spec_error(tmp_path):
    with pytest.raises(SpecValidationError, match="not valid YAML"):
        ModelSpec.from_yaml("media: [unclosed")
    with pytest.raises(SpecValidationError, match="mapping"):
        ModelSpec.from_yaml("- a list")
    with pytest.raises(SpecValidationError, match="No spec file"):
        load_spec(tmp_path / "missing.yaml")


def test_init_spec_drafts_from_the_dataset(store, dataset):
    spec, notes = init_spec_with_notes(store, "demo")
    assert spec.dataset_id == dataset and spec.kpi == "Sales"
    assert [(m.name, m.variable) for m in spec.media] == [("Search", "Search_Spend"), ("TV", "TV_Spend")]
    assert [c.name for c in spec.controls] == ["Price"]
    assert spec.mediators[0].name == "Awareness" and spec.mediators[0].type == "sparse"
    assert spec.mediators[0].channels == ["Search", "TV"]
    assert spec.seasonality.fourier_order == 2 and spec.geo.pooling == "full"
    # ROI prior medians (issue 16 item 3): media drive 30% of the KPI (1e6) on average over total spend (1e5);
    # median = mean · e^(−½) = 3 · 0.6065 → 1.82 for both. (The former rule gave 0.2 · 1e6 / 1e5 = 2.0.)
    assert spec.media[0].effect_prior.type == "roi" and spec.media[0].effect_prior.median == 1.82
    assert spec.media[1].effect_prior.median == 1.82
    mean_share = sum(m.effect_prior.median * math.exp(0.5) * x for m, x in zip(spec.media, (4e4, 6e4))) / 1e6
    assert mean_share == pytest.approx(0.3, rel=0.01)
    assert any("ROI priors" in n for n in notes)
    validate_against(spec, describe(store, dataset))


def test_init_spec_short_multi_geo_data(store):
    make_dataset(store, "ds_geo", "geo", weeks=40, geos=("North", "South"))
    spec = init_spec(store, "geo")
    assert spec.geo.pooling == "partial" and spec.seasonality.fourier_order == 0


def test_init_spec_asks_for_the_kpi_when_ambiguous(store):
    make_dataset(store, "ds_two", "two", variables=VARIABLES + [("Revenue", "kpi_candidate", None, 1.0, 5.0)])
    with pytest.raises(SpecValidationError) as exc:
        init_spec(store, "two")
    assert exc.value.code == "kpi_ambiguous" and "Sales" in exc.value.message and "Revenue" in exc.value.message
    spec = init_spec(store, "two", kpi="Revenue")
    assert spec.kpi == "Revenue" and "Sales" not in [c.name for c in spec.controls]
    with pytest.raises(SpecValidationError, match="not a variable"):
        init_spec(store, "two", kpi="Nope")


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"kpi": "TV_Spend", "media": [{"name": "S", "variable": "Search_Spend"}]}, "kpi 'TV_Spend'"),
        ({"media": [{"name": "TV", "variable": "Price"}], "controls": []}, "must be a media variable"),
        ({"controls": [{"name": "Nope"}]}, "controls[Nope]"),
        ({"mediators": [{"name": "Ghost", "channels": ["TV"]}]}, "mediators[Ghost]"),
        ({"mediators": [{"name": "Awareness", "type": "observed", "channels": ["TV"]}]}, "use type: sparse"),
        ({"mediators": [{"name": "Awareness", "type": "latent", "channels": ["TV"], "priors": {}}]}, "not latent"),
        ({"geo": {"pooling": "partial"}}, "needs more than one geography"),
        ({"holdout": {"last_n": 60}}, "holdout.last_n"),
        ({"trend": {"type": "piecewise", "changepoints": ["2030-01-01"]}}, "outside the data window"),
        ({"dataset_id": "ds_other"}, "dataset_id"),
    ],
)
def test_validate_against_refuses_mismatches(store, dataset, changes, fragment):
    with pytest.raises(SpecValidationError) as exc:
        validate_against(base_spec(**changes), describe(store, dataset))
    assert fragment in exc.value.message


def test_diff_names_fields_by_channel():
    old = base_spec()
    new = base_spec(
        media=[
            {"name": "TV", "variable": "TV_Spend", "adstock": {"l_max": 12}},
            {"name": "Radio", "variable": "Radio_Spend"},
        ],
        controls=[],
    )
    lines = format_diff(diff_specs(old, new))
    assert "media[TV].adstock.l_max: 8 → 12" in lines
    assert "media[Radio]: added" in lines and "media[Search]: removed" in lines and "controls[Price]: removed" in lines
    assert diff_specs(old, old) == []
