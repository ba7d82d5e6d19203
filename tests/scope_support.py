"""A fitted geo dataset with marketer-style names, built once per test process, for the entity, time, question
check and follow-up tests.

From the synthetic ``geo_medium`` preset (seed 3): three geographies renamed North, South and East; four channels
renamed so their names read like a real account — TV (CTV), YouTube (Video), Meta Ads (Social) and Search — plus
Price and Promo; weekly periods 2021-01-04 to 2023-12-25. The truth for windowed figures is the raw CSV, summed
with pandas in the tests, never the code under test.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

RENAME = {"CTV_Spend": "TV_Spend", "Video_Spend": "YouTube_Spend", "Social_Spend": "Meta Ads_Spend"}
OUTLETS = {"CTV": "TV", "Video": "YouTube", "Social": "Meta Ads"}  # the channel is named by its Outlet
GEOS = {"Geo01": "North", "Geo02": "South", "Geo03": "East"}
KEEP = {"Sales", "Search_Spend", "Price", "Promo", *RENAME}


@dataclass(frozen=True)
class GeoFit:
    store: object
    dataset_id: str
    spec_id: str
    fit_id: str
    raw: pd.DataFrame  # the ingested rows, for independent truths


def raw_frame() -> pd.DataFrame:
    from mmm_core.synth import make

    f = make.generate("geo_medium", seed=3).frame
    f = f[f["VariableName"].isin(KEEP) & f["Geography"].isin(list(GEOS))].copy()
    f["Geography"] = f["Geography"].map(GEOS)
    f["VariableName"] = f["VariableName"].map(lambda v: RENAME.get(v, v))
    f["Outlet"] = f["Outlet"].map(lambda v: OUTLETS.get(v, v))
    return f.reset_index(drop=True)


@lru_cache(maxsize=1)
def geo_store() -> tuple[object, str, pd.DataFrame]:
    """The ingested dataset (no fit): for data questions."""
    from mmm_core.data.ingest import ingest
    from mmm_core.store import Store

    folder = Path(tempfile.mkdtemp(prefix="mmm_scope_"))
    raw = raw_frame()
    raw.to_csv(folder / "geo.csv", index=False)
    store = Store(folder / "mmm.duckdb")
    return store, ingest(store, folder / "geo.csv", name="accounts").dataset_id, raw


@lru_cache(maxsize=1)
def geo_fit() -> GeoFit:
    """A real quick fit of the locked default spec on :func:`geo_store` (about 30 s on 2 cores)."""
    from mmm_core import ledger
    from mmm_core.fit.job import run_fit
    from mmm_core.spec import init_spec

    store, ds, raw = geo_store()
    locked = ledger.lock(store, init_spec(store, ds), "Scope tests: default spec, locked before fitting.")
    fit = run_fit(store, locked.spec_id, quick=True, seed=0)
    return GeoFit(store, ds, locked.spec_id, fit["fit_id"], raw)


def raw_spend(raw: pd.DataFrame, channel: str, start: str, end: str, geos: list[str] | None = None) -> float:
    """A channel's spend over [start, end] from the raw rows (the independent truth)."""
    rows = raw[(raw["VariableName"] == f"{channel}_Spend") & (raw["Period"] >= start) & (raw["Period"] <= end)]
    if geos:
        rows = rows[rows["Geography"].isin(geos)]
    return float(rows["VariableValue"].sum())
