"""The database file itself: what recall refuses to open, and what a database error means to the user.

Before SQLite touches a path, `check_database_file` refuses one recall must not write to: something that
is not a regular file (a directory, a FIFO, a device), a file that is not SQLite or is cut short, a
read-only file or folder. `describe` turns any `sqlite3.Error` into the one sentence a `StoreError`
carries. Nothing here opens a database.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import suppress
from pathlib import Path

from recall.errors import RecallError

SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_HEADER_SIZE = 100
# The first bytes of SQLite's other files: a WAL file (either byte order) and a rollback journal.
SQLITE_WAL_MAGICS = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
SQLITE_JOURNAL_MAGIC = b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"
# The files SQLite keeps beside a database while it is open or after a crash.
SIDE_FILE_SUFFIXES = ("-wal", "-shm", "-journal")
BUSY_TIMEOUT_MS = 15_000
# Errors writing a file (or creating the -shm index beside it), which on a healthy disk with the
# permissions checked up front mean no space is left or a file size limit was hit.
WRITE_FAILURES = ("SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_SHMOPEN", "SQLITE_IOERR_SHMSIZE",
                  "SQLITE_IOERR_TRUNCATE", "SQLITE_IOERR_FSYNC")


class StoreError(RecallError):
    """A database problem the user can act on; the message is one sentence."""


def file_kind(mode: int) -> str:
    """What a stat mode says a path is, in words: "a directory", "a FIFO (named pipe)"..."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def is_sqlite_file(path: Path) -> bool:
    """Whether `path` is a regular file that starts like a database, a WAL file or a journal of SQLite
    (False if it is unreadable or anything else: a FIFO is not opened in a way that could block)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return False
        start = os.read(descriptor, len(SQLITE_MAGIC))
    except OSError:
        return False
    finally:
        os.close(descriptor)
    return start.startswith((SQLITE_MAGIC, SQLITE_JOURNAL_MAGIC, *SQLITE_WAL_MAGICS))


def damaged(path: Path, what: str) -> StoreError:
    return StoreError(f"database {path} is damaged ({what}); restore a backup or move it aside")


def _has_pending_log(path: Path) -> bool:
    """A WAL or rollback journal beside the file holds pages the file itself does not have yet."""
    for suffix in ("-wal", "-journal"):
        with suppress(OSError):
            if path.with_name(path.name + suffix).stat().st_size > 0:
                return True
    return False


def _check_header(path: Path, header: bytes, size: int) -> None:
    """Refuse a file whose SQLite header is not one, or says the file is longer than it is."""
    if not header.startswith(SQLITE_MAGIC):
        raise StoreError(f"{path} is not an SQLite database; recall left it untouched "
                         "(point --db or RECALL_DB at another file)")
    if len(header) < SQLITE_HEADER_SIZE:
        raise damaged(path, f"cut short at {size} bytes")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65_536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise damaged(path, "its header is garbled")
    pages = int.from_bytes(header[28:32], "big")
    page_count_is_current = header[24:28] == header[92:96]
    if page_count_is_current and size < pages * page_size and not _has_pending_log(path):
        raise damaged(path, f"cut short: {size} of {pages * page_size} bytes")


def _refuse_unless_regular(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise StoreError(f"{path} is a directory, not a database file; pass a file path with --db")
    if not stat.S_ISREG(mode):
        raise StoreError(f"{path} is {file_kind(mode)}, not a database file; recall left it untouched "
                         "(pass a regular file with --db or RECALL_DB)")


def _read_header(path: Path) -> tuple[bytes, int] | None:
    """The first bytes of the file at `path` and its size; None if there is no file. Opened without
    blocking and checked on the open descriptor, so a FIFO neither hangs nor slips in after a check."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        with suppress(OSError):
            _refuse_unless_regular(path, os.stat(path).st_mode)  # a socket cannot be opened at all
        raise StoreError(f"cannot read database {path}: {exc.strerror}") from None
    try:
        status = os.fstat(descriptor)
        _refuse_unless_regular(path, status.st_mode)
        return os.read(descriptor, SQLITE_HEADER_SIZE), status.st_size
    except OSError as exc:
        raise StoreError(f"cannot read database {path}: {exc.strerror}") from None
    finally:
        os.close(descriptor)


def check_database_file(path: Path) -> None:
    """Refuse, before SQLite opens it, a file recall must not write to: anything but a regular file, a
    file that is not SQLite or is cut short, a read-only file or folder. A missing or empty file is a new
    database."""
    read = _read_header(path)
    if read is not None and read[0]:
        _check_header(path, *read)
    if read is not None and not os.access(path, os.W_OK):
        raise StoreError(f"database {path} is read-only; make it writable or use another file with --db "
                         "(nothing was changed)")
    if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
        raise StoreError(f"the folder {path.parent} is read-only, and recall writes its database and the "
                         "database's -wal file there; make it writable or use another --db (nothing was changed)")


def describe(exc: sqlite3.Error, path: Path) -> str:
    """One sentence saying what went wrong with the database and what the user can do."""
    name = getattr(exc, "sqlite_errorname", None) or ""
    if name.startswith("SQLITE_READONLY"):
        return f"database {path} is read-only; make it writable or use another file with --db"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return f"database {path} stayed locked by another recall for {BUSY_TIMEOUT_MS // 1000} s; try again"
    if name in WRITE_FAILURES:
        return (f"could not write database {path} ({exc}): the disk is full or the file is too large for "
                "a size limit; free some space and try again (nothing was saved)")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return str(damaged(path, str(exc)))
    if name.startswith("SQLITE_CANTOPEN"):
        return f"cannot open database {path}; check that its folder exists and is writable"
    return f"database {path}: {exc}"
