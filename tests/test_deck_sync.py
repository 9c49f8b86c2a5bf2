"""Syncing the store with the deck files under the card rules: an id the store holds stays with its
file (a newcomer's duplicate card is the one left out, nothing else), a card left out comes back once
its clash or error is gone, and a deck path that yields no deck file is refused before anything is
written."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from recall.database_file import StoreError
from recall.deck import load_decks
from recall.store import ReviewInput, Store

TODAY = date(2026, 3, 1)


def age(*paths: Path) -> None:
    """Date the files well in the past, so their fingerprints are trusted at once."""
    for path in paths:
        os.utime(path, ns=(1_700_000_000 * 10**9, 1_700_000_000 * 10**9))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "recall.db") as opened:
        yield opened


def errors(synced) -> list[str]:  # noqa: ANN001 - DeckSync
    return [str(problem) for problem in synced.problems if problem.severity == "error"]


def test_a_new_file_reusing_a_known_id_loses_only_that_card_and_the_known_card_keeps_its_history(
        store, write_deck):
    holder = write_deck("b.toml", "b.one", "b.two")
    decks = holder.parent
    store.sync_decks([decks])
    store.record_review(ReviewInput("b.one", 4), TODAY)
    newcomer = write_deck("a.toml", "a.one", {"id": "b.one", "prompt": "Hijack?"}, "a.two")  # sorts first
    synced = store.sync_decks([decks])
    assert errors(synced) == [f"{newcomer}: card 2 (b.one): error: duplicate id 'b.one': already defined in "
                              f"{holder}"]
    assert [(card.id, card.source) for card in store.cards()] == [
        ("a.one", str(newcomer)), ("a.two", str(newcomer)), ("b.one", str(holder)), ("b.two", str(holder))]
    b_one = store.card("b.one")
    assert (b_one.prompt, b_one.reviews) == ("Explain b.one.", 1)
    assert (synced.report.added, synced.report.retired) == (2, 0)


def test_the_clash_is_reported_at_every_sync_until_it_is_fixed(store, write_deck):
    holder = write_deck("b.toml", "b.one")
    age(holder)
    decks = holder.parent
    store.sync_decks([decks])
    age(write_deck("a.toml", "a.one", "b.one"))
    first, second = store.sync_decks([decks]), store.sync_decks([decks])
    assert errors(first) == errors(second) and len(errors(second)) == 1
    assert second.report.added == second.report.updated == second.report.retired == 0


def test_a_card_left_out_for_a_clash_loads_once_the_other_file_lets_go_of_the_id(store, write_deck):
    holder = write_deck("b.toml", "b.one", "b.two")
    age(holder)
    decks = holder.parent
    store.sync_decks([decks])
    store.record_review(ReviewInput("b.one", 4), TODAY)
    newcomer = write_deck("a.toml", {"id": "b.one", "prompt": "Moved here?"})
    age(newcomer)
    store.sync_decks([decks])
    write_deck("b.toml", "b.two")  # the id now lives only in a.toml, which did not change
    synced = store.sync_decks([decks])
    assert errors(synced) == []
    b_one = store.card("b.one")
    assert (b_one.source, b_one.prompt, b_one.retired, b_one.reviews) == (str(newcomer), "Moved here?", False, 1)
    assert store.sync_decks([decks]).parsed_files == 0


def test_a_card_with_an_error_is_left_out_and_its_file_still_loads(store, write_deck):
    path = write_deck("d.toml", "d.one", {"id": "d.two", "answer": None}, "d.three")
    synced = store.sync_decks([path.parent])
    assert errors(synced) == [f"{path}: card 2 (d.two): error: missing `answer`"]
    assert [card.id for card in store.cards()] == ["d.one", "d.three"]
    write_deck("d.toml", "d.one", "d.two", "d.three")
    assert [card.id for card in store.cards()] == ["d.one", "d.three"]
    assert errors(store.sync_decks([path.parent])) == []
    assert [card.id for card in store.cards()] == ["d.one", "d.two", "d.three"]


def test_deleting_a_file_that_had_a_card_left_out_retires_its_cards(store, write_deck):
    kept = write_deck("a.toml", "a.one")
    age(kept)
    other = write_deck("b.toml", "a.one", "b.two")
    age(other)
    decks = kept.parent
    store.sync_decks([decks])
    assert not store.card("b.two").retired
    other.unlink()
    assert store.sync_decks([decks]).report.retired == 1
    assert store.card("b.two").retired and not store.card("a.one").retired


def test_the_store_and_load_decks_with_its_holders_agree(store, write_deck):
    write_deck("m.toml", "m.one", "shared")
    store.sync_decks([write_deck("z.toml", "z.one").parent])
    decks = write_deck("a.toml", "shared", "a.one").parent
    holders = {row.id: row.source for row in store.cards() if row.source}
    synced = store.sync_decks([decks])
    expected = load_decks([decks], known=holders)
    assert [str(p) for p in synced.problems] == [str(p) for p in expected.problems]
    assert [(card.id, card.source) for card in store.cards()] == [
        (card.id, str(card.source)) for card in expected.cards]


@pytest.mark.parametrize("contents", [[], ["notes.txt"]], ids=["empty", "no toml files"])
def test_an_existing_deck_directory_with_no_deck_files_is_refused_and_nothing_is_retired(
        store, write_deck, tmp_path, contents):
    decks = write_deck("d.toml", "d.one", "d.two").parent
    store.sync_decks([decks])
    unmounted = tmp_path / "usb"
    unmounted.mkdir()
    for name in contents:
        (unmounted / name).write_text("notes")
    with pytest.raises(StoreError, match=f"no deck files \\(\\*.toml\\) in this directory: {unmounted} "
                                         "\\(check --cards or RECALL_CARDS\\)"):
        store.sync_decks([unmounted])
    with pytest.raises(StoreError, match="no deck files"):
        store.sync_decks([decks, unmounted])
    assert [(card.id, card.retired) for card in store.cards(include_retired=True)] == [
        ("d.one", False), ("d.two", False)]


def test_a_missing_deck_path_is_still_refused_with_the_same_sentence(store, tmp_path):
    with pytest.raises(StoreError, match=f"^no such deck file or directory: {tmp_path / 'typo'} "
                                         "\\(check --cards or RECALL_CARDS\\)$"):
        store.sync_decks([tmp_path / "typo"])


def test_a_deck_file_whose_name_is_not_utf8_is_skipped_and_the_sync_writes_the_rest(store, write_deck):
    good = write_deck("good.toml", "good.one")
    bad = good.parent / (os.fsdecode(b"bad\xff") + ".toml")
    bad.write_bytes(good.read_bytes().replace(b"good.one", b"bad.one"))
    synced = store.sync_decks([good.parent])
    assert [card.id for card in store.cards()] == ["good.one"]
    assert [str(p) for p in synced.problems] == [f"{good.parent}/bad\\xff.toml: warning: file name is not "
                                                 "valid UTF-8: rename it; this deck was skipped"]


# -- editing files syncs only them, with the same result as reading every file ------------------------

EDITS = {
    "a prompt reworded": {"b.toml": ("b.one", {"id": "b.two", "prompt": "Reworded?"}, "b.three")},
    "a card added and one removed": {"b.toml": ("b.zero", "b.one", "b.three")},
    "an id moved between two edited files": {"a.toml": ("a.one", "a.two", "b.two"), "b.toml": ("b.one", "b.three")},
    "an id another file holds": {"c.toml": ("c.one", "a.one")},
    "a card with an error": {"b.toml": ("b.one", {"id": "b.two", "prompt": None}, "b.three")},
    "a file left with no card": {"b.toml": ({"id": "b.one", "answer": None},)},
    "two files edited": {"a.toml": ("a.two",), "c.toml": ("c.one", "c.two", "c.three")},
}


def card_table(store: Store) -> list[tuple]:
    return store.conn.execute("SELECT id, deck, prompt, source, position, content_hash, retired FROM cards "
                              "ORDER BY id").fetchall()


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_editing_files_gives_the_cards_a_sync_of_every_file_gives(tmp_path, write_deck, edit):
    files = {"a.toml": ("a.one", "a.two"), "b.toml": ("b.one", "b.two", "b.three"), "c.toml": ("c.one",)}
    for name, cards in files.items():
        age(write_deck(name, *cards))
    decks = tmp_path / "decks"
    with Store(tmp_path / "edited.db") as edited, Store(tmp_path / "reread.db") as reread:
        for store in (edited, reread):
            store.sync_decks([decks])
        for name, cards in edit.items():
            age(write_deck(name, *cards))
        reread.conn.execute("DELETE FROM deck_files")  # forget every file: all are parsed and compared
        synced, reference = edited.sync_decks([decks]), reread.sync_decks([decks])
        assert synced.parsed_files == len(edit)
        assert card_table(edited) == card_table(reread)
        assert errors(synced) == errors(reference)
        assert (synced.report.added, synced.report.retired) == (reference.report.added, reference.report.retired)
        assert synced.report.added + synced.report.updated + synced.report.unchanged == len(
            reread.active_card_ids())
        assert edited.sync_decks([decks]).parsed_files == (1 if errors(synced) else 0)
