"""`--db` that is not a regular file: a FIFO used to hang forever, a character device said "disk is full".
Each is refused with one sentence naming it, before SQLite opens it. Runs that could hang run in a child
process with a timeout, so a regression fails instead of hanging the suite."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from recall.database_file import StoreError, check_database_file
from recall.store import Store

HANG_GUARD_S = 30


def recall_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "recall", *map(str, args)], capture_output=True, text=True,
                          timeout=HANG_GUARD_S)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("recall: error: ")
    return line


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "recall.db"
    os.mkfifo(path)
    return path


def test_a_fifo_is_refused_without_waiting_for_a_writer(fifo: Path, small_deck: Path) -> None:
    line = one_error_line(recall_cli("--db", fifo, "--cards", small_deck, "due"))
    assert f"{fifo} is a FIFO (named pipe), not a database file" in line
    assert sorted(p.name for p in fifo.parent.iterdir()) == ["decks", "recall.db"]  # no -wal, no -shm


def test_a_fifo_is_refused_by_the_store(fifo: Path) -> None:
    probe = ("import sys; from recall.store import Store, StoreError\n"
             "try:\n    Store(sys.argv[1])\nexcept StoreError as error:\n    print(error)\n")
    result = subprocess.run([sys.executable, "-c", probe, str(fifo)], capture_output=True, text=True,
                            timeout=HANG_GUARD_S)
    assert "is a FIFO (named pipe), not a database file; recall left it untouched" in result.stdout, result.stderr


def test_dev_null_is_refused_as_a_character_device(small_deck: Path) -> None:
    line = one_error_line(recall_cli("--db", "/dev/null", "--cards", small_deck, "due"))
    assert "/dev/null is a character device, not a database file" in line
    assert "disk is full" not in line
    with pytest.raises(StoreError, match="/dev/null is a character device"):
        check_database_file(Path("/dev/null"))


def test_a_symlink_to_a_fifo_is_refused_and_to_a_database_is_followed(fifo: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.db"
    link.symlink_to(fifo)
    with pytest.raises(StoreError, match="is a FIFO"):
        check_database_file(link)
    real, good_link = tmp_path / "real.db", tmp_path / "good.db"
    Store(real).close()
    good_link.symlink_to(real)
    with Store(good_link) as opened:
        assert opened.review_count() == 0


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(StoreError, match="is a socket, not a database file"):
            check_database_file(path)
