"""Text from data (file, dataset, variable and channel names) as Chainlit Markdown that cannot carry markup.

Chainlit renders every message as Markdown (raw HTML is off in ``config.toml``, ``unsafe_allow_html = false``). A
name is escaped where it enters a message (:func:`md_name`), and every message the UI sends passes
:func:`neutralise`, which escapes the brackets and angle brackets that make links, images and autolinks outside
code, so a name that reached the text some other way (an answer quoting it) still shows as written.
"""

from __future__ import annotations

import re

from mmm_core.report.render import md_escape

_FENCE = re.compile(r"(```.*?(?:```|\Z)|`[^`\n]*`)", re.DOTALL)
_LINKISH = re.compile(r"(?<!\\)([\[\]<>])")


def md_name(text: object) -> str:
    """A data-derived name as Markdown text: renders as written, never as a link, image, code or table cell."""
    return md_escape(str(text))


def neutralise(markdown: str) -> str:
    """``markdown`` with every unescaped ``[ ] < >`` outside code spans and fenced blocks backslash-escaped."""
    parts = _FENCE.split(markdown)
    return "".join(p if i % 2 else _LINKISH.sub(r"\\\1", p) for i, p in enumerate(parts))
