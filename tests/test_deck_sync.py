"""Syncing the store with the deck files: a deck path that yields no deck file is refused before
anything is written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recall.database_file import StoreError
from recall.store import Store



@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "recall.db") as opened:
        yield opened


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
