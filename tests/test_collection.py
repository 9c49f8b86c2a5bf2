"""Opening the collection: one use case for both front ends, telling the learner what needs fixing."""

from __future__ import annotations

import os

from recall.collection import open_collection
from recall.config import load_settings


def test_opening_reports_errors_and_a_skipped_file_but_not_card_warnings(tmp_path, write_deck):
    good = write_deck("good.toml", "g.one", {"id": "g.two", "colour": "red"})  # a card warning: not reported
    write_deck("bad.toml", "b.one", {"id": "b.two", "prompt": None})  # a card error: reported
    (good.parent / os.fsdecode(b"odd\xff.toml")).write_text(good.read_text())  # skipped file: reported
    settings = load_settings({"db": str(tmp_path / "recall.db"), "cards": [str(good.parent)]}, {})
    store, report = open_collection(settings)
    with store:
        assert sorted(card.id for card in store.cards()) == ["b.one", "g.one", "g.two"]
    assert sorted(line.split(": ", 1)[1] for line in report.deck_problems) == [
        "card 2 (b.two): error: missing `prompt`",
        "warning: file name is not valid UTF-8: rename it; this deck was skipped",
    ]
    assert report.migration_backup is None
