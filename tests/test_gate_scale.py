"""Issue 18 item 6: the gate's `scale` warning fires only when the model would actually see raw units."""

from __future__ import annotations

import numpy as np

from mmm_core.fit.gate import run_gate

T, G = 60, 2
NAMES = ["TV", "Search"]


def raw_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    spend = rng.uniform(20_000, 90_000, (T, G, 2))  # dollars
    kpi = rng.uniform(1e6, 2e6, (T, G))
    return spend, kpi, np.ones((T, G), bool), rng.standard_normal((T, G, 1))


def test_raw_units_without_scaling_warn() -> None:
    spend, kpi, mask, controls = raw_inputs()
    check = run_gate(spend, kpi, mask, controls, NAMES, ["price"], 20).check("scale")
    assert check.status == "warn" and "raw units" in check.reason


def test_scaled_model_inputs_do_not_warn() -> None:
    spend, kpi, mask, controls = raw_inputs()
    seen = (spend / spend.mean(axis=0, keepdims=True), kpi / kpi.mean())  # what the engine's scaling gives
    check = run_gate(spend, kpi, mask, controls, NAMES, ["price"], 20, model_inputs=seen).check("scale")
    assert check.status == "pass"


def test_model_inputs_still_off_scale_warn() -> None:
    spend, kpi, mask, controls = raw_inputs()
    check = run_gate(spend, kpi, mask, controls, NAMES, ["price"], 20, model_inputs=(spend, kpi / kpi.mean()))
    assert check.check("scale").status == "warn" and "spend ~" in check.check("scale").reason
