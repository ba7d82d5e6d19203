"""Second engine (pymc-marketing MMM): refusals are fast; building and sampling a tiny model is slow-ish."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_core.engine import EngineConfigError, ModelConfig, fit_pymc_marketing
from mmm_core.engine.pymc_engine import check_expressible

pytest.importorskip("pymc_marketing")


def _tiny(g: int = 1, t: int = 60):
    from test_engine import simulate  # pytest puts tests/ on sys.path (rootdir without __init__)

    return simulate(t=t, g=g, seed=5)


@pytest.mark.parametrize(
    "config",
    [
        ModelConfig(adstock="delayed"),
        ModelConfig(likelihood="multiplicative"),
        ModelConfig(trend="piecewise", changepoints=(0.5,)),
        ModelConfig(noise="student_t"),
        ModelConfig(saturation=("hill", "logistic", "hill", "hill")),
        ModelConfig(roi=2.0),
    ],
)
def test_refuses_what_pymc_marketing_cannot_express(config):
    data, _ = _tiny()
    with pytest.raises(EngineConfigError) as err:
        check_expressible(data, config)
    assert err.value.code == "engine_not_expressible"


def test_refuses_ragged_panels():
    from mmm_core.engine import ModelData

    data, _ = _tiny(g=2)
    mask = np.ones(data.kpi.shape, bool)
    mask[:5, 1] = False
    ragged = ModelData(
        periods=data.periods,
        geos=data.geos,
        channels=data.channels,
        spend=data.spend,
        kpi=data.kpi,
        kpi_mask=mask,
        controls=data.controls,
        control_names=data.control_names,
    )
    with pytest.raises(EngineConfigError, match="ragged"):
        check_expressible(ragged, ModelConfig())


@pytest.mark.parametrize("geos", [1, 2])
def test_builds_and_samples_a_tiny_model(geos):
    data, _ = _tiny(g=geos)
    fit = fit_pymc_marketing(data, ModelConfig(saturation="logistic"), chains=2, warmup=100, draws=100, seed=0)
    assert fit.engine == "pymc-marketing" and not fit.approximate
    assert fit.samples["channel_contribution"].shape == (2, 100, 60, geos, 4)
    assert fit.samples["roi"].shape == (2, 100, 4)
    assert np.all(np.isfinite(fit.samples["roi"]))
    total = fit.samples["total_media_contribution_original_scale"]
    np.testing.assert_allclose(total, fit.samples["contribution_total"].sum(-1), rtol=1e-6)
