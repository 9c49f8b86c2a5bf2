"""The study session: explain the card, read the streamed feedback, grade, next card.

`STUDY_FLOW` tells the learner how it goes (the help screen shows it); the keys are in `BINDINGS`,
enabled by `check_action` for the session's phase and for where the focus is.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Markdown, Static, TextArea

from recall.grading.base import GradingError, Verdict
from recall.collection import sync_decks
from recall.study import drill_outcome
from recall.tui.database import DatabaseError
from recall.tui.text import plural
from recall.tui.widgets.demo_panel import DemoPanel
from recall.tui.widgets.grade_bar import GRADE_MEANINGS, GradeBar
from recall.tui.widgets.grading_failure import GradingFailure
from recall.tui.widgets.session_progress import SessionProgress

if TYPE_CHECKING:
    from recall.store import CardRow, Store
    from recall.study import QueueItem, StudySession
    from recall.tui.app import RecallApp

STUDY_FLOW = """\
1. The card's prompt shows and the explanation box has the focus: explain the concept in your own words.
   What you type is saved as a draft as you go, and comes back if you quit and reopen recall.
2. **ctrl+j** submits. The focus leaves the box, so the keys below grade instead of typing. The feedback
   streams in, then the key points (covered, partial, missing) and the suggested grade.
3. **enter** keeps the suggested grade, **0-5** gives another (0 forgot, 1 wrong, 2 almost, 3 hard,
   4 good, 5 easy; below 3 the card starts over). The review is saved and the next card shows.
4. Not sure? **r** shows the reference answer, **d** runs the card's NumPy demo beside the session.
   **u** takes back the last grade, **s** skips the card, **e** opens its deck file in your editor.
5. **esc** leaves the box without submitting (then **0-5** grades yourself), cancels a grading request
   that is running (your text stays), and from outside the box goes back to the dashboard.
6. If grading fails, the grader's message shows with three ways on: **t** retry, **o** grade offline,
   **0-5** grade yourself. Your text stays.
7. After the due and new cards, the cards you graded below 4 come back once more (SM-2 step 7) until
   they get a 4; these drills do not change the schedule. Then a summary shows when each card comes back.
"""
AUTOSAVE_DELAY_S = 0.5
Phase = Literal["loading", "answering", "grading", "graded", "failed", "saving"]
GRADE_GROUP = Binding.Group("Grade", compact=True)
HINTS = {  # tests/test_reliability.py waits for "0-5: your grade" once the feedback is in
    "loading": "",
    "answering": "ctrl+j: submit · esc: leave the box, then 0-5: grade it yourself",
    "grading": "Grading… esc: cancel (your text stays)",
    "graded": "enter: keep the suggested grade · 0-5: your grade · i: edit, ctrl+j: regrade",
    "failed": "t: retry · o: grade offline · 0-5: your grade · i: edit",
    "saving": "Saving…",
}


def start_session(store: Store, today: date, new_per_day: int,
                  clock: Callable[[], datetime] | None) -> StudySession:
    """Today's session; its reviews are stamped by `clock` (the app's, in tests) or the real one."""
    from recall.clock import utc_now
    from recall.study import StudySession

    return StudySession.start(store, today, new_per_day, clock or utc_now)


def editor_command() -> list[str] | None:
    """The user's editor from $VISUAL or $EDITOR (which may carry arguments, e.g. `code -w`)."""
    for variable in ("VISUAL", "EDITOR"):
        if os.environ.get(variable, "").strip():
            return shlex.split(os.environ[variable])
    return None


class StudyScreen(Screen[None]):
    """Today's session: due reviews, then new cards, then step-7 drills; a summary at the end."""

    app: RecallApp
    BINDINGS = [
        Binding("enter", "accept", "Keep grade", id="study.accept", tooltip="Keep the suggested grade"),
        *(Binding(str(quality), f"grade({quality})", f"Grade {quality}: {meaning}", id=f"study.grade_{quality}",
                  group=GRADE_GROUP, tooltip=f"Record grade {quality} ({meaning}) and go to the next card")
          for quality, meaning in enumerate(GRADE_MEANINGS)),
        Binding("ctrl+j", "submit", "Submit", id="study.submit", tooltip="Grade your explanation"),
        Binding("escape", "cancel_grading", "Cancel", id="study.cancel",
                tooltip="Stop the grading request; your text stays"),
        Binding("escape", "leave_editor", "Leave box", id="study.leave_editor",
                tooltip="Leave the explanation box so the keys grade, show and skip"),
        Binding("t", "retry", "Retry", id="study.retry", tooltip="Ask the grader again"),
        Binding("o", "grade_offline", "Offline", id="study.offline",
                tooltip="Grade with the offline key-point check instead"),
        Binding("r", "reference", "Answer", id="study.reference", tooltip="Show or hide the reference answer"),
        Binding("d", "demo", "Demo", id="study.demo", tooltip="Run the card's NumPy demo in a side panel"),
        Binding("s", "skip", "Skip", id="study.skip", tooltip="Leave this card for another session"),
        Binding("u", "undo", "Undo", id="study.undo", tooltip="Take back the last grade of this session"),
        Binding("i", "edit_explanation", "Edit", id="study.edit", tooltip="Back into the explanation box"),
        Binding("e", "edit_deck", "Deck file", id="study.edit_deck", tooltip="Open the card's deck file in $EDITOR"),
        Binding("escape", "end_session", "Dashboard", id="study.end",
                tooltip="Back to the dashboard; graded cards are saved, the rest stay due"),
    ]

    phase: reactive[Phase] = reactive("loading")

    def __init__(self) -> None:
        super().__init__()
        self.session: StudySession | None = None
        self.item: QueueItem | None = None
        self.card: CardRow | None = None
        self.verdict: Verdict | None = None
        self.shown_at = time.monotonic()
        self._autosave: Timer | None = None
        self.explanation = ""  # the explanation box's text, kept here so it can be saved after unmounting
        self._saved_text = ""
        self._submitted_text = ""

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield SessionProgress()
        with Horizontal(id="study-body"):
            with Vertical(id="study-main"):
                prompt = Static(id="prompt", classes="panel", markup=False)
                prompt.border_title = "Prompt"
                yield prompt
                editor = TextArea(id="explanation", soft_wrap=True, show_line_numbers=False,
                                  tab_behavior="focus", classes="panel")
                editor.border_title = "Your explanation"
                editor.border_subtitle = "ctrl+j: submit"
                yield editor
                with VerticalScroll(id="feedback-box", classes="panel") as feedback_box:
                    feedback_box.border_title = "Feedback"
                    yield Markdown(id="feedback")
                    yield GradingFailure(id="failure")
                yield GradeBar()
            with Vertical(id="side"):
                with VerticalScroll(id="reference", classes="panel") as reference:
                    reference.border_title = "Reference answer"
                    yield Markdown(id="reference-text")
                yield DemoPanel(id="demo", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        for hidden in ("#failure", "#side", "#reference", "#demo"):
            self.query_one(hidden).display = False
        self.start()

    @work(group="session")
    async def start(self) -> None:
        self.warm_up_grader()
        try:
            await self.app.database.ready()
            self.session = await self.app.database.query(
                start_session, self.app.today, self.app.settings.new_per_day, self.app.clock)
        except DatabaseError as error:
            self.notify(str(error), title="Cannot start the session", severity="error")
            return
        await self.show_current()

    @work(group="warm-up")
    async def warm_up_grader(self) -> None:
        """Build the grader now (and import anthropic, for Claude) so the first submit is quick."""
        try:
            await self.app.grader()
        except Exception as error:  # reported again, in context, when the learner submits
            self.log.warning(f"could not prepare the grader: {error}")

    # -- which keys apply now ----------------------------------------------------------------

    @property
    def editing(self) -> bool:
        return self.focused is not None and self.focused.id == "explanation"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        phase, editing, has_card = self.phase, self.editing, self.card is not None
        settled = phase in ("answering", "graded", "failed")
        allowed = {
            "submit": settled and has_card and editing,
            "cancel_grading": phase == "grading",
            "leave_editor": editing and phase != "grading",
            "end_session": not editing and phase != "grading",
            "accept": phase == "graded" and self.verdict is not None and not editing,
            "grade": settled and has_card and not editing,
            "retry": phase == "failed" and not editing,
            "grade_offline": phase == "failed" and not editing and self.app.settings.grader != "offline",
            "edit_explanation": settled and not editing,
            "reference": has_card and not editing,
            "demo": has_card and not editing and bool(self.card and self.card.demo),
            "undo": settled and not editing and bool(self.session and self.session.history),
            "edit_deck": settled and not editing and bool(self.card and self.card.source),
            "skip": settled and has_card and not editing,
        }
        return allowed.get(action, True)

    def watch_phase(self, phase: Phase) -> None:
        self.query_one(GradeBar).hint = HINTS[phase]
        self.refresh_bindings()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_descendant_blur(self) -> None:
        self.refresh_bindings()

    # -- showing a card ----------------------------------------------------------------------

    async def show_current(self) -> None:
        """Show the session's current card (with its draft), or the summary when none is left."""
        assert self.session is not None
        previous_kind = self.item.kind if self.item else None
        self.item = self.session.current
        if self.item is None:
            self.finish()
            return
        if self.item.kind == "drill" and previous_kind != "drill":
            self.notify("The day's cards graded below 4 come back once more until they get a 4 (SM-2 step 7).",
                        title="Drill")
        self.card = self.item.card
        self.verdict = None
        self.query_one(DemoPanel).stop()
        for hidden in ("#failure", "#side", "#reference", "#demo"):
            self.query_one(hidden).display = False
        await self.query_one("#feedback", Markdown).update("")
        self.query_one(GradeBar).verdict = None
        self.show_card_text()
        try:
            draft = await self.app.database.query(lambda store, card_id: store.draft(card_id), self.card.id)
        except DatabaseError as error:
            self.notify(str(error), title="Cannot read the draft", severity="error")
            draft = None
        self.load_explanation(draft or "")
        self.shown_at = time.monotonic()
        # Focus first: focusing is queued, and a key pressed once the hint shows must come after it.
        self.query_one("#explanation", TextArea).focus()
        self.phase = "answering"

    def show_card_text(self) -> None:
        assert self.session is not None and self.card is not None and self.item is not None
        progress = self.query_one(SessionProgress)
        progress.position = self.session.progress
        progress.kind = self.item.kind
        progress.deck = self.card.deck
        self.query_one("#prompt", Static).update(self.card.prompt)
        self.query_one("#prompt", Static).border_subtitle = self.card.id
        reference = "\n\n".join([self.card.answer.strip(), "**Key points**",
                                 "\n".join(f"- {point}" for point in self.card.key_points)])
        self.query_one("#reference-text", Markdown).update(reference)

    def load_explanation(self, text: str) -> None:
        editor = self.query_one("#explanation", TextArea)
        editor.load_text(text)
        editor.move_cursor(editor.document.end)
        self._saved_text = self.explanation = text

    def finish(self) -> None:
        from recall.tui.screens.summary import SummaryScreen

        assert self.session is not None
        self.card = None
        self.app.switch_screen(SummaryScreen(self.session.summary()))

    # -- drafts ------------------------------------------------------------------------------

    def read_explanation(self) -> str:
        """The box's text; after the screen has unmounted, the last text read."""
        for editor in self.query("#explanation").results(TextArea):
            self.explanation = editor.text
        return self.explanation

    @on(TextArea.Changed, "#explanation")
    def explanation_changed(self) -> None:
        """Schedule an autosave; an edit after grading makes the verdict stale."""
        text = self.read_explanation()
        if text != self._saved_text:
            if self._autosave is not None:
                self._autosave.stop()
            self._autosave = self.set_timer(AUTOSAVE_DELAY_S, self.save_draft_now)
        if self.phase in ("graded", "failed") and text != self._submitted_text:
            self.verdict = None
            self.query_one(GradeBar).verdict = None
            self.phase = "answering"
            self.query_one(GradeBar).hint = "Changed since grading · ctrl+j: regrade · esc, then 0-5: your grade"

    async def save_draft_now(self) -> None:
        """Write the explanation to the store if it changed since it was last written."""
        self._stop_autosave()
        text = self.read_explanation()
        if self.card is None or text == self._saved_text:
            return
        self._saved_text = text
        try:
            await self.app.database.query(lambda store, card_id: store.save_draft(card_id, text), self.card.id)
        except DatabaseError as error:
            self.notify(str(error), title="Your draft was not saved", severity="error")

    def _stop_autosave(self) -> None:
        """Cancel a pending autosave (also before a grade: it clears the card's draft in the store, and
        a late autosave would bring it back)."""
        if self._autosave is not None:
            self._autosave.stop()
            self._autosave = None

    async def on_unmount(self) -> None:
        """Leaving the session or quitting the app: keep what was typed."""
        await self.save_draft_now()

    # -- grading -----------------------------------------------------------------------------

    def action_submit(self) -> None:
        self.grade_explanation()

    def action_retry(self) -> None:
        self.grade_explanation()

    def action_grade_offline(self) -> None:
        self.grade_explanation("offline")

    @work(exclusive=True, group="grading")
    async def grade_explanation(self, choice: str | None = None) -> None:
        """Stream the grader's feedback into the feedback pane; on failure, offer the ways on."""
        assert self.card is not None
        await self.save_draft_now()
        text = self._submitted_text = self.read_explanation()
        self.phase = "grading"
        self.verdict = None
        self.query_one("#feedback-box").focus()  # out of the box: the keys now grade, not type
        self.query_one(GradingFailure).display = False
        feedback = self.query_one("#feedback", Markdown)
        await feedback.update("")
        self.query_one("#feedback-box", VerticalScroll).anchor()
        stream = Markdown.get_stream(feedback)
        try:
            grader = await self.app.grader(choice)
            self.query_one("#feedback-box").border_title = f"Feedback · {grader.model or grader.name}"
            verdict = await grader.grade(self.card.to_card(), text, stream.write)
        except asyncio.CancelledError:
            await stream.stop()
            await feedback.update("_Grading cancelled. Your text is kept: ctrl+j to submit again._")
            self.phase = "answering"
            self.query_one("#explanation", TextArea).focus()
            raise
        except GradingError as error:
            await stream.stop()
            self.show_failure("Grading failed", str(error), error.retryable)
            return
        except Exception as error:  # a grader bug must not cost the learner their text
            await stream.stop()
            self.show_failure("Grading failed unexpectedly", f"{type(error).__name__}: {error}", True)
            return
        await stream.stop()
        self.verdict = verdict
        self.query_one(GradeBar).verdict = verdict
        self.phase = "graded"
        self._stop_following_the_stream()

    def _stop_following_the_stream(self) -> None:
        """Show the feedback from its top once it is complete: the corrected explanation is what to read
        next, and the grade bar below already shows the grade and the key points. (Also undoes the
        negative offset Textual 8.2 leaves on an anchored container whose content is shorter than it.)"""
        feedback_box = self.query_one("#feedback-box", VerticalScroll)
        feedback_box.anchor(False)
        feedback_box.scroll_home(animate=False, force=True)

    def show_failure(self, title: str, message: str, retryable: bool) -> None:
        """The failure panel below whatever feedback had arrived, scrolled into view, its retry focused."""
        failure = self.query_one(GradingFailure)
        failure.show(title, message, retryable)
        self.phase = "failed"
        self._stop_following_the_stream()
        self.query_one("#retry", Button).focus()  # focusing scrolls the panel into view

    def action_cancel_grading(self) -> None:
        self.workers.cancel_group(self, "grading")

    @on(Button.Pressed, "#retry")
    def retry_pressed(self) -> None:
        self.action_retry()

    @on(Button.Pressed, "#offline")
    def offline_pressed(self) -> None:
        self.action_grade_offline()

    @on(Button.Pressed, "#self-grade")
    def self_grade_pressed(self) -> None:
        self.query_one("#feedback-box").focus()
        self.notify("Press 0-5 to grade yourself: 0 forgot … 3 hard … 5 easy.")

    # -- committing a grade and moving on ----------------------------------------------------

    def action_accept(self) -> None:
        if self.verdict is not None:
            self.action_grade(self.verdict.suggested_quality)

    def action_grade(self, quality: int) -> None:
        self.phase = "saving"
        self.commit_grade(quality)

    @work(group="session")
    async def commit_grade(self, quality: int) -> None:
        assert self.session is not None and self.card is not None
        self._stop_autosave()
        text = self.read_explanation()
        duration_ms = int((time.monotonic() - self.shown_at) * 1000)
        try:
            record = await self.app.database.run(self.session.grade, quality, text, self.verdict, duration_ms)
        except DatabaseError as error:
            self.notify(str(error), title="The grade was not saved", severity="error")
            self.phase = "graded" if self.verdict else "answering"
            return
        if record.kind == "drill":
            outcome = drill_outcome(quality)
        else:
            outcome = f"next review in {plural(record.interval, 'day')}, {record.due:%a %d %b}"
        self.notify(f"{self.card.id}: grade {quality}, {outcome}.", timeout=4)
        await self.show_current()

    @work(group="session")
    async def action_skip(self) -> None:
        assert self.session is not None
        self.phase = "saving"
        await self.save_draft_now()
        await self.app.database.run(self.session.skip)  # no store write: the card just stays due
        self.notify("Skipped: the card stays due for another session.", timeout=3)
        await self.show_current()

    @work(group="session")
    async def action_undo(self) -> None:
        assert self.session is not None
        await self.save_draft_now()
        self.phase = "saving"
        try:
            undone = await self.app.database.run(self.session.undo)
        except (DatabaseError, RuntimeError) as error:
            self.notify(str(error), title="Nothing was undone", severity="error")
            self.phase = "answering"
            return
        if undone is not None:
            self.notify(f"Took back grade {undone.quality} of {undone.card_id}; your explanation is back.",
                        timeout=4)
        await self.show_current()

    def action_end_session(self) -> None:
        self.app.pop_screen()

    def action_edit_explanation(self) -> None:
        self.query_one("#explanation", TextArea).focus()

    def action_leave_editor(self) -> None:
        self.query_one("#feedback-box").focus()

    # -- reference, demo, deck file ----------------------------------------------------------

    def _update_side(self) -> None:
        """The side column shows while the reference or the demo does."""
        self.query_one("#side").display = any(self.query_one(p).display for p in ("#reference", "#demo"))

    def action_reference(self) -> None:
        reference = self.query_one("#reference")
        reference.display = not reference.display
        self._update_side()

    def action_demo(self) -> None:
        assert self.card is not None and self.card.demo
        self.query_one(DemoPanel).toggle(self.card.demo)
        self._update_side()

    async def action_edit_deck(self) -> None:
        """Hand the terminal to $EDITOR on the card's deck file, then reload the decks."""
        assert self.card is not None and self.card.source
        command = editor_command()
        if command is None:
            self.notify(f"Set $EDITOR (or $VISUAL) to edit decks from here. This card is in {self.card.source}.",
                        severity="warning", timeout=10)
            return
        await self.save_draft_now()
        try:
            with self.app.suspend():
                subprocess.run([*command, self.card.source], check=False)
        except SuspendNotSupported:
            self.notify(f"This terminal cannot hand over to an editor; edit {self.card.source} yourself.",
                        severity="warning", timeout=10)
            return
        except OSError as error:
            self.notify(f"Could not start {command[0]}: {error.strerror or error}", severity="error")
            return
        self.reload_card()

    @work(group="session")
    async def reload_card(self) -> None:
        assert self.card is not None
        card_id = self.card.id
        try:
            problems = await self.app.database.query(sync_decks, self.app.settings)
            fresh = await self.app.database.query(lambda store: store.card(card_id))
        except DatabaseError as error:
            self.notify(str(error), title="Cannot reload the decks", severity="error")
            return
        if problems:
            self.notify(f"{problems[0]}\nThe file was skipped until it is fixed; run `recall check`.",
                        title="Deck problem", severity="warning", timeout=15)
        elif fresh is not None and not fresh.retired and self.card is not None and self.card.id == card_id:
            self.card = fresh
            self.show_card_text()
            self.notify("Deck reloaded.", timeout=3)
