"""`spec init DATASET --kpi A,B` (or `--kpi Sales --by-product`): a multi-outcome draft.

The single-KPI draft of the first outcome (``draft.init_spec_with_notes``: media, controls, priors, seasonality)
plus an ``outcomes`` block (``outcomes.draft_outcomes``). Its own module because ``draft`` imports the schema,
which imports ``outcomes``. What the multi-outcome engine does not model is left out of the draft and named in
the notes (mediators, stored lift tests), never dropped silently; the other outcomes leave the controls (an
outcome on the right-hand side would absorb the media effect it is itself driven by).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mmm_core.data import queries
from mmm_core.data.products import variable_products
from mmm_core.errors import SpecValidationError
from mmm_core.spec.draft import init_spec_with_notes
from mmm_core.spec.outcomes import draft_outcomes, outcomes_note
from mmm_core.spec.schema import ModelSpec


def init_multi_spec_with_notes(
    store: Any,
    dataset: str,
    kpis: Sequence[str],
    media: Sequence[str] | None = None,
    controls: Sequence[str] | None = None,
    by_product: bool = False,
    brand_metrics: Sequence[str] | None = None,
) -> tuple[ModelSpec, list[str]]:
    """A draft with several outcomes: the variables ``kpis`` (≥ 2), or ``kpis[0]`` split by its Products."""
    if brand_metrics:
        raise SpecValidationError(
            "Brand metrics (a long_term block) are not supported with several outcomes yet.",
            "Draft one KPI with --brand-metrics, or several KPIs without it.",
            code="unsupported_with_outcomes",
        )
    products = _products(store, dataset, kpis) if by_product else []
    if not by_product and len(kpis) < 2:
        raise SpecValidationError(
            "A multi-outcome draft needs at least two KPIs.",
            "Pass --kpi A,B, or --kpi Sales --by-product to split one KPI by its Product rows.",
            code="kpi_ambiguous",
        )
    spec, notes = init_spec_with_notes(store, dataset, kpis[0], media, controls)
    block = draft_outcomes(queries.describe(store, dataset), kpis, products)
    data = spec.model_dump(mode="json")
    others = set(block.kpis[1:])
    dropped = {
        "controls": [c["name"] for c in data["controls"] if c["name"] in others],
        "mediators": [m["name"] for m in data["mediators"]],
        "experiments": [e["experiment_id"] for e in data.get("experiments", [])],
    }
    data["controls"] = [c for c in data["controls"] if c["name"] not in others]
    data["mediators"], data["experiments"] = [], []
    data["outcomes"] = block.model_dump(mode="json")
    notes = [n for n in notes if not n.startswith("Other KPI candidates")]
    notes += _dropped_notes(dropped)
    notes.append(outcomes_note(block, spec.kpi))
    return ModelSpec.parse(data), notes


def _products(store: Any, dataset: str, kpis: Sequence[str]) -> list[str]:
    if len(kpis) != 1:
        raise SpecValidationError(
            f"--by-product splits one KPI by its Product rows, but {len(kpis)} were given ({', '.join(kpis)}).",
            "Pass one KPI with --by-product (e.g. --kpi Sales --by-product), or several KPIs without it.",
            code="kpi_ambiguous",
        )
    found = variable_products(store, dataset, kpis[0])
    if len(found) < 2:
        raise SpecValidationError(
            f"{kpis[0]!r} is not split by Product in this dataset (products of its rows: {found or 'none'}).",
            "Name several KPI variables instead (--kpi A,B), or ingest the KPI with one row per product.",
            code="not_split_by_product",
        )
    return found


def _dropped_notes(dropped: dict[str, list[str]]) -> list[str]:
    out = []
    if dropped["controls"]:
        out.append(f"Left out of the controls because they are outcomes: {', '.join(dropped['controls'])}.")
    if dropped["mediators"]:
        out.append(
            f"Mediators left out ({', '.join(dropped['mediators'])}): the multi-outcome model has no mediator "
            "equations yet."
        )
    if dropped["experiments"]:
        out.append(
            f"Stored lift tests left out ({', '.join(dropped['experiments'])}): the multi-outcome model does not "
            "calibrate on experiments yet."
        )
    return out
