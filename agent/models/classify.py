"""The first reading of a question: which intent its words ask for (``classify``), before the router resolves
names, periods and the readings that depend on them (``agent.models.router``). The rule table is
``agent.models.rules``; the decisions here are the ones a rule alone gets wrong (a comparison needs two channels, a
per-money question is a return, a plan's level for one channel is its curve...).
"""

from __future__ import annotations

import re

from agent.models import entities, ranking
from agent.models.cues import (
    AGAINST_ONE,
    AGAINST_REST,
    HEAD_TO_HEAD,
    KPI_ITSELF,
    MEASURES,
    PER_MONEY,
    QUALITY_H2H,
    roi_odds,
)
from agent.models.rules import RULES
from agent.models.rules_plan import (
    CHANNEL_LEVEL,
    CURRENT_BUDGET,
    IMPROVE,
    PAST,
    PLAN_WORD,
    TOTAL_BUDGET,
    budget_change,
    budget_cut,
)


def breakdown(low: str) -> str:
    """What a question breaks its answer down by: geography, period, else channel."""
    if re.search(
        r"\b(geo|geos|geograph\w*|region\w*|market|markets|state|states|dma|dmas|country|"
        r"countries|city|cities|area|areas)\b",
        low,
    ):
        return "geo"
    if re.search(
        r"\b(period|periods|week|weeks|weekly|month|months|monthly|(?<!all )time|over time|(?<!to )date|dates|trend|"
        r"year|years|daily|day)\b",
        low,
    ):
        return "period"
    return "channel"


def classify(low: str, n_channels: int, n_windows: int = 0) -> str:
    """First matching rule; 'compare' needs two channels unless the user literally says compare/probability,
    so "baseline vs media" falls through to contribution. Two channels set against each other ("should I trust
    A more than B?") are a comparison whatever other word the question uses; a question about the KPI itself
    with no channel ("what were our sales in 2023?") is the observed KPI, not a contribution. A comparison of
    two periods ("sales in 2022 compared with 2023") is the measure asked about over both; the media share of
    one named channel ("what share of sales is due to TV?") is that channel's contribution."""
    if _WHICH_KPI.match(low):
        return "describe"  # "what's the KPI?": the dataset's KPI and variables, not the KPI's values
    if n_channels == 0 and KPI_ITSELF.search(low):
        return "kpi_by"
    name = first_rule(low, n_channels)
    if n_channels >= 2 and (name in ("curve", "headroom") or name == "compare" and _SATURATION.search(low)):
        return "headroom"  # "TV vs Radio saturation": their marginal ROI against their average, side by side
    if name in _ABOUT_CHANNELS and n_channels >= 2 and HEAD_TO_HEAD.search(low):
        return "compare"
    if name in ("spend_by", "scenario") and n_channels == 2 and QUALITY_H2H.search(low) and HEAD_TO_HEAD.search(low):
        return "compare"  # "is Search a better investment than TV?": judged on return, not on the money spent
    if name in _PER_MONEY_FROM and n_channels < 2 and PER_MONEY.search(low):
        # "which channel brings in the least per dollar?": the ranking; one channel's ratio: its ROI
        return "rank" if not n_channels and ranking.RANKED.search(low) else "roi"
    if (
        n_channels < 2
        and AGAINST_REST.search(low)
        and (name == "compare" or name == "unknown" and HEAD_TO_HEAD.search(low))
    ):
        return "roi"  # "how does Search compare to the other channels?": the table of every channel
    if name in ("compare", "unknown") and not n_channels and breakdown(low) == "geo":
        return "roi"  # "compare regions": the ROI by geography (or the national figure, saying there are none)
    if name == "compare" and n_channels < 2 and n_windows >= 2:
        return next((m for m, rx in MEASURES if rx.search(low)), "roi" if n_channels else "kpi_by")
    if n_channels and name not in ("optimize", "scenario") and _PLAN_ASKED.search(low) and _HELD_AS_IS.search(low):
        return "optimize"  # "give me a plan that keeps TV flat": a plan with that channel held, not TV's figures
    if name in _HYPOTHETICAL_FROM and n_channels and _HYPOTHETICAL.search(low) and not _LOOKS_BACK.search(low):
        return "scenario"  # "what would sales be if TV spend were zero?": a what-if at that level, not TV's spend
    if name in ("media_share", "contribution") and n_channels and _RULE["scenario"].search(low):
        return "scenario"  # "what's the impact of cutting Social by 10 percent?": a change of spend is a what-if
    if n_channels and CHANNEL_LEVEL.search(low) and not PAST.search(low) and name != "scenario":
        # "should we spend less on TV?": the next step's return at today's spend; of two or more channels, the
        # table of their ROI and marginal ROI
        return "curve" if n_channels == 1 else "roi"
    if not n_channels and TOTAL_BUDGET.search(low) and not PAST.search(low):
        return "optimize"  # "what is the ideal total budget?": the plan at today's total, led by its best budget
    if (
        not n_channels
        and name != "optimize"
        and CURRENT_BUDGET.search(low)
        and IMPROVE.search(low)
        and not PAST.search(low)
        and not (name == "rank" and _WHICH_CHANNEL.search(low))  # "which channel is best for the money?"
    ):
        return "optimize"  # "what would you shift to get more from the same spend?": a plan at today's total
    if name == "scenario" and not n_channels and _RULE["optimize"].search(low):
        return "optimize"  # "what if we only had 1 million, how would you split it?": money to plan, no move
    if name in ("scenario", "unknown") and not n_channels and budget_change(low) is not None and _ASKS_PLAN.search(low):
        return "optimize"  # "budget up 10%: how do we spend it?": today's total, scaled, to plan
    if name in ("scenario", "unknown") and not n_channels and budget_cut(low) and _ASKS_CUT.search(low):
        return "optimize"  # "if we had to cut the budget by 300k, what goes first?": today's total, less it, planned
    if name == "roi" and n_channels == 1 and _IF_SPEND.search(low) and _SIZED.search(entities.digits(low)):
        return "scenario"  # "what would TV's ROI be if we spent a trillion?": the what-if, with its extrapolation
    if name == "fit" and _ASKS_ABOUT.match(low):
        return "fit_status"  # "is the fit quick or full?": about the fit, never a request to run one
    if name == "health" and n_channels == 1:
        return "uncertainty"  # "can we trust the TV estimate?": how well that channel's effect is pinned down
    if name == "uncertainty" and not n_channels and _RULE["health"].search(low):
        return "health"  # "how confident are we in these results overall? can I trust them": the model as a whole
    if name == "media_share" and n_channels:
        return "contribution"
    if n_channels == 1 and name in ("roi", "unknown", "payback") and _PAYS_BACK.search(low) and not _ODDS.search(low):
        return "payback"  # "does Radio pay back?", "is Social profitable at a 30% margin?": judged against break-even
    if name == "payback" and ranking.SUPERLATIVE.search(low):
        return "rank"  # "where are we wasting the most money?": the worst end of the ranking
    if (name == "rank" or name == "optimize" and _SPENT_NOW.search(low)) and _BY_SPEND.search(low):
        # "which channel gets the most budget?", "where do we spend the most?": the money spent by channel, not the
        # ROI ranking or a plan
        return "spend_by"
    if (
        name == "optimize"
        and n_channels == 1
        and re.search(
            r"\b(optimi[sz]e|optimal|ideal|best|right) (weekly |monthly |annual )?(spend|level|budget)\b", low
        )
        and not _HELD.search(low)  # "optimise spend but keep Radio at current levels": a plan around Radio
    ):
        return "curve"  # "what is the optimal spend for TV?": that channel's next-step return at today's spend
    if (
        name == "curve"
        and not n_channels
        and re.search(r"\b(which|any|how many|where|what is|what's|explain|define)\b", low)
    ):
        # "which channel is saturated?", "what is saturation?": every channel's marginal ROI, not one curve
        return "headroom"
    if name == "headroom" and n_channels:  # "is TV saturated yet?": that channel's curve (its marginal ROI)
        return "curve" if n_channels == 1 else "roi"
    if name == "unknown" and _KPI_WORD.search(low) and not (n_channels and entities.changes_spend(low)):
        # "how much did we sell in 2022?": the observed KPI; "what has Radio done for sales?": its contribution
        return "contribution" if n_channels else "kpi_by"
    return name


# A plan asked for ("where should it go?", "how do we spend it?", "the ideal split").
_ASKS_PLAN = re.compile(rf"{PLAN_WORD.pattern}|{IMPROVE.pattern}|\b(where|how)\b")
_ASKS_CUT = re.compile(rf"{_ASKS_PLAN.pattern}|\b(what|which)\b.{{0,20}}\b(goes|go|first|cut|lose)\b")
# A change of spend supposed ("if we spent 2m more", "were we to double it"): the question is about that what-if.
_IF_SPEND = re.compile(
    r"\b(if|were|suppose|assuming) (we|you|i|it|they)\b.{0,25}\b(spen[dt]|put|invest\w*|doubl\w*|tripl\w*|"
    r"halv\w*|cut|rais\w*|increas\w*|pour\w*|add\w*)\b"
)
# Two channels set against each other on the KPI they brought, not on its return per unit of spend.
MORE_KPI = re.compile(
    r"\b(drove|drives?|driven|driving|brought( in)?|brings?( in)?|generated?|contribution|delivered|sold|added)\b "
    r"(the )?(more|less|most|least|fewer|bigger|larger|smaller)\b|\b(more|fewer|less) (sales|revenue|"
    r"conversions|orders|kpi|incremental)\b|\bon contribution\b|\b(bigger|larger|smaller) contribution\b|"
    # "compare the contribution of Social and Print": their contributions, not their ROI
    r"\bcompar\w* (the |their )?contributions?\b|\bcontributions? of\b"
)
# A ranking by the money spent ("which channel gets the most budget?", "the biggest channel by spend").
_BY_SPEND = re.compile(
    r"\b(gets?|got|receiv\w*|takes?|took|has|had|uses?|eats?)\b (the )?(most|least|largest|biggest|smallest|"
    r"lowest|highest) (budget|money|spend|spending|investment|share of (the )?(budget|spend))\b|"
    r"\b(by|in) (spend|spending|budget|investment)\b(?! (level|efficien))|\bspend the most on\b|"
    r"\b(most|least|highest|lowest|largest|biggest|smallest) (spend|spending|budget)\b|"
    r"\bspend (the )?(most|least)\b"
)
# Spend as it is or was ("where do we spend the most?"), not as it should be ("where should we spend the most?").
_SPENT_NOW = re.compile(r"\b(do|did|does|have|has) (we|i|you|our company)\b")
# "what's the KPI?", "what is the target variable?": which variable, not its values.
_WHICH_KPI = re.compile(r"^\W*what('s| is) (the|our) (kpi|target|outcome|dependent variable)( variable)?\s*[?.!]*\s*$")
# A question, not a request ("is the fit quick or full?", "when was it fitted?").
_ASKS_ABOUT = re.compile(r"^\W*(is|was|are|were|which|when|how|has|have|did)\b")
# Readings a return per unit of money ("each dollar of TV", "the revenue multiplier on Social") is taken for.
_PER_MONEY_FROM = ("contribution", "spend_by", "media_share", "kpi_by", "unknown")
_HELD = re.compile(r"\b(keep\w*|hold\w*|leav\w*|fix\w*|cap|capped|at least|no more than|at most)\b")
_WHICH_CHANNEL = re.compile(r"\b(which|best|top|worst|strongest|weakest) (channel|medium|media|one)s?\b")
# A channel's spend set to a level in a conditional ("if TV spend were zero", "if Radio was 50k a week", "with no TV
# spend", "if there were no Search"): a what-if, whichever measure the question names. Looking back ("what would sales
# have been without TV?") is the contribution the data measured, so it stays with its rule.
_HYPOTHETICAL = re.compile(
    r"\bif\b.{0,40}\b(were|was|is|went|goes|became|dropped|fell|rose)\s+(to\s+)?(only |just |about |around )?"
    r"(zero|nothing|nil|negative|below zero|minus\b|-\s?[$€£]?\d|[$€£]?\d)"
    r"|\bif (we |you |they |there )?(had|have|were|was) no\b|\bwould\b.{0,40}\bwith no\b"
)
# A plan asked for with a channel held where it is ("a plan that keeps TV flat", "plan the budget with Radio fixed").
_PLAN_ASKED = re.compile(
    r"\b(give|make|build|draw up|create|suggest|propose|want|need|show)\b.{0,15}\b(plan|allocation|split|mix)\b|"
    r"\bplan (the|our|next|a|my)\b|\b(allocat\w*|re-?allocat\w*|rebalanc\w*)\b"
)
_HELD_AS_IS = re.compile(
    r"\b(flat|fixed|unchanged|as is|constant|steady|untouched|where (it|they) (is|are)|at (its|their) "
    r"current)\b"
)
# One channel judged against break-even ("does Radio pay back?", "is TV profitable?", "is Print worth it?").
_PAYS_BACK = re.compile(
    r"\b(pay(s|ing)? (back|off|for (it|them)sel\w*)|profitable|unprofitable|break(s|ing)? even|make (us )?(any )?"
    r"money|los(e|es|ing) (us )?money|worth it)\b"
)
_ODDS = re.compile(r"\b(how likely|likel\w*|probab\w*|chances?|odds)\b")  # "how likely is it that TV pays back?"
_SATURATION = re.compile(r"\b(saturat\w*|diminishing|head-?room|room to grow|marginal|mroi)\b")
_HYPOTHETICAL_FROM = {"spend_by", "kpi_by", "contribution", "media_share", "unknown", "roi"}
_LOOKS_BACK = re.compile(r"\b(would|could|might)\s+(have|'ve)\s+been\b|\b(would|'d) have\b|\bhad been\b")
# A size of change: money, a percentage, a multiple.
_SIZED = re.compile(rf"{entities.MONEY.pattern}|\d\s?%|\bpercent\b|\b(doubl|tripl|halv|half)\w*", re.I)
# The first rule of each name (the rule table names a few intents twice).
_RULE = {name: rx for name, rx in reversed(RULES)}
# The KPI itself, named in a question no other rule claimed.
_KPI_WORD = re.compile(r"\b(sales|revenue|revenues|turnover|kpi|conversions|orders|sell|sold|income|bookings)\b")


# Intents that read results about channels: a channel named only to be excluded is dropped from them.
READING = {"roi", "rank", "compare", "contribution", "spend_by", "payback", "unknown", "clarify_compare"}
# Intents about channels' results that a head-to-head wording of two channels turns into a comparison.
_ABOUT_CHANNELS = {"health", "roi", "rank", "contribution", "unknown"}
# Intents a question about one control's effect lands in by its words ("how much did Promo contribute?").
ABOUT_A_CONTROL = {"contribution", "kpi_by", "unknown", "roi", "media_share", "spend_by"}


def first_rule(low: str, n_channels: int) -> str:
    for name, rx in RULES:
        if not rx.search(low):
            continue
        if name == "compare" and n_channels == 0 and re.search(r"\b(roi|return)", low):
            return "roi"  # "how do the channels compare on return" names no pair: the ROI table answers it
        if name == "compare" and n_channels < 2 and not re.search(r"\b(compare|probability|how likely)\b", low):
            continue
        if name == "compare" and n_channels == 1 and (AGAINST_ONE.search(low) or roi_odds(low)):
            return "roi"  # "the probability that TV's ROI is above 1": its interval against break-even
        return name
    return "unknown"
