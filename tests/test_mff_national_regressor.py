"""Issue 18 item 4: national media as a national regressor — the same national series in every geo's mean with one
shared coefficient and curve; the national spend counted once (ROI on total national spend); totals add up."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_mff_support import HEADER, weeks, write_lines

from mmm_core import ledger
from mmm_core.answers.results import contributions, load_posterior, roi
from mmm_core.data.ingest import ingest
from mmm_core.effects.draws import compute_effects
from mmm_core.engine.data import scaled_spend
from mmm_core.errors import MMMError
from mmm_core.fit.inputs import model_config, model_data
from mmm_core.fit.job import run_fit
from mmm_core.optimizer.response import posterior_response
from mmm_core.spec.draft import init_spec
from mmm_core.store import Store

N = 104
SIZE = {"North": 1.0, "South": 2.0, "West": 3.0}  # mean KPI per geo, in units of 1,000
TV_ROI = 1.5  # true ROI of national TV on total national spend


def _world(seed: int = 0) -> tuple[list[str], float]:
    """MFF lines (national TV rows, geo Search and Sales) and TV's true contribution over all geos.

    TV lifts every geo by the same share of its own size (a national regressor's structure): contribution[t, g] =
    k * size_g * adstock(tv)[t] / mean(tv), with k set so that TV's ROI on national spend is TV_ROI.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(N)
    tv = np.round(np.clip(400 + 300 * np.sin(t / 6.0) + rng.normal(0, 80, N), 0, None) * (rng.random(N) > 0.15), 2)
    carried = np.convolve(tv, 0.5 ** np.arange(6))[:N]
    shape = carried / carried.mean()
    k = TV_ROI * tv.sum() / (shape.sum() * sum(SIZE.values()))
    lines, tv_total = [HEADER], 0.0
    for i, p in enumerate(weeks(N)):
        lines.append(f"{p},National,,,TV,,TV_Spend,{tv[i]}")
        for geo, size in SIZE.items():
            search = round(50 * size * (1 + 0.5 * np.sin(i / 4 + size)) + rng.normal(0, 5), 2)
            tv_part = k * size * shape[i]
            tv_total += tv_part
            sales = 1000 * size * (1 + 0.05 * np.sin(2 * np.pi * i / 52)) + tv_part + 0.8 * search
            lines += [
                f"{p},{geo},,,Search,,Search_Spend,{search}",
                f"{p},{geo},,,,,Sales,{sales * (1 + rng.normal(0, 0.01)):.2f}",
            ]
    return lines, tv_total


@pytest.fixture(scope="module")
def national_store(tmp_path_factory) -> tuple[Store, str, float, float]:
    """A store with the world ingested and a locked spec entering TV as a national regressor."""
    tmp = tmp_path_factory.mktemp("natreg")
    store = Store(tmp / "store" / "mmm.duckdb")
    lines, tv_contribution = _world()
    ingest(store, write_lines(tmp / "nat.csv", lines), name="nat")
    spec = init_spec(store, "nat")
    spec = spec.model_copy(update={"geo": spec.geo.model_copy(update={"national_media": "regressor"})})
    spec_id = ledger.lock(store, spec, "national TV as a national regressor").spec_id
    tv_spend = sum(float(x.rsplit(",", 1)[1]) for x in lines if ",TV_Spend," in x)
    return store, spec_id, tv_spend, tv_contribution


def test_a_national_channel_enters_as_one_series_counted_once(national_store) -> None:
    store, spec_id, tv_spend, _ = national_store
    spec = ledger.get_spec(store, spec_id).spec
    data = model_data(store, spec)
    assert data.geos == tuple(SIZE) and data.national_channels == ("TV",)
    tv = data.channels.index("TV")
    assert data.spend[..., tv].sum() == pytest.approx(tv_spend)  # split for bookkeeping, summed back: once
    assert model_config(spec, data).national == (False, True)
    allocated = model_data(
        store, spec.model_copy(update={"geo": spec.geo.model_copy(update={"national_media": "equal"})})
    )
    assert allocated.national_channels == () and allocated.spend[..., tv].sum() == pytest.approx(tv_spend)


def test_the_curve_reads_the_national_total_whatever_the_split() -> None:
    rng = np.random.default_rng(1)
    national = rng.uniform(0, 10, 20)
    a = national[:, None, None] * np.array([0.2, 0.3, 0.5])[None, :, None]
    b = national[:, None, None] * np.array([0.6, 0.3, 0.1])[None, :, None]
    scale = a.sum(axis=0)[None, :, :] / (a > 0).sum(axis=0)  # per-geo mean non-zero, as engine.data does
    shared = scaled_spend(a, scale[0], np.array([True]))
    assert np.allclose(shared[:, 0, 0], shared[:, 2, 0])  # the same national series in every geo
    assert np.allclose(scaled_spend(b, scale[0], np.array([True])), shared)  # moving spend between geos: same
    assert not np.allclose(scaled_spend(b, scale[0], np.array([False])), shared)


def test_quick_fit_shares_one_coefficient_and_totals_add_up(national_store) -> None:
    store, spec_id, tv_spend, tv_truth = national_store
    fit = run_fit(store, spec_id, quick=True)
    assert fit["status"] == "succeeded", fit
    post = load_posterior(store, fit["fit_id"])
    tv = post.channels.index("TV")
    beta = np.asarray(post.params["beta"])[..., tv]  # [S, G]
    assert np.allclose(beta, beta[:, :1], rtol=1e-5)  # one coefficient for all geos
    answer = roi(store, fit["fit_id"], allow_unhealthy=True)
    tv_row = answer["channels"]["TV"]
    assert tv_row["spend"] == pytest.approx(tv_spend)  # ROI on total national spend
    assert tv_row["roi"]["mean"] == pytest.approx(tv_row["contribution"]["mean"] / tv_spend, rel=1e-6)
    by_geo = contributions(store, fit["fit_id"], by="channel_geo", allow_unhealthy=True)["rows"]
    tv_geo = sum(r["mean"] for r in by_geo if r["channel"] == "TV")
    assert tv_geo == pytest.approx(tv_row["contribution"]["mean"], rel=1e-4)  # counted once across the geos
    moved = post.data.spend.copy()
    moved[:, :, tv] = moved[:, ::-1, tv]  # the same national total, split the other way round
    base, other = post.predict()["mu"], post.predict(moved)["mu"]
    assert np.allclose(base, other, rtol=1e-5)
    # recovery: the true ROI on national spend within the (approximate) 90% interval, widened by 10%
    truth = tv_truth / tv_spend
    assert 0.9 * tv_row["roi"]["lo"] <= truth <= 1.1 * tv_row["roi"]["hi"], (truth, tv_row["roi"])
    # the separable shortcut (2 predictions) gives the full counterfactual's numbers with a national regressor
    few = post.thin(40)
    quick_path, full_path = compute_effects(few, counterfactual="auto"), compute_effects(few, counterfactual="always")
    assert quick_path.computation != full_path.computation
    for name in ("contribution_total", "contribution_geo", "mroi"):
        np.testing.assert_allclose(getattr(quick_path, name), getattr(full_path, name), rtol=2e-3, atol=1e-3)
    # planning: a national series has no per-geo levers, so splitting it by geo is refused, not made up
    assert posterior_response(post, geo_split="recent", max_draws=50).channels == post.channels
    with pytest.raises(MMMError) as err:
        posterior_response(post, geo_split="optimize", max_draws=50)
    assert err.value.code == "optimizer_national_geo_split" and "TV" in err.value.message


def test_national_and_geo_rows_of_one_channel_are_refused_as_a_regressor(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    lines, _ = _world()
    lines += [f"{p},North,,,TV,,TV_Spend,5" for p in weeks(N)]
    ingest(store, write_lines(tmp_path / "mixed.csv", lines), name="mixed")
    spec = init_spec(store, "mixed")
    regressor = spec.model_copy(update={"geo": spec.geo.model_copy(update={"national_media": "regressor"})})
    with pytest.raises(MMMError) as exc:
        model_data(store, regressor)
    assert exc.value.code == "national_and_geo_rows" and "kpi_share" in exc.value.hint
    assert model_data(store, spec).national_channels == ()  # the default split still takes them
