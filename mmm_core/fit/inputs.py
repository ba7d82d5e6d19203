"""From a locked spec and the stored dataset to the engine's inputs: `ModelData` (user units) and `ModelConfig`.

Every spec field is either mapped here or refused with a reason; nothing is silently dropped (a peer accepted
mediator settings and ignored them — we do not).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mmm_core.data.national import (
    NATIONAL_KEYS,
    NATIONAL_REGRESSOR,
    allocation_key,
    fold_national,
    national_geography,
    national_regressors,
)
from mmm_core.data.queries import panel
from mmm_core.engine.config import ExperimentConfig, MediatorConfig, ModelConfig
from mmm_core.errors import FitRefusedError
from mmm_core.spec.controls import selection_config
from mmm_core.spec.experiments import roi_priors
from mmm_core.spec.schema import MediatorPriors, ModelSpec
from mmm_core.store import Store

if TYPE_CHECKING:
    from mmm_core.engine.data import ModelData

SIGNS = {"positive": 1, "negative": -1, "none": 0}

# ModelConfig fields with no spec counterpart: the engine's own priors (documented in mmm_core.engine.config),
# the same for every fit, plus two derived by ModelConfig itself (channel_l_max from a per-channel l_max; the
# effect-share prior, which model_config passes as the equivalent ROI). Every other field is set from the spec
# below, so an engine default never silently overrides a spec default (tests/test_fit_inputs.py checks it).
ENGINE_ONLY = frozenset(
    {
        "trend_sd",
        "seasonality_sd",
        "control_sd",
        "geo_sd",
        "noise_sd",
        "student_t_df",
        "channel_l_max",
        "effect_share",
        "geo_effects",  # how NUTS samples the geo effects (same model): the sampler's choice, not the spec's
    }
)


def model_data(store: Store, spec: ModelSpec) -> "ModelData":
    """The spec's KPI, media spend and controls as dense arrays on the dataset's period × geography grid."""
    from mmm_core.engine import ModelData  # lazy: engine.data imports JAX (~0.7 s); answers that read
    # stored draws import this module without needing it

    control_vars = [c.name for c in spec.controls]
    med_vars = [m.name for m in spec.mediators if m.type != "latent"]  # a latent mediator has no data
    key = spec.geo.national_media
    extra = [] if key in NATIONAL_KEYS else [key]  # a variable giving the split (e.g. Population)
    drivers = _driver_variables(spec)
    names = list(dict.fromkeys([spec.kpi, *drivers, *control_vars, *med_vars, *extra]))
    grid = panel(store, spec.dataset_id, names)
    national = _national_channels(spec, grid)
    if national_geography(grid.geos) is not None:
        grid, _ = fold_national(grid, drivers, allocation_key(grid, key, spec.kpi))
    kpi = grid.get(spec.kpi)
    spend = np.stack([_driver(grid, m) for m in spec.media], axis=-1)
    controls = np.stack([grid.get(v) for v in control_vars], axis=-1) if control_vars else None
    if controls is not None and np.isnan(controls).any():
        _refuse_missing_controls(controls, control_vars, grid.periods)
    return ModelData(
        periods=grid.periods.to_numpy(),
        geos=tuple(g or "national" for g in grid.geos),
        channels=tuple(m.name for m in spec.media),
        spend=spend,
        kpi=kpi,
        kpi_mask=np.isfinite(kpi),
        controls=controls,
        control_names=tuple(control_vars),
        control_sign=tuple(SIGNS[c.sign] for c in spec.controls),
        mediators=_mediator_array(grid, spec, kpi.shape) if spec.mediators else None,
        mediator_names=tuple(m.name for m in spec.mediators),
        national_channels=national,
    )


def roi_basis(store: Store, spec: ModelSpec) -> list[dict[str, Any]]:
    """Per channel whose ROI is not simply "its own spend's response over its spend, per geo": the spend variable
    ROI divides by, the variable its response is modelled on, and whether it is a national regressor (ROI on
    total national spend). Empty for a spec with neither exposure-driven nor national channels."""
    needs_data = spec.geo.national_media == NATIONAL_REGRESSOR
    national = _national_channels(spec, panel(store, spec.dataset_id, _driver_variables(spec))) if needs_data else ()
    out = []
    for m in spec.media:
        on_exposure = m.response_on == "exposure" and m.exposure is not None
        if on_exposure or m.name in national:
            out.append(
                {
                    "channel": m.name,
                    "spend": m.variable,
                    "response_on": m.exposure if on_exposure else m.variable,
                    "national": m.name in national,
                }
            )
    return out


def _driver_variables(spec: ModelSpec) -> list[str]:
    """The media data a spec's curves read: each channel's spend, and its exposure when modelled on it."""
    exposure = [m.exposure for m in spec.media if m.response_on == "exposure" and m.exposure]
    return list(dict.fromkeys([*(m.variable for m in spec.media), *exposure]))


def _national_channels(spec: ModelSpec, grid) -> tuple[str, ...]:
    """Channels whose curve reads a national series (``geo.national_media: regressor``): spend observed only
    nationally, and so is the exposure series when the response is modelled on it."""
    if spec.geo.national_media != NATIONAL_REGRESSOR or national_geography(grid.geos) is None:
        return ()
    national = national_regressors(grid, _driver_variables(spec))
    out = []
    for m in spec.media:
        drivers = [m.variable, *([m.exposure] if m.response_on == "exposure" and m.exposure else [])]
        inside = [d in national for d in drivers]
        if all(inside):
            out.append(m.name)
        elif any(inside):
            raise FitRefusedError(
                f"Channel {m.name!r}: {', '.join(d for d, n in zip(drivers, inside, strict=True) if n)} is national "
                f"only, {', '.join(d for d, n in zip(drivers, inside, strict=True) if not n)} is not; one national "
                "regressor needs both on the national geography.",
                f"Set media[{m.name}].response_on: spend, or geo.national_media: kpi_share.",
                code="national_and_geo_rows",
            )
    return tuple(out)


def _driver(grid, channel) -> np.ndarray:
    """[T,G] what the channel's response curve reads, in spend units.

    ``response_on: exposure``: the exposure series times the channel's average cost per exposure unit over the
    window (total spend / total exposure). The curve follows exposure week by week while the totals equal spend,
    so contribution / spend is the ROI on spend (Meridian's convention; a plan assumes that average cost holds).
    """
    spend = np.nan_to_num(grid.get(channel.variable), nan=0.0)
    if channel.response_on != "exposure":
        return spend
    exposure = np.nan_to_num(grid.get(channel.exposure), nan=0.0)
    if exposure.sum() <= 0 or np.any(exposure < 0):
        raise FitRefusedError(
            f"Channel {channel.name!r}: exposure {channel.exposure!r} has no positive total (or negative values).",
            f"Set media[{channel.name}].response_on: spend, or name a valid exposure variable.",
            code="invalid_exposure",
        )
    return exposure * (spend.sum() / exposure.sum())


def _mediator_array(grid, spec: ModelSpec, shape: tuple[int, ...]) -> np.ndarray:
    """[T,G,M] mediator values, NaN where not observed (everywhere for a latent mediator)."""
    cols = [
        np.full(shape, np.nan) if m.type == "latent" else np.asarray(grid.get(m.name), float) for m in spec.mediators
    ]
    return np.stack(cols, axis=-1)


def _mediator_configs(spec: ModelSpec) -> tuple:
    """Spec mediators → engine `MediatorConfig`s (channels as indices; unset priors → MediatorPriors defaults)."""

    names = [m.name for m in spec.media]
    out = []
    for med in spec.mediators:
        unknown = sorted(set(med.channels) - set(names))
        if unknown:
            raise FitRefusedError(
                f"Mediator {med.name!r} is fed by unknown channel(s) {', '.join(unknown)}.",
                f"Channels of this spec: {', '.join(names)}.",
                code="mediator_channel_unknown",
            )
        # Unset priors: the default median/sigma with a half-normal shape (same median) rather than the LogNormal,
        # because init_spec feeds *every* channel into a mediator and a LogNormal cannot let a channel that
        # does not move it fall to ~0 — it then drags the KPI effect to 0 for all (seen on synth `mediated`).
        # Priors the user states are used as stated (LogNormal).
        pr = med.priors or MediatorPriors()
        out.append(
            MediatorConfig(
                name=med.name,
                channels=tuple(names.index(c) for c in med.channels),
                kind=med.type,
                sign=med.media_effect_sign,
                carryover=med.carryover,
                effect_median=float(pr.media_effect.median),
                effect_sigma=float(pr.media_effect.sigma),
                effect_prior="lognormal" if med.priors is not None else "halfnormal",
                kpi_mean=float(pr.kpi_effect.mean),
                kpi_sd=float(pr.kpi_effect.sd),
                kpi_sign=med.kpi_effect_sign,
            )
        )
    return tuple(out)


def _refuse_missing_controls(controls: np.ndarray, names: list[str], periods) -> None:
    t, g, k = np.argwhere(np.isnan(controls))[0]
    raise FitRefusedError(
        f"Control {names[k]!r} has no value in period {periods[t].date()} (geography #{g + 1}); controls must be "
        "observed in every period the model covers.",
        "Fill the gap in the data and re-ingest, or amend the spec to drop that control (with a reason).",
        code="control_missing_values",
    )


def model_config(spec: ModelSpec, data: "ModelData") -> ModelConfig:
    """Map the spec onto the engine's configuration; refuse what the engine cannot honour."""

    media = spec.media
    direct, widen = _direct_prior_adjustment(spec)
    tested = roi_priors(spec.experiments)  # lift tests taken as the channel's ROI prior (use: roi_prior)
    return ModelConfig(
        adstock=tuple(m.adstock.type for m in media),
        l_max=tuple(m.adstock.l_max for m in media),
        saturation=tuple(m.saturation.type for m in media),
        media_share_total=_implied_media_share(spec, data),
        roi=tuple(
            tested[m.name][0] if m.name in tested else _roi_median(m, data, i) * direct[i] for i, m in enumerate(media)
        ),
        beta_log_sd=tuple(
            tested[m.name][1] if m.name in tested else float(np.hypot(m.effect_prior.sigma, widen[i]))
            for i, m in enumerate(media)
        ),
        half_life=tuple(m.adstock.half_life.median for m in media),
        half_life_log_sd=tuple(m.adstock.half_life.sigma for m in media),
        delay=tuple(m.adstock.peak_delay.mean if m.adstock.peak_delay else 0.0 for m in media),
        delay_sd=tuple(m.adstock.peak_delay.sd if m.adstock.peak_delay else 1.0 for m in media),
        half_point=tuple(m.saturation.half_saturation.median for m in media),
        half_point_log_sd=tuple(m.saturation.half_saturation.sigma for m in media),
        hill_slope=tuple(m.saturation.slope.median if m.saturation.slope else 1.0 for m in media),
        hill_slope_log_sd=tuple(m.saturation.slope.sigma if m.saturation.slope else 0.35 for m in media),
        trend=spec.trend.type,
        changepoints=_changepoint_fractions(spec, data),
        seasonality_order=spec.seasonality.fourier_order,
        seasonality_period=float(spec.seasonality.period),
        control_sign=tuple(SIGNS[c.sign] for c in spec.controls),
        pooling=spec.geo.pooling,
        likelihood=spec.likelihood,
        noise=spec.noise,
        holdout=spec.holdout.last_n,
        mediators=_mediator_configs(spec),
        national=tuple(name in data.national_channels for name in data.channels),
        experiments=experiment_configs(spec, data),
        control_selection=selection_config(spec),
    )


# A channel's effect prior states its *total* effect. When it also feeds a mediator, the engine's media
# coefficient is only the direct part: a priori half of the effect flows direct, with the log-scale spread
# widened by ln 2 (in quadrature). Without this the total prior sits on the direct term and pulls the share
# mediated towards 0 (synth `mediated`: TV's 80% mediated share came out ~50% with 36 survey points).
DIRECT_PRIOR_SHARE = 0.5


def _direct_prior_adjustment(spec: ModelSpec) -> tuple[list[float], list[float]]:
    """Per channel: factor on the ROI prior median and extra log-sd for the direct term (1 and 0 if unfed)."""
    fed = {c for med in spec.mediators for c in med.channels}
    factor = [DIRECT_PRIOR_SHARE if m.name in fed else 1.0 for m in spec.media]
    widen = [float(np.log(2.0)) if m.name in fed else 0.0 for m in spec.media]
    return factor, widen


def _roi_median(channel, data: "ModelData", index: int) -> float:
    """The prior median as an ROI: an effect-share prior becomes share × total KPI / the channel's spend."""
    prior = channel.effect_prior
    if prior.type == "roi":
        return float(prior.median)
    spend = float(data.spend[..., index].sum())
    kpi_total = float(np.nansum(np.where(data.kpi_mask, data.kpi, 0.0)))
    return float(prior.median) * kpi_total / spend


def _implied_media_share(spec: ModelSpec, data: "ModelData") -> float:
    """Share of the KPI the media priors imply (centres the intercept prior consistently with them)."""
    kpi_total = float(np.nansum(np.where(data.kpi_mask, data.kpi, 0.0)))
    media = sum(_roi_median(m, data, i) * float(data.spend[..., i].sum()) for i, m in enumerate(spec.media))
    return float(np.clip(media / kpi_total, 0.02, 0.9)) if kpi_total > 0 else 0.3


def _changepoint_fractions(spec: ModelSpec, data: "ModelData") -> tuple[float, ...]:
    if not spec.trend.changepoints:
        return ()
    periods = np.asarray(data.periods, dtype="datetime64[D]")
    start, end = periods[0], periods[-1]
    span = float((end - start).astype(int))
    out = []
    for cp in spec.trend.changepoints:
        frac = float((np.datetime64(cp, "D") - start).astype(int)) / span
        if not 0.0 < frac < 1.0:
            raise FitRefusedError(
                f"Trend changepoint {cp} lies outside the data window {start} … {end}.",
                "Changepoints must fall strictly inside the data; amend the spec with a reason.",
                code="changepoint_outside_data",
            )
        out.append(frac)
    return tuple(out)


def experiment_configs(spec: ModelSpec, data: "ModelData") -> tuple[ExperimentConfig, ...]:
    """The spec's lift tests in the data's indices. A multi-geography cell's spend change is split over its
    geographies in proportion to each one's own spend on the channel in the window (equal when it spent none):
    a national test moves spend where the channel runs."""
    channels, fed = list(data.channels), {c for med in spec.mediators for c in med.channels}
    periods = [str(p)[:10] for p in np.asarray(data.periods, dtype="datetime64[D]")]
    out = []
    for e in spec.experiments:
        if e.channel in fed:
            raise FitRefusedError(
                f"Experiment {e.experiment_id} tests {e.channel!r}, which feeds a mediator; its lift would need the "
                "mediated path replayed too, which this engine does not do yet.",
                "Remove the experiment from the spec, or the channel from the mediator, with a reason.",
                code="experiment_on_mediated_channel",
            )
        if e.use == "roi_prior":  # the test is the channel's prior (model_config), not a likelihood term
            continue
        c = channels.index(e.channel)
        start, end = (_period_index(periods, d, e.experiment_id) for d in (e.start, e.end))
        until = -1 if e.measured_until is None else _period_index(periods, e.measured_until, e.experiment_id)
        cell = _cell_geos(e, data.geos)
        own = data.spend[start : end + 1, :, c].sum(axis=0) * cell
        weights = own / own.sum() if own.sum() > 0 else cell / cell.sum()
        spend = tuple(float(x) for x in e.spend_change * weights)
        out.append(ExperimentConfig(e.experiment_id, c, start, end, spend, float(e.lift), float(e.lift_se), until))
    return tuple(out)


def _period_index(periods: list[str], day, exp_id: str) -> int:
    iso = str(day)[:10]
    if iso not in periods:
        raise FitRefusedError(
            f"Experiment {exp_id}: period {iso} is not a period of the data ({periods[0]} … {periods[-1]}).",
            "Amend the spec's experiments: dates must be period starts of the dataset.",
            code="experiment_outside_data",
        )
    return periods.index(iso)


def _cell_geos(e, geos: tuple[str, ...]) -> np.ndarray:
    if e.geography.casefold() == "all":
        return np.ones(len(geos))
    cell = np.array([g.casefold() == e.geography.casefold() for g in geos], float)
    if not cell.any():
        raise FitRefusedError(
            f"Experiment {e.experiment_id}: geography {e.geography!r} is not among the model's {list(geos)}.",
            "Amend the spec: name a geography of the dataset, or 'all'.",
            code="experiment_geography_unknown",
        )
    return cell
