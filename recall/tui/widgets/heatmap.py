"""A review heatmap: one cell per day, weeks as columns (Monday on top), darker for more reviews."""

from __future__ import annotations

import math
from datetime import date, timedelta

from rich.text import Text
from textual.color import Color
from textual.reactive import reactive
from textual.widget import Widget

WEEKS = 16
CELL = "■ "
WEEKDAY_LABELS = ("Mo", "", "We", "", "Fr", "", "Su")
LEVELS = 4
LABEL_WIDTH = 3


def first_shown_day(today: date, weeks: int = WEEKS) -> date:
    """The Monday that starts the oldest week shown."""
    return today - timedelta(days=today.weekday(), weeks=weeks - 1)


def level(count: int, busiest: int) -> int:
    """0 for no reviews, else 1..LEVELS in proportion to the busiest day shown."""
    if count <= 0 or busiest <= 0:
        return 0
    return max(1, math.ceil(LEVELS * count / busiest))


class ReviewHeatmap(Widget):
    """Reviews per day over the last 16 weeks; `counts` maps a study day to its number of reviews."""

    DEFAULT_CSS = """
    ReviewHeatmap { width: auto; height: auto; }
    """

    counts: reactive[dict[date, int] | None] = reactive(None, layout=True)

    def __init__(self, today: date, **options: object) -> None:
        super().__init__(**options)
        self.today = today

    def get_content_width(self, container, viewport) -> int:  # noqa: ANN001 - Textual's signature
        return LABEL_WIDTH + WEEKS * len(CELL)

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return 1 + 7 + 1

    def _palette(self) -> list[str]:
        """Colours for levels 0..LEVELS, blended from the theme so both light and dark read well."""
        variables = self.app.theme_variables
        empty = Color.parse(variables.get("panel-lighten-2", variables.get("panel", "#444444")))
        full = Color.parse(variables.get("success", "#4EBF71"))
        return [empty.hex] + [empty.blend(full, step / LEVELS).hex for step in range(1, LEVELS + 1)]

    def render(self) -> Text:
        counts = self.counts or {}
        start = first_shown_day(self.today)
        palette = self._palette()
        busiest = max(counts.values(), default=0)
        text = Text(no_wrap=True)
        text.append(self._month_row(start) + "\n", style="dim")
        for weekday in range(7):
            text.append(f"{WEEKDAY_LABELS[weekday]:<{LABEL_WIDTH}}", style="dim")
            for week in range(WEEKS):
                day = start + timedelta(weeks=week, days=weekday)
                if day > self.today:
                    text.append(" " * len(CELL))
                elif self.counts is None:
                    text.append(CELL, style="dim")
                else:
                    text.append(CELL, style=palette[level(counts.get(day, 0), busiest)])
            text.append("\n")
        text.append(" " * LABEL_WIDTH + "less ", style="dim")
        for colour in palette:
            text.append(CELL, style=colour)
        text.append("more", style="dim")
        return text

    def _month_row(self, start: date) -> str:
        """Month names above the first week of each month."""
        row = [" "] * (LABEL_WIDTH + WEEKS * len(CELL))
        for week in range(WEEKS):
            monday = start + timedelta(weeks=week)
            if week == 0 or monday.day <= 7:
                name = monday.strftime("%b")
                column = LABEL_WIDTH + week * len(CELL)
                if week == 0 or row[column - 1] == " ":
                    row[column:column + len(name)] = name
        return "".join(row).rstrip()
