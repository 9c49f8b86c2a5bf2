"""The study session's phases, and what the hint line under the feedback says in each.

The study screen decides which keys apply in a phase (its `check_action`); this is the text the learner
reads about them.
"""

from __future__ import annotations

from typing import Literal

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
