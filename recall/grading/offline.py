"""The offline grader: no network, no key. Key-point coverage by IDF-weighted stem overlap.

For each key point we find the window of one or two consecutive sentences of the explanation that
covers the largest IDF-weighted share of the key point's word stems. The IDF comes from the card's own
text (prompt, answer sentences, key points), so words every key point shares ("neuron") count for little
and the distinctive ones ("saturat", "deriv") count for a lot. It measures vocabulary, not
understanding: it cannot see a wrong claim made with the right words, and says so in its feedback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from recall.deck import Card
from recall.grading.base import (
    KeyPointResult,
    KeyPointStatus,
    TextSink,
    Verdict,
    discard_text,
    is_trivial_answer,
    key_point_status_line,
    quality_from_checklist,
)

COVERED_AT = 0.5
PARTIAL_AT = 0.25
OFFLINE_NOTICE = ("Offline check: coverage of the key points is estimated from the words you used, not "
                  "from their meaning. Set ANTHROPIC_API_KEY for a real correction.")

STOPWORDS = frozenset("""
a an the and or but if then than that this these those is are was were be been being it its it's of to in
on at by for from with as into onto about over under up down out so such not no nor too very can could would
should will shall may might must do does did done has have had having i you he she we they them their our
your my me us what which who whom whose when where why how all any each every some more most other same own
just only also both either neither there here because while during before after above below between through
again further once s t d ll re ve m one thing things get gets got make makes made use used uses using
""".split())
# Words a learner uses interchangeably with the key points' words, mapped to one canonical word so a
# paraphrase is not scored as a miss. Kept small and specific to how people explain this material.
SYNONYMS = {
    "big": "large", "huge": "large", "high": "large", "great": "large", "larger": "large",
    "tiny": "small", "little": "small", "low": "small", "smaller": "small", "negligible": "small",
    "bigger": "large", "close": "near",
    "slope": "derivative", "derivatives": "derivative", "quickly": "fast", "quick": "fast", "faster": "fast",
    "slower": "slow", "mistake": "error", "mistakes": "error", "log": "ln", "squared": "quadratic",
    "rapidly": "fast", "slowly": "slow", "sluggish": "slow", "loss": "cost", "objective": "cost",
    "activation": "output", "activations": "output", "adjust": "update", "change": "update",
    "changes": "update", "step": "update", "steps": "update",
}
# Notation a learner may write instead of the word (sigma'(z), e^z, exp(z)), rewritten before tokenising.
NOTATION = (
    (re.compile(r"(σ|sigma)\s*(′|'|prime)"), " derivative "),
    (re.compile(r"\be\s*\^|\bexp\s*\("), " exponential "),
)
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
SENTENCE_BREAK = re.compile(r"(?<=[.!?;:])\s+|\n+")


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1)
def _stopword_stems() -> frozenset[str]:
    """Stopwords as stems, so an inflected stopword ("others") is dropped like its base form ("other")."""
    return frozenset(_stemmer().stemWords(sorted(STOPWORDS)))


def stems(text: str) -> list[str]:
    """Content-word stems: lowercase words minus stopwords, Snowball-stemmed."""
    text = text.lower()
    for pattern, word in NOTATION:
        text = pattern.sub(word, text)
    words = [SYNONYMS.get(w, w).replace("'", "") for w in WORD.findall(text)]
    kept = _stemmer().stemWords([w for w in words if w not in STOPWORDS and len(w) > 1])
    return [stem for stem in kept if stem not in _stopword_stems()]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_BREAK.split(text) if s and s.strip()]


@dataclass(frozen=True)
class Coverage:
    """How well each key point is covered (0..1) and the explanation's words that best cover it."""

    scores: np.ndarray
    evidence: tuple[str, ...]


def coverage(card: Card, answer: str) -> Coverage:
    documents = [stems(t) for t in (card.prompt, *sentences(card.answer), *card.key_points)]
    vocabulary = sorted({s for doc in documents for s in doc})
    index = {stem: i for i, stem in enumerate(vocabulary)}
    presence = np.zeros((len(documents), len(vocabulary)))
    for row, doc in enumerate(documents):
        presence[row, [index[s] for s in doc]] = 1.0
    idf = np.log((1 + len(documents)) / (1 + presence.sum(axis=0))) + 1.0

    key_rows = presence[-len(card.key_points):] * idf            # (points, vocabulary), IDF-weighted
    answer_sentences = sentences(answer) or [answer]
    windows = answer_sentences + [f"{a} {b}" for a, b in zip(answer_sentences, answer_sentences[1:])]
    window_hits = np.zeros((len(windows), len(vocabulary)))
    for row, window in enumerate(windows):
        known = [index[s] for s in stems(window) if s in index]
        window_hits[row, known] = 1.0
    recall = (key_rows @ window_hits.T) / np.maximum(key_rows.sum(axis=1, keepdims=True), 1e-12)
    best = recall.argmax(axis=1)
    scores = recall[np.arange(len(card.key_points)), best]
    evidence = tuple(windows[b] if s >= PARTIAL_AT else "" for b, s in zip(best, scores))
    return Coverage(scores, evidence)


def status_for(score: float) -> KeyPointStatus:
    if score >= COVERED_AT:
        return "covered"
    return "partial" if score >= PARTIAL_AT else "missing"


def suggest_quality(statuses: list[KeyPointStatus], scores: np.ndarray) -> int:
    """The checklist grade, with a 5 only when every point is matched strongly: without meaning, a
    merely adequate match earns a 4."""
    quality = quality_from_checklist(statuses)
    if quality == 5 and float(scores.mean()) < 0.8:
        quality = 4
    return quality


class OfflineGrader:
    name = "offline"
    model = None

    async def grade(self, card: Card, answer: str, on_text: TextSink | None = None) -> Verdict:
        on_text = on_text or discard_text
        if is_trivial_answer(answer):
            results = tuple(KeyPointResult(p, "missing") for p in card.key_points)
            quality, rationale = 0, "Nothing to grade: a blank answer or \"I don't know\"."
        else:
            found = coverage(card, answer)
            results = tuple(KeyPointResult(p, status_for(s), e)
                            for p, s, e in zip(card.key_points, found.scores, found.evidence))
            quality = suggest_quality([r.status for r in results], found.scores)
            rationale = (f"{sum(r.status == 'covered' for r in results)} of {len(results)} key points "
                         f"covered, {sum(r.status == 'partial' for r in results)} partly.")
        feedback = render_feedback(card, results, quality, rationale)
        await on_text(feedback)
        return Verdict(suggested_quality=quality, key_points=results, feedback=feedback, grader=self.name,
                       rationale=rationale, notices=(OFFLINE_NOTICE,))

    async def aclose(self) -> None:
        """Nothing to release: the offline grader holds no connection."""


def render_feedback(card: Card, results: tuple[KeyPointResult, ...], quality: int, rationale: str) -> str:
    lines = [f"_{OFFLINE_NOTICE}_", "", "### Key points", *map(key_point_status_line, results), "",
             f"**Suggested grade: {quality}** ({rationale})", "", "### Reference answer", "", card.answer.strip()]
    return "\n".join(lines) + "\n"
