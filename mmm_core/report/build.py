"""Narrative report of a fit: self-contained HTML (or Markdown) a CMO can read, with its own numbers checked.

Public API::

    build_report(store, fit_id, Path("report.html"))             # -> {path, format, sections, grounded, ...}
    build_report(store, fit_id, Path("report.md"), fmt="md")
    build_report(store, fit_id, out, llm=rewriter)                # rewriter(section_id, prose) -> prose

How it is made: :mod:`mmm_core.report.data` collects every number once into a results dict (also written next
to the report as ``<name>.results.json``); the prose of each section is a Jinja template in
``prompts/report/prose`` filled from it; tables and Plotly charts (:mod:`mmm_core.report.charts`) come from the
same dict. The page embeds plotly.js once and links nothing external, so it opens offline.

A fit with several outcomes (:mod:`mmm_core.report.outcomes`) has its own sections (``MULTI_SECTIONS``) and
templates (``prompts/report/*/multi``, falling back to the shared ones, e.g. the disclosure).

Grounding: every number written in the prose is matched (rounding-aware, :mod:`mmm_core.grounding`) against
the results. An optional LLM rewrite of a section is accepted only if all its numbers match; otherwise that
section keeps its template prose. The disclosure and method sections are never rewritten: what was tried and
how is not a matter of style.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from mmm_core.errors import MMMError
from mmm_core.grounding import extract_numbers, ungrounded
from mmm_core.outputs import write_atomic
from mmm_core.report.charts import all_charts, plotly_js
from mmm_core.report.data import collect, dump, grounding_pool
from mmm_core.report.long_term import long_term_charts
from mmm_core.report.outcome_charts import multi_charts
from mmm_core.report.outcomes import LAYOUT, collect_multi, is_multi
from mmm_core.report.render import plotly_data, render_html, render_markdown, render_prose
from mmm_core.store import Store

Rewriter = Callable[[str, str], str]
"""``rewriter(section_id, template_prose) -> rewritten prose`` (e.g. an LLM; see ``agent.report_prose``)."""

SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Executive summary"),
    ("disclosure", "Pre-registration and disclosure"),  # near the top on purpose: it qualifies everything below
    ("data", "Data overview"),
    ("health", "Model health"),
    ("contributions", "Contributions"),
    ("roi", "ROI and marginal ROI"),
    ("comparison", "Model comparison"),
    ("experiments", "Lift tests: ROI before and after calibration"),
    ("curves", "Response curves"),
    ("mediation", "Mediation"),
    ("long_term", "Long-term (brand) effects"),
    ("controls", "Control variables"),
    ("optimizer", "Budget optimisation"),
    ("method", "Caveats and method"),
)
# A fit with several outcomes (issue 22): its own sections; curves and the optimizer say why they are absent
# while the single-KPI posterior they need refuses such a fit.
MULTI_SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Executive summary"),
    ("disclosure", "Pre-registration and disclosure"),
    ("data", "Data overview"),
    ("health", "Model health"),
    ("outcomes", "ROI and contribution by outcome"),
    ("cross_effects", "Cross-effects between outcomes"),
    ("correlation", "Residual correlation between outcomes"),
    ("controls", "Control variables"),
    ("curves", "Response curves"),
    ("optimizer", "Budget optimisation"),
    ("method", "Caveats and method"),
)
FIXED_PROSE = frozenset({"disclosure", "method"})
# sections shown only when the fit has them
OPTIONAL = frozenset({"mediation", "comparison", "experiments", "controls", "long_term"})


def build_report(
    store: Store,
    fit_id: str,
    out: Path | str,
    fmt: Literal["html", "md"] = "html",
    llm: Rewriter | None = None,
    allow_unhealthy: bool = False,
) -> dict[str, Any]:
    """Write the report of ``fit_id`` to ``out`` and its results JSON beside it.

    Returns ``{path, format, fit_id, spec_id, sections, results_path, numbers_checked, grounded, ungrounded,
    rewrite, approximate, label, provenance}``. A fit whose health review failed is refused (as every decision
    answer is) unless ``allow_unhealthy``; the report then says so in a banner.
    """
    if fmt not in ("html", "md"):
        raise MMMError(f"Unknown report format {fmt!r}.", "Use 'html' or 'md'.", code="report_format")
    out = Path(out)
    res = (collect_multi if is_multi(store, fit_id) else collect)(store, fit_id, allow_unhealthy=allow_unhealthy)
    sections = _sections(res)
    prose = _template_prose(sections, res)
    rewrite = _apply_rewrite(prose, res, llm) if llm is not None else {"used": False}
    numbers, bad = check_prose(prose, res)
    text = _render(fmt, res, prose, sections)
    write_atomic(out, text)  # a crash leaves the old report or the new one, never half of it
    results_path = dump(res, results_file(out))
    return {
        "path": str(out),
        "format": fmt,
        "fit_id": fit_id,
        "spec_id": res["spec"]["spec_id"],
        "sections": [s["id"] for s in sections],
        "results_path": str(results_path),
        "numbers_checked": numbers,
        "grounded": not bad,
        "ungrounded": bad,
        "rewrite": rewrite,
        "bytes": out.stat().st_size,
        "approximate": res["fit"]["approximate"],
        "label": res["fit"]["label"],
        "provenance": res["provenance"],
    }


def results_file(out: Path | str) -> Path:
    """Where the results JSON of the report ``out`` is written: ``<name>.results.json`` beside it."""
    out = Path(out)
    return out.with_name(out.stem + ".results.json")


def report(store: Store, fit_id: str, out: Path | str, fmt: Literal["html", "md"] = "html") -> dict[str, Any]:
    """Store-level entry point found by the agent's ``report`` tool (``tools.planning_tools``)."""
    return build_report(store, fit_id, out, fmt=fmt)


def _sections(res: dict[str, Any]) -> list[dict[str, str]]:
    """The sections this fit has: mediation only when the spec has mediators and results exist, comparison only
    when the spec declared one."""
    layout = MULTI_SECTIONS if res.get("layout") == LAYOUT else SECTIONS
    return [{"id": sid, "title": title} for sid, title in layout if sid not in OPTIONAL or res.get(sid)]


def _template_prose(sections: list[dict[str, str]], res: dict[str, Any]) -> dict[str, str]:
    return {s["id"]: render_prose(s["id"], res) for s in sections}


def check_prose(prose: dict[str, str], res: dict[str, Any]) -> tuple[int, list[str]]:
    """(numbers found in the prose, those matching nothing in the results) — the report's own grounding."""
    pool = [grounding_pool(res)]
    numbers = sum(len(extract_numbers(text)) for text in prose.values())
    bad = [f"{sid}: {n}" for sid, text in prose.items() for n in ungrounded(text, pool)]
    return numbers, bad


def _apply_rewrite(prose: dict[str, str], res: dict[str, Any], llm: Rewriter) -> dict[str, Any]:
    """Replace each rewritable section by the rewriter's text when every number in it is grounded."""
    pool = [grounding_pool(res)]
    accepted, rejected = [], {}
    for sid in [s for s in prose if s not in FIXED_PROSE]:
        try:
            text = (llm(sid, prose[sid]) or "").strip()
        except Exception as exc:  # a failing model must not cost the user the report: keep the template
            rejected[sid] = [f"rewrite failed: {type(exc).__name__}: {exc}"]
            continue
        bad = ungrounded(text, pool) if text else ["empty rewrite"]
        if bad:
            rejected[sid] = bad
        else:
            prose[sid] = text
            accepted.append(sid)
    return {"used": True, "accepted": accepted, "rejected": rejected, "fixed": sorted(FIXED_PROSE & set(prose))}


def _render(fmt: str, res: dict[str, Any], prose: dict[str, str], sections: list[dict[str, str]]) -> str:
    if fmt == "md":
        return render_markdown(res, prose, sections)
    safe = plotly_data(res)
    charts = multi_charts(safe) if res.get("layout") == LAYOUT else all_charts(safe) | long_term_charts(safe)
    return render_html(res, prose, sections, charts, plotly_js())
