"""The offline grader: no network, no key. Key-point coverage by IDF-weighted stem overlap in a phrase.

Both the key points and the explanation are read the same way (`tokens`): lowercase words, short forms
and their phrases made one ("FIFO" and "first in, first out"), synonyms made one ("huge" is "large"),
an antonym read as the negation of its partner ("small" is "not large"), stopwords dropped,
Snowball-stemmed, a negated word marked ("no children" is ¬child, so it does not match "children").
A misspelt word one letter away from a word of the card is read as that word.

Each key point is then looked for in the explanation as a phrase: the short stretch of text (a few
words more than the point has) holding the largest IDF-weighted share of the point's stems. The IDF
comes from the card's own text, so words every key point shares ("neuron") count for little and the
distinctive ones ("saturat") count for a lot. A phrase that states a point's word with the opposite
sense (and not with the same) contradicts the point: it is missing, and the phrase is shown.

The grade is `quality_from_checklist` (the rule Claude's rubric states), so the card's core key point
decides a pass and points that are all partial never pass. It measures vocabulary, not understanding,
and says so in its feedback. The verdict is confident only when the checklist is clear-cut (`clear_cut`);
otherwise the learner is asked for their own grade.
"""

from __future__ import annotations

import asyncio
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
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

# A key point is covered when a phrase holds COVERED_AT of its weighted words, or, for a long point, the
# weight of COVERED_WORDS of its words (a learner states a twelve-word point in fewer words); partial from
# PARTIAL_AT. Tuned on the dev half of the public set and checked on the labelled set (README).
COVERED_AT = 0.4
COVERED_WORDS = 4.0
COVERED_WORDS_AT = 0.25  # ...and at least this share
PARTIAL_AT = 0.1
STRONG_AT = 0.75  # a key point "covered strongly", for `clear_cut` and for a 5
# What an unconfident verdict suggests (`expected_grade`): the grade a person would be expected to give for
# the same evidence, which depends on what the card's key points are.
# - A card that names its core point was written for grading: each key point is something a tutor asks for.
#   On the labelled set the human mean by checklist grade 0..5 was 1.0, 2.1, 2.1, 2.4, 4.3, 5.0, so the
#   checklist grade stands, but for an unsure 0 (raised to 1: on both sets it meant more than nothing), and an
#   unsure 2 from an explanation that names under OFF_QUESTION_SHARE of the prompt's words leans 1: a scatter
#   of the subject's words that never names what was asked is mostly an explanation of something else.
# - A card without a core point has key points cut from its answer's clauses (an imported note, a public
#   data set's reference answer): a learner states its gist in fewer or other words, and how the answer was
#   cut into points says little. On the dev half of the public set (README, "Grading offline") humans gave
#   3.1 on average to answers using under CLAUSE_CARD_LEAN's first share of the reference answer's weighted
#   words (`share_of_answer_used`), 4.1 up to its second and 4.7 above (3.0 to those sharing no word at
#   all): the lean is 3, 4, 5 by those shares, and sharing no word with such a card is not clear-cut.
UNSURE_EXPECTED_GRADE = (1, 1, 2, 3, 4, 5)
OFF_QUESTION_SHARE = 0.2
CLAUSE_CARD_LEAN = (3, (0.1, 0.4))  # the lowest lean, and the shares of the answer used that add one each
OFFLINE_NOTICE = ("Offline check: coverage of the key points is estimated from the words you used, not "
                  "from their meaning. Set ANTHROPIC_API_KEY for a real correction.")

STOPWORDS = frozenset("""
a an the and or but if then than that this these those is are was were be been being it its it's of to in
on at by for from with as into onto about over under up down out so such not no nor too very can could would
should will shall may might must do does did done has have had having i you he she we they them their our
your my me us what which who whom whose when where why how all any each every some more most other same own
just only also both either neither there here because while during before after above below between through
again further once s t d ll re ve m one thing things get gets got make makes made use used uses using
basically like really just pretty thats its whats theres
""".split())

# Words people use interchangeably, each group read as its first word (by stem, so "bigger" and "biggest"
# follow "big"). General vocabulary and the common terms of computing and machine learning; nothing here
# is specific to one deck.
SYNONYM_GROUPS = (
    ("large", "big", "huge", "high", "higher", "great", "larger", "bigger", "enormous", "massive", "giant"),
    ("fast", "quick", "quickly", "rapid", "rapidly", "faster", "speedy", "swift"),
    ("begin", "start", "commence"),
    ("end", "finish", "terminate"),
    ("error", "mistake"),
    ("change", "update", "adjust", "modify", "alter", "tweak", "nudge"),
    ("derivative", "slope", "deriv"),
    ("gradient", "grad"),
    ("cost", "loss", "objective"),
    ("output", "activation"),
    ("ln", "log", "logarithm"),
    ("create", "build", "construct"),
    ("store", "hold", "save"),
    ("show", "display"),
    ("remove", "delete", "drop", "eliminate", "discard"),
    ("many", "lots", "numerous", "multiple"),
    ("neuron", "unit", "node"),
    ("network", "net"),
    ("function", "func", "fn"),
    ("parameter", "param"),
    ("variable", "var"),
    ("information", "info"),
    ("probability", "prob"),
    ("average", "avg"),
    ("equation", "eqn", "formula"),
    ("number", "num"),
    ("multiply", "product"),
    ("correct", "right"),
    ("increase", "grow", "rise", "raise"),
    ("forward", "forwards"),
    ("maximum", "max", "largest", "biggest"),
)
# Words read as the negation of a group's first word: "small" is "not large", so "the slope is small"
# matches "the slope is not large" and contradicts "the slope is large".
ANTONYMS = {
    "large": ("small", "tiny", "little", "low", "lower", "smaller", "negligible", "minuscule"),
    "fast": ("slow", "slowly", "slower", "sluggish"),
    "correct": ("wrong", "incorrect"),
    "increase": ("decrease", "shrink", "reduce", "fall"),
    "forward": ("backward", "backwards"),
    "positive": ("negative",),
    "continuous": ("discontinuous",),
    "deep": ("shallow",),
    "maximum": ("minimum", "min", "smallest"),
    "many": ("few",),
}
NEGATED = "\u00ac"  # ¬, the prefix of a negated stem


# Short forms and the phrases they stand for (read as the short form, whichever the text uses).
ABBREVIATIONS = {
    "fifo": "first in first out", "lifo": "last in first out", "mse": "mean squared error",
    "sgd": "stochastic gradient descent", "relu": "rectified linear unit", "cnn": "convolutional neural network",
    "oop": "object oriented programming", "adt": "abstract data type",
    "bst": "binary search tree", "cpu": "central processing unit", "ram": "random access memory",
    "api": "application programming interface", "gpu": "graphics processing unit",
    "svm": "support vector machine", "ce": "cross entropy",
}
ABBREVIATION_PHRASE = re.compile(
    r"\b(?:" + "|".join(r"[\s,\-/]+".join(map(re.escape, phrase.split())) + "s?"
                        for phrase in sorted(ABBREVIATIONS.values(), key=len, reverse=True)) + r")\b",
    re.IGNORECASE)
SHORT_FORM = {phrase: short for short, phrase in ABBREVIATIONS.items()}
# Notation a learner may write instead of the word (sigma'(z), dC/da, ∂C/∂z, e^z, exp(z), 1/2, 1/4), read
# as that word; then words.
TOKEN = re.compile(r"(?P<derivative>(?:σ|sigma)\s*(?:′|'|prime)|(?<!\w)[d∂]\w{0,3}\s*/\s*[d∂]\w{1,4}\b)"
                   r"|(?P<exponential>\be\s*\^|\bexp\s*\(|\be\s+to\b)|(?P<half>(?<![\w/])1/2(?![\w/])|\u00bd)"
                   r"|(?P<quarter>(?<![\w/])1/4(?![\w/])|\u00bc)|(?P<word>[a-z0-9]+(?:'[a-z]+)?)", re.IGNORECASE)
SENTENCE_BREAK = re.compile(r"(?<=[.!?;:])\s+|\n+")
CURLY_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})
# A negator turns the next content word, within NEGATION_REACH words, into its negation ("no children",
# "is not large", "without saturating", so that "does not generalise" agrees with "instead of
# generalising"); "not only" and "not just" negate nothing.
NEGATORS = frozenset({"no", "not", "never", "without", "none", "nor", "neither", "cannot", "nothing", "instead",
                      "rather"})
NEGATION_REACH = 3
NOT_NEGATING = frozenset({"only", "just"})
# A negator straight before one of these negates a verb left out ("improves on the training data but not
# on new data"), not the next word, so it negates nothing.
ELLIPTICAL = frozenset({"on", "in", "at", "for", "to", "with", "by", "from"})
# How much longer than the key point (in content words) a phrase may be to count as stating it.
PHRASE_SLACK = 4
MIN_FUZZY_LENGTH = 5  # shorter words must be spelt right to match
MIN_PREFIX = 4  # a derived form must share at least this many letters with the card's word


@dataclass(frozen=True)
class Token:
    """A content word's stem ("¬child" when negated) and where it stands in the text (with its negator)."""

    stem: str
    start: int
    end: int
    sentence: int = 0  # which sentence of the text it stands in (0-based)


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem_of(word: str) -> str:
    """A word's Snowball stem, remembered: the stemmer is pure Python and the same words recur."""
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stopword_stems() -> frozenset[str]:
    """Stopwords as stems, so an inflected stopword ("others") is dropped like its base form ("other")."""
    return frozenset(_stemmer().stemWords(sorted(STOPWORDS)))


def is_negator(word: str) -> bool:
    return word in NEGATORS or word.endswith("n't") or word in {"dont", "doesnt", "isnt", "arent", "cant",
                                                                 "wont", "didnt", "wasnt", "werent"}


def with_short_forms(text: str) -> str:
    """`text` with every phrase of ABBREVIATIONS replaced by its short form, keeping the text's length
    (padded with spaces) so that token positions still point into the original."""

    def short(match: re.Match) -> str:
        phrase = " ".join(re.split(r"[\s,\-/]+", match.group().lower()))
        form = SHORT_FORM.get(phrase, SHORT_FORM.get(phrase.removesuffix("s"), ""))
        return form.ljust(len(match.group())) if form else match.group()

    return ABBREVIATION_PHRASE.sub(short, text.translate(CURLY_APOSTROPHES))


@lru_cache(maxsize=1)
def _stem_table() -> dict[str, str]:
    """SYNONYM_GROUPS and ANTONYMS by stem: a synonym's stem to its group's, an antonym's to ¬ that."""
    stem = _stemmer().stemWord
    table = {stem(word): stem(group[0]) for group in SYNONYM_GROUPS for word in group[1:]}
    table.update({stem(word): NEGATED + stem(opposed) for opposed, words in ANTONYMS.items() for word in words})
    return table


def canonical(stem: str) -> tuple[str, bool]:
    """The stem a stem is read as, and whether it reads as a negation (an antonym)."""
    read = _stem_table().get(stem, stem)
    return read.removeprefix(NEGATED), read.startswith(NEGATED)


def tokens(text: str) -> list[Token]:
    """The content words of `text` as stems, in order: lowercase words minus stopwords, short forms,
    synonyms and antonyms made one, Snowball-stemmed, a negated word marked with ¬."""
    found: list[tuple[str, bool, int, int]] = []  # (word, negated, start, end) of the content words
    negation_start: int | None = None
    reach = 0
    for match in TOKEN.finditer(with_short_forms(text)):
        word = match.lastgroup if match.lastgroup != "word" else match.group().lower()
        if is_negator(word):
            negation_start, reach = match.start(), NEGATION_REACH
            continue
        if reach == NEGATION_REACH and word in NOT_NEGATING | ELLIPTICAL:
            negation_start, reach = None, 0
        word = word.replace("'", "")
        if word not in STOPWORDS and len(word) > 1:
            negated = negation_start is not None and reach > 0
            found.append((word, negated, negation_start if negated else match.start(), match.end()))
            negation_start, reach = None, 0
        elif reach:
            reach -= 1
            if not reach:
                negation_start = None
    read = [canonical(stem_of(word)) for word, _, _, _ in found]
    breaks = [match.end() for match in SENTENCE_BREAK.finditer(text)]
    return [Token(NEGATED + stem if negated != antonym else stem, start, end, bisect_right(breaks, start))
            for (stem, antonym), (_, negated, start, end) in zip(read, found) if stem not in _stopword_stems()]


def stems(text: str) -> list[str]:
    """Content-word stems (see `tokens`)."""
    return [token.stem for token in tokens(text)]


def plain_stems(text: str) -> set[str]:
    """The content-word stems of `text`, a negated one as its plain form: the words it uses, in either
    sense."""
    return {token.stem.removeprefix(NEGATED) for token in tokens(text)}


def opposite(stem: str) -> str:
    return stem.removeprefix(NEGATED) if stem.startswith(NEGATED) else NEGATED + stem


def one_edit_apart(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by one inserted, deleted, replaced or swapped pair of letters."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
    if len(a) < len(b):
        return a[first:] == b[first + 1:]
    swapped = a[first + 1:first + 2] + a[first:first + 1] + a[first + 2:]
    return a[first + 1:] == b[first + 1:] or swapped == b[first:]


def read_as(stem: str, vocabulary: Sequence[str]) -> str:
    """The card's stem an explanation's stem stands for: itself when the card uses it; else the card stem
    of nearest length that begins with it or that it begins with (a derived form: "reus" for "reusabl",
    both of MIN_PREFIX letters or more); else one a misspelling away ("gradiant" for "gradient", words of
    MIN_FUZZY_LENGTH letters or more)."""
    if stem in vocabulary:
        return stem
    if len(stem) >= MIN_PREFIX:
        derived = [known for known in vocabulary if len(known) >= MIN_PREFIX
                   and (known.startswith(stem) or stem.startswith(known))]
        if derived:
            return min(derived, key=lambda known: abs(len(known) - len(stem)))
    if len(stem) < MIN_FUZZY_LENGTH:
        return stem
    return next((known for known in vocabulary if known[:1] == stem[:1] and one_edit_apart(stem, known)), stem)


@dataclass(frozen=True)
class Phrase:
    """The best stretch of the explanation for one key point: its weighted share of the point's stems,
    whether it states the point with the opposite sense instead, and its text."""

    score: float
    contradicted: bool
    text: str


def best_phrase(point: dict[str, float], found: Sequence[Token], answer: str) -> Phrase:
    """The stretch of `found` (at most PHRASE_SLACK tokens longer than the point) holding the largest
    weighted share of `point`'s stems without contradicting it; failing any such share of at least
    PARTIAL_AT, the strongest stretch that contradicts it. A stretch contradicts the point when the
    sentences it stands in state one of the point's words with the opposite sense and not with the same
    ("a leaf is a node with children" against "a leaf is a node with no children")."""
    in_sentence: dict[int, set[str]] = {}
    for token in found:
        in_sentence.setdefault(token.sentence, set()).add(token.stem)
    total = sum(point.values()) or 1.0
    span = len(point) + PHRASE_SLACK
    one_sided = [s for s in point if opposite(s) not in point]  # "large z, tiny slope" has both senses
    best, against = Phrase(0.0, False, ""), Phrase(0.0, True, "")
    for first, token in enumerate(found):
        if token.stem not in point and opposite(token.stem) not in point:
            continue
        seen: set[str] = set()
        for last in range(first, min(first + span, len(found))):
            seen.add(found[last].stem)
            if found[last].stem not in point and opposite(found[last].stem) not in point:
                continue
            share = sum(point[s] for s in seen & point.keys()) / total
            sentences = range(token.sentence, found[last].sentence + 1)
            said = set().union(*(in_sentence.get(n, set()) for n in sentences))
            contradicts = any(opposite(s) in said and s not in said for s in one_sided)
            text = answer[token.start:found[last].end]
            if contradicts and share >= against.score:
                against = Phrase(share, True, text)
            elif not contradicts and share > best.score:
                best = Phrase(share, False, text)
    if best.score < PARTIAL_AT and against.score >= PARTIAL_AT:
        return Phrase(0.0, True, against.text)
    return best if best.score >= PARTIAL_AT else Phrase(best.score, False, "")


@lru_cache(maxsize=256)
def card_weights(card: Card) -> tuple[dict[str, float], list[list[str]]]:
    """IDF over the card's own texts (prompt, answer sentences, key points), by stem (a negated stem
    weighs as its plain form), and each key point's stems; remembered per card, so read them, never
    change them."""
    plain = [plain_stems(text) for text in (card.prompt, *SENTENCE_BREAK.split(card.answer), *card.key_points)
             if text.strip()]
    vocabulary = set().union(*plain)
    idf = {s: float(np.log((1 + len(plain)) / (1 + sum(s in d for d in plain))) + 1.0) for s in vocabulary}
    return idf, [stems(point) for point in card.key_points]


@dataclass(frozen=True)
class Coverage:
    """How well each key point is covered (0..1), the explanation's phrase that best covers it, and whether
    the explanation states it with the opposite sense instead (then its score is 0 and the phrase is the
    one that contradicts it)."""

    scores: np.ndarray
    evidence: tuple[str, ...]
    contradicted: tuple[bool, ...]
    sizes: tuple[int, ...]  # how many stems each key point has


def coverage(card: Card, answer: str) -> Coverage:
    idf, points = card_weights(card)
    vocabulary = sorted(idf)
    found = [replace(t, stem=read_as(t.stem, vocabulary) if not t.stem.startswith(NEGATED)
                     else NEGATED + read_as(t.stem[1:], vocabulary)) for t in tokens(answer)]
    phrases = [best_phrase({s: idf[s.removeprefix(NEGATED)] for s in point}, found, answer) for point in points]
    return Coverage(np.array([p.score for p in phrases]), tuple(p.text for p in phrases),
                    tuple(p.contradicted for p in phrases), tuple(len(set(point)) for point in points))


def status_for(score: float, words: int = 1) -> KeyPointStatus:
    """A key point's status from its best phrase's weighted share `score` of the point's `words` stems."""
    if score >= COVERED_AT or (score * words >= COVERED_WORDS and score >= COVERED_WORDS_AT):
        return "covered"
    return "partial" if score >= PARTIAL_AT else "missing"


def suggest_quality(statuses: list[KeyPointStatus], scores: np.ndarray, core: int | None = None) -> int:
    """The checklist grade, with a 5 only when every point is matched strongly: without meaning, a
    merely adequate match earns a 4."""
    quality = quality_from_checklist(statuses, core=core)
    if quality == 5 and float(scores.mean()) < 0.8:
        quality = 4
    return quality


def reads_as_english(answer: str) -> bool:
    """Whether the answer is written in English, as far as the offline check can tell: at least one word
    in five is an English stopword. An answer in another language shares no word with the key points
    whatever it says, so its zero must not look certain."""
    words = re.findall(r"\w+", answer.translate(CURLY_APOSTROPHES).lower())
    return bool(words) and sum(word in STOPWORDS for word in words) * 5 >= len(words)


def written_for_grading(card: Card) -> bool:
    """Whether the card names its core key point: then its key points were written as what a tutor asks
    for, rather than cut from its answer's clauses (an imported note), and missing words mean more."""
    return card.core is not None


def clear_cut(scores: Sequence[float], contradicted: Sequence[bool], english: bool = True,
              for_grading: bool = True) -> bool:
    """The offline check's confidence rule: its grade may be kept without the learner's own digit only
    when the checklist is clear-cut, that is when every key point is covered strongly (at least STRONG_AT
    of its weighted words) and none is contradicted, or when no word of any key point appears at all in
    an English answer to a card written for grading (`written_for_grading`; on a card whose key points are
    its answer's clauses, such answers were often right in other words). (A blank or "I don't know" answer
    is clear-cut too; the grader decides that before any matching.) Anything in between, a partial point, a
    bare pass or a near miss, is for the learner to judge."""
    if any(contradicted):
        return False
    return (all(score >= STRONG_AT for score in scores)
            or (english and for_grading and all(score == 0 for score in scores)))


def share_of_question_named(card: Card, answer: str) -> float:
    """The share of the prompt's content words (as stems) that the answer uses, in either sense."""
    asked = plain_stems(card.prompt)
    return len(asked & plain_stems(answer)) / len(asked) if asked else 1.0


def share_of_answer_used(card: Card, answer: str) -> float:
    """The IDF-weighted share of the card's answer's content words (as stems, in either sense) that the
    explanation uses, each of its words read as the card's word it stands for (`read_as`)."""
    idf, _ = card_weights(card)
    vocabulary = sorted(idf)
    reference = plain_stems(card.answer)
    used = {read_as(stem, vocabulary) for stem in plain_stems(answer)}
    total = sum(idf[stem] for stem in reference)
    return sum(idf[stem] for stem in reference & used) / total if total else 0.0


def expected_grade(card: Card, rubric_grade: int, answer: str) -> int:
    """The grade an unconfident verdict suggests for a checklist grade of `rubric_grade`: the learner
    always gives their own digit then, so the number is the grade a person would be expected to give
    (see UNSURE_EXPECTED_GRADE), never below the rubric's."""
    if not written_for_grading(card):
        lowest, steps = CLAUSE_CARD_LEAN
        used = share_of_answer_used(card, answer)
        return max(rubric_grade, lowest + sum(used >= step for step in steps))
    if rubric_grade == 2 and share_of_question_named(card, answer) < OFF_QUESTION_SHARE:
        return 1
    return UNSURE_EXPECTED_GRADE[rubric_grade]


def offline_verdict(card: Card, answer: str) -> Verdict:
    """The offline verdict on `answer`: all of the grader's CPU work, kept apart so it can run off the
    event loop."""
    if is_trivial_answer(answer):
        results = tuple(KeyPointResult(p, "missing") for p in card.key_points)
        quality, confident = 0, True
        rationale = "Nothing to grade: a blank answer or \"I don't know\"."
    else:
        found = coverage(card, answer)
        results = tuple(KeyPointResult(p, status_for(s, n), e)
                        for p, s, e, n in zip(card.key_points, found.scores, found.evidence, found.sizes))
        quality = suggest_quality([r.status for r in results], found.scores, card.core)
        confident = clear_cut([float(s) for s in found.scores], found.contradicted, reads_as_english(answer),
                              written_for_grading(card))
        quality = quality if confident else expected_grade(card, quality, answer)
        rationale = checklist_rationale(card, results, sum(found.contradicted))
    feedback = render_feedback(card, results, quality, rationale, confident)
    return Verdict(suggested_quality=quality, key_points=results, feedback=feedback, grader=OfflineGrader.name,
                   rationale=rationale, notices=(OFFLINE_NOTICE,), confident=confident)


class OfflineGrader:
    name = "offline"
    model = None

    async def grade(self, card: Card, answer: str, on_text: TextSink | None = None) -> Verdict:
        """Grade in a worker thread: a long explanation takes a noticeable share of a second of pure
        Python, which must not freeze the app's event loop."""
        verdict = await asyncio.to_thread(offline_verdict, card, answer)
        await (on_text or discard_text)(verdict.feedback)
        return verdict

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
