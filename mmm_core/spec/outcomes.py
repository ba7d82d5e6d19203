"""The spec's ``outcomes`` block (issue 22): several KPIs fitted jointly, with declared sharing, correlated residuals,
objective weights and cross-effects between the outcomes (cannibalisation, halo, spillover).

The outcomes are either several variables of the dataset (``kpis: [Premium, Value]``; the spec's ``kpi`` is the first,
so every single-KPI reader keeps working) or one variable split by the MFF ``Product`` column (``products: [Single,
Multipack]``; the spec's ``kpi`` is that variable). Each outcome has its own level, trend, noise, media effects and
control coefficients; adstock and seasonality are shared by default, saturation is not (``share_*``).

A cross-effect ``{source, target, type, lag, modulator}`` adds ``kappa · m_t · D_source[t - lag]`` to the target's
mean, where ``D_source`` is the source's *driven* part (media and control terms) in source units and ``kappa`` is
target units per source unit. ``cannibalisation`` has kappa < 0, ``halo`` kappa > 0, ``spillover`` either sign.
Refused with the reason: unknown outcomes, a self-effect, a cycle (the source's driven part would depend on itself),
a lag other than 0 or 1, a modulator that is a KPI, a media variable, a mediator or a control declared a confounder
or mediator (a modulator scales the routed effect; such variables are on the causal paths the effect is read from).

Why the block is omitted from the canonical JSON when absent: specs locked before it keep their hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from mmm_core.errors import SpecValidationError
from mmm_core.spec.media import StrictModel

CrossType = Literal["cannibalisation", "halo", "spillover"]
MAX_LAG = 1
DEFAULT_PRIOR_SCALE = 0.3
# Why a modulator may not be each kind of variable (the refusal quotes it).
MODULATOR_REFUSED = {
    "kpi": "it is an outcome of this model; an outcome cannot scale its own cross-effects",
    "media": "it is a media variable, whose effect already enters through the media terms; a modulator should be an "
    "indicator or intensity such as a promotion flag",
    "mediator": "it is a mediator (on the media → KPI path); scaling a cross-effect by it would mix the two paths",
    "confounder": "it is a control declared a confounder (it drives media spend and the KPI); as a modulator it "
    "would make the routed effect depend on what confounds it",
}


class ResidualCorrelation(StrictModel):
    """Residuals correlated across outcomes: per cell an MVN with an LKJ prior on the correlation matrix."""

    lkj_eta: float = Field(
        2.0,
        gt=0,
        description="LKJ shape: 1 = uniform over correlation matrices, > 1 favours weak correlation. Default 2.",
    )


class CrossEffect(StrictModel):
    """One outcome's driven part moving another outcome (``kappa`` target units per source unit)."""

    source: str = Field(min_length=1, description="The outcome whose driven part (media + controls) acts. Required.")
    target: str = Field(min_length=1, description="The outcome it moves. Required.")
    type: CrossType = Field(
        description="'cannibalisation' (kappa < 0: the source takes from the target), 'halo' (kappa > 0) or "
        "'spillover' (either sign). Required."
    )
    lag: int = Field(0, description="Periods between the source's movement and the target's response: 0 or 1.")
    modulator: str | None = Field(
        None,
        description="A variable scaling the effect period by period (e.g. a 0/1 promotion flag on the source). "
        "Default none (the effect is always on).",
    )
    prior_scale: float = Field(
        DEFAULT_PRIOR_SCALE,
        gt=0,
        description="Scale of kappa's prior (half-normal for cannibalisation/halo, normal for spillover). "
        "Default 0.3 (30 target units per 100 source units).",
    )

    @field_validator("lag")
    @classmethod
    def _lag_supported(cls, value: int) -> int:
        if not 0 <= value <= MAX_LAG:
            raise ValueError(
                f"lag {value} is not supported: a cross-effect acts in the same period (0) or the next (1); longer "
                "carry-over belongs in the source's adstock"
            )
        return value

    @property
    def key(self) -> str:
        """How answers name it: 'Multipack → Single'."""
        return f"{self.source} → {self.target}"


class Outcomes(StrictModel):
    """Several KPIs fitted jointly (module docstring: semantics, sharing, refusals)."""

    kpis: list[str] = Field(
        default_factory=list,
        description="The outcome variables (≥ 2), the first being the spec's kpi. Or use products.",
    )
    products: list[str] = Field(
        default_factory=list,
        description="Product labels (MFF Product column) splitting the spec's kpi into outcomes (≥ 2). Or use kpis.",
    )
    share_adstock: bool = Field(True, description="One adstock per channel for all outcomes. Default true.")
    share_saturation: bool = Field(False, description="One saturation curve per channel for all. Default false.")
    share_seasonality: bool = Field(
        True, description="One seasonal shape (in each outcome's scaled units) for all outcomes. Default true."
    )
    residual_correlation: ResidualCorrelation = Field(
        default_factory=ResidualCorrelation, description="LKJ prior of the residual correlation. Default eta 2."
    )
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Objective weight per outcome (e.g. margin per unit): totals, ROI and the optimizer read "
        "Σ weight × outcome. Default 1 for each.",
    )
    cross_effects: list[CrossEffect] = Field(default_factory=list, description="Cross-effects. Default none.")
    control_outcomes: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Controls that enter only some outcomes: {control: [outcomes]} (e.g. a promotion of one product "
        "enters that product only and reaches others through a cross-effect). Default: every control enters every "
        "outcome.",
    )

    @model_validator(mode="after")
    def _one_kind_sorted(self) -> Outcomes:
        if bool(self.kpis) == bool(self.products):
            raise ValueError("name the outcomes either as kpis (variables) or as products (of the kpi), not both")
        names = self.names
        if len(names) < 2:
            raise ValueError(f"a multi-outcome model needs at least 2 outcomes, got {names}; drop the block for one")
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"outcome(s) listed twice: {', '.join(dupes)}")
        for name, w in self.weights.items():
            if w <= 0:
                raise ValueError(f"weights[{name}] must be > 0 (got {w:g}); leave an outcome out instead")
        # kpis keep their order (the first is the spec's kpi); cross-effects are sorted so order carries no meaning.
        object.__setattr__(self, "cross_effects", sorted(self.cross_effects, key=lambda e: (e.source, e.target)))
        return self

    @property
    def names(self) -> list[str]:
        return list(self.kpis or self.products)

    def controls_of(self, outcome: str, controls: Sequence[str]) -> list[str]:
        """The controls (of ``controls``, in that order) entering ``outcome``."""
        return [c for c in controls if outcome in self.control_outcomes.get(c, [outcome])]

    def weight(self, name: str) -> float:
        return float(self.weights.get(name, 1.0))


def outcome_spec_problems(spec: Any) -> list[str]:
    """What in a spec's outcomes block contradicts the rest of the spec (empty without the block)."""
    block: Outcomes | None = spec.outcomes
    if block is None:
        return []
    out = []
    names = block.names
    if block.kpis and block.kpis[0] != spec.kpi:
        out.append(f"outcomes.kpis must start with the spec's kpi {spec.kpi!r} (got {block.kpis[0]!r})")
    out += [
        f"outcomes.weights names {n!r}, which is not an outcome; outcomes: {names}"
        for n in block.weights
        if n not in names
    ]
    out += _control_outcome_problems(block, spec)
    out += _cross_problems(block, spec)
    out += _unsupported_features(spec)
    return out


def _control_outcome_problems(block: Outcomes, spec: Any) -> list[str]:
    controls, names = [c.name for c in spec.controls], block.names
    out = []
    for control, targets in block.control_outcomes.items():
        where = f"outcomes.control_outcomes[{control}]"
        if control not in controls:
            out.append(f"{where}: {control!r} is not a control of this spec; controls: {controls}")
        unknown = [t for t in targets if t not in names]
        if unknown or not targets:
            out.append(f"{where} must list outcomes among {names} (got {targets})")
    return out


def _cross_problems(block: Outcomes, spec: Any) -> list[str]:
    names = block.names
    out = []
    pairs: set[tuple[str, str]] = set()
    for e in block.cross_effects:
        where = f"outcomes.cross_effects[{e.key}]"
        unknown = [n for n in (e.source, e.target) if n not in names]
        if unknown:
            out.append(f"{where} names {unknown}, not an outcome; outcomes: {names}")
        elif e.source == e.target:
            out.append(f"{where}: an outcome cannot cross-affect itself (its own dynamics are its trend and adstock)")
        if (e.source, e.target) in pairs:
            out.append(f"{where} is declared twice; keep one (the lag or modulator can differ only in one)")
        pairs.add((e.source, e.target))
        if e.modulator is not None:
            why = _modulator_refusal(e.modulator, spec)
            if why:
                out.append(f"{where}.modulator {e.modulator!r} is refused: {why}")
    cycle = find_cycle([(e.source, e.target) for e in block.cross_effects if e.source != e.target])
    if cycle:
        out.append(
            "outcomes.cross_effects form a cycle "
            + " → ".join(cycle)
            + ": a source's driven part would depend on itself; drop one of these effects"
        )
    return out


def _modulator_refusal(name: str, spec: Any) -> str | None:
    outcome_vars = [spec.kpi, *(spec.outcomes.kpis if spec.outcomes else [])]
    if name in outcome_vars:
        return MODULATOR_REFUSED["kpi"]
    if name in {m.variable for m in spec.media}:
        return MODULATOR_REFUSED["media"]
    if name in {m.name for m in spec.mediators}:
        return MODULATOR_REFUSED["mediator"]
    control = next((c for c in spec.controls if c.name == name), None)
    if control is not None and control.class_ in ("confounder", "mediator"):
        return MODULATOR_REFUSED[control.class_]
    return None


def find_cycle(edges: Sequence[tuple[str, str]]) -> list[str] | None:
    """A directed cycle among ``edges`` as ``[a, b, ..., a]``, or None (depth-first search, nodes in name order)."""
    succ: dict[str, list[str]] = {}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(succ.get(node, [])):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], node, nxt] if nxt in path else [node, nxt]
            if nxt not in state:
                found = visit(nxt, [*path, node])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(succ):
        if start not in state:
            found = visit(start, [])
            if found:
                return found
    return None


# Spec features the multi-outcome engine does not model: refused rather than silently ignored.
UNSUPPORTED = {
    "mediators": "mediators",
    "long_term": "a long_term block",
    "comparison": "a comparison of curve families",
    "experiments": "lift-test calibration",
    "control_selection": "control selection",
}


def _unsupported_features(spec: Any) -> list[str]:
    out = []
    for field, what in UNSUPPORTED.items():
        if getattr(spec, field, None):
            out.append(f"{field}: {what} is not supported with several outcomes yet; remove it or fit one KPI")
    if spec.noise != "normal":
        out.append("noise: several outcomes use correlated normal residuals; student_t is not supported with them")
    if spec.likelihood != "additive":
        out.append("likelihood: several outcomes need the additive likelihood (cross-effects add in KPI units)")
    return out


def outcome_variables(spec: Any) -> list[str]:
    """Dataset variables the block adds beyond the spec's kpi (each may play one role only)."""
    block: Outcomes | None = spec.outcomes
    return [k for k in block.kpis if k != spec.kpi] if block else []  # a misplaced kpi gets its own message


# --- against the dataset ----------------------------------------------------------------------------------------


def outcome_data_problems(spec: Any, describe: dict[str, Any], kpi_products: Sequence[str] | None = None) -> list[str]:
    """What in the block does not fit the described dataset: unknown or media outcome variables, unknown products
    (``kpi_products``: the Product labels of the kpi's rows; default the dataset's products), modulators that are
    not variables of the dataset."""
    block: Outcomes | None = spec.outcomes
    if block is None:
        return []
    kpi_products = (describe.get("products") or []) if kpi_products is None else kpi_products
    roles = {v["name"]: v["role"] for v in describe["variables"]}
    non_media = sorted(n for n, r in roles.items() if r not in ("media", "exposure"))
    out = [
        f"outcomes.kpis[{n}] must be a non-media variable of the dataset; allowed: {non_media}"
        for n in block.kpis
        if roles.get(n) in (None, "media", "exposure")
    ]
    missing = [p for p in block.products if p not in kpi_products]
    if missing:
        out.append(
            f"outcomes.products {missing} have no {spec.kpi} rows in the dataset's Product column; products with "
            f"{spec.kpi} rows: {list(kpi_products) or '(none: the KPI is not split by Product)'}"
        )
    for e in block.cross_effects:
        if e.modulator is not None and roles.get(e.modulator) in (None, "media", "exposure"):
            out.append(
                f"outcomes.cross_effects[{e.key}].modulator {e.modulator!r} must be a non-media variable of the "
                f"dataset; allowed: {non_media}"
            )
    return out


# --- drafting ---------------------------------------------------------------------------------------------------


def parse_kpis(text: str | None) -> list[str]:
    """'Premium, Value' → ['Premium', 'Value'] (a single name gives one)."""
    return [k.strip() for k in (text or "").split(",") if k.strip()]


def draft_outcomes(describe: dict[str, Any], kpis: Sequence[str], products: Sequence[str] = ()) -> Outcomes:
    """The default block for outcome variables ``kpis`` (or the kpi's ``products``): documented defaults, no
    cross-effects (they are a claim about the business the analyst makes, not a default)."""
    variables = {v["name"]: v for v in describe["variables"]}
    if products:
        return Outcomes(products=list(products))
    bad = [k for k in kpis if variables.get(k, {}).get("role") in (None, "media", "exposure")]
    if bad:
        allowed = sorted(n for n, v in variables.items() if v["role"] not in ("media", "exposure"))
        raise SpecValidationError(
            f"Outcome(s) {', '.join(map(repr, bad))} are not non-media variables of dataset {describe['name']!r}; "
            f"candidates: {', '.join(allowed)}.",
            "Name the KPI variables, e.g. --kpi Premium,Value (`mmm-agent describe DATASET` lists them).",
            code="unknown_kpi",
        )
    return Outcomes(kpis=list(dict.fromkeys(kpis)))


def outcomes_note(block: Outcomes, kpi: str) -> str:
    """The draft note stating the block's choices."""
    what = f"{', '.join(block.kpis)}" if block.kpis else f"{kpi} split by Product ({', '.join(block.products)})"
    return (
        f"Several outcomes fitted jointly: {what}. Each has its own level, trend, noise, media effects and control "
        "coefficients; adstock and seasonality are shared, saturation is not (outcomes.share_*); residuals are "
        "correlated (LKJ eta 2); weights 1 each (set outcomes.weights, e.g. margin per unit, to total them in money). "
        "No cross-effects are drafted: add cannibalisation/halo/spillover under outcomes.cross_effects when the "
        "business expects them (a promotion flag as modulator identifies them best)."
    )


__all__ = [
    "MODULATOR_REFUSED",
    "CrossEffect",
    "Outcomes",
    "ResidualCorrelation",
    "draft_outcomes",
    "find_cycle",
    "outcome_data_problems",
    "outcome_spec_problems",
    "outcome_variables",
    "outcomes_note",
    "parse_kpis",
]
