"""The spec's `outcomes` block (issue 22): parsing, named refusals, hash stability, drafting and data checks."""

from __future__ import annotations

import pytest
from spec_support import VARIABLES, base_spec, make_dataset

from mmm_core.errors import NotFoundError, SpecValidationError
from mmm_core.spec import ModelSpec, spec_sha256, validate_against
from mmm_core.spec.multi_draft import init_multi_spec_with_notes
from mmm_core.spec.outcomes import find_cycle

TWO_KPIS = [*VARIABLES, ("Sales_B", "kpi_candidate", None, 1.0, 400_000.0), ("Promo_B", "control", None, 1.0, 20.0)]


def outcomes(**extra) -> dict:
    return {"kpis": ["Sales", "Sales_B"], **extra}


def multi(**extra) -> ModelSpec:
    return base_spec(outcomes=outcomes(**extra))


def refused(block: dict, **spec_changes) -> str:
    with pytest.raises(SpecValidationError) as exc:
        base_spec(outcomes=block, **spec_changes)
    return str(exc.value)


def test_block_round_trips_and_defaults() -> None:
    spec = multi(cross_effects=[{"source": "Sales_B", "target": "Sales", "type": "cannibalisation", "lag": 1}])
    assert ModelSpec.from_yaml(spec.to_yaml()) == spec
    block = spec.outcomes
    assert block.names == ["Sales", "Sales_B"]
    assert (block.share_adstock, block.share_saturation, block.share_seasonality) == (True, False, True)
    assert block.residual_correlation.lkj_eta == 2.0
    assert block.weight("Sales_B") == 1.0
    assert block.cross_effects[0].prior_scale == 0.3


def test_absent_block_keeps_the_hash() -> None:
    spec = base_spec()
    assert "outcomes" not in spec.model_dump(mode="json")
    assert spec_sha256(spec) == spec_sha256(base_spec())
    assert spec_sha256(multi()) != spec_sha256(spec)


def test_first_kpi_is_the_spec_kpi() -> None:
    assert "must start with the spec's kpi 'Sales'" in refused({"kpis": ["Sales_B", "Sales"]})


def test_kpis_or_products_not_both_and_at_least_two() -> None:
    assert "either as kpis" in refused({"kpis": ["Sales", "B"], "products": ["x", "y"]})
    assert "at least 2 outcomes" in refused({"kpis": ["Sales"]})


def test_weights_positive_and_named() -> None:
    assert "weights[Sales] must be > 0" in refused(outcomes(weights={"Sales": 0}))
    assert "weights names 'Other'" in refused(outcomes(weights={"Other": 2.0}))
    assert multi(weights={"Sales_B": 2.5}).outcomes.weight("Sales_B") == 2.5


@pytest.mark.parametrize(
    ("effect", "message"),
    [
        ({"source": "X", "target": "Sales", "type": "halo"}, "names ['X'], not an outcome"),
        ({"source": "Sales", "target": "Sales", "type": "halo"}, "cannot cross-affect itself"),
        ({"source": "Sales", "target": "Sales_B", "type": "halo", "lag": 2}, "lag 2 is not supported"),
        ({"source": "Sales", "target": "Sales_B", "type": "halo", "modulator": "Sales_B"}, "is an outcome"),
        ({"source": "Sales", "target": "Sales_B", "type": "halo", "modulator": "TV_Spend"}, "is a media variable"),
        ({"source": "Sales", "target": "Sales_B", "type": "bogus"}, "cannibalisation"),
    ],
)
def test_cross_effect_refusals_name_the_problem(effect: dict, message: str) -> None:
    assert message in refused(outcomes(cross_effects=[effect]))


def test_modulator_that_is_a_confounder_is_refused() -> None:
    text = refused(
        outcomes(cross_effects=[{"source": "Sales", "target": "Sales_B", "type": "halo", "modulator": "Price"}]),
        controls=[{"name": "Price", "class": "confounder"}],
    )
    assert "modulator 'Price' is refused" in text and "confounder" in text


def test_cycle_is_refused_with_its_path() -> None:
    effects = [
        {"source": "Sales", "target": "Sales_B", "type": "halo"},
        {"source": "Sales_B", "target": "Sales", "type": "cannibalisation", "lag": 1},
    ]
    assert "form a cycle Sales → Sales_B → Sales" in refused(outcomes(cross_effects=effects))
    assert find_cycle([("A", "B"), ("B", "C"), ("C", "A")]) == ["A", "B", "C", "A"]
    assert find_cycle([("A", "B"), ("A", "C"), ("B", "C")]) is None


def test_unsupported_features_are_refused() -> None:
    text = refused(outcomes(), noise="student_t", likelihood="multiplicative")
    assert "student_t is not supported" in text and "additive likelihood" in text


def test_an_outcome_variable_plays_one_role() -> None:
    text = refused(outcomes(), controls=[{"name": "Sales_B"}])
    assert "duplicate variable" in text and "Sales_B" in text


def test_draft_two_kpis(store) -> None:
    make_dataset(store, variables=TWO_KPIS)
    spec, notes = init_multi_spec_with_notes(store, "ds_test", ["Sales", "Sales_B"])
    assert spec.kpi == "Sales" and spec.outcomes.kpis == ["Sales", "Sales_B"]
    assert spec.mediators == [] and "Sales_B" not in [c.name for c in spec.controls]
    assert any("Mediators left out (Awareness)" in n for n in notes)
    assert any("Several outcomes fitted jointly" in n for n in notes)
    validate_against(spec, _describe(store))


def test_draft_refuses_one_kpi_and_unknown_kpis(store) -> None:
    make_dataset(store, variables=TWO_KPIS)
    with pytest.raises(SpecValidationError, match="at least two KPIs"):
        init_multi_spec_with_notes(store, "ds_test", ["Sales"])
    with pytest.raises(SpecValidationError, match="'TV_Spend'.*not non-media"):
        init_multi_spec_with_notes(store, "ds_test", ["Sales", "TV_Spend"])
    with pytest.raises(SpecValidationError, match="not split by Product"):
        init_multi_spec_with_notes(store, "ds_test", ["Sales"], by_product=True)


def test_draft_by_product(store) -> None:
    make_dataset(store, variables=TWO_KPIS)
    with store.transaction() as conn:  # the KPI's rows, split by product
        conn.execute("UPDATE mff_rows SET product = 'Single' WHERE variable_name = 'Sales'")
        conn.execute(
            "INSERT INTO mff_rows SELECT dataset_id, period, geography, 'Multi', campaign, outlet, creative, "
            "variable_name, 50.0 FROM mff_rows WHERE variable_name = 'Sales'"
        )
    spec, _ = init_multi_spec_with_notes(store, "ds_test", ["Sales"], by_product=True)
    assert spec.outcomes.products == ["Multi", "Single"] and spec.kpi == "Sales"


def test_data_check_names_unknown_variables(store) -> None:
    make_dataset(store, variables=TWO_KPIS)
    spec = base_spec(
        outcomes={
            "kpis": ["Sales", "Nope"],
            "cross_effects": [{"source": "Nope", "target": "Sales", "type": "cannibalisation", "modulator": "Zzz"}],
        }
    )
    with pytest.raises(SpecValidationError) as exc:
        validate_against(spec, _describe(store))
    assert "outcomes.kpis[Nope]" in str(exc.value) and "modulator 'Zzz'" in str(exc.value)


def test_product_panel_refuses_unknown_products(store) -> None:
    import pandas as pd

    from mmm_core.data.products import product_panel

    make_dataset(store, variables=TWO_KPIS)
    with pytest.raises(NotFoundError, match="no rows for product"):
        product_panel(store, "ds_test", "Sales", ["A", "B"], ["National"], pd.DatetimeIndex([]))


def _describe(store) -> dict:
    from mmm_core.data import queries

    return queries.describe(store, "ds_test")


def test_control_outcomes_limit_a_control_to_named_outcomes() -> None:
    spec = base_spec(
        outcomes=outcomes(control_outcomes={"Promo_B": ["Sales_B"]}), controls=[{"name": "Price"}, {"name": "Promo_B"}]
    )
    assert spec.outcomes.controls_of("Sales", ["Price", "Promo_B"]) == ["Price"]
    assert spec.outcomes.controls_of("Sales_B", ["Price", "Promo_B"]) == ["Price", "Promo_B"]
    assert "'Nope' is not a control" in refused(outcomes(control_outcomes={"Nope": ["Sales"]}))
    assert "must list outcomes" in refused(outcomes(control_outcomes={"Price": ["X"]}))
