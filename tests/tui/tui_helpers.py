"""Helpers for the study app's tests: a pinned day and clock, waiting on the running app, and
recording its notifications."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from itertools import count

from textual.pilot import Pilot

from recall.tui.app import RecallApp

# How long a test waits for something before failing. Generous: the suite must hold on a loaded machine
# (two copies of it at once, a busy CI runner); a condition met sooner ends the wait at once.
CEILING_S = 30.0
TODAY = date(2026, 11, 28)
MORNING = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)


def ticking_clock(start: datetime = MORNING) -> Callable[[], datetime]:
    """A clock that moves one second each time it is read: timestamps are distinct and repeatable."""
    ticks = count()
    return lambda: start + timedelta(seconds=next(ticks))


async def wait_until(pilot: Pilot, condition: Callable[[], object], timeout: float = CEILING_S,
                     what: str = "the condition") -> None:
    """Let the app run until `condition()` is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await pilot.pause(0.02)


def record_notifications(app: RecallApp) -> list[str]:
    """Every notification's title and message, in order (run_test does not display them)."""
    notes: list[str] = []
    original = app.notify

    def notify(message: str, *, title: str = "", **options: object) -> None:
        notes.append(f"{title}: {message}" if title else message)
        original(message, title=title, **options)

    app.notify = notify  # type: ignore[method-assign]
    return notes


async def study_screen(pilot: Pilot, card_id: str | None = None):  # noqa: ANN201 - StudyScreen
    """The study screen once it shows a card (the given one, if any) and waits for an explanation."""
    from recall.tui.screens.study import StudyScreen

    def ready() -> bool:
        screen = pilot.app.screen
        return (isinstance(screen, StudyScreen) and screen.phase == "answering" and screen.card is not None
                and (card_id is None or screen.card.id == card_id))

    await wait_until(pilot, ready, what=f"the study screen to show {card_id or 'a card'}")
    return pilot.app.screen


async def wait_for_phase(pilot: Pilot, phase: str, timeout: float = CEILING_S) -> None:
    await wait_until(pilot, lambda: getattr(pilot.app.screen, "phase", None) == phase, timeout,
                     what=f"the study phase {phase!r}")


async def settle(pilot: Pilot) -> None:
    """Wait until the picture is final: no blinking cursor and no notifications in it, every worker
    done, and the screen drawn the same twice in a row once the app is idle (tables size their columns,
    and the feedback scrolls, on idle moments)."""
    from textual.widgets import TextArea

    app = pilot.app
    for editor in app.screen.query(TextArea):
        editor.cursor_blink = False
    app.clear_notifications()
    await wait_until(pilot, lambda: all(worker.is_finished for worker in app.workers), what="the workers")
    previous = None
    deadline = time.monotonic() + CEILING_S
    while True:
        await pilot.wait_for_scheduled_animations()
        picture = app.export_screenshot()
        if picture == previous:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the screen was still changing after {CEILING_S} s")
        previous = picture


def write_explanation(screen, text: str) -> None:  # noqa: ANN001 - StudyScreen
    """Put text into the explanation box as typing would, minus the tens of milliseconds Pilot takes per
    key (tests that are about the keys themselves press them)."""
    from textual.widgets import TextArea

    screen.query_one("#explanation", TextArea).insert(text)
