"""Checking a spec against the dataset it names: every variable it uses exists in the role it is used in, and
every duration, changepoint and pooling choice fits the data; all problems are listed in one error."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mmm_core.data.national import NATIONAL_KEYS
from mmm_core.engine.config import holdout_problem
from mmm_core.errors import SpecValidationError
from mmm_core.spec.long_term import long_term_problems
from mmm_core.spec.mediators import SPARSE_BELOW
from mmm_core.spec.outcomes import outcome_data_problems
from mmm_core.spec.schema import Mediator, ModelSpec


def validate_against(spec: ModelSpec, describe: dict[str, Any]) -> None:
    """Refuse a spec that does not fit the described dataset; every problem is listed in one error."""
    problems = _problems(spec, describe)
    if problems:
        raise SpecValidationError(
            f"The spec does not match dataset {describe.get('name')!r}: " + "; ".join(problems),
            "Edit the named fields (see `mmm-agent describe DATASET` for variables and roles).",
            code="spec_data_mismatch",
        )


def _problems(spec: ModelSpec, d: dict[str, Any]) -> list[str]:
    roles = {v["name"]: v["role"] for v in d["variables"]}
    coverage = {v["name"]: v.get("coverage") for v in d["variables"]}
    media_vars = sorted(n for n, r in roles.items() if r == "media")
    non_media = sorted(n for n, r in roles.items() if r != "media")
    out: list[str] = []
    if spec.dataset_id != d["dataset_id"]:
        out.append(f"dataset_id {spec.dataset_id!r} is not this dataset ({d['dataset_id']!r})")
    if roles.get(spec.kpi) in (None, "media"):
        out.append(f"kpi {spec.kpi!r} must be a non-media variable; candidates: {d.get('kpi_candidates')}")
    exposures = sorted(n for n, r in roles.items() if r == "exposure")
    for m in spec.media:
        if roles.get(m.variable) != "media":
            out.append(f"media[{m.name}].variable {m.variable!r} must be a media variable; allowed: {media_vars}")
        if m.exposure is not None and roles.get(m.exposure) != "exposure":
            out.append(f"media[{m.name}].exposure {m.exposure!r} must be an exposure variable; allowed: {exposures}")
        if m.adstock.l_max > d["periods"]["count"]:
            out.append(
                f"media[{m.name}].adstock.l_max {m.adstock.l_max} exceeds the {d['periods']['count']} periods of data"
            )
    key = spec.geo.national_media
    if key not in NATIONAL_KEYS and roles.get(key) in (None, "media"):
        out.append(
            f"geo.national_media {key!r} must be {', '.join(repr(k) for k in NATIONAL_KEYS)} or a non-media "
            f"variable; allowed: {non_media}"
        )
    for c in spec.controls:
        if roles.get(c.name) in (None, "media"):
            out.append(f"controls[{c.name}] must be a non-media variable; allowed: {non_media}")
    for med in spec.mediators:
        out.extend(_mediator_problems(med, roles, coverage, non_media))
    out.extend(_structure_problems(spec, d))
    out.extend(long_term_problems(spec.long_term, d, len(spec.media)))
    out.extend(outcome_data_problems(spec, d))
    return out


def _mediator_problems(
    med: Mediator, roles: dict[str, str], coverage: dict[str, Any], non_media: list[str]
) -> list[str]:
    if med.type == "latent":
        if med.name in roles:
            return [f"mediators[{med.name}] is data in this dataset; use type observed or sparse, not latent"]
        return []
    if roles.get(med.name) in (None, "media"):
        return [f"mediators[{med.name}] must be a non-media variable; allowed: {non_media}"]
    cov = coverage.get(med.name)
    if med.type == "observed" and cov is not None and cov < SPARSE_BELOW:
        return [f"mediators[{med.name}] is observed on only {cov:.0%} of periods; use type: sparse"]
    return []


def _structure_problems(spec: ModelSpec, d: dict[str, Any]) -> list[str]:
    out = []
    n_geo = len(d.get("geographies") or [])
    if spec.geo.pooling == "partial" and n_geo <= 1:
        out.append("geo.pooling 'partial' needs more than one geography; allowed here: 'none', 'full'")
    count = d["periods"]["count"]
    problem = holdout_problem(spec.holdout.last_n, count)
    if problem:
        out.append(f"holdout.last_n: {problem}")
    start, end = (_as_date(d["periods"].get(k)) for k in ("start", "end"))
    for cp in spec.trend.changepoints:
        if start and end and not start < cp < end:
            out.append(f"trend.changepoints {cp} is outside the data window {start} – {end}")
    return out


def _as_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
