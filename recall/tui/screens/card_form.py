"""A card in a form: a new one (`n` on the dashboard and in browse) or an existing one (`E`).

Saving writes through `recall.deck_writer`: a new card is appended to its deck's file in the user decks
folder, an edited card's table is rewritten in its own file (same id, so its history stays), every other
byte of the file kept. The file work runs in a worker; a failure is shown above the form and what was
typed stays in it. The screen is dismissed with the card's id once the decks are synced again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static, TextArea

from recall.errors import RecallError
from recall.tui.deck_files import load_written_deck

if TYPE_CHECKING:
    from recall.deck_writer import NewCard
    from recall.store import CardRow
    from recall.tui.app import RecallApp


def lines_of(text: str) -> tuple[str, ...]:
    """One key point a line; list markers ("- ", "* ") and blank lines dropped."""
    points = (line.strip().removeprefix("- ").removeprefix("* ").strip() for line in text.splitlines())
    return tuple(point for point in points if point)


class CardFormScreen(Screen[str | None]):
    """Prompt, answer, key points (one a line), tags (space-separated), demo; and the deck, for a new card."""

    app: RecallApp
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save", priority=True,
                tooltip="Write the card to its deck file (only its own table changes)"),
        Binding("ctrl+o", "propose_points", "Propose key points", id="form.propose", priority=True,
                tooltip="Key points drafted by the grader's model, or the answer's sentences offline"),
        Binding("escape", "cancel", "Cancel", id="form.cancel", tooltip="Leave without saving"),
    ]

    def __init__(self, card_id: str | None = None, deck: str | None = None) -> None:
        super().__init__()
        self.card_id = card_id
        self.deck = deck or ""
        self.card: CardRow | None = None
        self.drafted: tuple[str, ...] = ()  # key points the model drafted, core first

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="card-form"):
            yield Static("", id="form-message")
            yield Input(placeholder="The question the card asks", id="form-prompt")
            yield TextArea(id="form-answer", soft_wrap=True, show_line_numbers=False)
            yield TextArea(id="form-key-points", soft_wrap=True, show_line_numbers=False)
            with Horizontal(id="form-extras"):
                yield Input(self.deck, placeholder="Deck name", id="form-deck", disabled=self.card_id is not None)
                yield Input(placeholder="tags, space-separated", id="form-tags")
                yield Input(placeholder="demo name", id="form-demo")
        yield Footer()

    def on_mount(self) -> None:
        titles = {"#form-prompt": "Prompt", "#form-answer": "Reference answer",
                  "#form-key-points": "Key points, one a line (ctrl+o proposes them)", "#form-deck": "Deck",
                  "#form-tags": "Tags", "#form-demo": "Demo"}
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        self.sub_title = f"Edit {self.card_id}" if self.card_id else "New card"
        self.query_one("#form-prompt").focus()
        if self.card_id:
            self.load_card()

    @work(group="form")
    async def load_card(self) -> None:
        card = await self.app.database.query(lambda store: store.card(self.card_id))
        if card is None:
            self.say(f"No card {self.card_id!r}.", error=True)
            return
        self.card = card
        self.query_one("#form-prompt", Input).value = card.prompt
        self.query_one("#form-answer", TextArea).text = card.answer
        self.query_one("#form-key-points", TextArea).text = "\n".join(card.key_points)
        self.query_one("#form-deck", Input).value = card.deck
        self.query_one("#form-tags", Input).value = " ".join(card.tags)
        self.query_one("#form-demo", Input).value = card.demo or ""

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#form-message", Static)
        message.update(f"Not saved: {text}" if error else text)
        message.set_class(error, "error")

    def typed(self) -> NewCard:
        from recall.deck_writer import NewCard

        return NewCard(self.query_one("#form-prompt", Input).value,
                       self.query_one("#form-answer", TextArea).text,
                       lines_of(self.query_one("#form-key-points", TextArea).text),
                       tuple(self.query_one("#form-tags", Input).value.split()),
                       self.query_one("#form-demo", Input).value.strip() or None,
                       self.card_id, self.core(lines_of(self.query_one("#form-key-points", TextArea).text)))

    def core(self, points: tuple[str, ...]) -> int | None:
        """An edited card keeps its core; the model's key points, kept as drafted, have theirs first."""
        if self.card is not None:
            return self.card.core
        return 1 if points and points == self.drafted else None

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        self.save(self.typed(), self.query_one("#form-deck", Input).value)

    @work(exclusive=True, group="form")
    async def save(self, card: NewCard, deck: str) -> None:
        import asyncio

        from recall.collection import sync_decks

        self.say("Saving…")
        try:
            if self.card_id:
                if self.card is None or not self.card.source:
                    raise RecallError(f"card {self.card_id!r} has no deck file to write to")
                from recall.deck_writer import edit_card_in_file

                await asyncio.to_thread(edit_card_in_file, Path(self.card.source), self.card_id, card)
                saved = self.card_id
            else:
                saved = await self.add(card, deck)
            problems = await self.app.database.query(sync_decks, self.app.settings)
        except RecallError as error:
            self.say(str(error), error=True)
            return
        if problems:
            self.app.notify(problems[0], title="Deck problem", severity="warning", timeout=10)
        self.app.notify(f"Saved {saved}.", timeout=4)
        self.dismiss(saved)

    async def add(self, card: NewCard, deck: str) -> str:
        """Append the new card to its deck's file in the user decks folder; make sure the app loads it."""
        import asyncio

        from recall.config import user_decks_dir
        from recall.deck_writer import add_cards, deck_file_for

        deck, path = deck_file_for(deck, None, user_decks_dir())
        taken = await self.app.database.query(lambda store: {row.id for row in store.cards(include_retired=True)})
        [card_id] = await asyncio.to_thread(add_cards, path, [card], deck, taken)
        load_written_deck(self.app, path)
        return card_id

    @work(exclusive=True, group="propose")
    async def action_propose_points(self) -> None:
        from recall.drafting import Drafter, DraftingError, llm_available, record_usage, sentence_key_points

        card = self.typed()
        if not card.prompt.strip() or not card.answer.strip():
            self.say("Write the prompt and the answer first.", error=True)
            return
        points, origin = sentence_key_points(card.answer), "the answer's sentences: one idea each, please"
        if llm_available(self.app.settings):
            self.say("Asking the grader's model for key points…")
            drafter = Drafter(self.app.settings)
            try:
                points = self.drafted = await drafter.key_points(card.prompt, card.answer)
                origin = "drafted by the model, the core one first"
            except DraftingError as error:
                origin = f"the answer's sentences ({error})"
            finally:
                await drafter.aclose()
                if drafter.cost.usages:
                    await self.app.database.query(record_usage, "key points", drafter.cost, self.app.now())
        self.query_one("#form-key-points", TextArea).text = "\n".join(points)
        self.say(f"Key points: {origin}.")
