"""Choosing a grader, and the `auto` policy: Claude when a key is set, offline otherwise or on failure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

from recall.config import Settings
from recall.deck import Card
from recall.grading.base import Grader, GradingError, TextSink, Verdict, discard_text

Outcome = TypeVar("Outcome", bound=Any)  # a dataclass with `notices`: a Verdict, a RecapVerdict


def make_grader(settings: Settings, choice: str | None = None) -> Grader:
    """The grader for `choice` (default: the settings'); `auto` means Claude only when a key is set."""
    choice = choice or settings.grader
    if choice == "offline" or (choice == "auto" and not settings.has_api_key):
        from recall.grading.offline import OfflineGrader  # lazy: numpy, off the startup path

        return OfflineGrader()
    from recall.grading.claude import ClaudeGrader  # lazy: keeps anthropic off the startup path

    return ClaudeGrader(settings.model, settings.api_key, settings.base_url, settings.max_tokens,
                        timeout=settings.timeout)


async def grade_with_fallback(settings: Settings, card: Card, answer: str, on_text: TextSink | None = None,
                              choice: str | None = None) -> Verdict:
    """Grade; under `auto`, a Claude failure is told to the user and the offline grader takes over.
    With an explicit `claude` choice the `GradingError` propagates (the caller exits non-zero)."""
    return await with_fallback(settings, lambda grader, sink: grader.grade(card, answer, sink), on_text, choice)


async def with_fallback(settings: Settings, use: Callable[[Grader, TextSink], Awaitable[Outcome]],
                        on_text: TextSink | None = None, choice: str | None = None) -> Outcome:
    """`use(grader, on_text)` with the chosen grader; under `auto`, when Claude fails, the failure is told
    and `use` runs again with the offline grader, its outcome's `notices` led by that sentence."""
    on_text = on_text or discard_text
    choice = choice or settings.grader
    grader = make_grader(settings, choice)
    try:
        return await use(grader, on_text)
    except GradingError as error:
        if choice != "auto" or grader.name == "offline":
            raise
        notice = f"Graded offline because Claude could not grade: {error}"
        await on_text(f"\n\n> {notice}\n\n")
        outcome = await use(make_grader(settings, "offline"), on_text)
        return replace(outcome, notices=(notice, *outcome.notices))
    finally:
        await grader.aclose()
