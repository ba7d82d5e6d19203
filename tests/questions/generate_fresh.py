"""The fresh held-out question set: ``templates_fresh`` × channel synonyms × time phrases × typos, plus its
hand-written hard cases, each with the behaviour a demanding user would call right.

Deterministic (fixed seed). Expectations are judged by ``run.judge`` (keys documented in ``generate.py``); they say
what the answer must be, never what the router happens to answer: the set was written without running the router
on it. Compared with the older tuning corpus, the fresh expectations are stricter where a user would be: a
sub-year window must be echoed by its own months or quarter (not only its year), a refusal of an out-of-range
period must state the data's range, "by month" must roll weeks up, and what-ifs must report a probability.
"""

from __future__ import annotations

import random
import re
from typing import Any

try:
    from questions import templates_fresh as tf
except ImportError:  # run as a script: this folder is on sys.path
    import templates_fresh as tf

SEED = 1917
PROBABILITY = ["P(", "probab", "chance", "likel"]
# Words a slip must not touch: names, time phrases and amounts are what the corpus checks, not the typist's hands
# ("spent" slipping to "sent", "second quarter" to "secoond quarter" would test something else).
_PROTECTED = re.compile(r"\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|spen|than|versus|compared", re.I)
_TIME_WORDS = {
    w.casefold()
    for p in [*tf.IN_RANGE, *tf.OUT_OF_RANGE, *tf.PCTS]
    for w in (p if isinstance(p, str) else p[0]).split()
}
_CHANNEL_WORDS = {w.casefold() for say in tf.SAY.values() for kind in say.values() for n in kind for w in n.split()}


def expect(
    cat: str,
    channels: list[str],
    year: str | None = None,
    marks: tuple[str, ...] = (),
    oor: bool = False,
    tool: str | None = None,
) -> dict[str, Any]:
    """The expected behaviour of one question of a corpus category."""
    e: dict[str, Any] = {"channels": channels}
    one = channels[0] if channels else None
    if cat in _PERIOD_TOOL:
        e |= _period(cat, channels, year, marks, oor, tool)
    else:
        e |= _SIMPLE[cat](one) if cat in _SIMPLE else _FIXED[cat]
    return e


def _period(
    cat: str, channels: list[str], year: str | None, marks: tuple[str, ...], oor: bool, tool: str | None
) -> dict[str, Any]:
    """A question about a window: computed over it and echoed, or refused with the data's range."""
    if oor:  # no number from the data for a period it does not cover (a tool's refusal counts as a refusal)
        return {"period": year, "out_of_range": True, "has": list(tf.DATA_YEARS)}
    e: dict[str, Any] = {"tool": tool or _PERIOD_TOOL[cat], "period": year, "has": [year, *channels]}
    if marks:
        e["any"] = list(marks)
    if channels and e["tool"] in ("roi", "contributions"):
        e["args"] = {"channel": channels[0]}
    if not channels and cat == "roi_period":
        e["has"] += list(tf.CHANNELS)
    return e


_PERIOD_TOOL = {
    "roi_period": "roi",
    "contribution_period": "contributions",
    "kpi_period": "kpi_by",
    "spend_period": "spend_by",
    "time_compare": None,
}
_NO_ACTION = {"tool": None, "forbid": ["fit_model", "lock_spec", "amend_spec"], "forbid_unapproved": True}
_SIMPLE = {
    "roi_channel": lambda c: {"tool": "roi", "args": {"channel": c}, "has": [c]},
    "contribution_channel": lambda c: {"tool": "contributions", "args": {"channel": c}, "has": [c]},
    "spend_channel": lambda c: {"tool": "spend_by", "has": [c]},
    "scenario_pct": lambda c: {"tool": "scenario", "has": [c], "any": PROBABILITY, "forbid": ["optimize_budget"]},
    "uncertainty": lambda c: {"tool": "roi", "args": {"channel": c}, "has": [c, "identif"]},
    "curve": lambda c: {"tool": "response_curve", "args": {"channel": c}, "has": [c]},
    "adstock": lambda c: (
        {"tool": "carryover", "has": ["half-life"] + ([c] if c else [])} | ({"args": {"channel": c}} if c else {})
    ),
}
_FIXED: dict[str, dict[str, Any]] = {
    "roi_all": {"tool": "roi", "args": {"channel": None}, "has": list(tf.CHANNELS)},
    "rank_best": {"tool": "roi", "any": ["best", "highest", "top"]},
    "rank_worst": {"tool": "roi", "any": ["worst", "lowest", "weakest", "least", "poorest", "bottom"]},
    "payback": {"tool": "roi", "any": ["break-even", "break even", "pay back", "pays back", "paid back"]},
    "media_share": {"tool": "media_share", "has": ["media", "%"]},
    "health": {
        "tool": "model_health",
        "any": ["health", "converge", "r²", "r-hat", "passed", "out-of-sample", "holdout", "check"],
        "forbid": ["fit_model"],
    },
    "ledger": {"tool": "ledger", "has": ["spec"]},
    "disclosure": {
        "tool": "ledger",
        "any": ["after results", "after the results", "amend", "post hoc", "post-hoc", "before", "pre-regist"],
    },
    "amend": _NO_ACTION | {"has": ["amend"]},
    "report": {"tool": "report"},
    "setup": {"tool": "draft_spec", "has": ["KPI"], "forbid": ["lock_spec", "fit_model"]},
    "describe": {"tool": "describe_dataset", "has": list(tf.CHANNELS)},
    "geo": {"any": ["national", "geograph", "one series", "single series", "no region"]},
    "help": {"tool": None, "any": ["ask", "example", "try"]},
}


def _say(channel: str, rng: random.Random) -> str:
    """How one user names a channel: mostly a synonym, sometimes with a slip."""
    return rng.choice(tf.SAY[channel]["typo" if rng.random() < 0.2 else "plain"])


def _slip(text: str, rng: random.Random) -> str:
    """One typing slip (dropped, doubled or swapped letters) in an ordinary word of the question."""
    words = text.split(" ")
    cands = [
        i
        for i, w in enumerate(words)
        if len(w) >= 5
        and w.isalpha()
        and w.islower()
        and not _PROTECTED.search(w)
        and w not in _CHANNEL_WORDS | _TIME_WORDS
    ]
    if not cands:
        return text
    i = rng.choice(cands)
    w, j = words[i], rng.randrange(1, len(words[i]) - 2)
    words[i] = rng.choice([w[:j] + w[j + 1 :], w[:j] + w[j] + w[j:], w[:j] + w[j + 1] + w[j] + w[j + 2 :]])
    return " ".join(words)


def _item(q: str, cat: str, e: dict[str, Any], source: str = "fresh") -> dict[str, Any]:
    return {"q": q, "cat": cat, "expect": e, "source": source}


def _channel_fills(template: str, cat: str, rng: random.Random) -> list[dict[str, Any]]:
    """Single-channel templates: three or four channels each (every channel over the category's templates)."""
    if cat == "scenario_pct":
        return [
            _item(template.format(c=_say(ch, rng), pct=rng.choice(tf.PCTS)), cat, expect(cat, [ch]))
            for ch in rng.sample(tf.CHANNELS, 2)
        ]
    n = 4 if cat == "roi_channel" else 2 if cat in ("adstock", "uncertainty", "curve") else 3
    return [_item(template.format(c=_say(ch, rng)), cat, expect(cat, [ch])) for ch in rng.sample(tf.CHANNELS, n)]


def _pair_fills(template: str, cat: str, rng: random.Random) -> list[dict[str, Any]]:
    pairs = rng.sample([(a, b) for a in tf.CHANNELS for b in tf.CHANNELS if a != b], 2)
    out = []
    for a, b in pairs:
        q = template.format(a=_say(a, rng), b=_say(b, rng), amt=rng.choice(tf.AMOUNTS[a]))
        e: dict[str, Any] = {"channels": [a, b], "has": [a, b]}
        if cat == "compare":  # order is the user's wording, not a choice the answer has to mirror
            e["tool"] = "compare_channels"
        else:
            e |= {"tool": "scenario", "any": PROBABILITY, "forbid": ["optimize_budget"]}
        out.append(_item(q, cat, e))
    return out


def _period_fills(template: str, cat: str, rng: random.Random, times: list[tuple]) -> list[dict[str, Any]]:
    """Two windows inside the data and one outside it per template, drawn without repeats across templates."""
    out = []
    chans = rng.sample(tf.CHANNELS, 3) if "{c}" in template else [None] * 3
    for k, ch in enumerate(chans):
        named = [ch] if ch else []
        c = _say(ch, rng) if ch else ""
        if k < 2:
            phrase, year, marks = times.pop()
            out.append(_item(template.format(c=c, t=phrase), cat, expect(cat, named, year, marks)))
        else:
            phrase, year = rng.choice(tf.OUT_OF_RANGE)
            out.append(_item(template.format(c=c, t=phrase), cat, expect(cat, named, year, oor=True)))
    return out


def _time_compare(rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for template, tool, years, marks in tf.TIME_COMPARE:
        for ch in rng.sample(tf.CHANNELS, 2) if "{c}" in template else [None]:
            named = [ch] if ch else []
            e = expect("time_compare", named, years[1], marks, tool=tool)
            e["has"] = [*years, *named]
            out.append(_item(template.format(c=_say(ch, rng) if ch else ""), "time_compare", e))
    return out


def _listed(rng: random.Random) -> list[dict[str, Any]]:
    """Categories whose questions carry their own arguments or channels."""
    out = [_item(q, "kpi", {"channels": [], "tool": "kpi_by", "args": args}) for q, args in tf.KPI]
    for q, args in tf.OPTIMIZE:
        e = {"channels": [], "tool": "optimize_budget", "forbid": ["scenario"]} | ({"args": args} if args else {})
        out.append(_item(q, "optimize", e))
    out += [_item(q, "geo", expect("geo", chans)) for q, chans in tf.GEO]
    return out + _time_compare(rng)


def generated() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    times = list(tf.IN_RANGE) * 4
    rng.shuffle(times)
    items: list[dict[str, Any]] = []
    for cat, templates in tf.T.items():
        for template in templates:
            if "{a}" in template:
                items += _pair_fills(template, cat, rng)
            elif "{t}" in template:
                items += _period_fills(template, cat, rng, times)
            elif "{c}" in template:
                items += _channel_fills(template, cat, rng)
            else:
                items.append(_item(template, cat, expect(cat, _named(template))))
    items += _listed(rng)
    for item in items:  # about one question in seven is typed fast
        if rng.random() < 0.15:
            item["q"] = _slip(item["q"], rng)
    return items


def _named(q: str) -> list[str]:
    """Channels a fixed question names by their data name (amendments and geography questions)."""
    return [c for c in tf.CHANNELS if re.search(rf"\b{c}\b", q, re.I)]


def _unknown(q: str, name: str, chans: tuple[str, ...], cat: str) -> dict[str, Any]:
    """Named, refused, the data's channels listed; a known channel named beside it may still be answered."""
    e: dict[str, Any] = {"channels": list(chans), "has": [name, "TV", "Search"], "refuse": True}
    if not chans:
        e["tool"] = None
    if "moved" in q:  # a move into a channel that does not exist has no simulated result
        e["lacks"] = ["P("]
    return _item(q, cat, e, "fresh-adv")


def _as(q: str, cat: str, like: str, chans: tuple, year: str | None, marks: tuple, oor: bool) -> dict[str, Any]:
    return _item(q, cat, expect(like, list(chans), year, marks, oor), "fresh-adv")


def hand() -> list[dict[str, Any]]:
    """The hand-written hard cases with the expectation of the category each stands for."""
    out = [_unknown(q, name, chans, "adv_unknown_entity") for q, name, chans in tf.UNKNOWN]
    for q, chans in tf.TWO_CHANNELS:
        e = {"channels": list(chans), "has": list(chans), "forbid": ["optimize_budget", "scenario"]}
        out.append(_item(q, "adv_two_channels", e, "fresh-adv"))
    for q, chans, words, no_result in tf.IMPOSSIBLE:
        e = {"channels": list(chans), "has": list(chans), "any": list(words)} | ({"lacks": ["P("]} if no_result else {})
        out.append(_item(q, "adv_impossible", e, "fresh-adv"))
    for q, like, chans, forbid in tf.NEGATION:
        item = _as(q, "adv_negation", like, chans, None, (), False)
        if forbid:
            item["expect"]["forbid"] = sorted({*item["expect"].get("forbid", []), *forbid})
        out.append(item)
    out += [_as(q, "adv_period", like, chans, year, marks, oor) for q, like, chans, year, marks, oor in tf.PERIOD]
    span_q, like, years = tf.SPAN
    out.append(_as(span_q, "adv_period", like, (), years[1], (), False))
    out[-1]["expect"]["has"] = list(years)
    for q, chans in tf.INSTRUCTION:
        out.append(_item(q, "adv_instruction", {"channels": list(chans), "forbid_unapproved": True}, "fresh-adv"))
    out += [_as(q, "adv_issue", like, chans, year, marks, oor) for q, like, chans, year, marks, oor in tf.ISSUE]
    return out + [_unknown(q, name, chans, "adv_issue") for q, name, chans in tf.ISSUE_UNKNOWN]


def fresh() -> list[dict[str, Any]]:
    """Generated and hand-written fresh questions, first occurrence of each kept."""
    seen: set[str] = set()
    out = []
    for item in generated() + hand():
        if item["q"] not in seen:
            seen.add(item["q"])
            out.append(item)
    return out
