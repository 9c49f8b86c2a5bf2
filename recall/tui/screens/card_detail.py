"""One card: its prompt, reference answer, key points, demo and schedule, and every past review with
the explanation given and the feedback received."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Collapsible, Footer, Header, Markdown

from recall.errors import RecallError
from recall.tui.checklist import readable_checklist
from recall.tui.navigation import OpenCardForm
from recall.tui.text import local_time, plural
from recall.tui.widgets.demo_panel import DemoPanel, fits_beside

if TYPE_CHECKING:
    from recall.store import CardRow
    from recall.tui.app import RecallApp

SHOWN_REVIEWS = 50  # each is a widget with its own Markdown: enough to see the trend, cheap to mount


def card_markdown(card: CardRow) -> str:
    schedule = ("never reviewed" if card.is_new else
                f"due {card.due}, interval {plural(card.interval, 'day')}, easiness {card.easiness_centi / 100:.2f}, "
                f"{plural(card.reviews, 'review')}, {plural(card.lapses, 'lapse')}")
    lines = [f"## {card.prompt}", f"`{card.id}` · {card.deck} · {schedule}"]
    if card.tags:
        lines.append("Tags: " + ", ".join(card.tags))
    if card.retired:
        lines.append("_Retired: no deck file has this card any more; its history is kept._")
    lines += ["### Reference answer", card.answer.strip(), "### Key points",
              "\n".join(f"- {point}" for point in card.key_points)]
    lines += ["### Demo", f"`{card.demo}`: press **d** to run it." if card.demo else "None."]
    return "\n\n".join(lines)


def review_title(review: dict) -> str:
    suggested = review["suggested_quality"]
    graded = f"grade {review['quality']}" + (f" (suggested {suggested})" if suggested is not None else "")
    return f"{local_time(review['reviewed_at'])} · {review['kind']} · {graded} · {review['grader'] or 'self'}"


def review_markdown(review: dict) -> str:
    answer = review["answer"].strip() or "_(no explanation)_"
    quoted = "\n".join(f"> {line}" for line in answer.splitlines())
    feedback = readable_checklist(review["feedback"].strip()) or "_(no feedback: graded without a grader)_"
    return f"**Your explanation**\n\n{quoted}\n\n**Feedback**\n\n{feedback}"


class CardDetailScreen(Screen[None]):
    app: RecallApp
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="card.back", tooltip="Back to the list"),
        Binding("d", "demo", "Demo", id="card.demo", tooltip="Run (or stop) the card's NumPy demo"),
        Binding("E", "edit_card", "Edit card", id="card.edit", tooltip="Edit the card in a form"),
    ]

    def __init__(self, card_id: str) -> None:
        super().__init__()
        self.card_id = card_id
        self.card: CardRow | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="detail-body"):
            with VerticalScroll(id="detail", classes="panel"):
                yield Markdown(id="card-text")
                yield Vertical(id="review-history")
            yield DemoPanel(id="demo", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.card_id
        self.query_one(DemoPanel).display = False
        self.query_one("#detail").focus()
        self.load_card()

    def on_resize(self) -> None:
        self.place_demo()

    def on_screen_resume(self) -> None:
        self.place_demo()

    def place_demo(self) -> None:
        """The demo beside the card when the terminal has room for its lines there, else under it, the
        whole width (the card scrolls above)."""
        self.query_one(DemoPanel).set_class(not fits_beside(self.size.width), "-full-width")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo":
            return bool(self.card and self.card.demo)
        return True

    @work(exclusive=True)
    async def load_card(self) -> None:
        try:
            self.card, reviews = await self.app.database.query(
                lambda store: (store.card(self.card_id), store.reviews_for_card(self.card_id)))
        except RecallError as error:
            self.notify(str(error), title="Cannot read the card", severity="error")
            return
        if self.card is None:
            await self.query_one("#card-text", Markdown).update(f"No card `{self.card_id}` in the database.")
            return
        await self.query_one("#card-text", Markdown).update(card_markdown(self.card))
        box = self.query_one("#review-history", Vertical)
        box.border_title = f"Review history: {plural(len(reviews), 'review')}" + (
            f", the newest {SHOWN_REVIEWS} shown" if len(reviews) > SHOWN_REVIEWS else "")
        await box.mount_all(Collapsible(Markdown(review_markdown(review)), title=review_title(review),
                                        collapsed=index > 0)
                            for index, review in enumerate(reviews[:SHOWN_REVIEWS]))
        self.refresh_bindings()

    def action_edit_card(self) -> None:
        self.post_message(OpenCardForm(self.card_id, on_saved=lambda _card_id: self.show_edited_card()))

    @work(exclusive=True, group="edited")
    async def show_edited_card(self) -> None:
        """The card's text again, as saved (its review history has not changed)."""
        try:
            self.card = await self.app.database.query(lambda store: store.card(self.card_id))
        except RecallError as error:
            self.notify(str(error), title="Cannot read the card", severity="error")
            return
        if self.card is not None:
            await self.query_one("#card-text", Markdown).update(card_markdown(self.card))
        self.refresh_bindings()

    def action_demo(self) -> None:
        assert self.card is not None and self.card.demo
        self.place_demo()
        self.query_one(DemoPanel).toggle(self.card.demo)
