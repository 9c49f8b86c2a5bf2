"""The offline grader: no network, no key. Key-point coverage by IDF-weighted stem overlap.

For each key point we find the window of one or two consecutive sentences of the explanation that
covers the largest IDF-weighted share of the key point's word stems. The IDF comes from the card's own
text (prompt, answer sentences, key points), so words every key point shares ("neuron") count for little
and the distinctive ones ("saturat", "deriv") count for a lot. It measures vocabulary, not
understanding: it cannot see a wrong claim made with the right words, and says so in its feedback.

Two kinds of meaning it does see. A negated content word ("no children", "does not change") is a term of
its own, so "a node with children" does not match "a node with no children"; and a window that states a
key point's word with the opposite sense (and not with the same one) does not cover that point at all:
the point is missing, and the words that contradict it are shown. The evidence for a point is the
shortest phrase of the explanation holding every word that matched it.

The grade is `quality_from_checklist` (the rule Claude's rubric states), so the card's core key point
decides a pass and points that are all partial never pass. The verdict is confident only when the
checklist is clear-cut (`clear_cut`); otherwise the learner is asked for their own grade.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from recall.deck import Card
from recall.grading.base import (
    NOT_SURE,
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
STRONG_AT = 0.75  # a key point "covered strongly", for `clear_cut`
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
# Notation a learner may write instead of the word (sigma'(z), e^z, exp(z)), read as that word; then words.
TOKEN = re.compile(r"(?P<derivative>(?:σ|sigma)\s*(?:′|'|prime))|(?P<exponential>\be\s*\^|\bexp\s*\()"
                   r"|(?P<word>[a-z0-9]+(?:'[a-z]+)?)", re.IGNORECASE)
CURLY_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})
SENTENCE_BREAK = re.compile(r"(?<=[.!?;:])\s+|\n+")
# A negator turns the next content word, within NEGATION_REACH words, into its negation ("no children",
# "is not large", "without saturating", "instead of generalising", so that "does not generalise" agrees
# with it); "not only" and "not just" negate nothing.
NEGATORS = frozenset({"no", "not", "never", "without", "none", "nor", "neither", "cannot", "nothing", "instead",
                      "rather"})
NEGATION_REACH = 3
NOT_NEGATING = frozenset({"only", "just"})
NEGATED = "\u00ac"  # ¬, the prefix of a negated stem


@dataclass(frozen=True)
class Token:
    """A content word's stem ("¬child" when negated) and where it stands in the text (with its negator)."""

    stem: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1)
def _stopword_stems() -> frozenset[str]:
    """Stopwords as stems, so an inflected stopword ("others") is dropped like its base form ("other")."""
    return frozenset(_stemmer().stemWords(sorted(STOPWORDS)))


def is_negator(word: str) -> bool:
    return word in NEGATORS or word.endswith("n't") or word in {"dont", "doesnt", "isnt", "arent", "cant",
                                                                 "wont", "didnt", "wasnt", "werent"}


def tokens(text: str) -> list[Token]:
    """The content words of `text` as stems, in order: lowercase words minus stopwords, synonyms made one,
    Snowball-stemmed, a negated word marked with ¬."""
    found: list[tuple[str, int, int]] = []  # (word, start, end) of the content words
    negation_start: int | None = None
    reach = 0
    for match in TOKEN.finditer(text.translate(CURLY_APOSTROPHES)):
        word = match.lastgroup if match.lastgroup != "word" else match.group().lower()
        if is_negator(word):
            negation_start, reach = match.start(), NEGATION_REACH
            continue
        if reach and word in NOT_NEGATING:
            negation_start, reach = None, 0
        word = SYNONYMS.get(word, word).replace("'", "")
        if word not in STOPWORDS and len(word) > 1:
            negated = negation_start is not None and reach > 0
            found.append((NEGATED + word if negated else word, negation_start if negated else match.start(),
                          match.end()))
            negation_start, reach = None, 0
        elif reach:
            reach -= 1
            if not reach:
                negation_start = None
    stemmed = _stemmer().stemWords([word.removeprefix(NEGATED) for word, _, _ in found])
    return [Token(NEGATED + stem if word.startswith(NEGATED) else stem, start, end)
            for stem, (word, start, end) in zip(stemmed, found) if stem not in _stopword_stems()]


def stems(text: str) -> list[str]:
    """Content-word stems (see `tokens`)."""
    return [token.stem for token in tokens(text)]


def opposite(stem: str) -> str:
    return stem.removeprefix(NEGATED) if stem.startswith(NEGATED) else NEGATED + stem


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_BREAK.split(text) if s and s.strip()]


@dataclass(frozen=True)
class Coverage:
    """How well each key point is covered (0..1), the explanation's phrase that best covers it, and whether
    the explanation states it with the opposite sense instead (then its score is 0 and the phrase is the
    one that contradicts it)."""

    scores: np.ndarray
    evidence: tuple[str, ...]
    contradicted: tuple[bool, ...]


def shortest_phrase(window: str, window_tokens: list[Token], wanted: set[str]) -> str:
    """The shortest stretch of `window` that holds a token of every stem in `wanted`."""
    best: tuple[int, int] | None = None
    for first, token in enumerate(window_tokens):
        if token.stem not in wanted:
            continue
        missing = set(wanted)
        for last in range(first, len(window_tokens)):
            missing.discard(window_tokens[last].stem)
            if not missing:
                span = (token.start, window_tokens[last].end)
                if best is None or span[1] - span[0] < best[1] - best[0]:
                    best = span
                break
    return window[best[0]:best[1]] if best else ""


def coverage(card: Card, answer: str) -> Coverage:
    documents = [stems(t) for t in (card.prompt, *sentences(card.answer), *card.key_points)]
    vocabulary = sorted({s for doc in documents for s in doc})
    index = {stem: i for i, stem in enumerate(vocabulary)}
    presence = np.zeros((len(documents), len(vocabulary)))
    for row, doc in enumerate(documents):
        presence[row, [index[s] for s in doc]] = 1.0
    idf = np.log((1 + len(documents)) / (1 + presence.sum(axis=0))) + 1.0

    key_rows = presence[-len(card.key_points):] * idf            # (points, vocabulary), IDF-weighted
    key_stems = [set(doc) for doc in documents[-len(card.key_points):]]
    answer_sentences = sentences(answer) or [answer]
    windows = answer_sentences + [f"{a} {b}" for a, b in zip(answer_sentences, answer_sentences[1:])]
    window_tokens = [tokens(window) for window in windows]
    window_stems = [{token.stem for token in found} for found in window_tokens]
    window_hits = np.zeros((len(windows), len(vocabulary)))
    for row, found in enumerate(window_stems):
        window_hits[row, [index[s] for s in found if s in index]] = 1.0
    recall = (key_rows @ window_hits.T) / np.maximum(key_rows.sum(axis=1, keepdims=True), 1e-12)
    # A window that says a key point's word with the opposite sense, and not with the same, contradicts it.
    opposed = [[{opposite(s) for s in point if opposite(s) in found and s not in found} for found in window_stems]
               for point in key_stems]
    contradicts = np.array([[bool(against) for against in row] for row in opposed])
    scores = np.where(contradicts, 0.0, recall)
    best = scores.argmax(axis=1)
    evidence, contradicted = [], []
    for point, window in enumerate(best):
        score = scores[point, window]
        strongest_contradiction = int(np.where(contradicts[point], recall[point], -1.0).argmax())
        if score < PARTIAL_AT and contradicts[point, strongest_contradiction]:
            window = strongest_contradiction
            wanted = (key_stems[point] & window_stems[window]) | opposed[point][window]
            contradicted.append(True)
        else:
            wanted = key_stems[point] & window_stems[window] if score >= PARTIAL_AT else set()
            contradicted.append(False)
        evidence.append(shortest_phrase(windows[window], window_tokens[window], wanted))
    return Coverage(scores[np.arange(len(card.key_points)), best], tuple(evidence), tuple(contradicted))


def status_for(score: float) -> KeyPointStatus:
    if score >= COVERED_AT:
        return "covered"
    return "partial" if score >= PARTIAL_AT else "missing"


def suggest_quality(statuses: list[KeyPointStatus], scores: np.ndarray, core: int | None = None) -> int:
    """The checklist grade, with a 5 only when every point is matched strongly: without meaning, a
    merely adequate match earns a 4."""
    quality = quality_from_checklist(statuses, core=core)
    if quality == 5 and float(scores.mean()) < 0.8:
        quality = 4
    return quality


def clear_cut(scores: Sequence[float], contradicted: Sequence[bool]) -> bool:
    """The offline check's confidence rule: its grade may be kept without the learner's own digit only
    when the checklist is clear-cut, that is when every key point is covered strongly (at least STRONG_AT
    of its weighted words) and none is contradicted, or when no word of any key point appears at all.
    (A blank or "I don't know" answer is clear-cut too; the grader decides that before any matching.)
    Anything in between, a partial point, a bare pass or a near miss, is for the learner to judge."""
    if any(contradicted):
        return False
    return all(score >= STRONG_AT for score in scores) or all(score == 0 for score in scores)


class OfflineGrader:
    name = "offline"
    model = None

    async def grade(self, card: Card, answer: str, on_text: TextSink | None = None) -> Verdict:
        on_text = on_text or discard_text
        if is_trivial_answer(answer):
            results = tuple(KeyPointResult(p, "missing") for p in card.key_points)
            quality, confident = 0, True
            rationale = "Nothing to grade: a blank answer or \"I don't know\"."
        else:
            found = coverage(card, answer)
            results = tuple(KeyPointResult(p, status_for(s), e)
                            for p, s, e in zip(card.key_points, found.scores, found.evidence))
            quality = suggest_quality([r.status for r in results], found.scores, card.core)
            confident = clear_cut([float(s) for s in found.scores], found.contradicted)
            rationale = checklist_rationale(card, results, sum(found.contradicted))
        feedback = render_feedback(card, results, quality, rationale, confident)
        await on_text(feedback)
        return Verdict(suggested_quality=quality, key_points=results, feedback=feedback, grader=self.name,
                       rationale=rationale, notices=(OFFLINE_NOTICE,), confident=confident)

    async def aclose(self) -> None:
        """Nothing to release: the offline grader holds no connection."""


def checklist_rationale(card: Card, results: tuple[KeyPointResult, ...], contradicted: int) -> str:
    covered = sum(r.status == "covered" for r in results)
    text = f"{covered} of {len(results)} key points covered, {sum(r.status == 'partial' for r in results)} partly"
    if contradicted:
        text += f", {contradicted} stated with the opposite sense"
    if card.core is not None and results[card.core - 1].status != "covered":
        text += f"; the core point ({card.core}) is not covered, so it cannot pass"
    return text + "."


def render_feedback(card: Card, results: tuple[KeyPointResult, ...], quality: int, rationale: str,
                    confident: bool) -> str:
    grade_line = f"**Suggested grade: {quality}** ({rationale})"
    lines = [f"_{OFFLINE_NOTICE}_", "", "### Key points", *map(key_point_status_line, results), "", grade_line,
             *(() if confident else ("", NOT_SURE)), "", "### Reference answer", "", card.answer.strip()]
    return "\n".join(lines) + "\n"
