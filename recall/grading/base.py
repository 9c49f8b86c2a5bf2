"""The grading contract shared by every grader and every front end.

A grader turns (card, explanation) into streamed Markdown feedback plus a `Verdict`. It never turns a
failure into a grade: it raises `GradingError`, whose message is one sentence and a way on.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, Protocol

from recall.deck import Card
from recall.errors import RecallError
from recall.scheduler import Grade

KeyPointStatus = Literal["covered", "partial", "missing"]
TextSink = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class KeyPointResult:
    """A key point's status and the learner's words that show it; on a missing point, evidence is the words
    that state its opposite (the offline check's negation rule), or empty."""

    text: str
    status: KeyPointStatus
    evidence: str = ""


MisconceptionKind = Literal["known", "missing condition", "wrong cause", "other"]


@dataclass(frozen=True)
class Misconception:
    """A wrong statement about the card's concept. `kind`: one of the card's known misconceptions, a claim
    missing its condition ("only for output neurons"), a misattributed cause, or another error."""

    claim: str
    correction: str
    severity: Literal["minor", "serious"] = "minor"
    kind: MisconceptionKind = "other"


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


@dataclass(frozen=True)
class Verdict:
    """A grader's verdict. `confident` says whether the suggestion may be recorded as it is (the learner
    confirming it with one key, or a script recording it without asking): a grader sets it only when its
    own checks agree (Claude: the cross-check of the grade against the model's checklist found nothing;
    offline: `offline.clear_cut`). An unconfident verdict still suggests, but no front end records that
    suggestion without the learner's own grade. `follow_up_question` is a question on the weakest point,
    shown after the verdict and never graded."""

    suggested_quality: int
    key_points: tuple[KeyPointResult, ...]
    feedback: str
    grader: str
    model: str | None = None
    prompt_version: str | None = None
    rationale: str = ""
    misconceptions: tuple[Misconception, ...] = ()
    usage: Usage = field(default_factory=Usage)
    notices: tuple[str, ...] = ()
    confident: bool = False
    follow_up_question: str = ""


class GradingError(RecallError):
    """A grading failure. `str(error)` is the user's sentence; `retryable` says if trying again may help."""

    def __init__(self, message: str, *, retryable: bool = False, kind: str = "error") -> None:
        super().__init__(message)
        self.retryable = retryable
        self.kind = kind


class Grader(Protocol):
    name: str
    model: str | None

    async def grade(self, card: Card, answer: str, on_text: TextSink | None = None) -> Verdict:
        """Grade `answer`; stream the feedback's Markdown into `on_text` as it is produced."""
        ...

    async def aclose(self) -> None:
        """Release connections; the grader is not used afterwards."""
        ...


async def discard_text(_chunk: str) -> None:
    """A sink for callers that only want the verdict."""


def key_point_status_line(result: KeyPointResult) -> str:
    mark = {"covered": "[x]", "partial": "[~]", "missing": "[ ]"}[result.status]
    line = f"- {mark} **{result.status}**: {result.text}"
    if result.evidence:
        said = "you said the opposite" if result.status == "missing" else "you said"
        line += f'  \n  {said}: "{result.evidence}"'
    return line


# What an unconfident verdict's feedback says after the grade (both graders then show the reference answer).
NOT_SURE = ("_Not sure: compare your explanation with the key points and the reference answer, then give your "
            "own grade._")


def doubt(verdict: Verdict) -> str:
    """Why an unconfident verdict asks for the learner's own grade, in a few words for a hint or a prompt."""
    if verdict.grader == "offline":
        return "the offline check is not sure"
    return "the grade and its checklist disagree"


# "I don't know" as people type it, after `plain_phrase`. Only these and a blank answer are decided
# locally: anything else, however short or in whatever script, may be right and goes to the grader.
DONT_KNOW_PHRASES = frozenset({
    "idk", "i dont know", "i do not know", "dont know", "do not know", "i dunno", "dunno", "no idea",
    "i have no idea", "ive no idea", "no clue", "i have no clue", "not sure", "im not sure", "i am not sure",
    "i forgot", "forgot", "i forget", "i dont remember", "i cant remember",
})
APOSTROPHES = "'\u2019\u02bc\u2018`"


def plain_phrase(answer: str) -> str:
    """The answer casefolded, apostrophes dropped and other punctuation turned into spaces, so that
    "I don't know." and "i DONT know!!" read alike."""
    text = unicodedata.normalize("NFKC", answer).casefold()
    text = "".join("" if char in APOSTROPHES else " " if unicodedata.category(char)[0] == "P" else char
                   for char in text)
    return " ".join(text.split())


def is_trivial_answer(answer: str) -> bool:
    """Blank (or only punctuation, such as "?") or a plain "I don't know": graded 0 locally, never sent."""
    phrase = plain_phrase(answer)
    return not phrase or phrase in DONT_KNOW_PHRASES


# The grade bands, by the share of key points covered. `GRADE_RULE` states them for a person (and for the
# model: prompt.py sends it as the rubric); `quality_from_checklist` applies them. Keep the two in step.
PASS_SHARE = Fraction(1, 2)  # a pass (3) needs at least this share of the key points covered
GOOD_SHARE = Fraction(4, 5)  # a 4 needs at least this share

GRADE_RULE = f"""\
Decide the grade from the checklist, in this order. A key point counts as covered only when it is \
stated correctly; a partial point (gestured at, vague, or named without its mechanism) and a missing or \
wrong one do not count. The share is the number of covered points divided by the number of key points.
   a. No key point covered: 0 when none is even partial, else 1. So an explanation whose points are all \
partial is never a pass.
   b. The core: when a key point is marked (core), it carries the mechanism. If it is not covered, the \
grade is at most 2, whatever else is covered. A serious misconception also caps the grade at 2.
   c. Otherwise, by the share covered: under {float(PASS_SHARE):.0%}: 2. From {float(PASS_SHARE):.0%} up to, not \
including, {float(GOOD_SHARE):.0%}: 3. {float(GOOD_SHARE):.0%} or more: 4, and 5 only when every key point is covered \
and there is no misconception at all (a minor slip makes it 4).
For example, with 5 key points the core covered: 2 covered is 40%, a 2; 3 covered is 60%, a 3; 4 covered \
is 80%, a 4; all 5 covered with no slip, a 5."""


def quality_from_checklist(statuses: Sequence[KeyPointStatus], serious_misconceptions: int = 0,
                           minor_misconceptions: int = 0, core: int | None = None) -> int:
    """The SM-2 grade `GRADE_RULE` gives a checklist; `core` is the 1-based number of the card's core key
    point, if it has one. Both graders use it: the offline grader as its grade, Claude's cross-check to
    test the model's grade."""
    if core is not None and not 1 <= core <= len(statuses):
        raise ValueError(f"core is {core}, but there are {len(statuses)} key points")
    covered = sum(status == "covered" for status in statuses)
    if covered == 0:  # a.
        return int(Grade.WRONG) if "partial" in statuses else int(Grade.FORGOT)
    share = Fraction(covered, len(statuses))
    if share >= 1:
        quality = Grade.GOOD if minor_misconceptions else Grade.EASY
    elif share >= GOOD_SHARE:
        quality = Grade.GOOD
    elif share >= PASS_SHARE:
        quality = Grade.HARD
    else:
        quality = Grade.ALMOST
    if serious_misconceptions or (core is not None and statuses[core - 1] != "covered"):  # b.
        quality = min(quality, Grade.ALMOST)
    return int(quality)
