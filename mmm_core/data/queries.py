"""Questions about stored datasets, answered by DuckDB SQL: describe, spend/KPI breakdowns, model panels.

Read-only user SQL lives in ``mmm_core.data.sql_sandbox``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from mmm_core.errors import MMMError, NotFoundError
from mmm_core.jsonable import to_jsonable
from mmm_core.store import Store

MEDIA_ROLES = ("media",)
NATIONAL_LABELS = frozenset({"", "national", "total", "all", "nat", "country", "national total", "total market"})
# The mff_rows of a model variable: its VariableName (``source``; NULL in stores from before migration 3 = name),
# limited to its Outlet when it was split by Outlet (``outlet`` NULL = every row).
ROWS_OF_VARIABLE = (
    "v.dataset_id = r.dataset_id AND coalesce(v.source, v.name) = r.variable_name "
    "AND (v.outlet IS NULL OR v.outlet = r.outlet)"
)
KPI_ROLES = ("kpi", "kpi_candidate")


def resolve_dataset(store: Store, dataset: str) -> dict[str, Any]:
    """The ``datasets`` row for an id or a name (the newest dataset of that name wins)."""
    with store.connect() as conn:
        cur = conn.execute(
            "SELECT * FROM datasets WHERE id = ? OR name = ? ORDER BY (id = ?) DESC, created_at DESC LIMIT 1",
            [dataset, dataset, dataset],
        )
        row = cur.fetchone()
        columns = [d[0] for d in cur.description]
    if row is None:
        known = [d["name"] for d in list_datasets(store)]
        raise NotFoundError(
            f"No dataset called {dataset!r} in the store.",
            f"Known datasets: {', '.join(known) or 'none'}. Load one with `mmm-agent ingest FILE`.",
            code="dataset_not_found",
        )
    return dict(zip(columns, row, strict=True))


def list_datasets(store: Store) -> list[dict[str, Any]]:
    """Every dataset, oldest first."""
    with store.connect() as conn:
        cur = conn.execute(
            "SELECT id, name, fingerprint, source, format, n_rows, frequency, period_start, period_end, created_at "
            "FROM datasets ORDER BY created_at"
        )
        columns = [d[0] for d in cur.description]
        return [to_jsonable(dict(zip(columns, row, strict=True))) for row in cur.fetchall()]


def describe(store: Store, dataset: str) -> dict[str, Any]:
    """Periods, frequency, geographies, products and variables with inferred roles and coverage."""
    meta = resolve_dataset(store, dataset)
    ds_id = meta["id"]
    with store.connect() as conn:
        periods = conn.execute(
            "SELECT min(period), max(period), count(DISTINCT period) FROM mff_rows WHERE dataset_id = ?", [ds_id]
        ).fetchone()
        geos = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT geography FROM mff_rows WHERE dataset_id = ? ORDER BY 1", [ds_id]
            ).fetchall()
        ]
        products = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT product FROM mff_rows WHERE dataset_id = ? ORDER BY 1", [ds_id]
            ).fetchall()
        ]
        cur = conn.execute(
            "SELECT name, role, channel, metric, coalesce(source, name) AS source, outlet, coverage, n_obs, "
            "geo_coverage, ragged, total FROM variables WHERE dataset_id = ? ORDER BY CASE role WHEN 'kpi' THEN 0 "
            "WHEN 'kpi_candidate' THEN 1 WHEN 'media' THEN 2 WHEN 'exposure' THEN 3 WHEN 'mediator' THEN 4 "
            "ELSE 5 END, name",
            [ds_id],
        )
        columns = [d[0] for d in cur.description]
        variables = [to_jsonable(dict(zip(columns, row, strict=True))) for row in cur.fetchall()]
    return {
        "dataset_id": ds_id,
        "name": meta["name"],
        "fingerprint": meta["fingerprint"],
        "rows": meta["n_rows"],
        "frequency": meta["frequency"],
        "periods": {"start": str(periods[0]), "end": str(periods[1]), "count": int(periods[2])},
        "geographies": geos,
        "national_geography": national_label(geos),
        "products": products,
        "variables": variables,
        "channels": sorted({v["channel"] for v in variables if v["role"] in MEDIA_ROLES and v["channel"]}),
        "kpi_candidates": [v["name"] for v in variables if v["role"] in KPI_ROLES],
        "exposures": [v["name"] for v in variables if v["role"] == "exposure"],
        "mediators": [v["name"] for v in variables if v["role"] == "mediator"],
        "controls": [v["name"] for v in variables if v["role"] == "control"],
    }


def national_label(geos: list[str]) -> str | None:
    """The national label among ``geos`` ('National', 'Total', '' ...) when real geographies sit beside it."""
    labels = [g for g in geos if g.strip().casefold() in NATIONAL_LABELS]
    return labels[0] if labels and len(geos) > len(labels) else None


By = Literal["channel", "period", "geo", "channel_period", "channel_geo", "period_geo", "all"]
_GROUPS: dict[str, list[str]] = {
    "channel": ["channel"],
    "period": ["period"],
    "geo": ["geography"],
    "channel_period": ["channel", "period"],
    "channel_geo": ["channel", "geography"],
    "period_geo": ["period", "geography"],
    "all": ["channel", "period", "geography"],
}


def spend_by(store: Store, dataset: str, by: By = "channel", channels: list[str] | None = None) -> pd.DataFrame:
    """Media spend summed by channel, period and/or geography (channel = inferred media channel)."""
    return _sum_by(store, dataset, "media", by, channels)


def kpi_by(store: Store, dataset: str, kpi: str, by: By = "period") -> pd.DataFrame:
    """A KPI (or any non-media variable) summed by period and/or geography (``all`` = period × geography)."""
    by = "period_geo" if by == "all" else by
    if "channel" in _GROUPS.get(by, []):
        raise MMMError(
            f"A KPI cannot be broken down by channel (by={by!r}).",
            "Use by='period', 'geo' or 'all'.",
            code="invalid_breakdown",
        )
    return _sum_by(store, dataset, None, by, [kpi])


def _sum_by(store: Store, dataset: str, role: str | None, by: str, names: list[str] | None) -> pd.DataFrame:
    if by not in _GROUPS:
        raise MMMError(f"Unknown breakdown {by!r}.", f"Use one of: {', '.join(_GROUPS)}.", code="invalid_breakdown")
    ds_id = resolve_dataset(store, dataset)["id"]
    group = _GROUPS[by]
    # Non-media variables are keyed by their own name; media by their channel.
    key = "coalesce(v.channel, v.name)" if role == "media" else "v.name"
    select = ", ".join(f"{key} AS channel" if g == "channel" else f"r.{g}" for g in group)
    where = ["r.dataset_id = ?"]
    params: list[Any] = [ds_id]
    if role:
        where.append("v.role = ?")
        params.append(role)
    if names:
        where.append(f"({key} IN ({', '.join('?' * len(names))}) OR v.name IN ({', '.join('?' * len(names))}))")
        params += list(names) + list(names)
    group_sql = ", ".join(str(i + 1) for i in range(len(group)))
    sql = (
        f"SELECT {select}, sum(r.value) AS total FROM mff_rows r JOIN variables v ON {ROWS_OF_VARIABLE} "
        f"WHERE {' AND '.join(where)} "
        f"GROUP BY {group_sql} ORDER BY {group_sql}"
    )
    with store.connect() as conn:
        frame = conn.execute(sql, params).df()
    if names and frame.empty:
        raise NotFoundError(
            f"No rows for {', '.join(names)} in dataset {dataset!r}.",
            "Check the names with `mmm-agent describe DATASET`.",
            code="variable_not_found",
        )
    return frame


@dataclass(frozen=True)
class Panel:
    """Variables on a dense period × geography grid; NaN where a variable is not observed."""

    periods: pd.DatetimeIndex
    geos: list[str]
    names: list[str]
    values: np.ndarray  # [T, G, V]

    def get(self, name: str) -> np.ndarray:
        return self.values[:, :, self.names.index(name)]


def panel(store: Store, dataset: str, variables: list[str]) -> Panel:
    """Dense [period, geo, variable] array of model variables (``variables.name``).

    A variable's rows are its VariableName's, limited to its Outlet when the name was split by Outlet; they are
    summed over product/campaign/creative (the roll-up the ingest report lists), never across channels.
    """
    ds_id = resolve_dataset(store, dataset)["id"]
    with store.connect() as conn:
        grid = conn.execute("SELECT DISTINCT period FROM mff_rows WHERE dataset_id = ? ORDER BY 1", [ds_id]).fetchall()
        geos = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT geography FROM mff_rows WHERE dataset_id = ? ORDER BY 1", [ds_id]
            ).fetchall()
        ]
        long = conn.execute(
            f"SELECT r.period, r.geography, v.name AS variable_name, sum(r.value) AS value FROM mff_rows r "
            f"JOIN variables v ON {ROWS_OF_VARIABLE} "
            f"WHERE r.dataset_id = ? AND v.name IN ({', '.join('?' * len(variables))}) GROUP BY 1, 2, 3",
            [ds_id, *variables],
        ).df()
    missing = sorted(set(variables) - set(long["variable_name"]))
    if missing:
        raise NotFoundError(
            f"Dataset {dataset!r} has no variable {', '.join(missing)}.",
            "Check the names with `mmm-agent describe DATASET`.",
            code="variable_not_found",
        )
    periods = pd.DatetimeIndex([pd.Timestamp(r[0]) for r in grid])
    values = np.full((len(periods), len(geos), len(variables)), np.nan)
    t = periods.get_indexer(pd.to_datetime(long["period"]))
    g = pd.Index(geos).get_indexer(long["geography"])
    v = pd.Index(variables).get_indexer(long["variable_name"])
    values[t, g, v] = long["value"].to_numpy(dtype=float)
    return Panel(periods=periods, geos=geos, names=list(variables), values=values)
