"""Grading a recap: one text that explains several cards at once, corrected as a whole and then mapped
onto the cards it addresses, each with a key-point checklist and a suggested grade.

Claude (`ClaudeRecapGrader`) asks through the card grader's client, streaming, error sentences and
structured output (`ClaudeGrader.ask`), with the prompt of `recap_prompt`; each card's grade is checked
against its own checklist by the card grader's `cross_check`. Offline (`OfflineRecapGrader`), each card is
checked against the whole recap by the offline grader; a card none of whose key points it covers is not
covered, and a grade is suggested only where the offline check is confident: every other grade is the
learner's own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from recall.config import Settings
from recall.deck import Card
from recall.grading.base import (
    Grader,
    KeyPointResult,
    Misconception,
    TextSink,
    Usage,
    discard_text,
    key_point_status_line,
)
from recall.scheduler import Grade

CHARS_PER_TOKEN = 4  # a rough rule for English text, to keep the cards sent within a token budget
RECAP_MIN_MAX_TOKENS = 8192  # a recap's reply (a corrected recap and one judgement a card) is long
OFFLINE_RECAP_NOTICE = ("Offline check: each card is matched by the words of your recap, not their meaning, "
                        "and the grades are yours (a grade is suggested only where the check is sure). Set "
                        "ANTHROPIC_API_KEY for a real correction.")


@dataclass(frozen=True)
class CardAssessment:
    """What a recap says about one card it addresses. `suggested_quality` is None when the grader does not
    suggest one (offline, when not sure); `confident` says if the suggestion may be recorded as it is."""

    card_id: str
    prompt: str
    key_points: tuple[KeyPointResult, ...]
    suggested_quality: int | None
    confident: bool
    rationale: str = ""
    misconceptions: tuple[Misconception, ...] = ()
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecapVerdict:
    """A graded recap: everything streamed (`feedback`), the cards it addresses and those it does not."""

    feedback: str
    assessments: tuple[CardAssessment, ...]
    not_covered: tuple[str, ...]
    grader: str
    model: str | None = None
    prompt_version: str | None = None
    usage: Usage = field(default_factory=Usage)
    notices: tuple[str, ...] = ()

    def assessment(self, card_id: str) -> CardAssessment:
        return next(a for a in self.assessments if a.card_id == card_id)


def estimated_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def card_tokens(card: Card) -> int:
    """About how many tokens sending `card` with a recap costs (its reference as the prompt lays it out)."""
    from recall.grading.prompt import card_reference

    return estimated_tokens(card_reference(card))


def assessment_section(assessment: CardAssessment) -> str:
    """One card's part of the feedback, in Markdown: its checklist, misconceptions and suggested grade."""
    lines = [f"### {assessment.card_id}: {assessment.prompt}", *map(key_point_status_line, assessment.key_points)]
    lines += [f"- *misconception ({m.severity})*: {m.claim}  \n  correction: {m.correction}"
              for m in assessment.misconceptions]
    if assessment.rationale:
        lines.append(f"\n**Why:** {assessment.rationale}")
    lines.append("")
    lines.append(grade_line(assessment))
    lines += [f"\n> **Check:** {notice}" for notice in assessment.notices]
    return "\n".join(lines)


def grade_line(assessment: CardAssessment) -> str:
    if assessment.suggested_quality is None:
        return "**Your grade** (no suggestion: the check is not sure)"
    outcome = "a pass" if Grade(assessment.suggested_quality).passes else "a fail"
    sure = "" if assessment.confident else ", not sure: check it"
    return f"**Suggested grade: {assessment.suggested_quality}** ({outcome}{sure})"


def mapping_section(assessments: Sequence[CardAssessment], not_covered: Sequence[Card]) -> str:
    """The part streamed after the correction: each addressed card, then the cards not covered."""
    parts = ["\n\n---\n", *(assessment_section(a) + "\n" for a in assessments)]
    if not assessments:
        parts.append("Your recap addresses none of the cards sent.\n")
    if not_covered:
        parts.append("### Not covered (no grade)\n" + "".join(f"- {card.id}: {card.prompt}\n" for card in not_covered))
    return "\n".join(parts)


class ClaudeRecapGrader:
    """Grades a recap with the card grader's Claude client (`recall.grading.claude.ClaudeGrader`)."""

    name = "claude"

    def __init__(self, claude) -> None:  # noqa: ANN001 - a ClaudeGrader, imported lazily
        self.claude = claude
        self.model = claude.model

    async def grade(self, cards: Sequence[Card], recap: str, on_text: TextSink | None = None) -> RecapVerdict:
        from recall.grading.claude import ExplanationStream, cross_check, key_point_results, message_usage
        from recall.grading.recap_prompt import RECAP_PROMPT_VERSION, RecapReply

        explanation = ExplanationStream(on_text or discard_text)
        message = await self.claude.ask(lambda by_tool: self._request(cards, recap, by_tool), explanation)
        reply = self.claude.read_reply(message, RecapReply)
        judged = {judgement.card: judgement for judgement in reply.cards if 1 <= judgement.card <= len(cards)}
        assessments = []
        for number, judgement in sorted(judged.items()):
            card = cards[number - 1]
            key_points = key_point_results(card.key_points, judgement)
            misconceptions = tuple(Misconception(m.claim, m.correction, m.severity, m.kind)
                                   for m in judgement.misconceptions)
            notices = cross_check(judgement.grade, key_points, misconceptions, card.core)
            assessments.append(CardAssessment(card.id, card.prompt, key_points, judgement.grade, not notices,
                                              judgement.rationale, misconceptions, notices))
        not_covered = [card for number, card in enumerate(cards, start=1) if number not in judged]
        final_chunk = explanation.remainder(reply.corrected_explanation) + mapping_section(assessments, not_covered)
        await explanation.sink(final_chunk)
        return RecapVerdict(explanation.shown + final_chunk, tuple(assessments), tuple(c.id for c in not_covered),
                            self.name, self.model, RECAP_PROMPT_VERSION, message_usage(message))

    def _request(self, cards: Sequence[Card], recap: str, by_tool: bool) -> dict:
        from recall.grading.recap_prompt import RecapReply, recap_messages, recap_system_blocks

        return self.claude.structured_request(
            recap_system_blocks(cards), recap_messages(recap), RecapReply, by_tool,
            "Record the corrected recap and the grade of each card it addresses.",
            max(self.claude.max_tokens, RECAP_MIN_MAX_TOKENS))

    async def aclose(self) -> None:
        await self.claude.aclose()


class OfflineRecapGrader:
    """Matches the recap to each card with the offline grader (no network, no key)."""

    name = "offline"
    model = None

    def __init__(self, offline: Grader) -> None:
        self.offline = offline

    async def grade(self, cards: Sequence[Card], recap: str, on_text: TextSink | None = None) -> RecapVerdict:
        sink = on_text or discard_text
        assessments, not_covered = [], []
        for card in cards:
            verdict = await self.offline.grade(card, recap)
            if not any(point.status == "covered" for point in verdict.key_points):
                not_covered.append(card)
                continue
            suggested = verdict.suggested_quality if verdict.confident else None
            assessments.append(CardAssessment(card.id, card.prompt, verdict.key_points, suggested, verdict.confident,
                                              verdict.rationale))
        feedback = f"_{OFFLINE_RECAP_NOTICE}_" + mapping_section(assessments, not_covered)
        await sink(feedback)
        return RecapVerdict(feedback, tuple(assessments), tuple(card.id for card in not_covered), self.name,
                            notices=(OFFLINE_RECAP_NOTICE,))

    async def aclose(self) -> None:
        await self.offline.aclose()


def recap_grader_for(grader: Grader) -> ClaudeRecapGrader | OfflineRecapGrader:
    """The recap grader that works through the card grader `make_grader` chose."""
    return OfflineRecapGrader(grader) if grader.name == "offline" else ClaudeRecapGrader(grader)


async def grade_recap(settings: Settings, cards: Sequence[Card], recap: str, on_text: TextSink | None = None,
                      choice: str | None = None) -> RecapVerdict:
    """Grade a recap against `cards`; under `auto`, a Claude failure falls back to the offline check (see
    `with_fallback`). An explicit `claude` choice lets the `GradingError` propagate."""
    from recall.grading import with_fallback

    return await with_fallback(settings, lambda grader, sink: recap_grader_for(grader).grade(cards, recap, sink),
                               on_text, choice)
