"""Role inference (ARCHITECTURE §2) on a small realistic file and on edge cases."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_mff_support import HEADER, weeks, write_lines

from mmm_core.data.ingest import ingest
from mmm_core.data.roles import channel_name, infer_roles, is_kpi_name
from mmm_core.store import Store


def realistic_lines(n_weeks: int = 26) -> list[str]:
    """Weekly data for two geos: TV on outlet TV, Search without outlet, Sales, Price, and a monthly survey
    (Awareness) observed on the first week of each month only."""
    lines = [HEADER.upper()]  # "PERIOD,...,VARIABLENAME,VARIABLEVALUE"
    seen_months: set[str] = set()
    for i, period in enumerate(weeks(n_weeks)):
        month = period[:7]
        for geo in ("North", "South"):
            lines += [
                f"{period},{geo},Shoes,,TV,,TV_Spend,{1000 + 10 * i}",
                f"{period},{geo},Shoes,,,,Search_Spend,{200 + i}",
                f"{period},{geo},Shoes,,,,Sales,{5000 + 37 * i}",
                f"{period},{geo},Shoes,,,,Price,{19.5 + (i % 3)}",
            ]
            if month not in seen_months:
                lines.append(f"{period},{geo},Shoes,,,,Awareness,{0.2 + i / 100}")
        seen_months.add(month)
    return lines


def test_roles_on_a_realistic_file(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    result = ingest(store, write_lines(tmp_path / "shop.csv", realistic_lines()))
    with store.connect() as conn:
        rows = conn.execute(
            "SELECT name, role, channel, coverage, n_obs, geo_coverage, ragged, total "
            "FROM variables WHERE dataset_id = ? ORDER BY name",
            [result.dataset_id],
        ).fetchall()
    by_name = {r[0]: r for r in rows}
    assert by_name["TV_Spend"][1:3] == ("media", "TV")
    assert by_name["Search_Spend"][1:3] == ("media", "Search")
    assert by_name["Sales"][1:3] == ("kpi", None)
    assert by_name["Price"][1:3] == ("control", None)
    assert by_name["Awareness"][1] == "mediator"
    assert by_name["Awareness"][3] == pytest.approx(6 / 26)  # first weeks of Jan..Jun among 26 weeks
    assert by_name["Sales"][3:7] == (1.0, 52, 1.0, False)
    assert by_name["TV_Spend"][7] == pytest.approx(2 * sum(1000 + 10 * i for i in range(26)))


def frame(rows: list[tuple[str, str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["period", "geography", "outlet", "variable_name", "value"])


def test_several_kpi_names_are_all_candidates() -> None:
    roles = {
        v.name: v.role
        for v in infer_roles(
            frame(
                [
                    ("2024-01-01", "", "", "Sales", 1.0),
                    ("2024-01-01", "", "", "Revenue", 2.0),
                    ("2024-01-01", "", "", "TV_Spend", 3.0),
                ]
            )
        )
    }
    assert roles == {"Sales": "kpi_candidate", "Revenue": "kpi_candidate", "TV_Spend": "media"}


def test_outlet_makes_media_and_names_the_channel() -> None:
    infos = {
        v.name: v
        for v in infer_roles(
            frame(
                [
                    ("2024-01-01", "A", "Radio", "GRPs", 10.0),
                    ("2024-01-01", "A", "", "Orders", 3.0),
                    ("2024-01-01", "B", "", "Orders", 4.0),
                    ("2024-01-01", "A", "", "Display_Cost", 5.0),
                ]
            )
        )
    }
    # a bare metric name on an Outlet is named after it ('Radio GRPs'), as the wide column of the same data is
    grps = infos["Radio GRPs"]
    assert (grps.role, grps.channel, grps.ragged, grps.source) == ("media", "Radio", True, "GRPs")
    assert (infos["Display_Cost"].channel, infos["Display_Cost"].geo_coverage) == ("Display", 0.5)
    assert infos["Orders"].role == "kpi" and not infos["Orders"].ragged


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Sales", True),
        ("total_revenue", True),
        ("UnitsSold", True),
        ("KPI", True),
        ("new_bookings", True),
        ("Price", False),
        ("Salesforce_Index", False),
        ("Temperature", False),
        ("Awareness", False),
    ],
)
def test_kpi_names(name: str, expected: bool) -> None:
    assert is_kpi_name(name) is expected


def test_channel_name() -> None:
    assert channel_name("TV_Spend", ["TV"]) == "TV"
    assert channel_name("search_SPEND", []) == "search"
    assert channel_name("Social_Cost", ["Meta", "TikTok"]) == "Social"


BUNDLED = Path(__file__).resolve().parents[1] / "data" / "demo_mediated.csv"


@pytest.mark.skipif(not BUNDLED.exists(), reason="bundled demo data not generated yet")
def test_roles_on_the_bundled_mediated_demo(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    result = ingest(store, BUNDLED)
    with store.connect() as conn:
        roles = dict(
            conn.execute("SELECT name, role FROM variables WHERE dataset_id = ?", [result.dataset_id]).fetchall()
        )
    assert roles["Sales"] == "kpi" and roles["Awareness"] == "mediator"
    assert {n for n, r in roles.items() if r == "media"} == {n for n in roles if n.endswith("_Spend")}
