"""Drafting cards from notes in the app (the palette's "Draft cards from notes"): name a notes file, the
grader's model proposes cards (`recall.drafting`), and each is accepted or rejected here before the
accepted ones are appended to the deck's file in the user decks folder (`recall.deck_writer`).

A proposal on the same idea as an existing card starts rejected and says which card; every request runs
in a worker, and a failure is one sentence on the screen with nothing written.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Markdown, Static

from recall.errors import RecallError
from recall.tui.deck_files import load_written_deck
from recall.tui.widgets.table import Table

if TYPE_CHECKING:
    from recall.drafting import Proposal
    from recall.tui.app import RecallApp

ACCEPT, REJECT = "✔ accept", "✘ reject"


def proposal_markdown(proposal: Proposal) -> str:
    lines = [f"**{proposal.prompt}**", proposal.answer, "Key points:",
             "\n".join(f"{n}. {point}" for n, point in enumerate(proposal.key_points, 1))]
    if proposal.tags or proposal.demo:
        lines.append(f"Tags: {' '.join(proposal.tags) or '-'} · demo: {proposal.demo or '-'}")
    if proposal.duplicate_of:
        lines.append(f"_Duplicate of {proposal.duplicate_of}: rejected unless you accept it._")
    return "\n\n".join(lines)


class DraftReviewScreen(Screen[None]):
    app: RecallApp
    BINDINGS = [
        Binding("a", "choose(True)", "Accept", id="draft.accept", tooltip="Accept the highlighted proposal"),
        Binding("r", "choose(False)", "Reject", id="draft.reject", tooltip="Reject the highlighted proposal"),
        Binding("ctrl+s", "write", "Write accepted", id="draft.write", priority=True,
                tooltip="Append the accepted cards to the deck's file"),
        Binding("escape", "app.pop_screen", "Back", id="draft.back", tooltip="Leave; nothing is written"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.proposals: list[Proposal] = []
        self.accepted: list[bool] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="draft-files"):
            yield Input(placeholder="notes file (Markdown or text), then enter", id="draft-notes")
            yield Input(placeholder="deck (default: the file's name)", id="draft-deck")
        yield Static("Name a notes file and press enter.", id="draft-status")
        table = Table(id="proposals", cursor_type="row")
        table.border_title = "Proposals  (a: accept, r: reject)"
        yield table
        with VerticalScroll(id="draft-detail", classes="panel"):
            yield Markdown(id="draft-proposal")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Draft cards from notes"
        self.query_one("#draft-notes").border_title = "Notes"
        self.query_one("#draft-deck").border_title = "Deck"
        self.query_one(DataTable).add_columns("Choice", "Prompt", "Note")
        self.query_one("#draft-notes").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("choose", "write"):
            return bool(self.proposals) and not isinstance(self.focused, Input)
        return True

    def status(self, text: str) -> None:
        self.query_one("#draft-status", Static).update(text)

    @on(Input.Submitted, "#draft-notes")
    def notes_named(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.draft(Path(event.value.strip()).expanduser())

    @work(exclusive=True, group="draft")
    async def draft(self, notes: Path) -> None:
        from recall.demos import demo_summaries
        from recall.drafting import Drafter, record_usage

        try:
            text = await asyncio.to_thread(notes.read_text, encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.status(f"Cannot read {notes}: {getattr(error, 'strerror', None) or error}")
            return
        if not self.query_one("#draft-deck", Input).value.strip():
            self.query_one("#draft-deck", Input).value = notes.stem
        self.status(f"Asking {self.app.settings.model} for cards…")
        drafter = None
        try:
            drafter = Drafter(self.app.settings)
            existing = await self.app.database.query(lambda store: {row.id: row.prompt for row in store.cards()})
            demos = await asyncio.to_thread(demo_summaries, self.app.settings.demo_paths)
            proposals = await drafter.cards(text, 10, demos, existing)
        except RecallError as error:
            self.status(str(error))
            return
        finally:
            if drafter is not None:
                await drafter.aclose()
                if drafter.cost.usages:
                    await self.app.database.query(record_usage, "cards", drafter.cost, self.app.now())
        self.show(proposals, drafter.cost.summary())

    def show(self, proposals: list[Proposal], cost: str) -> None:
        self.proposals = proposals
        self.accepted = [proposal.duplicate_of is None for proposal in proposals]
        table = self.query_one(DataTable)
        table.clear()
        for number, proposal in enumerate(proposals):
            table.add_row(self.choice(number), proposal.prompt,
                          f"duplicate of {proposal.duplicate_of}" if proposal.duplicate_of else "", key=str(number))
        self.status(f"{len(proposals)} proposal(s); {cost}")
        table.focus()
        self.refresh_bindings()

    def choice(self, number: int) -> str:
        return ACCEPT if self.accepted[number] else REJECT

    @on(DataTable.RowHighlighted, "#proposals")
    async def proposal_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            await self.query_one("#draft-proposal", Markdown).update(
                proposal_markdown(self.proposals[int(event.row_key.value)]))

    def action_choose(self, accept: bool) -> None:
        table = self.query_one(DataTable)
        number = table.cursor_row
        self.accepted[number] = accept
        table.update_cell(str(number), table.ordered_columns[0].key, self.choice(number))
        if number + 1 < table.row_count:
            table.move_cursor(row=number + 1)

    @work(exclusive=True, group="draft")
    async def action_write(self) -> None:
        from recall.collection import sync_decks
        from recall.config import user_decks_dir
        from recall.deck_writer import NewCard, add_cards, deck_file_for

        cards = [NewCard(p.prompt, p.answer, p.key_points, p.tags, p.demo, core=1)
                 for p, accepted in zip(self.proposals, self.accepted) if accepted]
        if not cards:
            self.status("No proposal is accepted: nothing to write.")
            return
        try:
            deck, path = deck_file_for(self.query_one("#draft-deck", Input).value, None, user_decks_dir())
            taken = await self.app.database.query(lambda store: {row.id for row in store.cards(include_retired=True)})
            ids = await asyncio.to_thread(add_cards, path, cards, deck, taken)
            load_written_deck(self.app, path)
            await self.app.database.query(sync_decks, self.app.settings)
        except RecallError as error:
            self.status(f"Nothing written: {error}")
            return
        self.app.notify(f"Added {len(ids)} card(s) to {path}.", timeout=6)
        self.app.pop_screen()
