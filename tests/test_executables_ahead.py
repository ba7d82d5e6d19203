"""Kernels compiled ahead (engine.ahead): the sampler's big kernels compile on background threads while a fit does
other work, and they must be exactly the ones ``sample_nuts`` then asks for: picked up under the same keys, none
compiled twice, the same draws as kernels compiled the usual way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from test_engine import simulate

from mmm_core.engine import ModelConfig, executables, sample_nuts, sample_quick, sampling, scale_data
from mmm_core.engine.ahead import compile_fit_ahead, compile_quick_ahead

SETTINGS = dict(chains=2, warmup=40, draws=40)  # a shape no other test compiles: the kernels are new here


def _fresh_kernels(monkeypatch, folder: Path) -> None:
    monkeypatch.setattr(executables, "_folder", lambda: folder)
    monkeypatch.setattr(executables, "_IN_PROCESS", {})
    monkeypatch.setattr(executables, "_PENDING", {})
    monkeypatch.setattr(sampling, "_RUNNERS", {})


def test_the_sampler_picks_up_every_kernel_compiled_ahead_and_draws_the_same_numbers(tmp_path, monkeypatch) -> None:
    data, _ = simulate(t=52)
    config = ModelConfig()
    sd = scale_data(data, config)
    _fresh_kernels(monkeypatch, tmp_path / "ahead")
    assert compile_fit_ahead(sd, config, **SETTINGS)
    started = len(executables._PENDING)
    assert started == 5  # NUTS init and chunk, the Laplace start and its check (the potential), constraining
    before = executables.stats()
    fit = sample_nuts(sd, config, seed=2, **SETTINGS)
    after = executables.stats()
    assert not executables._PENDING  # every one picked up
    assert after["compiled_ahead"] - before["compiled_ahead"] == started
    assert after["compiled"] - before["compiled"] == started  # the sampler compiled nothing itself
    assert not compile_fit_ahead(sd, config, **SETTINGS)  # all in memory now: nothing to start

    _fresh_kernels(monkeypatch, tmp_path / "plain")
    plain = sample_nuts(sd, config, seed=2, **SETTINGS)
    assert executables.stats()["compiled_ahead"] == after["compiled_ahead"]
    for site in ("beta", "sigma"):
        np.testing.assert_array_equal(fit.samples[site], plain.samples[site])


def test_quick_mode_picks_up_its_laplace_and_constrain_kernels_compiled_ahead(tmp_path, monkeypatch) -> None:
    data, _ = simulate(t=52)
    config = ModelConfig()
    sd = scale_data(data, config)
    _fresh_kernels(monkeypatch, tmp_path)
    compile_quick_ahead(sd, config, draws=70)
    assert len(executables._PENDING) == 2
    before = executables.stats()
    fit = sample_quick(sd, config, seed=1, draws=70)
    after = executables.stats()
    assert not executables._PENDING and fit.samples["beta"].shape[:2] == (1, 70)
    assert after["compiled"] - before["compiled"] == after["compiled_ahead"] - before["compiled_ahead"] == 2


def test_a_staged_geo_fit_compiles_ahead_at_the_target_it_samples_at(tmp_path, monkeypatch) -> None:
    """The staged warm-up's target acceptance (engine.mass) is part of the kernels' key: compiling ahead at another
    would leave the sampler compiling its own. The 12-geo panel of tests/test_staged_mass.py (106 dimensions) at
    2 x (1000 + 1000) is staged, so both ask for STAGED_TARGET_ACCEPT; a target given explicitly is used as given."""
    from mmm_core.engine.mass import STAGED_TARGET_ACCEPT

    data, _ = simulate(t=40, g=12, seed=6)
    config = ModelConfig(geo_effects="noncentred")
    sd = scale_data(data, config)
    _fresh_kernels(monkeypatch, tmp_path)
    seen = []
    real = sampling._runner

    def recording(config, sd, chains, warmup, chunk, target_accept, *rest, **kw):
        seen.append(target_accept)
        return real(config, sd, chains, warmup, chunk, target_accept, *rest, **kw)

    monkeypatch.setattr(sampling, "_runner", recording)
    compile_fit_ahead(sd, config, chains=2, warmup=1000, draws=1000)
    compile_fit_ahead(sd, config, chains=2, warmup=1000, draws=1000, target_accept=0.95)
    assert seen == [STAGED_TARGET_ACCEPT, 0.95]
    for future, _ in executables._PENDING.values():  # nothing left compiling into the next test
        future.result()
