"""A media channel in a spec: its spend variable, carry-over (adstock), diminishing returns (saturation) and
effect prior, and the two prior families every prior in a spec is written in.

Part of the spec schema (:mod:`mmm_core.spec.schema` re-exports all of it); durations are in periods of the dataset.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class StrictModel(BaseModel):
    """Unknown keys are refused (a typo must not silently fall back to a default); NaN/inf are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)


class LogNormalPrior(StrictModel):
    """A log-normal prior given by its median and the sd of its logarithm.

    The central 90% of the prior lies within median ×/÷ exp(1.645·sigma):
    sigma 0.5 → ×/÷ 2.3, sigma 1 → ×/÷ 5.2.
    """

    median: float = Field(gt=0, description="Median of the prior, on the quantity's own scale. Must be > 0.")
    sigma: float = Field(gt=0, description="Standard deviation of log(quantity). Must be > 0.")


class NormalPrior(StrictModel):
    """A normal prior (truncated where its quantity is bounded, e.g. a peak delay to [0, l_max - 1])."""

    mean: float = Field(description="Mean of the prior.")
    sd: float = Field(gt=0, description="Standard deviation of the prior. Must be > 0.")


class Adstock(StrictModel):
    """Carry-over of media effect into later periods.

    geometric: w(l) = α^l with α = 0.5^(1/half_life); half of the effect remains after ``half_life`` periods.
    delayed (Jin et al. 2017): w(l) = α^((l - θ)^2) with θ = peak delay and α = 0.5^(1/half_life^2), so the
    effect peaks θ periods after spend and halves ``half_life`` periods after the peak.
    """

    type: Literal["geometric", "delayed"] = Field(
        "geometric",
        description="Adstock shape: 'geometric' (peak at once, then decay) or 'delayed' "
        "(peak after a delay). Default 'geometric'.",
    )
    l_max: int = Field(
        8,
        ge=1,
        le=520,
        description="Longest carry-over in periods (weights beyond are 0). "
        "Default 8 for weekly data; init_spec scales it to the dataset's frequency.",
    )
    half_life: LogNormalPrior = Field(
        default_factory=lambda: LogNormalPrior(median=1.5, sigma=0.8),
        description="Prior on the half-life of the effect in periods. Default lognormal median 1.5 weeks, "
        "sigma 0.8 (90% prior range ≈ 0.4–5.6 weeks), scaled to the dataset's frequency by init_spec.",
    )
    peak_delay: NormalPrior | None = Field(
        None,
        description="Prior on the delay to the peak effect in periods (truncated to [0, l_max - 1]). "
        "Only for type 'delayed' (default normal mean 1, sd 1.5 periods); must be absent for 'geometric'.",
    )

    @model_validator(mode="after")
    def _peak_delay_matches_type(self) -> Adstock:
        # A peak delay on a geometric adstock would be accepted and ignored; refuse it instead.
        if self.type == "geometric" and self.peak_delay is not None:
            raise ValueError("peak_delay is only used by type 'delayed'; remove it or set type: delayed")
        if self.type == "delayed" and self.peak_delay is None:
            object.__setattr__(self, "peak_delay", NormalPrior(mean=1.0, sd=1.5))
        return self


class Saturation(StrictModel):
    """Diminishing returns of (adstocked) spend x, on x scaled by the channel's mean spend.

    logistic: f(x) = (1 - e^(-λx)) / (1 + e^(-λx)) with λ = ln(3) / half_saturation (f = 1/2 there).
    hill: f(x) = x^s / (x^s + k^s) with k = half_saturation and s = slope (s > 1 gives an S-curve).
    """

    type: Literal["logistic", "hill"] = Field(
        "logistic", description="Curve: 'logistic' or 'hill'. Default 'logistic'."
    )
    half_saturation: LogNormalPrior = Field(
        default_factory=lambda: LogNormalPrior(median=1.0, sigma=0.7),
        description="Prior on the spend level giving half the maximum effect, as a multiple of the channel's "
        "mean spend per period. Default lognormal median 1.0, sigma 0.7 (90% range ≈ 0.3–3.2× mean spend).",
    )
    slope: LogNormalPrior | None = Field(
        None,
        description="Prior on the Hill slope s. Only for type 'hill' (default lognormal median 1.0, "
        "sigma 0.5); must be absent for 'logistic'.",
    )

    @model_validator(mode="after")
    def _slope_matches_type(self) -> Saturation:
        if self.type == "logistic" and self.slope is not None:
            raise ValueError("slope is only used by type 'hill'; remove it or set type: hill")
        if self.type == "hill" and self.slope is None:
            object.__setattr__(self, "slope", LogNormalPrior(median=1.0, sigma=0.5))
        return self


class EffectPrior(StrictModel):
    """Prior on how much a channel drives the KPI, log-normal on an interpretable scale.

    roi: KPI units gained per unit of spend over the modelled window (contribution / spend).
    effect_share: the channel's share of the total KPI (0–1).
    """

    type: Literal["roi", "effect_share"] = Field(
        "roi",
        description="Scale of the prior: 'roi' (contribution / spend) or 'effect_share' (share of KPI). Default 'roi'.",
    )
    median: float = Field(
        1.0,
        gt=0,
        description="Prior median. Default 1.0; init_spec sets it from the data: media drive 30% of the "
        "KPI on average (median = 0.3 × total KPI / total spend × e^(-sigma²/2)).",
    )
    sigma: float = Field(1.0, gt=0, description="Sd of log(ROI or share). Default 1.0 (90% range ×/÷ 5.2).")

    @model_validator(mode="after")
    def _share_below_one(self) -> EffectPrior:
        if self.type == "effect_share" and self.median >= 1:
            raise ValueError("an effect_share median must be below 1 (it is a share of the KPI)")
        return self


class MediaChannel(StrictModel):
    """One paid-media channel: its spend (and optional exposure) variable, carry-over, saturation, effect prior."""

    name: str = Field(min_length=1, description="Channel name used in results (e.g. 'TV'). Required, unique.")
    variable: str = Field(
        min_length=1,
        description="The dataset's spend variable for this channel "
        "(e.g. 'TV_Spend'); must have role 'media'. Required.",
    )
    adstock: Adstock = Field(default_factory=Adstock, description="Carry-over; default geometric, l_max 8.")
    saturation: Saturation = Field(default_factory=Saturation, description="Diminishing returns; default logistic.")
    effect_prior: EffectPrior = Field(
        default_factory=EffectPrior,
        description="Prior on ROI or effect share; "
        "default ROI lognormal median 1, sigma 1 (init_spec sets the median per channel from the data).",
    )
    exposure: str | None = Field(
        None,
        description="The channel's exposure variable (impressions, GRPs, clicks, reach; role 'exposure'), "
        "e.g. 'TV_GRPs'. Optional; init_spec fills it when the data has one. Used only with response_on: exposure.",
    )
    response_on: Literal["spend", "exposure"] = Field(
        "spend",
        description="What the adstock and saturation curve read: 'spend' (default) or 'exposure' (the exposure "
        "variable, in spend units at the channel's average cost per exposure unit over the window). ROI is "
        "always contribution / spend (the Meridian / pymc-marketing convention).",
    )

    @model_validator(mode="after")
    def _exposure_named(self) -> MediaChannel:
        if self.response_on == "exposure" and not self.exposure:
            raise ValueError("response_on 'exposure' needs the channel's exposure variable (exposure: NAME)")
        return self
