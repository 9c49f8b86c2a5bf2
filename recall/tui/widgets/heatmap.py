"""A review heatmap: one cell per day, weeks as columns (Monday on top), denser for more reviews.

Each level has its own glyph (· ░ ▒ ▓ █) as well as its own shade, so the map reads the same without
colour (NO_COLOR, a monochrome terminal)."""

from __future__ import annotations

import math
from datetime import date, timedelta

from rich.text import Text
from textual.color import Color
from textual.reactive import reactive
from textual.widget import Widget

WEEKS = 16
LEVEL_GLYPHS = "·░▒▓█"  # no reviews, then levels 1..LEVELS
LEVELS = len(LEVEL_GLYPHS) - 1
CELL_WIDTH = 2  # a glyph and a space
WEEKDAY_LABELS = ("Mo", "", "We", "", "Fr", "", "Su")
LABEL_WIDTH = 3
WIDTH = LABEL_WIDTH + WEEKS * CELL_WIDTH


def first_shown_day(today: date, weeks: int = WEEKS) -> date:
    """The Monday that starts the oldest week shown."""
    return today - timedelta(days=today.weekday(), weeks=weeks - 1)


def level(count: int, busiest: int) -> int:
    """0 for no reviews, else 1..LEVELS in proportion to the busiest day shown."""
    if count <= 0 or busiest <= 0:
        return 0
    return max(1, math.ceil(LEVELS * count / busiest))


def month_row(start: date, weeks: int = WEEKS) -> str:
    """Month names above the first week of each month, never wider than the map: a name that would
    run past the right edge moves left when there is room, else is left out."""
    row = [" "] * WIDTH
    for week in range(weeks):
        monday = start + timedelta(weeks=week)
        if week != 0 and monday.day > 7:
            continue
        name = monday.strftime("%b")
        column = min(LABEL_WIDTH + week * CELL_WIDTH, WIDTH - len(name))
        before = row[column - 1] if column > LABEL_WIDTH else " "
        if before == " " and all(cell == " " for cell in row[column:column + len(name)]):
            row[column:column + len(name)] = name
    return "".join(row).rstrip()


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
        return WIDTH

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
        text = Text(no_wrap=True, overflow="crop")
        text.append(month_row(start) + "\n", style="dim")
        for weekday in range(7):
            text.append(f"{WEEKDAY_LABELS[weekday]:<{LABEL_WIDTH}}", style="dim")
            for week in range(WEEKS):
                day = start + timedelta(weeks=week, days=weekday)
                if day > self.today:
                    text.append(" " * CELL_WIDTH)
                elif self.counts is None:
                    text.append(f"{LEVEL_GLYPHS[0]:<{CELL_WIDTH}}", style="dim")
                else:
                    shade = level(counts.get(day, 0), busiest)
                    text.append(f"{LEVEL_GLYPHS[shade]:<{CELL_WIDTH}}", style=palette[shade])
            text.append("\n")
        text.append(" " * LABEL_WIDTH + "less ", style="dim")
        for glyph, colour in zip(LEVEL_GLYPHS, palette):
            text.append(f"{glyph} ", style=colour)
        text.append("more", style="dim")
        return text
