"""The recap's grades table: one row per card the recap addresses, with the suggested grade and the
grade to record. A digit sets the grade of the highlighted card; a card the grader is not sure of has
no grade until the learner gives one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.coordinate import Coordinate

from recall.tui.widgets.table import Table

if TYPE_CHECKING:
    from recall.grading.recap import CardAssessment

GRADE_COLUMN = "grade"


class RecapGrades(Table):
    # enter records (the screen's action) instead of selecting a row
    BINDINGS = [Binding("enter", "screen.record", "Record all", id="recap.record_all",
                        tooltip="Record every card's grade as the table shows it")]

    def __init__(self, **options: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **options)
        self.grades: dict[str, int | None] = {}
        self.border_title = "Grades  (0-5: change the highlighted card; enter: record all)"

    def on_mount(self) -> None:
        self.add_column("Card", key="card")
        self.add_column("Suggested", key="suggested")
        self.add_column("Grade", key=GRADE_COLUMN)
        self.add_column("Prompt", key="prompt")

    def show(self, assessments: Sequence[CardAssessment], grades: dict[str, int]) -> None:
        """The addressed cards, each with the grade it would be recorded with now (`grades`: the sure
        suggestions), or none yet."""
        self.clear()
        self.grades = {a.card_id: grades.get(a.card_id) for a in assessments}
        for a in assessments:
            suggested = "not sure" if a.suggested_quality is None else (
                f"{a.suggested_quality}" + ("" if a.confident else " (unsure)"))
            self.add_row(a.card_id, suggested, self._cell(a.card_id), a.prompt, key=a.card_id)

    def set_grade(self, quality: int) -> str | None:
        """Give the highlighted card `quality` and highlight the next one; returns the card's id (None when
        the table is empty)."""
        row = self.cursor_row
        if not self.grades or row >= self.row_count:
            return None
        card_id = self.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value
        self.grades[card_id] = quality
        self.update_cell(card_id, GRADE_COLUMN, self._cell(card_id))
        self.cursor_coordinate = Coordinate(min(row + 1, self.row_count - 1), 0)  # at once, for the next digit
        return card_id

    def missing(self) -> list[str]:
        """The cards still waiting for the learner's grade."""
        return [card_id for card_id, quality in self.grades.items() if quality is None]

    def _cell(self, card_id: str) -> str:
        quality = self.grades[card_id]
        return "?" if quality is None else str(quality)
