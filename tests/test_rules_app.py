"""Rule: a verdict is about the text that was graded. Editing the explanation after grading makes the
suggestion stale: enter must not record it for the new text, and a grade given afterwards carries no
suggestion. Driven with Textual's Pilot as tests/tui drives the study screen (offline grader, pinned day
and clock, waits on conditions with a generous ceiling)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from itertools import count
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import TextArea

from recall.config import Settings
from recall.store import Store
from recall.tui.app import RecallApp

CEILING_S = 30.0
TODAY = date(2026, 11, 28)
MORNING = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
# The card's own key points, word for word: the offline grader is sure of a 5.
EXPLANATION = ("The derivative of the sigmoid is tiny when z is large in magnitude. "
               "A tiny derivative makes the weight updates tiny, so learning is slow.")


def ticking_clock() -> Callable[[], datetime]:
    ticks = count()
    return lambda: MORNING + timedelta(seconds=next(ticks))


async def wait_until(pilot: Pilot, condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + CEILING_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {CEILING_S} s waiting for {what}")
        await pilot.pause(0.02)


async def test_editing_the_explanation_after_grading_leaves_no_stale_grade_to_record(tmp_path: Path,
                                                                                    small_deck: Path) -> None:
    settings = Settings(db_path=tmp_path / "recall.db", card_paths=(small_deck,),
                        config_path=tmp_path / "config.toml", grader="offline")
    app = RecallApp(settings, start="study", today=TODAY, clock=ticking_clock())
    async with app.run_test(size=(100, 36)) as pilot:
        await wait_until(pilot, lambda: getattr(app.screen, "phase", None) == "answering"
                         and getattr(app.screen, "card", None) is not None, "the first card")
        screen = app.screen
        assert screen.card.id == "nn.saturation"
        screen.query_one("#explanation", TextArea).insert(EXPLANATION)
        await pilot.press("ctrl+j")
        await wait_until(pilot, lambda: screen.phase == "graded", "the verdict")
        assert screen.verdict.suggested_quality == 5

        await pilot.press("i")  # back into the box: the new text says the opposite
        await wait_until(pilot, lambda: screen.editing, "the box to have the focus")
        await pilot.press(*" Not really.")
        await pilot.press("escape", "enter")  # leave the box; enter would keep the suggested 5
        await pilot.press("1")  # the learner's own grade, the one that must be recorded
        with Store(settings.db_path) as store:
            await wait_until(pilot, lambda: store.review_count() > 0, "a review to be recorded")
            reviews = store.reviews_for_card("nn.saturation")
            assert store.review_count() == 1, "enter recorded the stale suggestion for the edited text"
    [review] = reviews
    assert review["answer"] == EXPLANATION + " Not really."
    assert (review["quality"], review["suggested_quality"], review["grader"]) == (1, None, "self")
