"""Rules about plans: what-ifs on spend (``SCENARIO``) and budget allocation (``OPTIMIZE``), and the cue that a
plan keeps today's total (``CURRENT_BUDGET``). Read by the rule table (``agent.models.rules``) and the router.
"""

from __future__ import annotations

import re

_R = re.compile
# An amount of money (with a currency sign, a scale word or thousands separators: never a bare year).
MONEY = (
    r"([$€£]\s?\d|\b\d[\d,.]*\s?(k|m|mm|mn|mil|mio|mln|bn|million|thousand|grand)\b|\b\d{1,3}(,\d{3})+\b|"
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|a|half a) (million|thousand|grand)\b)"
)
_MONEY = MONEY
# A verb that sets spend to a level of money ("set TV to 50k", "bring Search up to 100k a week", "cut Print to 5k").
SET_LEVEL = (
    r"\b(set|sets|setting|bring|brings|bringing|brought|chang\w*|cut|cuts|cutting|reduc\w*|rais\w*|increas\w*|"
    r"lower\w*|drop\w*|push\w*|grow\w*|scal\w*|went|go|goes|going)\b.{0,30}?\b(to|at)\s+(about |around |roughly "
    r"|only |just )?([$€£]\s?\d|(?!(19|20)\d\d\b)\d)"  # money, never a year ("change from 2022 to 2023")
)

SCENARIO = _R(
    r"\bwhat if\b|\bwhat (happens|would happen|will happen)\b.{0,30}\bif\b|\bwhat would happen\b|"
    r"\b(move|shift|reallocate|transfer|redirect|"
    r"divert)\b.{0,30}\b(to|into|from)\b|\b(doubl\w*|halv\w*|cut|cuts|cutting|increas\w*|rais\w*|reduc\w*|"
    r"decreas\w*|boost\w*|paus\w*|stop|stopp\w*|drop|dropp\w*|trim|trimm\w*|slash\w*|lower\w*|shrink\w*|"
    r"shrank|shrunk|shav\w*|chop\w*|pare|pared|paring|knock\w*|dial\w* (back|down)|scal\w* down|"
    r"scal\w* back|pull\w* back)\b.{0,25}\b(spend|budget|by [$€£]?\d+|by (a |one )?(half|third|quarter|fifth|"
    r"tenth)|\d+(\.\d+)? ?(%|percent|pct))|"
    r"\bif\b.{0,40}\b(budget|spend|spending)?\s?(is|are|was|were|gets?|got|goes|went|rose|rises|grew|grows|fell|"
    r"falls|dropped|drops)\s?(cut|reduced|increased|doubled|halved|paused|stopped|dropped|boosted|raised|"
    r"trimmed|slashed|up|down|by)\b.{0,10}(\d|half|third|quarter|fifth|tenth)|"
    r"\d+(\.\d+)? ?(%|percent|pct) (budget |spend |spending )?(cut|increase|reduction|decrease|rise|boost|drop|"
    r"more|less|lower|higher|uplift)\b|(^|\s)[+-]\d+(\.\d+)? ?(%|percent)|"
    r"\b(take|pull|grab|move|shift)\b.{0,40}\b(and|then)\s+(put|give|add|move|spend|shift|invest|send)\b|"
    r"\b(take|pull|grab|swap|switch)\b.{0,30}\b(out of|from|off)\b.{0,30}\b(to|into|onto)\b|"
    r"\bscenario\b|\bsimulat\w*\b|"
    # "what would a 10% radio cut cost us?", "TV up 10%?", "half the social budget - what happens?"
    r"\d+(\.\d+)? ?(%|percent) [a-z]+( [a-z]+)? (cut|increase|reduction|decrease|rise|boost|drop|uplift)\b|"
    r"\b(up|down)\s+(by\s+)?\d+(\.\d+)? ?(%|percent)|[-–—:,]\s*what (happens|would happen)\b|"
    # spend set below zero ("set Print spend to -10,000"): a what-if, refused as one (never the observed spend)
    r"\b(spend|spending|budget)\s+(to|at|of|be|were|was|is|=)\s?(-|minus |negative )\s?[$€£]?\d|"
    # the whole budget into one channel: "put everything into Search", "what if all the money went to TV?"
    r"\b(put|move|shift|pour|throw|spend|give|went|go|goes)\w* (everything|all (of )?(the |our )?(money|budget|"
    r"spend\w*))\b.{0,12}\b(in|into|on|to|onto)\b|\b(everything|all (of )?(the |our )?(money|budget))\b.{0,12}\b(went|"
    r"goes|go|moved|shifted|put)\b.{0,6}\b(in|into|on|to)\b|" + SET_LEVEL
    # a level to set a channel to: "set TV to 50k per week", "bring Search up to 100k", "cut TV to 20k"
)

OPTIMIZE = _R(
    r"\boptimize\b|\boptim(al|um)\b|\befficient frontier\b|"
    r"\ballocat\w*\b|\bbudget (recommendation|advice|proposal)\b|\brecommend\w*\b.{0,20}\b(budget|"
    r"split|mix|spend|plan)\b|"
    # "what's the best way to split the total budget?"
    r"\b(best|smartest|optimal|right) way to (split|divide|allocate|spread|distribute|invest|deploy)\b|"
    # "how would you split our spend?", "the ideal channel mix", "how should next year's budget be divided up?"
    r"\bhow (would|should|could|do|can) you (split|divide|allocate|spread|distribute|carve|invest|spend|deploy)\b|"
    r"\b(ideal|perfect|optimal|recommended|right|best|smartest) (channel |media |marketing |budget )?(mix|split|"
    r"allocation)\b|\bhow (should|would|could|can)\b.{0,30}\b(budget|money|spend)\b.{0,15}\b(be )?(divided|split|"
    r"allocated|spread|distributed|carved up|spent|invested|deployed)\b|\bbest (split|mix|plan)\b|"
    r"\bhow should (i|we) (spend|split|"
    r"divide|invest|redistribut\w*|reallocat\w*|rebalanc\w*|"
    r"allocat\w*)\b|\bdistribut\w* (the |a |our )?budget\b|\bbudget (of|for|plan|split)\b|"
    r"\b(spend|invest|split|divide|plan)\b.{0,25}[$€£]?\d[\d,.]*\s?(k|m|mm|million|thousand|bn)?"
    r"\b.{0,30}\b(across|between|over|on|next|budget|channels)\b|\bmaximi[sz]e (sales|revenue|"
    r"kpi|conversions)\b|\bmedia plan\b|\b[$€£]\d.*\bbudget\b|"
    r"\bwhere (should|would|do|can|to)\b.{0,40}\b(go|put|spend|invest|allocate|move|shift)\b|"
    r"\b(put|place|deploy|invest|spend)\b.{0,15}\b(next|extra|additional|incremental|another)\b"
    r".{0,5}[$€£]?\d|"
    # a recommendation asked outright: "what do you recommend?", "give me three recommendations"
    r"^\W*(so,? )?what (do|would) you (recommend|suggest|advise)( (we|i) do)?\s*[?.!]*\s*$|"
    r"\b(give|show|tell) (me|us) (your |the |some |\w+ )?recommendations\b|\byour recommendations?\b|"
    # An amount of money to be planned, in any order: "the best media mix for $1.5M", "we have 800k for
    # Q1, how should it be split?", "get the most sales out of 1 million" (a year is not money).
    rf"^(?=.*{_MONEY})(?=.*\b(mix|split|divide|distribut\w*|allocat\w*|plan|deploy|use of|get the most|"
    r"maximi[sz]\w*|where\b.{0,30}\b(go|put|spend|invest)|how (should|would|do|can|to) (we|i|you)\b.{0,25}\b("
    r"spend|invest|use|deploy|spread|divvy|carve)|to (spend|invest)\b|spread\w*|divvy|carve\w* up|"
    # "how to best use 700k", "where would 500k do the most good", "how much should each channel get".
    r"best (use|way to use)|make the most of|do the most (good|for)|where (should|would|could|will|can)\b|"
    r"how much (should|would|do|does) (each|every|the) (channel|media|one)s? (get|receive)|"
    r"how much (should|would) (we|i) (put|spend|invest)\b.{0,15}\b(each|every|per)\b|"
    # "the most sales we can get for 900k", "which channels should get the 800k", "how would you carve it up".
    r"(most|max\w*|highest|biggest) (sales|revenue|conversions|kpi|return|bang)|(should|would|could) (get|receive)\b|"
    r"(would|should|do|can) you (do|suggest|recommend|propose)|"
    r"(what|how) (should|shall|would|could|do|can) (we|i|you) do with|recommend\w*|where\?|re-?allocat\w*|"
    r"redistribut\w*|rebalanc\w*|best (possible )?way|(should|would) go\b|to spend\b))"
)

# A plan that keeps today's total ("can we get more out of the same budget?", "rebalance the mix", "is our
# current mix optimal?"): the optimiser gets no amount and plans today's spend over the window.
CURRENT_BUDGET = _R(
    r"\b(same|current|existing|today'?s|present|unchanged|flat|constant|fixed|as-is)\b.{0,15}\b(budget|spend|"
    r"spending|money|total|mix|level|allocation|plan|split)\b|\b(budget|spend|spending|total)\b.{0,20}\b(the same|"
    r"unchanged|flat|constant|as it is|fixed)\b|\bbudget[- ]neutral\b|\bwithout spending (any )?more\b|"
    r"\bno (extra|additional|more|new) (money|budget|spend)\b|\bwithout (increas|rais|add|upp|grow)\w* (the |our )?"
    r"(budget|spend|spending)\b|"
    r"\b(can'?t|cannot|won'?t|unable to) spend (any )?more\b|\b(we )?spend today\b|\brebalanc\w*\b|\breshuffl\w*\b|"
    r"\bre-?(allocat|distribut)\w* (our |the )?((current|existing) )?(budget|spend|money|mix)\b|\bwithout spend\w* "
    # Our own money named without an amount ("where should the money go?", "the best split of our budget") and
    # "what would you shift?": today's total, moved around.
    r"(any )?more\b|\b(the|our|my) (media |marketing |ad )?(money|budget|spend|mix|allocation)\b|\bthe (best|optimize|"
    r"ideal|right|smartest) (media |channel )?(split|mix|allocation|plan)\b|\b(our|the) (media |marketing )?plan\b|"
    # Money moved around between channels, or a level per channel: "should we move money between channels?",
    # "is there money to be gained by shifting budget around?", "what budget should each channel get?"
    r"\b(mov|shift|switch|reallocat)\w* (the |our |some )?(money|budget|spend)\b.{0,20}\b(between|around|across|"
    r"among)\b|"
    r"\b(each|every|per) (channel|medium)\b|\bwhat would you "
    r"(shift|change|move|reallocate|rebalance|do differently)\b"
)
# What a plan at today's total is asked for: a better mix, not the current one ("what's our current mix?").
IMPROVE = _R(
    r"\b(optimi[sz]\w*|optimal|best|better|shift|rebalanc\w*|reshuffl\w*|re-?allocat\w*|redistribut\w*|get more|"
    r"more (sales|revenue|conversions|out of)|most|maximi[sz]\w*|improve\w*|change|should|would you|ideal|right|"
    r"shift\w*|gain\w*)\b|"
    # planning asked for as a verb ("plan next quarter's media with the same money"), never "our current plan"
    r"^\s*plan\b|\b(to|please|you|let'?s|help me) plan\b|\bplan (next|our|the|for|a|an)\b"
)
# A plan asked for in words ("we're planning Q3; how should we allocate?"), and money on top of today's.
PLAN_WORD = _R(r"\b(allocat\w*|plan\w*|split\w*|divid\w*|distribut\w*|optimi[sz]\w*|mix)\b")
EXTRA_MONEY = _R(r"\b(extra|additional|incremental|another|more|new) (money|budget|cash|funds|spend|dollars)\b")
# Money already spent ("where did most of our budget go?"): observed spend, never a plan.
PAST = _R(r"\b(did|went|was|were|spent|had|have we|has been)\b")

# The total budget changed by a share of today's ("budget up 10%", "with 20% more budget", "+10% budget", "if we cut
# the total budget by 10%"): the plan's amount is today's spend over the window, scaled (read by ``budget_change``).
_DOWN = r"cut|cuts|reduc\w*|trim\w*|shrink\w*|lower\w*|decreas\w*|down|less|smaller|slash\w*"
_PCT = r"(?P<sign>[+-])?(?P<x>\d+(?:\.\d+)?)\s?(?:%|percent|pct)"
_TOTAL = r"(?:total |overall |media |marketing )?(?:budget|spend|spending)\b"
_BUDGET_CHANGES = (
    _R(
        rf"\b{_TOTAL}[^.?!%\d]{{0,30}}?(?:\b(up|{_DOWN}|grow\w*|increas\w*|rais\w*|ris\w*|by)\b[^.?!%\d]{{0,10}}|\s)"
        rf"{_PCT}"
    ),
    _R(
        rf"(?<![\w%]){_PCT}\s+(?:(more|{_DOWN}|bigger|higher|larger|extra|additional|increase|uplift|rise)\s+)?"
        rf"(?:in )?(?:the |our )?{_TOTAL}"
    ),
    # "how would you invest an extra 20%?": today's total, 20% more
    _R(rf"\b(?:an? )?(?:extra|additional|another)\s+{_PCT}"),
)


# The total budget changed by a multiple ("if the budget doubles", "with half the budget", "a doubled budget").
_BUDGET_TIMES = _R(
    rf"\b{_TOTAL}\s+(?:(?:is|was|were|gets?|got)\s+)?(?P<w>doubl\w*|tripl\w*|halv\w*|cut in half)\b|"
    rf"\b(?P<w2>doubl\w*|tripl\w*|halv\w*|twice|half)\s+(?:(?:the|our|of (?:the|our))\s+)?{_TOTAL}"
)
_TIMES = {"doubl": 1.0, "twice": 1.0, "tripl": 2.0, "halv": -0.5, "half": -0.5, "cut in half": -0.5}


def budget_change(low: str) -> float | None:
    """The share by which the question changes the total budget (0.1 for "budget up 10%", -0.2 for "a 20% budget
    cut", 1.0 for "if the budget doubles"), or None when it names no such change."""
    m = next((m for rx in _BUDGET_CHANGES if (m := rx.search(low))), None)
    if not m and (times := _BUDGET_TIMES.search(low)):
        word = times.group("w") or times.group("w2")
        return next(v for k, v in _TIMES.items() if word.startswith(k))
    if not m:
        return None
    x = float(m.group("x")) / 100
    around = low[max(0, m.start() - 25) : m.end() + 12]  # "cut the total budget by 10%", "a 10% budget cut"
    down = m.group("sign") == "-" or bool(re.search(rf"\b({_DOWN})\b", around))
    return -x if down else x


# The size of the whole budget, not its split ("what is the ideal total budget?", "how much should we spend in
# total?", "what budget maximises profit?", "are we spending too much overall?"): the plan at today's total, whose
# answer leads with the budget that maximises expected profit at that mix (``optimizer.money``).
TOTAL_BUDGET = _R(
    r"\b(ideal|optimal|optimum|right|best|sensible|correct|profit[- ]maximi[sz]\w*|efficient) ((total|overall|"
    r"marketing|media|advertising|annual) ){0,2}(budget|spend|spending|spend level|level of spend(ing)?)\b"
    r"(?!\s*(split|mix|allocation|plan|by|per|for each|across))|"
    r"\bhow much (should|must|ought|do|would) (we|i)\b.{0,12}\b(spend|invest|budget)\b(?!.{0,25}\b(on|in|for) "
    r"(each|every|per|\w+ channel))(.{0,20}\b(in total|overall|altogether|all in|on (media|marketing|advertising)|"
    r"in all)\b|\s*\??\s*$)|"
    # "optimal"/"optimum" reach the rules as "optimize" (agent.models.spelling): "the optimal budget"
    r"\b(the|an?) optimize ((total|overall|marketing|media|advertising|annual) ){0,2}(budget|spend|spending)\b"
    r"(?!\s*(split|mix|allocation|plan|by|per|for each|across))|\boptimize (our |the )?(total|overall) "
    r"((marketing|media|advertising) )?(budget|spend|spending)\b(?!\s*(split|mix|allocation|across))|"
    r"\b(what|which) (total )?(budget|spend|level of spend)\b.{0,20}\b(maximi[sz]\w*|gives? the (most|highest|best)) "
    r"(profit|return)|\bmaximi[sz]\w* (our )?profits?\b|"
    r"\b(spend|spending|invest\w*) too (much|little)\b|\b(over|under)[- ]?(spend\w*|invest\w*)\b|"
    r"\bshould (we|i) (spend|invest) (more|less)\b(?!.{0,15}\b(on|in) (?!total\b)\w)|"
    r"\b(increase|raise|grow|cut|reduce|lower) (the |our )?(total|overall) (media |marketing )?(budget|spend)\?"
)
# A margin the user gives ("at a 40% margin", "our gross margin is 35%", "margin of 0.4"): an input to the plan's
# money (profit per unit of KPI), not a question about margins.
GIVEN_MARGIN = _R(
    r"(?P<a>\d+(?:\.\d+)?)\s?(?:%|percent)\s+(?:gross |net |profit |contribution )?margin\b|"
    r"\b(?:gross |net |profit |contribution )?margins?\s+(?:is |are |of |at |=\s?|around |about )*(?P<b>\d+(?:\.\d+)?)"
    r"\s?(?P<pct>%|percent)?"
)


def margin_given(low: str) -> float | None:
    """The margin the question gives, as profit per unit of KPI (0.4 for "a 40% margin"), or None."""
    m = GIVEN_MARGIN.search(low)
    if not m:
        return None
    value = float(m.group("a") or m.group("b"))
    share = value / 100 if (m.group("a") or m.group("pct") or value > 1) else value
    return share if 0 < share <= 1 else None


# Whether one channel deserves more or less money ("should we spend less on TV?", "how much should we spend on
# Radio?", "what's the break-even spend for Radio?"): its response curve at today's spend (the next step's return),
# never the spend already observed.
CHANNEL_LEVEL = _R(
    r"\b(should|must|ought to|shall) (we|i) (spend|invest|put) (more|less|any more|any less|anything)\b|"
    r"\bhow much (should|must|ought|would|could) (we|i) (spend|invest|put)\b.{0,25}\b(on|in|into)\b|"
    r"\bbreak[- ]?even (spend|level|budget|point)\b|"
    # "at what spend level does TV stop being profitable?", "how far can we push Search before it stops paying?"
    r"\bat what (spend|spending|level|budget|point)\b|\bstops? (being )?(profitable|paying|working|worth)\b|"
    r"\b(is|would) (spend|spending|investing) (more|less)\b.{0,25}\b(worth|pay)|"
    # "how much more can we put into Search before it stops paying?"
    r"\bhow much (more )?(can|could|should|would) (we|i) (put|spend|invest|add)\b.{0,40}\bbefore\b|"
    # "should we keep spending on Print?", "do we continue investing in Radio?"
    r"\b(should|shall|do|must) (we|i) (keep|continue|carry on|stop)\w* (spend|spending|invest|investing|putting "
    r"money|advertising|buying)\b"
)

# The total budget cut by an amount ("where should we cut 200k?", "if we had to cut the budget by 300k, what goes
# first?", "we need to save 150k: where?"): today's spend over the window minus it (read by ``budget_cut``).
_AMOUNT = r"[$€£]?\s?\d[\d,.]*\s?(?:k|m|mm|mn|million|thousand|grand)?\b(?!\s?%|\s*percent)"
_BUDGET_CUTS = (
    _R(
        r"\b(cut|cuts|cutting|reduc\w*|trim\w*|slash\w*|lower\w*|shrink\w*|sav(e|ing)|find)\s+"
        rf"(?:(?:the|our)\s+)?(?:(?:total|overall|media|marketing)\s+)?(?:(?:budget|spend|spending)\s+)?(?:by\s+)?"
        rf"(?P<x>{_AMOUNT})"
    ),
    _R(rf"(?P<x>{_AMOUNT})\s+(less|fewer|lower|smaller|of (cuts|savings))\b"),
)


# The total budget raised by an amount ("if we increase the budget by 200k, where does it go?"): today's spend over
# the window plus it, never a total of 200k.
_BUDGET_RAISE = _R(
    r"\b(increas\w*|rais\w*|grow\w*|boost\w*|expand\w*|top(ped|ping)? up|up)\s+(?:(?:the|our)\s+)?(?:(?:total|"
    rf"overall|media|marketing)\s+)?(?:budget|spend|spending)\s+by\s+(?P<x>{_AMOUNT})"
)


def budget_raise(low: str) -> str | None:
    """The money phrase by which the question raises the total budget ("200k"), or None."""
    m = _BUDGET_RAISE.search(low)
    return m.group("x") if m and re.search(r"\d", m.group("x")) else None


def budget_cut(low: str) -> str | None:
    """The money phrase by which the question cuts the total budget ("200k" in "where should we cut 200k?"), or
    None; the caller reads its amount (``entities.parse_amount``)."""
    m = next((m for rx in _BUDGET_CUTS if (m := rx.search(low))), None)
    return m.group("x") if m and re.search(r"\d", m.group("x")) else None
