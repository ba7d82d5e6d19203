"""Entities in a user's sentence: names resolved against the dataset (:mod:`agent.models.names` — exact,
separators, category synonyms, brands never mapped, close spelling with rapidfuzz, ambiguity), and money
amounts, horizons, budget constraints and spend moves (:mod:`agent.models.amounts`). One import for callers.
"""

from __future__ import annotations

from agent.models.amounts import (
    MONEY,
    BudgetRequest,
    amounts,
    changes_spend,
    digits,
    names_every_channel,
    parse_amount,
    parse_budget,
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
