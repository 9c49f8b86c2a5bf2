"""The study session's position, always on screen: card n of N, what kind of card, which deck. The bar's
done and left parts differ in glyph (█ and ░) as well as in colour, so it reads without colour too."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

KIND_NAMES = {"review": "review", "new": "new card", "drill": "drill: below 4 today, once more"}
BAR_WIDTH = 12
DONE, LEFT = "█", "░"


class SessionProgress(Widget):
    DEFAULT_CSS = """
    SessionProgress { height: 1; padding: 0 1; background: $boost; }
    SessionProgress > .session-progress--done { color: $text-success; }
    SessionProgress > .session-progress--left { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"session-progress--done", "session-progress--left"}

    position: reactive[tuple[int, int]] = reactive((0, 0))
    kind: reactive[str] = reactive("")
    deck: reactive[str] = reactive("")

    def render(self) -> Text:
        number, total = self.position
        if total == 0:
            return Text("Loading today's cards…")
        done = BAR_WIDTH * (number - 1) // total
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"Card {number} of {total} ", style="bold")
        text.append(DONE * done, style=self.get_component_rich_style("session-progress--done"))
        text.append(LEFT * (BAR_WIDTH - done), style=self.get_component_rich_style("session-progress--left"))
        text.append(f"  {KIND_NAMES.get(self.kind, self.kind)}", style="italic")
        text.append(f"  · {self.deck}", style=self.get_component_rich_style("session-progress--left"))
        return text
