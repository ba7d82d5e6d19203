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
from agent.models.rules_amend import AMEND_SPEC
from agent.models.rules_plan import OPTIMIZE, SCENARIO
from agent.models.rules_share import MEDIA_SHARE, PAYBACK

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
            # "were results peeked at before locking?"
            r"\bpeek\w*\b|"
            # "did anyone tweak the model to get better numbers?", "have we changed the priors?", "was the spec
            # decided before looking at results?"
            r"\b(did|has|have|had)\s+(anyone|anybody|someone|somebody|we|you|they|the team)\b.{0,12}\b(tweak|chang|"
            r"adjust|modif|tun|fiddl|tamper|massag|cherry[- ]?pick|amend|alter|edit)\w*\b.{0,25}\b(priors?|spec\w*|"
            r"models?|controls?|adstock|lags?|saturation|numbers|results?|analysis)\b|"
            r"\b(decided|chosen|fixed|set|specified|registered|agreed|written|locked)\b.{0,12}\b(before|prior to)\b"
            r".{0,12}\b(looking at|seeing|we saw|anyone saw|any)\b.{0,10}\b(results?|numbers|estimates|outputs?)\b|"
            r"\b(saw|seen|looked at|see) (the )?results? (before|prior to) (lock|fix|regist)\w*\b|"
            r"\b(chang\w*|tweak\w*|modif\w*|amend\w*|adjust\w*|edit\w*|touch\w*|tamper\w*|fiddl\w*|tinker\w*|mess\w* "
            r"(with|about|around))\b.{0,50}\b(after|since|once|"
            r"following)\b.{0,30}\b(results?|numbers|saw|seeing|seen|came in|came out|came back|estimates|looked|"
            r"first fit)\b|"
            r"\bwho (changed|amended|edited|modified|tweaked|locked)\b|"
            r"\b(what|which|any) (changes|edits|amendments|modifications|tweaks)\b.{0,30}\b(specs?|models?|"
            r"specifications?)\b|"
            r"\b(has|have|was|were)\b (the |our |this |any )?([\w-]+ )?"
            r"(specs?|models?|specifications?|analysis)\b (been )?"
            r"(amended|changed|modified|edited|tweaked|altered|revised)\b|"
            r"\bpost[- ]?hoc\b|\b(were|was|has|have|any|been)\b.{0,30}\bamendments?\b|\bamendments?\b.{0,20}\b(made|so "
            r"far|were|have been)\b|\bdisclos\w*\b|\bp-?hack\w*\b|"
            r"\b(chang\w*|differ\w*)\b.{0,20}\bbetween\b.{0,20}\b(specs|versions|fits|models|specifications)\b|"
            # "what was amended and why?", "is the analysis pre-registered?", "any deviations from the plan?",
            # "did we move the goalposts?", "changed post-registration?"
            r"\bpost[- ]?(registration|lock\w*)\b|\b(what(?! if)|which|anything|something)\b.{0,15}"
            r"\b(was|were|been|got)\b"
            r".{0,10}\b(amended|changed|altered|modified|tweaked|edited)\b|\bdeviat\w*\b|\bgoal ?posts?\b|"
            r"^\s*(is|was|were|are|has|have)\b.{0,25}\bpre-?regist\w*|"
            # "is this the original spec or was it amended?", "is there a record of changes to the model?"
            r"\b(original|first|initial|registered) (spec|model|specification|version)\b.{0,30}\b(amended|changed|"
            r"modified|edited|altered|revised|tweaked)\b|\b(was|were|has|have) (it|this|that|they)( been)? (amended|"
            r"changed|modified|edited|altered|revised|tweaked)\b|\b(record|log|history|trail|list)\b.{0,20}\b(changes|"
            r"amendments|edits|modifications)\b|\bchange[- ]?log\b"
        ),
    ),
    (
        "ledger",
        _R(
            # "how many times did we refit?", "what was the first spec?": the ledger's history
            r"\bhow many (times|fits|refits)\b.{0,25}\b(fit|refit|run|ran|re-?ran|estimat\w*)\b|"
            r"\b(first|original|initial|previous|earlier|prior) (spec|specification|model version|version of the "
            r"(spec|model))\b|\b(first|only) (model|spec|specification|fit|version)\b.{0,20}\b(we|you)\b|"
            # "when did we lock the spec?", "when was the model fitted?": the ledger's dates, not a request
            r"\bwhen (did|was|were|have|has) (we |you |i |it |they |the (spec|model|fit) )?(been )?(lock|register|fitt?"
            r"|pre-?regist)\w*\b|"
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
            r"\b(done|tried|happened) (so far|already|on this data\w*)\b|\blog of (everything|what|all)\b|"
            r"\b(log|list|record|history) of (the |our |all )?(specs?|fits?|models?|runs?|versions?)\b"
        ),
    ),
    # A change to the model's carry-over or terms ("let TV carry over longer", "add a trend") before the adstock
    # rule reads it as a question about carry-over.
    ("amend", AMEND_SPEC),
    (
        "adstock",
        _R(
            r"\blags?\b|\bad-?stock\w*\b|\bcarr(y|ies|ied)[- ]?over\b|\bhalf[- ]?li(fe|ves)\b|\bdecay\w*\b|\blag(ged)? "
            r"effects?\b|\bhow long\b.{0,40}\b(effects?|impact|ads?|advertising|last|lasts|linger\w*|carry)\b|"
            r"\bkeeps? (on )?working after\b|\b(effect|impact)s? (wear|fade|die)s? (off|out|away)\b|"
            r"\bhow long\b.{0,30}\b(keeps?|stays?|remains?) (on )?(working|effective|active)\b|"
            r"\bhow many (weeks|periods|months|days)\b.{0,40}\b(last|linger|carry|persist)\w*\b"
        ),
    ),
    (
        "uncertainty",
        _R(
            # "is the TV estimate driven by the prior?", "which estimates are prior-dominated?"
            r"\b(driven|dominated|determined|coming) (by|from) (the |its |our )?priors?\b|"
            r"\bprior[- ](dominated|driven)\b|"
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
            r"\b(highest|best|most|rank\w*|which|each|all|every)\b.{0,30}\bmarginal (roi|return)s?\b|\bmroi\b|"
            # "what does marginal ROI mean?": the concept, with this fit's figures
            r"\b(what is|what's|what does|explain|define|meaning of)\b.{0,12}\bmarginal (roi|return)s?\b"
        ),
    ),
    ("payback", PAYBACK),
    ("media_share", MEDIA_SHARE),
    # The current spec itself ("show me the spec", "what's in the model?", "which controls does the model use?"):
    # after the ledger rule, which claims the collection ("list the specs").
    (
        "show_spec",
        _R(
            r"\b(show|see|display|print|view|open|read|give)( me| us)?( the| our| this| your| current| locked| latest)*"
            r" (model )?(spec|specification|model (spec|setup|definition|configuration|settings))\b"
            r"(?!\s*(history|log|list|versions?|trail|records?|changes|amendments)\b)|"
            r"\bwhat('s| is) in the (model|spec)\b|\bhow is the model (set up|specified|configured)\b|"
            r"\b(what|which) (controls|channels|variables|settings|priors)\b.{0,20}\b(does|did|is) (the|this|our) "
            r"(model|spec)\b.{0,12}\b(use|using|include|including|contain|have)\b|\bthe (current|locked) spec\b|"
            # "which channels are in the model?", "what controls are included?"
            r"\b(what|which) (controls|channels|variables|media)\b.{0,12}\b(are|is) (in|included in|used in) (the|this|"
            r"our) (model|spec)\b|\b(what|which) (controls|channels|variables)\b.{0,8}\b(are|were) (included|used)\b|"
            # what the model explains: "which KPI is the model explaining?", "what does the model predict?"
            r"\b(which|what) (kpi|target|outcome|dependent variable|metric)\b.{0,25}\b(model|spec)\b|"
            r"\bwhat (does|is) (the|this|our) model (explain|predict|model)\w*\b|"
            # the priors used: "what priors did you use for TV?", "which prior is on Search?"
            r"\b(what|which) priors?\b|\b(is there|what('s| is| are)|show( me)?) (a |an |the )?(roi |beta )?priors? "
            r"(for|on|of)\b|\bpriors? (did|do|does|were|was|are|is) (you|we|the model|it|used|set|on)\b|"
            r"\b(what|which) (model|specification) (did|do|does|was|is) (you|we|it)\b.{0,10}\b(use|using|used|fit|"
            r"run)\w*\b"
        ),
    ),
    (
        "setup",
        _R(
            r"\bset ?up\b|\bnew (model|analysis|mmm)\b|\b(build|create|start|make|configure|draft|specify|design|"
            r"define|construct)\b.{0,15}\b(model|spec|specification|mmm|marketing mix model\w*)\b|\bguide me\b|"
            r"\bwalk me through\b|\bget started\b|\bstart over\b"
        ),
    ),
    (
        "help",
        _R(
            r"^\s*(help|\?|h|menu|commands)\s*[.!?]*$|\bwhat can (you|i) (do|ask)\b|\bhow do (i|you) use\b|"
            # "help me plan a $1M campaign" asks for the plan, not the help page
            r"\bwhat do you do\b|\bhelp me\b(?!.*\b(optimi|fit|set ?up|lock|plan|budget|allocat|split|spend|invest|"
            r"model|spec|mmm|\d))|\bwhat are (my|the) options\b"
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
            r"\bwhat (did|have) we( already| previously| so far| ever)? (try|tried|do|done|run|locked)\b|"
            r"\bledger\b|\bhistory\b|\baudit\b|"
            r"\b(specs?|models?|versions?) (have been|were|we) (tried|locked|run|fitted)\b|\bforking\b|"
            r"\bwhat (was|has been) tried\b|\bwhat('s| is| was) been tried\b|\btrail\b|\bprovenance\b"
        ),
    ),
    (
        "report",
        _R(
            r"\breport\b|\bwrite[- ]?up\b|\bexport (the )?(results|findings)\b|\bsummary document\b|"
            r"\bexplain (the|this|our) (model|analysis|results)\b.{0,20}\b(like|as if|for|to)\b|"
            r"\bdeck\b|\bone[- ]pager\b|\b(pdf|html|written) (summary|version|document)\b|\bexecutive summary\b|"
            r"\bsummar(y|ise|ize) (of )?(the |our )?(results|findings|analysis)\b|"
            # "what did the model find?", "key takeaways": the fit's findings, written up
            r"\bwhat (did|does) (the|this|our) (model|analysis|fit|mmm) (find|show|say|tell us|conclude)\b|"
            r"\b(key|main) (findings|takeaways|insights)\b"
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
            r"pull|kick)\b.{1,30}\b(out of|from|off) (the |our |this )?(model|spec|specification)\b|"
            # "add Price to the model" (not "how much faith should I put in this model?")
            r"^(?!.*\b(faith|trust|confidence|stock)\b).*\b(add|include|put)\b.{1,30}\b(to|into|in) (the |our |this )?"
            r"(model|spec|specification)\b"
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
            r"running)\b|\bis (it|the model) (done|finished|ready)\b|\bhow (old|recent)\b.{0,15}\b(fit|model)\b|"
            r"\bhow long (will|does|would|did) (the |a |this )?(fit|fitting|model)\b"
        ),
    ),
    (
        "health",
        _R(
            r"\bconverge\b|\btrust\w*\b|\breliab\w*\b|\bdiagnostics\b|\br[- ]?hat\b|\bdivergen\w*\b|"
            # "has the model been validated?", "how accurate are the predictions?", "how stable are the estimates?"
            r"\b(model|fit|results?)\b.{0,15}\bvalidat\w*|"
            r"\baccura\w*\b.{0,20}\b(predict\w*|forecast\w*|model|fit)\b|"
            r"\bhow (stable|robust|accurate|reproducible) (are|is) (the |our |these |its )?(estimates?|results?|"
            r"numbers|model|findings|predictions?|forecasts?)\b|\breproduc\w*\b|"
            # terse: "model ok?", "fit any good?"
            r"^\W*(is )?(the |this )?(model|fit)('s)? (ok|okay|good|fine|alright|sound|any good|converged)\W*$|"
            r"\bhealth\w*\b|\bhow good is (the|this|our) (model|fit)\b|\bfit quality\b|\bess\b|"
            r"\bcan (i|we) (rely|believe|use)\b|\bis (the|this) (model|fit) (ok|okay|good|sound|valid|"
            r"credible|any good|decent|broken)\b|\bsanity\b|\bmodel (quality|check)\b|\br2\b|\bmape\b|"
            r"\br[- ]?squared?\b|\brmse\b|\bgoodness of fit\b|\bhow many (draws|samples|chains)\b|"
            r"\b(believe|accept|act on)\b.{0,20}\b(results|numbers|model|these|estimates|output)\b|"
            r"\bhow well (does|did) (the|this|our) model (fit|do|predict|explain|captur\w*|track|reproduc\w*)\b|"
            r"\bsampler\b|\bsampling\b|\bmcmc\b|\bfit for purpose\b|\b(over|under)-?fit\w*\b|"
            r"\bchains?\b.{0,15}\b(mix\w*|"
            r"converg\w*)\b|\b(model|fit)('s)? (results?|outputs?|estimates?) (are |is )?(robust|solid|sound|stable|"
            r"credible|valid|reliable)\b|\b(model|fit) validat\w*\b|\bvalidat\w* (the |this |our )?(model|fit)\b|"
            r"\b(faith|confidence|confident)\b.{0,30}\b(the|this|"
            r"our) (model|fit)\b|\bgood enough\b.{0,25}\b(decisions?|act on|rely on|use)\b|\br-?squared\b|\br²|"
            r"\b(well|badly|poorly|properly) calibrated\b|"
            r"\b(the|this|our) (model|fit)('s| is)? (right|correct|wrong|accurate|true to the data)\b|"
            r"\bis (the|this|our) (model|fit) "
            r"calibrated\b|\b(fit|match)(es)? the data\b|"
            r"\bout[- ]of[- ]sample\b|\bhold-?out (accuracy|error|check)\b|\bforecast (accuracy|error)\b|"
            r"\b(pass|passe[sd]|fail|fails|failed)\b.{0,20}\bchecks?\b|\bchecks?\b.{0,12}\b(pass|fail)\w*\b|"
            r"\bred flags?\b|\bwarning signs?\b|\b(problems?|issues?|concerns?|wrong|warnings?)\b.{0,25}\b(the |this |"
            r"our )(model|fit)\b|\bhow (accurate|solid|robust) is (the|this|our) (model|fit)\b|"
            r"\b(model|fit)\b.{0,15}\bpredict\w* (well|accurately|poorly|badly)\b|\bpredictive (power|accuracy)\b"
        ),
    ),
    (
        "fit",
        _R(
            r"\b(fit|refit|re-fit|estimate|train|run|sample)\b.{0,25}\b(model|spec|it|again|now|quick\w*|"
            r"full\w*|posterior|nuts)\b|^\s*(fit|refit)\b|\bquick fit\b|\bfull fit\b|\bkick off\b"
        ),
    ),
    ("scenario", SCENARIO),
    # Money already given to a channel (past tense) is observed spend, not a plan: "how much was allocated to
    # Social?", "what did we budget for TV in 2022?".
    (
        "spend_by",
        _R(
            r"\b(was|were|been|had we|we've)\b.{0,12}\b(allocat\w*|budgeted|earmarked|assigned)\b|"
            r"\bdid we (allocate|budget|earmark|assign)\b"
        ),
    ),
    ("optimize", OPTIMIZE),
    (
        "compare",
        _R(
            r"\bcompare\b|\bversus\b|\bvs\.?\b|\bbetter than\b|\bworse than\b|\bbeat\w*\b|\boutperform"
            r"\w*\b|\bprobability\b|\bhow likely\b|\bchances?\b|\bodds\b|\bhigher roi than\b|\bstacks? up\b|"
            r"\bhead[- ]to[- ]head\b|\bwhich (one )?wins\b|\bmore (efficient|"
            r"effective) than\b|\bor\b.{0,30}\b(better|stronger|more efficient)\b|\bwhich is better\b"
        ),
    ),
    ("curve", _R(r"\bresponse curve\b|\b(over)?saturat\w*\b|\bdiminishing returns\b|\bcurve\b")),
    (
        "contribution",
        _R(
            r"\bcontribution\b|\bdriv(e|es|en|ing)\b|\bdrove\b|\bincremental\b|\bdecompos\w*\b|\bbaseline\b|"
            r"\b(sales|revenue|kpi|conversions) (came|come|comes|coming) from\b|\bshare of (sales|"
            r"revenue|kpi)\b|\bhow much (sales|revenue) (did|does|do)\b|\blift\b|\bimpact\b|\bbr(ing|ings|ought) "
            r"in\b|\badd(s|ed)? to (our |the |total )?(sales|revenue|kpi)\b|\bresponsible for\b|"
            r"\bhow many (sales|orders|conversions)\b|\b(sales|revenue) (driven|generated|caused) by\b|"
            r"\bbreak(ing|s)?[- ]?down (of )?(our |the )?(sales|revenue|kpi|conversions)\b|"
            r"\b(sales|revenue|kpi) break[- ]?down\b|"
            r"\b(deliver|generat|produc|creat)\w*\b.{0,20}\b(sales|revenue|conversions|orders)\b|"
            r"\battribut\w*\b|\b(up)?lift\b|"
            # "what has Print delivered in 2022?", "how much did Social add?" (not "did we add … to the model")
            r"\b(what|how much) (did|does|has|have)\s+(?!(we|you|i|they)\b)\w+(\s+\w+)?\s+(add|added|deliver\w*|"
            r"generat\w*|produc\w*)\b(?!.{0,30}\b(model|spec\w*)\b)|"
            r"\beffects? (on|of)\b|\bbr(ing|ings|ought) to the table\b|"
            r"\b(lose|lost|loss|miss)\b.{0,30}\b(without|didn'?t have|did not have|dropped|got rid of)\b"
        ),
    ),
    (
        "rank",
        _R(
            r"\b(best|worst|top|bottom|highest|lowest|strongest|weakest|most|least|poorest|greatest|biggest|largest|"
            r"smallest)\b.{0,30}\b(channel|channels|medium|roi|rois|roas|return\w*|performer|performing|efficient|"
            r"effective|"
            r"profitable|for (our|the) money|per dollar|bang|cpa|cost per)\b|\brank\w*\b|"
            r"\b(cheapest|most expensive|least expensive)\b.{0,25}\b(channel|medium|media|per)\b|"
            # "is there any channel we shouldn't cut?", "a channel we must keep": which end, by the verb
            r"\b(any|a|one) (channel|medium)s? (that )?(we|i) (should|shall|must|need to|ought to|can)(n'?t| not)? "
            r"(cut|keep|protect|drop|grow|invest in|stop)\b|"
            rf"{RANK_BEST_CUES.pattern}|{RANK_WORST_CUES.pattern}|"
            r"\b(channel|medium|media)s?\b.{0,20}\b(returns?|earns?|delivers?|performs?|works?|pays?|does)\b (the )?"
            r"(least|most|best|worst|lowest|highest|poorest|weakest|strongest)\b|\bwhich (channel|"
            r"media)\b.{0,30}\b(works|best|worst|most|least|pays)\b|\bunderperform\w*\b|\boverperform\w*\b|"
            r"\bsort\w* (channels|by roi)\b|\b(money|budget|spend|dollars?)\b.{0,20}\b(doing|working|earning|"
            r"returning|delivering)\b (the )?(least|most|hardest|best|worst)\b|\bleague table\b|\bbest\b|\bworst\b|"
            r"\b(star|standout|stand-out|poorest|"
            r"winning|losing)\b.{0,20}\b(channel|performer|media)|\bwhich (channel|media|one)s?\b.{0,25}\b(should|"
            r"shall|would|could|do|must)(n'?t| not)? (we|i|you)\b.{0,12}\b(cut|drop|kill|stop|axe|scrap|keep|"
            r"protect|grow|scale|pull back|invest|double down|defund|reduce|touch)|"
            r"\bwhich (channel|media|one)s?\b.{0,10}\b(deserves?|needs?|"
            r"merits?|should get|gets?|earns?)\b.{0,12}\b(more|less|extra|the axe|cut|cuts|money|budget|investment)\b"
        ),
    ),
    (
        "roi",
        _R(
            r"\broi\b|\brois\b|\broas\b|\breturn\w*\b|\befficien\w*\b|\bpayback\b|\bworth it\b|\bpay(s)? off\b|"
            r"\bper (dollar|euro|pound)\b|\bpaying off\b|\bprofitab\w*\b|\bworth\b|\bpay(s|ing)? for itself\b|"
            r"\bmake us money\b|\bearn(ing|s)? on\b|\bget back\b|\bhow (hard|well) (is|are)\b.{0,30}\b(working|doing|"
            r"performing)\b|"
            # Money coming back from spend: "is our TV investment paying back?", "is the money coming back?",
            # "is Radio money well spent?", "does Print earn its keep?".
            r"\bpa(y|ys|ying|id) (us )?(back|out)\b|\bcom(e|es|ing) back\b|\bwell spent\b|\b(good|bad|poor) value\b|"
            r"\bvalue for money\b|\bearn\w* (its|their) keep\b|\bproductiv\w*\b|\beffectiveness\b|\byield\w*\b|"
            r"\bbr(ing|ings|ought) back\b|\b(good|bad|great|poor|wise|smart|sound) (investment|use of (money|budget|"
            r"funds|spend))\b|\bjustif\w*\b|\bresponsive(ness)?\b"
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
            r"\bcolumns\b|\btell me about the data\b|\boverview\b|\bschema\b|"
            # how much data: "how many weeks of data are there?", "what's the date range?",
            # "when does the data start?"
            r"\b(date|time|data) (range|span|coverage)\b|\bhow many (weeks|periods|months|days|years|rows|"
            r"observations|data points)\b.{0,15}\b(of data|are there|do we have|in the data\w*|does the data)\b|"
            r"\bwhen (does|do|did) (the|our|this) data (start|end|begin|stop)\b|"
            r"\b(last|first|latest|earliest|most recent) (data ?points?|observations?|dates? (in|of) the data)\b|"
            r"\bhow (long|far back) (is|does|do) (the|our|this) data\b|"
            # "what time period does the data cover?", "which dates are in the data?"
            r"\b(what|which) (time |date )?(period|periods|dates|weeks|years|time ?frame|timeframe|window)\b.{0,25}"
            r"\b(data|dataset)\b.{0,10}\b(cover\w*|span\w*|include\w*|run\w*|go)\b|"
            r"\b(what|which) (time |date )?(period|dates|time ?frame|timeframe|window) (is|are) (in|covered by) "
            r"(the|our|this) (data|dataset)\b|"
            # how the data is laid out: "what frequency is the data?", "are there missing values?"
            r"\b(frequency|granularity)\b.{0,20}\b(data|dataset)\b|\b(data|dataset)\b.{0,15}\b(frequency|"
            r"granularity)\b|\bmissing (values|data|weeks|periods|rows)\b|\bgaps in the data\b|"
            # "list all channels", "show me the variables"
            r"^\W*(please )?(list|show me|name|give me)\s+(all\s+)?(of\s+)?(the\s+|our\s+)?(channels|variables|"
            r"controls|columns|media)\s*[?.!]*\s*$"
        ),
    ),
]
