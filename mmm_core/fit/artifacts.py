"""A fit's files beside the store: posterior draws, ArviZ NetCDF, effect draws, spec and data fingerprint.

Written into a hidden temporary folder and renamed into place only when complete, so a killed process never
leaves a half-written fit that looks whole.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from mmm_core.errors import NotFoundError
from mmm_core.store import Store

SAMPLES = "samples.npz"
POSTERIOR_NC = "posterior.nc"
EFFECTS = "effects.npz"
META = "meta.json"
# ArviZ 1.x InferenceData is an xarray DataTree (groups, int64 and bool statistics, string coords): NetCDF-4/HDF5
# holds all of it, NetCDF-3 (scipy's engine) none of the groups. h5netcdf writes it through h5py, both runtime
# dependencies; named explicitly so xarray never silently picks a different installed engine.
NETCDF_ENGINE = "h5netcdf"


def fit_dir(store: Store, fit_id: str) -> Path:
    return store.artifacts_dir / "fits" / fit_id


STAGING_PREFIX = ".tmp-"


@contextmanager
def staging(store: Store, fit_id: str) -> Iterator[Path]:
    """A temporary folder that becomes ``fit_dir`` on success and disappears on failure.

    A process killed mid-write cannot clean up after itself, so each new staging first removes the staging
    folders of processes that no longer exist (the owner's pid is in the name)."""
    final = fit_dir(store, fit_id)
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(final.parent)
    tmp = final.parent / f"{STAGING_PREFIX}{fit_id}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def remove_stale_staging(folder: Path) -> list[str]:
    """Delete ``.tmp-<fit>-<pid>`` folders whose process is gone; returns their names. A live pid's folder is a
    fit being written right now (another process, or another thread of this one) and stays."""
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    for path in folder.glob(f"{STAGING_PREFIX}*"):
        pid = path.name.rsplit("-", 1)[-1]
        if path.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def save_samples(folder: Path, params: dict[str, np.ndarray]) -> None:
    np.savez_compressed(folder / SAMPLES, **{k: np.asarray(v) for k, v in params.items()})


def load_samples(folder: Path) -> dict[str, np.ndarray]:
    path = folder / SAMPLES
    if not path.exists():
        raise NotFoundError(
            f"The fit's posterior draws are missing ({path}).",
            "The artifact folder was moved or deleted; re-run the fit.",
            code="artifact_missing",
        )
    with np.load(path) as npz:
        return {k: npz[k] for k in npz.files}


def save_idata(folder: Path, idata: Any) -> str | None:
    """Write the ArviZ posterior as NetCDF; returns the file name (None when the object cannot be written)."""
    writer = getattr(idata, "to_netcdf", None)
    if writer is None:
        return None
    writer(str(folder / POSTERIOR_NC), engine=NETCDF_ENGINE)
    return POSTERIOR_NC


def load_idata(folder: Path) -> Any:
    """The ArviZ posterior written by :func:`save_idata`, read fully into memory (an xarray DataTree)."""
    import xarray as xr  # lazy: ~0.5 s, only to reload the NetCDF; answers read the npz draws

    path = folder / POSTERIOR_NC
    if not path.exists():
        raise NotFoundError(
            f"The fit's ArviZ posterior is missing ({path}).",
            "The artifact folder was moved or deleted; re-run the fit.",
            code="artifact_missing",
        )
    return xr.load_datatree(path, engine=NETCDF_ENGINE)


def save_meta(folder: Path, meta: dict[str, Any]) -> None:
    (folder / META).write_text(json.dumps(meta, indent=2, sort_keys=True, default=str), encoding="utf-8")


def load_meta(folder: Path) -> dict[str, Any]:
    path = folder / META
    if not path.exists():
        raise NotFoundError(f"The fit's metadata is missing ({path}).", "Re-run the fit.", code="artifact_missing")
    return json.loads(path.read_text())
