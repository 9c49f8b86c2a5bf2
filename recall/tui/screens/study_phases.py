"""The study session's phases, its keys, and what the hint line under the feedback says in each.

The study screen decides which keys apply in a phase (its `check_action`); this is the text the learner
reads about them.
"""

from __future__ import annotations

from typing import Literal

from textual.binding import Binding

from recall.scheduler import Grade

Phase = Literal["loading", "answering", "grading", "graded", "failed", "saving"]
HINTS = {  # tests/test_reliability.py waits for "0-5: your grade" once the feedback is in
    "loading": "",
    "answering": "ctrl+j: submit · esc: leave the box, then 0-5: grade it yourself",
    "grading": "Grading… esc: cancel (your text stays)",
    "graded": "enter: keep the suggested grade · 0-5: your grade · i: edit, ctrl+j: regrade",
    "unsure": "0-5: your grade ({doubt}) · i: edit, ctrl+j: regrade",  # enter keeps nothing: it is disabled
    "failed": "t: retry · o: grade offline · 0-5: your grade · i: edit",
    "saving": "Saving…",
}
STALE_HINT = "Changed since grading · ctrl+j: regrade · esc, then 0-5: your grade"

KEYS = [
    # enter and 0-5 stay out of the footer: the grade bar shows them (and the footer needs the room).
    Binding("enter", "accept", "Keep grade", id="study.accept", tooltip="Keep the suggested grade", show=False),
    *(Binding(str(int(grade)), f"grade({int(grade)})", f"Grade {int(grade)}: {grade.meaning}",
              id=f"study.grade_{int(grade)}", show=False,
              tooltip=f"Record grade {int(grade)} ({grade.meaning}) and go to the next card")
      for grade in Grade),
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
    Binding("x", "suspend", "Suspend", id="study.suspend", show=False, tooltip="No session asks this card again"),
    Binding("u", "undo", "Undo", id="study.undo", tooltip="Take back the last grade of this session"),
    Binding("i", "edit_explanation", "Edit", id="study.edit", tooltip="Back into the explanation box"),
    Binding("e", "edit_deck", "Deck file", id="study.edit_deck", tooltip="Open the card's deck file in $EDITOR"),
    Binding("E", "edit_card", "Edit card", id="study.edit_card", show=False, tooltip="Edit the card in a form"),
    Binding("escape", "end_session", "Back", id="study.end",
            tooltip="Back to the dashboard; graded cards are saved, the rest stay due"),
]
