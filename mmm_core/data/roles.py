"""Inferring each variable's role in a marketing mix model (ARCHITECTURE §2).

Roles, decided in this order:

- ``media``: the variable has rows with a non-empty Outlet, or its name ends in ``_Spend``/``_Cost``
  (case-insensitive). Its channel is the Outlet value when there is exactly one, else the name without the
  suffix (``TV_Spend`` on Outlet ``TV`` -> ``TV``; ``Search_Spend`` without outlet -> ``Search``).
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

MEDIATOR_COVERAGE = 0.6
MEDIA_SUFFIX = re.compile(r"_(?:spend|cost)$", re.IGNORECASE)
KPI_NAME = re.compile(
    r"(?<![a-z])(sales?|revenues?|conversions?|kpis?|orders?|units?|bookings?|leads?|sign_?ups?|installs?|"
    r"transactions?|subscriptions?|purchases?|gmv)(?![a-z])"
)
ROLES = ("media", "kpi", "kpi_candidate", "mediator", "control")


class VariableInfo(BaseModel):
    """One variable of a dataset, as stored in the ``variables`` table."""

    name: str
    role: str
    channel: str | None = None  # media only
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


def channel_name(name: str, outlets: list[str]) -> str:
    """The channel a media variable measures: its single Outlet, else the name without _Spend/_Cost."""
    if len(outlets) == 1:
        return outlets[0]
    return MEDIA_SUFFIX.sub("", name) or name


def media_variables(frame: pd.DataFrame) -> set[str]:
    """Names of media variables: any row with a non-empty Outlet, or a _Spend/_Cost suffix."""
    names = pd.Series(frame["variable_name"].unique())
    by_suffix = set(names[names.str.contains(MEDIA_SUFFIX)])
    with_outlet = set(frame.loc[frame["outlet"] != "", "variable_name"].unique())
    return by_suffix | with_outlet


def infer_roles(frame: pd.DataFrame, n_periods: int | None = None) -> list[VariableInfo]:
    """Roles, coverage and totals of every variable in an MFF frame.

    ``frame`` has the store's column names: period, geography, outlet, variable_name, value (others ignored).
    ``n_periods`` is the length of the period grid; by default the number of distinct periods in the frame.
    """
    stats = _variable_stats(frame, n_periods)
    media = media_variables(frame)
    kpi_like = [n for n in stats.index if n not in media and is_kpi_name(n)]
    kpi_role = "kpi" if len(kpi_like) == 1 else "kpi_candidate"
    infos = []
    for name, row in stats.iterrows():
        outlets = sorted(row["outlets"])
        if name in media:
            role, channel = "media", channel_name(name, outlets)
        else:
            role = kpi_role if name in kpi_like else "mediator" if row["coverage"] < MEDIATOR_COVERAGE else "control"
            channel = None
        infos.append(
            VariableInfo(
                name=name,
                role=role,
                channel=channel,
                outlets=outlets,
                coverage=float(row["coverage"]),
                n_obs=int(row["n_obs"]),
                geo_coverage=float(row["geo_coverage"]),
                ragged=bool(row["ragged"]),
                total=float(row["total"]),
            )
        )
    return infos


def _variable_stats(frame: pd.DataFrame, n_periods: int | None) -> pd.DataFrame:
    """Per variable: rows, share of periods and geographies observed, ragged flag, total, outlets."""
    n_periods = n_periods or frame["period"].nunique()
    n_geos = frame["geography"].nunique()
    grouped = frame.groupby("variable_name", sort=True)
    stats = pd.DataFrame(
        {
            "n_obs": grouped.size(),
            "coverage": grouped["period"].nunique() / n_periods,
            "geos": grouped["geography"].nunique(),
            "total": grouped["value"].sum(),
        }
    )
    stats["geo_coverage"] = stats["geos"] / n_geos
    stats["ragged"] = stats["geos"] < n_geos
    with_outlet = frame.loc[frame["outlet"] != "", ["variable_name", "outlet"]].drop_duplicates()
    outlets = with_outlet.groupby("variable_name")["outlet"].agg(list)
    stats["outlets"] = [outlets.get(name, []) for name in stats.index]
    return stats
