"""The spec's ``long_term`` block (issue 21): brand metrics, the Bayesian VAR over base sales and those metrics,
its Minnesota-style priors, the stationarity handling and the impulse-response horizon.

Step 1 is the MMM of the rest of the spec; it yields base sales (KPI minus short-term media). Step 2 is a VAR(p)
over ``[base sales, metric 1, ...]`` with each channel's adstocked spend as an exogenous input; cumulating its
impulse response to a unit of spend over ``horizon`` periods gives the channel's long-term ROI.

Defaults and why:

- ``lags`` 2: the lag order of the system this is learnt from (seeds-long-term.md), enough for a hump-shaped
  response (awareness before consideration) while keeping the parameter count (lags × variables² ) small
  against three years of weekly data.
- ``horizon`` 24 periods: half a year of weeks. A persistent but stable metric (own root 0.85) keeps 2% of its
  response after 24 weeks; a longer horizon mostly adds uncertainty, a shorter one cuts real effects.
- ``stationarity: detrend`` (default): base sales from step 1 still carry trend and seasonality, and brand metrics
  drift; a VAR in raw levels would read a shared drift as a long-term effect (spurious regression). Detrending
  each series (the engine removes a linear trend) keeps the *levels* relation — a campaign that lifts awareness
  lifts sales while awareness stays up — which is the long-term effect. ``difference`` models week-on-week
  changes (use when a series wanders like a random walk; its IRFs are cumulated back to levels), and is
  ill-defined across the gaps of a sparse survey; ``levels`` is for series already stationary.
- Step 1's trend: ``spec init --brand-metrics`` drafts ``trend: {type: local_level}`` (``STEP1_TREND``). The brand
  metrics are not in step 1, so base sales carry their effect as a slow wandering level that a line cannot follow.
  Measured on the brand preset (2 x (500 + 500) NUTS): with a linear trend step 1 failed its own health review on
  seed 0 (max R-hat 1.17, divergences) and put TV's short-term ROI at 1.08 [0.82, 1.35] against a true 0.8; with
  the local level, seeds 0-2 converged (max R-hat 1.03 / 1.01 / 1.01; 0 / 6 / 2 divergences in 1,000 draws) and
  every short-term ROI interval but TV's on seeds 1-2 covers its truth. What the local level does not fix: step
  1's adstock still takes the first weeks of TV's brand response as short-term (TV short 0.99 / 1.12 / 1.12 vs
  0.8, long share 0.55 / 0.50 / 0.40 vs 0.67) — the two-step design's own bias, stated in the recovery test.
- Minnesota prior (Litterman 1986; Lütkepohl 2005 §5.2), on standardised series: the coefficient of variable j's
  lag l in equation i is Normal(m, s²) with m = ``own_lag_mean`` for i = j at l = 1 and 0 otherwise, and
  s = ``overall_tightness`` / l^``lag_decay`` (× ``cross_tightness`` when i ≠ j). So recent lags weigh more, a
  variable's own past more than others', and everything shrinks toward "no dynamics" unless the data insist —
  shrinkage *against* long-term effects, which must earn their place. ``own_lag_mean`` 0.5: brand metrics are
  persistent, but centring on 1 (the random-walk Minnesota default for levels) would centre the prior on a unit
  root, i.e. on effects that never decay. Media (exogenous) coefficients: Normal(0, ``exogenous_sd``²) per sd of
  adstocked spend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, model_validator

from mmm_core.data.roles import MEDIATOR_COVERAGE
from mmm_core.errors import SpecValidationError
from mmm_core.spec.media import StrictModel

DEFAULT_LAGS = 2
DEFAULT_HORIZON = 24
STEP1_TREND = "local_level"  # the trend drafted for step 1 with a long_term block (module docstring: why)


class BrandMetric(StrictModel):
    """A brand metric of the VAR (awareness, consideration, ...), a variable of the dataset."""

    name: str = Field(min_length=1, description="The dataset variable (e.g. 'Awareness'). Required, unique.")
    type: Literal["observed", "sparse"] = Field(
        "observed",
        description="'observed' (every period) or 'sparse' (some periods, e.g. a monthly survey in weekly data; "
        "the VAR treats the other periods as missing). Default 'observed'; spec init picks 'sparse' below 60% "
        "coverage.",
    )


class MinnesotaPrior(StrictModel):
    """Minnesota-style shrinkage of the VAR coefficients (module docstring: formula and the defaults' reasons)."""

    own_lag_mean: float = Field(
        0.5, ge=0, le=1, description="Prior mean of each variable's own first lag. Default 0.5 (persistent, stable)."
    )
    overall_tightness: float = Field(
        0.2, gt=0, description="Prior sd of own first-lag coefficients (standardised series). Default 0.2."
    )
    cross_tightness: float = Field(
        0.5, gt=0, le=1, description="Multiplier of the sd for other variables' lags (≤ 1). Default 0.5."
    )
    lag_decay: float = Field(
        1.0, ge=0, description="Prior sd falls as 1 / lag^lag_decay (recent lags weigh more). Default 1."
    )
    exogenous_sd: float = Field(
        0.5, gt=0, description="Prior sd of media (exogenous) coefficients per sd of adstocked spend. Default 0.5."
    )


class LongTerm(StrictModel):
    """Long-term effects: a Bayesian VAR over base sales and brand metrics with media as exogenous inputs."""

    brand_metrics: list[BrandMetric] = Field(
        min_length=1, description="Brand metrics of the VAR (dataset variables; sparse survey metrics allowed)."
    )
    lags: int = Field(DEFAULT_LAGS, ge=1, le=12, description="VAR lag order in periods. Default 2.")
    horizon: int = Field(DEFAULT_HORIZON, ge=1, le=260, description="Impulse-response horizon in periods. Default 24.")
    stationarity: Literal["detrend", "difference", "levels"] = Field(
        "detrend",
        description="How trending series enter the VAR: 'detrend' (remove a linear trend; default, keeps the "
        "levels relation), 'difference' (period-on-period changes) or 'levels' (as they are).",
    )
    prior: MinnesotaPrior = Field(
        default_factory=MinnesotaPrior, description="Minnesota-style shrinkage of the VAR. Defaults documented."
    )

    @model_validator(mode="after")
    def _metrics_unique_sorted(self) -> LongTerm:
        names = [m.name for m in self.brand_metrics]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"brand metric(s) listed twice: {', '.join(dupes)}")
        if self.stationarity == "difference" and any(m.type == "sparse" for m in self.brand_metrics):
            raise ValueError(
                "stationarity 'difference' needs every period of each metric, but a sparse (survey) metric has gaps; "
                "use 'detrend' or 'levels'"
            )
        object.__setattr__(self, "brand_metrics", sorted(self.brand_metrics, key=lambda m: m.name))
        return self

    @property
    def metric_names(self) -> list[str]:
        return [m.name for m in self.brand_metrics]


def long_term_problems(block: LongTerm | None, describe: dict[str, Any], n_channels: int) -> list[str]:
    """What in ``block`` does not fit the described dataset: unknown or media metrics (naming what exists),
    an 'observed' metric with gaps, too few periods for the VAR's parameters."""
    if block is None:
        return []
    variables = {v["name"]: v for v in describe["variables"]}
    allowed = sorted(n for n, v in variables.items() if v["role"] not in ("media", "exposure"))
    out = []
    for m in block.brand_metrics:
        v = variables.get(m.name)
        if v is None or v["role"] in ("media", "exposure"):
            what = "is not a variable of this dataset" if v is None else "is a media variable"
            out.append(f"long_term.brand_metrics[{m.name}] {what}; allowed: {allowed}")
            continue
        coverage = v.get("coverage")
        if m.type == "observed" and coverage is not None and coverage < MEDIATOR_COVERAGE:
            out.append(
                f"long_term.brand_metrics[{m.name}] is observed on only {coverage:.0%} of periods; use type: sparse"
            )
    count = describe["periods"]["count"]
    params = block.lags * (1 + len(block.brand_metrics)) + n_channels + 1  # per VAR equation
    if count <= 2 * params:
        out.append(
            f"long_term.lags {block.lags}: each VAR equation has {params} coefficients but the data have {count} "
            f"periods (need more than {2 * params}); lower lags or use fewer brand metrics"
        )
    return out


def draft_long_term(describe: dict[str, Any], names: list[str]) -> LongTerm:
    """The default block for brand metrics ``names`` (checked by the caller): sparse below 60% coverage."""
    coverage = {v["name"]: v.get("coverage") for v in describe["variables"]}
    return LongTerm(
        brand_metrics=[
            BrandMetric(name=n, type="sparse" if (coverage.get(n) or 0) < MEDIATOR_COVERAGE else "observed")
            for n in names
        ]
    )


def check_brand_metrics(variables: dict[str, Any], names: Sequence[str], kpi: str) -> list[str]:
    """The named brand metrics, refused (naming the candidates) when one is not a non-media variable."""
    allowed = sorted(n for n, v in variables.items() if v["role"] not in ("media", "exposure") and n != kpi)
    bad = [n for n in names if n not in allowed]
    if bad:
        raise SpecValidationError(
            f"Brand metric(s) {', '.join(map(repr, bad))} are not non-media variables of this dataset other than "
            f"the KPI; candidates: {', '.join(allowed) or '(none)'}.",
            "Name brand-metric variables of the dataset (e.g. --brand-metrics Awareness,Consideration); "
            "`mmm-agent describe DATASET` lists them.",
            code="unknown_brand_metric",
        )
    return list(dict.fromkeys(names))


def long_term_note(lt: LongTerm) -> str:
    """The draft note stating the block's choices."""
    kinds = ", ".join(f"{m.name} ({m.type})" for m in lt.brand_metrics)
    return (
        f"Long-term block: a Bayesian VAR({lt.lags}) over base sales and {kinds}, media as exogenous inputs, "
        f"{lt.horizon}-period impulse responses, stationarity '{lt.stationarity}', Minnesota shrinkage toward no "
        "dynamics; these metrics are not controls or mediators of step 1. Step 1's trend is a local level (a "
        "line plus a random walk): the brand effect it leaves in base sales wanders, and a line cannot follow it."
    )


__all__ = [
    "DEFAULT_HORIZON",
    "DEFAULT_LAGS",
    "STEP1_TREND",
    "BrandMetric",
    "LongTerm",
    "MinnesotaPrior",
    "check_brand_metrics",
    "draft_long_term",
    "long_term_note",
    "long_term_problems",
]
