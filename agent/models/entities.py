"""Entities in a user's sentence: names resolved against the dataset (:mod:`agent.models.names` — exact,
separators, category synonyms, brands never mapped, close spelling with rapidfuzz, ambiguity), and money
amounts, horizons and spend moves (:mod:`agent.models.amounts`), budget requests (:mod:`agent.models.plan_request`).
One import for callers.
"""

from __future__ import annotations

from agent.models.amounts import (
    MONEY,
    amounts,
    changes_spend,
    digits,
    names_every_channel,
    parse_amount,
    parse_moves,
    window_periods,
)
from agent.models.impossible import impossible_move
from agent.models.names import (
    KINDS,
    Catalog,
    ChannelMatch,
    Mention,
    Resolution,
    find_channels,
    resolve,
    tokens,
    unknown_channel_words,
)
from agent.models.plan_request import BudgetRequest, parse_budget

__all__ = [
    "KINDS",
    "MONEY",
    "BudgetRequest",
    "Catalog",
    "ChannelMatch",
    "Mention",
    "Resolution",
    "amounts",
    "changes_spend",
    "digits",
    "names_every_channel",
    "impossible_move",
    "find_channels",
    "parse_amount",
    "parse_budget",
    "parse_moves",
    "resolve",
    "tokens",
    "unknown_channel_words",
    "window_periods",
]
