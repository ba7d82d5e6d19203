"""Mediators of a spec: a variable on the path media → mediator → KPI (brand awareness from a survey, site
traffic), observed every period, sparsely, or never (latent, then only with informative priors)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from mmm_core.spec.media import LogNormalPrior, NormalPrior, StrictModel

SPARSE_BELOW = 0.6  # a mediator observed on fewer periods than this share is 'sparse' (latent in between)


class MediatorPriors(StrictModel):
    """Priors of a mediator's two equations, on standardised scales (mediator and KPI in sd units)."""

    media_effect: LogNormalPrior = Field(
        default_factory=lambda: LogNormalPrior(median=0.5, sigma=1.0),
        description="Effect of a feeding channel's saturated media on the mediator (mediator sds at full "
        "saturation). Default lognormal median 0.5, sigma 1.",
    )
    kpi_effect: NormalPrior = Field(
        default_factory=lambda: NormalPrior(mean=0.0, sd=0.5),
        description="Effect of one mediator sd on the KPI (KPI sds). Default normal mean 0, sd 0.5.",
    )


class Mediator(StrictModel):
    """A variable on the path media → mediator → KPI (e.g. brand awareness from a survey)."""

    name: str = Field(min_length=1, description="The dataset variable (observed/sparse) or a label (latent).")
    type: Literal["observed", "sparse", "latent"] = Field(
        "observed",
        description="'observed' (every period), 'sparse' (some periods, e.g. a monthly survey in "
        "weekly data; latent in between) or 'latent' (never observed; needs informative priors). "
        "Default 'observed'; init_spec picks 'sparse' below 60% coverage.",
    )
    channels: list[str] = Field(
        min_length=1,
        description="Media channel names feeding this mediator (init_spec: all channels). Required, at least one.",
    )
    media_effect_sign: Literal["positive", "none"] = Field(
        "positive", description="Sign constraint of media → mediator effects: 'positive' (default) or 'none'."
    )
    kpi_effect_sign: Literal["positive", "none"] = Field(
        "positive",
        description="Sign constraint of the mediator's effect on the KPI: 'positive' (default: more "
        "awareness, consideration or traffic never lowers sales, so no channel's total effect can turn negative "
        "through the mediator) or 'none'.",
    )
    carryover: bool = Field(False, description="Add AR(1) carry-over to the mediator equation. Default false.")
    priors: MediatorPriors | None = Field(
        None,
        description="Priors of the mediator equations. Optional for observed/sparse (engine defaults "
        "are those of MediatorPriors); required for 'latent', which is otherwise not identified.",
    )

    @model_validator(mode="after")
    def _latent_needs_priors(self) -> Mediator:
        if self.type == "latent" and self.priors is None:
            raise ValueError(
                "a latent mediator is never observed, so it needs informative priors: add "
                "priors: {media_effect: {median, sigma}, kpi_effect: {mean, sd}}"
            )
        if len(set(self.channels)) != len(self.channels):
            raise ValueError(f"channels of mediator {self.name!r} are listed twice")
        object.__setattr__(self, "channels", sorted(self.channels))  # order carries no meaning
        return self
