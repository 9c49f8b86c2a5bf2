"""A vertical bar chart in eighth-blocks: one bar per value, as wide as the widget allows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

EIGHTHS = " ▁▂▃▄▅▆▇█"
MAX_BAR_WIDTH = 3


@dataclass(frozen=True)
class Series:
    """The bars' values and one x-axis label per value (the chart prints those of the ends shown)."""

    values: tuple[float, ...]
    labels: tuple[str, ...]


def bar_rows(values: Sequence[float], height: int, maximum: float) -> list[str]:
    """The chart's rows, top first; each value is one column, scaled so `maximum` fills `height`."""
    rows = []
    for row in range(height - 1, -1, -1):
        cells = []
        for value in values:
            filled = 0.0 if maximum <= 0 else max(0.0, value) / maximum * height
            eighths = round((filled - row) * 8)
            cells.append(EIGHTHS[min(8, max(0, eighths))])
        rows.append("".join(cells))
    return rows


class BarChart(Widget):
    """A caption line, the bars, and an axis line. `series` None means still loading. `maximum` fixes
    the scale (5 for grades); otherwise the largest value fills the chart. When the widget is too
    narrow, the most recent (rightmost) values are shown."""

    DEFAULT_CSS = """
    BarChart { height: 8; }
    BarChart > .bar-chart--bar { color: $accent; }
    """
    COMPONENT_CLASSES = {"bar-chart--bar"}

    series: reactive[Series | None] = reactive(None)

    def __init__(self, caption: str, maximum: float | None = None, **options: object) -> None:
        super().__init__(**options)
        self.caption = caption
        self.maximum = maximum

    def render(self) -> Text:
        width, height = self.content_size
        text = Text(no_wrap=True, overflow="crop")
        text.append(self.caption, style="bold")
        if self.series is None:
            text.append("  …", style="dim")
            return text
        values = self.series.values
        peak = self.maximum if self.maximum is not None else max(values, default=0)
        text.append(f"  max {peak:g}" if any(values) else "  nothing yet", style="dim")
        if not values or width <= 0:
            return text
        bar_width = max(1, min(MAX_BAR_WIDTH, width // len(values)))
        count = min(len(values), width // bar_width)
        shown, labels = values[-count:], self.series.labels[-count:]
        bar_style = self.get_component_rich_style("bar-chart--bar")
        for line in bar_rows(shown, max(1, height - 2), peak):
            text.append("\n" + "".join(cell * bar_width for cell in line), style=bar_style)
        first, last = labels[0], labels[-1]
        gap = max(1, count * bar_width - len(first) - len(last))
        text.append(f"\n{first}{' ' * gap}{last}", style="dim")
        return text
