"""PyMC Labs' benchmark datasets (``pymc-labs/mmm-param-recovery``, Apache-2.0) converted to our MFF, with their
ground-truth channel contributions, so we benchmark on THEIR data as well as on our look-alike presets.

Their generator is not vendored: ``write`` imports it from a checkout of their repository (``--labs-repo``) and the
generated CSVs are committed under ``data/`` (see ``data/pymc_labs_README.md`` for provenance and the commit). The
seed is their benchmark's (``run_benchmark.py``: ``--seed`` defaults to ``sum(map(ord, "mmm_multidimensional"))``).

Their generator was written against pymc-marketing 0.15, whose ``geometric_adstock`` / ``hill_function`` took numpy
arrays; 1.x's take xtensors with a ``dim``. ``_Transformers`` adapts the call (same functions, same defaults:
unnormalised weights, carry-over to later weeks) so the draws are theirs, not a re-implementation.

    python bench/_pymc_labs_data.py --labs-repo /path/to/mmm-param-recovery     # rewrites data/pymc_labs_*
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
LABS_SEED = sum(map(ord, "mmm_multidimensional"))  # 2148, run_benchmark.py's default --seed
DATASETS = ("small_business", "medium_business")
KPI = "Sales"
MFF_COLUMNS = ["Period", "Geography", "Product", "Campaign", "Outlet", "Creative", "VariableName", "VariableValue"]


@dataclass(frozen=True)
class LabsData:
    """One generated dataset in our terms: the MFF frame and the true contributions [T, G, C] in KPI units."""

    name: str
    mff: pd.DataFrame
    periods: tuple[str, ...]
    geos: tuple[str, ...]
    channels: tuple[str, ...]
    contributions: np.ndarray


class _Transformers:
    """pymc-marketing 0.15's numpy-in transformer calls on top of the installed 1.x (xtensor with a ``dim``)."""

    @staticmethod
    def _x(x):
        from pytensor.xtensor import as_xtensor  # lazy: pytensor only when generating

        return as_xtensor(np.asarray(x, dtype=float), dims=("date",))

    def geometric_adstock(self, x, **kwargs):
        from pymc_marketing.mmm import transformers  # lazy: optional dev extra

        return transformers.geometric_adstock(self._x(x), dim="date", **kwargs)

    def hill_function(self, x, **kwargs):
        from pymc_marketing.mmm import transformers  # lazy: optional dev extra

        return transformers.hill_function(self._x(x), **kwargs)


def generate(name: str, labs_repo: Path, seed: int = LABS_SEED) -> dict:
    """Their ``generate_mmm_dataset`` on preset ``name`` with ``seed``, as ``load_or_generate_dataset`` calls it."""
    if name not in DATASETS:
        raise ValueError(f"Unknown PyMC Labs dataset {name!r}; use one of {DATASETS}.")
    if not (labs_repo / "mmm_param_recovery" / "data_generator").is_dir():
        raise SystemExit(f"{labs_repo} is not a checkout of pymc-labs/mmm-param-recovery (no data_generator/).")
    sys.path.insert(0, str(labs_repo))
    # By name, not an import statement: their generator comes from the user's checkout, not from a package this
    # project declares (tests/test_dependencies.py checks that every import statement is a declared package).
    generator = importlib.import_module("mmm_param_recovery.data_generator")
    labs_transforms = importlib.import_module("mmm_param_recovery.data_generator.transforms")
    labs_transforms.transformers = _Transformers()
    config = generator.get_preset_config(name)
    config.seed = seed
    return generator.generate_mmm_dataset(config)


def convert(name: str, result: dict) -> LabsData:
    """Their frame (date, geo, x<i>_<channel>, c<k>, c<k>_effect, y) → MFF rows; the ``_effect`` columns are truth
    and left out. Channel and control names are their configured names; a national dataset gets an empty
    Geography."""
    config, frame = result["config"], result["data"]
    channels = tuple(c.name for c in config.channels)
    controls = tuple(c.name for c in config.control_variables)
    spend_cols = [f"x{i + 1}_{c}" for i, c in enumerate(channels)]
    geos = tuple(config.regions.region_names)
    national = len(geos) == 1
    frame = frame.sort_values(["geo", "date"])
    period = frame["date"].dt.strftime("%Y-%m-%d")
    geography = "" if national else frame["geo"]
    parts = [_rows(period, geography, "", KPI, frame["y"])]
    parts += [_rows(period, geography, c, f"{c}_Spend", frame[col]) for c, col in zip(channels, spend_cols)]
    parts += [_rows(period, geography, "", k, frame[f"c{i + 1}"]) for i, k in enumerate(controls)]
    mff = pd.concat(parts, ignore_index=True)[MFF_COLUMNS]
    truth = result["ground_truth"]["transformed_spend"]
    periods = tuple(sorted(period.unique()))
    return LabsData(name, mff, periods, geos, channels, _truth_cube(truth, geos, spend_cols))


def _rows(period: pd.Series, geography, outlet: str, variable: str, values: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Period": period.to_numpy(),
            "Geography": geography if isinstance(geography, str) else geography.to_numpy(),
            "Product": "",
            "Campaign": "",
            "Outlet": outlet,
            "Creative": "",
            "VariableName": variable,
            "VariableValue": values.to_numpy(dtype=float),
        }
    )


def _truth_cube(truth: pd.DataFrame, geos: tuple[str, ...], spend_cols: list[str]) -> np.ndarray:
    """Their ``transformed_spend`` (index date × geo, columns contribution_<spend col>) → [T, G, C]."""
    per_geo = [truth.xs(g, level="geo").sort_index()[[f"contribution_{c}" for c in spend_cols]] for g in geos]
    return np.stack([p.to_numpy(dtype=float) for p in per_geo], axis=1)


def truth_frame(d: LabsData) -> pd.DataFrame:
    """True contributions, long: Period, Geography, Channel, Contribution (KPI units)."""
    t, g, c = d.contributions.shape
    idx = np.indices((t, g, c)).reshape(3, -1)
    return pd.DataFrame(
        {
            "Period": np.asarray(d.periods)[idx[0]],
            "Geography": np.asarray(d.geos)[idx[1]] if g > 1 else "",
            "Channel": np.asarray(d.channels)[idx[2]],
            "Contribution": d.contributions.reshape(-1),
        }
    )


def paths(name: str) -> tuple[Path, Path]:
    """(MFF csv, truth csv) of dataset ``name`` under data/."""
    return DATA_DIR / f"pymc_labs_{name}.csv", DATA_DIR / f"pymc_labs_{name}_truth.csv"


def load_truth(name: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], np.ndarray]:
    """(periods, geos, channels, contributions [T, G, C]) from the committed truth CSV of ``name``."""
    _, truth_csv = paths(name)
    if not truth_csv.exists():
        raise SystemExit(f"{truth_csv} is missing: run python bench/_pymc_labs_data.py --labs-repo <checkout>.")
    df = pd.read_csv(truth_csv, keep_default_na=False, dtype={"Geography": str})
    periods = tuple(dict.fromkeys(df["Period"]))
    geos = tuple(dict.fromkeys(df["Geography"]))
    channels = tuple(dict.fromkeys(df["Channel"]))
    cube = df["Contribution"].to_numpy(dtype=float).reshape(len(periods), len(geos), len(channels))
    return periods, geos, channels, cube


def model_inputs(name: str, folder: Path):
    """(ModelData, ModelConfig) of our default spec on the committed MFF of ``name``, as a user gets them: ingest
    into a fresh store in ``folder``, ``spec init`` naming the KPI and the controls, lock.

    Both are named because the draft cannot guess them here: their control "Sale" reads as a KPI candidate beside
    "Sales", and a KPI candidate is never drafted as a control (it would be left out of the model)."""
    from mmm_core import ledger
    from mmm_core.data.ingest import ingest
    from mmm_core.fit.inputs import model_config, model_data
    from mmm_core.spec import init_spec
    from mmm_core.store import Store

    mff_csv, _ = paths(name)
    variables = pd.read_csv(mff_csv, usecols=["VariableName"])["VariableName"].unique()
    controls = [v for v in variables if v != KPI and not v.endswith("_Spend")]
    folder.mkdir(parents=True, exist_ok=True)
    store = Store(folder / "mmm.duckdb")
    ds = ingest(store, mff_csv)
    locked = ledger.lock(store, init_spec(store, ds.dataset_id, kpi=KPI, controls=controls), f"bench: {name}")
    spec = ledger.get_spec(store, locked.spec_id).spec
    data = model_data(store, spec)
    return data, model_config(spec, data)


def write(name: str, labs_repo: Path, commit: str) -> LabsData:
    d = convert(name, generate(name, labs_repo))
    mff_csv, truth_csv = paths(name)
    d.mff.to_csv(mff_csv, index=False, lineterminator="\n", float_format="%.6f")
    truth_frame(d).to_csv(truth_csv, index=False, lineterminator="\n", float_format="%.6f")
    meta = {"dataset": name, "seed": LABS_SEED, "generator": "pymc-labs/mmm-param-recovery", "commit": commit}
    print(json.dumps({**meta, "weeks": len(d.periods), "geos": len(d.geos), "channels": list(d.channels)}))
    return d


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--labs-repo", type=Path, required=True, help="checkout of pymc-labs/mmm-param-recovery")
    p.add_argument("--commit", default="unknown", help="its commit (recorded in the printed provenance)")
    a = p.parse_args()
    for name in DATASETS:
        write(name, a.labs_repo, a.commit)


if __name__ == "__main__":
    main()
