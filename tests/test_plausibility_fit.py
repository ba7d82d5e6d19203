"""The ROI health check through the whole fit path (issue 16 item 5): judged against the data, not a number.

national_small (seed 0) with its KPI multiplied by 10 — the same business counted in smaller units — has true
ROIs of 40 (Email) and 25 (Search) in KPI units: the former fixed bar (median ROI > 20 fails) would refuse a good
fit, as it did on PyMC Labs' small_business data. A spec whose ROI priors force media to 3× the KPI must still
fail. Quick fits (MAP + Laplace): the check reads only the ROI draws, the spend and the fitted KPI.
"""

from __future__ import annotations

import pandas as pd
import pytest

from mmm_core import ledger
from mmm_core.data.ingest import ingest
from mmm_core.fit.job import run_fit
from mmm_core.spec import init_spec
from mmm_core.spec.schema import EffectPrior
from mmm_core.store import Store
from mmm_core.synth import write


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("plausibility")
    csv, _ = write("national_small", 0, tmp / "ns.csv", tmp / "ns_truth.json")
    frame = pd.read_csv(csv)
    frame.loc[frame["VariableName"] == "Sales", "VariableValue"] *= 10
    frame.to_csv(tmp / "ns10.csv", index=False)
    store = Store(tmp / "mmm.duckdb")
    ds = ingest(store, tmp / "ns10.csv")
    kpi = float(frame.loc[frame["VariableName"] == "Sales", "VariableValue"].sum())
    spend = float(frame.loc[frame["VariableName"].str.endswith("_Spend"), "VariableValue"].sum())
    return {"store": store, "spec": init_spec(store, ds.dataset_id), "kpi": kpi, "spend": spend}


def _roi_check(store, spec, note: str) -> dict:
    fit = run_fit(store, ledger.lock(store, spec, note).spec_id, quick=True, seed=0)
    return next(c for c in fit["health"]["checks"] if c["name"] == "implausible_roi")


def test_good_fit_with_a_large_roi_in_kpi_units_passes(scaled):
    check = _roi_check(scaled["store"], scaled["spec"], "plausibility: default spec")
    assert max(check["details"]["median_roi"].values()) > 20  # the old fixed bar would have failed this fit
    assert check["status"] != "fail" and check["value"] < 0.5, check["reason"]


def test_media_explaining_more_than_the_kpi_fails(scaled):
    bad = scaled["spec"].model_copy(deep=True)
    forced = round(3 * scaled["kpi"] / scaled["spend"], 2)  # every channel at 3× the KPI per unit of spend
    for m in bad.media:
        m.effect_prior = EffectPrior(type="roi", median=forced, sigma=0.05)
    check = _roi_check(scaled["store"], bad, "plausibility: priors forcing media above the KPI")
    assert check["status"] == "fail" and check["value"] > 1
    assert "more than all of it" in check["reason"]
