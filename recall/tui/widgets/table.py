"""The app's tables: Textual's DataTable, redrawn once it has measured its rows, and (given `Column`s)
laid out for the width it has.

Textual 8.2's DataTable measures new rows (and widens its columns) on an idle moment, possibly after it
has already drawn them at the old widths; its render caches are keyed by an update counter that the
measuring does not move. On a busy machine a table could then stay drawn with every column cut to its
label's width ("2026" for "2026-11-27 08:59") until the cursor moved. `Table` moves the counter.

Measured widths also ignore the terminal: a long deck name pushed every other column off an 80-column
screen. A table given `Column`s (recall.tui.columns) fits them to its width whenever that changes:
the columns that matter least go first, the flexible one takes the room left, long texts end in "…".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable

from recall.tui.columns import SCROLLBAR_WIDTH, Column, fit_columns

if TYPE_CHECKING:
    from textual.widgets.data_table import RowKey


class Table(DataTable):
    """With `columns`, rows go in as `add_cells(cells, key)` (cells by column key) so that they can be
    laid out again at another width."""

    def __init__(self, columns: Sequence[Column] = (), **options: object) -> None:
        super().__init__(**options)
        self.layout_columns = tuple(columns)
        self._fitted: list[tuple[Column, int]] = []
        self._rows: dict[str, Mapping[str, str]] = {}

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._update_count += 1  # what was drawn before the columns were measured is drawn again
        self.refresh()

    @property
    def shown_columns(self) -> list[str]:
        """The keys of the columns on screen now."""
        return [column.key for column, _width in self._fitted]

    def add_cells(self, cells: Mapping[str, str], key: str) -> None:
        self._rows[key] = cells
        self._add_fitted_row(cells, key)

    def row_cells(self, key: str) -> Mapping[str, str]:
        """Every cell of a row added with `add_cells`, shown or not."""
        return self._rows[key]

    def clear_rows(self) -> None:
        self._rows.clear()
        self.clear()

    def on_resize(self) -> None:
        if self.layout_columns:
            self._fit()

    def _fit(self) -> None:
        fitted = fit_columns(self.layout_columns, self.size.width - SCROLLBAR_WIDTH)
        if fitted == self._fitted:
            return
        self._fitted = fitted
        cursor = self.cursor_row
        self.clear(columns=True)
        for column, width in fitted:
            self.add_column(column.label, width=width, key=column.key)
        for key, cells in self._rows.items():
            self._add_fitted_row(cells, key)
        if self._rows:
            self.move_cursor(row=min(cursor, len(self._rows) - 1), animate=False)

    def _add_fitted_row(self, cells: Mapping[str, str], key: str) -> None:
        if self._fitted:  # before the first layout, `_fit` adds the rows
            self.add_row(*(Text(cells[column.key], no_wrap=True, overflow="ellipsis")
                           for column, _width in self._fitted), key=key)
