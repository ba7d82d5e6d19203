"""Ragged outcomes (issue 22): a product not on sale sells nothing. On ``two_products_geo`` multipack is never sold
in Geo01 and launches in Geo02 in week 26: there its mean, contributions and baseline are exactly 0, it routes no
cannibalisation into single-pack, totals and ROIs count only the cells where it exists, and a plan does not count
it where it is not on sale in the last observed period. A gap after the launch is "not measured": it still
predicts. Prior draws of the model stand in for a fit (the claims are about the arithmetic, not recovery)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import jax
import numpy as np
import pytest
from multi_support import product_config, world_data
from numpyro.infer import Predictive

from mmm_core.engine.multi_model import multi_model, predict_multi
from mmm_core.engine.multi_posterior import MultiPosterior
from mmm_core.engine.outcomes import launched, scale_multi
from mmm_core.fit.multi_effects import compute_multi_effects
from mmm_core.optimizer.multi_response import multi_posterior_response
from mmm_core.synth.make import generate

SINGLE, MULTI = 0, 1
GEO01, GEO02, GEO03 = 0, 1, 2
LAUNCH = 26
GAP = slice(60, 64)  # weeks 60-63 of Geo03's multipack: not measured, still on sale


@pytest.fixture(scope="module")
def ragged():
    """(data, sd, config, draws, out): two_products_geo with a measurement gap added in Geo03's multipack."""
    data, _, _ = world_data("two_products_geo", 0)
    kpi = data.kpi.copy()
    kpi[GAP, GEO03, MULTI] = np.nan
    data = dataclasses.replace(data, kpi=kpi)
    cfg = product_config(data, weights=(1.0, 2.5))
    sd = scale_multi(data, cfg)
    draws = Predictive(lambda: multi_model(sd, cfg, observed=False), num_samples=3)(jax.random.PRNGKey(3))
    draws = {k: np.asarray(v) for k, v in draws.items()}
    return data, sd, cfg, draws, predict_multi(draws, sd, cfg)


def _everywhere(sd):
    """The same scaled data with every outcome on sale in every cell (what the model did before issue 22's fix)."""
    return dataclasses.replace(sd, exists=np.ones_like(sd.exists))


def test_an_outcome_exists_from_its_launch_and_a_later_gap_is_not_measured(ragged):
    data, sd, _, _, _ = ragged
    on = np.asarray(sd.exists)
    assert not on[:, GEO01, MULTI].any()
    assert not on[:LAUNCH, GEO02, MULTI].any() and on[LAUNCH:, GEO02, MULTI].all()
    assert on[GAP, GEO03, MULTI].all() and not sd.obs_mask[GAP, GEO03, MULTI].any()
    assert on[..., SINGLE].all()
    np.testing.assert_array_equal(launched(np.array([[[0]], [[1]], [[0]], [[1]]])).ravel(), [0, 1, 1, 1])
    np.testing.assert_array_equal(data.planning_exists()[:, MULTI], [0, 1, 1, 1])
    np.testing.assert_array_equal(sd.exists, data.exists())


def test_a_product_not_on_sale_has_no_mean_contribution_baseline_or_cross_effect(ragged):
    _, _, _, draws, out = ragged
    for cells in ((slice(None), GEO01), (slice(None, LAUNCH), GEO02)):
        t, g = cells
        for key in ("mu", "baseline"):
            assert np.all(out[key][:, t, g, MULTI] == 0), key
        for key in ("direct", "contributions", "control_contributions"):
            assert np.all(out[key][:, t, g, :, MULTI] == 0), key
        # Single-pack there gets no cannibalisation: its contributions are its direct terms.
        assert np.all(out["cross"][:, 0, t, g] == 0)
        np.testing.assert_array_equal(out["contributions"][:, t, g, :, SINGLE], out["direct"][:, t, g, :, SINGLE])
    promo = np.asarray(draws["kappa"])[:, 0] != 0
    assert promo.all()
    after = out["cross"][:, 0, LAUNCH:, GEO02]
    assert np.abs(after).max() > 0 and np.abs(out["mu"][:, LAUNCH:, GEO02, MULTI]).min() > 0
    # A gap inside the observed span is not measured, but sold: it predicts and routes as any existing cell.
    assert np.abs(out["mu"][:, GAP, GEO03, MULTI]).min() > 0
    assert np.abs(out["contributions"][:, GAP, GEO03, :, MULTI]).min() > 0


def test_totals_and_rois_count_existing_cells_only(ragged):
    data, sd, cfg, draws, out = ragged
    phantom = predict_multi(draws, _everywhere(sd), cfg)
    on = np.asarray(sd.exists)[None, :, :, None, :]  # [1,T,G,1,K]
    # Multipack (the source) is its unmasked self where it exists; single-pack loses only what multipack on sale
    # routes: kappa * promotion * multipack's contribution where multipack exists.
    multi = phantom["contributions"][..., MULTI] * on[..., MULTI]
    kappa = draws["kappa"][:, 0, None, None, None]
    single = phantom["direct"][..., SINGLE] + kappa * sd.modulators[None, ..., :1] * multi
    np.testing.assert_allclose(out["contributions"][..., MULTI], multi, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(out["contributions"][..., SINGLE], single, rtol=1e-5, atol=1e-6)
    result = SimpleNamespace(params=lambda: draws, scaled=sd, config=cfg)
    eff = compute_multi_effects(result, data, approximate=True, label="prior draws")
    want = single.sum(axis=(1, 2)) * 1.0 + multi.sum(axis=(1, 2)) * 2.5  # [S, C] with the weights 1 / 2.5
    np.testing.assert_allclose(eff.total.contribution_total, want, rtol=1e-4)
    np.testing.assert_allclose(eff.per_outcome[MULTI].roi, multi.sum(axis=(1, 2)) / data.spend.sum((0, 1)), 1e-4)
    assert np.all(phantom["contributions"][..., MULTI].sum((1, 2)) > multi.sum((1, 2)))  # the phantom was counted
    # The promotion's counterfactual (against no promotion: its reference in ``control_contributions`` too) on
    # multipack counts only where multipack is sold, as its per-cell terms do.
    promo = list(data.control_names).index("Promo_Multi")
    per_cell = out["control_contributions"][..., promo, MULTI]
    np.testing.assert_allclose(eff.control_total[:, promo, MULTI], per_cell.sum(axis=(1, 2)), rtol=1e-5)
    assert np.abs(per_cell.sum(axis=(1, 2))).min() > 0


def _parts(sd, draws, data, cfg) -> np.ndarray:
    post = MultiPosterior(draws, data, sd, cfg)
    r = multi_posterior_response(post, periods=13)
    return r.outcomes.parts(r, r.to_cells(r.recent_level * 13))  # [S, C, K]


def _multipack_sold_at_the_end_in(data, geos: list[int]):
    """``data`` whose multipack is on sale in the last period in ``geos`` only (the planning rule reads that):
    observed there in that period, never observed elsewhere."""
    kpi = data.kpi.copy()
    sold = np.isin(np.arange(kpi.shape[1]), geos)
    kpi[:, ~sold, MULTI] = np.nan
    kpi[-1, sold, MULTI] = 1.0
    return dataclasses.replace(data, kpi=kpi)


def test_the_plan_counts_an_outcome_only_where_it_is_on_sale_at_the_end(ragged):
    data, sd, cfg, draws, _ = ragged
    real = _parts(sd, draws, data, cfg)
    phantom = _parts(sd, draws, _multipack_sold_at_the_end_in(data, [0, 1, 2, 3]), cfg)
    only_geo01 = _parts(sd, draws, _multipack_sold_at_the_end_in(data, [GEO01]), cfg)
    # Multipack's planned KPI is additive over geos: what it is without Geo01 plus Geo01 alone = everywhere.
    np.testing.assert_allclose(real[..., MULTI] + only_geo01[..., MULTI], phantom[..., MULTI], rtol=1e-4)
    assert np.all(only_geo01[..., MULTI].sum(-1) > 0)
    # Single-pack loses less: no multipack in Geo01 takes anything from it (kappa < 0 in every draw).
    assert np.all(real[..., SINGLE].sum(-1) > phantom[..., SINGLE].sum(-1))


def test_the_synthetic_truth_sells_nothing_where_a_product_is_not_on_sale():
    synth = generate("two_products_geo", 0)
    w, truth = synth.world, synth.truth
    from mmm_core.synth.multi import components, kpi

    sales = kpi(w)
    assert np.all(sales[GEO01, :, MULTI] == 0) and np.all(sales[GEO02, :LAUNCH, MULTI] == 0)
    assert np.all(sales[GEO02, LAUNCH:, MULTI] > 0)
    comp = components(w)
    assert np.all(comp["cross"][0][GEO01] == 0) and np.all(comp["cross"][0][GEO02, :LAUNCH] == 0)
    # Direct ROIs are calibrated over the cells where each product is sold; counterfactual ROIs count those only.
    spend = w.spend.sum(axis=(0, 1))
    direct = comp["media"].sum(axis=(0, 1)) / spend[:, None]
    np.testing.assert_allclose(direct, [w.spec.roi[c] for c in w.channel_names], rtol=1e-9)
    tv = w.channel_names.index("TV")
    cut = w.spend.copy()
    cut[..., tv] = 0.0
    lift = (sales - kpi(w, cut))[..., MULTI]
    assert np.all(lift[GEO01] == 0)
    assert truth["roi"]["TV"]["Sales_Multi"] == pytest.approx(lift.sum() / spend[tv], abs=1e-6)
