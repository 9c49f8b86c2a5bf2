"""The Stats screen (issue 15, section 3): `t` on the dashboard opens the progress charts, a tab each,
with the same numbers as `recall stats`; snapshots at 80x24 in the dark and light themes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, TabbedContent
from tui_helpers import MORNING, TODAY, settle, wait_until

from recall.deck import load_decks
from recall.store import ReviewInput, Store
from recall.tui.widgets.progress_chart import ProgressChart

GRADES = (4, 5, 2, 4, 3, 1, 5)


@pytest.fixture
def history(db_path, small_deck) -> None:
    """Five weeks of reviews in a fixed pattern, 40 s each; softmax and overfitting lapse."""
    cards = ("nn.saturation", "nn.softmax", "nn.overfitting")
    with Store(db_path) as store:
        store.sync_cards(load_decks([small_deck]).cards)
        for days_ago in range(35, 0, -1):
            card = cards[days_ago % 3]
            store.record_review(ReviewInput(card, GRADES[days_ago % 7], duration_ms=40_000),
                                TODAY - timedelta(days=days_ago), MORNING - timedelta(days=days_ago))


async def stats_loaded(pilot) -> None:  # noqa: ANN001
    await pilot.press("t")
    await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "StatsScreen", what="the stats screen")
    await wait_until(pilot, lambda: pilot.app.screen.query_one("#chart-reviews", ProgressChart).series is not None,
                     what="the charts")
    await settle(pilot)


async def test_t_opens_the_charts_with_the_collections_numbers(make_app, history):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await stats_loaded(pilot)
        reviews = app.screen.query_one("#chart-reviews", ProgressChart).series
        assert len(reviews.values) == 30 and sum(reviews.values) == 29  # one a day, today's none yet
        minutes = app.screen.query_one("#chart-minutes", ProgressChart).series
        assert minutes.values[-2] == pytest.approx(0.7)  # 40 s yesterday
        tabs = app.screen.query_one(TabbedContent)
        await pilot.press("n")
        assert tabs.active == "tab-retention"
        await pilot.press("p", "p")
        assert tabs.active == "tab-hardest"
        table = app.screen.query_one("#hardest", DataTable)
        assert table.row_count >= 1
        table.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "CardDetailScreen", what="the card")


def test_stats_snapshot(snap_compare, make_app, history):
    assert snap_compare(make_app(), run_before=stats_loaded, terminal_size=(80, 24))


def test_stats_snapshot_light_hardest(snap_compare, make_app, history):
    async def hardest(pilot) -> None:  # noqa: ANN001
        await stats_loaded(pilot)
        await pilot.press("p")
        await settle(pilot)

    assert snap_compare(make_app(theme="textual-light"), run_before=hardest, terminal_size=(80, 24))


def test_stats_snapshot_no_color_retention(snap_compare, make_app, history, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")

    async def retention(pilot) -> None:  # noqa: ANN001
        await stats_loaded(pilot)
        await pilot.press("n")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=retention, terminal_size=(80, 24))
