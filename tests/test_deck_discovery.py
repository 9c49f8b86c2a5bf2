"""Deck discovery (`deck_files`): a named path that yields no deck file is an error, like a missing
one; what a directory holds that cannot be used is a warning naming it, and the rest loads."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from recall.deck import DeckPathError, Problem, deck_files, load_decks, unusable_path
from recall.errors import RecallError

BAD_NAME = os.fsdecode(b"bad\xff")  # a name that is not UTF-8: Python holds the byte as a surrogate


def printable(problems: list[Problem]) -> list[str]:
    """Each problem's text, checked to be valid UTF-8 (what printing it or storing it as text needs)."""
    texts = [str(problem) for problem in problems]
    for text in texts:
        text.encode("utf-8")
    return texts


# -- a named path that yields no deck file is an error -------------------------------------------------


def test_a_missing_path_is_an_error_that_a_writer_refuses_with(tmp_path):
    missing = tmp_path / "typo"
    files, problems = deck_files([missing])
    assert files == [] and printable(problems) == [f"{missing}: error: no such deck file or directory"]
    refusal = unusable_path(problems)
    assert isinstance(refusal, DeckPathError) and isinstance(refusal, RecallError)
    assert str(refusal) == f"no such deck file or directory: {missing} (check --cards or RECALL_CARDS)"


@pytest.mark.parametrize("contents", [[], ["notes.txt", "sub/readme.md"]], ids=["empty", "no toml files"])
def test_an_existing_directory_with_no_deck_files_is_an_error_like_a_missing_path(tmp_path, write_deck,
                                                                                 contents):
    good = write_deck("good.toml", "good.one")
    empty = tmp_path / "unmounted"
    empty.mkdir()
    for name in contents:
        (empty / name).parent.mkdir(parents=True, exist_ok=True)
        (empty / name).write_text("not a deck")
    files, problems = deck_files([good, empty])
    assert files == [good]
    assert printable(problems) == [f"{empty}: error: no deck files (*.toml) in this directory"]
    assert str(unusable_path(problems)) == (f"no deck files (*.toml) in this directory: {empty} "
                                            "(check --cards or RECALL_CARDS)")


def test_check_lists_an_empty_deck_directory_as_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    decks = load_decks([tmp_path / "empty"])
    assert decks.cards == [] and [p.message for p in decks.errors] == ["no deck files (*.toml) in this directory"]


def test_usable_paths_give_no_refusal(write_deck):
    files, problems = deck_files([write_deck("a.toml", "a.one").parent])
    assert len(files) == 1 and problems == [] and unusable_path(problems) is None


def test_a_named_path_whose_name_is_not_utf8_is_an_error_shown_with_its_bytes_escaped(tmp_path):
    folder = tmp_path / BAD_NAME
    folder.mkdir()
    (folder / "a.toml").write_text('[[card]]\nid = "a"\nprompt = "p"\nanswer = "a"\nkey_points = ["k"]\n')
    files, problems = deck_files([folder])
    assert files == []
    assert printable(problems) == [f"{tmp_path}/bad\\xff: error: the deck path's name is not valid UTF-8: rename it"]
    str(unusable_path(problems)).encode("utf-8")


def test_a_missing_path_whose_name_is_not_utf8_is_printable(tmp_path):
    _files, problems = deck_files([tmp_path / BAD_NAME])
    assert printable(problems) == [f"{tmp_path}/bad\\xff: error: no such deck file or directory"]
    assert str(unusable_path(problems)).endswith("bad\\xff (check --cards or RECALL_CARDS)")


def test_a_named_directory_that_cannot_be_read_is_an_error(tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    refuse_to_list(monkeypatch, folder)
    files, problems = deck_files([folder])
    assert files == []
    assert printable(problems) == [f"{folder}: error: cannot read this directory (Permission denied)"]


def test_a_file_named_twice_is_listed_once_where_first_named(write_deck):
    a = write_deck("a.toml", "a.one")
    b = write_deck("b.toml", "b.one")
    files, problems = deck_files([b, a.parent, a])
    assert (files, problems) == ([b, a], [])


# -- what a directory holds that cannot be used is a warning; the rest loads ---------------------------


def test_a_deck_file_whose_name_is_not_utf8_is_skipped_with_a_printable_warning(write_deck):
    good = write_deck("good.toml", "good.one")
    bad = good.parent / f"{BAD_NAME}.toml"
    bad.write_bytes(good.read_bytes().replace(b"good.one", b"bad.one"))
    files, problems = deck_files([good.parent])
    assert files == [good]
    assert printable(problems) == [f"{good.parent}/bad\\xff.toml: warning: file name is not valid UTF-8: "
                                   "rename it; this deck was skipped"]
    decks = load_decks([good.parent])
    assert [c.id for c in decks.cards] == ["good.one"] and decks.errors == []
    printable(decks.problems)


def test_a_subdirectory_whose_name_is_not_utf8_is_skipped_with_one_warning(write_deck):
    good = write_deck("good.toml", "good.one")
    write_deck(f"{BAD_NAME}/one.toml", "bad.one")
    write_deck(f"{BAD_NAME}/two.toml", "bad.two")
    files, problems = deck_files([good.parent])
    assert files == [good]
    assert printable(problems) == [f"{good.parent}/bad\\xff: warning: directory name is not valid UTF-8: "
                                   "rename it; its decks were skipped"]


def test_a_directory_whose_only_decks_have_names_that_are_not_utf8_is_an_error(write_deck):
    folder = write_deck(f"{BAD_NAME}.toml", "bad.one").parent
    files, problems = deck_files([folder])
    assert files == []
    assert [(p.severity, p.message) for p in problems] == [
        ("warning", "file name is not valid UTF-8: rename it; this deck was skipped"),
        ("error", "no deck files (*.toml) in this directory")]


def refuse_to_list(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Listing `folder` fails as a directory without read permission does (which root is not denied)."""
    real_scandir = os.scandir

    def scandir(path=None):  # noqa: ANN001, ANN202 - os.scandir's signature
        if path is not None and Path(path) == folder:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_scandir(path) if path is not None else real_scandir()

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_subdirectory_is_a_warning_naming_it_and_the_rest_loads(write_deck, monkeypatch):
    good = write_deck("good.toml", "good.one")
    write_deck("sub/ok.toml", "sub.ok")
    locked = write_deck("locked/hidden.toml", "locked.one").parent
    refuse_to_list(monkeypatch, locked)
    files, problems = deck_files([good.parent])
    assert [f.name for f in files] == ["good.toml", "ok.toml"]
    assert printable(problems) == [f"{locked}: warning: cannot read this directory (Permission denied); "
                                   "its decks were skipped"]
    decks = load_decks([good.parent])
    assert [c.id for c in decks.cards] == ["good.one", "sub.ok"] and decks.errors == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="chmod 000 does not stop root from listing a directory; the monkeypatched test "
                           "above covers the same rule")
def test_a_chmod_000_subdirectory_is_a_warning_and_the_rest_loads(write_deck):
    good = write_deck("good.toml", "good.one")
    locked = write_deck("locked/hidden.toml", "locked.one").parent
    locked.chmod(0)
    try:
        files, problems = deck_files([good.parent])
    finally:
        locked.chmod(0o755)
    assert files == [good]
    assert [(p.path, p.severity) for p in problems] == [(locked, "warning")]


# -- a problem's text is always printable ---------------------------------------------------------------


@pytest.mark.parametrize("problem", [
    Problem(Path(os.fsdecode(b"/decks/caf\xe9.toml")), "x"),
    Problem(Path("/decks/a.toml"), "odd \ud800 text", "warning", 0, "id\udcff"),
    Problem(Path("/decks/\ud800.toml"), "message", card_index=2),
], ids=["undecodable byte in the path", "lone surrogates in message and id", "lone surrogate in the path"])
def test_a_problem_text_never_raises_and_is_valid_utf8(problem):
    text = str(problem)
    text.encode("utf-8")
    assert "\\x" in text or "\\u" in text
