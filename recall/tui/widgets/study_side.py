"""The study screen's side column: the card's reference answer and its NumPy demo, each shown on
request; the column shows while either does.

The column is a strip beside the main column. With the demo in it, it is at least wide enough for the
demo's lines when the terminal has room for that (`fits_beside`: the class `-demo-beside`), and otherwise
it lies over the feedback and the grade bar, the terminal's whole width (`-demo-over`), leaving the
prompt and the explanation box in view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Markdown

from recall.tui.widgets.demo_panel import DemoPanel, fits_beside

if TYPE_CHECKING:
    from recall.store import CardRow

OVER_HEIGHT = 12  # rows of the column over the feedback, at least: 10 of the demo's lines and borders


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
        self.screen.screen_layout_refresh_signal.subscribe(self, self._cover_feedback)

    def hide(self) -> None:
        """All hidden, the demo stopped."""
        self.query_one(DemoPanel).stop()
        for part in (self, self.query_one("#reference"), self.query_one(DemoPanel)):
            part.display = False
        self._place()

    def set_card(self, card: CardRow) -> None:
        """The card whose reference answer and key points `toggle_reference` shows."""
        self.query_one("#reference-text", Markdown).update(reference_markdown(card))

    def toggle_reference(self, show: bool | None = None) -> None:
        """Show or hide the reference answer (`show` forces one, for a verdict the learner must grade)."""
        reference = self.query_one("#reference")
        reference.display = not reference.display if show is None else show
        self._fit()

    def toggle_demo(self, name: str) -> None:
        """d's three steps (run, stop, close): see `DemoPanel.toggle`."""
        self.query_one(DemoPanel).toggle(name)
        self._fit()

    def _fit(self) -> None:
        self.display = self.query_one("#reference").display or self.query_one(DemoPanel).display
        self._place()

    def _place(self) -> None:
        """Beside the main column or, for a demo with no room there, over the feedback."""
        demo = self.query_one(DemoPanel)
        over = demo.display and not fits_beside(self.screen.size.width)
        self.set_class(over, "-demo-over")
        self.screen.set_class(over, "-demo-over")  # the explanation box makes room for it
        self.set_class(demo.display and not over, "-demo-beside")
        demo.set_class(over, "-full-width")
        if not over:
            self.styles.height = None  # the stylesheet's again

    def _cover_feedback(self, _screen: object) -> None:
        """Over the feedback: from under the explanation box to the bottom, but at least `OVER_HEIGHT`
        rows (a long prompt can push the box down)."""
        if not self.has_class("-demo-over") or self.parent is None:
            return
        boxes = self.screen.query("#explanation")  # without it, the stylesheet's height stays
        if boxes:
            height = max(OVER_HEIGHT, self.parent.region.bottom - boxes.first().region.bottom)
            if self.styles.height is None or self.styles.height.cells != height:
                self.styles.height = height

    def on_resize(self) -> None:
        """The terminal's width changed (the column's width follows it)."""
        self._place()
