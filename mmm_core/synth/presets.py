"""The synthetic presets: which channels, spend shapes, true transforms, ROIs and controls each one has.

Fixed presets (``national_small``, ``national_logistic``, ``geo_medium``, ``mediated``, ``mediated_single``,
``mediated_survey``) have hand-set truths so tests and docs can name them; ``enterprise`` draws its 30 channels'
parameters from the seed (after PyMC Labs' large_business: alpha ~ U(0, 0.5), Hill slope ~ U(0.5, 2)).

The brand presets (``brand``, ``brand_survey``, ``brand_none``; issue 21) add a long-term system on top of the
short-term model: see :class:`BrandSpec` and ``mmm_core.synth.brand``. There ``ChannelSpec.roi`` is the short-term
ROI only and ``BrandSpec.long_roi`` the long-term one.

``roi`` is the *target* true ROI: the generator calibrates each channel's coefficient so that the realised
total contribution / total spend equals it exactly (see ``synth_dgp.calibrate``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mmm_core.synth import controls as ctl
from mmm_core.synth.preset_records import (  # re-exported: dgp, multi, brand, truth and the benches import them here
    BrandSpec,
    ChannelSpec,
    ControlSpec,
    MediatorSpec,
    Preset,
)


def _controls(rows: tuple[tuple[str, str, float], ...]) -> tuple[ControlSpec, ...]:
    return tuple(ControlSpec(*row) for row in rows)


SMALL_CONTROLS = (
    ControlSpec("Price", "price", -0.06),
    ControlSpec("Promo", "event", 0.10),
    ControlSpec("Holiday", "holiday", 0.15),
)

NATIONAL_SMALL = Preset(
    "national_small",
    "104 weeks, national, 4 channels (PyMC Labs small_business with realistic ROIs), Hill, geometric adstock",
    104,
    1,
    (
        ChannelSpec("Search", "trend", 4000.0, 2.5, 0.0, 1.0, 1.0),
        ChannelSpec("Social", "seasonal", 2500.0, 1.2, 0.2, 1.5, 0.8),
        ChannelSpec("Local", "onoff", 1500.0, 0.3, 0.4, 1.0, 1.5),
        ChannelSpec("Email", "onoff", 600.0, 4.0, 0.3, 2.0, 0.5),
    ),
    SMALL_CONTROLS,
)

NATIONAL_LOGISTIC = replace(
    NATIONAL_SMALL,
    name="national_logistic",
    description="national_small with logistic saturation (half-saturation at the same spend as its Hill K)",
    channels=tuple(replace(c, saturation="logistic", slope=1.0) for c in NATIONAL_SMALL.channels),
)

GEO_MEDIUM = Preset(
    "geo_medium",
    "8 geos x 156 weeks x 8 channels, 4 controls (PyMC Labs medium_business), Hill, geometric adstock",
    156,
    8,
    (
        ChannelSpec("Search", "trend", 12000.0, 3.2, 0.05, 1.0, 1.0),
        ChannelSpec("Shopping", "trend", 8000.0, 2.0, 0.1, 1.2, 0.8),
        ChannelSpec("Video", "late", 10000.0, 1.0, 0.3, 1.5, 1.2, start_week=25),
        ChannelSpec("CTV", "late", 9000.0, 0.6, 0.4, 2.0, 1.0, start_week=75),
        ChannelSpec("Social", "seasonal", 7000.0, 1.4, 0.2, 1.5, 0.8),
        ChannelSpec("Radio", "seasonal", 5000.0, 0.8, 0.35, 1.0, 1.5),
        ChannelSpec("Display", "steady", 6000.0, 0.3, 0.15, 1.0, 0.6),
        ChannelSpec("Influencer", "onoff", 2000.0, 4.5, 0.25, 2.0, 0.5),
    ),
    SMALL_CONTROLS + (ControlSpec("Competitor_Index", "index", -0.04),),
)

MEDIATED = Preset(
    "mediated",
    "156 weeks, national, 5 channels; TV and Social work partly through monthly-surveyed Awareness",
    156,
    1,
    (
        ChannelSpec("TV", "onoff", 15000.0, 1.8, 0.6, 1.0, 1.0, share_mediated=0.8),
        ChannelSpec("Search", "trend", 6000.0, 3.5, 0.1, 1.0, 1.0),
        ChannelSpec("Social", "seasonal", 5000.0, 1.2, 0.3, 1.5, 0.8, share_mediated=0.4),
        ChannelSpec("Radio", "onoff", 3000.0, 0.6, 0.4, 1.0, 1.2),
        ChannelSpec("Print", "steady", 2500.0, 0.3, 0.5, 1.0, 0.7),
    ),
    SMALL_CONTROLS,
    media_share=0.35,
    mediator=MediatorSpec(),
)

MEDIATED_SINGLE = replace(
    MEDIATED,
    name="mediated_single",
    description="mediated, but Awareness is fed by TV alone (the single-channel mediator regression case)",
    channels=tuple(c if c.name == "TV" else replace(c, share_mediated=0.0) for c in MEDIATED.channels),
)

# The mediated world where a monthly survey does pin the split (issue 16 item 6): awareness moves three times as
# much for its own reasons (innovation sd 3 points) and the KPI noise is 3%, so the survey months show the
# mediator's own movement against the KPI (an oracle that knows every curve estimates awareness's KPI effect with a
# relative s.e. of 6-13%, against 33-61% in `mediated`, where the honest answer is a wide, labelled split).
MEDIATED_SURVEY = replace(
    MEDIATED,
    name="mediated_survey",
    description="mediated, with a survey that identifies the split: Awareness moves for its own reasons, 3% noise",
    noise_frac=0.03,
    mediator=MediatorSpec(ar_sd=3.0),
)

# The long-term truth (issue 21). TV builds the brand (two thirds of its effect is long-term), Search sells now and
# builds nothing, Social and Radio sit in between. `media_share` is the short-term media share of the KPI without
# the brand system; the brand sales come on top. Weekly brand metrics make the VAR identifiable from the data.
BRAND = Preset(
    "brand",
    "156 weeks, national, 4 channels; media build weekly Awareness and Consideration, which lift base sales "
    "for weeks (known short- and long-term ROI)",
    156,
    1,
    (
        ChannelSpec("TV", "onoff", 15000.0, 0.8, 0.5, 1.0, 1.0),
        ChannelSpec("Search", "trend", 6000.0, 2.5, 0.1, 1.0, 1.0),
        ChannelSpec("Social", "seasonal", 5000.0, 1.0, 0.3, 1.5, 0.8),
        ChannelSpec("Radio", "onoff", 3000.0, 0.5, 0.4, 1.0, 1.2),
    ),
    SMALL_CONTROLS,
    media_share=0.25,
    noise_frac=0.04,
    brand=BrandSpec(
        long_roi={"TV": 1.6, "Search": 0.0, "Social": 0.5, "Radio": 0.25},
        to_consideration={"TV": 0.2, "Social": 0.5, "Radio": 0.0},
    ),
)

BRAND_SURVEY = replace(
    BRAND,
    name="brand_survey",
    description="brand, with Awareness and Consideration from a monthly survey (first week of each month only)",
    brand=replace(BRAND.brand, survey=True),
)

# The null world: the metrics move for their own reasons (and move sales), but no channel moves them, so every
# long-term ROI is zero and a model that finds one has found noise.
BRAND_NONE = replace(
    BRAND,
    name="brand_none",
    description="brand metrics that move (and move sales) for their own reasons; no media -> brand path, so "
    "every long-term ROI is 0",
    brand=replace(BRAND.brand, long_roi={c.name: 0.0 for c in BRAND.channels}, ar_sd=(2.0, 1.2)),
)

ENTERPRISE_CONTROLS = (
    ControlSpec("Price", "price", -0.05),
    ControlSpec("Promo", "event", 0.08),
    ControlSpec("Holiday", "holiday", 0.12),
    ControlSpec("Competitor_Index", "index", -0.03),
    ControlSpec("Distribution", "trend", 0.04),
    ControlSpec("Temperature", "weather", 0.02),
    ControlSpec("Event_A", "event", 0.05),
    ControlSpec("Event_B", "event", 0.03),
    ControlSpec("Consumer_Confidence", "index", 0.02),
    ControlSpec("Stockout", "event", -0.06),
)

# (family name, spend pattern, adstock, count) — PyMC Labs large_business: 10 trend, 5 delayed, 5 seasonal,
# 10 on/off. "Delayed" channels start mid-series and have a delayed (peaked) adstock.
ENTERPRISE_FAMILIES = (
    ("Search", "trend", "geometric", 10),
    ("Video", "late", "delayed", 5),
    ("Social", "seasonal", "geometric", 5),
    ("Display", "onoff", "geometric", 10),
)


def enterprise(rng: np.random.Generator) -> Preset:
    """50 geos x 208 weeks x 30 channels x 10 controls; channel truths drawn from ``rng``."""
    channels = []
    for family, pattern, kind, count in ENTERPRISE_FAMILIES:
        for i in range(1, count + 1):
            delayed = kind == "delayed"
            channels.append(
                ChannelSpec(
                    f"{family}{i:02d}",
                    pattern,
                    mean_spend=float(np.round(np.exp(rng.uniform(np.log(2e4), np.log(2e5))), -2)),
                    roi=float(np.round(np.exp(rng.uniform(np.log(0.3), np.log(4.5))), 2)),
                    alpha=float(np.round(rng.uniform(0.2, 0.6) if delayed else rng.uniform(0.0, 0.5), 3)),
                    slope=float(np.round(rng.uniform(0.5, 2.0), 3)),
                    k_ratio=float(np.round(rng.uniform(0.5, 1.5), 3)),
                    adstock=kind,
                    theta=float(np.round(rng.uniform(1.0, 3.0), 2)) if delayed else 0.0,
                    start_week=int(rng.integers(20, 100)) if delayed else 0,
                )
            )
    return Preset(
        "enterprise",
        "50 geos x 208 weeks x 30 channels, 10 controls (PyMC Labs large_business)",
        208,
        50,
        tuple(channels),
        ENTERPRISE_CONTROLS,
        media_share=0.4,
    )


FIXED = {
    p.name: p
    for p in (
        NATIONAL_SMALL,
        NATIONAL_LOGISTIC,
        GEO_MEDIUM,
        MEDIATED,
        MEDIATED_SINGLE,
        MEDIATED_SURVEY,
        BRAND,
        BRAND_SURVEY,
        BRAND_NONE,
    )
}
# Control-selection worlds (issue 22): the candidate controls and the confounder are in mmm_core.synth.controls.
SPARSE_CONTROLS = Preset(
    "sparse_controls",
    ctl.SPARSE_DESCRIPTION,
    156,
    1,
    NATIONAL_SMALL.channels,
    _controls(ctl.SPARSE_TRUE + ctl.SPARSE_NULL),
)
CONFOUNDED_CONTROL = Preset(
    "confounded_control",
    ctl.CONFOUNDED_DESCRIPTION,
    156,
    1,
    NATIONAL_SMALL.channels,
    _controls(ctl.CONFOUNDED),
    extra=ctl.CONFOUNDED_EXTRA,
)
CONTROL_SELECTION_PRESETS = (SPARSE_CONTROLS.name, CONFOUNDED_CONTROL.name)


# Several KPIs (issue 22): the truths of mmm_core.synth.multi (formulas there). Each outcome gets the preset's
# media share; its size follows from its ROIs. Channel ROIs in ``MultiSpec.roi`` are *direct* (the outcome's own
# media term); the truth record adds what cross-effects route, so its per-outcome ROIs are counterfactual.
@dataclass(frozen=True)
class CrossTruth:
    """A true cross-effect: ``target += kappa * modulator_t * D_source[t - lag]`` (D: media + controls + routed)."""

    source: str
    target: str
    kind: str  # cannibalisation | halo | spillover (the sign the truth has)
    kappa: float
    modulator: str | None = None
    lag: int = 0


@dataclass(frozen=True)
class MultiSpec:
    """Per-outcome truth. ``roi``: channel -> direct ROI per outcome. ``k_scale``: per outcome, a multiplier of
    every channel's saturation half-point (saturation differs across outcomes). ``saturation``: per outcome.
    ``control_effects``: control -> effect per outcome per typical unit as a share of that outcome's intercept
    (0: the control does not move it). ``missing``: (outcome, geo index, first week, last week) unobserved."""

    outcomes: tuple[str, ...]
    roi: dict[str, tuple[float, ...]]
    k_scale: tuple[float, ...]
    saturation: tuple[str, ...]
    trend: tuple[float, ...]
    control_effects: dict[str, tuple[float, ...]]
    cross: tuple[CrossTruth, ...]
    noise_corr: float = 0.4
    missing: tuple[tuple[str, int, int, int], ...] = ()


_PRODUCT_CHANNELS = (
    ChannelSpec("TV", "onoff", 12000.0, 0.0, 0.6, 1.0, 1.0, adstock="delayed", theta=1.0),
    ChannelSpec("Search", "trend", 5000.0, 0.0, 0.1, 1.0, 1.0),
    ChannelSpec("Social", "seasonal", 4000.0, 0.0, 0.3, 1.5, 0.8),
    ChannelSpec("Display", "steady", 3000.0, 0.0, 0.2, 1.0, 0.7),
)
_TWO_PRODUCTS = MultiSpec(
    outcomes=("Sales_Single", "Sales_Multi"),
    roi={"TV": (1.2, 0.8), "Search": (2.0, 1.5), "Social": (0.8, 1.4), "Display": (0.4, 0.3)},
    k_scale=(1.0, 1.5),
    saturation=("hill", "logistic"),
    trend=(0.10, -0.05),
    control_effects={"Price": (-0.06, -0.04), "Promo_Multi": (0.0, 0.30)},
    cross=(CrossTruth("Sales_Multi", "Sales_Single", "cannibalisation", -0.3, modulator="Promo_Multi"),),
)
_PRODUCT_CONTROLS = (ControlSpec("Price", "price", 0.0), ControlSpec("Promo_Multi", "bursts", 0.0))
TWO_PRODUCTS = Preset(
    "two_products",
    "104 weeks, national, 4 channels, 2 KPIs (single-pack, multipack); the multipack promotion cannibalises "
    "single-pack (kappa -0.3 in promotion weeks), correlated noise; TV delayed, multipack logistic (not the model)",
    104,
    1,
    _PRODUCT_CHANNELS,
    _PRODUCT_CONTROLS,
    noise_frac=0.04,
    extra={"multi": _TWO_PRODUCTS},
)
TWO_PRODUCTS_NULL = replace(
    TWO_PRODUCTS,
    name="two_products_null",
    description="two_products where the multipack promotion takes nothing from single-pack (true kappa 0)",
    extra={"multi": replace(_TWO_PRODUCTS, cross=(replace(_TWO_PRODUCTS.cross[0], kind="none", kappa=0.0),))},
)
TWO_PRODUCTS_GEO = replace(
    TWO_PRODUCTS,
    name="two_products_geo",
    description="two_products on 4 geos x 104 weeks; multipack is not sold in Geo01 and launches in Geo02 in week 26",
    n_geos=4,
    extra={"multi": replace(_TWO_PRODUCTS, missing=(("Sales_Multi", 0, 0, 103), ("Sales_Multi", 1, 0, 25)))},
)
MULTI_PRESETS = (TWO_PRODUCTS.name, TWO_PRODUCTS_NULL.name, TWO_PRODUCTS_GEO.name)
FIXED.update({p.name: p for p in (TWO_PRODUCTS, TWO_PRODUCTS_NULL, TWO_PRODUCTS_GEO)})
FIXED.update({p.name: p for p in (SPARSE_CONTROLS, CONFOUNDED_CONTROL)})
PRESETS: tuple[str, ...] = (
    "national_small",
    "national_logistic",
    "geo_medium",
    "mediated",
    "mediated_single",
    "mediated_survey",
    "enterprise",
    "brand",
    "brand_survey",
    "brand_none",
    *CONTROL_SELECTION_PRESETS,
    *MULTI_PRESETS,
)


def build(name: str, rng: np.random.Generator) -> Preset:
    """The preset ``name`` (caller has checked it is one of ``PRESETS``)."""
    return enterprise(rng) if name == "enterprise" else FIXED[name]
