"""Deck files: what loads, and every problem named with its file and card."""

from __future__ import annotations

from pathlib import Path

import pytest

from recall.config import bundled_cards_dir
from recall.deck import (
    MAX_KEY_POINTS, MAX_MISCONCEPTIONS, Card, DeckSet, claim_ids, digest, load_decks, parse_deck, parse_decks,
)


def load(*paths: Path) -> DeckSet:
    return load_decks(list(paths))


def only_problem(decks: DeckSet) -> str:
    """The single problem's text, asserting there is exactly one."""
    assert len(decks.problems) == 1, [str(p) for p in decks.problems]
    return str(decks.problems[0])


def test_a_valid_deck_loads_in_file_order_with_its_name(write_deck):
    path = write_deck("d.toml", "b.two", {"id": "a.one", "tags": ["x", "y"], "demo": "softmax"}, deck="My deck")
    decks = load(path)
    assert decks.problems == []
    assert [c.id for c in decks.cards] == ["b.two", "a.one"]
    card = decks.cards[1]
    assert (card.deck, card.tags, card.demo, card.source) == ("My deck", ("x", "y"), "softmax", path)
    assert card.key_points == ("the key point of a.one",)


def test_deck_name_defaults_to_the_file_stem(write_deck):
    assert load(write_deck("chapter-two.toml", "c.one")).cards[0].deck == "chapter-two"


def test_directories_are_searched_recursively_in_sorted_order(write_deck, tmp_path):
    write_deck("b.toml", "from.b")
    write_deck("a.toml", "from.a")
    write_deck("sub/c.toml", "from.c")
    write_deck("notes.txt", text="not a deck")
    decks = load(tmp_path / "decks")
    assert [c.id for c in decks.cards] == ["from.a", "from.b", "from.c"]
    assert [p.name for p in decks.files] == ["a.toml", "b.toml", "c.toml"]


def test_toml_syntax_error_gives_line_and_column(write_deck):
    path = write_deck("broken.toml", text='[[card]]\nid = "x"\nprompt = "unterminated\n')
    message = only_problem(load(path))
    assert message.startswith(f"{path}: error: TOML syntax error")
    assert "line 3" in message and "column" in message


@pytest.mark.parametrize(("override", "message"), [
    ({"prompt": None}, "missing `prompt`"),
    ({"prompt": "   "}, "`prompt` is empty"),
    ({"prompt": 42}, "`prompt` must be a string"),
    ({"answer": None}, "missing `answer`"),
    ({"answer": "\n\n"}, "`answer` is empty"),
    ({"key_points": None}, "`key_points` is missing"),
    ({"key_points": []}, "`key_points` is missing"),
    ({"key_points": ["fine", " "]}, "has an empty entry"),
    ({"key_points": "one string"}, "`key_points` must be a list of strings"),
    ({"key_points": [f"point {i}" for i in range(MAX_KEY_POINTS + 1)]}, "9 key points: at most 8"),
    ({"tags": "ch1"}, "`tags` must be a list of strings"),
    ({"core": 2}, "`core` is 2, but the card has 1 key point: use 1"),
    ({"core": 0, "key_points": ["a", "b", "c"]}, "`core` is 0, but the card has 3 key points: use 1 to 3"),
    ({"core": 4, "key_points": ["a", "b", "c"]}, "`core` is 4, but the card has 3 key points: use 1 to 3"),
    ({"core": -1}, "`core` is -1"),
    ({"core": "1"}, "`core` must be an integer: the number of the key point that carries the mechanism"),
    ({"core": 1.0}, "`core` must be an integer"),
    ({"core": True}, "`core` must be an integer"),
    ({"core": [1]}, "`core` must be an integer"),
    ({"misconceptions": "one string"}, "`misconceptions` must be a list of strings"),
    ({"misconceptions": [1]}, "`misconceptions` must be a list of strings"),
    ({"misconceptions": []}, "`misconceptions` is empty or has an empty entry (1 to 6 are allowed; leave the "
                             "field out for none)"),
    ({"misconceptions": ["fine", "  "]}, "`misconceptions` is empty or has an empty entry"),
    ({"misconceptions": [f"wrong idea {i}" for i in range(MAX_MISCONCEPTIONS + 1)]},
     "7 misconceptions: at most 6 are allowed"),
])
def test_a_bad_field_is_an_error_naming_file_and_card_and_skips_only_that_card(write_deck, override, message):
    path = write_deck("d.toml", "ok.first", {"id": "bad.card", **override}, "ok.last")
    decks = load(path)
    assert [c.id for c in decks.cards] == ["ok.first", "ok.last"]
    text = only_problem(decks)
    assert text.startswith(f"{path}: card 2 (bad.card): error: ") and message in text
    problem = decks.problems[0]
    assert (problem.path, problem.card_index, problem.card_id, problem.severity) == (path, 1, "bad.card", "error")


def test_core_and_misconceptions_are_optional_and_load_into_the_card(write_deck):
    path = write_deck("d.toml", "plain", {"id": "marked", "key_points": ["one", "two", "three"], "core": 3,
                                          "misconceptions": [" wrong idea ", "another"]})
    decks = load(path)
    assert decks.problems == []
    plain, marked = decks.cards
    assert (plain.core, plain.misconceptions) == (None, ())
    assert (marked.core, marked.misconceptions) == (3, ("wrong idea", "another"))


def test_six_misconceptions_are_allowed(write_deck):
    wrong = [f"wrong idea {i}" for i in range(MAX_MISCONCEPTIONS)]
    assert len(load(write_deck("d.toml", {"id": "many", "misconceptions": wrong})).cards[0].misconceptions) == 6


def test_with_bad_key_points_only_they_are_reported_not_the_core_number(write_deck):
    message = only_problem(load(write_deck("d.toml", {"id": "c", "key_points": ["ok", ""], "core": 3})))
    assert "`key_points` is missing or has an empty entry" in message


def test_core_and_misconceptions_are_part_of_the_content_hash(write_deck):
    path = write_deck("d.toml", {"id": "c", "key_points": ["one", "two"]})
    plain = load(path).cards[0].content_hash
    hashes = {plain}
    for change in ({"core": 1}, {"core": 2}, {"core": 2, "misconceptions": ["wrong"]},
                   {"misconceptions": ["wrong"]}, {"misconceptions": ["wrong", "worse"]}):
        write_deck("d.toml", {"id": "c", "key_points": ["one", "two"], **change})
        hashes.add(load(path).cards[0].content_hash)
    assert len(hashes) == 6


def test_a_card_without_core_or_misconceptions_keeps_the_hash_it_had_before_they_existed():
    card = Card("c", "D", "P?", "A.", ("k",), ("t",), "softmax")
    assert card.content_hash == digest(b'["D", "P?", "A.", ["k"], ["t"], "softmax", null]')


def test_eight_key_points_are_allowed(write_deck):
    points = [f"point {i}" for i in range(MAX_KEY_POINTS)]
    assert len(load(write_deck("d.toml", {"id": "many", "key_points": points})).cards[0].key_points) == 8


@pytest.mark.parametrize("card_id", ["Upper.case", "-leading-dash", ".dot", "with space", "ünicode", ""])
def test_a_malformed_id_is_an_error(write_deck, card_id):
    message = only_problem(load(write_deck("d.toml", {"id": card_id})))
    assert f"malformed id {card_id!r}" in message


def test_a_missing_id_is_an_error(write_deck):
    path = write_deck("d.toml", text='[[card]]\nprompt = "p"\nanswer = "a"\nkey_points = ["k"]\n')
    assert only_problem(load(path)) == f"{path}: card 1: error: missing `id`"


def test_a_duplicate_id_within_a_file_skips_the_later_card_only(write_deck):
    path = write_deck("d.toml", {"id": "same.id", "prompt": "First?"}, "other",
                      {"id": "same.id", "prompt": "Second?"}, "last")
    decks = load(path)
    assert [(c.id, c.prompt) for c in decks.cards] == [("same.id", "First?"), ("other", "Explain other."),
                                                        ("last", "Explain last.")]
    assert only_problem(decks) == f"{path}: card 3 (same.id): error: duplicate id 'same.id' (also card 1)"


def test_a_duplicate_id_across_files_skips_only_the_later_card_and_names_both_files(write_deck):
    first = write_deck("a.toml", "shared", "only.a")
    second = write_deck("b.toml", "only.b", "shared", "also.b")
    decks = load(first, second)
    assert [c.id for c in decks.cards] == ["shared", "only.a", "only.b", "also.b"]
    assert decks.cards[0].source == first
    message = only_problem(decks)
    assert message == f"{second}: card 2 (shared): error: duplicate id 'shared': already defined in {first}"


def test_an_id_the_store_holds_from_its_file_stays_there_and_the_newcomer_card_is_skipped(write_deck):
    newcomer = write_deck("a.toml", "a.one", {"id": "b.one", "prompt": "Hijack?"}, "a.two")
    holder = write_deck("b.toml", "b.one", "b.two")
    decks = load_decks([newcomer.parent], known={"b.one": holder, "b.two": holder})
    assert [(c.id, c.source) for c in decks.cards] == [
        ("a.one", newcomer), ("a.two", newcomer), ("b.one", holder), ("b.two", holder)]
    assert decks.cards[2].prompt == "Explain b.one."
    assert only_problem(decks) == (f"{newcomer}: card 2 (b.one): error: duplicate id 'b.one': already defined "
                                   f"in {holder}")


def test_an_id_whose_known_file_no_longer_defines_it_goes_to_the_file_that_does(write_deck):
    moved_to = write_deck("a.toml", "b.one")
    moved_from = write_deck("b.toml", "b.two")
    decks = load_decks([moved_to.parent], known={"b.one": str(moved_from), "b.two": str(moved_from)})
    assert [(c.id, c.source) for c in decks.cards] == [("b.one", moved_to), ("b.two", moved_from)]
    assert decks.problems == []


def test_an_id_known_from_a_file_not_loaded_goes_to_the_first_file_that_defines_it(write_deck, tmp_path):
    first = write_deck("a.toml", "shared")
    second = write_deck("b.toml", "shared")
    decks = load_decks([first.parent], known={"shared": tmp_path / "gone.toml"})
    assert [c.source for c in decks.cards] == [first]
    assert [p.path for p in decks.errors] == [second]


def test_a_clash_names_the_card_by_its_index_in_the_file(write_deck):
    write_deck("a.toml", "shared")
    second = write_deck("b.toml", {"id": "bad", "prompt": None}, "b.ok", "shared")
    decks = load(second.parent)
    assert [c.id for c in decks.cards] == ["shared", "b.ok"]
    assert [(p.card_index, p.card_id) for p in decks.errors] == [(0, "bad"), (2, "shared")]


def test_claim_ids_takes_bare_ids_for_files_not_parsed_again():
    a, b = Path("a.toml"), Path("b.toml")
    claims = claim_ids([(a, ["x", "shared"]), (b, ["shared", "y"])], known={"shared": b})
    assert claims.kept == [["x"], ["shared", "y"]]
    assert claims.owner == {"x": a, "shared": b, "y": b}
    assert [(str(p), p.card_index) for p in claims.clashes[0]] == [
        ("a.toml: card 2 (shared): error: duplicate id 'shared': already defined in b.toml", 1)]
    assert claims.clashes[1] == []


@pytest.mark.parametrize("demo", ["../x", "os.system", "nn.saturation", "saturation.py", "no-such-demo", 3])
def test_a_demo_must_be_one_of_the_nn_demos_or_a_plain_name(write_deck, demo):
    message = only_problem(load(write_deck("d.toml", {"id": "c", "demo": demo})))
    assert f"demo {demo!r} is not a demo in nn/" in message


def test_a_plain_name_outside_nn_links_one_of_the_learners_demos_and_takes_no_options(write_deck):
    decks = load(write_deck("d.toml", {"id": "c", "demo": "attention_scores"}))
    assert [card.demo for card in decks.cards] == ["attention_scores"] and decks.problems == []
    message = only_problem(load(write_deck("e.toml", {"id": "e", "demo": "attention_scores --eta 1"})))
    assert "one of yours takes no options from a card" in message


def test_an_unknown_field_is_a_warning_and_the_card_loads(write_deck):
    path = write_deck("d.toml", {"id": "c", "hint": "think of the tails"})
    decks = load(path)
    assert [c.id for c in decks.cards] == ["c"]
    assert decks.errors == []
    assert only_problem(decks) == f"{path}: card 1 (c): warning: unknown field `hint` (ignored)"


def test_an_unknown_top_level_field_is_a_warning(write_deck):
    path = write_deck("d.toml", text='author = "me"\n[[card]]\nid = "c"\nprompt = "p"\nanswer = "a"\n'
                                     'key_points = ["k"]\n')
    decks = load(path)
    assert len(decks.cards) == 1
    assert only_problem(decks) == f"{path}: warning: unknown top-level field `author` (ignored)"


def test_a_non_utf8_file_is_an_error(write_deck):
    path = write_deck("latin1.toml", "c")
    path.write_bytes(path.read_bytes().replace(b"reference", "r\u00e9f\u00e9rence".encode("latin-1")))
    assert "not UTF-8 text (bad byte at offset" in only_problem(load(path))


def test_a_binary_file_is_an_error(write_deck):
    path = write_deck("image.toml", text="")
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert only_problem(load(path)) == f"{path}: error: binary file, not a TOML deck"


@pytest.mark.parametrize("text", ["", 'deck = "Empty"\n', "card = []\n"])
def test_a_deck_with_no_cards_is_an_error(write_deck, text):
    path = write_deck("empty.toml", text=text)
    assert only_problem(load(path)) == f"{path}: error: deck has no cards: add [[card]] entries"


def test_card_written_as_a_table_instead_of_an_array_is_an_error(write_deck):
    path = write_deck("d.toml", text='[card]\nid = "c"\n')
    assert "write [[card]]" in only_problem(load(path))


def test_a_missing_path_is_a_problem_not_a_crash(tmp_path):
    missing = tmp_path / "nowhere.toml"
    assert only_problem(load(missing)) == f"{missing}: error: no such deck file or directory"


def test_a_file_that_cannot_be_parsed_is_skipped_whole_and_the_other_decks_load(write_deck):
    good = write_deck("good.toml", "good.one", "good.two")
    bad = write_deck("bad.toml", "bad.one", "bad.two")
    bad.write_text(bad.read_text() + "\n[[card]\n")
    decks = load(bad, good)
    assert [c.id for c in decks.cards] == ["good.one", "good.two"]
    assert [p.path for p in decks.errors] == [bad]


def test_one_bad_card_skips_that_card_not_its_file(write_deck):
    good = write_deck("good.toml", "good.one")
    mixed = write_deck("mixed.toml", "mixed.one", {"id": "mixed.two", "answer": None}, "mixed.three")
    decks = load(mixed, good)
    assert [c.id for c in decks.cards] == ["mixed.one", "mixed.three", "good.one"]
    assert [str(p) for p in decks.errors] == [f"{mixed}: card 2 (mixed.two): error: missing `answer`"]


def test_a_file_whose_every_card_is_bad_gives_no_cards(write_deck):
    path = write_deck("d.toml", {"id": "a", "prompt": None}, {"id": "b", "demo": "no-pe"})
    decks = load(path)
    assert decks.cards == []
    assert [(p.card_id, p.severity) for p in decks.problems] == [("a", "error"), ("b", "error")]


def test_a_bad_deck_name_is_an_error_and_the_cards_load_under_the_file_stem(write_deck):
    path = write_deck("stem.toml", "c.one", deck="  ")
    decks = load(path)
    assert [(c.id, c.deck) for c in decks.cards] == [("c.one", "stem")]
    assert only_problem(decks) == f"{path}: error: `deck` must be a non-empty string (using 'stem')"


@pytest.mark.parametrize("nested", [
    "x = " + "[" * 500 + "]" * 500,
    "x = " + "{a = " * 500 + "1" + "}" * 500,
    '[[card]]\nid = "deep"\nprompt = "p"\nanswer = "a"\nkey_points = ["k"]\ndemo = ' + "[" * 5000 + "]" * 5000,
], ids=["arrays", "inline tables", "a card's field"])
def test_a_deck_nested_too_deeply_is_skipped_with_a_problem_and_the_others_load(write_deck, nested):
    good = write_deck("good.toml", "good.one")
    deep = write_deck("deep.toml", text=nested)
    decks = load(deep, good)
    assert [c.id for c in decks.cards] == ["good.one"]
    assert only_problem(decks) == f"{deep}: error: values nested too deeply to read (arrays or tables inside " \
                                  "one another hundreds of levels deep)"


def test_a_deeply_nested_value_that_parses_is_still_reported_in_a_short_sentence(write_deck):
    path = write_deck("d.toml", text='[[card]]\nid = "c"\nprompt = "p"\nanswer = "a"\nkey_points = ["k"]\n'
                                     "demo = " + "[" * 200 + "]" * 200 + "\n")
    message = only_problem(load(path))
    assert "is not a demo in nn/" in message and len(message) < 300


def test_walking_a_parsed_deck_that_exhausts_the_stack_is_a_problem_not_a_crash(write_deck, monkeypatch):
    import recall.deck

    def too_deep(document, path):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(recall.deck, "_deck_cards", too_deep)
    path = write_deck("d.toml", "c")
    assert "nested too deeply" in only_problem(load(path))


def test_every_problem_in_a_file_is_reported(write_deck):
    path = write_deck("d.toml", {"id": "A", "prompt": None}, {"id": "b", "demo": "../x", "extra": 1})
    messages = [p.message for p in load(path).problems]
    assert len(messages) == 4
    assert any("malformed id" in m for m in messages) and any("missing `prompt`" in m for m in messages)
    assert any("../x" in m for m in messages) and any("unknown field `extra`" in m for m in messages)


def test_content_hash_changes_only_with_the_text(write_deck):
    path = write_deck("d.toml", "c")
    before = load(path).cards[0].content_hash
    assert load(path).cards[0].content_hash == before
    write_deck("d.toml", {"id": "c", "prompt": "Reworded?"})
    assert load(path).cards[0].content_hash != before


def test_the_bundled_deck_loads_cleanly():
    decks = load(bundled_cards_dir())
    assert decks.errors == [], [str(p) for p in decks.errors]
    assert len(decks.cards) >= 5


def test_a_card_may_pass_a_demo_only_the_options_it_lists(write_deck):
    from recall.deck import demo_problem

    assert demo_problem("network --eta 100") is None
    assert "takes no option '--mnist'" in demo_problem("network --mnist /etc")
    assert "is not a demo in nn/" in demo_problem("rm -rf")
    assert "is not a demo in nn/" in demo_problem(["network"])


def test_parsing_in_worker_processes_gives_what_parsing_in_one_gives(write_deck):
    files = [write_deck("a.toml", "a.one", "a.two"), write_deck("b.toml", "b.one", {"id": "b.two", "prompt": None}),
             write_deck("c.toml", text="[[card]\n")]
    batch = [(path, path.read_bytes()) for path in files] + [(files[0].with_name("gone.toml"), None)]
    in_workers = parse_decks(batch, parallel_bytes=0)
    assert in_workers == [parse_deck(path, data) for path, data in batch]
    assert [len(cards) for cards, _problems in in_workers] == [2, 1, 0, 0]
