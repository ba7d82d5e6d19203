"""One variable split by the MFF ``Product`` column (issue 22: a KPI per product as the outcomes of one model).

``queries.panel`` sums a variable over products (the roll-up the ingest report lists); a multi-outcome spec with
``outcomes.products`` reads the same rows kept apart by product here instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mmm_core.data.queries import ROWS_OF_VARIABLE, resolve_dataset
from mmm_core.errors import NotFoundError
from mmm_core.store import Store


def variable_products(store: Store, dataset: str, variable: str) -> list[str]:
    """The non-empty Product labels of ``variable``'s rows, sorted."""
    ds_id = resolve_dataset(store, dataset)["id"]
    with store.connect() as conn:
        rows = conn.execute(
            f"SELECT DISTINCT r.product FROM mff_rows r JOIN variables v ON {ROWS_OF_VARIABLE} "
            "WHERE r.dataset_id = ? AND v.name = ? AND r.product <> '' ORDER BY 1",
            [ds_id, variable],
        ).fetchall()
    return [r[0] for r in rows]


def product_panel(
    store: Store, dataset: str, variable: str, products: Sequence[str], geos: Sequence[str], periods: pd.DatetimeIndex
) -> np.ndarray:
    """[T, G, P] ``variable`` per product on the given grid (NaN where a product has no row: a ragged outcome).

    ``geos`` are the dataset's geography labels in the grid's order; rows on other labels (a national row beside
    geos) are left out, as the KPI of a geo model is."""
    found = variable_products(store, dataset, variable)
    missing = [p for p in products if p not in found]
    if missing:
        raise NotFoundError(
            f"Variable {variable!r} has no rows for product(s) {', '.join(map(repr, missing))}; its products: "
            f"{', '.join(found) or '(none: it is not split by Product)'}.",
            "Name products of the KPI's rows under outcomes.products, or name KPI variables under outcomes.kpis.",
            code="product_not_found",
        )
    ds_id = resolve_dataset(store, dataset)["id"]
    with store.connect() as conn:
        long = conn.execute(
            f"SELECT r.period, r.geography, r.product, sum(r.value) AS value FROM mff_rows r "
            f"JOIN variables v ON {ROWS_OF_VARIABLE} WHERE r.dataset_id = ? AND v.name = ? "
            f"AND r.product IN ({', '.join('?' * len(products))}) GROUP BY 1, 2, 3",
            [ds_id, variable, *products],
        ).df()
    out = np.full((len(periods), len(geos), len(products)), np.nan)
    t = periods.get_indexer(pd.to_datetime(long["period"]))
    g = pd.Index(list(geos)).get_indexer(long["geography"])
    p = pd.Index(list(products)).get_indexer(long["product"])
    keep = (t >= 0) & (g >= 0)
    out[t[keep], g[keep], p[keep]] = long["value"].to_numpy(dtype=float)[keep]
    return out
