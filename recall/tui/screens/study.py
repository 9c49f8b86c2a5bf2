"""The study session: explain the card, read the streamed feedback, grade, next card (the help screen's
`STUDY_FLOW` tells the learner how it goes).

The screen holds the session and its phase, and says which keys apply now (`check_action`). Its parts own
their state: the explanation box (the text, its draft, ctrl+j), the feedback pane (the streamed feedback,
a failed grading's ways on), the grade bar, the progress line, the side column (reference, demo). They
tell the screen what happened with messages; the screen tells them what to show.
"""

from __future__ import annotations

import asyncio
import time
from functools import partial
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TextArea

from recall.errors import RecallError
from recall.tui.deck_files import edit_deck_file, reload_card
from recall.tui.navigation import OpenCardForm, ShowSummary
from recall.tui.screens.study_moves import CardMoves, card_subtitle
from recall.tui.screens.study_phases import HINTS, KEYS, STALE_HINT, Phase
from recall.tui.text import plural
from recall.tui.widgets.explanation_box import ExplanationBox
from recall.tui.widgets.feedback_pane import FeedbackPane
from recall.tui.widgets.grade_bar import GradeBar
from recall.tui.widgets.session_progress import SessionProgress
from recall.tui.widgets.study_side import StudySide

if TYPE_CHECKING:
    from recall.grading.base import Verdict
    from recall.store import CardRow
    from recall.study import QueueItem, StudyPlan, StudySession
    from recall.tui.app import RecallApp


class StudyScreen(CardMoves, Screen[None]):
    """Today's session: due reviews, then new cards, then step-7 drills; a summary at the end. The
    submit key (ctrl+j) belongs to the explanation box."""

    app: RecallApp
    BINDINGS = KEYS

    # Under 30 rows the header goes: the progress line says all it would.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    phase: reactive[Phase] = reactive("loading")

    def __init__(self, plan: StudyPlan | None = None) -> None:
        super().__init__(classes="-writing")  # see `show_current`
        self.plan = plan  # one deck or tag, or more than today's queue; None: today's queue
        self.session: StudySession | None = None
        self.item: QueueItem | None = None
        self.card: CardRow | None = None
        self.verdict: Verdict | None = None
        self.shown_at = time.monotonic()
        self.submitted_text = ""  # what the verdict, or the failure, is about

    def compose(self) -> ComposeResult:
        yield Header()
        yield SessionProgress()
        with Horizontal(id="study-body"):
            with Vertical(id="study-main"):
                prompt = Static(id="prompt", classes="panel", markup=False)
                prompt.border_title = "Prompt"
                yield prompt
                self.box = ExplanationBox(self.app.database, id="explanation", classes="panel")
                yield self.box
                self.feedback = FeedbackPane(id="feedback-box", classes="panel")
                yield self.feedback
            yield StudySide(id="side")
        yield GradeBar()
        yield Footer(compact=True)  # room for every key of a demo card at 80 columns

    def on_mount(self) -> None:
        if self.plan is not None and self.plan.label:
            self.sub_title = self.plan.label  # a session of one deck or tag says so in the header
        self.box.focus()  # what is typed while the session loads is kept: the box adds it to the draft
        self.start()

    @work(group="session")
    async def start(self) -> None:
        try:
            await self.app.database.ready()
            from recall.study import EVERYTHING, StudySession  # imported by now, on the store's thread

            self.session = await self.app.database.query(
                StudySession.start, self.app.today, self.app.settings.new_per_day, self.app.now,
                self.app.settings.deck_new_per_day, self.plan or EVERYTHING)
        except RecallError as error:
            self.notify(str(error), title="Cannot start the session", severity="error")
            return
        await self.show_current()

    # -- which keys apply now ----------------------------------------------------------------

    @property
    def editing(self) -> bool:
        return self.focused is not None and self.focused.id == "explanation"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        phase, editing, has_card = self.phase, self.editing, self.card is not None
        settled = phase in ("answering", "graded", "failed")
        allowed = {
            "cancel_grading": phase == "grading",
            "leave_editor": editing and phase != "grading",
            "end_session": not editing and phase != "grading",
            "accept": self.keep_allowed(),
            "grade": settled and has_card and not editing,
            "retry": phase == "failed" and not editing,
            "grade_offline": phase == "failed" and not editing and self.app.settings.grader != "offline",
            "edit_explanation": settled and not editing,
            "reference": has_card and not editing,
            "demo": has_card and not editing and bool(self.card and self.card.demo),
            "undo": settled and not editing and bool(self.session and self.session.history),
            "edit_deck": settled and not editing and bool(self.card and self.card.source),
            "edit_card": settled and not editing and bool(self.card and self.card.source),
            "skip": settled and has_card and not editing,
            "suspend": settled and has_card and not editing,
        }
        return allowed.get(action, True)

    def keep_allowed(self) -> bool | None:
        """enter keeps the suggestion only when the grader is confident of it; on an unconfident verdict
        the key is shown disabled (None) and the learner grades with a digit."""
        if self.phase != "graded" or self.verdict is None or self.editing:
            return False
        return True if self.verdict.confident else None

    def watch_phase(self, phase: Phase) -> None:
        self.query_one(GradeBar).hint = self.hint(phase)
        self.keep_box_in_tab_order()
        self.refresh_bindings()

    def keep_box_in_tab_order(self) -> None:
        """Once the text is submitted, tab and shift+tab skip the box (they go round the feedback and the
        side panels), so a digit pressed after them still grades; i brings the focus back to it."""
        self.box.can_focus = self.phase in ("loading", "answering") or self.editing

    def hint(self, phase: Phase) -> str:
        if phase == "graded" and self.verdict is not None and not self.verdict.confident:
            from recall.grading.base import doubt  # loaded by now: the grader made the verdict

            return HINTS["unsure"].format(doubt=doubt(self.verdict))
        return HINTS[phase]

    @on(events.DescendantFocus)
    @on(events.DescendantBlur)
    def focus_moved(self) -> None:
        self.keep_box_in_tab_order()
        self.refresh_bindings()

    # -- showing a card ----------------------------------------------------------------------

    async def show_current(self) -> None:
        """Show the session's current card (with its draft), or the summary when none is left."""
        assert self.session is not None
        previous_kind = self.item.kind if self.item else None
        self.item = self.session.current
        if self.item is None:
            self.card = None
            self.post_message(ShowSummary(self.session.summary()))
            return
        if self.item.kind == "drill" and previous_kind != "drill":
            self.notify("The day's cards graded below 4 come back once more until they get a 4 (SM-2 step 7).",
                        title="Drill")
        self.card = self.item.card
        self.verdict = None
        self.query_one(StudySide).hide()
        await self.feedback.clear()
        self.query_one(GradeBar).verdict = None
        self.show_card_text()
        await self.box.open_card(self.card.id)
        self.shown_at = time.monotonic()
        self.add_class("-writing")  # the box has most of the room until the feedback comes
        self.phase = "answering"
        self.set_focus(self.box)

    def show_card_text(self) -> None:
        assert self.session is not None and self.card is not None and self.item is not None
        progress = self.query_one(SessionProgress)
        progress.position, progress.kind, progress.deck = self.session.progress, self.item.kind, self.card.deck
        self.query_one("#prompt", Static).update(self.card.prompt)
        self.query_one("#prompt", Static).border_subtitle = card_subtitle(self.card, self.app.settings.leech_lapses)
        self.query_one(StudySide).set_card(self.card)

    @on(TextArea.Changed, "#explanation")
    def explanation_changed(self) -> None:
        """An edit after grading makes the verdict stale."""
        if self.phase in ("graded", "failed") and self.box.text != self.submitted_text:
            self.verdict = None
            self.query_one(GradeBar).verdict = None
            self.phase = "answering"
            self.query_one(GradeBar).hint = STALE_HINT

    # -- grading -----------------------------------------------------------------------------

    @on(ExplanationBox.Submitted)
    def explanation_submitted(self, event: ExplanationBox.Submitted) -> None:
        self.submit(event.text)

    @on(FeedbackPane.Retry)
    def action_retry(self) -> None:
        self.submit(self.box.text)

    @on(FeedbackPane.GradeOffline)
    def action_grade_offline(self) -> None:
        self.submit(self.box.text, "offline")

    def submit(self, text: str, choice: str | None = None) -> None:
        """Grade `text`. It is frozen in the box, and the focus leaves the box at once (not queued), so
        the keys pressed from now on grade instead of typing."""
        self.box.hold()
        self.submitted_text = text
        self.remove_class("-writing")
        self.phase = "grading"
        self.verdict = None
        self.set_focus(self.feedback)
        self.grade_explanation(text, choice)

    @work(exclusive=True, group="grading")
    async def grade_explanation(self, text: str, choice: str | None) -> None:
        """Stream the grader's feedback into the feedback pane; on failure, it offers the ways on."""
        assert self.card is not None
        try:
            await self.box.save_draft()
            verdict = await self.feedback.grade(partial(self.app.grader, choice), self.card.to_card(), text)
        except asyncio.CancelledError:
            self.box.release()
            self.phase = "answering"
            self.set_focus(self.box)
            raise
        self.box.release()
        self.verdict = verdict
        self.query_one(GradeBar).verdict = verdict
        if verdict is not None and not verdict.confident:
            self.query_one(StudySide).toggle_reference(show=True)  # the key points beside the text, to grade by
        self.phase = "failed" if verdict is None else "graded"

    def action_cancel_grading(self) -> None:
        self.workers.cancel_group(self, "grading")

    def on_feedback_pane_self_grade(self) -> None:
        self.set_focus(self.feedback)
        self.notify("Press 0-5 to grade yourself: 0 forgot … 3 hard … 5 easy.")

    # -- committing a grade and moving on ----------------------------------------------------

    def action_accept(self) -> None:
        if self.verdict is not None and self.verdict.confident:
            self.action_grade(self.verdict.suggested_quality)

    def action_grade(self, quality: int) -> None:
        self.phase = "saving"
        self.box.hold()
        self.commit_grade(quality)

    @work(group="session")
    async def commit_grade(self, quality: int) -> None:
        from recall.study import drill_outcome  # loaded by now, on the store's thread

        assert self.session is not None and self.card is not None
        duration_ms = int((time.monotonic() - self.shown_at) * 1000)
        try:
            record = await self.app.database.run(self.session.grade, quality, self.box.text, self.verdict, duration_ms)
        except RecallError as error:
            self.notify(str(error), title="The grade was not saved", severity="error")
            self.box.release()
            self.phase = "graded" if self.verdict else "answering"
            return
        self.box.recorded()
        outcome = (drill_outcome(quality) if record.kind == "drill"
                   else f"next review in {plural(record.interval, 'day')}, {record.due:%a %d %b}")
        self.notify(f"{self.card.id}: grade {quality}, {outcome}.", timeout=4)
        await self.show_current()

    @work(group="session")
    async def action_undo(self) -> None:
        assert self.session is not None
        phase, self.phase = self.phase, "saving"
        self.box.hold()
        await self.box.save_draft()
        try:
            undone = await self.app.database.run(self.session.undo)
        except RecallError as error:  # another recall has reviewed the card since, say
            self.notify(str(error), title="Nothing was undone", severity="error")
            self.box.release()
            self.phase = phase
            return
        if undone is not None:
            self.notify(f"Took back grade {undone.quality} of {undone.card_id}; your explanation is back.", timeout=4)
        await self.show_current()

    def action_end_session(self) -> None:
        self.app.pop_screen()  # the box saves its draft as it unmounts

    def action_edit_explanation(self) -> None:
        self.box.can_focus = True
        self.box.focus()

    def action_leave_editor(self) -> None:
        self.feedback.focus()

    # -- the side column, the deck file -------------------------------------------------------

    def action_reference(self) -> None:
        if self.query_one("#reference").has_focus_within:
            self.feedback.focus()  # before the reference hides: the focus would go nowhere
        self.query_one(StudySide).toggle_reference()

    def action_demo(self) -> None:
        assert self.card is not None and self.card.demo
        self.query_one(StudySide).toggle_demo(self.card.demo)

    async def action_edit_deck(self) -> None:
        """Hand the terminal to $EDITOR on the card's deck file, then reload the decks."""
        assert self.card is not None and self.card.source
        await self.box.save_draft()
        if edit_deck_file(self.app, self.card.source):
            self.show_edited_card(self.card.id)

    async def action_edit_card(self) -> None:
        """The card in a form; once saved, its new text shows here (the explanation box keeps its text)."""
        assert self.card is not None
        await self.box.save_draft()
        self.post_message(OpenCardForm(self.card.id, on_saved=self.show_edited_card))

    @work(group="session")
    async def show_edited_card(self, card_id: str) -> None:
        fresh = await reload_card(self.app, card_id)
        if fresh is not None and self.card is not None and self.card.id == card_id:
            self.card = fresh
            self.show_card_text()
