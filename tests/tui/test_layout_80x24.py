"""Issue 15 §4, a true 80x24: what the snapshots show, asserted as numbers and behaviour: the tables'
columns at a given width, the heatmap's month row, the key points as marked lines (whole and streamed),
the focus order once an explanation is submitted, the palette's order, the grade bar at 60x20."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tui_helpers import study_screen, wait_for_phase, wait_until, write_explanation

from recall.tui.checklist import ChecklistStream, readable_checklist
from recall.tui.columns import Column, fit_columns
from recall.tui.screens.browse import COLUMNS as BROWSE_COLUMNS
from recall.tui.screens.history import COLUMNS as HISTORY_COLUMNS
from recall.tui.widgets.heatmap import WIDTH, first_shown_day, month_row
from recall.tui.widgets.table import Table

# An 80-column table inside a border, with room kept for its scrollbar.
AT_80 = 80 - 2 - 2


def shown(columns, available: int) -> dict[str, int]:  # noqa: ANN001
    return {column.key: width for column, width in fit_columns(columns, available)}


def test_the_columns_that_matter_least_go_first_and_the_flexible_one_takes_the_rest():
    columns = (Column("id", "ID", 10, drop_order=1), Column("text", "Text", 20, flexible=True),
               Column("n", "N", 3), Column("extra", "Extra", 8, drop_order=2))
    assert shown(columns, 100) == {"id": 10, "text": 20 + 100 - 49, "n": 3, "extra": 8}
    assert shown(columns, 40) == {"id": 10, "text": 21, "n": 3}  # extra went; 1 cell to spare
    assert shown(columns, 20) == {"text": 20, "n": 3}  # never narrower than its least width
    assert [column.key for column, _ in fit_columns(columns, 100)] == ["id", "text", "n", "extra"]


def test_browse_shows_the_prompt_and_the_due_date_at_80_columns_and_every_column_wider():
    at_80 = shown(BROWSE_COLUMNS, AT_80)
    assert list(at_80) == ["id", "prompt", "due"]
    assert at_80["prompt"] >= 40 and at_80["due"] == len("2026-12-04")
    assert list(shown(BROWSE_COLUMNS, 130 - 4)) == [column.key for column in BROWSE_COLUMNS]
    layouts = [shown(BROWSE_COLUMNS, width) for width in range(AT_80, 200)]
    assert all(set(narrow) <= set(wide) for narrow, wide in zip(layouts, layouts[1:]))  # more, never less
    assert all(sum(widths.values()) + 2 * len(widths) == width for width, widths in enumerate(layouts, AT_80))


def test_the_history_keeps_its_grader_column_at_80_columns():
    at_80 = shown(HISTORY_COLUMNS, AT_80)
    assert {"when", "card", "grade", "grader", "interval"} <= set(at_80)
    assert at_80["when"] == len("2026-11-27 08:59") and at_80["grader"] >= len("offline")


@pytest.mark.parametrize("today", [date(2026, 12, 1) + timedelta(days=offset) for offset in range(70)])
def test_the_month_row_never_runs_past_the_heatmap(today):
    row = month_row(first_shown_day(today))
    assert len(row) <= WIDTH


def test_a_month_starting_in_the_newest_week_is_named_within_the_heatmap():
    row = month_row(first_shown_day(date(2026, 12, 9)))  # the newest week starts on Monday 7 December
    assert row.endswith("Dec") and len(row) == WIDTH
    assert row.split() == ["Aug", "Sep", "Oct", "Nov", "Dec"]


FEEDBACK = ("Right about the flat tails - [x] this is not a checkbox.\n\n**Key points**\n\n"
            "- [x] **covered**: the derivative is tiny\n- [~] **partial**: learning slows\n"
            "- [ ] **missing**: the cross-entropy cure\n")


def test_key_points_read_as_marked_lines():
    assert readable_checklist(FEEDBACK) == (
        "Right about the flat tails - [x] this is not a checkbox.\n\n**Key points**\n\n"
        "- ✔ **covered**: the derivative is tiny\n- ◐ **partial**: learning slows\n"
        "- ✘ **missing**: the cross-entropy cure\n")


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 13])
def test_streamed_key_points_read_the_same_whatever_the_chunks(size):
    stream = ChecklistStream()
    text = "".join(stream.feed(FEEDBACK[start:start + size]) for start in range(0, len(FEEDBACK), size))
    assert text + stream.flush() == readable_checklist(FEEDBACK)


async def test_the_decks_table_shows_every_deck_and_its_numbers_at_80x24(make_app, write_deck):
    decks = [write_deck(f"deck{n}.toml", f"d{n}.card", deck=f"Deck {n}: a rather long name that would push "
                        "the numbers off an 80-column screen") for n in range(1, 8)]
    app = make_app(card_paths=tuple(decks))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.screen.query("#decks") and app.screen.query_one(Table).row_count == 7,
                         what="seven decks")
        table = app.screen.query_one(Table)
        await wait_until(pilot, lambda: table.shown_columns == ["deck", "cards", "due", "new"],
                         what="the columns")
        assert table.region.bottom <= 23 and table.max_scroll_y == 0  # all seven rows, above the footer
        assert table.max_scroll_x == 0
        assert [str(cell) for cell in table.get_row_at(6)][1:] == ["1", "0", "1"]


async def submitted(pilot, text: str):  # noqa: ANN001, ANN201 - Pilot, StudyScreen
    """The first card's study screen once `text` is graded."""
    screen = await study_screen(pilot, "nn.saturation")
    write_explanation(screen, text)
    await pilot.press("ctrl+j")
    await wait_for_phase(pilot, "graded")
    return screen


async def test_once_submitted_tab_goes_round_the_feedback_and_never_back_into_the_box(make_app):
    """Tab and shift+tab skip the explanation box after ctrl+j, so the digit pressed next grades (it
    would be typed into the box otherwise); i goes back into the box on purpose."""
    app = make_app(start="study")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await submitted(pilot, "Saturation: z is large in magnitude, the sigmoid is flat there.")
        for key in ("tab", "tab", "shift+tab", "r", "tab", "tab", "tab"):
            await pilot.press(key)
            assert screen.focused is not None and screen.focused.id != "explanation", key
        await pilot.press("i")
        assert screen.focused.id == "explanation"
        await pilot.press("escape", "tab", "tab")
        assert screen.focused.id != "explanation"
        await pilot.press("3")
        await study_screen(pilot, "nn.softmax")  # graded, not typed into the box
        assert screen.focused.id == "explanation" and screen.box.can_focus


async def test_the_palette_lists_recalls_commands_before_the_text_boxs_own(make_app):
    """Opened in the explanation box, the palette starts with recall's commands (submit, leave the box,
    help...); Textual's and the text box's own (Copy, Cursor down...) come after them."""
    from textual.command import CommandList, CommandPalette

    app = make_app(start="study")
    async with app.run_test(size=(80, 24)) as pilot:
        await study_screen(pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette)
                         and app.screen.query_one(CommandList).option_count > 10, what="the palette's commands")
        options = app.screen.query_one(CommandList)
        titles = [str(options.get_option_at_index(index).prompt).split("\n")[0]
                  for index in range(options.option_count)]
        recall_titles = [title for title in titles if title in ("Submit", "Leave box", "Help", "Light/dark theme")]
        box_titles = [title for title in titles if title in ("Copy", "Cursor down", "Select all", "Undo")]
        assert len(recall_titles) == 4 and box_titles, titles
        assert titles[0] in recall_titles
        assert max(titles.index(title) for title in recall_titles) < min(titles.index(t) for t in box_titles)


async def test_the_grade_bar_stays_in_view_at_60x20(make_app):
    app = make_app(start="study")
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await submitted(pilot, "When z is large the sigmoid is flat, its derivative tiny, learning slow.")
        bar = screen.query_one("GradeBar")
        footer = screen.query_one("Footer")
        await wait_until(pilot, lambda: bar.region.height >= 2, what="the grade bar's layout")
        assert bar.region.bottom == footer.region.y and footer.region.bottom == 20
        assert screen.query_one("#feedback-box").region.bottom <= bar.region.y
