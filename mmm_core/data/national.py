"""National rows beside geo rows (issue 18 item 4): ``Geography = National`` (or Total, All, empty) media in a geo
panel, e.g. national TV bought once for the country while search is bought per region.

A geo model cannot read a "National" geography as one more region (it has no KPI of its own and its spend would
be missing from every real region). The spec chooses how national media enter (``geo.national_media``):

- ``kpi_share`` (default): each period's national spend is split across the geos by each geo's share of the KPI
  over the whole window (a fixed key, so the split does not follow the outcome week by week);
- ``equal``: split equally across the geos;
- the name of a variable (e.g. ``Population``): split by that variable's per-geo totals;
- ``regressor``: a channel observed only nationally enters as a national regressor — the same national series in
  every geo's mean, through one curve and one coefficient shared by all geos (on the KPI scaled per geo, so the
  national channel lifts every geo by the same share of its own mean KPI). Its spend is still split by KPI share,
  for bookkeeping only: per-geo totals add up to the national spend, so ROI is on total national spend, and the
  engine reads the national total back (``engine.data.scaled_spend``). A channel with national *and* geo rows
  cannot be one national series; it is refused with the fix (an allocation key).

The split is added to the geo's own rows of the same variable, so every unit of spend is counted exactly once.
A non-media variable observed only nationally (a national price index) applies to every geo; one observed both
nationally and per geo (a national KPI total beside regional KPIs) is refused — summing would double count and
choosing would drop rows.
"""

from __future__ import annotations

import numpy as np

from mmm_core.data.queries import Panel, national_label
from mmm_core.errors import MMMError

NATIONAL_REGRESSOR = "regressor"
NATIONAL_KEYS = ("kpi_share", "equal", NATIONAL_REGRESSOR)


def national_geography(geos: list[str]) -> str | None:
    """The national label among ``geos`` when other (real) geographies sit beside it, else None."""
    return national_label(geos)


def allocation_key(panel: Panel, how: str, kpi: str) -> np.ndarray:
    """Per real geo, the non-negative weights national media are split by (they sum to 1)."""
    nat = national_geography(panel.geos)
    keep = [i for i, g in enumerate(panel.geos) if g != nat]
    if how == "equal":
        weights = np.ones(len(keep))
    else:
        name = kpi if how in ("kpi_share", NATIONAL_REGRESSOR) else how  # a regressor's bookkeeping split
        weights = np.nansum(panel.get(name)[:, keep], axis=0)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise MMMError(
            f"Cannot split national media by {how!r}: its per-geo totals are not positive.",
            "Set geo.national_media to 'equal', 'kpi_share', 'regressor' or a variable with positive per-geo totals.",
            code="national_key_invalid",
        )
    return weights / weights.sum()


def fold_national(panel: Panel, media: list[str], weights: np.ndarray) -> tuple[Panel, list[str]]:
    """The panel without its national geography: media split by ``weights``, national-only variables broadcast.

    Returns the new panel and one note per variable that had national rows.
    """
    nat = national_geography(panel.geos)
    if nat is None:
        return panel, []
    n = panel.geos.index(nat)
    keep = [i for i, g in enumerate(panel.geos) if g != nat]
    values = panel.values[:, keep, :].copy()
    notes = []
    for v, name in enumerate(panel.names):
        national = panel.values[:, n, v]
        if not np.isfinite(national).any():
            continue
        own = values[:, :, v]
        if name in media:
            split = np.nan_to_num(national)[:, None] * weights[None, :]
            both_missing = np.isnan(own) & np.isnan(national)[:, None]
            values[:, :, v] = np.where(both_missing, np.nan, np.nan_to_num(own) + split)
            notes.append(f"{name}: national rows ({np.nansum(national):,.6g}) split across {len(keep)} geos.")
        elif np.isfinite(own).any():
            raise MMMError(
                f"{name!r} has rows on Geography {nat!r} and on the geos: a national total beside regional values "
                "would be double counted.",
                f"Remove the {nat!r} rows of {name} (or the geo rows) and ingest again.",
                code="national_and_geo_rows",
            )
        else:
            values[:, :, v] = national[:, None]
            notes.append(f"{name}: observed nationally only; applies to every geo.")
    folded = Panel(periods=panel.periods, geos=[panel.geos[i] for i in keep], names=panel.names, values=values)
    return folded, notes


def national_regressors(panel: Panel, media: list[str]) -> list[str]:
    """The ``media`` variables observed on the national geography only: what enters as national regressors.

    A media variable with rows on the national geography *and* on the geos is refused: as one national series
    its regional rows would be summed away, as a geo series the national rows would have no geo.
    """
    nat = national_geography(panel.geos)
    if nat is None:
        return []
    n = panel.geos.index(nat)
    keep = [i for i, g in enumerate(panel.geos) if g != nat]
    out, mixed = [], []
    for name in media:
        values = panel.get(name)
        if not np.isfinite(values[:, n]).any():
            continue
        (mixed if np.isfinite(values[:, keep]).any() else out).append(name)
    if mixed:
        raise MMMError(
            f"{', '.join(mixed)}: rows on Geography {nat!r} and on the geos; a national regressor is one national "
            "series, so its regional rows would be lost.",
            "Set geo.national_media to 'kpi_share' (or 'equal', or a variable such as Population) to add the "
            "national rows to the geos' own, or remove one of the two sets of rows.",
            code="national_and_geo_rows",
        )
    return out
