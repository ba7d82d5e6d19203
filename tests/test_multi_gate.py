"""The pre-fit gate of a multi-outcome spec (issue 22): the single-KPI gate on each outcome's own model, merged
(``mmm_core.fit.multi_gate``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from multi_support import product_config, world_data

from mmm_core.engine.outcomes import scale_multi
from mmm_core.errors import GateError
from mmm_core.fit.checks import Check
from mmm_core.fit.multi_gate import merge_checks, multi_gate, refuse_if_blocked


def test_same_verdicts_once_different_ones_per_outcome() -> None:
    same = Check("collinearity", "pass", 1.0, "VIF < 5", "Channels are distinguishable.")
    per = {
        "A": [same, Check("data_adequacy", "pass", 4.0, ">= 3", "Enough data.")],
        "B": [same, Check("data_adequacy", "fail", 0.5, ">= 3", "Too few observed KPI values.")],
    }
    merged = merge_checks(per)
    assert [c.name for c in merged] == ["collinearity", "data_adequacy[A]", "data_adequacy[B]"]
    assert merged[2].status == "fail"


def test_an_outcome_the_data_cannot_carry_blocks_the_fit_and_is_named() -> None:
    data, _, _ = world_data()
    kpi = data.kpi.copy()
    kpi[12:, :, 1] = np.nan  # multipack observed in 12 weeks only: fewer values than its parameters
    data = replace(data, kpi=kpi)
    cfg = product_config(data)
    gate = multi_gate(data, scale_multi(data, cfg), cfg)
    failed = [c.name for c in gate.checks if c.status == "fail"]
    assert gate.blocking and failed and all(name.endswith("[Sales_Multi]") for name in failed)
    with pytest.raises(GateError, match="pre-fit gate stopped the fit") as err:
        refuse_if_blocked(gate)
    assert err.value.code == "gate_blocked"
