"""Misspelt intent words in a question, corrected before the router's rules read it.

Two layers: frequent misspellings the rules have met (``TYPOS``, regular expressions), then any longer word one
edit (two for long words; a swap of neighbouring letters counts as one) from a word the rules use, by optimal
string alignment distance (rapidfuzz). Data names are masked before this runs and channel typos are resolved by
``entities``, so only the wording of the request is touched — never a name.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

# Frequent misspellings of intent words → canonical word (channel typos are handled by fuzzy matching).
TYPOS = {
    r"\bro[il]\b": "roi",
    r"\br\.o\.i\.?": "roi",
    r"\bconverg\w*": "converge",
    r"\bcontrib\w*": "contribution",
    r"\boptimi[sz]\w*|\boptim\w*": "optimize",
    r"\bbugdet\b|\bbudgt\b|\bbudegt\b": "budget",
    r"\bcompair\b|\bcomapre\b|\bcmopare\b": "compare",
    r"\bdataset?s\b|\bdatsets?\b": "datasets",
    r"\bdiagnost\w*": "diagnostics",
    r"\bhelath\b|\bheatlh\b": "health",
    r"\bspen[dt]ing\b": "spend",
    r"\bledgr\b": "ledger",
    r"\breprot\b|\brepot\b": "report",
    r"\bwrost\b": "worst",
    r"\bbets\b": "best",
    r"\bchanel\b|\bchannle\b": "channel",
    r"\bchanels\b|\bchannles\b": "channels",
    r"\bretrun\b": "return",
    r"\btrustworth\w*|\btrustwor\w*": "trustworthy",
    r"\bdescibe\b|\bdescrbe\b": "describe",
    r"\breut?rn\b|\bretun\b|\breturm\b": "return",
    r"\brevneue\b|\breveune\b|\brevenu\b": "revenue",
    r"\brpeort\b|\breoprt\b": "report",
    r"\bdoubl(ed|ing)\b|\bduobl\w*": "double",
}

# Words the intent rules turn on. A longer word of the question within one edit of one of them (and not itself one
# of them) is read as that word: "icnremental" → incremental, "saturtae" → saturate, "wroking" → working.
VOCABULARY = frozenset(
    """
    adstock allocate allocation amended amendment amendments attributable baseline believe budget carryover change
    changed changes channel channels compare comparison contribute contributed contribution converge converged
    decompose describe diagnostics diminishing double doubled driven drives efficient explain explained forecast
    happens health history identified impact incremental increase invest investment ledger linger losing lowest
    marketing monthly optimal optimize overview percent performing proportion profitable reallocate reliable report
    response results return returns revenue saturate saturated saturation scenario season seasonality shift specs
    specification spend spending struggle trustworthy uncertain uncertainty underperforming variables weekly worst
    working highest region regions geography geographies happen happened happening compared comparing contributes
    contributing saturating explains returned spending advertising greatest effective confident certain precise
    boosted turned should cutting confidence interval margin really paying dollar higher without
    incremental dependent organic current possible attributed credit better percentage outperforming
    outperform coming fraction responsible versus beating differ portion favour favor specify performs poorest
    wasting sampler versions edited between already calibrated redistribute rebalance guarantee promise
    models history weakest strongest million thousand faith purpose modified status market markets previous
    responsive responds""".split()
)
# Ordinary words one edit from a rule word: never "corrected" ("chance" is not a misspelt "change").
# A prefix that turns a rule word into its opposite: the longer word is never read as the rule word.
_NEGATING_PREFIXES = ("un", "non", "non-", "in", "dis", "im", "ir")
PROTECTED = frozenset(
    "chance chances closing driver drivers loving reason spends wealth worthy shifts putting shouldn saying playing "
    "praying hither letter letters setter bitter butter sample samples sampled waiting wanting lasting casting "
    "performer performers performed premise".split()
)


def correct(low: str) -> str:
    """``low`` (lower case) with known misspellings and near-misses of the rules' words replaced."""
    for pattern, word in TYPOS.items():
        low = re.sub(pattern, word, low)
    return re.sub(r"[a-z]{5,}", _nearest, low)


def _nearest(m: re.Match[str]) -> str:
    word = m.group()
    if word in VOCABULARY or word in PROTECTED:
        return word
    limit = 2 if len(word) >= 9 else 1
    best = min(VOCABULARY, key=lambda v: (OSA.distance(word, v), v))
    if len(word) == 5 and sorted(word) != sorted(best):
        return word  # five letters: only two neighbours swapped ("spned"); one other edit makes other words
    if word.endswith(best) and word[: -len(best)] in _NEGATING_PREFIXES:
        return word  # "unprofitable" is the opposite of "profitable", not a misspelling of it
    return best if OSA.distance(word, best) <= limit else word


def fix_text(text: str, keep: list[str]) -> str:
    """``text`` with misspelt request words corrected in place and everything else as typed (case, names): for
    the argument parsers ("what if we duobled TV" → "what if we double TV"). Words of ``keep`` (data names)
    are never touched."""
    kept = {w.casefold() for name in keep for w in re.findall(r"[A-Za-z]+", name)}

    def one(m: re.Match[str]) -> str:
        word = m.group()
        if word.casefold() in kept:
            return word
        fixed = correct(word.casefold())
        return word if fixed == word.casefold() else fixed

    return re.sub(r"[A-Za-z]+", one, text)
