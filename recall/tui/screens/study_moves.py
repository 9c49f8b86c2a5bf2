"""Leaving the study screen's current card without grading it: skip (it stays due) or suspend (no session
asks it again; its history stays), and the leech mark that suggests suspending or rewriting a card."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from recall.errors import RecallError
from recall.scheduler import is_leech

if TYPE_CHECKING:
    from recall.store import CardRow
    from recall.tui.screens.study import StudyScreen


def card_subtitle(card: CardRow, leech_lapses: int) -> str:
    """The prompt's subtitle: the card's id, and for a leech, a word and the keys that deal with it."""
    if not is_leech(card.lapses, leech_lapses):
        return card.id
    return f"{card.id} · LEECH, forgotten {card.lapses}×: x suspend, e edit"


class CardMoves:
    """The StudyScreen's skip and suspend actions (mixed into it)."""

    @work(group="session")
    async def action_skip(self: StudyScreen) -> None:
        await CardMoves.leave_card(self, "skip", "Skipped: the card stays due for another session.")

    @work(group="session")
    async def action_suspend(self: StudyScreen) -> None:
        await CardMoves.leave_card(self, "suspend", "Suspended: no session asks it until `recall unsuspend "
                                   f"{self.card.id if self.card else ''}`; its history stays.")

    async def leave_card(self: StudyScreen, move: str, done: str) -> None:
        """Save the draft, run the session's `move` on the store's thread, go on to the next card."""
        assert self.session is not None
        phase, self.phase = self.phase, "saving"
        self.box.hold()
        await self.box.save_draft()
        try:
            await self.app.database.run(getattr(self.session, move))
        except RecallError as error:
            self.notify(str(error), title="The card is still here", severity="error")
            self.box.release()
            self.phase = phase
            return
        self.notify(done, timeout=3)
        await self.show_current()
