"""A sixth tuning set (issue 17, round 6): the categories the held-out set still measures weak — impossible what-ifs,
"where should the money go" plans, contribution over a sub-period in many time expressions, negations, two channels
in one question, unknown brands and platforms, amendments, disclosure and the ledger, geography, model health,
payback and "worst" rankings — plus four gaps found on the tuning side: a budget named as a percentage of today's
("+10% budget"), removing a model term ("remove the trend"), one span written as two quarters ("from Q2 to Q3
2023") and split fiscal years ("FY 2022/23").

Written from how marketing managers, analysts and finance people talk in meetings and e-mails, without reading the
held-out questions, their failures or the router's rules (nothing here imports them). Slots as in ``templates.py``:
{c} one channel. Sub-period questions are written whole with the year token the answer must echo (the data runs
weekly from 2021-01-04 to 2023-12-25; its 13-week spend: TV 195k, Search 78k, Social 65k, Radio 39k, Print 32.5k).
Every question is tuning data (source ``gen`` / ``hand``).
"""

from __future__ import annotations

from typing import Any

T_SIXTH: dict[str, list[str]] = {
    "optimize": [
        "where should the money go next quarter?",
        "where should the money go?",
        "if it were your money, where would you put it?",
        "how would you split our spend if it were up to you?",
        "what would an ideal channel mix look like for us?",
        "got 1.1m to play with - what's the best way to deploy it?",
        "if you were the CMO, how would you allocate the budget?",
        "help me decide how to spread 2.4 million across media",
        "draw up a spend plan for the next 6 months",
        "what's the best way to use 950k?",
        "we've been handed an extra 300k, where should it land?",
        "best allocation for a 2m quarter?",
        "what should the budget split look like?",
        "how would you rejig the mix to drive more sales?",
        "tell me how to reallocate spend across channels",
        "I need a recommended allocation for Q1",
        "how should next year's budget be divided up?",
        "what's your recommendation for splitting 1.8m?",
        "is our current allocation the right one?",
        "can we do better with the money we already spend?",
        "how do I get more revenue without increasing spend?",
        "what does an optimised plan look like at today's spend?",
        "we want to grow the budget by 10% - where should it go?",
        "budget up 10%: how do we spend it?",
        "plan for +10% budget",
        "with 20% more budget, what's the ideal split?",
        "if the budget goes up by 15%, how should we allocate it?",
        "what's the best plan if we cut the total budget by 10%?",
        "we must trim the budget 20% - how should the rest be split?",
        "help me allocate a 750k budget over 10 weeks",
        "how should we carve up 5 million next year?",
        "the board approved 4m; how should marketing deploy it?",
        "optimise our spend across the channels please",
        "what mix would maximise revenue?",
        "show me the optimal budget allocation",
        "give me a recommended spend by channel",
        "which mix gives the most sales for the same money?",
        "shift money around to get more out of it - what do you suggest?",
        "what's the revenue-maximising split of 3m?",
    ],
    "rank_worst": [
        "which channel is our biggest money pit?",
        "what's the worst performer in the mix?",
        "which channel gives the poorest return on spend?",
        "name the channel with the lowest ROAS",
        "which channel earns the least?",
        "what's the weakest channel on ROI?",
        "which media isn't pulling its weight?",
        "least efficient medium?",
        "which channel would you defund first?",
        "which one is the worst value for money?",
        "which channel underperforms the most?",
        "what's at the bottom of the ROI table?",
        "where's our money doing the least?",
    ],
    "payback": [
        "which channels lose money?",
        "which channels don't pay for themselves?",
        "which channels fall short of break-even?",
        "is every channel profitable?",
        "which channels generate less revenue than they cost?",
        "do any channels cost more than they bring in?",
        "which channels pay back and which don't?",
        "are we getting our money back on every channel?",
        "which channels have a return under 1x?",
        "list the channels that are unprofitable",
        "which channels clear break-even?",
        "which channels are loss-making?",
        "what's the break-even status of each channel?",
    ],
    "health": [
        "how much faith should I put in this model?",
        "is the model fit for purpose?",
        "is this model good enough to base decisions on?",
        "did the model pass its checks?",
        "how robust is the model?",
        "give me the model diagnostics",
        "any red flags with the model?",
        "how well does the model predict unseen weeks?",
        "what's the holdout accuracy?",
        "is the model broken?",
        "how confident can we be in the model overall?",
        "was the sampling OK?",
        "how solid is this model?",
        "health check on the model please",
        "is the model overfitting?",
        "did the chains mix?",
    ],
    "ledger": [
        "what specs are on file for this dataset?",
        "which specs did we register?",
        "how many specs have been locked?",
        "show every spec and fit we've run",
        "what's been done on this data so far?",
        "give me the spec log",
        "list the fits",
        "show previous model runs",
        "which model specifications have been tested?",
        "what versions of the model are there?",
    ],
    "disclosure": [
        "was the spec altered after we looked at the results?",
        "did we change anything after seeing the numbers?",
        "has anyone amended the model since it was locked?",
        "were any post-hoc changes made?",
        "tell me about any amendments",
        "what changed after the first results?",
        "is this analysis still as pre-registered?",
        "did the specification change after results were seen?",
        "any spec changes after the fit came back?",
        "were the model settings modified after the results?",
        "did someone tamper with the model after seeing results?",
    ],
    "geo": [
        "which market gets the best ROI?",
        "ROI by country please",
        "break sales down by region",
        "how does search perform in each region?",
        "which state drives the most sales?",
        "{c}'s contribution by market",
        "ROI North vs South",
        "which geography should get more budget?",
        "how does each region perform?",
    ],
    "amend": [
        "remove the trend",
        "drop the trend from the model",
        "take the trend out",
        "get rid of the seasonality term",
        "the model shouldn't include Holiday",
        "please exclude Price from the controls",
        "I want Promo out of the model",
        "put Price back into the model",
        "add a trend to the spec",
        "let TV's carryover run longer",
        "remove Promo and refit the model",
        "drop Holiday, it's not needed",
    ],
}

# Contribution over a sub-period: (question, channels, the year token the answer must echo).
CONTRIBUTION_PERIODS_SIXTH: list[tuple[str, list[str], str]] = [
    ("how much did TV contribute from Q2 to Q3 2023?", ["TV"], "2023"),
    ("radio's contribution from Q1 to Q2 2022", ["Radio"], "2022"),
    ("what did search drive between Q2 and Q4 2021?", ["Search"], "2021"),
    ("TV contribution in FY 2022/23", ["TV"], "2022"),
    ("how much did social contribute in 2022/23?", ["Social"], "2022"),
    ("what did print bring in over fiscal 2021/22?", ["Print"], "2021"),
    ("what did TV contribute in Feb 2023?", ["TV"], "2023"),
    ("search's contribution in Sept 2022", ["Search"], "2022"),
    ("how much did radio drive in the spring of 2022?", ["Radio"], "2022"),
    ("social's contribution over autumn 2021", ["Social"], "2021"),
    ("what did print contribute in winter 2022?", ["Print"], "2022"),
    ("how much did TV drive in the back half of 2022?", ["TV"], "2022"),
    ("search contribution in the latter half of 2021", ["Search"], "2021"),
    ("radio's incremental sales in mid 2022", ["Radio"], "2022"),
    ("what did social deliver in late 2023?", ["Social"], "2023"),
    ("TV's contribution over the past 6 months", ["TV"], "2023"),
    ("how much has search driven over the last quarter?", ["Search"], "2023"),
    ("what did radio contribute in the final 13 weeks?", ["Radio"], "2023"),
    ("social's contribution over the most recent 4 weeks", ["Social"], "2023"),
    ("print's contribution this year", ["Print"], "2023"),
    ("TV contribution last year", ["TV"], "2023"),
    ("how much did search add to sales in the 2022 holiday season?", ["Search"], "2022"),
    ("what did radio contribute across 2021?", ["Radio"], "2021"),
    ("how much did TV contribute for the year 2022?", ["TV"], "2022"),
    ("print contribution, calendar year 2021", ["Print"], "2021"),
    ("how much did social contribute throughout 2023?", ["Social"], "2023"),
    ("TV's contribution in the 4th quarter of 2021", ["TV"], "2021"),
    ("what did search contribute in the 1st half of 2022?", ["Search"], "2022"),
    ("how much did radio drive in Q3 of 2023?", ["Radio"], "2023"),
    ("social contribution Q2 '22", ["Social"], "2022"),
    ("what was print's contribution in 2022 Q4?", ["Print"], "2022"),
    ("TV's contribution from January through June 2022", ["TV"], "2022"),
    ("how much did search drive from Jan 2022 to Mar 2022?", ["Search"], "2022"),
    ("radio contribution between 1 March 2023 and 30 June 2023", ["Radio"], "2023"),
    ("social's contribution since the start of 2023", ["Social"], "2023"),
    ("what has print contributed since Q2 2023?", ["Print"], "2023"),
    ("how much did TV contribute up to June 2021?", ["TV"], "2021"),
    ("search's contribution until the end of 2021", ["Search"], "2021"),
    ("what share of 2022 sales did radio drive?", ["Radio"], "2022"),
    ("how many incremental sales did social generate in 2021?", ["Social"], "2021"),
    ("what did TV contribute Jan-Mar 2023?", ["TV"], "2023"),
    ("radio's contribution in 2022's second quarter", ["Radio"], "2022"),
    ("search contribution 2023 H1", ["Search"], "2023"),
    ("what did social drive during the summer?", ["Social"], "2023"),
    ("print contribution in Q3-2022", ["Print"], "2022"),
    ("how much did TV drive from October through December 2021?", ["TV"], "2021"),
    ("what did each channel contribute in Q2 2022?", [], "2022"),
    ("media contribution by channel over H1 2021", [], "2021"),
    ("channel contributions for the second half of 2023", [], "2023"),
    ("how much did our channels drive in the first quarter of 2023?", [], "2023"),
    ("break down 2021's incremental sales by channel", [], "2021"),
]

# One span written as two ends (a single window, not a comparison of two): (question, start, end, label, channel).
SPANS_SIXTH: list[tuple[str, str, str, str, str | None]] = [
    ("how much did TV contribute from Q2 to Q3 2023?", "2023-04-01", "2023-09-30", "Q2 2023 to Q3 2023", "TV"),
    ("radio's contribution from Q1 to Q2 2022", "2022-01-01", "2022-06-30", "Q1 2022 to Q2 2022", "Radio"),
    ("what did search drive between Q2 and Q4 2021?", "2021-04-01", "2021-12-31", "Q2 2021 to Q4 2021", "Search"),
    ("TV contribution in FY 2022/23", "2022-04-01", "2023-03-31", "FY2022/23, Apr 2022–Mar 2023", "TV"),
    (
        "how much did social contribute in 2022/23?",
        "2022-04-01",
        "2023-03-31",
        "FY2022/23, Apr 2022–Mar 2023",
        "Social",
    ),
    (
        "what did print bring in over fiscal 2021/22?",
        "2021-04-01",
        "2022-03-31",
        "FY2021/22, Apr 2021–Mar 2022",
        "Print",
    ),
    (
        "our fiscal year starts in July: what did radio contribute in FY 2021/22?",
        "2021-07-01",
        "2022-06-30",
        "FY2021/22, Jul 2021–Jun 2022",
        "Radio",
    ),
]

# Two channels in one question: both named in the answer, nothing simulated.
TWO_CHANNELS_SIXTH: list[tuple[str, list[str]]] = [
    ("how do TV and radio compare on return?", ["TV", "Radio"]),
    ("what's the payback on search and print?", ["Search", "Print"]),
    ("social & print ROI", ["Social", "Print"]),
    ("tell me what radio and search each contributed", ["Radio", "Search"]),
    ("spend on TV and social last year", ["TV", "Social"]),
    ("how are TV and search performing?", ["TV", "Search"]),
    ("ROI for both print and radio", ["Print", "Radio"]),
    ("what did social and radio drive in sales?", ["Social", "Radio"]),
    ("I'd like the returns for search as well as TV", ["Search", "TV"]),
    ("what's the efficiency of radio and social?", ["Radio", "Social"]),
]

# A channel named only to be left out: (question, the channels the answer is about).
NEGATIONS_SIXTH: list[tuple[str, list[str]]] = [
    ("ROI of all channels apart from TV and radio", ["Print", "Search", "Social"]),
    ("excluding search, what are the returns?", ["TV", "Radio", "Print", "Social"]),
    ("show me the ROI for every channel but print", ["TV", "Radio", "Search", "Social"]),
    ("not counting TV, how much did the other channels contribute?", ["Radio", "Print", "Search", "Social"]),
    ("ROI of the channels other than radio", ["TV", "Print", "Search", "Social"]),
    ("forget TV - what are the other channels returning?", ["Radio", "Print", "Search", "Social"]),
    ("what's everyone's ROI except social?", ["TV", "Radio", "Print", "Search"]),
    ("leave print out: what's the ROI of the rest?", ["TV", "Radio", "Search", "Social"]),
    ("contribution of everything besides search", ["TV", "Radio", "Print", "Social"]),
    ("ignoring radio, which channels return what?", ["TV", "Print", "Search", "Social"]),
]

# Impossible what-ifs: cuts beyond the whole spend, negative budgets, moves larger than a channel's spend. The
# first channel is the one the refusal must name; nothing is simulated.
IMPOSSIBLE_SIXTH: list[tuple[str, list[str]]] = [
    ("what happens if we reduce TV by 110%?", ["TV"]),
    ("slash search spend by 200 percent", ["Search"]),
    ("what if radio's budget were minus 20k?", ["Radio"]),
    ("set print spend to -10,000", ["Print"]),
    ("what if social had a negative budget of 5k?", ["Social"]),
    ("move 1 million from print into search", ["Print", "Search"]),
    ("shift 500k out of radio into TV", ["Radio", "TV"]),
    ("what if we reallocated 3m from social to TV?", ["Social", "TV"]),
    ("cut TV by 250%", ["TV"]),
    ("decrease search by 130%", ["Search"]),
    ("move 200% of radio into print", ["Radio", "Print"]),
    ("what if we took 900k from print and gave it to social?", ["Print", "Social"]),
]

# Asks the data cannot answer: refused, nothing from the data presented as the answer.
OUT_OF_SCOPE_SIXTH: list[str] = [
    "what if our total media budget were negative?",
    "what's the ROI of influencer marketing?",
    "how did our podcast ads perform?",
    "what's the ROI of email marketing?",
    "how much revenue did affiliates bring in?",
    "what's our brand's market share?",
    "how much did our competitor spend on TV?",
    "will sales go up next quarter?",
    "what's the conversion rate on our website?",
    "which audience segment responds best to TV?",
    "how did the Super Bowl ad do?",
    "what will search ROI be in 2026?",
]

# Unknown brands and platforms (alone or beside known ones): refused and named, with the data's channels listed.
UNKNOWN_SIXTH: list[tuple[str, str]] = [
    ("what's Instagram's ROI?", "Instagram"),
    ("how much did Google Ads contribute?", "Google"),
    ("is Meta better than TV?", "Meta"),
    ("how much did we put into Netflix ads?", "Netflix"),
    ("what if we doubled Spotify?", "Spotify"),
    ("ROI of X (Twitter)", "Twitter"),
    ("compare print with Outdoor", "Outdoor"),
    ("what's the return on Roku?", "Roku"),
    ("did Pinterest pay back?", "Pinterest"),
    ("how much did WhatsApp drive?", "WhatsApp"),
    ("what's the ROI on programmatic display?", "display"),
    ("move 10k from radio to Snapchat", "Snapchat"),
]


def span_expect(start: str, end: str, label: str, channel: str | None) -> dict[str, Any]:
    """One window from ``start`` to ``end``, named ``label`` in the answer, applied to the contributions asked."""
    window = {"start": start, "end": end, "label": label}
    args: dict[str, Any] = {"windows": [window]} | ({"channel": channel} if channel else {})
    return {"tool": "contributions", "args": args, "has": [label], "channels": [channel] if channel else []}
