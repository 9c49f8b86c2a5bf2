"""The study screen's side column: the card's reference answer and its NumPy demo, each shown on
request; the column shows while either does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Markdown

from recall.tui.widgets.demo_panel import DemoPanel

if TYPE_CHECKING:
    from recall.store import CardRow


def reference_markdown(card: CardRow) -> str:
    return "\n\n".join([card.answer.strip(), "**Key points**", "\n".join(f"- {point}" for point in card.key_points)])


class StudySide(Vertical):
    """`hide()` for each new card (its demo stopped), `set_card(card)` for its text; `toggle_reference()`
    and `toggle_demo(name)` for the keys r and d."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="reference", classes="panel") as reference:
            reference.border_title = "Reference answer"
            yield Markdown(id="reference-text")
        yield DemoPanel(id="demo", classes="panel")

    def on_mount(self) -> None:
        self.hide()

    def hide(self) -> None:
        """All hidden, the demo stopped."""
        self.query_one(DemoPanel).stop()
        for part in (self, self.query_one("#reference"), self.query_one(DemoPanel)):
            part.display = False

    def set_card(self, card: CardRow) -> None:
        """The card whose reference answer and key points `toggle_reference` shows."""
        self.query_one("#reference-text", Markdown).update(reference_markdown(card))

    def toggle_reference(self) -> None:
        reference = self.query_one("#reference")
        reference.display = not reference.display
        self._fit()

    def toggle_demo(self, name: str) -> None:
        """d's three steps (run, stop, close): see `DemoPanel.toggle`."""
        self.query_one(DemoPanel).toggle(name)
        self._fit()

    def _fit(self) -> None:
        self.display = self.query_one("#reference").display or self.query_one(DemoPanel).display
