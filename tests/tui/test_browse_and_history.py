"""Browse (search and filters, a card's detail with its history) and History (reviews, export)."""

from __future__ import annotations

import csv
from datetime import timedelta

from textual.widgets import Collapsible, DataTable, Input, Markdown, Select, Static
from tui_helpers import MORNING, TODAY, wait_until

from recall.deck import load_decks
from recall.store import ReviewInput, Store


def seed_reviews(db_path, small_deck) -> None:  # noqa: ANN001
    """Two days of reviews: saturation twice (with explanations and feedback), softmax once."""
    with Store(db_path) as store:
        store.sync_cards(load_decks([small_deck]).cards)
        yesterday = TODAY - timedelta(days=1)
        store.record_review(ReviewInput("nn.saturation", 3, suggested_quality=3, answer="flat tails, slow",
                                        feedback="Mostly right: **sigma'(z) is tiny**.", grader="offline"),
                            yesterday, MORNING - timedelta(days=1))
        store.record_review(ReviewInput("nn.saturation", 5, answer="tiny derivative in the tails",
                                        feedback="All there.", grader="claude", model="claude-haiku-5-5"),
                            TODAY, MORNING)
        store.record_review(ReviewInput("nn.softmax", 2, answer="probabilities"), TODAY,
                            MORNING + timedelta(minutes=5))


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


async def open_browse(pilot) -> DataTable:  # noqa: ANN001
    await pilot.press("b")
    await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "BrowseScreen"
                     and pilot.app.screen.query_one(DataTable).row_count > 0, what="the card table")
    return pilot.app.screen.query_one(DataTable)


async def test_browse_searches_and_filters_the_cards(make_app, db_path, small_deck):
    seed_reviews(db_path, small_deck)
    app = make_app()
    async with app.run_test(size=(130, 30)) as pilot:  # wide enough for every column
        table = await open_browse(pilot)
        assert [row[0] for row in rows(table)] == ["nn.saturation", "nn.softmax", "nn.overfitting"]
        assert rows(table)[0][1:] == ["Small", "What is a saturated sigmoid neuron?", "2026-12-04", "6d", "2.46",
                                      "2", "0"]
        await pilot.press("slash", *"probability")  # in the softmax card's answer
        await wait_until(pilot, lambda: table.row_count == 1, what="the search to narrow the table")
        assert rows(table)[0][0] == "nn.softmax"
        assert str(app.screen.query_one("#browse-count", Static).content) == "1 of 3 cards match"
        app.screen.query_one("#search", Input).value = ""
        app.screen.query_one("#tag-filter", Select).value = "ch3"
        await wait_until(pilot, lambda: table.row_count == 1 and rows(table)[0][0] == "nn.saturation",
                         what="the tag filter")


async def test_a_cards_detail_shows_its_answer_and_every_past_review(make_app, db_path, small_deck):
    seed_reviews(db_path, small_deck)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_browse(pilot)
        table.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(pilot.app.screen.query(Collapsible)) == 2, what="the review history")
        detail = pilot.app.screen
        card_text = detail.query_one("#card-text", Markdown).source
        assert "sigma(z) sits on a flat tail" in card_text and "press **d** to run it" in card_text
        newest, oldest = detail.query(Collapsible)
        assert newest.title == "2026-11-28 09:00 · scheduled · grade 5 · claude" and not newest.collapsed
        assert oldest.title == "2026-11-27 09:00 · scheduled · grade 3 (suggested 3) · offline" and oldest.collapsed
        assert "tiny derivative in the tails" in newest.query_one(Markdown).source
        await pilot.press("escape")
        assert type(pilot.app.screen).__name__ == "BrowseScreen"


async def open_history(pilot) -> DataTable:  # noqa: ANN001
    await pilot.press("h")
    await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "HistoryScreen"
                     and pilot.app.screen.query_one(DataTable).row_count > 0, what="the review table")
    return pilot.app.screen.query_one(DataTable)


async def test_history_lists_reviews_newest_first_and_exports_them(make_app, db_path, small_deck, tmp_path):
    seed_reviews(db_path, small_deck)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        table = await open_history(pilot)
        assert [row[:5] for row in rows(table)] == [
            ["2026-11-28 09:05", "nn.softmax", "Small", "scheduled", "2"],
            ["2026-11-28 09:00", "nn.saturation", "Small", "scheduled", "5"],
            ["2026-11-27 09:00", "nn.saturation", "Small", "scheduled", "3"]]
        screen = pilot.app.screen
        assert screen.query_one("#reviews-chart").series.values[-2:] == (1.0, 2.0)
        assert screen.query_one("#grades-chart").series.values[-2:] == (3.0, 3.5)
        target = tmp_path / "out" / "reviews.csv"
        target.parent.mkdir()
        screen.query_one("#export-path", Input).value = str(target)
        table.focus()
        await pilot.press("x")
        status = screen.query_one("#export-status", Static)
        await wait_until(pilot, lambda: str(status.content).startswith("Exported"), what="the export")
        assert str(status.content) == f"Exported 3 reviews as csv to {target}"
        with target.open(newline="", encoding="utf-8") as handle:
            exported = list(csv.DictReader(handle))
        assert [row["card_id"] for row in exported] == ["nn.saturation", "nn.saturation", "nn.softmax"]


async def test_an_export_that_cannot_be_written_says_why(make_app, db_path, small_deck, tmp_path):
    seed_reviews(db_path, small_deck)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_history(pilot)
        screen = pilot.app.screen
        screen.query_one("#export-format", Select).value = "anki"
        path_input = screen.query_one("#export-path", Input)
        await wait_until(pilot, lambda: path_input.value.endswith(".apkg"), what="the .apkg suffix")
        path_input.value = str(tmp_path / "missing" / "reviews.apkg")
        path_input.focus()
        await pilot.press("enter")
        status = screen.query_one("#export-status", Static)
        await wait_until(pilot, lambda: "does not exist" in str(status.content), what="the export error")
        assert not (tmp_path / "missing").exists()
