"""The app's tables: Textual's DataTable, redrawn once it has measured its rows.

Textual 8.2's DataTable measures new rows (and widens its columns) on an idle moment, possibly after it
has already drawn them at the old widths; its render caches are keyed by an update counter that the
measuring does not move. On a busy machine a table could then stay drawn with every column cut to its
label's width ("2026" for "2026-11-27 08:59") until the cursor moved. `Table` moves the counter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.widgets import DataTable

if TYPE_CHECKING:
    from textual.widgets.data_table import RowKey


class Table(DataTable):
    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._update_count += 1  # what was drawn before the columns were measured is drawn again
        self.refresh()
