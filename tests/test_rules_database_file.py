"""Rules of the database file (recall/database_file.py), one test each, found by mutation testing
(bench/mutation.py database_file): which files recall refuses before SQLite opens them and in what words,
what counts as one of SQLite's files, and the one sentence each kind of database error becomes."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import stat
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from recall.database_file import (
    SQLITE_JOURNAL_MAGIC, SQLITE_MAGIC, SQLITE_WAL_MAGICS, StoreError, check_database_file, describe, file_kind,
    is_sqlite_file,
)

PAGE_SIZE = 4096


def refusal(path: Path) -> str:
    with pytest.raises(StoreError) as refused:
        check_database_file(path)
    return str(refused.value)


def database(path: Path, pages: int = 3) -> Path:
    """A real SQLite file of `pages` pages of PAGE_SIZE bytes."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("PRAGMA user_version = 1")  # written even when there is no table
        for table in range(pages - 1):
            conn.execute(f"CREATE TABLE t{table} (x)")
        conn.commit()
    assert path.stat().st_size == pages * PAGE_SIZE
    return path


def with_header(path: Path, offset: int, value: bytes) -> Path:
    content = bytearray(path.read_bytes())
    content[offset:offset + len(value)] = value
    path.write_bytes(bytes(content))
    return path


@pytest.fixture
def make_read_only() -> Iterator[Callable[[Path], None]]:
    """Make a file or folder unwritable even for root: chattr +i as root (modes do not stop root), else chmod."""
    locked: list[tuple[Path, int]] = []
    as_root = os.geteuid() == 0

    def lock(path: Path) -> None:
        locked.append((path, path.stat().st_mode))
        if not as_root:
            path.chmod(0o555)
        elif shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode:
            pytest.skip("as root only an immutable file is read-only, and chattr +i is not available here")

    yield lock
    for path, mode in locked:
        if as_root:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(mode)


@pytest.mark.parametrize(("mode", "words"), [
    (stat.S_IFDIR, "a directory"), (stat.S_IFIFO, "a FIFO (named pipe)"), (stat.S_IFCHR, "a character device"),
    (stat.S_IFBLK, "a block device"), (stat.S_IFSOCK, "a socket"), (stat.S_IFREG, "a regular file"),
    (stat.S_IFLNK, "not a regular file"),
])
def test_a_file_kind_is_named_in_words(mode: int, words: str) -> None:
    assert file_kind(mode | 0o644) == words


@pytest.mark.parametrize("start", [SQLITE_MAGIC, SQLITE_JOURNAL_MAGIC, *SQLITE_WAL_MAGICS])
def test_a_database_a_wal_file_and_a_journal_are_sqlite_files(tmp_path: Path, start: bytes) -> None:
    path = tmp_path / "file"
    path.write_bytes(start + bytes(200))
    assert is_sqlite_file(path)


def test_a_text_file_an_empty_file_a_folder_a_fifo_an_unreadable_file_and_no_file_are_not_sqlite_files(
        tmp_path: Path) -> None:
    (tmp_path / "text").write_bytes(b"SQLite format 2\x00" + bytes(200))
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo")
    assert [is_sqlite_file(tmp_path / name) for name in ("text", "empty", "folder", "fifo", "missing")] == [
        False] * 5
    assert not is_sqlite_file(Path("/proc/self/mem"))  # opens, but reading its start fails


def test_a_missing_or_empty_file_is_a_new_database(tmp_path: Path) -> None:
    check_database_file(tmp_path / "new.db")
    (tmp_path / "empty.db").write_bytes(b"")
    check_database_file(tmp_path / "empty.db")


def test_a_whole_database_is_accepted(tmp_path: Path) -> None:
    check_database_file(database(tmp_path / "whole.db"))


def test_a_file_that_is_not_sqlite_is_refused_and_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("my lecture notes\n" * 20)
    assert refusal(path) == (f"{path} is not an SQLite database; recall left it untouched "
                             "(point --db or RECALL_DB at another file)")


def test_a_header_shorter_than_100_bytes_is_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "short.db"
    path.write_bytes(SQLITE_MAGIC + bytes(99 - len(SQLITE_MAGIC)))
    assert refusal(path) == (f"database {path} is damaged (cut short at 99 bytes); restore a backup or move it "
                             "aside")
    path.write_bytes(database(tmp_path / "whole.db").read_bytes()[:100])  # a whole header is not cut short there
    assert "cut short: 100 of 12288 bytes" in refusal(path)


@pytest.mark.parametrize("page_size", [256, 768, 4097, 0])
def test_a_page_size_below_512_or_not_a_power_of_two_is_a_garbled_header(tmp_path: Path, page_size: int) -> None:
    path = with_header(database(tmp_path / "garbled.db"), 16, page_size.to_bytes(2, "big"))
    assert refusal(path) == f"database {path} is damaged (its header is garbled); restore a backup or move it aside"


@pytest.mark.parametrize("page_size", [512, 1024, 32768])
def test_a_page_size_from_512_up_by_powers_of_two_is_a_good_header(tmp_path: Path, page_size: int) -> None:
    path = with_header(database(tmp_path / "small.db", pages=1), 16, page_size.to_bytes(2, "big"))
    path.write_bytes(path.read_bytes()[:page_size].ljust(page_size, b"\0"))
    check_database_file(path)


def test_a_page_size_of_1_means_65536(tmp_path: Path) -> None:
    path = with_header(database(tmp_path / "big.db", pages=1), 16, (1).to_bytes(2, "big"))
    assert "cut short: 4096 of 65536 bytes" in refusal(path)
    path.write_bytes(path.read_bytes().ljust(65_536, b"\0"))
    check_database_file(path)


def test_a_file_shorter_than_its_header_says_is_cut_short(tmp_path: Path) -> None:
    path = database(tmp_path / "cut.db")
    path.write_bytes(path.read_bytes()[:2 * PAGE_SIZE + 1])
    assert refusal(path) == (f"database {path} is damaged (cut short: {2 * PAGE_SIZE + 1} of {3 * PAGE_SIZE} "
                             "bytes); restore a backup or move it aside")


def test_the_page_count_is_read_from_all_four_of_its_bytes(tmp_path: Path) -> None:
    pages = (1 << 24) + 3
    path = with_header(database(tmp_path / "huge.db"), 28, pages.to_bytes(4, "big"))
    assert f"cut short: {3 * PAGE_SIZE} of {pages * PAGE_SIZE} bytes" in refusal(path)


def test_a_file_one_page_longer_than_its_header_says_is_accepted(tmp_path: Path) -> None:
    path = database(tmp_path / "long.db")
    path.write_bytes(path.read_bytes() + bytes(PAGE_SIZE))
    check_database_file(path)


def test_a_page_count_older_than_the_change_counter_is_not_trusted(tmp_path: Path) -> None:
    """SQLite versions before 3.7.0 left the page count stale; the 'version valid for' number (bytes 92-96)
    then differs from the change counter (bytes 24-28)."""
    path = database(tmp_path / "old.db")
    path.write_bytes(path.read_bytes()[:2 * PAGE_SIZE])
    with_header(path, 92, (int.from_bytes(path.read_bytes()[24:28], "big") + 1).to_bytes(4, "big"))
    check_database_file(path)


@pytest.mark.parametrize("suffix", ["-wal", "-journal"])
def test_a_short_file_with_a_log_beside_it_is_accepted(tmp_path: Path, suffix: str) -> None:
    """The missing pages are in the WAL or the rollback journal; an empty one holds none."""
    path = database(tmp_path / "logged.db")
    path.write_bytes(path.read_bytes()[:2 * PAGE_SIZE])
    log = tmp_path / f"logged.db{suffix}"
    log.write_bytes(b"")
    assert "cut short" in refusal(path)
    log.write_bytes(b"\0")
    check_database_file(path)


def test_a_file_is_judged_by_what_it_reads_not_by_the_size_it_reports() -> None:
    """Files in /proc report a size of 0 and still read as text: that text is not SQLite."""
    assert refusal(Path("/proc/self/status")) == ("/proc/self/status is not an SQLite database; recall left it "
                                                  "untouched (point --db or RECALL_DB at another file)")


def test_a_path_that_cannot_be_opened_or_read_says_why(tmp_path: Path) -> None:
    (tmp_path / "a.db").symlink_to(tmp_path / "b.db")
    (tmp_path / "b.db").symlink_to(tmp_path / "a.db")
    assert refusal(tmp_path / "a.db") == f"cannot read database {tmp_path / 'a.db'}: Too many levels of symbolic links"
    assert refusal(Path("/proc/self/mem")) == "cannot read database /proc/self/mem: Input/output error"


def test_a_directory_is_refused_with_a_hint_to_pass_a_file(tmp_path: Path) -> None:
    assert refusal(tmp_path) == f"{tmp_path} is a directory, not a database file; pass a file path with --db"


def test_a_fifo_is_refused_as_not_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "fifo.db"
    os.mkfifo(path)
    assert refusal(path) == (f"{path} is a FIFO (named pipe), not a database file; recall left it untouched "
                             "(pass a regular file with --db or RECALL_DB)")


def test_a_socket_that_cannot_be_opened_is_refused_as_a_socket(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with closing(socket.socket(socket.AF_UNIX)) as listening:
        listening.bind(str(path))
        assert refusal(path) == (f"{path} is a socket, not a database file; recall left it untouched "
                                 "(pass a regular file with --db or RECALL_DB)")


def test_a_read_only_database_is_refused_before_it_is_opened(tmp_path: Path, make_read_only) -> None:
    path = database(tmp_path / "locked.db")
    make_read_only(path)
    assert refusal(path) == (f"database {path} is read-only; make it writable or use another file with --db "
                             "(nothing was changed)")


def test_a_read_only_folder_is_refused_even_for_a_new_database(tmp_path: Path, make_read_only) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    make_read_only(folder)
    assert refusal(folder / "new.db") == (
        f"the folder {folder} is read-only, and recall writes its database and the database's -wal file there; "
        "make it writable or use another --db (nothing was changed)")


def error(name: str | None, message: str = "the message") -> sqlite3.Error:
    """An sqlite3 error as the sqlite3 module raises it: its text, and the name of SQLite's result code."""
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorname = name  # type: ignore[attr-defined]
    return exc


@pytest.mark.parametrize(("name", "sentence"), [
    ("SQLITE_READONLY", "database /d.db is read-only; make it writable or use another file with --db"),
    ("SQLITE_READONLY_DBMOVED", "database /d.db is read-only; make it writable or use another file with --db"),
    ("SQLITE_BUSY", "database /d.db stayed locked by another recall for 15 s; try again"),
    ("SQLITE_LOCKED_SHAREDCACHE", "database /d.db stayed locked by another recall for 15 s; try again"),
    ("SQLITE_CORRUPT", "database /d.db is damaged (the message); restore a backup or move it aside"),
    ("SQLITE_NOTADB", "database /d.db is damaged (the message); restore a backup or move it aside"),
    ("SQLITE_CANTOPEN", "cannot open database /d.db; check that its folder exists and is writable"),
    ("SQLITE_CONSTRAINT", "database /d.db: the message"),
    (None, "database /d.db: the message"),
])
def test_each_database_error_is_one_sentence_saying_what_to_do(name: str | None, sentence: str) -> None:
    assert describe(error(name), Path("/d.db")) == sentence


@pytest.mark.parametrize("name", ["SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_SHMOPEN",
                                  "SQLITE_IOERR_SHMSIZE", "SQLITE_IOERR_TRUNCATE", "SQLITE_IOERR_FSYNC"])
def test_a_failed_write_means_a_full_disk_or_a_size_limit(name: str) -> None:
    assert describe(error(name, "disk I/O error"), Path("/d.db")) == (
        "could not write database /d.db (disk I/O error): the disk is full or the file is too large for a size "
        "limit; free some space and try again (nothing was saved)")


def test_another_io_error_is_not_called_a_full_disk() -> None:
    assert describe(error("SQLITE_IOERR_READ", "disk I/O error"), Path("/d.db")) == "database /d.db: disk I/O error"
