"""What went wrong with grading, in the grader's own words, and the three ways on."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static


class GradingFailure(Vertical):
    """Buttons with ids retry / offline / self-grade; the feedback pane turns their presses into its
    messages and the screen decides."""

    DEFAULT_CSS = """
    GradingFailure { height: auto; border: round $error; padding: 0 1; }
    GradingFailure > #failure-message { color: $text-error; margin-bottom: 1; }
    GradingFailure > Horizontal { height: auto; }
    GradingFailure Button { margin-right: 2; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="failure-message", markup=False)
        with Horizontal():
            yield Button("Retry (t)", id="retry", variant="primary")
            yield Button("Grade offline (o)", id="offline")
            yield Button("Grade yourself (0-5)", id="self-grade")

    def show(self, title: str, message: str, retryable: bool) -> None:
        self.border_title = title
        self.query_one("#failure-message", Static).update(message)
        self.query_one("#retry", Button).variant = "primary" if retryable else "default"
        self.display = True
