"""Spec → engine mapping: every spec field reaches the engine or is refused; half-lives mean what the spec says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mmm_core.data.ingest import ingest
from mmm_core.errors import FitRefusedError
from mmm_core.fit.inputs import model_config, model_data
from mmm_core.spec import Mediator, ModelSpec, init_spec
from mmm_core.store import Store

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, ModelSpec]:
    store = Store(tmp_path_factory.mktemp("fi") / "mmm.duckdb")
    ds = ingest(store, DATA / "demo_national.csv")
    return store, init_spec(store, ds.dataset_id)


def _edit(spec: ModelSpec, **changes) -> ModelSpec:
    data = spec.model_dump(mode="json")
    for path, value in changes.items():
        node = data
        *parents, leaf = path.split("__")
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[leaf] = value
    return ModelSpec.parse(data)


def test_arrays_follow_the_spec(demo) -> None:
    store, spec = demo
    data = model_data(store, spec)
    assert data.spend.shape == (104, 1, 4) and data.kpi.shape == (104, 1)
    assert data.channels == tuple(m.name for m in spec.media)
    assert data.control_names == tuple(c.name for c in spec.controls)
    assert data.kpi_mask.all() and (data.spend >= 0).all()


def test_per_channel_priors_reach_the_engine(demo) -> None:
    store, spec = demo
    spec = _edit(
        spec,
        media__0__adstock__l_max=4,
        media__0__adstock__half_life={"median": 3.0, "sigma": 0.5},
        media__1__saturation={
            "type": "hill",
            "half_saturation": {"median": 2.0, "sigma": 0.4},
            "slope": {"median": 1.8, "sigma": 0.2},
        },
    )
    data = model_data(store, spec)
    cfg = model_config(spec, data)
    assert cfg.channel_l_max[0] == 4 and cfg.l_max == max(m.adstock.l_max for m in spec.media)
    assert cfg.half_life[0] == 3.0 and cfg.half_life_log_sd[0] == 0.5
    assert cfg.saturation[1] == "hill" and cfg.half_point[1] == 2.0 and cfg.hill_slope[1] == 1.8
    assert cfg.holdout == spec.holdout.last_n and cfg.pooling == spec.geo.pooling


def test_effect_share_prior_becomes_the_equivalent_roi(demo) -> None:
    store, spec = demo
    spec = _edit(spec, media__0__effect_prior={"type": "effect_share", "median": 0.1, "sigma": 0.5})
    data = model_data(store, spec)
    cfg = model_config(spec, data)
    expected = 0.1 * data.kpi.sum() / data.spend[..., 0].sum()
    assert cfg.roi[0] == pytest.approx(expected)


def test_changepoint_dates_become_fractions_and_outside_dates_are_refused(demo) -> None:
    store, spec = demo
    inside = _edit(spec, trend={"type": "piecewise", "changepoints": ["2022-01-03"]})
    cfg = model_config(inside, model_data(store, inside))
    assert 0.4 < cfg.changepoints[0] < 0.6
    outside = _edit(spec, trend={"type": "piecewise", "changepoints": ["2030-01-07"]})
    with pytest.raises(FitRefusedError, match="outside the data window"):
        model_config(outside, model_data(store, outside))


def test_mediators_are_mapped_not_ignored(demo) -> None:
    """Issue 5 replaced the refusal: every mediator field reaches the engine (a peer accepted and ignored them)."""
    store, spec = demo
    spec = spec.model_copy(
        update={
            "mediators": [
                Mediator(name="Price", type="observed", channels=["Search"], carryover=True, media_effect_sign="none")
            ]
        }
    )
    data = model_data(store, spec)
    cfg = model_config(spec, data)
    (med,) = cfg.mediators
    assert data.mediator_names == ("Price",) and data.mediators.shape == data.kpi.shape + (1,)
    assert med.channels == (list(data.channels).index("Search"),)
    assert (med.kind, med.sign, med.carryover) == ("observed", "none", True)
    assert (med.effect_median, med.effect_sigma, med.kpi_mean, med.kpi_sd) == (0.5, 1.0, 0.0, 0.5)
    assert med.effect_prior == "halfnormal"  # unset priors: same median, but a channel may not feed it at all
    stated = spec.model_copy(
        update={
            "mediators": [
                Mediator(
                    name="Price",
                    type="observed",
                    channels=["Search"],
                    priors={"media_effect": {"median": 1.0, "sigma": 0.3}, "kpi_effect": {"mean": 0.2, "sd": 0.1}},
                )
            ]
        }
    )
    (med,) = model_config(stated, data).mediators
    assert (med.effect_prior, med.effect_median, med.effect_sigma, med.kpi_mean, med.kpi_sd) == (
        "lognormal",
        1.0,
        0.3,
        0.2,
        0.1,
    )


@pytest.mark.parametrize("kind, power", [("geometric", 1.0), ("delayed", 2.0)])
def test_prior_half_life_means_the_weight_halves(demo, kind: str, power: float) -> None:
    """At the prior median, the adstock weight halves ``half_life`` periods after its peak, for both shapes."""
    import jax
    from numpyro.infer import Predictive

    from mmm_core.engine import scale_data
    from mmm_core.engine.model import bound_model

    store, spec = demo
    adstock = {"type": kind, "l_max": 8, "half_life": {"median": 2.0, "sigma": 0.01}}
    if kind == "delayed":
        adstock["peak_delay"] = {"mean": 1.0, "sd": 0.01}
    spec = _edit(spec, media__0__adstock=adstock)
    data = model_data(store, spec)
    cfg = model_config(spec, data)
    draws = Predictive(bound_model(cfg), num_samples=200)(jax.random.PRNGKey(0), scale_data(data, cfg), None)
    alpha = float(np.median(np.asarray(draws["adstock_alpha"])[:, 0]))
    assert alpha ** (2.0**power) == pytest.approx(0.5, rel=0.02)
    assert float(np.median(np.asarray(draws["half_life"])[:, 0])) == pytest.approx(2.0, rel=0.02)


def test_every_engine_setting_a_spec_covers_comes_from_the_spec() -> None:
    """model_config passes every ModelConfig field except the documented engine-only ones, so the engine's own
    defaults (which differ from the spec's for saturation, half-life, pooling...) never reach a fit."""
    import ast
    import dataclasses
    import inspect

    from mmm_core.engine.config import ModelConfig
    from mmm_core.fit import inputs

    tree = ast.parse(inspect.getsource(inputs.model_config))
    [call] = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "ModelConfig"]
    passed = {kw.arg for kw in call.keywords}
    fields = {f.name for f in dataclasses.fields(ModelConfig)}
    assert passed | inputs.ENGINE_ONLY == fields
    assert not passed & inputs.ENGINE_ONLY
