"""What a synthetic preset is made of: each channel's, control's, mediator's and brand system's truth, and the
preset that gathers them (the catalogue of presets is ``mmm_core.synth.presets``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChannelSpec:
    """One media channel's truth. ``k_ratio`` = K / mean weekly adstocked spend (Hill), or the logistic
    half-saturation point ln(3)/lam / mean adstocked spend, so a channel's curvature does not depend on its size."""

    name: str
    pattern: str  # spend shape, see synth_patterns.spend_shape
    mean_spend: float  # average weekly national spend over all weeks
    roi: float  # true total ROI (direct + indirect)
    alpha: float  # adstock decay (geometric) or concentration (delayed)
    slope: float = 1.0
    k_ratio: float = 1.0
    saturation: str = "hill"  # hill | logistic
    adstock: str = "geometric"  # geometric | delayed
    theta: float = 0.0  # delayed adstock peak lag (weeks)
    start_week: int = 0  # for pattern "late"
    share_mediated: float = 0.0  # share of the total contribution flowing through the mediator


@dataclass(frozen=True)
class ControlSpec:
    """A control's truth: ``effect`` is the KPI change per ``typical`` unit (1 for 0/1 events, one standard
    deviation for continuous controls) as a share of the intercept; negative for price."""

    name: str
    kind: str  # see synth_patterns.control_series
    effect: float


@dataclass(frozen=True)
class MediatorSpec:
    """A mediator (e.g. brand awareness in % points) observed on the first week of each month only."""

    name: str = "Awareness"
    base: float = 25.0  # awareness with no media, % points
    media_points: float = 10.0  # average awareness points driven by media (fixes gamma's scale)
    rho: float = 0.6  # AR(1) coefficient of the latent deviations
    ar_sd: float = 1.0  # innovation sd of the latent deviations, % points
    obs_sd: float = 0.5  # survey sampling error, % points


@dataclass(frozen=True)
class BrandSpec:
    """The long-term (brand) system of a brand preset (formulas in ``mmm_core.synth.brand``).

    Brand metrics follow a VAR(1) in deviations from their base levels, driven by each channel's adstocked spend;
    base sales move with the metrics' deviations. ``long_roi`` is the target long-term ROI per channel (sales per
    unit of spend, cumulated over ``horizon`` weeks after the spend): the generator scales each channel's loading
    so the truth's impulse response meets it exactly. ``to_consideration`` is the share of a channel's brand input
    that lands on Consideration rather than Awareness.
    """

    long_roi: dict[str, float]
    to_consideration: dict[str, float] = field(default_factory=dict)
    metrics: tuple[str, str] = ("Awareness", "Consideration")
    base_levels: tuple[float, float] = (30.0, 15.0)  # % points with no media
    rho: tuple[float, float] = (0.85, 0.75)  # own persistence of each metric
    awareness_to_consideration: float = 0.15  # next week's consideration points per awareness point
    sales_per_point: tuple[float, float] = (0.01, 0.02)  # base sales per metric point, share of mean KPI
    ar_sd: tuple[float, float] = (1.2, 0.8)  # innovation sd of each metric's own movement, % points
    obs_sd: tuple[float, float] = (0.3, 0.3)  # measurement error of the observed metrics, % points
    horizon: int = 24  # weeks over which the long-term ROI is cumulated (the spec's default horizon)
    survey: bool = False  # True: metrics observed on the first week of each month only


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    n_weeks: int
    n_geos: int
    channels: tuple[ChannelSpec, ...]
    controls: tuple[ControlSpec, ...]
    media_share: float = 0.3  # target share of total KPI driven by media
    trend: float = 0.15  # baseline growth over the whole series
    season_sin: float = 0.10
    season_cos: float = 0.05
    noise_frac: float = 0.06  # Gaussian noise sd as a share of mean KPI (per geo)
    geo_beta_sd: float = 0.2  # sd of log geo multipliers of beta (partial pooling)
    mediator: MediatorSpec | None = None
    brand: BrandSpec | None = None  # a long-term brand system (synth.brand); None for the short-term presets
    extra: dict = field(default_factory=dict)
