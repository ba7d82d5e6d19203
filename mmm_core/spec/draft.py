"""Drafting a spec from a dataset's description (checking a spec against its dataset: ``spec.data_check``).

Choices made by ``draft_spec`` (each one is a documented default the user may edit in the YAML draft):

- KPI: the one given, else the single KPI candidate; several or none → the user must choose.
- Media: every media variable, named by its channel (by the variable when two variables share a channel).
- Controls: every control variable. Other KPI candidates are *not* added as controls: a second outcome on the
  right-hand side would absorb the media effect it is itself driven by.
- Mediators: every mediator variable, ``sparse`` below 60% coverage else ``observed``, fed by *all* channels —
  we cannot know which channels build (say) awareness, so the data decide under a positive-effect constraint.
- Seasonality: order 2 with ≥ 2 full years of data, order 1 with 1–2 years, off below one year (a cycle seen
  less than once cannot be told apart from trend and media).
- Geo pooling: 'partial' with more than one geography, else 'full'.
- Long-term block: only when brand metrics are named (``--brand-metrics``); they leave the controls and mediators
  (a brand metric on the right-hand side of step 1 would absorb the media effect it carries) and enter the VAR
  with the documented defaults of ``mmm_core.spec.long_term`` (sparse below 60% coverage).
- Durations are weekly defaults (l_max 8 weeks, half-life median 1.5 weeks) converted to the data's periods.
- Effect priors: ROI, lognormal with sigma 1, median derived from one stated assumption — paid media drive on
  average 30% of the KPI (``MEDIA_SHARE_OF_KPI``, the prior *mean* of the total media share) — split across
  channels in proportion to spend ** ``SPLIT_ELASTICITY`` (``_roi_medians``). Without totals the median is 1.
  * *A share, not an ROI.* The share of the KPI media drive is unit-free; an ROI is not (KPI units per unit of
    spend). Meridian does the same when the KPI is not revenue (its "total paid media contribution prior", mean
    40%, sd 20%). 30% is our assumption (between the former 20%-median rule and Meridian's 40%), not a measured
    fact: set ``effect_prior`` from a lift test whenever one exists.
  * *The mean, not the median.* With sigma 1 a log-normal's mean is e^0.5 ≈ 1.65 × its median; the former rule
    put the *median* at 20%, i.e. a prior mean of 33% while saying 20%. Medians are now scaled by e^(−sigma²/2)
    so the stated share is the prior mean (Meridian's recipe does the same).
  * *The split.* ``SPLIT_ELASTICITY`` 1 (shares in proportion to spend) gives every channel the same ROI prior;
    0.5 (square root) gives small channels a higher ROI prior, as diminishing returns across budgets would
    imply. Measured on the calibration harness (bench/calibration.py, 15 held-out worlds, 63 channels, NUTS):
    median abs ROI error 32% with elasticity 1 vs 38% with 0.5 (mean share 30%; the former rule: 31%), 90%
    coverage 90% vs 92%. In those worlds true ROIs are independent of spend, so the square-root split only adds
    error; with no evidence that real ROIs fall with budget size the default stays at 1, and a channel whose
    ROI is the prior's is *said* to be (``mmm_core.fit.identifiability``) rather than hidden by a different prior.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from mmm_core.data import queries
from mmm_core.data.declare import declare_roles
from mmm_core.errors import SpecValidationError
from mmm_core.spec.data_check import validate_against as validate_against  # re-exported: callers check from here
from mmm_core.spec.experiments import stored_for_draft
from mmm_core.spec.long_term import (
    STEP1_TREND,
    check_brand_metrics,
    draft_long_term,
    long_term_note,
)
from mmm_core.spec.mediators import SPARSE_BELOW
from mmm_core.spec.schema import (
    Adstock,
    Control,
    EffectPrior,
    Geo,
    LogNormalPrior,
    MediaChannel,
    Mediator,
    ModelSpec,
    Seasonality,
    Trend,
)

WEEKS_PER_YEAR = 52.18
MEDIA_SHARE_OF_KPI = 0.3  # prior mean of the share of the KPI paid media drive (see the module docstring)
SPLIT_ELASTICITY = 1.0  # channel effect shares ∝ spend ** this (1 = one common ROI, 0 = equal shares)
DEFAULT_ROI_SIGMA = 1.0
_PERIODS_PER_YEAR = {"d": 365.25, "w": WEEKS_PER_YEAR, "m": 12.0, "q": 4.0, "y": 1.0, "a": 1.0}


def periods_per_year(frequency: str | None) -> tuple[float, bool]:
    """Periods per year for a frequency label ('weekly', 'W-MON', 'daily', 'monthly', ...) and whether the label
    was understood (unknown labels are treated as weekly and reported in the draft notes)."""
    key = (frequency or "").strip().lower()[:1]
    if key in _PERIODS_PER_YEAR:
        return _PERIODS_PER_YEAR[key], True
    return WEEKS_PER_YEAR, False


def draft_spec(
    describe: dict[str, Any],
    kpi: str | None = None,
    media: Sequence[str] | None = None,
    controls: Sequence[str] | None = None,
    brand_metrics: Sequence[str] | None = None,
) -> tuple[ModelSpec, list[str]]:
    """A draft spec for the described dataset and notes explaining the data-dependent choices.

    ``media``/``controls`` given: exactly those variables (declared roles, see ``data.declare``), the others of
    that role are left out and named in the notes; else every variable of the role. ``brand_metrics`` given: a
    ``long_term`` block over them (they are then neither controls nor mediators).
    """
    notes: list[str] = []
    variables = {v["name"]: v for v in describe["variables"]}
    chosen_kpi = _choose_kpi(describe, variables, kpi)
    brand = check_brand_metrics(variables, brand_metrics or [], chosen_kpi)
    inferred_controls = [
        n for n, v in variables.items() if v["role"] == "control" and n != chosen_kpi and n not in brand
    ]
    control_names = list(controls) if controls is not None else inferred_controls
    notes += _left_out(variables, media, controls, inferred_controls)
    per_year, known = periods_per_year(describe.get("frequency"))
    if not known:
        notes.append(f"Frequency {describe.get('frequency')!r} not recognised; durations assume weekly data.")
    weeks = WEEKS_PER_YEAR / per_year  # weeks per period
    media = _draft_media(describe, variables, weeks, chosen_kpi, media)
    spec = ModelSpec(
        dataset_id=describe["dataset_id"],
        kpi=chosen_kpi,
        media=media,
        controls=[Control(name=n) for n in control_names],
        mediators=[
            Mediator(
                name=n,
                type="sparse" if (v.get("coverage") or 0) < SPARSE_BELOW else "observed",
                channels=[m.name for m in media],
            )
            for n, v in variables.items()
            if v["role"] == "mediator" and n not in brand
        ],
        seasonality=_draft_seasonality(describe["periods"]["count"], per_year, notes),
        geo=Geo(pooling="partial" if _real_geos(describe) > 1 else "full"),
        long_term=draft_long_term(describe, brand) if brand else None,
        trend=Trend(type=STEP1_TREND) if brand else Trend(),
    )
    if spec.long_term:
        notes.append(long_term_note(spec.long_term))
    nat = describe.get("national_geography")
    if nat is not None:
        notes.append(
            f"Media on Geography {nat!r} are split across the {_real_geos(describe)} geos by KPI share "
            "(geo.national_media: kpi_share; or 'equal', a variable such as Population, or 'regressor': one national "
            "series with one coefficient for all geos) — never dropped or double counted."
        )
    notes.append(_roi_note(spec))
    notes += _exposure_note(spec)
    others = [n for n in describe.get("kpi_candidates", []) if n != chosen_kpi]
    if others:
        notes.append(f"Other KPI candidates left out of the model: {', '.join(others)}.")
    return spec, notes


def init_spec(
    store: Any,
    dataset: str,
    kpi: str | None = None,
    media: Sequence[str] | None = None,
    controls: Sequence[str] | None = None,
    brand_metrics: Sequence[str] | None = None,
) -> ModelSpec:
    """Draft a spec for ``dataset`` (id or name) from ``queries.describe`` (see ``draft_spec`` for the choices
    made). Raises ``SpecValidationError`` when the KPI is ambiguous (listing the candidates)."""
    return init_spec_with_notes(store, dataset, kpi, media, controls, brand_metrics)[0]


def init_spec_with_notes(
    store: Any,
    dataset: str,
    kpi: str | None = None,
    media: Sequence[str] | None = None,
    controls: Sequence[str] | None = None,
    brand_metrics: Sequence[str] | None = None,
) -> tuple[ModelSpec, list[str]]:
    """``init_spec`` plus plain-language notes on the data-dependent choices (for the CLI and chat).

    ``media``/``controls`` declare roles first (written to the dataset's variables, so lock and fit agree).
    """
    declared = declare_roles(store, dataset, media or (), controls or (), kpi) if media or controls else []
    spec, notes = draft_spec(queries.describe(store, dataset), kpi, media or None, controls or None, brand_metrics)
    spec, exp_notes = _with_stored_experiments(store, spec)
    return spec, [*declared, *notes, *exp_notes]


def _with_stored_experiments(store: Any, spec: ModelSpec) -> tuple[ModelSpec, list[str]]:
    """The draft with every lift test stored for its dataset (``spec.experiments.stored_for_draft``)."""
    used, notes = stored_for_draft(store, spec.dataset_id, {m.name for m in spec.media})
    if not used:
        return spec, notes
    return ModelSpec.parse(
        {**spec.model_dump(mode="json"), "experiments": [e.model_dump(mode="json") for e in used]}
    ), notes


def _real_geos(describe: dict[str, Any]) -> int:
    """Geographies a geo model has: a national label beside real geos is folded into them, not one more geo."""
    geos = describe.get("geographies") or []
    return len(geos) - (describe.get("national_geography") is not None)


def _left_out(
    variables: dict[str, Any], media: Sequence[str] | None, controls: Sequence[str] | None, inferred: list[str]
) -> list[str]:
    """Variables of a role the user's explicit list leaves out: named, never dropped silently."""
    notes = []
    if media is not None:
        extra = sorted(n for n, v in variables.items() if v["role"] == "media" and n not in media)
        if extra:
            notes.append(f"Media left out of the model (not in --media): {', '.join(extra)}.")
    if controls is not None:
        extra = sorted(n for n in inferred if n not in controls)
        if extra:
            notes.append(f"Controls left out of the model (not in --controls): {', '.join(extra)}.")
    return notes


def _choose_kpi(describe: dict[str, Any], variables: dict[str, Any], kpi: str | None) -> str:
    candidates = list(describe.get("kpi_candidates") or [])
    if kpi is not None:
        if kpi not in variables:
            raise SpecValidationError(
                f"KPI {kpi!r} is not a variable of dataset {describe['name']!r}.",
                f"Choose one of: {', '.join(candidates or sorted(variables))}.",
                code="unknown_kpi",
            )
        return kpi
    if len(candidates) == 1:
        return candidates[0]
    listing = ", ".join(candidates) if candidates else "none found"
    raise SpecValidationError(
        f"Which variable is the KPI? Candidates: {listing}.",
        "Pass --kpi VARIABLE (e.g. --kpi Sales).",
        code="kpi_ambiguous",
    )


def _draft_media(
    describe: dict[str, Any], variables: dict[str, Any], weeks: float, kpi: str, chosen: Sequence[str] | None
) -> list[MediaChannel]:
    media_vars = [v for v in variables.values() if v["role"] == "media" and (chosen is None or v["name"] in chosen)]
    if not media_vars:
        raise SpecValidationError(
            f"Dataset {describe['name']!r} has no media variables.",
            "Media are rows with an Outlet or variables named like 'TV Spend'/'TV_Cost' (any case or separator); "
            "or declare them: `mmm-agent spec init DATASET --media A,B`.",
            code="no_media",
        )
    channel_counts: dict[str, int] = {}
    for v in media_vars:
        channel_counts[v.get("channel") or v["name"]] = channel_counts.get(v.get("channel") or v["name"], 0) + 1
    medians = _roi_medians(variables[kpi].get("total"), media_vars)
    out = []
    for v, median in zip(media_vars, medians, strict=True):
        channel = v.get("channel") or v["name"]
        out.append(
            MediaChannel(
                name=channel if channel_counts[channel] == 1 else v["name"],
                variable=v["name"],
                adstock=Adstock(
                    l_max=max(2, round(8 / weeks)), half_life=LogNormalPrior(median=_round_sig(1.5 / weeks), sigma=0.8)
                ),
                effect_prior=EffectPrior(type="roi", median=median, sigma=DEFAULT_ROI_SIGMA),
                exposure=_exposure_of(variables, channel),
            )
        )
    return out


def _exposure_of(variables: dict[str, Any], channel: str) -> str | None:
    """The channel's first exposure variable (impressions, GRPs, ...), recorded for ``response_on: exposure``."""
    found = sorted(n for n, v in variables.items() if v["role"] == "exposure" and v.get("channel") == channel)
    return found[0] if found else None


def _exposure_note(spec: ModelSpec) -> list[str]:
    with_exposure = [f"{m.name} ({m.exposure})" for m in spec.media if m.exposure]
    if not with_exposure:
        return []
    return [
        f"Exposure metrics found for {', '.join(with_exposure)}: response is modelled on spend (default); set "
        "media[NAME].response_on: exposure to model it on exposure — ROI stays contribution / spend either way."
    ]


def _roi_medians(kpi_total: float | None, media_vars: list[dict[str, Any]]) -> list[float]:
    """Per channel: the ROI prior median for which media drive ``MEDIA_SHARE_OF_KPI`` of the KPI *on average*
    (the log-normal mean, hence the e^(−sigma²/2)), shared out in proportion to spend ** ``SPLIT_ELASTICITY``.

    ``share_c = m · w_c / Σ w``, ``w_c = spend_c^e``; ``ROI_c = share_c · KPI / spend_c``. A channel without spend
    gets the common ROI ``m · KPI / total spend`` (it has no share to give)."""
    spend = [max(float(v.get("total") or 0.0), 0.0) for v in media_vars]
    total = sum(spend)
    if not kpi_total or kpi_total <= 0 or total <= 0:
        return [1.0] * len(media_vars)
    mean_to_median = math.exp(-(DEFAULT_ROI_SIGMA**2) / 2)
    weights = [x**SPLIT_ELASTICITY for x in spend]
    w_sum = sum(weights)
    out = []
    for x, w in zip(spend, weights, strict=True):
        roi = MEDIA_SHARE_OF_KPI * kpi_total * (w / w_sum) / x if x > 0 else MEDIA_SHARE_OF_KPI * kpi_total / total
        out.append(_round_sig(roi * mean_to_median))
    return out


def _roi_note(spec: ModelSpec) -> str:
    medians = ", ".join(f"{m.name} {m.effect_prior.median:g}" for m in spec.media)
    split = "in proportion to spend (one ROI prior)" if SPLIT_ELASTICITY == 1 else f"by spend^{SPLIT_ELASTICITY:g}"
    return (
        f"ROI priors (lognormal, sigma {DEFAULT_ROI_SIGMA:g}): medians {medians} — media assumed to drive "
        f"{MEDIA_SHARE_OF_KPI:.0%} of {spec.kpi} on average, split {split}. `roi --show-prior` shows each prior "
        "beside its posterior; replace them with lift-test results where you have them."
    )


def _draft_seasonality(n_periods: int, per_year: float, notes: list[str]) -> Seasonality:
    years = round(n_periods / per_year, 1)  # 104 weeks count as two years
    order = 2 if years >= 2 else 1 if years >= 1 else 0
    if order < 2:
        notes.append(f"Only {years:.1f} years of data: seasonality Fourier order {order}.")
    period = round(per_year, 2)
    order = min(order, max(0, math.ceil(period / 2) - 1))  # a yearly cycle of few periods allows few harmonics
    return Seasonality(fourier_order=order, period=period)


def _round_sig(x: float, digits: int = 3) -> float:
    """Round to a few significant digits so drafts read cleanly (and hashes do not hinge on float noise)."""
    return float(f"{x:.{digits}g}")
