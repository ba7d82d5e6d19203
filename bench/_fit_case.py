"""The whole-process fit case: a national dataset (156 weeks, 5 channels, Hill + geometric adstock, seed 0 of the
calibration harness's ``hill_geometric`` family) ingested, given the default spec and locked in a fresh store,
exactly as a user would before ``mmm-agent fit``. The bench then times ``mmm-agent fit`` as a separate process.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

FAMILY, SEED = "hill_geometric", 0


def prepare(folder: Path) -> tuple[Path, str]:
    """Write the case into ``folder`` (a new store); returns (store path, locked spec id)."""
    import numpy as np
    from _calib_worlds import FAMILIES, draw_preset

    from mmm_core import ledger
    from mmm_core.data.ingest import ingest
    from mmm_core.spec import init_spec
    from mmm_core.store import Store
    from mmm_core.synth.dgp import simulate
    from mmm_core.synth.make import to_frame

    family = next(f for f in FAMILIES if f.name == FAMILY)
    preset = draw_preset(family, SEED)
    world = simulate(preset, SEED, np.random.default_rng(SEED))
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "national_156x5.csv"
    to_frame(world).to_csv(csv, index=False, lineterminator="\n")
    store = Store(folder / "mmm.duckdb")
    ds = ingest(store, csv)
    locked = ledger.lock(store, init_spec(store, ds.dataset_id), "fit speed bench: default spec")
    shape = f"{len(world.periods)} weeks x {len(world.geos)} geo x {len(world.channel_names)} channels"
    print(f"case: {preset.name} ({shape}), spec {locked.spec_id}", flush=True)
    return store.path, locked.spec_id


if __name__ == "__main__":
    prepare(Path(sys.argv[1]))
