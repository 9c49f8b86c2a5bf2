"""Table columns fitted to a width: which columns show and how wide, for `Table` (kept apart from it
so that a screen can describe its columns without importing DataTable)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

CELL_PADDING = 1  # DataTable's default, on each side of a cell
SCROLLBAR_WIDTH = 2  # kept free, so that a vertical scrollbar never brings a horizontal one


@dataclass(frozen=True)
class Column:
    """`width` is the column's (the flexible column's least); columns with a higher `drop_order` leave
    first when the table is narrow, and 0 never leaves."""

    key: str
    label: str
    width: int
    drop_order: int = 0
    flexible: bool = False


def fit_columns(columns: Sequence[Column], available: int) -> list[tuple[Column, int]]:
    """The columns that fit in `available` cells, in their order, each with its width."""
    def needed(shown: list[Column]) -> int:
        return sum(column.width + 2 * CELL_PADDING for column in shown)

    shown = list(columns)
    for column in sorted((column for column in columns if column.drop_order), key=lambda c: -c.drop_order):
        if needed(shown) <= available:
            break
        shown.remove(column)
    spare = max(0, available - needed(shown))
    return [(column, column.width + spare if column.flexible else column.width) for column in shown]
