"""The daily load in the app (issue 15): enter on a deck studies it alone, a leech is marked with its
keys, x suspends, and the summary offers more (reviews due soon, more new cards) without a new stack."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable, Static
from tui_helpers import MORNING, TODAY, settle, study_screen, wait_until

from recall.deck import load_decks
from recall.store import ReviewInput, Store


def seed(db_path, decks, reviews) -> None:  # noqa: ANN001
    """The decks' cards and `reviews` as (card id, grade, days ago)."""
    with Store(db_path) as store:
        store.sync_cards(load_decks(list(decks)).cards)
        for card_id, grade, days_ago in reviews:
            store.record_review(ReviewInput(card_id, grade), TODAY - timedelta(days=days_ago),
                                MORNING - timedelta(days=days_ago))


def card_state(db_path, card_id):  # noqa: ANN001, ANN201
    with Store(db_path) as store:
        return store.card(card_id)


async def on_screen(pilot, name: str):  # noqa: ANN001, ANN201
    await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == name, what=f"the {name}")
    return pilot.app.screen


LEECH_HISTORY = [("nn.saturation", grade, days_ago) for grade, days_ago in
                 ((4, 9), (0, 8), (4, 7), (0, 6), (4, 5), (0, 4), (4, 3), (0, 2))]  # 4 lapses, due yesterday


async def test_enter_on_a_deck_studies_that_deck_alone(make_app, small_deck, write_deck):
    other = write_deck("other.toml", "x.one", "x.two", deck="Other")
    async with make_app(card_paths=(small_deck, other)).run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: pilot.app.screen.query("#decks") and
                         pilot.app.screen.query_one("#decks", DataTable).row_count == 2, what="the decks")
        pilot.app.screen.query_one("#decks", DataTable).focus()
        await pilot.press("down", "enter")
        screen = await study_screen(pilot, "x.one")
        assert screen.session.plan.deck == "Other"
        assert [item.card.id for item in screen.session.queue] == ["x.one", "x.two"]
        assert screen.sub_title == "deck Other"  # the header says what the session covers


async def test_a_leech_is_marked_in_the_session_and_x_suspends_it(make_app, db_path, small_deck):
    seed(db_path, [small_deck], LEECH_HISTORY)
    async with make_app(start="study").run_test(size=(80, 24)) as pilot:
        screen = await study_screen(pilot, "nn.saturation")
        subtitle = screen.query_one("#prompt", Static).border_subtitle
        assert subtitle == "nn.saturation · LEECH, forgotten 4×: x suspend, e edit"
        await pilot.press("escape", "x")
        await study_screen(pilot, "nn.softmax")
        assert screen.query_one("#prompt", Static).border_subtitle == "nn.softmax"
    card = card_state(db_path, "nn.saturation")
    assert (card.suspended, card.reviews, card.lapses) == (True, 8, 4)


async def test_the_leech_threshold_comes_from_the_settings(make_app, db_path, small_deck):
    seed(db_path, [small_deck], LEECH_HISTORY)
    async with make_app(start="study", leech_lapses=5).run_test(size=(80, 24)) as pilot:
        screen = await study_screen(pilot, "nn.saturation")
        assert screen.query_one("#prompt", Static).border_subtitle == "nn.saturation"


async def test_more_new_cards_from_the_summary_then_back_to_the_dashboard(make_app):
    async with make_app(start="study", new_per_day=1).run_test(size=(80, 24)) as pilot:
        await study_screen(pilot, "nn.saturation")
        await pilot.press("escape", "5")
        summary = await on_screen(pilot, "SummaryScreen")
        await wait_until(pilot, lambda: "more new" in str(summary.query_one("#summary-more", Static).content),
                         what="the offer")
        assert str(summary.query_one("#summary-more", Static).content) == (
            "More, if you want:\nn  1 more new card (tomorrow still brings 1 new)")
        await pilot.press("n")
        screen = await study_screen(pilot, "nn.softmax")
        assert [item.kind for item in screen.session.queue] == ["new"]
        await pilot.press("escape", "5")
        await on_screen(pilot, "SummaryScreen")
        await pilot.press("escape")
        await on_screen(pilot, "DashboardScreen")
        assert len(pilot.app.screen_stack) == 1


async def test_review_ahead_from_the_summary(make_app, db_path, small_deck):
    seed(db_path, [small_deck], [("nn.overfitting", 5, 4), ("nn.overfitting", 5, 3)])  # due in 3 days
    async with make_app(start="study", new_per_day=0).run_test(size=(80, 24)) as pilot:
        summary = await on_screen(pilot, "SummaryScreen")
        await wait_until(pilot, lambda: "review the" in str(summary.query_one("#summary-more", Static).content),
                         what="the offer")
        assert "a  review the 1 card due in the next 7 days" in str(summary.query_one("#summary-more", Static).content)
        await pilot.press("a")
        screen = await study_screen(pilot, "nn.overfitting")
        assert [item.kind for item in screen.session.queue] == ["review"]


async def test_browse_marks_leeches_and_x_suspends_and_brings_back(make_app, db_path, small_deck):
    seed(db_path, [small_deck], LEECH_HISTORY)
    async with make_app().run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await wait_until(pilot, lambda: pilot.app.screen.query(DataTable) and
                         pilot.app.screen.query_one(DataTable).row_count == 3, what="the cards")
        table = pilot.app.screen.query_one(DataTable)

        def prompt() -> str:
            return table.row_cells("nn.saturation")["prompt"]

        assert prompt().startswith("LEECH: ")
        table.focus()
        table.move_cursor(row=table.get_row_index("nn.saturation"))
        await pilot.press("x")
        await wait_until(pilot, lambda: prompt().startswith("SUSPENDED LEECH: "), what="the suspended mark")
        assert card_state(db_path, "nn.saturation").suspended
        await pilot.press("x")
        await wait_until(pilot, lambda: prompt().startswith("LEECH: "), what="the card back")
        assert not card_state(db_path, "nn.saturation").suspended


def test_summary_offering_more_at_80x24(snap_compare, make_app, db_path, small_deck):
    seed(db_path, [small_deck], [("nn.overfitting", 5, 4), ("nn.overfitting", 5, 3)])  # due in 3 days

    async def study_one(pilot) -> None:  # noqa: ANN001
        await study_screen(pilot, "nn.saturation")
        await pilot.press("escape", "4")
        summary = await on_screen(pilot, "SummaryScreen")
        await wait_until(pilot, lambda: summary.query_one("#summary-more", Static).display, what="the offer")
        await settle(pilot)

    assert snap_compare(make_app(start="study", new_per_day=1), run_before=study_one, terminal_size=(80, 24))


def test_the_summary_says_what_drills_do_under_each_scheduler():
    from recall.study import SessionSummary
    from recall.tui.screens.summary import summary_text

    summary = SessionSummary(3, 3.0, (("nn.softmax", TODAY),))
    assert summary_text(summary).endswith("(SM-2 step 7): 2. They change nothing in the schedule.")
    assert summary_text(summary, "fsrs").endswith("(SM-2 step 7): 2. FSRS counts them as same-day reviews.")


async def test_the_dashboard_counts_new_cards_as_a_session_would(make_app, small_deck, write_deck):
    from recall.tui.widgets.stat_tile import StatTile

    other = write_deck("other.toml", "x.one", "x.two", deck="Other")
    app = make_app(card_paths=(small_deck, other), new_per_day=4, deck_new_per_day={"Small": 1})
    async with app.run_test(size=(80, 24)) as pilot:
        tile = pilot.app.screen.query_one("#new-available", StatTile)
        await wait_until(pilot, lambda: tile.value is not None, what="the numbers")
        assert tile.value == "3"  # 1 of Small's 3, then both of Other's
