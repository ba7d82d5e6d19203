"""Inferring each variable's role in a marketing mix model (ARCHITECTURE §2, issue 18).

Media channels and their metrics come from :mod:`mmm_core.data.channels`: a channel is its Outlet, else the name
without its metric suffix; one VariableName spanning several Outlets becomes one series per Outlet. Roles:

- ``media``: a channel's spend series (spend/cost-like name, or a name that names no metric). A channel with no
  spend series has its exposure series as ``media`` (the only driver we have; no ROI on spend is possible).
- ``exposure``: an impressions/GRPs/clicks/reach series of a channel that also has spend; the spec may model
  response on it while ROI stays on spend (``media[].exposure``).
- ``kpi``: the only non-media variable named like an outcome (Sales, Revenue, Conversions, KPI, Orders, Units,
  Bookings, Leads, Sign-ups, Installs, Transactions, Subscriptions, Purchases, GMV). When several are named so,
  each gets ``kpi_candidate`` and the user is asked to choose (``spec init --kpi``); we never guess between them.
- ``mediator``: any other variable observed on fewer than 60% of the periods (e.g. a monthly awareness survey
  in weekly data) — a candidate for a mediation path, not a control.
- ``control``: the rest (price, promotions, weather, ...).

Coverage is the share of the dataset's periods on which the variable is observed in at least one geography.
"""

from __future__ import annotations

import re

import pandas as pd
from pydantic import BaseModel

from mmm_core.data.channels import Series, build_series, channel_name, series_column
from mmm_core.data.queries import national_label

__all__ = [
    "MEDIATOR_COVERAGE",
    "ROLES",
    "VariableInfo",
    "channel_name",
    "infer_roles",
    "inferred_roles",
    "is_kpi_name",
]

MEDIATOR_COVERAGE = 0.6
KPI_NAME = re.compile(
    r"(?<![a-z])(sales?|revenues?|conversions?|kpis?|orders?|units?|bookings?|leads?|sign_?ups?|installs?|"
    r"transactions?|subscriptions?|purchases?|gmv)(?![a-z])"
)
ROLES = ("media", "exposure", "kpi", "kpi_candidate", "mediator", "control")


class VariableInfo(BaseModel):
    """One model variable of a dataset, as stored in the ``variables`` table.

    ``source``/``outlet`` say which rows of ``mff_rows`` make it: VariableName ``source``, limited to Outlet
    ``outlet`` unless that is None (a VariableName split by Outlet gives one variable per Outlet).
    """

    name: str
    role: str
    channel: str | None = None  # media and exposure only
    metric: str | None = None  # 'spend' | 'exposure' for media and exposure variables
    source: str = ""  # VariableName in mff_rows ('' = same as name)
    outlet: str | None = None
    outlets: list[str] = []  # the non-empty Outlet values the variable appears on
    coverage: float  # share of the dataset's periods with an observation
    n_obs: int  # rows
    geo_coverage: float  # share of the dataset's geographies with an observation
    ragged: bool  # present in some geographies only
    total: float  # sum of values over all rows (total spend for media)


def is_kpi_name(name: str) -> bool:
    """Named like an outcome: 'Sales', 'total_revenue', 'UnitsSold', 'KPI'."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    return KPI_NAME.search(words) is not None


def media_variables(frame: pd.DataFrame) -> set[str]:
    """VariableNames with media rows: any row with a non-empty Outlet, a spend-like name, or a channel's exposure."""
    return {s.source for s in build_series(frame) if s.channel is not None}


def infer_roles(
    frame: pd.DataFrame, n_periods: int | None = None, series: list[Series] | None = None
) -> list[VariableInfo]:
    """Roles, coverage and totals of every model variable in an MFF frame.

    ``frame`` has the store's column names: period, geography, outlet, variable_name, value (others ignored).
    ``n_periods`` is the length of the period grid; by default the number of distinct periods in the frame.
    """
    series = build_series(frame) if series is None else series
    stats = _variable_stats(frame.assign(series=series_column(frame, series)), n_periods)
    roles = _roles(series, {name: float(c) for name, c in stats["coverage"].items()})
    infos = []
    for s in series:
        row = stats.loc[s.name]
        infos.append(
            VariableInfo(
                name=s.name,
                role=roles[s.name],
                channel=s.channel,
                metric=(s.metric or "spend") if s.channel is not None else None,
                source=s.source,
                outlet=s.outlet,
                outlets=sorted(row["outlets"]),
                coverage=float(row["coverage"]),
                n_obs=int(row["n_obs"]),
                geo_coverage=float(row["geo_coverage"]),
                ragged=bool(row["ragged"]),
                total=float(row["total"]),
            )
        )
    return infos


def inferred_roles(pairs: pd.DataFrame, coverage: dict[str, float]) -> dict[str, str]:
    """The role ingest infers for each model variable, from the distinct (variable_name, outlet) ``pairs`` of the
    rows and each variable's period ``coverage`` — what a declared role (``spec init --media``) overrides."""
    return _roles(build_series(pairs), coverage)


def _roles(series: list[Series], coverage: dict[str, float]) -> dict[str, str]:
    with_spend = {s.channel for s in series if s.channel is not None and s.metric != "exposure"}
    kpi_like = [s.name for s in series if s.channel is None and is_kpi_name(s.name)]
    kpi_role = "kpi" if len(kpi_like) == 1 else "kpi_candidate"
    out = {}
    for s in series:
        if s.channel is not None:
            out[s.name] = "exposure" if s.metric == "exposure" and s.channel in with_spend else "media"
        elif s.name in kpi_like:
            out[s.name] = kpi_role
        else:
            out[s.name] = "mediator" if coverage.get(s.name, 1.0) < MEDIATOR_COVERAGE else "control"
    return out


def _variable_stats(frame: pd.DataFrame, n_periods: int | None) -> pd.DataFrame:
    """Per series: rows, share of periods and geographies observed, ragged flag, total, outlets."""
    n_periods = n_periods or frame["period"].nunique()
    # A 'National' geography beside real geos is not a geography of its own (its rows are split across or apply to
    # the geos; mmm_core.data.national): geographic coverage counts the real geos, and a variable observed only
    # nationally covers them all, so neither it nor the geo-level KPI is "ragged".
    nat = national_label(sorted(frame["geography"].unique().tolist()))
    real = frame["geography"] != nat if nat is not None else pd.Series(True, index=frame.index)
    n_geos = frame.loc[real, "geography"].nunique()
    grouped = frame.groupby("series", sort=True)
    on_geos = frame[real].groupby("series")["geography"].nunique().reindex(grouped.size().index, fill_value=0)
    stats = pd.DataFrame(
        {
            "n_obs": grouped.size(),
            "coverage": grouped["period"].nunique() / n_periods,
            "geos": on_geos.where(on_geos > 0, n_geos),  # national only: every geo
            "total": grouped["value"].sum(),
        }
    )
    stats["geo_coverage"] = stats["geos"] / max(n_geos, 1)
    stats["ragged"] = stats["geos"] < n_geos
    with_outlet = frame.loc[frame["outlet"] != "", ["series", "outlet"]].drop_duplicates()
    outlets = with_outlet.groupby("series")["outlet"].agg(list)
    stats["outlets"] = [outlets.get(name, []) for name in stats.index]
    return stats
