"""Questions about stored datasets, answered by DuckDB SQL: describe, spend/KPI breakdowns, model panels.

Read-only user SQL lives in ``mmm_core.data.sql_sandbox``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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
# Calendar grains a period breakdown can be rolled up to ("spend by month" sums the weeks that start in a month).
GRAINS = ("period", "week", "month", "quarter", "year")
_GRAIN_SQL = {
    "month": "strftime(r.period, '%Y-%m')",
    "quarter": "CAST(year(r.period) AS VARCHAR) || '-Q' || CAST(quarter(r.period) AS VARCHAR)",
    "year": "CAST(year(r.period) AS VARCHAR)",
}


@dataclass(frozen=True)
class PeriodWindow:
    """A calendar window as asked (``start``/``end``, ISO) and the data's periods inside it: the first and last
    period and how many. A period belongs to a window when its date (the period's start) lies in it; a window
    shorter than one period (a single day) takes the period that contains it."""

    label: str
    start: str
    end: str
    first: str
    last: str
    n_periods: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def window_mask(periods: list[str], start: str, end: str) -> np.ndarray:
    """Which of ``periods`` (ISO dates, sorted) fall in [start, end] — the one rule for data, effects and answers."""
    p = np.asarray([str(x)[:10] for x in periods])
    mask = (p >= start) & (p <= end)
    if not mask.any() and len(p) and p[0] <= start <= p[-1]:  # a day inside one period: that period
        mask[np.searchsorted(p, start, side="right") - 1] = True
    return mask


def _check_window(w: dict[str, Any]) -> tuple[str, str, str]:
    try:
        start, end = (date.fromisoformat(str(w[k])[:10]).isoformat() for k in ("start", "end"))
    except (KeyError, TypeError, ValueError):
        raise MMMError(
            f"Cannot read the window {w!r}.",
            "Give each window as {'start': 'YYYY-MM-DD', 'end': 'YYYY-MM-DD', 'label': '2023'}.",
            code="bad_window",
        ) from None
    if start > end:
        raise MMMError(f"The window {start} to {end} ends before it starts.", "Swap start and end.", code="bad_window")
    return start, end, str(w.get("label") or (start if start == end else f"{start} to {end}"))


def resolve_windows(periods: list[str], windows: list[dict[str, Any]] | None) -> list[PeriodWindow]:
    """Each asked window with the data's periods inside it; a window holding none is refused with the data's
    range (never silently widened to all of the data)."""
    out = []
    ps = [str(p)[:10] for p in periods]
    for w in windows or []:
        start, end, label = _check_window(w)
        mask = window_mask(ps, start, end)
        if not mask.any():
            raise NotFoundError(
                f"The data has no period in {label} ({start} to {end}).",
                f"The data covers {ps[0]} to {ps[-1]}; ask about a period inside it." if ps else "The data is empty.",
                code="period_out_of_range",
            )
        inside = [p for p, m in zip(ps, mask, strict=True) if m]
        out.append(PeriodWindow(label, start, end, inside[0], inside[-1], len(inside)))
    return out


def dataset_periods(store: Store, dataset: str) -> list[str]:
    """The dataset's distinct periods as ISO dates, oldest first."""
    ds_id = resolve_dataset(store, dataset)["id"]
    with store.connect() as conn:
        rows = conn.execute("SELECT DISTINCT period FROM mff_rows WHERE dataset_id = ? ORDER BY 1", [ds_id]).fetchall()
    return [str(r[0])[:10] for r in rows]


def spend_by(
    store: Store,
    dataset: str,
    by: By = "channel",
    channels: list[str] | None = None,
    windows: list[PeriodWindow] | None = None,
    grain: str = "period",
    geos: list[str] | None = None,
) -> pd.DataFrame:
    """Media spend summed by channel, period and/or geography (channel = inferred media channel).

    ``windows`` (from :func:`resolve_windows`): only their periods; with two or more, rows carry a ``window``
    label (a comparison). ``grain``: roll periods up to month, quarter or year. ``geos``: only these geographies.
    By channel, rows come largest first (in each window's block) with each channel's ``share`` of all media spend
    there (of every channel, when ``channels`` keeps only some: "what share of the budget goes to TV?")."""
    frame = _sum_by(store, dataset, "media", by, channels, windows, grain, geos)
    if by != "channel" or frame.empty:
        return frame
    every = _sum_by(store, dataset, "media", by, None, windows, grain, geos) if channels else frame
    if "window" in frame:
        frame["share"] = frame["total"] / frame["window"].map(every.groupby("window")["total"].sum())
    else:
        frame["share"] = frame["total"] / float(every["total"].sum())
    return _largest_first(frame)


def _largest_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by total, largest first — within each window's block, the windows in the order asked."""
    if "window" not in frame:
        return frame.sort_values("total", ascending=False, kind="stable").reset_index(drop=True)
    block = frame["window"].map({w: i for i, w in enumerate(dict.fromkeys(frame["window"]))})
    ranked = frame.assign(_block=block).sort_values(["_block", "total"], ascending=[True, False], kind="stable")
    return ranked.drop(columns="_block").reset_index(drop=True)


def kpi_by(
    store: Store,
    dataset: str,
    kpi: str,
    by: By = "period",
    windows: list[PeriodWindow] | None = None,
    grain: str = "period",
    geos: list[str] | None = None,
) -> pd.DataFrame:
    """A KPI (or any non-media variable) summed by period and/or geography (``all`` = period × geography); by
    geography, largest first."""
    by = "period_geo" if by == "all" else by
    if "channel" in _GROUPS.get(by, []):
        raise MMMError(
            f"A KPI cannot be broken down by channel (by={by!r}).",
            "Use by='period', 'geo' or 'all'.",
            code="invalid_breakdown",
        )
    frame = _sum_by(store, dataset, None, by, [kpi], windows, grain, geos)
    return _largest_first(frame) if by == "geo" and not frame.empty else frame  # "which region sells the most?"


def _window_sql(windows: list[PeriodWindow]) -> tuple[str | None, str | None, list[Any]]:
    """(label expression, filter, params) selecting the periods of ``windows``."""
    if not windows:
        return None, None, []
    cases = " ".join("WHEN r.period BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) THEN ?" for _ in windows)
    params: list[Any] = [x for w in windows for x in (w.first, w.last, w.label)]
    return (
        f"CASE {cases} END",
        "(" + " OR ".join("r.period BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)" for _ in windows) + ")",
        params,
    )


def _sum_by(
    store: Store,
    dataset: str,
    role: str | None,
    by: str,
    names: list[str] | None,
    windows: list[PeriodWindow] | None = None,
    grain: str = "period",
    geos: list[str] | None = None,
) -> pd.DataFrame:
    if by not in _GROUPS:
        raise MMMError(f"Unknown breakdown {by!r}.", f"Use one of: {', '.join(_GROUPS)}.", code="invalid_breakdown")
    if grain not in GRAINS:
        raise MMMError(f"Unknown grain {grain!r}.", f"Use one of: {', '.join(GRAINS)}.", code="invalid_breakdown")
    ds_id = resolve_dataset(store, dataset)["id"]
    group = _GROUPS[by]
    # Non-media variables are keyed by their own name; media by their channel.
    key = "coalesce(v.channel, v.name)" if role == "media" else "v.name"
    period = _GRAIN_SQL.get(grain, "r.period")
    cols = {"channel": f"{key} AS channel", "period": f"{period} AS period", "geography": "r.geography"}
    label, where_window, wparams = _window_sql(list(windows or []))
    select = [cols[g] for g in group]
    params: list[Any] = []
    if label and len(windows or []) > 1:  # a comparison: one block of rows per window
        select.insert(0, f"{label} AS window")
        params += wparams[:]
    where = ["r.dataset_id = ?"]
    params.append(ds_id)
    if role:
        where.append("v.role = ?")
        params.append(role)
    if names:
        where.append(f"({key} IN ({', '.join('?' * len(names))}) OR v.name IN ({', '.join('?' * len(names))}))")
        params += list(names) + list(names)
    if where_window:
        where.append(where_window)
        params += [x for i, x in enumerate(wparams) if i % 3 != 2]
    if geos:
        where.append(f"r.geography IN ({', '.join('?' * len(geos))})")
        params += list(geos)
    group_sql = ", ".join(str(i + 1) for i in range(len(select)))
    sql = (
        f"SELECT {', '.join(select)}, sum(r.value) AS total FROM mff_rows r JOIN variables v ON {ROWS_OF_VARIABLE} "
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
