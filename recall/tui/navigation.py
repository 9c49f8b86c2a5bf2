"""Where to go next, as messages: a screen posts one and `RecallApp` opens the screen it names.

Screens never import each other (nor the app) to navigate, so each loads only when it is first
shown and none knows how another is built. The messages bubble from the screen to the app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from recall.study import SessionSummary, StudyPlan


class StartStudy(Message):
    """Start today's study session on top of the current screen (in its place with `replace_screen`);
    `plan` narrows it to a deck or tag, or asks for more than today's queue."""

    def __init__(self, plan: StudyPlan | None = None, replace_screen: bool = False) -> None:
        super().__init__()
        self.plan = plan
        self.replace_screen = replace_screen


class OpenBrowse(Message):
    """Open the card list, filtered to one deck if `deck` is given."""

    def __init__(self, deck: str | None = None) -> None:
        super().__init__()
        self.deck = deck


class OpenRecap(Message):
    """Open the recap screen for one deck (`deck`), or for every card."""

    def __init__(self, deck: str | None = None) -> None:
        super().__init__()
        self.deck = deck


class OpenHistory(Message):
    """Open the review history (with export)."""


class OpenStats(Message):
    """Open the progress charts."""


class OpenCard(Message):
    """Open one card's detail: its answer, demo, schedule and every past review."""

    def __init__(self, card_id: str) -> None:
        super().__init__()
        self.card_id = card_id


class OpenCardForm(Message):
    """Open the card form: on the card `card_id` (editing it), or empty for a new card of `deck`;
    `on_saved` is called with the card's id once it is saved."""

    def __init__(self, card_id: str | None = None, deck: str | None = None,
                 on_saved: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.card_id = card_id
        self.deck = deck
        self.on_saved = on_saved


class ShowSummary(Message):
    """The session is over: show its summary in place of the study screen."""

    def __init__(self, summary: SessionSummary) -> None:
        super().__init__()
        self.summary = summary
