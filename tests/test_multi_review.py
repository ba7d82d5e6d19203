"""The health review of a joint fit (issue 22): the single fit's convergence checks (``fit.review.
convergence_checks``), BFMI included — the engine records each transition's energy and divergence."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from multi_support import product_config, world_data

from mmm_core.fit.multi_review import mcmc_checks, sampler_stats


def _by_name(checks) -> dict:
    return {c.name: c for c in checks}


def test_review_reads_the_recorded_energy_and_divergences() -> None:
    rng = np.random.default_rng(0)
    draws = {"o0/beta": rng.normal(size=(400, 2)), "kappa": rng.normal(size=(400, 1))}
    energy = np.cumsum(rng.normal(size=(2, 200)), axis=1)  # a random walk: BFMI far below 0.3
    diverging = np.zeros((2, 200), bool)
    diverging[1, :3] = True
    result = SimpleNamespace(
        draws=draws,
        diagnostics={"chains": 2, "draws": 200, "divergences": 3},
        sampler={"energy": energy, "diverging": diverging},
    )
    checks = _by_name(mcmc_checks(result))
    assert checks["bfmi"].status == "warn" and checks["bfmi"].value < 0.3
    assert checks["divergences"].value == 3
    assert {"max_rhat", "min_bulk_ess", "min_tail_ess"} <= set(checks)


def test_a_result_without_energy_says_bfmi_was_not_recorded() -> None:
    result = SimpleNamespace(diagnostics={"divergences": 2}, sampler=None)
    stats = sampler_stats(result, 2, 10)
    assert "energy" not in stats and int(stats["diverging"].sum()) == 2


@pytest.mark.slow
def test_joint_fit_records_energy_per_transition() -> None:
    from mmm_core.engine.multi_model import fit_multi

    data, _, _ = world_data()
    result = fit_multi(data, product_config(data), chains=2, warmup=30, draws=30, seed=0)
    assert result.sampler["energy"].shape == (2, 30) and result.sampler["diverging"].dtype == bool
    bfmi = _by_name(mcmc_checks(result))["bfmi"]
    assert bfmi.value is not None and bfmi.value > 0
