"""The recap screen: explain a chapter in one text, read it corrected, confirm a grade for every card it
covers, and record them (by `recall.recap`'s rule: a recap never pushes a card later).

The recap is typed in the explanation box, which keeps it as a draft under the scope's key (`recap:deck
NAME`) as it is typed, so a quit or a crash loses none of it. ctrl+j submits; the correction streams in
as Markdown, then the cards the recap addresses fill the grades table, each with the sure suggestion (or
no grade, "?", when the grader is not sure). A digit changes the highlighted card's grade; enter records
them all, in a worker on the store's thread.
"""

from __future__ import annotations

import asyncio
from importlib import import_module
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, Static

from recall.errors import RecallError
from recall.tui.widgets.explanation_box import ExplanationBox
from recall.tui.widgets.recap_grades import RecapGrades

if TYPE_CHECKING:
    from recall.grading.recap import RecapVerdict
    from recall.recap import RecapScope
    from recall.store import Store
    from recall.tui.app import RecallApp

GRADE_GROUP = Binding.Group("Grade", compact=True)
CANCELLED = "_Grading cancelled. Your recap is kept: ctrl+j to submit it again._"
PHASES_AFTER_SUBMIT = frozenset({"grading", "failed", "grades", "recording", "done"})


class RecapScreen(Screen[None]):
    """A recap of `deck`'s cards (every card's when None)."""

    app: RecallApp
    BINDINGS = [
        Binding("enter", "record", "Record all", id="recap.record",
                tooltip="Record every card's grade as the table shows it"),
        *(Binding(str(quality), f"grade({quality})", f"Grade {quality}", id=f"recap.grade_{quality}",
                  group=GRADE_GROUP, tooltip=f"Give the highlighted card grade {quality}") for quality in range(6)),
        Binding("escape", "cancel_grading", "Cancel", id="recap.cancel",
                tooltip="Stop the grading request; your recap stays"),
        Binding("escape", "leave_box", "Leave box", id="recap.leave_box",
                tooltip="Leave the recap box (it is kept as a draft)"),
        Binding("t", "retry", "Retry", id="recap.retry", tooltip="Ask the grader again"),
        Binding("o", "grade_offline", "Offline", id="recap.offline",
                tooltip="Match the recap to the cards with the offline check instead"),
        Binding("i", "edit", "Edit", id="recap.edit", tooltip="Back into your recap"),
        Binding("escape", "back", "Dashboard", id="recap.back", tooltip="Back to the dashboard; the draft is kept"),
    ]

    phase: reactive[str] = reactive("loading")

    def __init__(self, deck: str | None = None) -> None:
        super().__init__()
        self.deck = deck
        self.scope: RecapScope | None = None
        self.verdict: RecapVerdict | None = None
        self.submitted_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Choosing the cards…", id="recap-scope", markup=False)
        self.box = ExplanationBox(self.app.database, id="recap-box", classes="panel")
        self.box.border_title = "Your recap of the chapter"
        yield self.box
        with VerticalScroll(id="recap-feedback-box", classes="panel") as feedback:
            feedback.border_title = "Correction"
            yield Markdown(id="recap-feedback")
            yield Static(id="recap-failure", markup=False)
        yield RecapGrades(id="recap-grades", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.box.focus()
        self.load()

    def watch_phase(self, phase: str) -> None:
        self.set_class(phase in PHASES_AFTER_SUBMIT, "-submitted")
        self.set_class(phase in ("grades", "recording"), "-grading-done")
        for failure in self.query("#recap-failure"):  # none once the screen is being taken down
            failure.display = phase == "failed"
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        phase = self.phase
        if action in ("grade", "record"):
            return phase == "grades"
        if action == "cancel_grading":
            return phase == "grading"
        if action == "leave_box":
            return phase == "writing" and self.box.has_focus
        if action in ("retry", "grade_offline"):
            return phase == "failed"
        if action == "edit":
            return phase in ("failed", "grades") or (phase == "writing" and not self.box.has_focus)
        if action == "back":
            return phase in ("loading", "failed", "grades", "done") or (phase == "writing" and not self.box.has_focus)
        return True

    @work(group="recap-load")
    async def load(self) -> None:
        """The cards within the budget (named, and those left out), then the recap's draft."""
        try:
            await self.app.database.ready()
            self.scope = await self.app.database.query(scope_of, self.deck)
        except RecallError as error:
            self.query_one("#recap-scope", Static).update(f"{error}. esc: back")
            return
        self.sub_title = f"Recap of {self.scope.label}"
        self.query_one("#recap-scope", Static).update(scope_line(self.scope))
        await self.box.open_card(self.scope.draft_key)
        self.phase = "writing"

    @on(ExplanationBox.Submitted)
    async def submitted(self, event: ExplanationBox.Submitted) -> None:
        if not event.text.strip():
            self.notify("Write your recap first: what the chapter's ideas are and why they hold.")
            self.box.release()
            return
        self.submitted_text = event.text
        await self.box.save_draft()  # kept until the grades are recorded, whatever happens
        self.grade()

    @work(exclusive=True, group="recap-grading")
    async def grade(self, choice: str | None = None) -> None:
        """Stream the correction into the pane, then fill the grades table with the cards it addresses."""
        from recall.recap import grades_to_record

        assert self.scope is not None
        self.phase = "grading"
        feedback = self.query_one("#recap-feedback-box", VerticalScroll)
        markdown = self.query_one("#recap-feedback", Markdown)
        await markdown.update("")
        feedback.anchor()
        stream = Markdown.get_stream(markdown)
        try:
            await self.app.grader(choice)  # builds the grader and imports the SDK off the UI thread
            await asyncio.to_thread(import_module, "recall.grading.recap_prompt")
            from recall.grading.recap import grade_recap

            verdict = await grade_recap(self.app.settings, [card.to_card() for card in self.scope.sent],
                                        self.submitted_text, stream.write, choice)
        except asyncio.CancelledError:
            await stream.stop()
            await markdown.update(CANCELLED)
            self.box.release()
            self.phase = "writing"
            raise
        except RecallError as error:  # a GradingError: the grader's own sentence
            await stream.stop()
            self.query_one("#recap-failure", Static).update(
                f"Grading failed: {error}\nt: retry · o: grade offline · i: edit your recap (it is kept)")
            self.phase = "failed"
            return
        await stream.stop()
        feedback.anchor(False)
        self.verdict = verdict
        grades, _unsure = grades_to_record(verdict.assessments, {})
        table = self.query_one(RecapGrades)
        table.show(verdict.assessments, grades)
        self.phase = "grades"
        table.focus()
        # the correction from its top, once the grades table has taken its room
        self.call_after_refresh(feedback.scroll_home, animate=False, force=True)

    def action_cancel_grading(self) -> None:
        self.workers.cancel_group(self, "recap-grading")

    def action_leave_box(self) -> None:
        self.query_one("#recap-feedback-box").focus()
        self.refresh_bindings()

    def action_retry(self) -> None:
        self.grade()

    def action_grade_offline(self) -> None:
        self.grade("offline")

    def action_edit(self) -> None:
        self.box.release()
        self.box.focus()
        self.phase = "writing"

    def action_back(self) -> None:
        self.dismiss()

    def action_grade(self, quality: int) -> None:
        self.query_one(RecapGrades).set_grade(quality)

    def action_record(self) -> None:
        table = self.query_one(RecapGrades)
        missing = table.missing()
        if missing:
            self.notify(f"Give {', '.join(missing)} a grade first (0-5): the grader is not sure of it.",
                        title="Your grade decides")
            return
        if not table.grades:
            self.notify("The recap addresses none of these cards, so there is nothing to record.")
            return
        self.record({card_id: quality for card_id, quality in table.grades.items() if quality is not None})

    @work(exclusive=True, group="recap-record")
    async def record(self, grades: dict[str, int]) -> None:
        """Commit every card's entry on the store's thread, then say what each became."""
        from recall.recap import entry_effect, record_recap

        self.phase = "recording"
        try:
            records = await self.app.database.query(record_recap, self.scope, self.submitted_text, self.verdict,
                                                    grades, self.app.today, self.app.now())
        except RecallError as error:
            self.notify(str(error), title="Not recorded", severity="error")
            self.phase = "grades"
            return
        self.box.recorded()
        self.query_one("#recap-scope", Static).update(
            "Recorded. esc: back\n" + "\n".join(entry_effect(record) for record in records))
        self.phase = "done"


def scope_of(store: Store, deck: str | None) -> RecapScope:
    """`recap_scope`, imported on the store's thread (with pydantic and the prompt) rather than the UI's."""
    from recall.recap import recap_scope

    return recap_scope(store, deck)


def scope_line(scope: RecapScope) -> str:
    line = f"{len(scope.sent)} cards of {scope.label} are sent."
    if scope.left_out:
        line += (f" Left out to stay within {scope.budget} tokens: "
                 + ", ".join(card.id for card in scope.left_out) + ".")
    return line
