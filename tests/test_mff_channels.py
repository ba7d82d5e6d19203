"""Issue 18: MFF as analysts have it — channels from Outlet, metrics from VariableName, roll-ups reported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_mff_support import HEADER, weeks, write_lines

from mmm_core.data import queries
from mmm_core.data.channels import metric_kind, spend_channel
from mmm_core.data.ingest import ingest
from mmm_core.spec.draft import init_spec
from mmm_core.store import Store

OUTLETS = ("Meta Ads", "Search", "TV", "YouTube")
GEOS = ("North", "South")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store" / "mmm.duckdb")


def spend(outlet: str, geo: str, i: int) -> float:
    """Distinct per outlet, geography and week, so a sum across outlets cannot pass for one of them."""
    return 1000.0 * (OUTLETS.index(outlet) + 1) + 100.0 * GEOS.index(geo) + i


def outlet_layout(n: int = 8) -> list[str]:
    """The issue's layout: VariableName 'Spend' with the channel in Outlet (2023-01-02,North,,,Meta Ads,,Spend,...)."""
    lines = [HEADER]
    for geo in GEOS:
        for i, p in enumerate(weeks(n)):
            lines += [f"{p},{geo},,,{o},,Spend,{spend(o, geo, i)}" for o in OUTLETS]
            lines.append(f"{p},{geo},,,,,Sales,{5000 + 10 * i}")
    return lines


def outlet_layout_wide(n: int = 8) -> list[str]:
    """The same data as a wide CSV with spaces in the headers."""
    lines = ["Date,Region," + ",".join(f"{o} Spend" for o in OUTLETS) + ",Sales"]
    for geo in GEOS:
        for i, p in enumerate(weeks(n)):
            lines.append(f"{p},{geo}," + ",".join(str(spend(o, geo, i)) for o in OUTLETS) + f",{5000 + 10 * i}")
    return lines


def test_spend_across_four_outlets_is_four_channels(store: Store, tmp_path: Path) -> None:
    result = ingest(store, write_lines(tmp_path / "outlets.csv", outlet_layout()))
    assert [c.channel for c in result.channels] == list(OUTLETS)
    assert [c.spend for c in result.channels] == [[f"{o} Spend"] for o in OUTLETS]
    assert any("'Spend' is split by Outlet into 4 series" in r for r in result.rollups)
    assert any("split by Outlet" in w for w in result.warnings)  # the report lists it, nothing merged silently
    d = queries.describe(store, "outlets")
    assert d["channels"] == sorted(OUTLETS) and d["kpi_candidates"] == ["Sales"]
    tv = next(v for v in d["variables"] if v["name"] == "TV Spend")
    assert (tv["source"], tv["outlet"], tv["metric"], tv["role"]) == ("Spend", "TV", "spend", "media")
    # the model panel and the spend breakdown keep the outlets apart
    panel = queries.panel(store, "outlets", ["TV Spend", "Meta Ads Spend"])
    assert panel.get("TV Spend")[0].tolist() == [spend("TV", "North", 0), spend("TV", "South", 0)]
    assert panel.get("Meta Ads Spend")[3, 1] == spend("Meta Ads", "South", 3)
    by_channel = queries.spend_by(store, "outlets", "channel").set_index("channel")["total"]
    expected = sum(spend("Search", g, i) for g in GEOS for i in range(8))
    assert by_channel["Search"] == pytest.approx(expected)
    spec = init_spec(store, "outlets")
    assert [(m.name, m.variable) for m in spec.media] == [(o, f"{o} Spend") for o in OUTLETS]


def seed_style(n: int = 8, campaigns: tuple[str, ...] = ("",), creatives: tuple[str, ...] = ("",)) -> list[str]:
    """TV_Spend and TV_GRPs on Outlet TV (the framework's MFF standard), Search_Spend on Search, Sales."""
    lines = [HEADER]
    for i, p in enumerate(weeks(n)):
        for c in campaigns:
            for k in creatives:
                lines += [f"{p},National,,{c},TV,{k},TV_Spend,{100 + i}", f"{p},National,,{c},TV,{k},TV_GRPs,{40 + i}"]
        lines += [f"{p},National,,,Search,,Search_Spend,{50 + i}", f"{p},National,,,,,Sales,{900 + i}"]
    return lines


def test_spend_and_grps_on_one_outlet_are_one_channel_with_two_metrics(store: Store, tmp_path: Path) -> None:
    result = ingest(store, write_lines(tmp_path / "seed.csv", seed_style()))
    channels = {c.channel: (c.spend, c.exposure) for c in result.channels}
    assert channels == {"Search": (["Search_Spend"], []), "TV": (["TV_Spend"], ["TV_GRPs"])}
    roles = {v["name"]: (v["role"], v["metric"]) for v in queries.describe(store, "seed")["variables"]}
    assert roles["TV_GRPs"] == ("exposure", "exposure") and roles["TV_Spend"] == ("media", "spend")
    spec = init_spec(store, "seed")
    assert [(m.name, m.variable) for m in spec.media] == [("Search", "Search_Spend"), ("TV", "TV_Spend")]
    assert result.rollups == []  # one row per period x geography: nothing summed


def test_campaign_and_creative_rows_roll_up_to_the_channel(store: Store, tmp_path: Path) -> None:
    lines = seed_style(campaigns=("Spring", "Summer"), creatives=("A", "B", "C"))
    result = ingest(store, write_lines(tmp_path / "camp.csv", lines))
    assert [c.channel for c in result.channels] == ["Search", "TV"]
    note = next(r for r in result.rollups if r.startswith("TV_Spend:"))
    assert "48 rows summed over 2 campaigns x 3 creatives into 8 period x geography values" in note
    assert any(w.startswith("TV_GRPs:") for w in result.warnings)
    panel = queries.panel(store, "camp", ["TV_Spend"])
    assert panel.get("TV_Spend")[:, 0].tolist() == [6.0 * (100 + i) for i in range(8)]
    with store.connect() as conn:  # the dimensions stay in the store for campaign-level work
        kept = conn.execute("SELECT DISTINCT campaign, creative FROM mff_rows WHERE outlet = 'TV' ORDER BY 1, 2")
        assert len(kept.fetchall()) == 6


def test_wide_spend_columns_with_any_case_and_separator(store: Store, tmp_path: Path) -> None:
    lines = ["Date,TV Spend,search-spend,SOCIAL_COST,Display.Cost,Sales"] + [
        f"{p},{10 + i},{20 + i},{30 + i},{5 + i},{100 + i}" for i, p in enumerate(weeks(8))
    ]
    result = ingest(store, write_lines(tmp_path / "wide.csv", lines), fmt="wide")
    assert [c.channel for c in result.channels] == ["Display", "SOCIAL", "TV", "search"]
    assert not any("No media variable" in w for w in result.warnings)
    assert queries.describe(store, "wide")["controls"] == []


def test_no_media_found_says_how_to_name_or_declare_them(store: Store, tmp_path: Path) -> None:
    lines = ["Date,TV,Search,Sales"] + [f"{p},{10 + i},{20 + i},{100 + i}" for i, p in enumerate(weeks(8))]
    result = ingest(store, write_lines(tmp_path / "bare.csv", lines), fmt="wide")
    warning = next(w for w in result.warnings if w.startswith("No media variable found"))
    assert "'<channel> Spend'" in warning and "--media A,B" in warning


def test_long_and_wide_give_the_same_channels(store: Store, tmp_path: Path) -> None:
    long = ingest(store, write_lines(tmp_path / "long.csv", outlet_layout()))
    wide = ingest(Store(tmp_path / "w.duckdb"), write_lines(tmp_path / "wide.csv", outlet_layout_wide()), fmt="wide")
    assert wide.channels == long.channels  # same channels, same model variable names ('TV Spend', ...)
    assert not wide.warnings


def test_same_rows_long_and_wide_give_the_same_channels_and_fingerprint(store: Store, tmp_path: Path) -> None:
    """Outlet-less long rows named like the wide headers are the same content: same fingerprint and channels."""
    wide_lines = outlet_layout_wide()
    header = wide_lines[0].split(",")
    long_lines = [HEADER] + [
        f"{cells[0]},{cells[1]},,,,,{name},{value}"
        for row in wide_lines[1:]
        for cells in [row.split(",")]
        for name, value in zip(header[2:], cells[2:], strict=True)
    ]
    long = ingest(store, write_lines(tmp_path / "long.csv", long_lines))
    wide = ingest(Store(tmp_path / "w.duckdb"), write_lines(tmp_path / "wide.csv", wide_lines), fmt="wide")
    assert wide.fingerprint == long.fingerprint
    assert wide.channels == long.channels and [c.channel for c in wide.channels] == list(OUTLETS)


@pytest.mark.parametrize(
    ("name", "kind", "channel"),
    [
        ("TV Spend", "spend", "TV"),
        ("tv-spend", "spend", "tv"),
        ("TV_COST", "spend", "TV"),
        ("Spend", "spend", None),
        ("TV_GRPs", "exposure", None),
        ("Impressions", "exposure", None),
        ("Price", None, None),
    ],
)
def test_metric_names(name: str, kind: str | None, channel: str | None) -> None:
    assert metric_kind(name) == kind and spend_channel(name) == channel


def test_rows_without_outlet_beside_split_outlets_are_their_own_series(store: Store, tmp_path: Path) -> None:
    lines = outlet_layout() + [f"{p},{g},,,,,Spend,1" for g in GEOS for p in weeks(8)]
    result = ingest(store, write_lines(tmp_path / "mixed.csv", lines))
    names = sorted(n for c in result.channels for n in c.spend)
    assert names == sorted([*(f"{o} Spend" for o in OUTLETS), "Spend"])
    panel = queries.panel(store, "mixed", ["Spend", "TV Spend"])
    assert np.all(panel.get("Spend") == 1.0) and panel.get("TV Spend")[0, 0] == spend("TV", "North", 0)


def test_split_names_never_collide_with_a_variable_of_the_file(store: Store, tmp_path: Path) -> None:
    lines = outlet_layout() + [f"{p},{g},,,,,TV Spend,5" for g in GEOS for p in weeks(8)]
    result = ingest(store, write_lines(tmp_path / "clash.csv", lines))
    tv = next(c for c in result.channels if c.channel == "TV")
    assert tv.spend == ["Spend [TV]", "TV Spend"]  # the file's own 'TV Spend' (outlet-less) kept apart
    panel = queries.panel(store, "clash", ["Spend [TV]", "TV Spend"])
    assert panel.get("Spend [TV]")[0, 0] == spend("TV", "North", 0) and np.all(panel.get("TV Spend") == 5.0)
