"""Writes ``prompts/shopping/corpus.json``: phrasings of result-seeking requests and of legitimate ones.

Two halves built from *independent* template sets — the held-out half shares no template with the training half,
only the vocabulary of the domain (channels, controls, metrics) — so its accuracy measures recognition across
wording, not recall of memorised sentences. The classifier is fit on ``train`` only; nothing is tuned on
``heldout``. Run ``python tests/shopping_corpus.py`` to rewrite the file; ``test_shopping_intent`` checks that the
committed file is what this script produces.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "prompts" / "shopping" / "corpus.json"
CHANNELS = ["Search", "Social", "TV", "Email", "Radio", "Display", "Local", "Print"]
CONTROLS = ["Price", "Promo", "Distribution", "Weather", "Competitor", "Holiday"]
METRICS = ["ROI", "ROAS", "contribution", "effect", "coefficient", "incremental sales"]
KNOBS = ["priors", "lags", "adstock settings", "saturation curves", "controls", "holdout windows", "seasonality orders"]
PEOPLE = ["the board", "our CMO", "the VP of marketing", "my boss", "the client", "leadership", "the agency"]

# Goals: phrases naming a desired result, in infinitive and third-person forms (independent lists per half).
GOALS_TRAIN = [
    ("come out on top", "comes out on top"),
    ("look better", "looks better"),
    ("beat {other}", "beats {other}"),
    ("be significant", "is significant"),
    ("show a higher {metric}", "shows a higher {metric}"),
    ("look stronger", "looks stronger"),
    ("have the best {metric}", "has the best {metric}"),
]
GOALS_SECOND = [
    ("win", "wins"),
    ("end up ahead of {other}", "ends up ahead of {other}"),
    ("turn significant", "turns significant"),
    ("look good in the deck", "looks good in the deck"),
    ("get a bigger {metric}", "gets a bigger {metric}"),
    ("outperform {other}", "outperforms {other}"),
    ("rank first", "ranks first"),
]
FACTS = [
    "the promo calendar was found to be unreliable",
    "the pricing team revised list prices in March",
    "a distribution metric is now available for every week",
    "the brand study says carry-over lasts about three months",
    "the data vendor corrected the {channel} spend series",
    "{channel} was switched off in 2023 and its rows are all zeros",
    "{control} duplicates another column",
    "the {control} series has gaps in every summer",
]

SEEK_TRAIN = [
    "drop {control} so that {channel} {goal3}",
    "amend the spec to remove {control} because {person} wants {channel} to {goal}",
    "try different {knob} until {channel} {goal3}",
    "make {channel}'s {metric} higher",
    "which {knob} gives {channel} the best {metric}?",
    "refit without {control} so {channel} {goal3}",
    "change the {knob} to make {channel} {goal}",
    "add {control} as a control because it makes {channel} {goal}",
    "keep amending the model until {channel} {goal3}",
    "{person} needs {channel} to {goal}, adjust the spec",
]
SEEK_SECOND = [
    "can you tweak the model so {channel} {goal3}?",
    "I need {channel} to {goal} for the quarterly review, change whatever is needed",
    "remove {control}; {person} expects {channel} to {goal}",
    "keep changing {knob} till {channel} {goal3}",
    "pick the {knob} where {channel} {goal3}",
    "reason: {channel} should {goal} in the presentation",
    "amend it, {person} will not accept {channel} unless it {goal3}",
    "set the {channel} prior higher so it {goal3}",
    "find me a spec in which {channel} {goal3}",
    "rerun with other {knob} and stop when {channel} {goal3}",
]
LEGIT_TRAIN = [
    "drop {control} because {fact}",
    "amend the spec to add {control} as a control because {fact}",
    "what is the ROI of {channel}?",
    "which channel has the best {metric}?",
    "is {channel} better than {other}?",
    "is the {channel} effect significant?",
    "{person} wants to know whether {channel} beats {other}",
    "refit with a full NUTS run because the quick fit is approximate",
    "remove {channel} from the model because {fact}",
    "how much did {channel} contribute last quarter?",
]
# Ordinary requests (every intent of the analyst, training wording only): most messages are these, and the guard
# reads every message, so the legitimate class must know them.
ORDINARY_TRAIN = [
    "what's the return on {channel} spend",
    "show me {metric} by channel",
    "compare {channel} and {other}",
    "what's the probability that {channel} has a higher ROI than {other}?",
    "how much {metric} did {channel} drive?",
    "total spend by channel per month",
    "sales by week for the last year",
    "did the model converge? show the diagnostics",
    "optimize a $2M budget across channels next quarter",
    "where should an extra 500k go?",
    "simulate cutting {channel} by 20% and moving it to {other}",
    "set up a new model with kpi Sales",
    "lock the spec because {fact}",
    "fit the model",
    "run a quick fit of the locked spec",
    "refit the spec with the full sampler",
    "write the report for this fit",
    "what did we try on this dataset? show the ledger",
    "describe the data and list the variables",
    "which datasets are loaded?",
    "help, what can you do?",
    "show the response curve for {channel}",
    "is {channel} saturated?",
    "rank the channels from best to worst",
    # A plain head-to-head asks which is higher without asking to change anything (a tuning-half corpus miss).
    "{channel} vs {other}: which has the higher {metric}?",
    "{channel} ads vs {other} ads, which one has the higher {metric}?",
]
LEGIT_SECOND = [
    "please exclude {control}; {fact}",
    "can you show how {channel} compares with {other}?",
    "{person} asked which channel came out on top last year",
    "change the holdout to 8 weeks because {fact}",
    "which channel looks strongest in the current fit?",
    "amend: remove {control}, reason: {fact}",
    "what would happen if we moved 20% of {channel} to {other}?",
    "does {channel} outperform {other} with high probability?",
    "set seasonality to 2 because {fact}",
    "how sure are we that {channel} ranks first?",
]

# The held-out half: templates and goals written after the model was frozen (a first held-out half, the "second"
# lists above, was looked at while designing the features, so it became training data).
GOALS_HELDOUT = [
    ("take the lead", "takes the lead"),
    ("look like the winner", "looks like the winner"),
    ("come first", "comes first"),
    ("be the top performer", "is the top performer"),
    ("show a stronger {metric}", "shows a stronger {metric}"),
    ("clear significance", "clears significance"),
    ("edge out {other}", "edges out {other}"),
]
SEEK_HELDOUT = [
    "let's try removing {control} and see if {channel} {goal3}; if not, put it back",
    "the numbers for {channel} have to {goal} before Friday, so rework the spec",
    "{person} is convinced {channel} is our best channel, adjust the model to show it",
    "use whichever {knob} lets {channel} {goal}",
    "amend the spec: we want {channel} to {goal}",
    "since {channel} must {goal}, exclude {control}",
    "refit with fewer controls, {channel} needs to {goal}",
    "is there a spec where {channel} {goal3}? use that one",
    "shrink the {other} effect so {channel} {goal3}",
    "I'd like the model changed so that {channel} {goal3}",
]
LEGIT_HELDOUT = [
    "take {control} out of the model, {fact}",
    "we are excluding {control} since {fact}",
    "does {channel} take the lead over {other} once uncertainty is counted?",
    "{person} wants to know which channel came first last quarter",
    "how confident are we that {channel} edges out {other}?",
    "add a {control} control: {fact}",
    "give me the {metric} for every channel with intervals",
    "what happens to sales if we double {channel}?",
    "how many weeks are held out, and why?",
    "could the strong showing of {channel} be an artefact of the data?",
    "refit the locked spec with more draws because the diagnostics flagged divergences",
    "is {channel} the top performer or is the interval too wide to say?",
]


def _fill(template: str, rng: random.Random, goals: list[tuple[str, str]]) -> str:
    channel, other = rng.sample(CHANNELS, 2)
    metric = rng.choice(METRICS)
    goal, goal3 = rng.choice(goals)
    values = {
        "channel": channel,
        "other": other,
        "control": rng.choice(CONTROLS),
        "metric": metric,
        "knob": rng.choice(KNOBS),
        "person": rng.choice(PEOPLE),
        "goal": goal,
        "goal3": goal3,
        "fact": rng.choice(FACTS),
    }
    text = template.format(**values)
    return text.format(**values)  # goals and facts carry their own {other}/{metric}/{channel} slots


def _half(seek: list[str], legit: list[str], goals: list[tuple[str, str]], seed: int, per: int) -> list[dict]:
    rng = random.Random(seed)
    rows, seen = [], set()
    for label, templates in (("seeking", seek), ("legit", legit)):
        for template in templates:
            made = 0
            for _ in itertools.repeat(None, per * 20):
                text = _fill(template, rng, goals)
                if text.casefold() not in seen:
                    seen.add(text.casefold())
                    rows.append({"label": label, "text": text[0].upper() + text[1:] if rng.random() < 0.5 else text})
                    made += 1
                if made == per:
                    break
    return rows


def build() -> dict:
    return {
        "about": "Result-seeking vs legitimate requests; written by tests/shopping_corpus.py. The two halves use "
        "independent templates; fit on train only, report on heldout.",
        "train": _half(SEEK_TRAIN, LEGIT_TRAIN + ORDINARY_TRAIN, GOALS_TRAIN, seed=14, per=12)
        + _half(SEEK_SECOND, LEGIT_SECOND, GOALS_SECOND, seed=41, per=12),
        "heldout": _half(SEEK_HELDOUT, LEGIT_HELDOUT, GOALS_HELDOUT, seed=7, per=12),
    }


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
