"""A small text classifier for the purpose of a request: does it seek a particular result?

Why a classifier and not only patterns: a regex list recognised 3 of 14 result-seeking phrasings in an adversarial
round ("…because the board wants Search to come out on top" passed). Meaning is carried by many interchangeable
words (come out on top / win / rank first / end up ahead), so the model scores overlapping word and character
n-grams, which generalise to wordings and spellings it has not seen.

The model: TF-IDF over word 1–2-grams and within-word character 3–5-grams (sublinear tf, L2-normalised rows),
then an L2-penalised logistic regression fitted with L-BFGS (scipy). It is fitted on the ``train`` half of
``prompts/shopping/corpus.json`` the first time it is needed (milliseconds; deterministic, no weights file to
drift from its data) and never sees the ``heldout`` half, on which ``tests/test_shopping_intent.py`` measures it.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

from mmm_core.ledger import purpose_cache
from mmm_core.prompts_loader import prompt_text

CORPUS = "shopping/corpus.json"
THRESHOLD = 0.5  # probability of "seeking" at or above which a request is refused (fixed before any held-out run)
_PENALTY = 1.0  # L2 strength on the weights (not the intercept); fixed a priori, not tuned on held-out data
_WORD = re.compile(r"[a-z0-9%$']+")

# Concepts: words that play the same part in a request share a token, so a weight learnt for "come out on top"
# also reaches "win", "rank first" or "outperform". Written from the domain (what a result, a change and a motive
# are), not from the corpus; the model still learns which *combinations* mark a request as result-seeking.
_CONCEPTS = {
    "GOAL": "win wins winning won top ahead lead leads leading first beat beats beating outperform outperforms "
    "outperforming significant significance better best stronger strongest bigger biggest higher highest larger "
    "largest good great nicer nice favourable favorable positive impressive shine shines dominate dominates "
    "wins winner winners edge edges superior standout outshine outshines prevail prevails",
    "CHANGE": "drop remove exclude add include change tweak adjust amend refit rerun re-run set pick choose find try "
    "keep swap modify alter switch rework fiddle play lower raise increase decrease push boost inflate shrink "
    "get rid",
    "MOTIVE": "so until till unless make makes making need needs want wants expect expects should must accept "
    "insist insists demand demands require requires hope love",
    "KNOB": "prior priors lag lags adstock saturation control controls holdout seasonality spec specs model models "
    "specification setting settings window windows curve curves",
    "PERSON": "board cmo boss vp client leadership agency ceo manager stakeholders director management",
    "ASK": "what which how does do is are show compare probability sure whether asked know likely tell",
    "FACT": "because since revised corrected unreliable duplicates gaps available zeros agreed found data vendor "
    "series calendar study",
}
_CONCEPT_OF = {w: c for c, words in _CONCEPTS.items() for w in words.split()}


def features(text: str) -> Counter[str]:
    """Word 1–2-grams and within-word character 3–5-grams of ``text`` (casefolded)."""
    words = _WORD.findall(text.casefold())
    grams: Counter[str] = Counter(f"w:{w}" for w in words)
    grams.update(f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False))
    concepts = [_CONCEPT_OF[w] for w in words if w in _CONCEPT_OF]
    for n in (1, 2, 3):
        grams.update("k:" + " ".join(concepts[i : i + n]) for i in range(max(len(concepts) - n + 1, 0)))
    grams.update(f"s:{c}" for c in set(concepts))  # which kinds of word occur at all, whatever their order
    for w in words:
        padded = f" {w} "
        for n in (3, 4, 5):
            grams.update(f"c:{padded[i : i + n]}" for i in range(max(len(padded) - n + 1, 0)))
    return grams


@dataclass(frozen=True)
class PurposeModel:
    vocab: dict[str, int]
    idf: np.ndarray
    weights: np.ndarray
    bias: float

    def vectors(self, texts: list[str]) -> sparse.csr_matrix:
        return _tfidf(texts, self.vocab, self.idf)

    def scores(self, texts: list[str]) -> np.ndarray:
        """Probability that each text seeks a particular result."""
        z = self.vectors(texts) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def score(self, text: str) -> float:
        return float(self.scores([text or ""])[0])


def _tfidf(texts: list[str], vocab: dict[str, int], idf: np.ndarray) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for i, text in enumerate(texts):
        for gram, count in features(text).items():
            j = vocab.get(gram)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append((1.0 + math.log(count)) * idf[j])
    m = sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(vocab)))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ m


def fit(texts: list[str], labels: list[int], penalty: float = _PENALTY) -> PurposeModel:
    """Fit the model on ``texts`` with labels 1 = seeking a result, 0 = legitimate."""
    doc_freq: Counter[str] = Counter()
    for text in texts:
        doc_freq.update(set(features(text)))
    vocab = {g: j for j, g in enumerate(sorted(doc_freq))}
    n = len(texts)
    idf = np.array([math.log((1 + n) / (1 + doc_freq[g])) + 1.0 for g in sorted(doc_freq)])
    x = _tfidf(texts, vocab, idf)
    y = np.asarray(labels, dtype=float)
    # Balanced class weights: the score should not lean towards whichever class the corpus happens to hold more of.
    share = y.mean() if n else 0.5
    cw = np.where(y == 1, 0.5 / max(share, 1e-9), 0.5 / max(1 - share, 1e-9))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-1], theta[-1]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        # log(1 + e^z) - y z, written stably
        nll = float(np.sum(cw * (np.logaddexp(0.0, z) - y * z))) + 0.5 * penalty * float(w @ w)
        g = cw * (p - y)
        return nll, np.concatenate([x.T @ g + penalty * w, [g.sum()]])

    from scipy.optimize import minimize  # lazy: 0.16 s of import, needed only when no cached fit exists

    start = np.zeros(len(vocab) + 1)
    res = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return PurposeModel(vocab, idf, res.x[:-1], float(res.x[-1]))


def corpus() -> dict[str, list[dict[str, str]]]:
    """The phrase corpus: ``{"train": [{"label", "text"}…], "heldout": […]}``."""
    return json.loads(prompt_text(CORPUS))


@lru_cache(maxsize=1)
def model() -> PurposeModel:
    """The model fitted on the training half of the corpus: once per process, and read from the on-disk cache
    (keyed by the corpus and this module's code) when an earlier process already fitted the same thing."""
    text = prompt_text(CORPUS)
    key = purpose_cache.cache_key(text, sys.modules[__name__], _PENALTY)
    cached = purpose_cache.load(key)
    if cached is not None:
        vocab, idf, weights, bias = cached
        return PurposeModel({g: j for j, g in enumerate(vocab)}, idf, weights, bias)
    rows = json.loads(text)["train"]
    fitted = fit([r["text"] for r in rows], [int(r["label"] == "seeking") for r in rows])
    purpose_cache.save(key, sorted(fitted.vocab, key=fitted.vocab.__getitem__), fitted.idf, fitted.weights, fitted.bias)
    return fitted


def names_a_result(text: str) -> bool:
    """Whether ``text`` contains a word that can name a desired result at all (win, top, significant, better…).
    A request without one ("refit", "make me a one-pager") cannot be result-seeking, however it scores."""
    return any(_CONCEPT_OF.get(w) == "GOAL" for w in _WORD.findall((text or "").casefold()))


def seeking_score(text: str) -> float:
    """Probability (0–1) that ``text`` asks to change or pick a model in order to obtain a particular result."""
    return model().score(text)
