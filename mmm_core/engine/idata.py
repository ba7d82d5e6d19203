"""Posterior draws → ArviZ InferenceData (an xarray DataTree in ArviZ 1.x) with named dims and coords."""

from __future__ import annotations

import numpy as np

from mmm_core.engine.data import ScaledData
from mmm_core.engine.result import SITE_DIMS

# NUTS statistics under ArviZ's conventional names.
_STAT_NAMES = {
    "diverging": "diverging",
    "energy": "energy",
    "num_steps": "n_steps",
    "accept_prob": "acceptance_rate",
    "potential_energy": "lp",
}


def coords_of(sd: ScaledData | None) -> dict[str, list]:
    if sd is None:
        return {}
    return {
        "channel": list(sd.channels),
        "geo": list(sd.geos),
        "control": list(sd.control_names),
        "fourier_mode": list(range(sd.fourier.shape[1])),
        "changepoint": list(range(sd.changepoint_basis.shape[1])),
        "period": list(range(sd.t.shape[0])),
    }


def _dims_for(samples: dict[str, np.ndarray], coords: dict[str, list]) -> dict[str, list[str]]:
    """Use the known dims of a site only where the array's shape matches the coords (else ArviZ defaults)."""
    dims = {}
    for name, arr in samples.items():
        d = SITE_DIMS.get(name)
        if d and all(dim in coords for dim in d) and arr.shape[2:] == tuple(len(coords[x]) for x in d):
            dims[name] = d
    return dims


def to_idata(
    samples: dict[str, np.ndarray],
    stats: dict[str, np.ndarray] | None,
    sd: ScaledData | None,
    extra_coords: dict | None = None,
):
    """Build an InferenceData from [chains, draws, ...] arrays; ``stats`` are NUTS statistics (or None)."""
    # lazy: ~1 s; answering from a stored fit imports the engine but never needs it. arviz_base is the package
    # ``arviz`` re-exports from_dict from; ``import arviz`` would also load arviz_plots and matplotlib (~1 s more).
    import arviz_base as az

    coords = {**coords_of(sd), **(extra_coords or {})}
    groups = {"posterior": samples}
    if stats:
        st = {_STAT_NAMES.get(k, k): v for k, v in stats.items()}
        if "lp" in st:
            st["lp"] = -st["lp"]  # potential energy is the negative log density
        groups["sample_stats"] = st
    if sd is not None:
        observed = np.where(sd.obs_mask, sd.kpi * sd.kpi_scale[None, :], np.nan)
        groups["observed_data"] = {"kpi": observed}
    dims = {**_dims_for(samples, coords), "kpi": ["period", "geo"]}
    used = {d for ds in dims.values() for d in ds}
    return az.from_dict(groups, coords={k: v for k, v in coords.items() if k in used}, dims=dims)
