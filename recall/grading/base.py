"""The grading contract shared by every grader and every front end.

A grader turns (card, explanation) into streamed Markdown feedback plus a `Verdict`. It never turns a
failure into a grade: it raises `GradingError`, whose message is one sentence and a way on.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from recall.deck import Card
from recall.errors import RecallError

KeyPointStatus = Literal["covered", "partial", "missing"]
TextSink = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class KeyPointResult:
    text: str
    status: KeyPointStatus
    evidence: str = ""


@dataclass(frozen=True)
class Misconception:
    claim: str
    correction: str
    severity: Literal["minor", "serious"] = "minor"


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


@dataclass(frozen=True)
class Verdict:
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
        line += f'  \n  you said: "{result.evidence}"'
    return line


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


def quality_from_checklist(statuses: list[KeyPointStatus], serious_misconceptions: int = 0,
                           minor_misconceptions: int = 0) -> int:
    """A rule-based SM-2 grade from the key-point checklist (covered 1, partial 1/2).

    All points -> 4-5, some -> 2-3, none -> 0-1; a serious misconception caps the grade at 2 (a fail).
    """
    if not statuses:
        return 0
    score = sum({"covered": 1.0, "partial": 0.5, "missing": 0.0}[s] for s in statuses) / len(statuses)
    if score >= 0.999:
        quality = 5 if minor_misconceptions == 0 else 4
    elif score >= 0.75:
        quality = 4
    elif score >= 0.5:
        quality = 3
    elif score >= 0.25:
        quality = 2
    elif score > 0:
        quality = 1
    else:
        quality = 0
    if serious_misconceptions:
        quality = min(quality, 2)
    return quality
