"""Rules of the deck sync (recall/deck_sync.py), one test each, found by mutation testing
(bench/mutation.py deck_sync): what the deck-file cache remembers of a file after a sync, and what a
card added by a sync is stamped with."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from recall.clock import iso_utc
from recall.deck import digest, load_decks
from recall.deck_sync import DECK_PARSER, POSITION_STRIDE, CardSync, DeckSync, SyncReport
from recall.store import Store

PINNED = datetime(2026, 3, 1, 7, 30, tzinfo=timezone.utc)


def aged(path: Path) -> Path:
    """The file dated a minute back, so its mtime is trusted (see RACY_MTIME_NS)."""
    past = time.time_ns() - 60 * 10**9
    os.utime(path, ns=(past, past))
    return path


def remembered(store: Store) -> list[tuple]:
    return store.conn.execute("SELECT path, size, mtime_ns, content_hash, cards, parser, ordinal FROM deck_files "
                              "ORDER BY ordinal").fetchall()


def fingerprint(path: Path, cards: int, ordinal: int, parser: str = DECK_PARSER) -> tuple:
    status = path.stat()
    return (str(path), status.st_size, status.st_mtime_ns, digest(path.read_bytes()), cards, parser, ordinal)


def test_an_edited_file_is_remembered_with_its_new_size_mtime_hash_and_card_count(tmp_path: Path,
                                                                                  write_deck) -> None:
    first = aged(write_deck("a.toml", "a.one", "a.two"))
    second = aged(write_deck("b.toml", "b.one"))
    with Store(tmp_path / "recall.db") as store:
        store.sync_decks([first, second], PINNED)
        aged(write_deck("b.toml", "b.one", {"id": "b.two", "prompt": "A longer prompt than before."}))
        assert store.sync_decks([first, second], PINNED).parsed_files == 1
        assert remembered(store) == [fingerprint(first, 2, 0), fingerprint(second, 2, 1)]


def test_a_file_parsed_by_another_parser_is_remembered_under_the_new_one(tmp_path: Path, write_deck) -> None:
    deck = aged(write_deck("a.toml", "a.one"))
    with Store(tmp_path / "recall.db") as store:
        store.sync_decks([deck], PINNED)
        newer = CardSync(store.conn, store.transaction, parser="recall 99")
        assert newer.sync_decks([deck], iso_utc(PINNED)).parsed_files == 1
        assert remembered(store) == [fingerprint(deck, 1, 0, parser="recall 99")]


def test_a_card_added_to_a_known_file_is_stamped_with_the_sync_s_moment(tmp_path: Path, write_deck) -> None:
    deck = aged(write_deck("a.toml", "a.one"))
    with Store(tmp_path / "recall.db") as store:
        store.sync_decks([deck], PINNED)
        aged(write_deck("a.toml", "a.one", "a.two"))
        store.sync_decks([deck], PINNED.replace(hour=9))
        assert store.conn.execute("SELECT id, added_at FROM cards ORDER BY id").fetchall() == [
            ("a.one", iso_utc(PINNED)), ("a.two", iso_utc(PINNED.replace(hour=9)))]


def test_each_deck_file_s_cards_take_a_block_of_positions_of_their_own(tmp_path: Path, write_deck) -> None:
    first = write_deck("a.toml", "a.one", "a.two")
    second = write_deck("b.toml", "b.one")
    with Store(tmp_path / "recall.db") as store:
        store.sync_cards(load_decks([first, second]).cards, PINNED)
        assert store.conn.execute("SELECT id, position FROM cards ORDER BY position").fetchall() == [
            ("a.one", 0), ("a.two", 1), ("b.one", POSITION_STRIDE)]


def test_an_edit_to_one_file_of_several_writes_only_its_card_and_its_entry(tmp_path: Path, write_deck) -> None:
    decks = [aged(write_deck(f"{name}.toml", f"{name}.one", f"{name}.two")) for name in "abc"]
    with Store(tmp_path / "recall.db") as store:
        store.sync_decks(decks, PINNED)
        aged(write_deck("b.toml", "b.one", {"id": "b.two", "prompt": "Reworded."}))
        writes = store.conn.total_changes
        assert store.sync_decks(decks, PINNED).report.updated == 1
        assert store.conn.total_changes - writes == 2  # the card's row and the file's entry in deck_files


def test_a_retired_card_s_file_holds_its_id_no_longer(tmp_path: Path, write_deck) -> None:
    """Two files define the id at once: the first in order keeps it, not the file it was retired from."""
    first = write_deck("a.toml", "a.one", "x.shared")
    with Store(tmp_path / "recall.db") as store:
        store.sync_decks([first], PINNED)
        write_deck("a.toml", "a.one")                    # x.shared retired
        store.sync_decks([first], PINNED)
        write_deck("a.toml", "a.one", "x.shared")
        before = write_deck("0.toml", "x.shared")
        synced = store.sync_decks([before, first], PINNED)
        assert [problem.path for problem in synced.problems] == [first]
        assert store.card_sources()["x.shared"] == str(before)


def test_syncing_cards_that_only_edits_one_forgets_the_deck_file_cache(tmp_path: Path, write_deck) -> None:
    deck = aged(write_deck("a.toml", "a.one", "a.two"))
    with Store(tmp_path / "recall.db") as store:
        store.sync_decks([deck], PINNED)
        cards = load_decks([deck]).cards
        edited = [replace(cards[0], prompt="Reworded."), cards[1]]
        assert store.sync_cards(edited, PINNED) == SyncReport(0, 1, 0, 1)
        assert remembered(store) == []


def test_an_unchanged_file_keeps_its_trusted_fingerprint_when_another_file_is_added(tmp_path: Path,
                                                                                   write_deck) -> None:
    first = aged(write_deck("a.toml", "a.one"))
    with Store(tmp_path / "recall.db") as store:
        store.sync_decks([first], PINNED)
        second = aged(write_deck("b.toml", "b.one"))
        assert store.sync_decks([first, second], PINNED).parsed_files == 1
        assert remembered(store) == [fingerprint(first, 1, 0), fingerprint(second, 1, 1)]


def test_a_touched_file_is_remembered_with_its_new_mtime(tmp_path: Path, write_deck) -> None:
    deck = aged(write_deck("a.toml", "a.one"))
    with Store(tmp_path / "recall.db") as store:
        store.sync_decks([deck], PINNED)
        earlier = time.time_ns() - 120 * 10**9
        os.utime(deck, ns=(earlier, earlier))
        assert store.sync_decks([deck], PINNED).parsed_files == 0
        assert remembered(store) == [fingerprint(deck, 1, 0)]


def test_a_card_retired_from_an_unchanged_file_stays_retired_when_another_file_comes(tmp_path: Path,
                                                                                    write_deck) -> None:
    first = aged(write_deck("a.toml", "a.one", "a.gone"))
    with Store(tmp_path / "recall.db") as store:
        store.sync_decks([first], PINNED)
        aged(write_deck("a.toml", "a.one"))
        store.sync_decks([first], PINNED)
        second = aged(write_deck("b.toml", "b.one"))
        assert store.sync_decks([first, second], PINNED).report == SyncReport(1, 0, 0, 1)
        assert store.card("a.gone").retired


def test_a_sync_with_nothing_changed_reports_every_card_unchanged(tmp_path: Path, write_deck) -> None:
    decks = [aged(write_deck("a.toml", "a.one", "a.two")), aged(write_deck("b.toml", "b.one"))]
    with Store(tmp_path / "recall.db") as store:
        store.sync_decks(decks, PINNED)
        assert store.sync_decks(decks, PINNED) == DeckSync(SyncReport(0, 0, 0, 3), [], 0)


def test_unchanged_files_given_in_another_order_move_their_cards(tmp_path: Path, write_deck) -> None:
    first, second = aged(write_deck("a.toml", "a.one")), aged(write_deck("b.toml", "b.one", "b.two"))
    with Store(tmp_path / "recall.db") as store:
        store.sync_decks([first, second], PINNED)
        assert store.sync_decks([second, first], PINNED) == DeckSync(SyncReport(0, 3, 0, 0), [], 0)
        assert [card.id for card in store.cards()] == ["b.one", "b.two", "a.one"]
