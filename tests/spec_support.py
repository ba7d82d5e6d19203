"""Shared fixtures for the spec/ledger tests: a tiny dataset written straight into the store tables, so these
tests do not depend on the ingest code."""

from __future__ import annotations

import datetime as dt

from mmm_core.ledger.store import rows_fingerprint
from mmm_core.spec import ModelSpec
from mmm_core.store import Store

VARIABLES = [  # name, role, channel, coverage, total
    ("Sales", "kpi_candidate", None, 1.0, 1_000_000.0),
    ("TV_Spend", "media", "TV", 1.0, 60_000.0),
    ("Search_Spend", "media", "Search", 1.0, 40_000.0),
    ("Price", "control", None, 1.0, 500.0),
    ("Awareness", "mediator", None, 0.25, 30.0),
]


def make_dataset(
    store: Store,
    dataset_id: str = "ds_test",
    name: str = "demo",
    weeks: int = 104,
    geos: tuple[str, ...] = ("National",),
    variables=VARIABLES,
) -> str:
    """Insert a dataset row, its variables and one KPI row per period and geo (enough for describe)."""
    start = dt.date(2023, 1, 2)
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO datasets (id, name, fingerprint, source, format, n_rows, frequency, period_start, "
            "period_end, created_at) VALUES (?, ?, ?, 'test', 'mff', ?, 'W', ?, ?, now())",
            [dataset_id, name, "fp_" + dataset_id, weeks * len(geos), start, start + dt.timedelta(weeks=weeks - 1)],
        )
        for v in variables:
            conn.execute(
                "INSERT INTO variables (dataset_id, name, role, channel, coverage, n_obs, geo_coverage, ragged, total)"
                " VALUES (?, ?, ?, ?, ?, ?, 1.0, false, ?)",
                [dataset_id, v[0], v[1], v[2], v[3], int(v[3] * weeks), v[4]],
            )
        for geo in geos:
            conn.execute(
                "INSERT INTO mff_rows SELECT ?, (DATE '2023-01-02' + INTERVAL (7 * i) DAY)::DATE, ?, '', '', '', "
                "'', 'Sales', 100.0 FROM range(?) t(i)",
                [dataset_id, geo, weeks],
            )
        # the real fingerprint of the rows, as ingest records it: a fit recomputes it and refuses altered rows
        conn.execute(
            "UPDATE datasets SET fingerprint = ? WHERE id = ?", [rows_fingerprint(conn, dataset_id), dataset_id]
        )
    return dataset_id


def base_spec(dataset_id: str = "ds_test", **changes) -> ModelSpec:
    data = {
        "dataset_id": dataset_id,
        "kpi": "Sales",
        "media": [{"name": "TV", "variable": "TV_Spend"}, {"name": "Search", "variable": "Search_Spend"}],
        "controls": [{"name": "Price", "sign": "negative"}],
    }
    data.update(changes)
    return ModelSpec.parse(data)
