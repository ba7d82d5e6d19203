"""Names in a user's sentence, resolved against the dataset — or refused, never guessed (re-exported by
:mod:`agent.models.entities`).

A mention resolves to a dataset entity (channel, control, geography, product, metric) only when the evidence is
strong, in this order (each pass claims its words, so a later pass never re-reads them):

1. **exact**: the same letters and digits, ignoring case, spaces and separators ("paid_search" = "Paid Search");
2. **synonym**: a declared *category* word for a channel family present in the data ("television" → TV,
   "paid search" → Search). Brand names are never synonyms: TikTok is not Social, YouTube is not Video;
3. **partial**: a distinctive word of exactly one entity name ("YouTube" → "YouTube Ads"); several → ambiguous;
4. **brand**: a platform brand (TikTok, Facebook, Google...) that names no entity is *unknown* — except as the
   qualifier of a category word right after it ("Google Search" → Search);
5. **spelling**: a word within a small edit distance of exactly one name ("raido" → Radio). The cutoff is the
   optimal-string-alignment distance (insert, delete, substitute, swap two adjacent letters): 1 edit for words
   of 4–7 letters, 2 for longer ones — and 2 for a word of 5+ letters with exactly the name's letters and first
   letter ("sarech" → Search: letters typed out of order). Damerau (1964) found ~80% of misspellings are one
   such edit; two edits in a short word leave under 3/4 of it intact, which is where real words start to collide
   (ratio/radio, loyal/local are stop words for that reason). Two names at the same distance → ambiguous (one
   clarifying question).

Words in a slot where a name is expected ("ROI of X", "X vs Y", "from X to Y") that resolve to nothing are
reported as *unknown*, so the answer says the name is not in the data and lists what is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from agent.models.vocab import (
    BRANDS,
    COMMON,
    DISTINCT_CATEGORIES,
    GENERIC_TOKENS,
    REGION_WORDS,
    SYNONYMS,
    TIME_WORDS,
)

__all__ = [
    "Catalog",
    "Mention",
    "Resolution",
    "ChannelMatch",
    "resolve",
    "tokens",
    "find_channels",
    "unknown_channel_words",
]

KINDS = ("channel", "control", "geography", "product", "metric")
_LISTS = ("channels", "controls", "geographies", "products", "metrics")
_NATIONAL = {"", "national", "total", "all", "nat", "country", "national total", "total market", "none", "nan"}


@dataclass(frozen=True)
class Catalog:
    """What a dataset holds, by kind, and the span of its periods (ISO dates; ``frequency`` e.g. 'W')."""

    channels: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()
    geographies: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    frequency: str | None = None

    @classmethod
    def from_describe(cls, d: dict[str, Any]) -> Catalog:
        """From ``mmm_core.data.queries.describe`` or the ``describe_dataset`` tool's output."""
        periods = d.get("periods") or {}
        return cls(
            channels=tuple(d.get("channels") or ()),
            controls=tuple(d.get("controls") or ()),
            geographies=tuple(g for g in d.get("geographies") or () if str(g).strip().casefold() not in _NATIONAL),
            products=tuple(p for p in d.get("products") or () if str(p).strip().casefold() not in _NATIONAL),
            metrics=tuple(dict.fromkeys([*(d.get("kpi_candidates") or ()), *(d.get("mediators") or ())])),
            start=str(periods["start"])[:10] if periods.get("start") else None,
            end=str(periods["end"])[:10] if periods.get("end") else None,
            frequency=d.get("frequency"),
        )

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Catalog:
        d = d or {}
        lists = {k: tuple(d.get(k) or ()) for k in _LISTS}
        return cls(**lists, start=d.get("start"), end=d.get("end"), frequency=d.get("frequency"))

    def to_dict(self) -> dict[str, Any]:
        out = {k: list(self.of_kind(k.rstrip("s") if k != "geographies" else "geography")) for k in _LISTS}
        return {**out, "start": self.start, "end": self.end, "frequency": self.frequency}

    def of_kind(self, kind: str) -> tuple[str, ...]:
        return {"channel": self.channels, "control": self.controls, "geography": self.geographies,
                "product": self.products, "metric": self.metrics}[kind]  # fmt: skip

    def entries(self) -> list[tuple[str, str]]:
        return [(kind, name) for kind in KINDS for name in self.of_kind(kind)]


@dataclass(frozen=True)
class Mention:
    """One resolved (or ambiguous) mention: ``names`` has one entry when resolved, several when ambiguous."""

    words: str  # as written in the question
    position: int  # token index (order of mention)
    kind: str
    names: tuple[str, ...]
    how: str  # exact | synonym | partial | qualified | spelling


@dataclass
class Resolution:
    mentions: list[Mention] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # words in entity slots that name nothing in the data
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # words → candidate names

    def of_kind(self, kind: str) -> list[str]:
        """Resolved names of one kind, in order of mention, without repeats."""
        out: list[str] = []
        for m in sorted(self.mentions, key=lambda m: m.position):
            if m.kind == kind and len(m.names) == 1 and m.names[0] not in out:
                out.append(m.names[0])
        return out

    @property
    def channels(self) -> list[str]:
        return self.of_kind("channel")


@dataclass
class ChannelMatch:
    found: list[str] = field(default_factory=list)  # canonical names, in order of mention
    unknown: list[str] = field(default_factory=list)  # mentioned-looking words with no match
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # word → candidate channels


def _tokens(text: str) -> list[str]:
    text = re.sub(r"['’]s\b", "", text.casefold())
    return re.findall(r"[a-z0-9+&]+", text)


tokens = _tokens  # public: the same word split for callers that compare mentions with text


def _key(name: str) -> str:
    return "".join(_tokens(name))


def _display(text: str, word: str) -> str:
    """``word`` as the user wrote it (their capitalisation)."""
    m = re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text, re.IGNORECASE)
    return m.group(0) if m else word


class _Matcher:
    """One pass-by-pass resolution of a sentence's tokens against a catalog."""

    def __init__(self, text: str, catalog: Catalog, skip: Iterable[str]) -> None:
        self.text, self.catalog = text, catalog
        self.toks = _tokens(text)
        skipped = {t for s in skip for t in _tokens(s)}
        self.claimed = [t in skipped for t in self.toks]
        self.res = Resolution()
        self.keys: dict[str, list[tuple[str, str]]] = {}
        for kind, name in catalog.entries():
            self.keys.setdefault(_key(name), []).append((kind, name))

    def claim(self, i: int, n: int, found: list[tuple[str, str]], how: str) -> None:
        for j in range(i, i + n):
            self.claimed[j] = True
        words = " ".join(self.toks[i : i + n])
        names = tuple(dict.fromkeys(name for _, name in found))
        if len(names) > 1:
            self.res.ambiguous[_display(self.text, words)] = list(names)
        self.res.mentions.append(Mention(_display(self.text, words), i, found[0][0], names, how))

    def spans(self, max_n: int):
        for n in range(min(max_n, len(self.toks)), 0, -1):
            for i in range(len(self.toks) - n + 1):
                if not any(self.claimed[i : i + n]):
                    yield i, n, self.toks[i : i + n]

    def exact_or_synonym(self) -> None:
        """Longest span first, exact names before synonyms of the same length: "linear tv" is TV as one phrase,
        "Paid Search" is that channel when the data has it. A category phrase of several words whose family the
        data lacks ("paid social" on data without social) is an unknown name, not a near-miss to guess from."""
        longest = max((len(_tokens(name)) for _, name in self.catalog.entries()), default=1)
        for i, n, toks in self.spans(max(longest, 4)):
            if any(self.claimed[i : i + n]):
                continue
            joined = "".join(toks)
            if joined in self.keys:
                self.claim(i, n, self.keys[joined], "exact")
            elif joined.endswith("s") and joined[:-1] in self.keys and len(joined) > 2:
                # "TVs contribution", "Radios ROI": a possessive or plural written without its apostrophe
                self.claim(i, n, self.keys[joined[:-1]], "exact")
            elif (family := SYNONYMS.get(" ".join(toks))) is not None:
                members = [c for c in self.catalog.channels if family in _tokens(c) or _key(c).startswith(family)]
                if members:
                    self.claim(i, n, [("channel", c) for c in members], "synonym")
                elif n > 1 or " ".join(toks) in DISTINCT_CATEGORIES:
                    for j in range(i, i + n):
                        self.claimed[j] = True
                    self.res.unknown.append(_display(self.text, " ".join(toks)))

    def partial(self) -> None:
        for i, _, (tok,) in self.spans(1):
            if tok in GENERIC_TOKENS or tok in COMMON or self.claimed[i]:
                continue
            found = [
                (kind, name) for kind, name in self.catalog.entries() if len(_tokens(name)) > 1 and tok in _tokens(name)
            ]
            if found:
                self.claim(i, 1, found, "partial")

    def brands(self) -> None:
        for i, _, (tok,) in self.spans(1):
            if tok not in BRANDS or self.claimed[i]:
                continue
            after = next((m for m in self.res.mentions if m.position == i + 1 and m.kind == "channel"), None)
            if after is not None:  # "Google Search": the brand qualifies a category word the data has
                self.res.mentions.remove(after)
                self.claim(i, 1 + len(_tokens(after.words)), [("channel", n) for n in after.names], "qualified")
                continue
            self.claimed[i] = True
            self.res.unknown.append(_display(self.text, tok))

    def spelling(self) -> None:
        choices: dict[str, list[tuple[str, str]]] = {k: v for k, v in self.keys.items() if len(k) >= 4}
        for word, family in SYNONYMS.items():
            if " " not in word and len(word) >= 4:
                members = [("channel", c) for c in self.catalog.channels if family in _tokens(c)]
                if members:
                    choices.setdefault(word, members)
        if not choices:
            return
        for i, n, toks in self.spans(2):
            word = "".join(toks)
            if any(self.claimed[i : i + n]) or len(word) < 4 or (n == 1 and word in COMMON | TIME_WORDS | BRANDS):
                continue
            if n == 2 and (toks[0] in COMMON or toks[1] in COMMON):
                continue
            limit = 1 if len(word) <= 7 else 2
            hits = process.extract(word, list(choices), scorer=OSA.distance, score_cutoff=limit, limit=None)
            if not hits and len(word) >= 5:
                hits = _scrambled(word, choices)
            if not hits:
                continue
            best = min(h[1] for h in hits)
            found = [e for key, dist, _ in hits if dist == best for e in choices[key]]
            self.claim(i, n, found, "spelling")


def _scrambled(word: str, choices: dict[str, list[tuple[str, str]]]) -> list[tuple[str, int, int]]:
    """Names with exactly ``word``'s letters and first letter, two edits away ("sarech" → search, "soacil" →
    social): letters typed out of order, not a different word (special/social differ in letters)."""
    return [
        (key, 2, 0)
        for key in choices
        if key[0] == word[0] and sorted(key) == sorted(word) and OSA.distance(word, key) <= 2
    ]


# Slots where a name is expected; the captured word is reported when it resolves to nothing.
_W = r"([A-Za-z][\w&+-]*)"
_SLOTS = [
    re.compile(
        r"\b(?:roi|roas|return|returns|contribution|contributions|spend|spent|spending|effect|impact|curve|"
        r"saturation|mroi)\s+(?:of|on|for|from|in|to|through)\s+(?:the\s+|our\s+)?" + _W,
        re.IGNORECASE,
    ),
    # "TikTok's ROI", "Podcast ROI": a name before the measure is possessive or capitalised ("higher ROI",
    # "diminishing returns" are adjectives, not names).
    re.compile(r"([A-Za-z][\w&+-]*)['’]s\s+(?:roi|roas|returns?|contribution|spend|curve|mroi)\b", re.IGNORECASE),
    re.compile(r"([A-Z][\w&+-]*)\s+(?i:roi|roas|returns?|contribution|spend|curve|mroi)\b"),
    re.compile(r"\b(?:compare|between)\s+" + _W + r"\s+(?:and|with|to|vs\.?|versus)\s+" + _W, re.IGNORECASE),
    re.compile(_W + r"\s+(?:vs\.?|versus)\s+" + _W, re.IGNORECASE),
    re.compile(r"\bfrom\s+" + _W + r"\s+(?:to|into)\s+(?:the\s+)?" + _W, re.IGNORECASE),
    re.compile(r"\b(?:better|worse|stronger|weaker)\s+than\s+(?:the\s+)?" + _W, re.IGNORECASE),
    # "is the South more responsive than the North?": capitalised names set against each other by a comparative
    re.compile(
        r"\b(?i:is|are|was|were|does|do|did)\s+(?:the\s+)?([A-Z][\w&+-]*)\s+(?i:more|less|better|worse|higher|lower)"
        r"\b[^?.]{0,30}?\b(?i:than)\s+(?:the\s+)?([A-Z][\w&+-]*)"
    ),
    re.compile(r"^\s*(?:and|what about|how about|and what about)\s+(?:the\s+)?" + _W + r"\s*\??\s*$", re.IGNORECASE),
    # "our Waze campaign", "the Nike collab": a capitalised word (not the first) naming an activity's brand;
    # "Radio or Mailchimp": two capitalised names set against each other.
    re.compile(
        r"(?<=\w )([A-Z][\w&+-]*)\s+(?:campaigns?|ads?|adverts?|placements?|collab\w*|partnerships?|promos?|"
        r"sponsorships?|activations?|spots?)\b"
    ),
    re.compile(r"\b([A-Z][\w&+-]*)\s+or\s+([A-Z][\w&+-]*)\b"),
    re.compile(
        r"\b([A-Z][\w&+-]*)\s+(?:compare[sd]?|stacks? up|fares?)\s+(?:to|with|against)\s+(?:the\s+)?([A-Z][\w&+-]*)"
    ),
    # "ROI of TV in Texas": a capitalised word after "in"/"for" mid-sentence names a place or segment.
    re.compile(r"(?<=\w)[\s,]+(?:in|for|across)\s+(?:the\s+)?([A-Z][\w&+-]*)"),
    # "ROI of TV in the midwest": a place written in lower case
    re.compile(r"(?<=\w)[\s,]+(?i:in|for|across)\s+(?i:the\s+)?(" + "|".join(sorted(REGION_WORDS)) + r")\b"),
]
# "ROI of TV for product B", "brand X's sales": a product or brand named by its label.
_PRODUCT_SLOT = re.compile(r"\b((?i:product|brand|sku)\s+[A-Z0-9][\w&+-]*)")


# "how is the radio contribution": a lowercase word before the measure counts only when it is a channel
# category or a brand (the data may lack it); other lowercase words there are adjectives ("higher ROI").
_CATEGORY_SLOT = re.compile(r"([a-z][\w&+-]*)\s+(?i:roi|roas|returns?|contribution|spend|curve|mroi)\b")


def _slot_words(text: str) -> list[str]:
    out: list[str] = []
    for rx in _SLOTS:
        for m in rx.finditer(text):
            out += [g for g in m.groups() if g]
    out += [w for w in _CATEGORY_SLOT.findall(text) if w in SYNONYMS or w in BRANDS]
    return out


_ORDINARY = sorted(w for w in COMMON if len(w) >= 4)


def _ordinary_typo(word: str) -> bool:
    """Whether ``word`` is within the spelling cutoff of an ordinary word of these questions."""
    limit = 1 if len(word) <= 7 else 2
    return len(word) >= 4 and process.extractOne(word, _ORDINARY, scorer=OSA.distance, score_cutoff=limit) is not None


def resolve(text: str, catalog: Catalog, skip: Iterable[str] = ()) -> Resolution:
    """Every entity named in ``text``: resolved mentions, ambiguous words and unknown names (see module doc).
    ``skip``: phrases already read as something else (e.g. a period such as "March 2023")."""
    m = _Matcher(text, catalog, skip)
    m.exact_or_synonym()
    m.partial()
    m.brands()
    m.spelling()
    taken = {t for i, t in enumerate(m.toks) if m.claimed[i]}
    for word in _PRODUCT_SLOT.findall(text):  # "product B": unknown unless the data has it
        label = _tokens(word)[1:]
        if label and not taken & set(label) and label[0] not in COMMON and _display(text, word) not in m.res.unknown:
            m.res.unknown.append(_display(text, word))
    for word in _slot_words(text):
        tok = _tokens(word)
        if not tok or tok[0] in taken or tok[0] in COMMON | TIME_WORDS | GENERIC_TOKENS or tok[0].isdigit():
            continue
        named = tok[0] in SYNONYMS or tok[0] in BRANDS or tok[0] in REGION_WORDS
        if word.islower() and not named and _ordinary_typo(tok[0]):
            continue  # "higehr", "respnose": a misspelt ordinary word, not a name
        if _display(text, word) not in m.res.unknown:
            m.res.unknown.append(_display(text, word))
    m.res.mentions.sort(key=lambda x: x.position)
    return m.res


def find_channels(text: str, known: list[str]) -> ChannelMatch:
    """Channels mentioned in ``text`` among ``known`` (compatibility view of :func:`resolve`)."""
    res = resolve(text, Catalog(channels=tuple(known)))
    ambiguous = {w: c for w, c in res.ambiguous.items()}
    return ChannelMatch(found=res.channels, unknown=list(res.unknown), ambiguous=ambiguous)


def unknown_channel_words(text: str, known: list[str]) -> list[str]:
    """Words used where a channel is expected ("ROI of radio", "TikTok's ROI") that name no known channel."""
    return resolve(text, Catalog(channels=tuple(known))).unknown
