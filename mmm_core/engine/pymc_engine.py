"""Second engine: pymc-marketing 1.3's `MMM` on the same data, for triangulation and as the benchmark baseline.

What maps: geometric adstock (``l_max``), logistic or Hill saturation (one type for all channels),
yearly Fourier seasonality (``seasonality_order``), controls, a linear trend (as a time-index control in
[0, 1], scaled like pymc-marketing's docs advise), national or geo panels (``dims=("geo",)``), a holdout
(the held-out periods are left out of the fit). pymc-marketing's own default priors are used: ours live on
different scales, so the two engines are compared on what they estimate (contributions, ROI), not on
priors. Refused with a reason: delayed adstock, mixed per-channel transforms, multiplicative likelihood,
piecewise trend, Student-t noise, ragged panels (pymc-marketing needs rectangular data), sign-constrained
controls, ROI/effect-share priors, pooling other than pymc-marketing's own.
"""

from __future__ import annotations

import time
import warnings
from copy import deepcopy

import numpy as np
import pandas as pd

from mmm_core.engine.config import EngineConfigError, ModelConfig
from mmm_core.engine.data import ModelData, training_mask
from mmm_core.engine.mass import resolve_target_accept
from mmm_core.engine.result import FitResult
from mmm_core.engine.setup import foreign_jax_globals


def check_expressible(data: ModelData, config: ModelConfig) -> None:
    """Raise EngineConfigError naming the first setting pymc-marketing's MMM cannot express."""
    c = len(data.channels)
    config.validate(c, len(data.control_names), len(data.periods))
    refusals = [
        (
            set(config.per_channel("adstock", c)) != {"geometric"},
            "delayed adstock",
            "pymc-marketing's MMM here takes one geometric adstock for all channels.",
        ),
        (
            len(set(config.per_channel("saturation", c))) > 1,
            "mixed saturation types",
            "Use one saturation type (hill or logistic) for all channels.",
        ),
        (
            len(set(config.channel_l_max or (config.l_max,))) > 1,
            "different l_max per channel",
            "pymc-marketing's adstock takes one l_max for all channels.",
        ),
        (config.likelihood != "additive", "a multiplicative likelihood", "Its log link is experimental."),
        (config.trend == "piecewise", "a piecewise trend", "Use trend='linear' or 'none'."),
        (config.trend == "local_level", "a local-level trend", "Use trend='linear' or 'none'."),
        (config.noise != "normal", "Student-t noise", "Use noise='normal'."),
        (
            bool(np.any(~data.kpi_mask)),
            "a ragged panel (unobserved KPI cells)",
            "pymc-marketing needs a rectangular panel (its issue #1588).",
        ),
        (
            any(s != 0 for s in (config.control_sign or data.control_sign)),
            "sign-constrained controls",
            "Leave control signs free for the second engine.",
        ),
        (
            config.roi is not None or config.effect_share is not None,
            "ROI / effect-share priors",
            "The second engine uses pymc-marketing's default priors.",
        ),
        (
            any(config.per_channel("national", c)),
            "a national regressor (one national series and coefficient for all geos)",
            "Use geo.national_media: kpi_share for the second engine.",
        ),
    ]
    for bad, what, hint in refusals:
        if bad:
            raise EngineConfigError(
                f"pymc-marketing's MMM cannot express {what}.", hint=hint, code="engine_not_expressible"
            )


def _dates(periods: np.ndarray) -> pd.DatetimeIndex:
    if np.issubdtype(np.asarray(periods).dtype, np.datetime64):
        return pd.DatetimeIndex(periods)
    return pd.date_range("2020-01-06", periods=len(periods), freq="W-MON")  # position-based weeks


def _frame(data: ModelData, config: ModelConfig, keep: np.ndarray) -> tuple[pd.DataFrame, pd.Series]:
    """Long (date × geo) frame of the kept periods with channels, controls and a trend column."""
    t, g, c = data.shape
    dates = _dates(data.periods)
    tt = np.linspace(0.0, 1.0, t)
    rows = []
    for j, geo in enumerate(data.geos):
        part = pd.DataFrame({"date": dates, "geo": geo}) if g > 1 else pd.DataFrame({"date": dates})
        for i, ch in enumerate(data.channels):
            part[ch] = data.spend[:, j, i]
        for i, name in enumerate(data.control_names):
            part[name] = data.controls[:, j, i]
        if config.trend == "linear":
            part["_trend"] = tt
        part["_y"] = data.kpi[:, j]
        rows.append(part[keep])
    df = pd.concat(rows, ignore_index=True)
    return df.drop(columns="_y"), df["_y"]


def build_mmm(data: ModelData, config: ModelConfig, shared_shapes: bool = False):
    """The pymc-marketing `MMM` object for ``data`` and ``config`` (not yet fitted).

    On a geo panel pymc-marketing gives every adstock and saturation parameter a value per geo and channel by
    default. ``shared_shapes=True`` keeps its default prior families but gives the curve *shapes* (adstock
    decay, saturation point and slope) one value per channel, as our engine does, leaving the effect size per
    geo and channel: a smaller model closer to ours, for a like-for-like speed comparison."""
    # lazy: pymc-marketing is an optional extra (`pip install mmm-agent[pymc]`); this module imports without it
    from pymc_marketing.mmm import MMM, GeometricAdstock, HillSaturation, LogisticSaturation

    check_expressible(data, config)
    kind = config.per_channel("saturation", len(data.channels))[0]  # check_expressible ensured one type
    sat_cls = HillSaturation if kind == "hill" else LogisticSaturation
    adstock = GeometricAdstock(l_max=config.l_max)
    saturation = sat_cls()
    if shared_shapes and len(data.geos) > 1:
        adstock = GeometricAdstock(l_max=config.l_max, priors=_per_channel(adstock.default_priors, ("alpha",)))
        saturation = sat_cls(priors=_per_channel(saturation.default_priors, ("slope", "kappa", "lam")))
    controls = list(data.control_names) + (["_trend"] if config.trend == "linear" else [])
    return MMM(
        date_column="date",
        channel_columns=list(data.channels),
        target_column="_y",
        adstock=adstock,
        saturation=saturation,
        control_columns=controls or None,
        yearly_seasonality=config.seasonality_order or None,
        dims=("geo",) if len(data.geos) > 1 else None,
    )


def _per_channel(priors: dict, names: tuple[str, ...]) -> dict:
    """Copies of the named default priors with dims ("channel",)."""
    out = {}
    for name in names:
        if name in priors:
            prior = deepcopy(priors[name])
            prior.dims = ("channel",)
            out[name] = prior
    return out


def fit_pymc_marketing(
    data: ModelData,
    config: ModelConfig,
    chains: int = 2,
    warmup: int = 1000,
    draws: int = 1000,
    seed: int = 0,
    sampler: str = "numpyro",
    target_accept: float | None = None,
    shared_shapes: bool = False,
) -> FitResult:
    """Fit pymc-marketing's MMM with NUTS (``sampler``: ``numpyro`` or ``pymc``); same FitResult shape.

    ``samples`` holds the model's parameters plus ``channel_contribution`` [chains, draws, T, G, C],
    ``contribution_total`` and ``roi`` [chains, draws, C] in KPI / spend units (training periods only).
    """
    if sampler not in ("numpyro", "pymc"):
        raise EngineConfigError(f"Unknown sampler {sampler!r}.", hint="numpyro or pymc.")
    t0 = time.perf_counter()
    keep = training_mask(data, config).all(axis=1)
    mmm = build_mmm(data, config, shared_shapes)
    x, y = _frame(data, config, keep)
    target_accept = resolve_target_accept(target_accept)  # recorded in extra as used
    idata = sample_mmm(mmm, x, y, chains, warmup, draws, seed, sampler, target_accept)
    wall = time.perf_counter() - t0
    samples = _samples(idata, mmm, data, keep)
    return FitResult(
        engine="pymc-marketing",
        samples=samples,
        idata_builder=idata,
        config=config,
        data=None,
        chains=chains,
        warmup=warmup,
        draws=draws,
        seed=seed,
        wall_time=wall,
        label=f"pymc-marketing MMM, NUTS via {sampler}",
        method=f"nuts-{sampler}",
        extra={"sampler": sampler, "target_accept": target_accept, "periods_fitted": int(keep.sum())},
    )


def sample_mmm(mmm, x, y, chains: int, warmup: int, draws: int, seed: int, sampler: str, target_accept: float):
    """``mmm.fit`` with pymc's process-wide JAX changes contained; the InferenceData comes back as numpy."""
    from pytensor import config as pytensor_config  # lazy: pymc-marketing's dependency, present once built

    # pymc's JAX sampler flips process-wide JAX state when first imported; keep it inside this call.
    with warnings.catch_warnings(), foreign_jax_globals(x64=pytensor_config.floatX == "float64"):
        warnings.simplefilter("ignore")
        extra = {"cores": chains} if sampler == "pymc" else {}  # chains in parallel, as ours
        idata = mmm.fit(
            x,
            y,
            chains=chains,
            draws=draws,
            tune=warmup,
            random_seed=seed,
            progressbar=False,
            nuts_sampler=sampler,
            target_accept=target_accept,
            **extra,
        )
        return _as_numpy(idata)  # its JAX arrays are float64 only inside this block


def _as_numpy(idata):
    """pymc's JAX sampler leaves JAX arrays in the posterior; later reads (R-hat, ESS, effects) happen outside
    ``foreign_jax_globals``, where JAX would silently compute them in float32. NumPy copies keep float64."""
    return idata.map_over_datasets(lambda ds: ds.map(lambda da: da.copy(data=np.asarray(da.data)), keep_attrs=True))


def _samples(idata, mmm, data: ModelData, keep: np.ndarray) -> dict[str, np.ndarray]:
    """Posterior arrays [chain, draw, ...] plus contributions and ROI in KPI units."""
    post = idata.posterior
    out = {k: np.asarray(post[k].values) for k in post.data_vars if k != "channel_contribution"}
    cc = post["channel_contribution"]
    target_scale = mmm.scalers["_target"]  # a scalar by default (max over date and geo), per geo if so scaled
    if len(data.geos) > 1:
        cc = cc.transpose("chain", "draw", "date", "geo", "channel").sel(geo=list(data.geos))
        if "geo" in target_scale.dims:
            scale = np.asarray(target_scale.sel(geo=list(data.geos)).values)[None, None, None, :, None]
        else:
            scale = float(np.asarray(target_scale.values))
        contrib = np.asarray(cc.values) * scale
    else:
        cc = cc.transpose("chain", "draw", "date", "channel")
        contrib = (np.asarray(cc.values) * float(np.asarray(target_scale.values)))[:, :, :, None, :]
    spend = data.spend[keep].sum(axis=(0, 1))
    out["channel_contribution"] = contrib
    out["contribution_total"] = contrib.sum(axis=(2, 3))
    out["roi"] = out["contribution_total"] / spend[None, None, :]
    return out
