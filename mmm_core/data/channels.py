"""Media channels and their metrics, read from VariableName and Outlet (issue 18).

A media channel is identified by its **Outlet** when the rows carry one, else by the variable name without its
metric suffix (``TV Spend``, ``tv-spend``, ``TV_COST`` -> ``TV``). Its metrics are told apart by VariableName:
spend/cost-like names are **spend**; impressions, GRPs, TRPs, clicks, reach, views are **exposure** metrics.

Each media variable becomes one or more *series*, the unit the model reads:

- a VariableName on one Outlet (or none) is one series named as the variable (``TV_Spend`` on Outlet ``TV``);
- a VariableName spanning several Outlets (``Spend`` on TV, Search, Meta Ads, ...) is one series per Outlet,
  named ``"<Outlet> <VariableName>"`` (``TV Spend``) — never summed across outlets; a bare metric name (``Spend``,
  ``GRPs``) is named so even on one Outlet.

Campaign, Creative and Product rows of a series are summed into it (the roll-up); :func:`rollup_notes` lists
every such sum so nothing is merged silently, and the rows keep their dimensions in the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

SPEND_WORDS = ("spend", "spends", "cost", "costs", "investment", "media_cost")
EXPOSURE_WORDS = (
    "impressions",
    "impression",
    "imps",
    "grps",
    "grp",
    "trps",
    "trp",
    "clicks",
    "click",
    "reach",
    "views",
    "video_views",
    "insertions",
    "circulation",
)
_SEP = r"[\s_\-.]+"
_SPEND_SUFFIX = re.compile(rf"^(?P<channel>.+?){_SEP}(?:spends?|costs?)$", re.IGNORECASE)
_EXPOSURE_SUFFIX = re.compile(
    rf"^(?P<channel>.+?){_SEP}(?:{'|'.join(w for w in EXPOSURE_WORDS if '_' not in w)})$", re.IGNORECASE
)


@dataclass(frozen=True)
class Series:
    """One model variable: the rows of ``source`` (limited to ``outlet`` unless None) summed per period x geo."""

    name: str
    source: str  # VariableName in mff_rows
    outlet: str | None  # None = every row of the source variable
    channel: str | None  # media only
    metric: str | None  # 'spend' | 'exposure' | None (a media variable whose name names no metric)


def _metric_key(name: str) -> str:
    """'TV Spend' / 'tvSpend' / 'TV-SPEND' -> 'tv_spend': separators and camel case folded to '_'."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    return re.sub(_SEP, "_", words).strip("_").lower()


def metric_kind(name: str) -> str | None:
    """'spend' for spend/cost-like names, 'exposure' for impressions/GRPs/clicks/reach, else None."""
    key = _metric_key(name)
    if key in SPEND_WORDS or _SPEND_SUFFIX.match(name.strip()):
        return "spend"
    if key in EXPOSURE_WORDS or _EXPOSURE_SUFFIX.match(name.strip()):
        return "exposure"
    return None


def _metric_word(name: str) -> bool:
    """The name is a metric and nothing else ('Spend', 'GRPs'): on an Outlet it says nothing of the channel, so it
    is named '<Outlet> <name>' even on a single Outlet (as the wide column 'TV Spend' of the same data is)."""
    return _metric_key(name) in (*SPEND_WORDS, *EXPOSURE_WORDS)


def spend_channel(name: str) -> str | None:
    """The channel of an outlet-less spend variable: 'TV Spend', 'tv-spend', 'TV_COST' -> 'TV'; else None."""
    match = _SPEND_SUFFIX.match(name.strip())
    return match["channel"].strip() if match else None


def exposure_channel(name: str) -> str | None:
    """The channel of an outlet-less exposure variable: 'TV_GRPs', 'Search Clicks' -> 'TV', 'Search'; else None."""
    match = _EXPOSURE_SUFFIX.match(name.strip())
    return match["channel"].strip() if match else None


def channel_name(name: str, outlets: list[str]) -> str:
    """The channel a media variable measures: its single Outlet, else the name without its metric suffix."""
    if len(outlets) == 1:
        return outlets[0]
    return spend_channel(name) or exposure_channel(name) or name


def build_series(frame: pd.DataFrame) -> list[Series]:
    """Every model variable of an MFF frame (store column names), media split by Outlet, sorted by name.

    Media: any variable with a non-empty Outlet, any spend-named variable, and an outlet-less exposure-named
    variable whose channel also has a spend variable (``TV_GRPs`` beside ``TV_Spend``; alone it stays a control).
    """
    outlets = frame.loc[frame["outlet"] != "", ["variable_name", "outlet"]].drop_duplicates()
    by_name = outlets.groupby("variable_name")["outlet"].agg(lambda s: sorted(s))
    names = sorted(frame["variable_name"].unique())
    series: list[Series] = []
    for name in names:
        on = list(by_name.get(name, []))
        if len(on) > 1 or (on and _metric_word(name)):
            series += _split_by_outlet(frame, name, on)
        elif on or spend_channel(name):
            series.append(Series(name, name, None, channel_name(name, on), metric_kind(name)))
        else:
            series.append(Series(name, name, None, None, None))
    spend_channels = {s.channel.casefold() for s in series if s.channel and s.metric != "exposure"}
    return sorted((_exposure_of(s, spend_channels) for s in series), key=lambda s: s.name)


def _split_by_outlet(frame: pd.DataFrame, name: str, outlets: list[str]) -> list[Series]:
    """One series per Outlet; rows of the variable without an Outlet stay a series of their own."""
    kind = metric_kind(name)
    taken = set(frame["variable_name"].unique())
    # '<Outlet> <VariableName>' unless the file already has a variable of that name (then '<name> [<Outlet>]')
    out = [Series(f"{o} {name}" if f"{o} {name}" not in taken else f"{name} [{o}]", name, o, o, kind) for o in outlets]
    if ((frame["variable_name"] == name) & (frame["outlet"] == "")).any():
        out.append(Series(name, name, "", channel_name(name, []), kind))
    return out


def _exposure_of(s: Series, spend_channels: set[str]) -> Series:
    """An outlet-less exposure variable joins its channel when that channel has spend; otherwise left as is."""
    if s.channel is not None:
        return s
    channel = exposure_channel(s.name)
    if channel and channel.casefold() in spend_channels:
        return Series(s.name, s.source, None, channel, "exposure")
    return s


def series_column(frame: pd.DataFrame, series: list[Series]) -> pd.Series:
    """The series name of every row of ``frame`` (rows of split variables go to their Outlet's series)."""
    names = frame["variable_name"].map({s.source: s.name for s in series if s.outlet is None})
    split = pd.DataFrame(
        [(s.source, s.outlet, s.name) for s in series if s.outlet is not None],
        columns=["variable_name", "outlet", "series"],
    )
    if len(split):  # a vectorised join on (VariableName, Outlet): no per-row Python on large files
        joined = frame[["variable_name", "outlet"]].merge(split, how="left", on=["variable_name", "outlet"])
        names = names.fillna(pd.Series(joined["series"].to_numpy(), index=frame.index))
    return names


def rollup_notes(frame: pd.DataFrame, series: list[Series]) -> list[str]:
    """Every sum the model will take beyond one row per period x geography, one line per series.

    ``frame`` has a ``series`` column (:func:`series_column`). Dimensions with one value (or none) are not sums.
    """
    notes = []
    multi = sorted({s.source for s in series if s.outlet not in (None,)})
    for source in multi:
        parts = [s for s in series if s.source == source]
        if len(parts) == 1:
            notes.append(f"{source!r} on Outlet {parts[0].outlet!r} is the model variable {parts[0].name!r}.")
            continue
        notes.append(
            f"{source!r} is split by Outlet into {len(parts)} series: {', '.join(repr(s.name) for s in parts)}"
            " (one per channel; never summed across outlets)."
        )
    counts = frame.groupby("series")[["product", "campaign", "creative", "outlet"]].nunique()
    rows = frame.groupby("series").size()
    cells = frame.groupby("series")[["period", "geography"]].apply(lambda g: len(g.drop_duplicates()))
    for name in counts.index:
        summed = [f"{int(n)} {dim}s" for dim, n in counts.loc[name].items() if n > 1]
        if summed and rows[name] > cells[name]:
            notes.append(
                f"{name}: {int(rows[name])} rows summed over {' x '.join(summed)} into {int(cells[name])}"
                " period x geography values (the rows keep their dimensions in the store)."
            )
    return notes
