"""Key points as the learner reads them: a mark that needs no colour (✔ covered, ◐ partial, ✘ missing).

The graders write each key point as a Markdown task item (`- [x] **covered**: ...`), which Textual's
Markdown shows raw. `readable_checklist` turns a whole text's task items into marked lines (stored
feedback, in the card detail); `ChecklistStream` does it to streamed text, holding back only the start
of a line that could still become a task item.
"""

from __future__ import annotations

import re

KEY_POINT_MARKS = {"covered": "✔", "partial": "◐", "missing": "✘"}
TASK_STATUS = {"x": "covered", "~": "partial", " ": "missing"}
TASK_ITEM = re.compile(r"^( *[-*+] )\[([x~ ])\] ", re.MULTILINE)
TASK_OPENINGS = tuple(f"{bullet} [{box}] " for bullet in "-*+" for box in TASK_STATUS)


def readable_checklist(markdown: str) -> str:
    """Every task item's box replaced by its status mark."""
    return TASK_ITEM.sub(lambda item: f"{item[1]}{KEY_POINT_MARKS[TASK_STATUS[item[2]]]} ", markdown)


def could_open_task_item(line_start: str) -> bool:
    """Whether more text could make this start of a line a task item."""
    stripped = line_start.lstrip(" ")
    return any(opening.startswith(stripped) and opening != stripped for opening in TASK_OPENINGS)


class ChecklistStream:
    """`feed(chunk)` returns the text to show now; `flush()` what was held back, at the end."""

    def __init__(self) -> None:
        self._held = ""  # the start of a line, not shown yet
        self._mid_line = False  # whether the held text (or the next chunk) continues a line already shown

    def feed(self, chunk: str) -> str:
        text = self._held + chunk
        last_line = text.rfind("\n") + 1
        tail = text[last_line:]
        at_line_start = last_line > 0 or not self._mid_line
        if at_line_start and could_open_task_item(tail):
            self._held, text = tail, text[:last_line]
        else:
            self._held = ""
        shown = self._convert(text)
        if text:
            self._mid_line = not text.endswith("\n")
        return shown

    def flush(self) -> str:
        held, self._held = self._held, ""
        return self._convert(held)

    def _convert(self, text: str) -> str:
        """Task items of `text`, which continues the current line when one is open."""
        if not self._mid_line:
            return readable_checklist(text)
        head, newline, rest = text.partition("\n")
        return head + newline + readable_checklist(rest)
