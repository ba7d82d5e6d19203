"""Follow-ups that change only the grain, the amount or add "only" are the previous question with that change, and
"it" after a question about one channel is that channel.

Found walking the CLI as a new user: "and by quarter?" after "spend by month" and "and 5k?" after "move 2k from TV
to Google Search" were not understood, and "and for TV only?" after "what is adstock?" answered TV's ROI (another
question)."""

from __future__ import annotations

import pytest

from agent.models.entities import Catalog
from agent.models.followups import resolve

CATALOG = Catalog(channels=("Google Search", "Meta Ads", "TV", "YouTube"))


@pytest.mark.parametrize(
    ("previous", "text", "resolved"),
    [
        ("spend by month", "and by quarter?", "spend by quarter"),
        ("sales by week", "what about by month?", "sales by month"),
        ("move 2k from TV to Google Search", "and 5k?", "move 5k from TV to Google Search"),
        ("what if we cut TV by 20%?", "and 30%?", "what if we cut TV by 30%?"),
        ("move $2,000 from TV to YouTube", "and $5,000?", "move $5,000 from TV to YouTube"),
        ("TV spend in 2022", "and 2023?", "TV spend in 2023?"),  # a year is a period, not an amount
        ("what is adstock?", "and for TV only?", "what is adstock for TV?"),
        ("what is the ROI of TV?", "and YouTube?", "what is the ROI of YouTube?"),
        ("what is the ROI of TV?", "and 5k?", "and 5k?"),  # no amount to replace: left as written
        # "it" after a question about one channel is that channel, in a question about one of its measures
        ("what is the ROI of YouTube?", "why is it so uncertain?", "why is YouTube so uncertain?"),
        ("what is the ROI of YouTube?", "how much did it contribute?", "how much did YouTube contribute?"),
        ("what is the ROI of YouTube?", "what's its contribution?", "what's YouTube's contribution?"),
        ("what is the ROI of YouTube?", "what does it mean?", "what does it mean?"),  # no measure: as written
        ("compare TV and YouTube", "why is it so uncertain?", "why is it so uncertain?"),  # two channels: which?
        # session 10: the other end of a ranking, another measure, a reversed or re-sourced move, a pronoun in a
        # what-if, a grain added to a question that had none
        ("which channel has the best ROI?", "and the worst?", "which channel has the worst ROI?"),
        ("what is the ROI of TV?", "and the contribution?", "what is the contribution of TV?"),
        ("what is the ROI of TV in 2022?", "what about its spend?", "what is the spend of TV in 2022?"),
        ("move 200k from TV to YouTube", "what about from Meta Ads instead?", "move 200k from Meta Ads to YouTube?"),
        ("move 200k from TV to YouTube", "and to Meta Ads?", "move 200k from TV to Meta Ads?"),
        ("move 200k from TV to YouTube", "and the other way round?", "move 200k from YouTube to TV"),
        ("what is the ROI of TV?", "what if we cut it by 20%?", "what if we cut TV by 20%?"),
        ("TV spend in 2022", "and by month?", "TV spend in 2022 by month?"),
    ],
)
def test_follow_up_resolves(previous: str, text: str, resolved: str) -> None:
    assert resolve(text, previous, CATALOG) == resolved
