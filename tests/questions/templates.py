"""The corpus's vocabulary: how users name the channels, the periods they ask about, the names the data does not
have, and the question templates per category — written the way marketers ask, not copied from the router.
"""

from __future__ import annotations

CHANNELS = ("TV", "Radio", "Print", "Search", "Social")

# How users name each channel (plain, colloquial, with a typo).
SAY: dict[str, dict[str, list[str]]] = {
    "TV": {"plain": ["TV", "tv", "television", "TV ads"], "typo": ["televison", "televsion"]},
    "Radio": {"plain": ["radio", "Radio", "radio ads"], "typo": ["raido", "radoi"]},
    "Print": {"plain": ["print", "Print", "print ads"], "typo": ["pritn", "prnit"]},
    "Search": {"plain": ["search", "paid search", "Search"], "typo": ["serach", "saerch"]},
    "Social": {"plain": ["social", "social media", "paid social"], "typo": ["socail", "soical"]},
}
# Periods inside the data (token the answer must echo) and outside it.
IN_RANGE = [
    ("in 2023", "2023"),
    ("during 2022", "2022"),
    ("for 2021", "2021"),
    ("in Q2 2023", "2023"),
    ("in H1 2022", "2022"),
    ("in March 2023", "2023"),
]
OUT_OF_RANGE = [("in 2019", "2019"), ("in 2025", "2025"), ("during 2018", "2018")]
UNKNOWN = ["TikTok", "Pinterest", "Snapchat", "LinkedIn", "Reddit", "Spotify"]

# Category → question templates ({c} one channel, {a}/{b} two channels, {t} a time expression).
T: dict[str, list[str]] = {
    "roi_channel": [
        "what's the ROI on {c}?",
        "is {c} paying for itself",
        "how much do we get back for every dollar we put in {c}",
        "{c} ROI?",
        "what return are we getting from {c}",
        "is {c} worth the money we spend on it?",
        "give me the roas for {c}",
        "how efficient is our {c} spend",
        "does {c} actually make us money?",
        "what are we earning on {c}",
    ],
    "roi_all": [
        "show me the ROI of every channel",
        "what's the return on each of our media channels?",
        "ROI for all channels please",
        "how do the channels compare on return on investment",
    ],
    "rank_best": [
        "which channel gives us the most bang for the buck?",
        "what's our top performing channel",
        "where do we get the best return?",
        "which media channel is the most efficient",
    ],
    "rank_worst": [
        "which channel is our weakest performer?",
        "what's the least efficient channel",
        "where are we getting the lowest return",
        "which channel is doing worst",
    ],
    "compare": [
        "is {a} doing better than {b}?",
        "{a} vs {b} — which has the higher ROI?",
        "compare {a} with {b}",
        "what are the odds that {a} beats {b}",
        "does {a} outperform {b}",
        "should I trust {a} more than {b}? which returns more",
        "which is better, {a} or {b}?",
    ],
    "contribution_channel": [
        "how many sales did {c} bring in?",
        "what did {c} add to sales",
        "how much of our sales came from {c}",
        "incremental sales from {c}?",
        "what's {c}'s contribution",
        "how much revenue is {c} responsible for",
        "how much did {c} drive in sales",
    ],
    "spend_channel": [
        "how much have we put into {c} in total?",
        "total {c} spend",
        "what did we spend on {c} overall?",
        "how much money went into {c}",
    ],
    "spend_period": [
        "how much did we spend on {c} {t}?",
        "what was our {c} spend {t}",
        "{c} spend {t}",
        "total media spend {t}",
    ],
    "roi_period": ["what was the ROI of {c} {t}?", "how did {c} pay back {t}"],
    "contribution_period": ["how much did {c} contribute {t}?", "sales driven by {c} {t}"],
    "kpi_period": ["total sales {t}", "what were our sales {t}?", "how much revenue did we make {t}"],
    "kpi": [
        "show me weekly sales",
        "how have sales developed over time?",
        "sales per week please",
        "what's the sales trend",
    ],
    "health": [
        "can I trust this model?",
        "is the model any good",
        "did the fit converge?",
        "how reliable are these numbers",
        "should I believe these results?",
        "how well does the model fit the data",
        "is this model trustworthy enough to act on",
        "are the results reliable?",
        "do these estimates hold up out of sample?",
    ],
    "ledger": [
        "what specs have we tried on this data?",
        "what models have been run so far",
        "show me the audit trail",
        "what have we tried already?",
        "list the model versions we locked",
        "which specifications were fitted on this dataset",
        "show me the history of this model",
    ],
    "disclosure": [
        "was anything changed after seeing results?",
        "were there any amendments to the model",
        "has the model been tweaked since we saw the numbers?",
        "did anyone change the spec after the results came in",
        "were any changes made post hoc",
    ],
    "scenario_pct": [
        "what if we cut {c} by 20%?",
        "what happens if we increase {c} by 10%",
        "what would happen if we pause {c}",
        "what if we doubled {c}?",
        "what if {c} spend went down 30%",
    ],
    "scenario_move": [
        "move 10k from {a} to {b}",
        "what if we shift 20% of {a} into {b}?",
        "what happens if we move 20,000 from {a} to {b}",
        "reallocate a quarter of {a} to {b}",
        "take 15k out of {a} and put it into {b}",
    ],
    "optimize": [
        "how should we split $2M next quarter?",
        "where should the next 500k go",
        "best way to allocate a 1.5 million budget over 13 weeks",
        "give me an optimal media plan for 3M",
    ],
    "adstock": [
        "what is adstock?",
        "how long do ad effects carry over?",
        "explain carryover",
        "how long does the effect of {c} last",
        "what's the half-life of {c}?",
        "does {c} keep working after we stop spending",
        "how quickly does the effect of {c} decay?",
    ],
    "uncertainty": [
        "why is {c}'s ROI so uncertain?",
        "why is the {c} interval so wide",
        "how sure are we about {c}'s ROI",
        "why can't the model pin down {c}",
    ],
    "payback": [
        "which channels don't pay back?",
        "which channels are losing money",
        "what isn't paying for itself",
        "are any channels below break-even?",
        "which channels have an ROI below 1?",
    ],
    "media_share": [
        "what share of revenue comes from media?",
        "how much of our sales is driven by advertising",
        "what percent of sales is due to marketing",
        "how big is the media effect compared to the baseline",
        "what proportion of revenue is explained by media?",
    ],
    "amend": [
        "change the model to drop Price",
        "take Promo out of the model",
        "remove Holiday from the model",
        "can we rerun the model without Price",
    ],
    "report": ["write up the results", "give me a report I can share", "export the findings as a report"],
    "setup": [
        "help me build a model from scratch",
        "I want to set up a new model",
        "let's start a new model",
        "walk me through creating a model",
    ],
    "describe": [
        "what's in the data?",
        "which channels do we have",
        "what variables are in this dataset",
        "give me an overview of the data",
    ],
    "curve": [
        "is {c} saturated?",
        "are we seeing diminishing returns on {c}",
        "show me the response curve for {c}",
        "at what point does {c} saturate",
    ],
    "geo": ["ROI North vs South", "spend by region", "which region has the best ROI?"],
    "help": ["what can you do?", "help", "what kinds of questions can I ask"],
    "time_compare": [
        "{c} spend in 2022 vs 2023",
        "was {c}'s ROI better in 2023 than in 2022?",
        "how did {c}'s contribution change from 2022 to 2023",
        "how did sales in 2022 compare with 2023?",
    ],
}
