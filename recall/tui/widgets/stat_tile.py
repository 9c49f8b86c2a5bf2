"""A labelled number on the dashboard; it shows a placeholder until its value has loaded."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StatTile(Widget):
    DEFAULT_CSS = """
    StatTile { width: 1fr; height: 3; border: round $primary 50%; padding: 0 1; }
    """

    value: reactive[str | None] = reactive(None)

    def __init__(self, label: str, **options: object) -> None:
        super().__init__(**options)
        self.border_title = label

    def render(self) -> Text:
        if self.value is None:
            return Text("…", style="dim")
        return Text(self.value, style="bold")
