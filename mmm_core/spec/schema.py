"""The model specification: everything the engine needs to build one Bayesian MMM, as plain data.

A ``ModelSpec`` is drafted from a dataset (``init_spec``), edited freely as a YAML file, then locked in the
ledger (``mmm_core.ledger.specs.lock``). Every field is either used by the engine or refused here — nothing is accepted
and silently ignored. Priors live on scales a marketer can argue about: ROI, adstock half-life in periods,
half-saturation as a multiple of the channel's mean spend.

Units: durations (``l_max``, half-life, peak delay, seasonal period, holdout) are counted in *periods of the
dataset* — weeks for weekly data. ``init_spec`` converts its weekly defaults to the dataset's frequency.

Example:
    >>> spec = ModelSpec(dataset_id="ds_1", kpi="Sales", media=[MediaChannel(name="TV", variable="TV_Spend")])
    >>> ModelSpec.from_yaml(spec.to_yaml()) == spec
    True
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ConfigDict, Field, ValidationError, model_serializer, model_validator

from mmm_core.errors import SpecValidationError
from mmm_core.outputs import write_atomic
from mmm_core.spec.canonical import (  # re-exported: the schema is where callers look for a spec's identity
    canonical_json,
    diff_specs,
    format_diff,
    spec_sha256,
    validation_message,
)
from mmm_core.spec.comparison import Comparison, ComparisonMember
from mmm_core.spec.controls import ControlClass, ControlSelection, selection_problems
from mmm_core.spec.experiments import SpecExperiment, experiments_problems
from mmm_core.spec.long_term import BrandMetric, LongTerm, MinnesotaPrior
from mmm_core.spec.media import (  # re-exported: part of the schema
    Adstock,
    EffectPrior,
    LogNormalPrior,
    MediaChannel,
    NormalPrior,
    Saturation,
    StrictModel,
)
from mmm_core.spec.mediators import Mediator, MediatorPriors  # re-exported: part of the schema
from mmm_core.spec.outcomes import Outcomes, outcome_spec_problems, outcome_variables

SPEC_FORMAT = 1


class Control(StrictModel):
    """A non-media driver of the KPI (price, distribution, holidays...)."""

    model_config = ConfigDict(**StrictModel.model_config, populate_by_name=True)  # `class` in YAML, class_ in Python

    name: str = Field(min_length=1, description="The dataset variable. Required, unique.")
    sign: Literal["positive", "negative", "none"] = Field(
        "none",
        description="Constraint on the coefficient's sign: 'positive', 'negative' or 'none' "
        "(unconstrained). Default 'none'.",
    )
    class_: ControlClass | None = Field(
        None,
        alias="class",
        description="Causal role: 'precision' (moves the KPI, not media spend: may be selected), 'confounder' "
        "(drives spend and the KPI: always in), 'core' (baseline structure: always in) or 'mediator' (on the "
        "media → KPI path: always in). Default none: always in, never selected (mmm_core.spec.controls).",
    )

    @model_serializer(mode="wrap")
    def _class_as_written(self, handler):
        # `class` is the key users write; absent stays absent so specs locked before classes keep their hash.
        data = handler(self)
        cls = data.pop("class_", None) if isinstance(data, dict) else None
        if cls is not None:
            data["class"] = cls
        return data


class Trend(StrictModel):
    type: Literal["none", "linear", "piecewise", "local_level"] = Field(
        "linear",
        description="Baseline trend: 'none', 'linear', 'piecewise' (linear with slope changes at "
        "changepoints) or 'local_level' (a line plus a random-walk level, so base sales can wander; "
        "the long-term model's step 1). Default 'linear'.",
    )
    changepoints: list[dt.date] = Field(
        default_factory=list,
        description="Dates where the slope may change (ISO dates inside the data "
        "window). Required (≥ 1) for 'piecewise'; must be empty otherwise. Default empty.",
    )

    @model_validator(mode="after")
    def _changepoints_match_type(self) -> Trend:
        if self.type == "piecewise" and not self.changepoints:
            raise ValueError("a piecewise trend needs at least one changepoint date")
        if self.type != "piecewise" and self.changepoints:
            raise ValueError("changepoints are only used by type 'piecewise'")
        if len(set(self.changepoints)) != len(self.changepoints):
            raise ValueError("a changepoint date is listed twice")
        object.__setattr__(self, "changepoints", sorted(self.changepoints))
        return self


class Seasonality(StrictModel):
    fourier_order: int = Field(
        2,
        ge=0,
        le=20,
        description="Number of Fourier sine/cosine pairs; 0 turns seasonality off. Default 2 "
        "(init_spec: 2 with ≥ 2 years of data, 1 with 1–2 years, 0 below one year).",
    )
    period: float = Field(
        52.18,
        gt=1,
        description="Length of the seasonal cycle in periods. Default 52.18 "
        "(weekly data); init_spec uses 365.25 for daily and 12 for monthly data.",
    )

    @model_validator(mode="after")
    def _below_nyquist(self) -> Seasonality:
        if 2 * self.fourier_order >= self.period:
            raise ValueError(
                f"fourier_order {self.fourier_order} is too high for a period of {self.period} "
                f"(needs 2 × order < period)"
            )
        return self


class Geo(StrictModel):
    pooling: Literal["none", "partial", "full"] = Field(
        "full",
        description="How media effects are shared across geographies: 'none' (independent per geo), "
        "'partial' (hierarchical, needs > 1 geography) or 'full' (one set for all). Default 'full'; "
        "init_spec picks 'partial' for > 1 geography.",
    )
    national_media: str = Field(
        "kpi_share",
        min_length=1,
        description="How media rows on a national Geography ('National', 'Total', 'All' or empty) beside geo rows "
        "enter a geo model: 'kpi_share' (default: each period's national spend split across geos by each geo's "
        "share of the KPI over the whole window), 'equal', the name of a variable (e.g. 'Population') whose "
        "per-geo totals give the split, or 'regressor' (a channel observed only nationally enters every geo as one "
        "national series with one coefficient shared by all geos; ROI on total national spend). Never dropped or "
        "double counted; unused without national rows.",
    )


class Holdout(StrictModel):
    last_n: int = Field(
        0,
        ge=0,
        description="Number of final periods held out of fitting and scored once per "
        "fit. Default 0 (no holdout). Must be below half the periods.",
    )


class Sampler(StrictModel):
    chains: int = Field(2, ge=1, le=64, description="NUTS chains (run in parallel). Default 2.")
    warmup: int = Field(1000, ge=10, description="Warm-up (tuning) iterations per chain. Default 1000.")
    draws: int = Field(1000, ge=10, description="Kept draws per chain. Default 1000.")
    target_accept: float | None = Field(
        None,
        gt=0.5,
        lt=1,
        description="NUTS target acceptance. Default: the engine's — 0.85 for a geo panel whose warm-up is staged "
        "(a dense mass matrix estimated from draws), else 0.9; the fit records the value used.",
    )
    seed: int = Field(0, ge=0, description="Random seed; same spec, data and seed give the same numbers. Default 0.")


class Interval(StrictModel):
    level: float = Field(0.9, gt=0, lt=1, description="Credible interval mass reported. Default 0.9.")
    method: Literal["equal_tailed", "hdi"] = Field(
        "equal_tailed", description="'equal_tailed' (quantiles) or 'hdi' (highest density). Default 'equal_tailed'."
    )


class ModelSpec(StrictModel):
    """One Bayesian MMM, fully specified. Lists are kept sorted by name: their order carries no meaning."""

    spec_format: Literal[1] = Field(SPEC_FORMAT, description="Version of this spec format. Always 1.")
    dataset_id: str = Field(min_length=1, description="Id of the dataset (e.g. 'ds_3f9a1c2b'). Required.")
    kpi: str = Field(min_length=1, description="The KPI variable to explain (e.g. 'Sales'). Required.")
    media: list[MediaChannel] = Field(min_length=1, description="Paid-media channels. At least one.")
    controls: list[Control] = Field(default_factory=list, description="Control variables. Default none.")
    mediators: list[Mediator] = Field(default_factory=list, description="Mediators. Default none.")
    trend: Trend = Field(default_factory=Trend, description="Baseline trend. Default linear.")
    seasonality: Seasonality = Field(
        default_factory=Seasonality, description="Fourier seasonality. Default order 2, period 52.18."
    )
    geo: Geo = Field(default_factory=Geo, description="Geo pooling. Default 'full'.")
    likelihood: Literal["additive", "multiplicative"] = Field(
        "additive",
        description="'additive' (KPI = base + Σ effects) or 'multiplicative' (log KPI; requires "
        "a positive KPI). Default 'additive'.",
    )
    noise: Literal["normal", "student_t"] = Field(
        "normal",
        description="Residual distribution: 'normal' or 'student_t' (robust to outliers, 5 degrees "
        "of freedom). Default 'normal'.",
    )
    holdout: Holdout = Field(default_factory=Holdout, description="Holdout window. Default none.")
    sampler: Sampler = Field(default_factory=Sampler, description="Sampler defaults (a fit may override).")
    interval: Interval = Field(
        default_factory=Interval, description="Interval level and method. Default 90% equal-tailed."
    )
    comparison: Comparison | None = Field(
        None,
        description="Alternative curve families fitted beside this model and the rule combining them "
        "(pre-registered with the spec). Optional; absent = one model.",
    )
    experiments: list[SpecExperiment] = Field(
        default_factory=list,
        description="Lift tests the model is calibrated on (each enters the likelihood as the model's own "
        "counterfactual of the test). Default none; `spec init` lists every test stored for the dataset.",
    )

    control_selection: ControlSelection | None = Field(
        None,
        description="Bayesian selection over precision controls (horseshoe, spike_slab or lasso). Optional; "
        "absent = every control in with the plain prior. Confounders, core and mediator controls are never selected.",
    )

    long_term: LongTerm | None = Field(
        None,
        description="Long-term effects: a Bayesian VAR over base sales and brand metrics with media as exogenous "
        "inputs, its impulse responses giving long-term ROI (mmm_core.spec.long_term). Optional; absent = "
        "short-term effects only.",
    )

    outcomes: Outcomes | None = Field(
        None,
        description="Several KPIs fitted jointly: per-outcome effects, shared adstock/seasonality, correlated "
        "residuals, weights and cross-effects (mmm_core.spec.outcomes). Optional; absent = one KPI.",
    )

    @model_serializer(mode="wrap")
    def _omit_absent_comparison(self, handler):
        # Absent means absent: specs without a comparison keep the canonical JSON (and hash) they had before
        # the field existed, so every spec locked earlier still verifies.
        data = handler(self)
        if self.comparison is None and isinstance(data, dict):
            data.pop("comparison", None)
        if not self.experiments and isinstance(data, dict):  # likewise: no experiments = the field's absence
            data.pop("experiments", None)
        if self.long_term is None and isinstance(data, dict):  # likewise: specs without it keep their hash
            data.pop("long_term", None)
        if self.control_selection is None and isinstance(data, dict):  # likewise
            data.pop("control_selection", None)
        if self.outcomes is None and isinstance(data, dict):  # likewise
            data.pop("outcomes", None)
        return data

    @model_validator(mode="after")
    def _names_unique_and_linked(self) -> ModelSpec:
        _refuse_duplicates("media channel name", [m.name for m in self.media])
        _refuse_duplicates("media variable", [m.variable for m in self.media])
        _refuse_duplicates("control", [c.name for c in self.controls])
        _refuse_duplicates("mediator", [m.name for m in self.mediators])
        used = (
            [self.kpi]
            + [m.variable for m in self.media]
            + [c.name for c in self.controls]
            + [m.name for m in self.mediators]
            + (self.long_term.metric_names if self.long_term else [])
            + outcome_variables(self)
        )
        _refuse_duplicates("variable (each may play one role: kpi, media, control, mediator or brand metric)", used)
        channels = {m.name for m in self.media}
        for med in self.mediators:
            unknown = sorted(set(med.channels) - channels)
            if unknown:
                raise ValueError(
                    f"mediator {med.name!r} is fed by unknown channel(s) {unknown}; allowed: {sorted(channels)}"
                )
        problems = (
            experiments_problems(self.experiments, channels)
            + selection_problems(self.controls, self.control_selection)
            + outcome_spec_problems(self)
        )
        if problems:
            raise ValueError("; ".join(problems))
        object.__setattr__(self, "experiments", sorted(self.experiments, key=lambda e: e.experiment_id))
        # Sorted lists make the spec's identity independent of the order someone typed them in.
        object.__setattr__(self, "media", sorted(self.media, key=lambda m: m.name))
        object.__setattr__(self, "controls", sorted(self.controls, key=lambda c: c.name))
        object.__setattr__(self, "mediators", sorted(self.mediators, key=lambda m: m.name))
        return self

    @classmethod
    def parse(cls, data: Any) -> ModelSpec:
        """Validate plain data; any problem becomes a ``SpecValidationError`` naming field paths and allowed
        values."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise SpecValidationError(
                "Invalid spec: " + validation_message(exc, data, cls),
                "Fix the named field(s); `mmm-agent spec init` shows a valid draft.",
            ) from None

    def to_yaml(self) -> str:
        """YAML text in field order (round-trips through ``from_yaml``)."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100)

    @classmethod
    def from_yaml(cls, text: str) -> ModelSpec:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SpecValidationError(
                f"The spec is not valid YAML: {exc}", "Fix the YAML syntax (indentation, colons) and try again."
            ) from None
        if not isinstance(data, dict):
            raise SpecValidationError(
                "The spec must be a YAML mapping of fields (dataset_id, kpi, media, ...).",
                "Start from `mmm-agent spec init DATASET --out spec.yaml`.",
            )
        return cls.parse(data)


def _refuse_duplicates(what: str, names: list[str]) -> None:
    seen: set[str] = set()
    dupes = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if dupes:
        raise ValueError(f"duplicate {what}: {', '.join(dupes)}")


def save_draft(spec: ModelSpec, path: str | Path) -> Path:
    """Write a draft as a YAML file the user may edit. Drafts are never stored in the ledger."""
    path = Path(path)
    header = (
        f"# Draft model spec for dataset {spec.dataset_id}. Edit freely, then lock it:\n"
        f'#   mmm-agent spec lock {path.name} --rationale "why this model"\n'
        "# Durations are in periods of the dataset (weeks for weekly data).\n"
    )
    return write_atomic(path, header + spec.to_yaml())


def load_spec(path: str | Path) -> ModelSpec:
    """Read and validate a YAML spec file."""
    path = Path(path)
    if not path.is_file():
        raise SpecValidationError(
            f"No spec file at {path}.",
            "Create one with `mmm-agent spec init DATASET --out spec.yaml`.",
            code="spec_file_not_found",
        )
    return ModelSpec.from_yaml(path.read_text(encoding="utf-8"))


__all__ = [
    "Adstock",
    "BrandMetric",
    "Comparison",
    "ComparisonMember",
    "Control",
    "ControlSelection",
    "EffectPrior",
    "Geo",
    "Holdout",
    "Interval",
    "LogNormalPrior",
    "LongTerm",
    "MediaChannel",
    "Mediator",
    "MediatorPriors",
    "MinnesotaPrior",
    "ModelSpec",
    "NormalPrior",
    "Sampler",
    "Saturation",
    "Seasonality",
    "Trend",
    "canonical_json",
    "diff_specs",
    "format_diff",
    "load_spec",
    "save_draft",
    "spec_sha256",
]
