"""The ground-truth JSON of a synthetic dataset: what a perfect model would report.

Contributions are analytic (the KPI is additive in each channel's paths) and equal the counterfactual
difference "KPI with the channel minus KPI with its spend set to zero, all else equal" — ``tests/test_synth.py``
checks that by re-running the DGP. Totals are over the whole series and all geos.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core.synth.dgp import LN3, World, kpi, mediator_latent, saturated
from mmm_core.synth.presets import ChannelSpec
from mmm_core.synth.transforms import L_MAX

FORMULAS = {
    "kpi": "Sales[g,t] = intercept[g]*(1 + trend*t/(T-1) + season_sin*sin(2*pi*t/52.1786)"
    " + season_cos*cos(2*pi*t/52.1786))"
    " + sum_k coef[g,k]*(z[g,t,k] - center[k]) + sum_c beta[g,c]*sat_c(adstock_c(spend[g,:,c]))[t]"
    " + gamma[g]*M[g,t] + eps[g,t],  eps ~ N(0, noise_sd[g]^2)",
    "adstock_geometric": "x*[t] = sum_{l=0}^{7} w_l*x[t-l], w_l = alpha^l / sum_j alpha^j (x = 0 before the start)",
    "adstock_delayed": "x*[t] = sum_{l=0}^{7} w_l*x[t-l], w_l = alpha^((l-theta)^2) / sum_j alpha^((j-theta)^2)",
    "hill": "sat(x) = x^slope / (x^slope + K^slope), K in adstocked spend units (per geo)",
    "logistic": "sat(x) = (1 - exp(-lam*x)) / (1 + exp(-lam*x)), lam = ln(3)/K so sat(K) = 0.5",
    "geo_beta": "beta[g,c] = beta_national[c] * geo_mult[g,c] * geo_scale[g], geo_mult ~ LogNormal(0, geo_beta_sd)",
    "mediator": "M[g,t] = base + sum_c b[c]*sat_c(adstock_c(spend[g,:,c]))[t] + u[g,t], u[g,t] = rho*u[g,t-1] + e,"
    " e ~ N(0, ar_sd^2); observed on the first week of each month as M + N(0, obs_sd^2); Sales uses the"
    " latent M every week",
    "contribution": "contribution_c = sum_{g,t} (Sales - Sales with spend_c = 0), noise held fixed",
    "roi": "roi_c = contribution_c / total spend_c",
}


def build_truth(world: World) -> dict[str, Any]:
    """The truth dictionary (JSON-able) of a simulated world."""
    p = world.preset
    sat = saturated(world, world.spend)
    direct = np.einsum("gtc,gc->gtc", sat, world.beta)  # [G, T, C]
    indirect = np.einsum("gtc,c,g->gtc", sat, world.med_b, world.gamma)
    spend_total = world.spend.sum(axis=(0, 1))
    sales = kpi(world)
    media_total = float((direct + indirect).sum())
    truth: dict[str, Any] = {
        "preset": p.name,
        "seed": world.seed,
        "description": p.description,
        "formulas": FORMULAS,
        "kpi": "Sales",
        "frequency": "weekly",
        "periods": len(world.periods),
        "first_period": world.periods[0],
        "last_period": world.periods[-1],
        "geos": [g for g in world.geos if g] or [""],
        "channels": {
            c.name: _channel(world, i, c, direct[..., i], indirect[..., i], spend_total[i])
            for i, c in enumerate(p.channels)
        },
        "controls": _controls(world),
        "intercept": _per_geo(world, world.intercept),
        "baseline": {
            "trend": p.trend,
            "season_sin": p.season_sin,
            "season_cos": p.season_cos,
            "season_period_weeks": 365.25 / 7.0,
        },
        "noise": {"sd": _per_geo(world, world.noise_sd), "share_of_mean_kpi": p.noise_frac},
        "totals": {
            "kpi": _f(sales.sum()),
            "spend": _f(spend_total.sum()),
            "media_contribution": _f(media_total),
            "media_share": _f(media_total / sales.sum()),
        },
    }
    if p.n_geos > 1:
        truth["geo_scale"] = dict(zip(world.geos, map(_f, world.geo_scale)))
        truth["geo_beta_sd"] = p.geo_beta_sd
    if p.mediator:
        truth["mediator"] = _mediator(world)
    return truth


def _channel(
    world: World, i: int, c: ChannelSpec, direct: np.ndarray, indirect: np.ndarray, spend: float
) -> dict[str, Any]:
    contrib = direct + indirect  # [G, T]
    out: dict[str, Any] = {
        "outlet": c.name,
        "variable": f"{c.name}_Spend",
        "pattern": c.pattern,
        "spend": _f(spend),
        "contribution": _f(contrib.sum()),
        "roi": _f(contrib.sum() / spend),
        "beta": _f(world.beta_national[i]),
        "adstock": {
            "type": c.adstock,
            "alpha": c.alpha,
            "l_max": L_MAX,
            "normalised": True,
            "weights": [_f(w) for w in world.weights[i]],
        }
        | ({"theta": c.theta} if c.adstock == "delayed" else {}),
        "saturation": _saturation(world, i, c),
        "contribution_series": [round(float(v), 4) for v in contrib.sum(axis=0)],
    }
    if c.pattern == "late":
        out["start_week"] = c.start_week
    if world.preset.mediator:
        d, ind = float(direct.sum()), float(indirect.sum())
        out |= {
            "contribution_direct": _f(d),
            "contribution_indirect": _f(ind),
            "roi_direct": _f(d / spend),
            "roi_indirect": _f(ind / spend),
            "share_mediated": _f(ind / (d + ind)),
            "mediator_coef": _f(world.med_b[i]),
        }
    if world.preset.n_geos > 1:
        geo_spend = world.spend[:, :, i].sum(axis=1)
        out["by_geo"] = {
            g: {
                "spend": _f(geo_spend[j]),
                "contribution": _f(contrib[j].sum()),
                "roi": _f(contrib[j].sum() / geo_spend[j]),
                "beta": _f(world.beta[j, i]),
                "geo_mult": _f(world.geo_mult[j, i]),
                "K": _f(world.k[j, i]),
            }
            for j, g in enumerate(world.geos)
        }
    return out


def _saturation(world: World, i: int, c: ChannelSpec) -> dict[str, Any]:
    k = world.k[:, i]
    common = {"in_spend_units": True, "k_over_mean_adstocked_spend": c.k_ratio}
    if c.saturation == "logistic":
        return {"type": "logistic", "lam": _per_geo(world, LN3 / k), "half_saturation": _per_geo(world, k)} | common
    return {"type": "hill", "slope": c.slope, "K": _per_geo(world, k)} | common


def _controls(world: World) -> dict[str, Any]:
    out = {}
    for k, ctl in enumerate(world.preset.controls):
        contrib = (world.controls[:, :, k] - world.control_center[k]) * world.control_coef[:, k][:, None]
        out[ctl.name] = {
            "kind": ctl.kind,
            "coef": _per_geo(world, world.control_coef[:, k]),
            "center": _f(world.control_center[k]),
            "contribution": _f(contrib.sum()),
            "effect_share_of_intercept": ctl.effect,
        }
    return out


def _mediator(world: World) -> dict[str, Any]:
    m = world.preset.mediator
    feeds = [c.name for c, b in zip(world.preset.channels, world.med_b) if b > 0]
    latent = mediator_latent(world, world.spend)
    return {
        "name": m.name,
        "feeds": feeds,
        "base": m.base,
        "rho": m.rho,
        "ar_sd": m.ar_sd,
        "obs_sd": m.obs_sd,
        "b": {c.name: _f(b) for c, b in zip(world.preset.channels, world.med_b)},
        "gamma": _per_geo(world, world.gamma),
        "observed_periods": int(world.observed.sum()),
        "coverage": _f(world.observed.mean()),
        "observed_on": "first week start of each calendar month",
        "latent_series": [round(float(v), 4) for v in latent.mean(axis=0)],
    }


def _per_geo(world: World, values: np.ndarray) -> float | dict[str, float]:
    """A national number, or ``{geo: value}`` for geo presets."""
    if len(world.geos) == 1:
        return _f(values[0])
    return dict(zip(world.geos, map(_f, values)))


def _f(x: float) -> float:
    """A float rounded to 10 significant digits: exact enough for tests, stable text across platforms."""
    return float(f"{float(x):.10g}")


# --- the brand presets (issue 21): short-term truth plus the long-term system -----------------------------------

BRAND_FORMULAS = {
    "kpi": "Sales[t] = short-term KPI[t] (formula 'kpi' with no mediator) + brand_sales[t]",
    "brand_state": "y[t] = Phi @ y[t-1] + L @ x[t] + e[t], y = (Awareness, Consideration) deviations from base,"
    " x[t,c] = adstock_c(spend[:,c])[t] (linear, no saturation), e ~ N(0, diag(ar_sd^2))",
    "brand_sales": "brand_sales[t] = lam @ y[t]",
    "observed_metrics": "base_level + y[t] + N(0, obs_sd^2), every week or on the first week of each month (survey)",
    "short_roi": "sum_t beta_c*sat_c(adstock_c(spend_c))[t] / total spend_c (counterfactual over the data)",
    "long_roi": "sum_{h=0}^{H-1} irf_sales_c[h]: base sales per $1 of spend, cumulated over the horizon H weeks"
    " (impulse response; equals the counterfactual per dollar when the response has died out)",
    "total_roi": "short_roi + long_roi",
    "long_share": "long_roi / total_roi",
}


def build_brand_truth(world: Any) -> dict[str, Any]:
    """The truth of a brand world (``synth.brand.BrandWorld``): the short-term truth of its base world with
    ``roi`` read as the short-term ROI, plus per channel ``short_roi``, ``long_roi``, ``total_roi``,
    ``long_share``, the IRFs per $1, and a ``long_term`` block with the system's parameters."""
    from mmm_core.synth import brand  # lazy: brand imports this package's dgp; truth stays importable on its own

    spec = world.spec
    truth = build_truth(world.base)
    truth["formulas"] = truth["formulas"] | BRAND_FORMULAS
    for c, name in enumerate(world.channel_names):
        response = brand.irf(world, c, spec.horizon)
        short, long = truth["channels"][name]["roi"], float(response["sales"].sum())
        truth["channels"][name] |= {
            "roi_basis": "short_term",
            "short_roi": short,
            "long_roi": _f(long),
            "total_roi": _f(short + long),
            "long_share": _f(long / (short + long)) if short + long else 0.0,
            "long_contribution_in_data": _f(brand.long_term_counterfactual(world, [name], extend=0)),
            "irf_per_dollar": {k: [_f(v) for v in series] for k, series in response.items()},
            "brand_loading": dict(zip(spec.metrics, map(_f, world.load[:, c]))),
        }
    total_sales = brand.sales(world)
    truth["totals"]["kpi"] = _f(total_sales.sum())
    truth["totals"]["brand_sales"] = _f(brand.brand_sales(world).sum())
    truth["totals"]["media_share"] = _f(truth["totals"]["media_contribution"] / total_sales.sum())  # short-term
    truth["long_term"] = {
        "method": "impulse response of base sales to $1 of spend, cumulated over the horizon",
        "horizon": spec.horizon,
        "metrics": list(spec.metrics),
        "observed": "first week of each month" if spec.survey else "weekly",
        "observed_periods": int(world.observed.sum()),
        "base_levels": dict(zip(spec.metrics, spec.base_levels)),
        "phi": [[_f(v) for v in row] for row in world.phi],
        "eigenvalues": sorted(_f(abs(v)) for v in np.linalg.eigvals(world.phi)),
        "sales_per_point": dict(zip(spec.metrics, map(_f, world.lam))),
        "ar_sd": dict(zip(spec.metrics, spec.ar_sd)),
        "obs_sd": dict(zip(spec.metrics, spec.obs_sd)),
        "latent_series": {m: [round(float(v), 4) for v in s] for m, s in zip(spec.metrics, brand.metrics(world).T)},
    }
    return truth
