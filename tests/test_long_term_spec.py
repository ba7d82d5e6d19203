"""The spec's long_term block (issue 21): defaults, validation with named errors, hashing/locking, and drafting."""

from __future__ import annotations

import pytest
from spec_support import VARIABLES, base_spec, make_dataset

from mmm_core.data.queries import describe
from mmm_core.errors import SpecValidationError
from mmm_core.ledger import lock
from mmm_core.spec import ModelSpec, init_spec_with_notes, spec_sha256, validate_against

BRAND_VARIABLES = [
    *VARIABLES[:4],
    ("Awareness", "control", None, 1.0, 3000.0),  # weekly: inferred a control
    ("Consideration", "mediator", None, 0.25, 500.0),  # monthly survey: inferred a mediator
]


@pytest.fixture
def brand_ds(store) -> str:
    return make_dataset(store, "ds_brand", "brand", variables=BRAND_VARIABLES)


def _block(**changes) -> dict:
    return {"brand_metrics": [{"name": "Awareness"}, {"name": "Consideration", "type": "sparse"}]} | changes


def test_defaults_are_the_documented_ones():
    lt = base_spec("ds_brand", long_term=_block()).long_term
    assert (lt.lags, lt.horizon, lt.stationarity) == (2, 24, "detrend")
    assert (lt.prior.own_lag_mean, lt.prior.overall_tightness, lt.prior.cross_tightness) == (0.5, 0.2, 0.5)
    assert (lt.prior.lag_decay, lt.prior.exogenous_sd) == (1.0, 0.5)
    assert lt.metric_names == ["Awareness", "Consideration"]


def test_absent_block_keeps_the_hash_and_any_change_moves_it():
    plain = base_spec("ds_brand")
    assert "long_term" not in plain.model_dump(mode="json")  # specs locked before the block keep their hash
    with_block = base_spec("ds_brand", long_term=_block())
    hashes = {
        spec_sha256(plain),
        spec_sha256(with_block),
        spec_sha256(base_spec("ds_brand", long_term=_block(lags=3))),
        spec_sha256(base_spec("ds_brand", long_term=_block(horizon=12))),
        spec_sha256(base_spec("ds_brand", long_term=_block(stationarity="levels"))),
        spec_sha256(base_spec("ds_brand", long_term=_block(prior={"own_lag_mean": 0.8}))),
    }
    assert len(hashes) == 6
    # order of metrics and explicit defaults carry no meaning
    reordered = {"brand_metrics": [{"name": "Consideration", "type": "sparse"}, {"name": "Awareness"}], "lags": 2}
    assert spec_sha256(base_spec("ds_brand", long_term=reordered)) == spec_sha256(with_block)
    assert ModelSpec.from_yaml(with_block.to_yaml()) == with_block


@pytest.mark.parametrize(
    "block, fragment",
    [
        (_block(lags=0), "long_term.lags"),
        (_block(horizon=0), "long_term.horizon"),
        (_block(stationarity="cointegrated"), "'detrend', 'difference' or 'levels'"),
        (_block(prior={"own_lag_mean": 1.5}), "long_term.prior.own_lag_mean"),
        (_block(prior={"tightness": 1}), "allowed fields here: own_lag_mean"),
        ({"brand_metrics": []}, "long_term.brand_metrics"),
        ({"brand_metrics": [{"name": "A"}, {"name": "A"}]}, "listed twice: A"),
        (_block(stationarity="difference"), "sparse (survey) metric has gaps"),
    ],
)
def test_bad_blocks_are_refused_naming_the_field(block, fragment):
    with pytest.raises(SpecValidationError) as exc:
        base_spec("ds_brand", long_term=block)
    assert fragment in exc.value.message


def test_a_metric_cannot_also_be_a_control():
    with pytest.raises(SpecValidationError, match="duplicate variable .*brand metric.*: Price"):
        base_spec("ds_brand", long_term={"brand_metrics": [{"name": "Price"}]})


def test_unknown_metric_names_what_exists(store, brand_ds):
    spec = base_spec(brand_ds, long_term={"brand_metrics": [{"name": "Awarenes"}]})
    with pytest.raises(SpecValidationError) as exc:
        validate_against(spec, describe(store, brand_ds))
    msg = exc.value.message
    assert "long_term.brand_metrics[Awarenes] is not a variable of this dataset" in msg
    assert "'Awareness'" in msg and "'Consideration'" in msg and "TV_Spend" not in msg.split("allowed:")[1]


def test_media_and_gappy_metrics_are_refused(store, brand_ds):
    d = describe(store, brand_ds)
    media = base_spec(
        brand_ds,
        media=[{"name": "TV", "variable": "TV_Spend"}],
        long_term={"brand_metrics": [{"name": "Search_Spend"}]},
    )
    with pytest.raises(SpecValidationError, match=r"brand_metrics\[Search_Spend\] is a media variable"):
        validate_against(media, d)
    gappy = base_spec(brand_ds, long_term={"brand_metrics": [{"name": "Consideration"}]})
    with pytest.raises(SpecValidationError, match="observed on only 25% of periods; use type: sparse"):
        validate_against(gappy, d)


def test_too_many_lags_for_the_data_are_refused(store):
    ds = make_dataset(store, "ds_short", "short", weeks=30, variables=BRAND_VARIABLES)
    spec = base_spec(ds, long_term=_block(lags=6), seasonality={"fourier_order": 0})
    with pytest.raises(SpecValidationError, match="long_term.lags 6: each VAR equation has 21 coefficients"):
        validate_against(spec, describe(store, ds))


def test_spec_init_drafts_the_block_and_takes_metrics_out_of_step_one(store, brand_ds):
    spec, notes = init_spec_with_notes(store, "brand", brand_metrics=["Awareness", "Consideration"])
    lt = spec.long_term
    assert [(m.name, m.type) for m in lt.brand_metrics] == [("Awareness", "observed"), ("Consideration", "sparse")]
    assert [c.name for c in spec.controls] == ["Price"] and spec.mediators == []
    assert any("VAR(2)" in n and "24-period" in n and "local level" in n for n in notes)
    assert spec.trend.type == "local_level"  # step 1 lets base sales wander (spec.long_term docstring: why)
    validate_against(spec, describe(store, brand_ds))
    locked = lock(store, spec, "long-term test")
    plain_spec = init_spec_with_notes(store, "brand")[0]
    assert plain_spec.trend.type == "linear"  # without a long_term block the draft is unchanged
    plain = lock(store, plain_spec, "no long-term block")
    assert locked.spec_id != plain.spec_id


def test_spec_init_refuses_an_unknown_metric_listing_candidates(store, brand_ds):
    with pytest.raises(SpecValidationError) as exc:
        init_spec_with_notes(store, "brand", brand_metrics=["Intent"])
    assert exc.value.code == "unknown_brand_metric"
    assert "'Intent'" in exc.value.message and "Awareness, Consideration, Price" in exc.value.message


def test_cli_flag_drafts_the_block(store, brand_ds, tmp_path):
    from agent.cli.main import main

    out = tmp_path / "spec.yaml"
    code = main(
        [
            "--store",
            str(tmp_path / "mmm.duckdb"),
            "spec",
            "init",
            "brand",
            "--brand-metrics",
            "Awareness,Consideration",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "long_term:" in out.read_text() and "Consideration" in out.read_text()
