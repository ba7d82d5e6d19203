"""One KPI split by the MFF Product column (issue 22: "one variable split by Product in MFF"), end to end through
the CLI: ingest → spec init --by-product → lock → fit (quick: one chain of 30 draws, the contract and the
bookkeeping, not recovery) → roi --json → cross-effects → outcome-effects.

The data are two_products' with its two KPI variables folded into one ``Sales`` variable whose rows carry the
product (``Single`` / ``Multi``), multipack launched 8 weeks in (no rows before: a ragged outcome)."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest
import yaml

from agent.cli.main import main
from mmm_core.store import Store

LAUNCH = 8  # multipack's first week with rows
CROSS = {"source": "Multi", "target": "Single", "type": "cannibalisation", "modulator": "Promo_Multi"}


def _run(store: str, *argv: str) -> dict:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["--store", store, *argv, "--json"])
    assert code == 0, buf.getvalue()
    return json.loads(buf.getvalue().strip().splitlines()[-1])


def _product_frame():
    from mmm_core.synth.make import generate

    frame = generate("two_products", 0).frame.copy()
    kpi = frame["VariableName"].isin(["Sales_Single", "Sales_Multi"])
    frame["Product"] = frame["Product"].astype(object)
    frame.loc[kpi, "Product"] = frame.loc[kpi, "VariableName"].str.removeprefix("Sales_")
    frame.loc[kpi, "VariableName"] = "Sales"
    periods = sorted(frame["Period"].unique())
    early = (frame["Product"] == "Multi") & frame["Period"].isin(periods[:LAUNCH])
    return frame[~early].reset_index(drop=True), frame


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("products")
    frame, full = _product_frame()
    csv = tmp / "products.csv"
    frame.to_csv(csv, index=False)
    store = str(tmp / "mmm.duckdb")
    ds = _run(store, "ingest", str(csv), "--name", "products")["dataset_id"]
    draft = tmp / "spec.yaml"
    init = _run(store, "spec", "init", ds, "--kpi", "Sales", "--by-product", "--out", str(draft))
    data = yaml.safe_load(draft.read_text())
    data["outcomes"].update(cross_effects=[CROSS], control_outcomes={"Promo_Multi": ["Multi"]})
    draft.write_text(yaml.safe_dump(data))
    locked = _run(store, "spec", "lock", str(draft), "--rationale", "products split by the Product column")
    fit = _run(store, "fit", locked["spec_id"], "--quick", "--draws", "30", "--seed", "0")
    return {"store": store, "init": init, "fit": fit, "frame": full, "spec_id": locked["spec_id"]}


def test_init_splits_the_kpi_by_product(fitted) -> None:
    spec = fitted["init"]["spec"]
    assert spec["kpi"] == "Sales" and spec["outcomes"]["products"] == ["Multi", "Single"]
    assert spec["outcomes"]["kpis"] == []


def test_outcomes_are_the_products_rows(fitted) -> None:
    """The engine's KPI of each outcome is that product's rows, NaN before multipack's launch (not 0)."""
    from mmm_core import ledger
    from mmm_core.fit.multi import multi_inputs

    store = Store(fitted["store"])
    inputs = multi_inputs(store, ledger.get_spec(store, fitted["spec_id"]).spec)
    frame = fitted["frame"]
    for k, product in enumerate(("Multi", "Single")):
        rows = frame[(frame["VariableName"] == "Sales") & (frame["Product"] == product)].sort_values("Period")
        expected = rows["VariableValue"].to_numpy(float)
        got = inputs.data.kpi[:, 0, k]
        if product == "Multi":
            assert np.isnan(got[:LAUNCH]).all()
            got, expected = got[LAUNCH:], expected[LAUNCH:]
        assert np.allclose(got, expected)
    assert inputs.config.outcomes == ("Multi", "Single")


def test_fit_roi_and_cross_effects(fitted) -> None:
    fit = fitted["fit"]
    assert fit["status"] == "succeeded" and set(fit["diagnostics"]["outcomes"]) == {"Multi", "Single"}
    r = _run(fitted["store"], "roi", fit["fit_id"])
    assert set(r["outcomes"]) == {"Multi", "Single"}
    for ch, total in r["channels"].items():
        per = sum(o["channels"][ch]["contribution"]["mean"] for o in r["outcomes"].values())
        assert total["contribution"]["mean"] == pytest.approx(per, rel=1e-4)
    (e,) = _run(fitted["store"], "cross-effects", fit["fit_id"])["effects"]
    assert {k: e[k] for k in CROSS} == CROSS and e["hi"] <= 0 and e["routed"]["mean"] < 0
    promo = _run(fitted["store"], "outcome-effects", fit["fit_id"], "promo_multi")["drivers"]["Promo_Multi"]
    assert promo["outcomes"]["Single"]["contribution"]["mean"] == pytest.approx(e["routed"]["mean"], rel=1e-3)
