"""Drafting cards from notes in the app: the palette's command, the proposals reviewed one by one
(a duplicate starts rejected), the accepted ones appended to the deck's file; offline, one sentence."""

from __future__ import annotations

from pathlib import Path

from fake_messages_api import StreamedReply
from textual.widgets import DataTable, Input, Static
from tui_helpers import wait_until

from recall.config import user_decks_dir
from recall.deck import parse_deck

NOTES = "# Attention\n\nScores grow with d_k, so they are divided by sqrt(d_k).\n"
DRAFTED = {"cards": [
    {"prompt": "Why divide attention scores by sqrt(d_k)?", "answer": "Scores grow with d_k.",
     "key_points": ["scores grow with d_k", "dividing keeps softmax unsaturated"], "demo": "saturation"},
    {"prompt": "What is a saturated sigmoid neuron?", "answer": "A duplicate.", "key_points": ["dup"], "demo": ""},
    {"prompt": "Why several heads?", "answer": "Different relations.", "key_points": ["relations"], "demo": ""},
]}


async def open_draft_review(pilot, notes: Path):  # noqa: ANN001, ANN201
    from recall.tui.screens.draft_review import DraftReviewScreen

    await pilot.press("ctrl+p")
    await pilot.press(*"Draft cards")
    await pilot.pause()
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, DraftReviewScreen), what="the draft screen")
    screen = pilot.app.screen
    screen.query_one("#draft-notes", Input).value = str(notes)
    await pilot.press("enter")
    return screen


async def test_proposals_are_accepted_or_rejected_and_the_accepted_written(make_app, claude_settings, api,
                                                                           small_deck, tmp_path):
    folder = user_decks_dir()
    folder.mkdir(parents=True)
    (folder / "attention.toml").write_text('deck = "attention"\n\n[[card]]\nid = "attention.old"\n'
                                           'prompt = "Old?"\nanswer = "Old."\nkey_points = ["old"]\n')
    notes = tmp_path / "attention.md"
    notes.write_text(NOTES)
    api.script(StreamedReply.json(DRAFTED, input_tokens=300))
    app = make_app(card_paths=(small_deck, folder), **claude_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_draft_review(pilot, notes)
        table = screen.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == 3, what="the proposals")
        assert [table.get_row_at(n)[0] for n in range(3)] == ["✔ accept", "✘ reject", "✔ accept"]
        assert table.get_row_at(1)[2] == "duplicate of nn.saturation"
        assert "300 tokens in" in str(screen.query_one("#draft-status", Static).content)
        await pilot.press("a", "r", "r")  # accept the first, reject the duplicate (again) and the third
        assert [table.get_row_at(n)[0] for n in range(3)] == ["✔ accept", "✘ reject", "✘ reject"]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: pilot.app.screen is not screen, what="the screen to close")
        row = await app.database.query(lambda store: store.card("attention.divide-attention-scores-by-sqrt-d"))
    assert row is not None and row.demo == "saturation"
    cards, _ = parse_deck(folder / "attention.toml")
    assert [card.id for card in cards] == ["attention.old", "attention.divide-attention-scores-by-sqrt-d"]
    assert cards[1].core == 1 and cards[1].tags == ("attention",)
    assert "<notes>" in api.requests[0].body["messages"][0]["content"]


async def test_offline_the_screen_says_it_needs_a_model(make_app, tmp_path):
    notes = tmp_path / "attention.md"
    notes.write_text(NOTES)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_draft_review(pilot, notes)
        status = screen.query_one("#draft-status", Static)
        await wait_until(pilot, lambda: "drafting needs a grader model" in str(status.content), what="the refusal")
        assert screen.query_one(DataTable).row_count == 0
