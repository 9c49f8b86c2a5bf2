"""The SM-2 grade scale (`recall.scheduler.Grade`) with the grader's suggestion highlighted when the grader
is confident of it (when it is not, no grade is highlighted and the bar says so), a tally of the key points,
and what the keys do right now. One or two lines under the feedback, always in view."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from recall.scheduler import Grade
from recall.tui.checklist import KEY_POINT_MARKS

if TYPE_CHECKING:
    from recall.grading.base import Verdict

WIDE_ENOUGH_FOR_WORDS = 100


class GradeBar(Widget):
    """`verdict` is the grader's, or None before there is one; `hint` says what the keys do now. Narrow,
    the key-point tally is marks and counts only (✔ covered, ◐ partial, ✘ missing)."""

    DEFAULT_CSS = """
    GradeBar { height: auto; padding: 0 1; background: $boost; }
    GradeBar > .grade-bar--fail { color: $text-error; }
    GradeBar > .grade-bar--pass { color: $text-success; }
    GradeBar > .grade-bar--suggested { background: $accent; color: $text; text-style: bold; }
    GradeBar > .grade-bar--covered { color: $text-success; text-style: bold; }
    GradeBar > .grade-bar--partial { color: $text-warning; text-style: bold; }
    GradeBar > .grade-bar--missing { color: $text-error; text-style: bold; }
    GradeBar > .grade-bar--hint { color: $text-muted; }
    GradeBar > .grade-bar--unsure { color: $text-warning; text-style: bold; }
    """
    COMPONENT_CLASSES = {"grade-bar--fail", "grade-bar--pass", "grade-bar--suggested", "grade-bar--covered",
                         "grade-bar--partial", "grade-bar--missing", "grade-bar--hint", "grade-bar--unsure"}

    verdict: reactive[Verdict | None] = reactive(None, layout=True)
    hint: reactive[str] = reactive("", layout=True)

    def render(self) -> Text:
        suggested = self.verdict.suggested_quality if self.verdict else None
        confident = self.verdict is not None and self.verdict.confident
        wide = self.size.width >= WIDE_ENOUGH_FOR_WORDS
        text = Text()
        for grade in Grade:
            if grade == suggested and confident:
                part = "grade-bar--suggested"
            else:
                part = "grade-bar--pass" if grade.passes else "grade-bar--fail"
            text.append(f"{grade.value} {grade.meaning}", style=self.get_component_rich_style(part))
            text.append(" ")
        if self.verdict is not None and confident:
            text.append(f"  suggested {suggested} ·", style="bold")
        elif self.verdict is not None:
            label = f"  not sure, leans {suggested}" + (": grade it yourself ·" if wide else " ·")
            text.append(label, style=self.get_component_rich_style("grade-bar--unsure"))
        if self.verdict is not None:
            tally = Counter(result.status for result in self.verdict.key_points)
            for status, mark in KEY_POINT_MARKS.items():
                label = f" {mark} {tally[status]} {status}" if wide else f" {mark}{tally[status]}"
                text.append(label, style=self.get_component_rich_style(f"grade-bar--{status}"))
        if self.hint:
            text.append(f"\n{self.hint}", style=self.get_component_rich_style("grade-bar--hint"))
        return text
