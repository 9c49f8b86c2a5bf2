"""The feedback pane: a grading as the learner sees it. The grader's feedback streams in as Markdown;
when grading fails, the grader's own sentence shows with the three ways on.

The screen hands it a grading to show (`grade`) and decides what follows: the failure panel's buttons
come back up as `Retry`, `GradeOffline` and `SelfGrade` messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Markdown

from recall.errors import RecallError
from recall.tui.checklist import ChecklistStream
from recall.tui.widgets.grading_failure import GradingFailure

if TYPE_CHECKING:
    from textual.widgets.markdown import MarkdownStream

    from recall.deck import Card
    from recall.grading.base import Grader, Verdict

SCROLL_HINT = "more below · ↓ pgdn: scroll"
CANCELLED = "_Grading cancelled. Your text is kept: ctrl+j to submit again._"


class FeedbackPane(VerticalScroll):
    """`grader` names who is grading, in the pane's title (empty: just "Feedback")."""

    class Retry(Message):
        """Ask the same grader again."""

    class GradeOffline(Message):
        """Grade with the offline key-point check instead."""

    class SelfGrade(Message):
        """The learner will grade themselves (0-5)."""

    grader: reactive[str] = reactive("")

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self._stream: MarkdownStream | None = None
        self._checklist = ChecklistStream()

    def compose(self) -> ComposeResult:
        yield Markdown(id="feedback")
        yield GradingFailure(id="failure")

    def on_mount(self) -> None:
        self.query_one(GradingFailure).display = False

    def watch_grader(self, grader: str) -> None:
        self.border_title = f"Feedback · {grader}" if grader else "Feedback"

    @property
    def markdown(self) -> Markdown:
        return self.query_one("#feedback", Markdown)

    async def clear(self) -> None:
        """Empty, for a new card."""
        await self._stop_stream()
        self.query_one(GradingFailure).display = False
        await self.markdown.update("")

    async def grade(self, grader: Callable[[], Awaitable[Grader]], card: Card, explanation: str) -> Verdict | None:
        """Stream the grading of `explanation` by `grader()` into the pane: the verdict, or None once the
        failure is shown (its retry button focused). Cancelling it says so in the pane."""
        await self.clear()
        self.anchor()  # follow the end of the text as it streams in
        self._stream = Markdown.get_stream(self.markdown)
        self._checklist = ChecklistStream()
        try:
            ready = await grader()
            self.grader = ready.model or ready.name
            verdict = await ready.grade(card, explanation, self._write)
            await self._write_shown(self._checklist.flush())
        except asyncio.CancelledError:
            await self._stop_stream()
            await self.markdown.update(CANCELLED)
            raise
        except RecallError as error:  # GradingError: the grader's own sentence
            await self._failed("Grading failed", str(error), getattr(error, "retryable", True))
            return None
        except Exception as error:  # a grader bug must not cost the learner their text
            await self._failed("Grading failed unexpectedly", f"{type(error).__name__}: {error}", True)
            return None
        await self._stop_stream()
        self._stop_following()
        return verdict

    async def _write(self, chunk: str) -> None:
        """The grader's text as it streams, its key points as checklist lines."""
        await self._write_shown(self._checklist.feed(chunk))

    async def _write_shown(self, text: str) -> None:
        if text and self._stream is not None:
            await self._stream.write(text)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._show_scroll_hint()

    def on_resize(self) -> None:
        """The pane, or the text in it, changed size."""
        self._show_scroll_hint()

    def watch_virtual_size(self) -> None:
        """The text in the pane grew or shrank: a layout that keeps the pane's size sends no resize. A
        scrollbar that was hidden missed the scroll position's changes, so it is told it again."""
        self.vertical_scrollbar.position = self.scroll_y
        self._show_scroll_hint()

    def _show_scroll_hint(self) -> None:
        """Say in the bottom border that there is more below (the scrollbar alone is easy to miss)."""
        more_below = self.max_scroll_y - round(self.scroll_y) > 0
        self.border_subtitle = SCROLL_HINT if more_below else ""

    async def _failed(self, title: str, message: str, retryable: bool) -> None:
        """The failure panel below whatever feedback had arrived, scrolled into view, its retry focused."""
        await self._stop_stream()
        self.query_one(GradingFailure).show(title, message, retryable)
        self._stop_following()
        self.query_one("#retry", Button).focus()  # focusing scrolls the panel into view

    async def _stop_stream(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            await stream.stop()

    def _stop_following(self) -> None:
        """Show the feedback from its top once it is complete: the corrected explanation is what to read
        next, and the grade bar below already shows the grade and the key points. (Also undoes the
        negative offset Textual 8.2 leaves on an anchored container whose content is shorter than it.)"""
        self.anchor(False)
        self.scroll_home(animate=False, force=True)

    @on(Button.Pressed, "#retry")
    def _retry(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Retry())

    @on(Button.Pressed, "#offline")
    def _offline(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.GradeOffline())

    @on(Button.Pressed, "#self-grade")
    def _self_grade(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.SelfGrade())
