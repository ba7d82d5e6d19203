"""The fair geo baseline: pymc-marketing configured as PyMC Labs configured it for their MMM benchmark, or left at its
defaults, sampled with nutpie (numba backend) or numpyro; same data, chains, warm-up and draws as ours.

PyMC Labs' configuration (issue 20): ``dims=("geo",)``; ``GeometricAdstock(l_max=8)`` with ``alpha ~ Beta(1, 3)``
per channel; ``HillSaturationSigmoid`` with ``beta ~ HalfNormal(1.5)`` and ``lam ~ HalfNormal(1.5)`` per channel and
a hierarchical ``sigma ~ InverseGamma(mu=HalfNormal(mean over geos of prior_sigma, dims=channel),
sigma=HalfNormal(1.5), dims=(channel, geo))``, ``prior_sigma[g, c] = n_channels × spend share of c in g``; yearly
seasonality of order 2; max scaling of channels and target over everything (``dims=()``). The controls and the
linear-trend column are the ones our pymc-marketing adapter passes (``mmm_core.engine.pymc_engine``), so both
engines see the same regressors.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass

import numpy as np

VARIANTS = ("labs", "default")
SAMPLERS = ("nutpie", "numpyro")


@dataclass(frozen=True)
class BaselineFit:
    """One pymc-marketing run: ESS over every scalar of its free parameters, convergence, ROI draws [chain, draw, C]."""

    name: str
    wall: float
    min_ess: float
    median_ess: float
    max_rhat: float
    divergences: int
    steps_per_draw: float
    roi: np.ndarray
    draws: str


def prior_sigma(spend: np.ndarray) -> np.ndarray:
    """[G, C] n_channels × each channel's share of a geo's total spend (``spend`` [T, G, C])."""
    per_geo = spend.sum(axis=0)
    return spend.shape[2] * per_geo / per_geo.sum(axis=1, keepdims=True)


def labs_mmm(data, config):
    """pymc-marketing's MMM with PyMC Labs' benchmark priors and scaling (not yet built)."""
    # lazy: pymc-marketing is an optional extra, imported only when the baseline runs
    from pymc_extras.prior import Prior
    from pymc_marketing.mmm import MMM, GeometricAdstock, HillSaturationSigmoid

    mu_sd = prior_sigma(data.spend).mean(axis=0)
    sigma = Prior(
        "InverseGamma",
        mu=Prior("HalfNormal", sigma=mu_sd, dims="channel"),
        sigma=Prior("HalfNormal", sigma=1.5),
        dims=("channel", "geo"),
    )
    saturation = HillSaturationSigmoid(
        priors={
            "sigma": sigma,
            "beta": Prior("HalfNormal", sigma=1.5, dims="channel"),
            "lam": Prior("HalfNormal", sigma=1.5, dims="channel"),
        }
    )
    adstock = GeometricAdstock(l_max=8, priors={"alpha": Prior("Beta", alpha=1, beta=3, dims="channel")})
    controls = list(data.control_names) + (["_trend"] if config.trend == "linear" else [])
    return MMM(
        date_column="date",
        channel_columns=list(data.channels),
        target_column="_y",
        adstock=adstock,
        saturation=saturation,
        control_columns=controls or None,
        yearly_seasonality=2,
        dims=("geo",),
        scaling={"channel": {"method": "max", "dims": ()}, "target": {"method": "max", "dims": ()}},
    )


def _model(variant: str, data, config):
    from mmm_core.engine.pymc_engine import build_mmm

    if variant not in VARIANTS:
        raise ValueError(f"Unknown baseline variant {variant!r}; use one of {VARIANTS}.")
    return labs_mmm(data, config) if variant == "labs" else build_mmm(data, config)


# PyMC Labs' benchmark sampled at target_accept 0.9: pymc-marketing's side runs at it unless a run sets one for both.
LABS_TARGET_ACCEPT = 0.9


def labs_target_accept(asked: float | None) -> float:
    """pymc-marketing's target acceptance in a benchmark: the one asked for, else PyMC Labs' 0.9."""
    return LABS_TARGET_ACCEPT if asked is None else asked


def fit_baseline(data, config, variant: str, sampler: str, chains: int, warmup: int, draws: int, seed: int, ta: float):
    """Build and sample one baseline; wall time includes building and compiling (numba or JAX), as ours does."""

    from mmm_core.engine.data import training_mask
    from mmm_core.engine.pymc_engine import _frame, _samples, sample_mmm

    if sampler not in SAMPLERS:
        raise ValueError(f"Unknown baseline sampler {sampler!r}; use one of {SAMPLERS}.")
    if sampler == "nutpie" and importlib.util.find_spec("nutpie") is None:
        raise SystemExit("The nutpie baseline needs nutpie: pip install nutpie==0.16.11 (pymc samples with it).")
    t0 = time.perf_counter()
    keep = training_mask(data, config).all(axis=1)
    mmm = _model(variant, data, config)
    x, y = _frame(data, config, keep)
    idata = sample_mmm(mmm, x, y, chains, warmup, draws, seed, sampler, ta)
    # The adapter's own reading of contributions and ROI (target scale per geo or one number, as configured).
    post = _samples(idata, mmm, data, keep)
    stats = {k: np.asarray(v.values) for k, v in idata.sample_stats.data_vars.items()}
    wall = time.perf_counter() - t0
    free = [v.name for v in mmm.model.free_RVs]
    min_ess, med_ess, rhat = ess_rhat({k: post[k] for k in free})
    return BaselineFit(
        name=f"pymc-marketing {variant} + {sampler}",
        wall=wall,
        min_ess=min_ess,
        median_ess=med_ess,
        max_rhat=rhat,
        divergences=int(stats["diverging"].sum()) if "diverging" in stats else -1,
        steps_per_draw=float(stats["n_steps"].mean()) if "n_steps" in stats else float("nan"),
        roi=post["roi"],
        draws=f"{chains}x({warmup}+{draws})",
    )


def ess_rhat(draws: dict[str, np.ndarray]) -> tuple[float, float, float]:
    """(min bulk ESS, median bulk ESS, max R-hat) over every scalar of ``draws`` {name: [chain, draw, ...]}."""
    import arviz_stats as az  # lazy: ~1 s

    flat = [v.reshape(v.shape[0], v.shape[1], -1) for v in draws.values()]
    x = np.concatenate(flat, axis=2)
    x = x[:, :, x.reshape(-1, x.shape[2]).std(axis=0) > 0]  # constant components have no ESS
    ess = np.asarray(az.ess(x, method="bulk", chain_axis=0, draw_axis=1))
    rhat = np.asarray(az.rhat(x, chain_axis=0, draw_axis=1))
    return float(np.nanmin(ess)), float(np.nanmedian(ess)), float(np.nanmax(rhat))
