"""A sync stores a card's key points, tags and misconceptions as the JSON `json.dumps(..., ensure_ascii=False)`
writes (`recall.json_text`, a faster route to the same text): every string, however odd, is stored so and
read back unchanged."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from recall.deck import Card
from recall.json_text import json_text
from recall.store import Store

AWKWARD = ('say "why"', "back\\slash", "tab\tand\nnewline", "\x00\x1f\x7f", "é σ′(z) 日本", "\u2028\u2029\x85",
           "emoji 🧠", "")


@given(st.lists(st.text()))
def test_any_strings_are_written_as_json_dumps_writes_them(items):
    assert json_text(items) == json.dumps(items, ensure_ascii=False)


def test_a_synced_card_stores_its_lists_as_json_dumps_and_reads_them_back(tmp_path):
    card = Card("odd.card", "Odd", "Prompt?", "Answer.", AWKWARD, tags=("a b", 'q"'), misconceptions=AWKWARD[::-1])
    with Store(tmp_path / "recall.db") as store:
        store.sync_cards([card])
        stored = store.read("SELECT key_points, tags, misconceptions FROM cards WHERE id = 'odd.card'")[0]
        assert stored == tuple(json.dumps(list(value), ensure_ascii=False)
                               for value in (card.key_points, card.tags, card.misconceptions))
        read = store.card("odd.card")
    assert (read.key_points, read.tags, read.misconceptions) == (card.key_points, card.tags, card.misconceptions)
