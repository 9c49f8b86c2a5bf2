"""Rules of deck files (recall/deck.py), one test each, found by mutation testing (bench/mutation.py deck):
the whole line of each problem (file, card and sentence, as `recall check` prints it), that a bad path
or file is skipped and the next one still read, what a parsed card holds, where a demo's name ends, the
content hash's size, and that parsing in one process parses the bytes it is handed."""

from __future__ import annotations

import errno
import io
import os
import sys
from pathlib import Path

import pytest

import recall.deck
from recall.deck import (
    Card,
    Problem,
    deck_files,
    demo_problem,
    digest,
    load_decks,
    parse_deck,
    parse_decks,
    unusable_path,
)

NOT_A_DEMO = "is not a demo in nn/ (`recall demo --list` lists them)"


def problems_of(path: Path) -> list[str]:
    return [str(problem) for problem in parse_deck(path)[1]]


@pytest.mark.parametrize(("toml", "line"), [
    ('card = ["one"]\n', "card 1: error: a [[card]] entry must be a table"),
    ('[[card]]\nid = 5\nprompt = "p"\nanswer = "a"\nkey_points = ["k"]\n', "card 1: error: `id` must be a string"),
    ('[[card]]\nprompt = "p"\nanswer = "a"\nkey_points = ["k"]\n', "card 1: error: missing `id`"),
    ('[[card]]\nid = "Bad id"\nprompt = "p"\nanswer = "a"\nkey_points = ["k"]\n',
     "card 1 (Bad id): error: malformed id 'Bad id': use lowercase letters, digits, '.', '_' and '-', starting with a "
     "letter or digit"),
    ('[[card]]\nid = "c"\nprompt = "p"\nanswer = "a"\nkey_points = ["k", ""]\n',
     "card 1 (c): error: `key_points` is missing or has an empty entry (1 to 8 are required)"),
    ('[[card]]\nid = "c"\nprompt = "p"\nanswer = "a"\nkey_points = ["k"]\ncore = "1"\n',
     "card 1 (c): error: `core` must be an integer: the number of the key point that carries the mechanism"),
    ('[[card]]\nid = "c"\nprompt = "p"\nanswer = "a"\nkey_points = ["1", "2", "3", "4", "5", "6", "7", "8"]\n'
     "core = 9\n", "card 1 (c): error: `core` is 9, but the card has 8 key points: use 1 to 8"),
])
def test_a_bad_card_is_one_line_naming_the_file_the_card_and_what_is_wrong(tmp_path: Path, toml: str,
                                                                            line: str) -> None:
    path = tmp_path / "deck.toml"
    path.write_text(toml, encoding="utf-8")
    assert problems_of(path) == [f"{path}: {line}"]


@pytest.mark.parametrize(("content", "line"), [
    (b'card = "one"\n', "error: `card` must be an array of tables: write [[card]]"),
    (b"id = '\xff'\n", "error: not UTF-8 text (bad byte at offset 6)"),
])
def test_a_file_that_is_no_deck_is_one_line_naming_it(tmp_path: Path, content: bytes, line: str) -> None:
    path = tmp_path / "deck.toml"
    path.write_bytes(content)
    assert problems_of(path) == [f"{path}: {line}"]


def test_a_deck_that_cannot_be_read_names_the_file_and_the_reason(tmp_path: Path) -> None:
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    assert problems_of(folder) == [f"{folder}: error: cannot read: Is a directory"]


def test_a_deck_that_exhausts_the_stack_when_walked_is_named_in_the_problem(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def too_deep(document: dict, path: Path) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(recall.deck, "_deck_cards", too_deep)
    path = tmp_path / "deck.toml"
    path.write_text('deck = "D"\n', encoding="utf-8")
    assert parse_deck(path) == ([], [Problem(path, recall.deck.TOO_DEEP)])


def test_a_card_holds_every_field_of_its_entry_with_its_file_and_place(tmp_path: Path) -> None:
    path = tmp_path / "deck.toml"
    path.write_text('deck = "D"\n[[card]]\nid = "c.one"\nprompt = " Why? "\nanswer = "Because."\n'
                    'key_points = ["first", " second "]\ntags = ["t"]\ndemo = "softmax"\ncore = 2\n'
                    'misconceptions = ["a wrong idea"]\n', encoding="utf-8")
    cards, problems = parse_deck(path)
    assert problems == []
    assert cards == [Card("c.one", "D", "Why?", "Because.", ("first", "second"), ("t",), "softmax", path, 0, 2,
                          ("a wrong idea",))]


def test_a_deck_path_that_cannot_be_read_is_named_and_the_next_path_still_loads(tmp_path: Path) -> None:
    loop = tmp_path / "loop.toml"
    loop.symlink_to(tmp_path / "loop.toml")
    good = tmp_path / "good.toml"
    good.write_text('[[card]]\nid = "c"\nprompt = "p"\nanswer = "a"\nkey_points = ["k"]\n', encoding="utf-8")
    files, problems = deck_files([loop, good])
    assert files == [good]
    assert [str(problem) for problem in problems] == [
        f"{loop}: error: cannot read this deck path (Too many levels of symbolic links)"]


def test_a_deck_path_that_is_neither_file_nor_directory_is_named_with_its_mode_and_the_next_still_loads(
        tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    good = tmp_path / "good.toml"
    good.write_text("", encoding="utf-8")
    files, problems = deck_files([fifo, good])
    assert files == [good]
    assert problems == [Problem(fifo, f"not a deck file or directory (mode {os.stat(fifo).st_mode:o})")]


def test_a_deck_path_whose_name_is_not_utf_8_is_refused_and_the_next_still_loads(tmp_path: Path) -> None:
    bad = tmp_path / os.fsdecode(b"\xff.toml")
    bad.write_text("", encoding="utf-8")
    good = tmp_path / "good.toml"
    good.write_text("", encoding="utf-8")
    files, problems = deck_files([bad, good])
    assert files == [good]
    assert problems == [Problem(bad, "the deck path's name is not valid UTF-8: rename it")]


def test_a_directory_whose_listing_fails_without_naming_a_file_is_reported_as_that_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """os.walk passes on an error of reading a directory's entries, which may carry no file name."""
    def failing_walk(top: str, onerror):  # noqa: ANN001, ANN202 - os.walk's signature
        onerror(OSError(errno.EIO, "Input/output error"))
        return iter(())

    monkeypatch.setattr(recall.deck.os, "walk", failing_walk)
    assert deck_files([tmp_path]) == ([], [Problem(tmp_path, "cannot read this directory (Input/output error)")])


@pytest.mark.parametrize(("demo", "problem"), [
    ("network\t--eta 100", f"demo 'network\\t--eta 100' {NOT_A_DEMO}"),
    ("mine\t--x 1", f"demo 'mine\\t--x 1' {NOT_A_DEMO}"),
    ("mine --x 1", f"demo 'mine --x 1' {NOT_A_DEMO}, and one of yours takes no options from a card"),
    ("network --mnist /etc", "demo 'network --mnist /etc': demo 'network' takes no option '--mnist' (it takes "
                             "--seed, --eta, --epochs, --hidden, --mini-batch-size, --cost, --init, --train-size, "
                             "--size)"),
])
def test_a_demos_name_ends_at_the_first_space_and_each_problem_quotes_the_field(demo: str, problem: str) -> None:
    assert demo_problem(demo) == problem


def test_the_content_hash_is_blake2b_of_128_bits() -> None:
    """Stored with every card: a different hash would make the next sync rewrite every card."""
    assert digest(b"") == "cae66941d9efbd404e4d88758ea67670"


def test_parsing_in_one_process_parses_the_bytes_handed_over_and_reads_the_file_only_when_none_are(
        tmp_path: Path) -> None:
    """The caller has read the bytes once (to hash them); the file may have changed since."""
    path = tmp_path / "deck.toml"
    path.write_text('[[card]]\nid = "on.disk"\nprompt = "p"\nanswer = "a"\nkey_points = ["k"]\n', encoding="utf-8")
    handed = b'[[card]]\nid = "handed"\nprompt = "p"\nanswer = "a"\nkey_points = ["k"]\n'
    parsed = parse_decks([(path, handed), (path, None)])
    assert [[(card.id, card.source) for card in cards] for cards, _problems in parsed] == [
        [("handed", path)], [("on.disk", path)]]
    assert load_decks([path]).cards[0].id == "on.disk"


def test_parsing_many_files_in_workers_gives_each_files_result_in_order(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Nine files on two workers go out in chunks (whole numbers of files) and come back in order."""
    monkeypatch.setattr(recall.deck.os, "cpu_count", lambda: 2)
    batch = []
    for number in range(9):
        path = tmp_path / f"deck{number}.toml"
        path.write_text(f'[[card]]\nid = "c{number}"\nprompt = "p"\nanswer = "a"\nkey_points = ["k"]\n',
                        encoding="utf-8")
        batch.append((path, path.read_bytes()))
    parsed = parse_decks(batch, parallel_bytes=0)
    assert [[card.id for card in cards] for cards, _problems in parsed] == [[f"c{n}"] for n in range(9)]


def test_the_refusal_of_a_deck_path_carries_the_problem_it_names(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    _files, problems = deck_files([missing])
    refusal = unusable_path(problems)
    assert refusal is not None and refusal.problem == Problem(missing, "no such deck file or directory")
    assert str(refusal) == f"no such deck file or directory: {missing} (check --cards or RECALL_CARDS)"


class _Stream:
    """A stand-in for sys.stderr whose file descriptor is `descriptor` (an exception to raise, or a number)."""

    def __init__(self, descriptor: int | Exception) -> None:
        self.descriptor = descriptor

    def fileno(self) -> int:
        if isinstance(self.descriptor, Exception):
            raise self.descriptor
        return self.descriptor


@pytest.mark.parametrize(("stderr", "can_start"), [
    (_Stream(2), True), (_Stream(0), True),        # any descriptor, 0 included
    (_Stream(-1), False),                         # Textual's stand-in while the app runs
    (_Stream(io.UnsupportedOperation("fileno")), False), (None, False),
])
def test_worker_processes_are_started_only_when_stderr_has_a_file_descriptor(
        stderr: object, can_start: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """multiprocessing's resource tracker hands its process stderr's descriptor: without one, spawning
    raises, so the decks are parsed in this process."""
    monkeypatch.setattr(sys, "stderr", stderr)
    assert recall.deck._workers_can_start() is can_start


def test_no_worker_process_is_started_while_stderr_has_no_file_descriptor(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """However large the batch: spawning would raise (see tests/test_parse_under_app.py, in a fresh process)."""
    import concurrent.futures

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    monkeypatch.setattr(recall.deck.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(sys, "stderr", _Stream(-1))
    path = tmp_path / "deck.toml"
    path.write_text('[[card]]\nid = "c"\nprompt = "p"\nanswer = "a"\nkey_points = ["k"]\n', encoding="utf-8")
    parsed = parse_decks([(path, None), (path, None)], parallel_bytes=0)
    assert [[card.id for card in cards] for cards, _problems in parsed] == [["c"], ["c"]]
