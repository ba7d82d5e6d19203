"""Rendering: number formats, section prose from the Jinja templates in ``prompts/report``, and the HTML /
Markdown page around it.

Numbers are formatted in one place (the filters below) so the same quantity reads the same everywhere and the
grounding check can match it back to the results at the precision written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from mmm_core.prompts_loader import jinja_env

TEMPLATES = "report"  # below the prompts package


# --- number formats --------------------------------------------------------------------------------------------


def amount(x: float | None) -> str:
    """KPI and spend amounts: 5.45M, 416,000, 87.5."""
    if x is None:
        return "n/a"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f}M"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.1f}"


def ratio(x: float | None) -> str:
    """ROI-like ratios (KPI per unit of spend): two decimals."""
    return "n/a" if x is None else f"{x:.2f}"


def pct(x: float | None) -> str:
    """A fraction as a percentage: 0 decimals from 10%, 1 decimal below (6.6%)."""
    if x is None:
        return "n/a"
    return f"{100 * x:.0f}%" if abs(x) >= 0.1 else f"{100 * x:.1f}%"


def prob(x: float | None) -> str:
    """A probability as a whole percentage."""
    return "n/a" if x is None else f"{100 * x:.0f}%"


def interval(est: dict[str, Any] | None, kind: str = "ratio") -> str:
    """``mean (lo–hi)`` of an estimate in the given format."""
    if not est:
        return "n/a"
    f = FORMATS[kind]
    lo = est.get("lo")
    sep = " to " if lo is not None and lo < 0 else "–"  # "-24,175–78,341" reads like a typo
    return f"{f(est.get('mean'))} ({f(lo)}{sep}{f(est.get('hi'))})"


def number(x: Any) -> str:
    """Generic cell: integers as is, floats with 3 significant digits (diagnostics, thresholds)."""
    if x is None:
        return "—"
    if isinstance(x, bool) or isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        return amount(x) if abs(x) >= 1000 else f"{x:.3g}"
    return str(x)


def short_hash(text: str | None) -> str:
    return (text or "")[:12] + "…"


def capfirst(text: str | None) -> str:
    return (text or "")[:1].upper() + (text or "")[1:]


def join(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


FORMATS = {"amount": amount, "ratio": ratio, "pct": pct, "prob": prob}


FILTERS = {
    "amount": amount,
    "ratio": ratio,
    "pct": pct,
    "prob": prob,
    "interval": interval,
    "number": number,
    "short_hash": short_hash,
    "join": join,
    "capfirst": capfirst,
}


@lru_cache(maxsize=2)
def environment(html_page: bool = False) -> Environment:
    """The HTML page escapes every value it inserts (a channel or dataset name is data, never markup); prose and
    Markdown are text, made safe for their page by ``prose_html`` and ``md_safe`` instead."""
    env = jinja_env(
        TEMPLATES,
        undefined=StrictUndefined,
        autoescape=html_page,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS, prose_html=prose_html, md_cell=md_cell)
    return env


# --- prose -----------------------------------------------------------------------------------------------------


def layout_dirs(res: dict[str, Any]) -> list[str]:
    """Template folders for the results' layout, most specific first: a multi-outcome report's own templates
    (``multi/``), then the shared ones (the disclosure is the same for every report)."""
    return ["multi/", ""] if res.get("layout") == "multi" else [""]


def section_templates(res: dict[str, Any], kind: str, section: str, ext: str) -> list[str]:
    """Candidate templates of one section's ``kind`` (``prose`` or ``sections``), first found wins."""
    return [f"{kind}/{d}{section}.{ext}.j2" for d in layout_dirs(res)]


def render_prose(section: str, res: dict[str, Any]) -> str:
    """The template prose of one section, filled with the results (deterministic)."""
    text = environment().select_template(section_templates(res, "prose", section, "md")).render(r=res)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _CODE.sub(r"<code>\1</code>", out)


def prose_html(text: str) -> Markup:
    """The small Markdown subset the prose templates use (paragraphs, ``- `` lists, **bold**, `code`) as HTML;
    everything else is escaped, so prose (including an LLM rewrite) cannot inject markup."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        if lines and all(ln.lstrip().startswith("- ") for ln in lines):
            items = "".join(f"<li>{_inline(ln.lstrip()[2:])}</li>" for ln in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif lines:
            blocks.append(f"<p>{_inline(' '.join(ln.strip() for ln in lines))}</p>")
    return Markup("\n".join(blocks))  # noqa: S704 - every piece went through html.escape in _inline


def md_cell(value: Any) -> str:
    """A table cell: line breaks flattened, pipes escaped unless ``md_escape`` already did."""
    return re.sub(r"(?<!\\)\|", r"\\|", str(value)).replace("\n", " ")


# Characters that make Markdown (or the HTML a Markdown viewer lets through) out of text: links and images need
# brackets, raw HTML and autolinks need angle brackets, code spans and emphasis need backticks and asterisks.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|!])")


def md_escape(text: str) -> str:
    """A name from the data as Markdown text: each special character backslash-escaped (it renders as itself),
    line breaks flattened, so a channel called ``[x](http://evil)`` or ``<img ...>`` stays a name."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).splitlines()))


def map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """``value`` with ``fn`` applied to every string in it, dict keys too, so lookups by name still match."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {map_strings(k, fn): map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [map_strings(v, fn) for v in value]
    return value


def md_data(value: Any) -> Any:
    """The results with every string Markdown-escaped (:func:`md_escape`), for the Markdown report."""
    return map_strings(value, md_escape)


def plotly_data(value: Any) -> Any:
    """The results with ``& < >`` of every string written as entities, for chart labels: Plotly reads a small
    HTML subset in text (``<a href>``, ``<b>``) and shows entities as the characters, so a name stays a name."""
    return map_strings(value, lambda text: html.escape(text, quote=False))


_CODE_SPAN = re.compile(r"(`[^`\n]*`)")
_MD_LINKISH = re.compile(r"([\[\]<>])")


def md_safe(text: str) -> str:
    """Free prose (an accepted LLM rewrite) for the Markdown page: bold, lists and code spans stay, but brackets
    and angle brackets outside code spans are escaped, so it cannot carry a link, an image or raw HTML."""
    parts = _CODE_SPAN.split(text)
    return "".join(p if i % 2 else _MD_LINKISH.sub(r"\\\1", p) for i, p in enumerate(parts))


# --- pages -----------------------------------------------------------------------------------------------------


def render_html(
    res: dict[str, Any], prose: dict[str, str], sections: list[dict[str, str]], charts: dict[str, str], plotly_js: str
) -> str:
    # plotly.js is our bundled library and the chart divs come from Plotly, whose JSON escapes "<", ">" and "/"
    # (no </script> breakout); everything else on the page is escaped by the environment
    trusted = {k: Markup(v) for k, v in charts.items()}  # noqa: S704
    return (
        environment(html_page=True)
        .get_template("report.html.j2")
        .render(
            r=res,
            prose=prose,
            sections=sections,
            charts=trusted,
            plotly_js=Markup(plotly_js),  # noqa: S704
            tables=lambda sid: section_templates(res, "sections", sid, "html"),
        )
    )


def render_markdown(res: dict[str, Any], prose: dict[str, str], sections: list[dict[str, str]]) -> str:
    """The Markdown page from escaped data: template prose is rendered again from the escaped results (it reads
    the same), prose that is not the template's (an accepted rewrite) goes through :func:`md_safe`."""
    safe = md_data(res)
    md_prose = {
        sid: render_prose(sid, safe) if text == render_prose(sid, res) else md_safe(text) for sid, text in prose.items()
    }
    return (
        environment()
        .get_template("report.md.j2")
        .render(
            r=safe, prose=md_prose, sections=sections, tables=lambda sid: section_templates(res, "sections", sid, "md")
        )
    )
