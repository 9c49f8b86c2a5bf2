"""Property tests with hypothesis: the deck parser never raises on any input, SM-2's invariants hold
through the store, an incremental deck sync always equals a full one, and exports give back the text
that was stored."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recall.deck import (CARD_ID_PATTERN, KNOWN_CARD_FIELDS, MAX_KEY_POINTS, Card, deck_files, load_decks,
                         parse_deck, unusable_path)
from recall.export import FORMULA_TRIGGERS, export_reviews
from recall.scheduler import PASS_MARK
from recall.sm2 import MIN_EASINESS_CENTI
from recall.store import ReviewInput, Store, StoreError

DECK_PATH = Path("fuzzed.toml")  # parse_deck is given the bytes; the path only names problems
TODAY = date(2026, 3, 1)
NOON = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_sound(cards: list[Card], problems: list) -> None:
    """What a parse may return: problems naming the file, and the cards that passed every rule (a card
    with an error is left out, so a file with errors may still give cards)."""
    assert all(problem.path == DECK_PATH and str(problem) for problem in problems)
    left_out = {problem.card_index for problem in problems if problem.severity == "error"}
    if None in left_out:  # an error about the whole file
        assert cards == [] or all(p.message.startswith("`deck` must be") for p in problems
                                  if p.severity == "error" and p.card_index is None)
    assert not left_out & {card.index for card in cards}
    for card in cards:
        assert CARD_ID_PATTERN.fullmatch(card.id)
        assert card.prompt.strip() and card.answer.strip() and card.deck.strip()
        assert 1 <= len(card.key_points) <= MAX_KEY_POINTS and all(card.key_points)
    assert len({card.id for card in cards}) == len(cards)


@FUZZ
@given(st.binary(max_size=3000))
def test_the_deck_parser_never_raises_on_any_bytes(data):
    assert_sound(*parse_deck(DECK_PATH, data))


TOML_FRAGMENTS = ['[[card]]', '[card]', 'deck = "D"', 'deck = 3', 'id = "a.b"', 'id = "A B"', 'prompt = "P?"',
                  'answer = """', '"""', 'answer = "A."', 'key_points = ["k"]', 'key_points = [', ']',
                  'tags = ["t", 1]', 'demo = "saturation"', 'demo = "rm -rf"', '[card.nested]', 'x = 1979-05-27',
                  '"\\u00e9" = 1', "literal = 'a'", 'key_points = []', '# comment', '=', '"', '\\']


@FUZZ
@given(st.lists(st.sampled_from(TOML_FRAGMENTS) | st.text(max_size=12), max_size=25))
def test_the_deck_parser_never_raises_on_near_toml_text(lines):
    assert_sound(*parse_deck(DECK_PATH, "\n".join(lines).encode()))


toml_scalars = st.one_of(
    st.text(max_size=40), st.sampled_from(["", "  ", "ok.id", "Valid prompt?", "saturation", "UPPER", "a b"]),
    st.integers(), st.floats(allow_nan=False), st.booleans(), st.dates(), st.datetimes(),
)
toml_values = st.recursive(toml_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(min_size=1, max_size=8), inner, max_size=3), max_leaves=8)
card_keys = st.sampled_from(sorted(KNOWN_CARD_FIELDS)) | st.text(min_size=1, max_size=10)
card_tables = st.dictionaries(card_keys, toml_values | st.lists(st.text(max_size=30), max_size=10), max_size=8)
deck_documents = st.fixed_dictionaries({}, optional={
    "deck": toml_values, "card": st.lists(card_tables, max_size=5) | toml_values,
    "extra": toml_values,
})


@FUZZ
@given(deck_documents)
def test_the_deck_parser_never_raises_on_well_formed_toml_with_wrong_content(document):
    assert_sound(*parse_deck(DECK_PATH, tomli_w.dumps(document).encode()))


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=1, max_size=40))
def test_sm2_invariants_hold_through_the_store(grades):
    """Easiness never drops below 1.3, a scheduled review leaves an interval of at least a day, a
    failing grade resets the repetitions, a passing one adds one, and a drill changes no schedule."""
    with Store(":memory:") as store:
        store.sync_cards([Card("fuzz.card", "Fuzz", "P?", "A.", ("k",))])
        for day, (quality, drill) in enumerate(grades):
            before = store.card("fuzz.card")
            kind = "drill" if drill and before.reviews else "scheduled"
            today = TODAY + timedelta(days=day)
            saved = store.record_review(ReviewInput("fuzz.card", quality, kind), today, NOON)
            after = store.card("fuzz.card")
            assert after.easiness_centi >= MIN_EASINESS_CENTI
            assert after.reviews == before.reviews + 1
            if kind == "drill":
                assert after.state == before.state and after.due == before.due
                continue
            assert after.interval >= 1 and after.due == today + timedelta(days=after.interval) == saved.due
            if quality < PASS_MARK:
                assert (after.repetitions, after.interval) == (0, 1)
            else:
                assert after.repetitions == before.repetitions + 1


# -- an incremental deck sync equals a full one -----------------------------------------------------

ids = st.sampled_from(["a.one", "a.two", "b.one", "b.two", "shared"])
file_names = st.sampled_from(["a.toml", "b.toml", "sub/c.toml"])
operations = st.one_of(
    st.tuples(st.just("write"), file_names, st.lists(ids, max_size=3), st.sampled_from(["P1?", "P2?"])),
    st.tuples(st.just("delete"), file_names),
    st.tuples(st.just("touch"), file_names),
    st.tuples(st.just("garble"), file_names),
)


def deck_text(card_ids: list[str], prompt: str) -> str:
    return "".join(f'[[card]]\nid = "{card_id}"\nprompt = "{prompt}"\nanswer = "A."\nkey_points = ["k"]\n\n'
                   for card_id in card_ids)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operations, min_size=1, max_size=8))
def test_an_incremental_sync_always_equals_parsing_every_file(steps):
    """Files are written (duplicate ids within and across files included), deleted, touched or made
    invalid; after each step the store synced incrementally holds exactly what a store synced by
    parsing every file holds, retired cards included, in the same order."""
    with tempfile.TemporaryDirectory() as folder:
        decks = Path(folder) / "decks"
        (decks / "sub").mkdir(parents=True)
        clock = 1_700_000_000 * 10**9  # distinct fingerprints, all old enough to be trusted
        with Store(Path(folder) / "incremental.db") as incremental, Store(Path(folder) / "full.db") as full:
            for step in steps:
                path = decks / step[1]
                if step[0] == "write":
                    path.write_text(deck_text(step[2], step[3]))
                elif step[0] == "garble" and path.exists():
                    path.write_text("[[card]\nnot toml")
                elif step[0] == "delete":
                    path.unlink(missing_ok=True)
                if path.exists():
                    clock += 10**9
                    os.utime(path, ns=(clock, clock))
                holders = {row.id: row.source for row in full.cards() if row.source}
                full_decks = load_decks([decks], known=holders)
                if unusable_path(deck_files([decks])[1]):  # no deck file left: refused, nothing retired
                    with pytest.raises(StoreError, match="no deck files"):
                        incremental.sync_decks([decks])
                    errors = ["refused"]
                    continue
                synced = incremental.sync_decks([decks])
                full.sync_cards(full_decks.cards)
                assert incremental.cards(include_retired=True) == full.cards(include_retired=True)
                errors = [str(p) for p in synced.problems if p.severity == "error"]
                assert errors == [str(p) for p in full_decks.errors]
            if not errors:
                assert incremental.sync_decks([decks]).parsed_files == 0


# -- exports give back the stored text ----------------------------------------------------------------


def exported(store: Store, fmt: str) -> str:
    stream = io.StringIO()
    export_reviews(store, fmt, stream=stream)
    return stream.getvalue()


def as_written_to_csv(text: str) -> str:
    """The csv writer's guard against spreadsheet formulas: a leading apostrophe on risky text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


@FUZZ
@given(st.lists(st.tuples(st.text(), st.text()), min_size=1, max_size=4))
def test_exports_round_trip_answer_and_feedback(texts):
    with Store(":memory:") as store:
        store.sync_cards([Card("fuzz.card", "Fuzz", "P?", "A.", ("k",))])
        for answer, feedback in texts:
            store.record_review(ReviewInput("fuzz.card", 4, answer=answer, feedback=feedback), TODAY, NOON)
        from_json = [(row["answer"], row["feedback"]) for row in json.loads(exported(store, "json"))]
        from_jsonl = [(row["answer"], row["feedback"]) for row in map(json.loads, exported(store, "jsonl")
                                                                      .split("\n")[:-1])]
        from_csv = [(row["answer"], row["feedback"])
                    for row in csv.DictReader(io.StringIO(exported(store, "csv"), newline=""))]
    assert from_json == from_jsonl == texts
    assert from_csv == [(as_written_to_csv(answer), as_written_to_csv(feedback)) for answer, feedback in texts]
