"""describe, spend/KPI breakdowns and dense panels on the bundled demo data (real ingest)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mmm_core.data.ingest import ingest
from mmm_core.data.queries import describe, kpi_by, list_datasets, panel, resolve_dataset, spend_by
from mmm_core.errors import MMMError, NotFoundError
from mmm_core.store import Store

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("q") / "mmm.duckdb")
    ingest(store, DATA / "demo_national.csv", name="demo")
    ingest(store, DATA / "demo_mediated.csv", name="mediated")
    return store


def test_describe_infers_roles_on_bundled_data(store: Store) -> None:
    d = describe(store, "demo")
    roles = {v["name"]: v["role"] for v in d["variables"]}
    assert roles["Sales"] == "kpi"
    assert {roles[f"{c}_Spend"] for c in ("Search", "Social", "Local", "Email")} == {"media"}
    assert d["channels"] == ["Email", "Local", "Search", "Social"]
    assert d["periods"]["count"] == 104 and d["frequency"] == "W"
    assert set(d["controls"]) == {"Price", "Promo", "Holiday"}
    mediated = describe(store, "mediated")
    assert mediated["mediators"] == ["Awareness"]
    awareness = next(v for v in mediated["variables"] if v["name"] == "Awareness")
    assert awareness["coverage"] < 0.6


def test_resolve_by_id_or_name_and_unknown(store: Store) -> None:
    ds_id = resolve_dataset(store, "demo")["id"]
    assert resolve_dataset(store, ds_id)["name"] == "demo"
    assert [d["name"] for d in list_datasets(store)] == ["demo", "mediated"]
    with pytest.raises(NotFoundError, match="Known datasets: demo, mediated"):
        resolve_dataset(store, "nope")


def test_spend_and_kpi_breakdowns_agree_with_raw_sums(store: Store) -> None:
    by_channel = spend_by(store, "demo", "channel")
    by_period = spend_by(store, "demo", "period")
    assert by_channel["total"].sum() == pytest.approx(by_period["total"].sum())
    assert set(by_channel["channel"]) == {"Search", "Social", "Local", "Email"}
    search = spend_by(store, "demo", "channel", channels=["Search"])
    assert len(search) == 1
    sales = kpi_by(store, "demo", "Sales", "period")
    assert len(sales) == 104 and len(kpi_by(store, "demo", "Sales", "all")) == 104
    with pytest.raises(MMMError):
        kpi_by(store, "demo", "Sales", "channel")


def test_spend_by_channel_comes_largest_first_with_each_channels_share_of_all_media(store: Store) -> None:
    by_channel = spend_by(store, "demo", "channel")
    assert list(by_channel["total"]) == sorted(by_channel["total"], reverse=True)
    assert by_channel["share"].sum() == pytest.approx(1.0)
    search = spend_by(store, "demo", "channel", channels=["Search"])  # its share of every channel, not of itself
    expected = float(by_channel.set_index("channel").loc["Search", "total"] / by_channel["total"].sum())
    assert search["share"].iloc[0] == pytest.approx(expected) and expected < 1.0
    windows = [
        {"start": "2022-01-01", "end": "2022-06-30", "label": "H1"},
        {"start": "2022-07-01", "end": "2022-12-31", "label": "H2"},
    ]
    from mmm_core.data.queries import dataset_periods, resolve_windows

    wins = resolve_windows(dataset_periods(store, "demo"), windows)
    two = spend_by(store, "demo", "channel", windows=wins)
    assert list(dict.fromkeys(two["window"])) == ["H1", "H2"]  # the windows' order as asked, each ranked
    for _, block in two.groupby("window"):
        assert block["share"].sum() == pytest.approx(1.0)
        assert list(block["total"]) == sorted(block["total"], reverse=True)


def test_panel_is_dense_with_nan_where_unobserved(store: Store) -> None:
    grid = panel(store, "mediated", ["Sales", "Awareness", "TV_Spend"])
    assert grid.values.shape == (156, 1, 3)
    assert np.isnan(grid.get("Awareness")).mean() > 0.5
    assert not np.isnan(grid.get("Sales")).any()
    with pytest.raises(NotFoundError):
        panel(store, "demo", ["Sales", "Nope"])
