"""Issue 18 item 4: national media beside geo rows — split by a stated key, never dropped or double counted."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_mff_support import HEADER, weeks, write_lines

from mmm_core.data import queries
from mmm_core.data.ingest import ingest
from mmm_core.data.national import allocation_key, fold_national
from mmm_core.errors import MMMError
from mmm_core.fit.inputs import model_data
from mmm_core.spec.draft import init_spec_with_notes
from mmm_core.store import Store

N = 12
KPI = {"North": 300.0, "South": 100.0}  # North sells 3x South: KPI share 0.75 / 0.25
POPULATION = {"North": 1.0, "South": 4.0}


def national_lines(label: str = "National", kpi_total: bool = False, index: bool = False) -> list[str]:
    lines = [HEADER]
    for i, p in enumerate(weeks(N)):
        lines.append(f"{p},{label},,,TV,,TV_Spend,{200 + 10 * i}")
        if kpi_total:
            lines.append(f"{p},{label},,,,,Sales,{sum(KPI.values()) + i}")
        if index:
            lines.append(f"{p},{label},,,,,Price_Index,{1 + i / 100}")
        for geo, kpi in KPI.items():
            lines += [
                f"{p},{geo},,,Search,,Search_Spend,{20 + i}",
                f"{p},{geo},,,,,Sales,{kpi + i % 3}",
                f"{p},{geo},,,,,Population,{POPULATION[geo]}",
            ]
    return lines


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store" / "mmm.duckdb")


@pytest.mark.parametrize("label", ["National", "Total", ""])
def test_ingest_reports_national_media_and_the_default(store: Store, tmp_path: Path, label: str) -> None:
    result = ingest(store, write_lines(tmp_path / "nat.csv", national_lines(label)))
    assert result.national_geography == label
    note = next(r for r in result.rollups if r.startswith("Media rows on Geography"))
    assert "TV_Spend" in note and "by KPI share (default" in note and "never dropped or double counted" in note
    # national rows are not a geography of their own: nothing is "present in only some geographies"
    assert result.ragged == [] and not any("only some geographies" in w for w in result.warnings)
    spec, notes = init_spec_with_notes(store, "nat", kpi="Sales", controls=["Population"])
    assert spec.geo.national_media == "kpi_share" and spec.geo.pooling == "partial"
    assert any("split across the 2 geos by KPI share" in n for n in notes)


def test_fold_splits_by_kpi_share_and_keeps_every_unit_of_spend(store: Store, tmp_path: Path) -> None:
    ingest(store, write_lines(tmp_path / "nat.csv", national_lines()))
    grid = queries.panel(store, "nat", ["Sales", "TV_Spend", "Search_Spend", "Population"])
    assert grid.geos == ["National", "North", "South"]
    weights = allocation_key(grid, "kpi_share", "Sales")
    assert weights == pytest.approx([0.75, 0.25], abs=0.01)
    folded, notes = fold_national(grid, ["TV_Spend", "Search_Spend"], weights)
    assert folded.geos == ["North", "South"]
    tv = folded.get("TV_Spend")
    assert tv.sum() == pytest.approx(np.nansum(grid.get("TV_Spend")))  # not dropped, not double counted
    assert tv[:, 0] / tv.sum(axis=1) == pytest.approx(np.full(N, weights[0]))
    assert folded.get("Search_Spend") == pytest.approx(grid.get("Search_Spend")[:, 1:])
    assert notes == [f"TV_Spend: national rows ({np.nansum(grid.get('TV_Spend')):,.6g}) split across 2 geos."]
    assert allocation_key(grid, "equal", "Sales") == pytest.approx([0.5, 0.5])
    assert allocation_key(grid, "Population", "Sales") == pytest.approx([0.2, 0.8])


def test_model_data_uses_the_specs_key(store: Store, tmp_path: Path) -> None:
    ingest(store, write_lines(tmp_path / "nat.csv", national_lines()))
    spec, _ = init_spec_with_notes(store, "nat", kpi="Sales", controls=["Population"])
    data = model_data(store, spec)
    tv = list(data.channels).index("TV")
    assert data.geos == ("North", "South") and np.isfinite(data.kpi).all()
    assert data.spend[:, :, tv].sum() == pytest.approx(sum(200 + 10 * i for i in range(N)))
    by_pop = model_data(
        store, spec.model_copy(update={"geo": spec.geo.model_copy(update={"national_media": "Population"})})
    )
    assert by_pop.spend[:, 1, tv].sum() / by_pop.spend[:, :, tv].sum() == pytest.approx(0.8)


def test_national_only_control_applies_to_every_geo(store: Store, tmp_path: Path) -> None:
    ingest(store, write_lines(tmp_path / "nat.csv", national_lines(index=True)))
    grid = queries.panel(store, "nat", ["Sales", "TV_Spend", "Price_Index"])
    folded, notes = fold_national(grid, ["TV_Spend"], allocation_key(grid, "kpi_share", "Sales"))
    assert np.all(folded.get("Price_Index")[:, 0] == folded.get("Price_Index")[:, 1])
    assert "Price_Index: observed nationally only; applies to every geo." in notes


def test_national_kpi_total_beside_geo_kpi_is_refused_not_summed(store: Store, tmp_path: Path) -> None:
    result = ingest(store, write_lines(tmp_path / "nat.csv", national_lines(kpi_total=True)))
    assert any(w.startswith("Sales: rows on 'National' and on the geos") for w in result.warnings)
    grid = queries.panel(store, "nat", ["Sales", "TV_Spend"])
    with pytest.raises(MMMError) as err:
        fold_national(grid, ["TV_Spend"], np.array([0.5, 0.5]))
    assert err.value.code == "national_and_geo_rows"
