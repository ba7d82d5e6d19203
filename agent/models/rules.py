"""The router's intent rules: ordered regular expressions over the normalised question (most specific first).

The first rule that matches names the intent (``agent.models.router._classify`` adds the few rules that depend
on how many channels the question names). Deterministic and inspectable; measured on the question corpus
(``tests/questions``) and pinned by ``tests/test_router.py``.
"""

from __future__ import annotations

import re

from agent.models.cues import RANK_BEST_CUES, RANK_WORST_CUES
from agent.models.experiments import LIFT_TEST_REPORT, TEST_NEXT
from agent.models.outcomes import CROSS_EFFECTS, OUTCOME_EFFECTS

_R = re.compile  # short alias for the rule table
# Media as a whole (not one channel).
_ALL_MEDIA = r"(media|advertising|marketing|ads|paid media|adverts)"
# An amount of money (with a currency sign, a scale word or thousands separators: never a bare year).
_MONEY = (
    r"([$€£]\s?\d|\b\d[\d,.]*\s?(k|m|mm|mn|bn|million|thousand|grand)\b|\b\d{1,3}(,\d{3})+\b|"
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|a|half a) (million|thousand|grand)\b)"
)

RULES: list[tuple[str, re.Pattern[str]]] = [
    # Experiments (agent.models.experiments): a reported lift test carries amounts and channel names that the
    # budget and ROI rules would otherwise claim; "what should we test next" is not a question about results.
    ("suggest_test", TEST_NEXT),
    ("record_lift_test", LIFT_TEST_REPORT),
    # Questions about the analysis itself (the ledger, carry-over, uncertainty) come first: they mention words
    # ("model", "spend", "ROI") that the action and data rules below would otherwise claim.
    (
        "disclosure",
        _R(
            r"\b(chang\w*|tweak\w*|modif\w*|amend\w*|adjust\w*|edit\w*|touch\w*)\b.{0,50}\b(after|since|once|"
            r"following)\b.{0,30}\b(results?|numbers|saw|seeing|seen|came in|came out|estimates)\b|"
            r"\bwho (changed|amended|edited|modified|tweaked|locked)\b|"
            r"\b(what|which|any) (changes|edits|amendments|modifications|tweaks)\b.{0,30}\b(specs?|models?|"
            r"specifications?)\b|"
            r"\b(has|have|was|were)\b (the |our |this |any )?(specs?|models?|specifications?|analysis)\b (been )?"
            r"(amended|changed|modified|edited|tweaked|altered|revised)\b|"
            r"\bpost[- ]?hoc\b|\b(were|was|has|have|any|been)\b.{0,30}\bamendments?\b|\bamendments?\b.{0,20}\b(made|so "
            r"far|were|have been)\b|\bdisclos\w*\b|\bp-?hack\w*\b|"
            r"\b(chang\w*|differ\w*)\b.{0,20}\bbetween\b.{0,20}\b(specs|versions|fits|models|specifications)\b"
        ),
    ),
    (
        "ledger",
        _R(
            r"\b(specs?|specifications?|models?|versions?|variants?)\b.{0,30}\b(tried|run|ran|fitted|locked|"
            r"tested|estimated)\b|\bwhat (specs?|models?|specifications?)\b.{0,20}\b(have|did|do) we\b|"
            r"\b(specs?|specifications?|models?|versions?|variants?)\b.{0,20}\b(have|did|do) we (try|test|run|fit|"
            r"lock|estimate)\b|"
            # The collection itself: "list the specs", "which fits do we have", "show me previous fits".
            r"\b(list|show|display|see|which|what|how many|all|every|previous|past|earlier|prior|other|alternative|"
            r"existing)( (me|us))?( (the|our|all|of the|all the|every))?( (model|previous|past|earlier|prior|other|"
            r"alternative|existing|locked|fitted|registered))?\s+(specs|specifications?|fits|versions|variants|runs|"
            r"models|model runs|model versions)\b|\b(every|each|which) (spec|fit|version|variant|run)\b|"
            r"\blist of\b.{0,20}\b(specs|specifications?|fits|models|versions|runs)\b|"
            r"\b(spec|model|fit|run|registration)s? (log|record|register|registry|list)\b|\bon record\b|"
            r"\bwhat('s| has| have)? (been|we) (done|registered|locked|fitted|pre-?registered)\b|"
            r"\b(what|which)\b.{0,20}\b(did|have) (we|you|i|they) (lock|locked|register\w*|fit|fitted|build|built)\b|"
            r"\b(specs?|models?|specifications?) (are|were|is|was|got) (locked|registered|fitted)\b|"
            r"\b(done|tried|happened) (so far|already|on this data\w*)\b|\blog of (everything|what|all)\b"
        ),
    ),
    (
        "adstock",
        _R(
            r"\blags?\b|\bad-?stock\w*\b|\bcarr(y|ies|ied)[- ]?over\b|\bhalf[- ]?li(fe|ves)\b|\bdecay\w*\b|\blag(ged)? "
            r"effects?\b|\bhow long\b.{0,40}\b(effects?|impact|ads?|advertising|last|lasts|linger\w*|carry)\b|"
            r"\bkeeps? (on )?working after\b|\b(effect|impact)s? (wear|fade|die)s? (off|out|away)\b"
        ),
    ),
    (
        "uncertainty",
        _R(
            r"\bwhy\b.{0,50}\b(uncertain\w*|wide|unsure|so (big|large|broad)|noisy|imprecise|vague|unclear|"
            r"range)\b|\bhow (sure|certain|confident) (are|is|can) (we|you|the model)\b|\b(can'?t|cannot|couldn'?t|"
            r"unable to)\b.{0,25}\bpin (it |that |this )?down\b|\bhow (certain|sure|confident|precise) (is|are)\b|"
            r"\bidentif(y|ied|iable|iability)\b|\b(hard|difficult|"
            r"tricky|impossible) to (estimate|pin down|measure|identify|separate|tell apart)\b|"
            # How precise an estimate is: "the margin of error on TV", "how noisy is the Radio estimate", "is
            # Print's ROI estimate solid?", "what's the confidence interval on Search", "is the model sure about".
            r"\bmargins? of error\b|\berror bars?\b|\b(confidence|credible|uncertainty|posterior) (intervals?|bands?|"
            r"ranges?)\b|\b(fuzzy|noisy|shaky|wobbly|imprecise|uncertain|uncertaint(y|ies))\b|\bgrain of salt\b|"
            r"\b(range|interval|band)s?\b.{0,20}\b(huge|wide|big|large|broad|massive)\b|\bhow (wide|big|large|broad)\b"
            r".{0,20}\b(interval|range|band|uncertainty)\b|\bhow (precise|noisy|solid|firm|robust|"
            r"tight|exact|accurate)\b.{0,30}\b(estimate|roi|number|figure|return|effect)s?\b|\b(estimate|roi|number|"
            r"figure)s? (is |are )?(solid|robust|firm|precise|reliable|accurate|trustworthy)\b|"
            r"\b(believe|trust|rely on|count on)\b.{0,20}\b(roi|estimate|number|figure)s?\b|"
            r"\b(sure|certain|confident)\b (are we |is the model |are you )?(about|of|in)\b|\breally know\b"
        ),
    ),
    # Several outcomes (agent.models.outcomes): cannibalisation, spillover, a halo onto another product — before the
    # long-term rule claims "halo" — and which outcome a channel or promotion lifts most.
    ("cross_effects", CROSS_EFFECTS),
    ("outcome_effects", OUTCOME_EFFECTS),
    # Long-term (brand-building) effects from the brand-metrics VAR (tools/long_term_tools.py), and which controls
    # matter (tools/control_tools.py): named before the ROI, contribution and describe rules claim their words.
    (
        "long_term",
        _R(
            r"\blong[- ]?(term|run)\b|\bbrand[- ]?(building|effects?|equity|halo|lift)\b|\bhalo\b|"
            r"\b(lasting|durable|enduring) (effect|impact|value)s?\b|\bbase[- ]?sales (effect|response|lift)\b|"
            r"\btotal roi\b|\bbuild(s|ing)? (the )?brand\b"
        ),
    ),
    (
        "controls",
        _R(
            r"\b(controls?|covariates?|control variables?)\b.{0,30}\b(matter\w*|important|importance|effects?|"
            r"impact\w*|kept|shrunk|selected|selection|significant|influence\w*|drive|drives|relevant|useful)\b|"
            r"\b(which|what|do|does)\b.{0,10}\b(controls?|covariates?)\b.{0,20}\b(matter|count|help|work)\b"
        ),
    ),
    # Where the next unit of spend earns most (marginal ROI, saturation headroom), not the average ROI.
    (
        "headroom",
        _R(
            r"\broom to grow\b|\bhead-?room\b|\b(most|more|biggest|greatest|the) (growth )?potential\b|"
            r"\b(not|isn'?t|aren'?t|least|un)[- ]?(yet )?saturat\w*\b|\bscal(e|ed|ing) up\b|\bgrow further\b|"
            r"\b(can|could|should) (take|absorb|handle|use) (more|extra|additional)\b|"
            r"\bnext (dollar|euro|pound|unit)\b|"
            r"\bmarginal (roi|return)s?\b.{0,30}\b(highest|best|most|rank\w*|which|each|all|every)\b|"
            r"\b(highest|best|most|rank\w*|which|each|all|every)\b.{0,30}\bmarginal (roi|return)s?\b|\bmroi\b"
        ),
    ),
    (
        "payback",
        _R(
            r"\b(don'?t|do not|doesn'?t|does not|didn'?t|did not|isn'?t|is not|aren'?t|are not|wasn'?t|weren'?t|"
            r"haven'?t|hasn'?t|won'?t|not|never|fail\w* to)\b.{0,20}\b(pay"
            r"(ing)? (back|off|for (it|them)sel\w*)|worth\w*|profitable|break(ing)?[- ]?even|mak\w* (us |their |its )?"
            r"(any )?money|(get|getting|got) (our |their |its |the )?money back|"
            r"earn\w* (its|their) keep|cover\w* (its|their|the) costs?|recoup\w*)\b|\blos(e|es|ing) (us )?"
            r"money\b|\b(below|under|beneath) break[- ]?even\b|\bunprofitable\b|\bunder ?water\b|"
            r"\b(roi|roas)\s?(below|under|less than|<)\s?(1|one)\b|\bwast(e|ed|ing)\b.{0,20}\b(money|budget|spend)\b|"
            # Return set against cost: "return less than they cost", "cost more than they bring in", "an ROI
            # lower than 1", "less than a dollar per dollar", "don't make back their spend".
            r"\b(return|returns|returned|earn\w*|bring\w*|brought|generat\w*|mak\w*|deliver\w*|roi|roas|worth|giv\w*|"
            r"gave)\b.{0,25}\b("
            r"(less|lower|smaller|fewer)( \w+)? than|under|below|beneath)\b.{0,20}\b(cost\w*|spen[dt]\w*|invest\w*|"
            r"put in|take|takes|(1|one)\b|a dollar|a euro|a pound|break[- ]?even)|\blos(e|es|ing) more than\b|"
            # Money thrown away: "where are we burning money?", "which channels don't justify their spend?".
            r"\b(burn\w*|throw\w*|flush\w*|pour\w*) (through |away )?(money|cash|budget)\b|\bdown the drain\b|"
            r"\b(don'?t|doesn'?t|do not|does not|didn'?t|can'?t|cannot|fail\w* to|not) (justify|earn back|make back|"
            r"recover|recoup|cover) (their|its|the)\b|"
            r"\bcost\w* (us )?more than\b.{0,25}\b(bring|return|earn|make|generat|deliver)|"
            r"\b(make|made|makes|earn|earns|earned|win|won|get|gets|got) back\b.{0,5}\b(less|(their|its|the) (spend|"
            r"cost|money|budget|investment))|\b(lose|loses|losing|lost) (us )?(money|cash)\b|\bmoney[- ]?(losers?|"
            r"losing|pits?|sinks?)\b|\bin the red\b|\bnegative (payback|roi|return)\b|\b(all|every|each|any) "
            r"(of )?(our |the )?(channels?|media)\b.{0,15}\b(pay(ing)? (back|off|for)|break(ing)?[- ]?even|"
            r"profitable)\b|"
            # The question asked the other way round, across channels: "which channels pay back?", "how many
            # channels break even?", "which channels earn more than they cost?", "ROI above 1" (no channel named).
            r"\b(which|what|how many|any|do any|are any)( of)?( (our|the))? (channels?|media|ones)\b"
            r"((?!\b(most|least|best|worst)\b).){0,20}\b(pay(s|ing)? "
            r"(back|off|for (it|them)sel\w*)|break(s|ing)?[- ]?even|mak\w* (us )?(any )?money|earn\w* (back|more than)|"
            r"cover\w* (their|its) costs?|return\w* more than|profitable|worth (it|the money))\b(?! (the )?(most|least|"
            r"best|worst))|"
            r"\b(which|what|how many)( of)?( (our|the))? (channels?|media|ones)\b.{0,30}\b(roi|roas|return)s? "
            r"(above|over|greater than|more than|>)\s?(1|one)\b"
        ),
    ),
    (
        "media_share",
        _R(
            r"\b(share|percent\w*|%|proportion|fraction|part|portion|how much|what amount)\b.{0,40}\b(from|due to|"
            r"driven by|comes? from|caused by|attributabl\w*|attributed to|explained by|thanks to|generated by|"
            r"produced by|because of|owed to|is from|are from|delivered by|down to)\b.{0,12}\b(media|advertising|"
            r"marketing|ads|paid media)\b|\b(share|percent\w*|%|proportion|fraction|portion)\b.{0,30}\bbase-?line\b|"
            r"\bmedia\b.{0,30}\b(vs\.?|versus|compared (to|with)|against)\b.{0,10}"
            r"\bbase-?line\b|\bbase-?line\b.{0,30}\b(vs\.?|versus|compared (to|with)|against)\b.{0,10}\bmedia\b|"
            r"\b(media|marketing|advertising) share\b|\bincremental share\b|"
            r"\b(media|advertising|marketing|paid media)\b.{0,30}\b(drive|drives|generate|generates|deliver|delivers|"
            r"account for|accounts for|explain|explains|contribute|contributes|make up|makes up)\b.{0,20}\b(share|"
            r"percent\w*|%|proportion|fraction|part|portion|how much)\b|\b(share|percent\w*|%|proportion|fraction|"
            r"portion)\b.{0,30}\b(sales|revenue|kpi|conversions)\b.{0,30}\b(media|advertising|marketing)\b|"
            # Media as a whole against what sales would be without it: "the split between baseline and media",
            # "what would sales be with zero marketing?", "is most of our revenue organic or paid?".
            # (never a question about spend: "total media spend", "the ad spend split").
            rf"^(?!.*\b(spend|spent|spending|budget|budgets|cost|costs|invest\w*)\b)(.*\b{_ALL_MEDIA}\b.{{0,25}}\b("
            r"contribut\w*|share|split|percent\w*|proportion|fraction|portion|together|combined|importance)\b|"
            rf".*\b(total|overall|combined|how important is|how much (do|does|did))\b.{{0,12}}\b{_ALL_MEDIA}\b)|"
            rf"\b(without|with no|with zero|zero|no|minus)\b (any |all |our |the )?{_ALL_MEDIA}\b|"
            r"\b(base|baseline|organic|non-?media|underlying)\b.{0,30}\b(vs\.?|versus|or|and|against|compared|"
            r"incremental|paid|media|level)\b|\b(split|share|how big|size)\b.{0,20}\b(base|baseline|organic)\b|"
            r"\bbase(line)? (sales|revenue|level)\b"
        ),
    ),
    (
        "setup",
        _R(
            r"\bset ?up\b|\bnew model\b|\b(build|create|start|make|configure|draft)\b.{0,15}\b(model|spec|"
            r"specification)\b|\bguide me\b|\bwalk me through\b|\bget started\b|\bstart over\b"
        ),
    ),
    (
        "help",
        _R(
            r"^\s*(help|\?|h|menu|commands)\s*[.!?]*$|\bwhat can (you|i) (do|ask)\b|\bhow do (i|you) use\b|"
            # "help me plan a $1M campaign" asks for the plan, not the help page
            r"\bwhat do you do\b|\bhelp me\b(?!.*\b(optimi|fit|set ?up|lock|plan|budget|allocat|split|spend|invest|"
            r"\d))|\bwhat are (my|the) options\b"
        ),
    ),
    ("sql", _R(r"^\s*(select|with)\s+.+\bfrom\b|\bsql\b|\bquery:")),
    (
        "list_datasets",
        _R(
            r"\b(list|show|which|what)\b.{0,20}\bdatasets\b|\bdatasets (do we|are there|are "
            r"loaded|available)\b|\bwhat data (do we|is there|have we|do you|have you)\b|\bavailable data\b"
        ),
    ),
    (
        "ledger",
        _R(
            r"\bwhat (did|have) we (try|tried|do|done|run|locked)\b|\bledger\b|\bhistory\b|\baudit\b|"
            r"\b(specs?|models?|versions?) (have been|were|we) (tried|locked|run|fitted)\b|\bforking\b|"
            r"\bwhat (was|has been) tried\b|\bwhat('s| is| was) been tried\b|\btrail\b|\bprovenance\b"
        ),
    ),
    (
        "report",
        _R(
            r"\breport\b|\bwrite[- ]?up\b|\bexport (the )?(results|findings)\b|\bsummary document\b|"
            r"\bdeck\b|\bone[- ]pager\b|\b(pdf|html|written) (summary|version|document)\b|\bexecutive summary\b|"
            r"\bsummar(y|ise|ize) (of )?(the |our )?(results|findings|analysis)\b"
        ),
    ),
    (
        "mediation",
        _R(
            r"\bmediat\w*\b|\bindirect\w*\b|\bthrough (the )?(awareness|consideration|brand|mediator|"
            r"survey)\b|\bdirect (and|or|vs\.?|versus) indirect\b|\bhow does .{1,30} work\b"
        ),
    ),
    (
        "amend",
        _R(
            r"\bamend\w*\b|\b(change|modify|update|adjust|edit|alter|tweak)\b.{0,25}\b(model|spec|specification)"
            r"\b.{0,25}\b(drop|remove|exclude|add|include|without|take out)\b|\b(take|drop|remove|exclude|leave|"
            r"pull|kick)\b.{1,30}\b(out of|from|off) (the |our |this )?(model|spec|specification)\b|\b(add|include|"
            r"put)\b.{1,30}\b(to|into|in) (the |our |this )?(model|spec|specification)\b"
        ),
    ),
    (
        "lock",
        _R(
            r"\block\b|\block (it|this|the)\b|\bpre-?regist\w*\b|\bfreeze (the|this) spec\b|"
            r"\bcommit (to )?(the|this) spec\b|\blooks good,? lock\b"
        ),
    ),
    (
        "fit_status",
        _R(
            r"\b(status|progress)\b.{0,20}\bfit\b|\bfit\b.{0,20}\b(status|progress|done|finished|"
            r"running)\b|\bis (it|the model) (done|finished|ready)\b"
        ),
    ),
    (
        "health",
        _R(
            r"\bconverge\b|\btrust\w*\b|\breliab\w*\b|\bdiagnostics\b|\br-?hat\b|\bdivergen\w*\b|"
            r"\bhealth\w*\b|\bhow good is (the|this|our) (model|fit)\b|\bfit quality\b|\bess\b|"
            r"\bcan (i|we) (rely|believe|use)\b|\bis (the|this) (model|fit) (ok|okay|good|sound|valid|"
            r"credible|any good|decent|broken)\b|\bsanity\b|\bmodel (quality|check)\b|\br2\b|\bmape\b|"
            r"\b(believe|accept|act on)\b.{0,20}\b(results|numbers|model|these|estimates|output)\b|"
            r"\bhow well (does|did) (the|this|our) model (fit|do|predict)\b|\b(fit|match)(es)? the data\b|"
            r"\bout[- ]of[- ]sample\b|\bhold-?out (accuracy|error|check)\b|\bforecast (accuracy|error)\b|"
            r"\b(pass|passe[sd]|fail|fails|failed)\b.{0,20}\bchecks?\b|\bchecks?\b.{0,12}\b(pass|fail)\w*\b|"
            r"\bred flags?\b|\bwarning signs?\b|\b(problems?|issues?|concerns?|wrong|warnings?)\b.{0,25}\b(the |this |"
            r"our )(model|fit)\b|\bhow (accurate|solid|robust) is (the|this|our) (model|fit)\b"
        ),
    ),
    (
        "fit",
        _R(
            r"\b(fit|refit|re-fit|estimate|train|run|sample)\b.{0,25}\b(model|spec|it|again|now|quick\w*|"
            r"full\w*|posterior|nuts)\b|^\s*(fit|refit)\b|\bquick fit\b|\bfull fit\b|\bkick off\b"
        ),
    ),
    (
        "scenario",
        _R(
            r"\bwhat if\b|\bwhat (happens|would happen|will happen)\b.{0,30}\bif\b|\bwhat would happen\b|"
            r"\b(move|shift|reallocate|transfer|redirect|"
            r"divert)\b.{0,30}\b(to|into|from)\b|\b(doubl\w*|halv\w*|cut|cuts|cutting|increas\w*|rais\w*|reduc\w*|"
            r"decreas\w*|boost\w*|paus\w*|stop|stopp\w*|drop|dropp\w*|trim|trimm\w*|slash\w*|lower\w*|shrink\w*|"
            r"scal\w* back|pull\w* back)\b.{0,25}\b(spend|budget|by [$€£]?\d+|by (a |one )?(half|third|quarter|fifth|"
            r"tenth)|\d+(\.\d+)? ?(%|percent|pct))|"
            r"\bif\b.{0,40}\b(budget|spend|spending)?\s?(is|are|was|were|gets?|got|goes|went|rose|rises|grew|grows|fell|"
            r"falls|dropped|drops)\s?(cut|reduced|increased|doubled|halved|paused|stopped|dropped|boosted|raised|"
            r"trimmed|slashed|up|down|by)\b.{0,10}(\d|half|third|quarter|fifth|tenth)|"
            r"\d+(\.\d+)? ?(%|percent|pct) (budget |spend |spending )?(cut|increase|reduction|decrease|rise|boost|drop|"
            r"more|less|lower|higher|uplift)\b|(^|\s)[+-]\d+(\.\d+)? ?(%|percent)|"
            r"\b(take|pull|grab|move|shift)\b.{0,40}\b(and|then)\s+(put|give|add|move|spend|shift|invest|send)\b|"
            r"\b(take|pull|grab|swap|switch)\b.{0,30}\b(out of|from|off)\b.{0,30}\b(to|into|onto)\b|"
            r"\bscenario\b|\bsimulat\w*\b"
        ),
    ),
    # Money already given to a channel (past tense) is observed spend, not a plan: "how much was allocated to
    # Social?", "what did we budget for TV in 2022?".
    (
        "spend_by",
        _R(
            r"\b(was|were|been|had we|we've)\b.{0,12}\b(allocat\w*|budgeted|earmarked|assigned)\b|"
            r"\bdid we (allocate|budget|earmark|assign)\b"
        ),
    ),
    (
        "optimize",
        _R(
            r"\boptimize\b|\boptim(al|um)\b|"
            r"\ballocat\w*\b|\bbudget (recommendation|advice|proposal)\b|\brecommend\w*\b.{0,20}\b(budget|"
            r"split|mix)\b|\bbest (split|mix|plan)\b|\bhow should (i|we) (spend|split|"
            r"divide|invest)\b|\bdistribut\w* (the |a |our )?budget\b|\bbudget (of|for|plan|split)\b|"
            r"\b(spend|invest|split|divide|plan)\b.{0,25}[$€£]?\d[\d,.]*\s?(k|m|mm|million|thousand|bn)?"
            r"\b.{0,30}\b(across|between|over|on|next|budget|channels)\b|\bmaximi[sz]e (sales|revenue|"
            r"kpi|conversions)\b|\bmedia plan\b|\b[$€£]\d.*\bbudget\b|"
            r"\bwhere (should|would|do|can|to)\b.{0,40}\b(go|put|spend|invest|allocate)\b|"
            r"\b(put|place|deploy|invest|spend)\b.{0,15}\b(next|extra|additional|incremental|another)\b"
            r".{0,5}[$€£]?\d|"
            # An amount of money to be planned, in any order: "the best media mix for $1.5M", "we have 800k for
            # Q1, how should it be split?", "get the most sales out of 1 million" (a year is not money).
            rf"^(?=.*{_MONEY})(?=.*\b(mix|split|divide|distribut\w*|allocat\w*|plan|deploy|use of|get the most|"
            r"maximi[sz]\w*|where\b.{0,30}\b(go|put|spend|invest)|how (should|would|do|can|to) (we|i|you)\b.{0,25}\b("
            r"spend|invest|use|deploy|spread|divvy|carve)|to (spend|invest)\b|spread\w*|divvy|carve\w* up|"
            # "how to best use 700k", "where would 500k do the most good", "how much should each channel get".
            r"best (use|way to use)|make the most of|do the most (good|for)|where (should|would|could|will|can)\b|"
            r"how much (should|would|do|does) (each|every|the) (channel|media|one)s? (get|receive)|"
            r"how much (should|would) (we|i) (put|spend|invest)\b.{0,15}\b(each|every|per)\b))"
        ),
    ),
    (
        "compare",
        _R(
            r"\bcompare\b|\bversus\b|\bvs\.?\b|\bbetter than\b|\bworse than\b|\bbeat\w*\b|\boutperform"
            r"\w*\b|\bprobability\b|\bhow likely\b|\bchances?\b|\bodds\b|\bhigher roi than\b|\bstacks? up\b|"
            r"\bhead[- ]to[- ]head\b|\bwhich (one )?wins\b|\bmore (efficient|"
            r"effective) than\b|\bor\b.{0,30}\b(better|stronger|more efficient)\b|\bwhich is better\b"
        ),
    ),
    ("curve", _R(r"\bresponse curve\b|\bsaturat\w*\b|\bdiminishing returns\b|\bcurve\b")),
    (
        "contribution",
        _R(
            r"\bcontribution\b|\bdriv(e|es|en|ing)\b|\bincremental\b|\bdecompos\w*\b|\bbaseline\b|"
            r"\b(sales|revenue|kpi|conversions) (came|come|comes|coming) from\b|\bshare of (sales|"
            r"revenue|kpi)\b|\bhow much (sales|revenue) (did|does|do)\b|\blift\b|\bimpact\b|\bbr(ing|ings|ought) "
            r"in\b|\badd(s|ed)? to (our |the |total )?(sales|revenue|kpi)\b|\bresponsible for\b|"
            r"\bhow many (sales|orders|conversions)\b|\b(sales|revenue) (driven|generated|caused) by\b|"
            r"\bbreak(ing|s)?[- ]?down (of )?(our |the )?(sales|revenue|kpi|conversions)\b|"
            r"\b(sales|revenue|kpi) break[- ]?down\b|"
            r"\b(deliver|generat|produc|creat)\w*\b.{0,20}\b(sales|revenue|conversions|orders)\b|"
            r"\battribut\w*\b|\b(up)?lift\b|\beffects? (on|of)\b|\bbr(ing|ings|ought) to the table\b|"
            r"\b(lose|lost|loss|miss)\b.{0,30}\b(without|didn'?t have|did not have|dropped|got rid of)\b"
        ),
    ),
    (
        "rank",
        _R(
            r"\b(best|worst|top|bottom|highest|lowest|strongest|weakest|most|least|poorest|greatest|biggest|largest|"
            r"smallest)\b.{0,30}\b(channel|channels|medium|roi|return\w*|performer|performing|efficient|effective|"
            r"profitable|for (our|the) money|per dollar|bang)\b|\brank\w*\b|"
            rf"{RANK_BEST_CUES.pattern}|{RANK_WORST_CUES.pattern}|"
            r"\b(channel|medium|media)s?\b.{0,20}\b(returns?|earns?|delivers?|performs?|works?|pays?|does)\b (the )?"
            r"(least|most|best|worst|lowest|highest|poorest|weakest|strongest)\b|\bwhich (channel|"
            r"media)\b.{0,30}\b(works|best|worst|most|least|pays)\b|\bunderperform\w*\b|\boverperform\w*\b|"
            r"\bsort\w* (channels|by roi)\b|\bleague table\b|\bbest\b|\bworst\b|\b(star|standout|stand-out|poorest|"
            r"winning|losing)\b.{0,20}\b(channel|performer|media)|\bwhich (channel|media|one)s?\b.{0,25}\b(should|"
            r"shall|would|could|do|must) (we|i|you)\b.{0,12}\b(cut|drop|kill|stop|axe|scrap|keep|protect|grow|scale|"
            r"pull back|invest|double down|defund|reduce)|\bwhich (channel|media|one)s?\b.{0,10}\b(deserves?|needs?|"
            r"merits?|should get|gets?|earns?)\b.{0,12}\b(more|less|extra|the axe|cut|cuts|money|budget|investment)\b"
        ),
    ),
    (
        "roi",
        _R(
            r"\broi\b|\brois\b|\broas\b|\breturn\w*\b|\befficien\w*\b|\bpayback\b|\bworth it\b|\bpay(s)? off\b|"
            r"\bper (dollar|euro|pound)\b|\bpaying off\b|\bprofitab\w*\b|\bworth\b|\bpay(s|ing)? for itself\b|"
            r"\bmake us money\b|\bearn(ing|s)? on\b|\bget back\b|\bhow (hard|well) (is|are)\b.{0,30}\b(working|doing|"
            r"performing)\b"
        ),
    ),
    (
        "spend_by",
        _R(
            r"\bspend\b|\bspent\b|\bspends\b|\binvest(ed|ment)\b.{0,20}\b(by|per|each)\b|\bcost\b|\b(put|went|"
            r"gone|go|poured|sunk) into\b|\b(budget|money|spend)\b.{0,15}\b(go|went|gone)\b|\binvested in\b|"
            r"\b(did|have|had|do) we (invest|put|pay|pour|sink)\b|"
            r"\bbudget by\b|\b(budgets?|investment|outlay|expenditure|media cost)\b"
        ),
    ),
    (
        "kpi_by",
        _R(
            r"\b(sales|revenue|kpi|conversions|orders)\b.{0,20}\b(by|per|over|each|trend|weekly|monthly|"
            r"total)\b|\b(total|weekly|monthly|quarterly|yearly|annual) (sales|revenue|kpi|conversions)\b|"
            r"\b(year|quarter|month)[- ](over|on)[- ](year|quarter|month)\b|\b(yoy|qoq)\b"
        ),
    ),
    (
        "describe",
        _R(
            r"\bdescribe\b|\bwhat('s| is) in (the|this) (data|dataset)\b|\bwhat (variables|columns|"
            r"channels|controls)\b|\bwhich (variables|columns|channels|controls)\b|\bvariables\b|"
            r"\bcolumns\b|\btell me about the data\b|\boverview\b|\bschema\b"
        ),
    ),
]
