"""Which geography leads each channel on ROI ("which region has the best ROI?"), and whether that lead is sure."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from mmm_core.answers.intervals import intervals_overlap

Order = Literal["best", "worst"]
ORDERS: tuple[Order, ...] = ("best", "worst")


@dataclass(frozen=True)
class GeoLeader:
    """The geography at the ``order`` end of one channel's ROI; ``overlap``: its interval overlaps another
    geography's, so the order is uncertain and the answer says so."""

    channel: str
    geo: str
    roi: dict[str, Any]
    overlap: bool
    order: Order

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def geo_leaders(by_geo: dict[str, dict[str, Any]], order: str | None) -> list[GeoLeader]:
    """Per channel of the per-geography ROI tables ``by_geo`` ({geo: {channel: {"roi": stats}}}), the geography at
    the ``order`` end ('best'/'worst'); empty for another order or fewer than two geographies (nothing to rank)."""
    if order not in ORDERS or len(by_geo) < 2:
        return []
    names = dict.fromkeys(n for table in by_geo.values() for n in table)  # first-seen order, as the tables list them
    return [leader for name in names if (leader := _leader(by_geo, name, order)) is not None]


def geo_leaders_both(by_geo: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The leaders at both ends, as plain records: an ROI tool result carries them so that the answer to "which
    region is best (or worst)?" only picks the end the question asked for."""
    if len(by_geo) < 2:
        return {}
    return {order: [x.as_dict() for x in geo_leaders(by_geo, order)] for order in ORDERS}


def _leader(by_geo: dict[str, dict[str, Any]], name: str, order: Order) -> GeoLeader | None:
    """The leading geography of one channel, or None when fewer than two geographies have its ROI."""
    cells = [(g, t[name]["roi"]) for g, t in by_geo.items() if isinstance(t.get(name), dict)]
    cells = [(g, s) for g, s in cells if isinstance(s, dict) and s.get("mean") is not None]
    if len(cells) < 2:
        return None
    cells.sort(key=lambda gs: gs[1]["mean"], reverse=order == "best")
    (geo, top), rest = cells[0], cells[1:]
    overlap = any(intervals_overlap(s, top) for _, s in rest)
    return GeoLeader(channel=name, geo=geo, roi=top, overlap=overlap, order=order)
