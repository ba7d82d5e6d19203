"""The router's intent rules: ordered regular expressions over the normalised question (most specific first).

The first rule that matches names the intent (``agent.models.router._classify`` adds the few rules that depend
on how many channels the question names). Deterministic and inspectable; measured on the question corpus
(``tests/questions``) and pinned by ``tests/test_router.py``.
"""

from __future__ import annotations

import re

from agent.models.experiments import LIFT_TEST_REPORT, TEST_NEXT

_R = re.compile  # short alias for the rule table

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
            r"\bpost[- ]?hoc\b|\b(were|was|has|have|any|been)\b.{0,30}\bamendments?\b|\bamendments?\b.{0,20}\b(made|so "
            r"far|were|have been)\b|\bdisclos\w*\b|\bp-?hack\w*\b"
        ),
    ),
    (
        "ledger",
        _R(
            r"\b(specs?|specifications?|models?|versions?|variants?)\b.{0,30}\b(tried|run|ran|fitted|locked|"
            r"tested|estimated)\b|\bwhat (specs?|models?|specifications?)\b.{0,20}\b(have|did|do) we\b"
        ),
    ),
    (
        "adstock",
        _R(
            r"\bad-?stock\w*\b|\bcarr(y|ies|ied)[- ]?over\b|\bhalf[- ]?li(fe|ves)\b|\bdecay\w*\b|\blag(ged)? "
            r"effects?\b|\bhow long\b.{0,40}\b(effects?|impact|ads?|advertising|last|lasts|linger\w*|carry)\b|"
            r"\bkeeps? (on )?working after\b|\b(effect|impact)s? (wear|fade|die)s? (off|out|away)\b"
        ),
    ),
    (
        "uncertainty",
        _R(
            r"\bwhy\b.{0,50}\b(uncertain\w*|wide|unsure|so (big|large|broad)|noisy|imprecise|vague|unclear|"
            r"range)\b|\bhow (sure|certain|confident) (are|is|can) (we|you|the model)\b|\b(can'?t|cannot|couldn'?t|"
            r"unable to)\b.{0,25}\bpin (it |that |this )?down\b|\bidentif(y|ied|iable|iability)\b"
        ),
    ),
    (
        "payback",
        _R(
            r"\b(don'?t|do not|doesn'?t|does not|isn'?t|is not|aren'?t|are not|not|never|fail\w* to)\b.{0,20}\b(pay"
            r"(ing)? (back|off|for (it|them)sel\w*)|worth\w*|profitable|break(ing)?[- ]?even)\b|\blos(e|es|ing) "
            r"money\b|\b(below|under|beneath) break[- ]?even\b|\bunprofitable\b|\bunder ?water\b|"
            r"\broi (below|under|less than) (1|one)\b|\bwast(e|ed|ing)\b.{0,20}\b(money|budget|spend)\b"
        ),
    ),
    (
        "media_share",
        _R(
            r"\b(share|percent\w*|%|proportion|fraction|part|portion|how much|what amount)\b.{0,40}\b(from|due to|"
            r"driven by|comes? from|caused by|attributabl\w*|explained by|thanks to)\b.{0,12}\b(media|advertising|"
            r"marketing|ads|paid media)\b|\bmedia\b.{0,30}\b(vs\.?|versus|compared (to|with)|against)\b.{0,10}"
            r"\bbase-?line\b|\bbase-?line\b.{0,30}\b(vs\.?|versus|compared (to|with)|against)\b.{0,10}\bmedia\b|"
            r"\b(media|marketing|advertising) share\b|\bincremental share\b"
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
            r"\bwhat do you do\b|\bhelp me\b(?!.*\b(optimi|fit|set ?up|lock))|\bwhat are (my|the) options\b"
        ),
    ),
    ("sql", _R(r"^\s*(select|with)\s+.+\bfrom\b|\bsql\b|\bquery:")),
    (
        "list_datasets",
        _R(
            r"\b(list|show|which|what)\b.{0,20}\bdatasets\b|\bdatasets (do we|are there|are "
            r"loaded|available)\b|\bwhat data (do we|is there|have we)\b|\bavailable data\b"
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
            r"\bdeck\b|\bone[- ]pager\b"
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
            r"\bout[- ]of[- ]sample\b|\bhold-?out (accuracy|error|check)\b|\bforecast (accuracy|error)\b"
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
            r"\bwhat if\b|\bwhat happens if\b|\bwhat would happen\b|\b(move|shift|reallocate|transfer)"
            r"\b.{0,30}\b(to|into|from)\b|\b(double|halve|cut|increase|raise|reduce|decrease|boost|"
            r"pause|stop|drop)\b.{0,25}\b(spend|budget|by \d+)|\bscenario\b|\bsimulat\w*\b"
        ),
    ),
    (
        "optimize",
        _R(
            r"\boptimize\b|\ballocat\w*\b|\bbest (split|mix|plan)\b|\bhow should (i|we) (spend|split|"
            r"divide|invest)\b|\bdistribut\w* (the |a |our )?budget\b|\bbudget (of|for|plan|split)\b|"
            r"\b(spend|invest|split|divide|plan)\b.{0,25}[$€£]?\d[\d,.]*\s?(k|m|mm|million|thousand|bn)?"
            r"\b.{0,30}\b(across|between|over|on|next|budget|channels)\b|\bmaximi[sz]e (sales|revenue|"
            r"kpi|conversions)\b|\bmedia plan\b|\b[$€£]\d.*\bbudget\b|"
            r"\bwhere (should|would|do|can|to)\b.{0,40}\b(go|put|spend|invest|allocate)\b|"
            r"\b(put|place|deploy|invest|spend)\b.{0,15}\b(next|extra|additional|incremental|another)\b"
            r".{0,5}[$€£]?\d"
        ),
    ),
    (
        "compare",
        _R(
            r"\bcompare\b|\bversus\b|\bvs\.?\b|\bbetter than\b|\bworse than\b|\bbeat\w*\b|\boutperform"
            r"\w*\b|\bprobability\b|\bhow likely\b|\bchance\b|\bhigher roi than\b|\bmore (efficient|"
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
            r"in\b|\badd(s|ed)? to (sales|revenue|the kpi)\b|\bresponsible for\b|\bhow many (sales|orders|"
            r"conversions)\b|\b(sales|revenue) (driven|generated|caused) by\b"
        ),
    ),
    (
        "rank",
        _R(
            r"\b(best|worst|top|bottom|highest|lowest|strongest|weakest|most|least)\b.{0,30}\b(channel|"
            r"channels|roi|return|performer|performing|efficient|effective)\b|\brank\w*\b|\bwhich (channel|"
            r"media)\b.{0,30}\b(works|best|worst|most|least|pays)\b|\bunderperform\w*\b|\boverperform\w*\b|"
            r"\bsort\w* (channels|by roi)\b|\bleague table\b|\bbest\b|\bworst\b"
        ),
    ),
    (
        "roi",
        _R(
            r"\broi\b|\brois\b|\broas\b|\breturn\w*\b|\befficien\w*\b|\bpayback\b|\bworth it\b|\bpay(s)? off\b|"
            r"\bper (dollar|euro|pound)\b|\bpaying off\b|\bprofitab\w*\b|\bworth\b|\bpay(s|ing)? for itself\b|"
            r"\bmake us money\b|\bearn(ing|s)? on\b|\bget back\b"
        ),
    ),
    (
        "spend_by",
        _R(
            r"\bspend\b|\bspent\b|\bspends\b|\binvest(ed|ment)\b.{0,20}\b(by|per|each)\b|\bcost\b|\b(put|went|"
            r"gone|go|poured|sunk) into\b|\binvested in\b|"
            r"\bbudget by\b"
        ),
    ),
    (
        "kpi_by",
        _R(
            r"\b(sales|revenue|kpi|conversions|orders)\b.{0,20}\b(by|per|over|each|trend|weekly|monthly|"
            r"total)\b|\b(total|weekly|monthly) (sales|revenue|kpi|conversions)\b"
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

# Two channels set against each other ("should I trust A more than B?", "which is better, A or B?").
HEAD_TO_HEAD = re.compile(
    r"\bmore than\b|\bvs\.?\b|\bversus\b|\bbetter than\b|\bworse than\b|\bbeat\w*\b|\boutperform\w*\b|"
    r"\bcompare\b|\bwhich (one |of them |of the two )?(is|has|returns|works|does|gives)\b"
)
KPI_ITSELF = re.compile(
    r"\b(sales|revenue|kpi|conversions|orders)\b (did|do) we (make|generate|have|get|book)\b|\bwhat (were|was|are|"
    r"is) (our |the )?(total |weekly |monthly )?(sales|revenue|kpi|conversions|orders)\b(?!.{0,20}\b(from|driven|"
    r"due|by (media|channel)))|^\s*(total )?(sales|revenue)\s+(in|during|for|over)\b"
)
