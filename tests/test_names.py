"""One lookup of a name among known ones, each caller's wording (``mmm_core.names``): the messages the answers
about channels (``answers.results.resolve_channel``) and about a fit's drivers (``answers.outcomes``) gave before
they shared it."""

from __future__ import annotations

import pytest

from mmm_core.answers.outcomes import DRIVER_NOT_FOUND
from mmm_core.answers.results import resolve_channel
from mmm_core.errors import MMMError, NotFoundError
from mmm_core.names import resolve_name


def test_exact_then_case_insensitive() -> None:
    assert resolve_channel("tv", ["TV", "Search"]) == "TV"
    assert resolve_name("Tv", ["TV", "Tv"], DRIVER_NOT_FOUND) == "Tv"  # exact first: names differing in case stay


def test_channel_wording_unchanged() -> None:
    with pytest.raises(NotFoundError) as err:
        resolve_channel("Radio", ["TV", "Search"])
    e = err.value
    assert (e.message, e.hint, e.code) == ("No channel called 'Radio' in this model.", "Known channels: TV, Search.",
                                           "channel_not_found")  # fmt: skip


def test_driver_wording_unchanged() -> None:
    with pytest.raises(MMMError) as err:
        resolve_name("Radio", ["TV", "Promo_Multi"], DRIVER_NOT_FOUND)
    e = err.value
    assert type(e) is MMMError and e.code == "unknown_channel"
    assert e.message == "'Radio' is not a channel or control of this fit."
    assert e.hint == "Channels and controls: TV, Promo_Multi."
