"""The card form: `E` edits a card in place (only its table rewritten, id and history kept), `n` writes a
new one to its deck's file in the user decks folder; a card that does not parse is not saved and the text
stays in the form."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static, TextArea
from tui_helpers import MORNING, TODAY, record_notifications, settle, wait_until

from recall.config import user_decks_dir
from recall.deck import load_decks, parse_deck
from recall.store import ReviewInput, Store

COMMENTED = '''# My deck: keep this comment.
deck = "Mine"

# first card
[[card]]
id = "mine.first"
prompt = "What does a softmax layer output?"   # keep me too
answer = "A probability distribution."
key_points = ["positive outputs", "they sum to one"]
tags = ["ch3"]

# second card
[[card]]
id = "mine.second"
prompt = "What is overfitting?"
answer = "Memorising the training data."
key_points = ["train accuracy up, test accuracy flat"]
'''


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "mine" / "mine.toml"
    path.parent.mkdir()
    path.write_text(COMMENTED)
    return path


async def form_on(pilot, card_id: str | None = None):  # noqa: ANN001, ANN201
    from recall.tui.screens.card_form import CardFormScreen

    def ready() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, CardFormScreen) and (card_id is None or screen.card is not None)

    await wait_until(pilot, ready, what="the card form")
    return pilot.app.screen


async def browse_with_rows(pilot) -> None:  # noqa: ANN001
    await pilot.press("b")
    await wait_until(pilot, lambda: getattr(pilot.app.screen, "all_cards", None), what="the card list")
    await wait_until(pilot, lambda: pilot.app.screen.query_one("#cards").row_count > 0, what="the rows")


async def test_editing_a_card_rewrites_only_its_table_and_keeps_its_history(make_app, deck, db_path):
    with Store(db_path) as store:
        store.sync_cards(load_decks([deck]).cards)
        store.record_review(ReviewInput("mine.first", 4), TODAY, MORNING)
    app = make_app(card_paths=(deck,))
    async with app.run_test(size=(80, 24)) as pilot:
        await browse_with_rows(pilot)
        await pilot.press("E")
        form = await form_on(pilot, "mine.first")
        assert form.query_one("#form-key-points", TextArea).text == "positive outputs\nthey sum to one"
        assert form.query_one("#form-deck", Input).disabled
        form.query_one("#form-prompt", Input).value = "Why does softmax output a distribution?"
        form.query_one("#form-key-points", TextArea).text = "- outputs are positive\n- they sum to one\n"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: pilot.app.screen is not form, what="the form to close")
        row = await app.database.query(lambda store: store.card("mine.first"))
    assert row.prompt == "Why does softmax output a distribution?" and row.reviews == 1
    assert row.key_points == ("outputs are positive", "they sum to one") and row.tags == ("ch3",)
    text = deck.read_text()
    assert text.startswith("# My deck: keep this comment.\ndeck = \"Mine\"\n\n# first card\n[[card]]\n")
    assert text.endswith(COMMENTED[COMMENTED.index("\n# second card"):])
    cards, problems = parse_deck(deck)
    assert problems == [] and [card.id for card in cards] == ["mine.first", "mine.second"]


async def test_a_card_that_does_not_parse_is_not_saved_and_the_text_stays(make_app, deck):
    app = make_app(card_paths=(deck,))
    async with app.run_test(size=(80, 24)) as pilot:
        await browse_with_rows(pilot)
        await pilot.press("E")
        form = await form_on(pilot, "mine.first")
        form.query_one("#form-demo", Input).value = "rm -rf /"
        form.query_one("#form-prompt", Input).value = "A changed prompt?"
        await pilot.press("ctrl+s")
        message = form.query_one("#form-message", Static)
        await wait_until(pilot, lambda: "Not saved" in str(message.content), what="the error")
        assert "is not a demo in nn/" in str(message.content)
        assert pilot.app.screen is form and form.query_one("#form-prompt", Input).value == "A changed prompt?"
    assert deck.read_text() == COMMENTED


async def test_n_writes_a_new_card_to_its_decks_file_and_the_app_loads_it(make_app, small_deck):
    folder = user_decks_dir()
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text(COMMENTED)  # an empty folder is no deck path
    app = make_app(card_paths=(small_deck, folder))
    notes = record_notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        form = await form_on(pilot)
        form.query_one("#form-prompt", Input).value = "Why scale attention scores?"
        form.query_one("#form-answer", TextArea).text = "Scores grow with d_k. Softmax saturates."
        await pilot.press("ctrl+o")
        points = form.query_one("#form-key-points", TextArea)
        await wait_until(pilot, lambda: points.text, what="the proposed key points")
        assert points.text == "Scores grow with d_k.\nSoftmax saturates."
        form.query_one("#form-deck", Input).value = "Transformers"
        form.query_one("#form-tags", Input).value = "ch1 attention"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: pilot.app.screen is not form, what="the form to close")
        row = await app.database.query(lambda store: store.card("transformers.scale-attention-scores"))
    assert row is not None and row.deck == "Transformers" and row.tags == ("ch1", "attention")
    assert "Saved transformers.scale-attention-scores." in notes
    [card], _ = parse_deck(folder / "transformers.toml")
    assert card.key_points == ("Scores grow with d_k.", "Softmax saturates.") and card.core is None


def test_the_edit_form_at_80x24(snap_compare, make_app, deck):
    async def open_form(pilot) -> None:  # noqa: ANN001
        await browse_with_rows(pilot)
        await pilot.press("E")
        form = await form_on(pilot, "mine.first")
        for field in form.query(Input):
            field.cursor_blink = False  # settle stills the text areas' cursors; the inputs' too
        await settle(pilot)

    assert snap_compare(make_app(card_paths=(deck,)), run_before=open_form)


async def test_E_in_a_study_session_edits_the_card_and_the_session_shows_it(make_app, deck):
    from tui_helpers import study_screen, write_explanation

    app = make_app(start="study", card_paths=(deck,))
    async with app.run_test(size=(80, 24)) as pilot:
        study = await study_screen(pilot, "mine.first")
        write_explanation(study, "half an explanation")
        study.feedback.focus()  # out of the box: E is a key, not a letter
        await pilot.press("E")
        form = await form_on(pilot, "mine.first")
        form.query_one("#form-prompt", Input).value = "Why is softmax a distribution?"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: pilot.app.screen is study, what="back to the session")
        prompt = study.query_one("#prompt", Static)
        await wait_until(pilot, lambda: str(prompt.content) == "Why is softmax a distribution?",
                         what="the edited prompt")
        assert study.box.text == "half an explanation"
    assert parse_deck(deck)[0][0].prompt == "Why is softmax a distribution?"
