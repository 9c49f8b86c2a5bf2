"""A labelled number on the dashboard; it shows a placeholder until its value has loaded."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StatTile(Widget):
    """The label is the border's title; a tile styled without a border (a short terminal) writes it
    before the number instead."""

    DEFAULT_CSS = """
    StatTile { width: 1fr; height: 3; border: round $primary 50%; padding: 0 1; }
    """

    value: reactive[str | None] = reactive(None)

    def __init__(self, label: str, **options: object) -> None:
        super().__init__(**options)
        self.label = label
        self.border_title = label

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.styles.border_top[0] in ("", "none"):
            text.append(f"{self.label} ", style="dim")
        if self.value is None:
            text.append("…", style="dim")
        else:
            text.append(self.value, style="bold")
        return text
