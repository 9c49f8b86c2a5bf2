"""The app around the screens: the dashboard's numbers, deck problems, help, the command palette,
themes, $EDITOR where the terminal cannot be handed over, and a first frame without anthropic."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import date, datetime, timedelta, timezone

from textual.widgets import DataTable, Markdown
from tui_helpers import MORNING, TODAY, record_notifications, study_screen, wait_until

from recall.deck import load_decks
from recall.store import ReviewInput, Store
from recall.tui.app import RecallApp
from recall.tui.screens.browse import BrowseScreen
from recall.tui.screens.card_detail import CardDetailScreen
from recall.tui.screens.dashboard import DashboardScreen
from recall.tui.screens.help import HelpScreen
from recall.tui.screens.history import HistoryScreen
from recall.tui.screens.study import StudyScreen
from recall.tui.screens.summary import SummaryScreen
from recall.tui.widgets.explanation_box import ExplanationBox
from recall.tui.widgets.heatmap import ReviewHeatmap
from recall.tui.widgets.stat_tile import StatTile


def tiles(screen) -> dict[str, str]:  # noqa: ANN001
    return {tile.border_title: tile.value for tile in screen.query(StatTile)}


async def dashboard_loaded(pilot) -> DashboardScreen:  # noqa: ANN001
    await wait_until(pilot, lambda: pilot.app.screen.query_one("#streak", StatTile).value is not None,
                     what="the dashboard's numbers")
    return pilot.app.screen


async def test_the_dashboard_shows_today_the_streak_the_forecast_and_the_decks(make_app, db_path, small_deck):
    with Store(db_path) as store:
        store.sync_cards(load_decks([small_deck]).cards)
        for days_ago in (2, 1, 0):  # a card a day for three days: a 3-day streak
            card_id = ("nn.saturation", "nn.softmax", "nn.overfitting")[days_ago]
            store.record_review(ReviewInput(card_id, 4), TODAY - timedelta(days=days_ago),
                                MORNING - timedelta(days=days_ago))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await dashboard_loaded(pilot)
        # Each was new (interval 1): overfitting is overdue, softmax due today, saturation tomorrow.
        assert tiles(screen) == {"Due today": "2", "New available": "0", "Reviewed today": "1",
                                 "Streak": "3 days"}
        heatmap = screen.query_one(ReviewHeatmap)
        assert heatmap.counts == {TODAY - timedelta(days=n): 1 for n in (0, 1, 2)}
        assert screen.query_one("#forecast").series.values[:3] == (2.0, 1.0, 0.0)
        decks = screen.query_one("#decks", DataTable)  # its rows are added once its columns are fitted
        await wait_until(pilot, lambda: decks.row_count > 0, what="the decks table's rows")
        assert [str(cell) for cell in decks.get_row_at(0)] == ["Small", "3", "2", "0"]
        assert screen.sub_title == "3 cards · Saturday 28 November 2026"


async def test_the_dashboard_shows_the_study_day_from_its_first_frame(settings_for):
    """At 02:00 with days starting at 04:00 it is still the 27th: the heatmap ends on that study day from
    the first frame, before the store has opened (not on the calendar's date, nor on the machine's)."""
    app = RecallApp(settings_for(day_starts_at=4), clock=lambda: datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc))
    app.open_store = lambda: None  # the store never opens: what shows is the first frame's
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), what="the dashboard")
        heatmap = app.screen.query_one(ReviewHeatmap)
        assert heatmap.counts is None  # no numbers yet
        assert heatmap.today == date(2026, 11, 27) == app.today


async def test_a_bad_deck_file_is_told_and_the_good_ones_still_load(make_app, write_deck, small_deck):
    write_deck("broken.toml", text="[[card]]\nid = 'x'\nprompt = \n")
    app = make_app(card_paths=(small_deck.parent,))
    notes = record_notifications(app)
    async with app.run_test() as pilot:
        screen = await dashboard_loaded(pilot)
        assert tiles(screen)["New available"] == "3"
        await wait_until(pilot, lambda: any("deck problem" in note for note in notes), what="the warning")
        [warning] = [note for note in notes if "deck problem" in note]
        assert "broken.toml" in warning and "recall check" in warning


async def test_the_dashboard_keys_open_every_screen(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await dashboard_loaded(pilot)
        # From the study screen, the first esc leaves the explanation box.
        for key, screen_type, escapes in (("b", BrowseScreen, 1), ("h", HistoryScreen, 1),
                                          ("question_mark", HelpScreen, 1), ("s", StudyScreen, 2)):
            await pilot.press(key)
            await wait_until(pilot, lambda: isinstance(app.screen, screen_type), what=screen_type.__name__)
            if screen_type is StudyScreen:
                await study_screen(pilot)
            await pilot.press(*["escape"] * escapes)
            await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), what="the dashboard")


async def test_help_lists_every_binding_of_every_screen(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        text = app.screen.query_one(Markdown).source
        for holder in (type(app), DashboardScreen, StudyScreen, ExplanationBox, SummaryScreen, BrowseScreen,
                       CardDetailScreen, HistoryScreen, HelpScreen):
            for binding in holder.BINDINGS:
                assert binding.tooltip and binding.tooltip in text, (holder.__name__, binding.action)
        assert "ctrl+j" in text and "SM-2 step 7" in text


def palette_offers(app, title: str) -> bool:  # noqa: ANN001
    """The command palette is open and lists exactly one command, `title`."""
    from textual.command import CommandList, CommandPalette

    if not isinstance(app.screen, CommandPalette):
        return False
    commands = app.screen.query_one(CommandList)
    return commands.option_count == 1 and title in str(commands.get_option_at_index(0).prompt)


async def test_the_command_palette_offers_the_actions_that_apply_now(make_app):
    app = make_app(start="study")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await study_screen(pilot)
        titles = {command.title for command in app.get_system_commands(screen)}
        assert {"Submit", "Leave box", "Help", "Light/dark theme", "Theme", "Quit"} <= titles
        assert "Keep grade" not in titles  # nothing to keep yet
        await pilot.press("escape")
        titles = {command.title for command in app.get_system_commands(screen)}
        assert {"Grade 0: forgot", "Grade 5: easy", "Answer", "Demo", "Skip", "Back"} <= titles
        await pilot.press("ctrl+p")
        await pilot.press(*"Skip")
        await wait_until(pilot, lambda: palette_offers(app, "Skip"), what="the palette to offer Skip")
        await pilot.press("enter")
        await study_screen(pilot, "nn.softmax")


async def test_ctrl_t_switches_between_the_dark_and_the_light_theme(make_app):
    app = make_app(theme="textual-light")
    async with app.run_test() as pilot:
        assert app.theme == "textual-light"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"


async def test_the_deck_editor_key_says_so_where_the_terminal_cannot_be_handed_over(make_app, monkeypatch):
    monkeypatch.setenv("EDITOR", "true")
    app = make_app(start="study")
    notes = record_notifications(app)
    async with app.run_test() as pilot:
        await study_screen(pilot)
        await pilot.press("escape", "e")
        await wait_until(pilot, lambda: notes, what="a notification")
        assert "cannot hand over to an editor" in notes[-1] and "small.toml" in notes[-1]


FIRST_FRAME_PROBE = textwrap.dedent("""
    import asyncio, json, sys
    from datetime import date
    from pathlib import Path
    from recall.config import Settings
    from recall.tui.app import RecallApp
    from recall.tui.screens.dashboard import DashboardScreen

    HEAVY = ("anthropic", "numpy", "sqlite_utils", "recall.store", "recall.grading")
    seen = {}
    compose = DashboardScreen.compose

    def probe(self):
        seen["first_frame"] = [name for name in HEAVY if name in sys.modules]
        return compose(self)

    DashboardScreen.compose = probe
    db, deck = sys.argv[1:3]
    settings = Settings(db_path=Path(db), card_paths=(Path(deck),), grader="claude", api_key="test-key")

    async def main():
        app = RecallApp(settings, today=date(2026, 11, 28))
        async with app.run_test() as pilot:
            while app.screen.query_one("#streak").value is None:
                await pilot.pause(0.02)
            seen["dashboard_loaded"] = [name for name in HEAVY if name in sys.modules]

    asyncio.run(main())
    print(json.dumps(seen))
""")


def test_the_first_frame_comes_before_anthropic_numpy_or_the_store_are_imported(tmp_path, small_deck):
    """And the dashboard never needs anthropic at all (grading is where it is imported, off the UI thread)."""
    result = subprocess.run([sys.executable, "-c", FIRST_FRAME_PROBE, str(tmp_path / "recall.db"), str(small_deck)],
                            capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["first_frame"] == []
    assert "anthropic" not in seen["dashboard_loaded"] and "recall.store" in seen["dashboard_loaded"]


async def test_a_missing_deck_path_stops_the_app_before_any_card_is_retired(make_app, db_path, small_deck, tmp_path):
    with Store(db_path) as store:
        store.sync_cards(load_decks([small_deck]).cards)
    app = make_app(card_paths=(tmp_path / "typo.toml",))
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: app.return_code == 1, what="the app to stop")
    with Store(db_path) as store:
        assert len(store.cards()) == 3
