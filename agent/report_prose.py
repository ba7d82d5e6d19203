"""Optional LLM rewrite of a report's prose, for a warmer voice — never for new numbers.

``llm_rewriter(model)`` returns the ``rewriter(section_id, prose) -> prose`` that
:func:`mmm_core.report.build.build_report` accepts. The core then runs the agent's grounding check
(:mod:`mmm_core.grounding`, re-exported by :mod:`agent.grounding`) on each rewritten section against the report's
results and keeps the template prose for any section with a number that matches nothing; the disclosure and
method sections are never offered for rewriting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import StrictUndefined

from mmm_core.prompts_loader import jinja_env


def rewrite_prompt(section: str, prose: str) -> str:
    """The instruction sent to the model for one section (from ``prompts/report/rewrite.md.j2``)."""
    # a prompt for a model, not a page: HTML-escaping would garble it. What the model writes back is made safe
    # where it lands (``prose_html`` for the HTML report, ``md_safe`` for the Markdown one).
    env = jinja_env("report", autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True)
    return env.get_template("rewrite.md.j2").render(section=section, prose=prose)


def _text(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, list):  # some providers return content blocks
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content).strip()


def llm_rewriter(model: Any = None) -> Callable[[str, str], str]:
    """A rewriter backed by a LangChain chat model (default: ``agent.models.get_model()``, i.e.
    ``$MMM_AGENT_MODEL``). The offline model has nothing to add, so with it the template prose is returned."""
    from agent.models import get_model
    from agent.models.offline import OfflineChatModel

    chat = model if model is not None else get_model()

    def rewrite(section: str, prose: str) -> str:
        if isinstance(chat, OfflineChatModel):  # deterministic default: no rewrite to make
            return prose
        return _text(chat.invoke(rewrite_prompt(section, prose)))

    return rewrite
