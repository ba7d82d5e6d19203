"""Looking a name up among the known ones (a channel, a control): the exact name, else the one it matches
case-insensitively; an unknown name raises the caller's error, which lists the known names.

One rule for every caller; the wording is the caller's, since what a name may be (a channel of a model, a channel
or control of a fit) and the error's class and code are part of each answer's contract."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mmm_core.errors import MMMError


@dataclass(frozen=True)
class Wording:
    """How an unknown name is refused: ``message`` and ``hint`` are ``str.format`` templates with ``{name}`` (the
    name asked for) and ``{known}`` (the known names, comma-separated)."""

    error: type[MMMError]
    message: str
    hint: str
    code: str


def resolve_name(name: str, known: Sequence[str], wording: Wording) -> str:
    """``name`` as it is spelled in ``known``: exact first (two names differing only in case stay apart), else the
    case-insensitive match; else ``wording``'s error."""
    if name in known:
        return name
    folded = {k.casefold(): k for k in known}
    if name.casefold() in folded:
        return folded[name.casefold()]
    fields = {"name": name, "known": ", ".join(known)}
    raise wording.error(wording.message.format(**fields), wording.hint.format(**fields), code=wording.code)


__all__ = ["Wording", "resolve_name"]
