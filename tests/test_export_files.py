"""The files `recall export` and `recall import` write (issue 11 items 6, 7): never the database or any
SQLite file, never a FIFO, a device or a directory; a symlink's target is written and the link kept; a
file keeps its mode; a kill leaves no partial file (SIGTERM cleans up, a SIGKILL's leftover is removed by
the next write). Also: the format's file suffix, and the Anki package's day zero taken from the study day.

Processes killed mid-write are paused by a hook at a known point, and the test waits for them to say so
(with a deadline), never for a fixed time."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import zipfile
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from recall import atomic_file
from recall.atomic_file import FileWriteError, TargetExistsError, remove_stale_partials, write_atomically
from recall.cli import cli
from recall.export import EXPORT_COLUMNS, FORMATS, ExportError, ExportFilter, export_reviews, file_suffix
from recall.store import ReviewInput, Store

DATA = Path(__file__).parent / "data"
DEADLINE_S = 60
HEADER = ",".join(EXPORT_COLUMNS)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "r.db"


@pytest.fixture
def recall(tmp_path: Path, db: Path, small_deck: Path):
    """Runs recall in-process on a database with two recorded reviews of the small deck."""

    def run(*args: str | Path):
        return CliRunner().invoke(cli, ["--db", str(db), "--cards", str(small_deck), *map(str, args)])

    for card_id in ("nn.saturation", "nn.softmax"):
        assert run("explain", card_id, "--answer", "an answer", "--record", "--quality", "4").exit_code == 0
    return run


def one_error_line(result) -> str:  # noqa: ANN001 - click's Result
    """The error line of a failed run (an import lists the lines it skipped before it)."""
    assert result.exit_code == 1, result.output
    [line] = [line for line in result.stderr.splitlines() if line.startswith("recall: error: ")]
    return line


def partials(folder: Path) -> list[Path]:
    return sorted(folder.glob(f".*{atomic_file.PARTIAL_SUFFIX}"))


# -- what export refuses to write over ----------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_export_refuses_the_database_and_its_side_files(recall, db: Path, suffix: str) -> None:
    target = db.with_name(db.name + suffix)
    line = one_error_line(recall("export", "--output", target))
    assert f"will not export to {target}: it is" in line and "nothing was changed" in line
    with Store(db) as reopened:
        assert reopened.review_count() == 2
    assert not db.with_name(db.name + "-journal").exists()
    assert partials(db.parent) == []


@pytest.mark.parametrize("spelling", ["symlink", "hardlink", "dotted"])
def test_export_refuses_the_database_under_another_name(recall, db: Path, tmp_path: Path, spelling: str) -> None:
    if spelling == "symlink":
        target = tmp_path / "link.csv"
        target.symlink_to(db)
    elif spelling == "hardlink":
        target = tmp_path / "hard.csv"
        os.link(db, target)
    else:
        (tmp_path / "sub").mkdir()
        target = tmp_path / "sub" / ".." / db.name
    assert "will not export to" in one_error_line(recall("export", "--output", target))
    assert db.read_bytes().startswith(b"SQLite format 3\x00")
    with Store(db) as reopened:
        assert reopened.review_count() == 2


def test_export_refuses_any_sqlite_file(recall, tmp_path: Path) -> None:
    other = tmp_path / "notes.sqlite"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.commit()
    before = other.read_bytes()
    line = one_error_line(recall("export", "--format", "anki", "--output", other))
    assert "it is an SQLite database file" in line
    assert other.read_bytes() == before


def test_export_refuses_a_fifo_without_opening_it(recall, db: Path, small_deck: Path, tmp_path: Path) -> None:
    """In a child process with a deadline: opening a FIFO with no reader would block forever."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "recall", "--db", str(db), "--cards", str(small_deck), "export",
                             "--output", str(fifo)], capture_output=True, text=True, timeout=DEADLINE_S)
    assert result.returncode == 1
    assert "it is a FIFO (named pipe), and recall writes only regular files" in result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_export_refuses_a_device_and_a_directory(recall, store: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="it is a directory"):
        export_reviews(store, "csv", ExportFilter(), tmp_path)
    device = tmp_path / "null.csv"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    except PermissionError:
        pytest.skip("creating a device node needs root")
    assert "it is a character device" in one_error_line(recall("export", "--output", device))
    assert stat.S_ISCHR(device.lstat().st_mode)  # as root, the node used to be replaced by a file


def test_export_through_a_symlink_writes_its_target_and_keeps_the_link(recall, tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "history.csv"
    real.write_text("old\n")
    link = tmp_path / "history.csv"
    link.symlink_to(real)
    result = recall("export", "--output", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8").startswith(HEADER)
    assert partials(tmp_path) == partials(real.parent) == []


def test_export_keeps_an_existing_files_mode(recall, tmp_path: Path) -> None:
    target = tmp_path / "history.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    assert recall("export", "--output", target).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text(encoding="utf-8").startswith(HEADER)


# -- killed exports -------------------------------------------------------------------------------------

# A recall that pauses mid-write, at a known point, until a signal arrives: after the export's first
# batch of one review, or (for an import) just before the finished partial file is flushed to disk.
PAUSED_RECALL = textwrap.dedent("""
    import os, signal, sys

    def pause():
        print("writing", flush=True)
        signal.pause()

    if sys.argv[1] == "export":
        import recall.export
        from recall.store import Store

        batches = Store.review_batches

        def paused(self, *args, **kwargs):
            for number, batch in enumerate(batches(self, *args, **kwargs)):
                yield batch
                if number == 0:
                    pause()

        Store.review_batches = paused
        recall.export.FETCH_BATCH = 1
    else:
        os.fsync = lambda descriptor: pause()

    from recall.cli import cli
    cli(sys.argv[2:], prog_name="recall")
""")


def start_paused(hook: str, *args: str | Path) -> subprocess.Popen[str]:
    """A recall running `args`, once it has said it is paused mid-write (or failed to get there)."""
    child = subprocess.Popen([sys.executable, "-c", PAUSED_RECALL, hook, *map(str, args)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready, _, _ = select.select([child.stdout], [], [], DEADLINE_S)
    line = child.stdout.readline() if ready else ""
    if line != "writing\n":
        child.kill()
        pytest.fail(f"the child never paused mid-write: {child.communicate()}")
    return child


def test_sigterm_mid_export_leaves_no_partial_and_the_old_file(recall, db: Path, small_deck: Path,
                                                               tmp_path: Path) -> None:
    target = tmp_path / "history.csv"
    target.write_text("the previous export\n")
    child = start_paused("export", "--db", db, "--cards", small_deck, "export", "--output", target)
    [partial] = partials(tmp_path)
    assert f".history.csv.{child.pid}." in partial.name
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=DEADLINE_S) == -signal.SIGTERM
    assert partials(tmp_path) == []
    assert target.read_text() == "the previous export\n"


def test_a_sigkilled_exports_partial_is_removed_by_the_next_export(recall, db: Path, small_deck: Path,
                                                                   tmp_path: Path) -> None:
    target = tmp_path / "history.csv"
    child = start_paused("export", "--db", db, "--cards", small_deck, "export", "--output", target)
    child.kill()
    assert child.wait(timeout=DEADLINE_S) == -signal.SIGKILL
    [stale] = partials(tmp_path)
    assert not target.exists()
    result = recall("export", "--output", target)
    assert result.exit_code == 0, result.output
    assert not stale.exists() and partials(tmp_path) == []
    assert target.read_text(encoding="utf-8").startswith(HEADER)


def test_a_live_writers_partial_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    live = tmp_path / f".out.csv.{os.getppid()}.abcd1234.partial"  # our parent process is alive
    other = tmp_path / ".other.csv.1.abcd1234.partial"  # another target's
    live.write_text("being written")
    other.write_text("not ours to judge")
    write_atomically(target, lambda handle: handle.write(b"done"))
    assert live.exists() and other.exists() and target.read_bytes() == b"done"
    assert remove_stale_partials(target) == []


# -- imports ------------------------------------------------------------------------------------------------


def test_sigterm_mid_import_leaves_nothing_and_the_import_can_be_run_again(tmp_path: Path) -> None:
    target = tmp_path / "imported.toml"
    child = start_paused("import", "import", DATA / "anki_notes_tab.txt", "--output", target)
    assert len(partials(tmp_path)) == 1
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=DEADLINE_S) == -signal.SIGTERM
    assert partials(tmp_path) == [] and not target.exists()
    again = CliRunner().invoke(cli, ["import", str(DATA / "anki_notes_tab.txt"), "--output", str(target)])
    assert again.exit_code == 0, again.output
    assert CliRunner().invoke(cli, ["check", "--cards", str(target)]).stdout.startswith("OK: 3 cards")


def test_a_sigkilled_import_leaves_no_cut_off_deck_and_does_not_block_the_next(tmp_path: Path) -> None:
    target = tmp_path / "imported.toml"
    child = start_paused("import", "import", DATA / "anki_notes_tab.txt", "--output", target)
    child.kill()
    child.wait(timeout=DEADLINE_S)
    assert not target.exists() and len(partials(tmp_path)) == 1
    again = CliRunner().invoke(cli, ["import", str(DATA / "anki_notes_tab.txt"), "--output", str(target)])
    assert again.exit_code == 0, again.output
    assert partials(tmp_path) == [] and "imported 3 card(s)" in again.stdout


def test_a_full_disk_mid_import_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(_descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_file.os, "fsync", full)
    target = tmp_path / "imported.toml"
    result = CliRunner().invoke(cli, ["import", str(DATA / "anki_notes_tab.txt"), "--output", str(target)])
    assert "No space left on device; no file was written" in one_error_line(result)
    assert not target.exists() and partials(tmp_path) == []


def test_import_never_writes_over_anything(tmp_path: Path) -> None:
    dangling = tmp_path / "dangling.toml"
    dangling.symlink_to(tmp_path / "nowhere.toml")
    result = CliRunner().invoke(cli, ["import", str(DATA / "anki_notes_tab.txt"), "--output", str(dangling)])
    assert "already exists; choose another path with --output" in one_error_line(result)
    assert not (tmp_path / "nowhere.toml").exists()
    with pytest.raises(TargetExistsError):
        write_atomically(dangling, lambda handle: handle.write(b"x"), replace=False)


def test_a_new_name_is_claimed_even_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(_source: object, _target: object) -> None:
        raise OSError(1, "Operation not permitted")  # what FAT and some network mounts say

    monkeypatch.setattr(atomic_file.os, "link", no_links)
    target = tmp_path / "deck.toml"
    write_atomically(target, lambda handle: handle.write(b"whole"), replace=False)
    assert target.read_bytes() == b"whole" and partials(tmp_path) == []
    with pytest.raises(TargetExistsError):
        write_atomically(target, lambda handle: handle.write(b"again"), replace=False)
    assert target.read_bytes() == b"whole" and partials(tmp_path) == []


def test_a_missing_folder_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(FileWriteError, match="the directory .* does not exist"):
        write_atomically(tmp_path / "no" / "file", lambda handle: None)


# -- suffixes and the Anki day zero ---------------------------------------------------------------------


def test_each_format_has_one_file_suffix() -> None:
    assert {fmt: file_suffix(fmt) for fmt in FORMATS} == {
        "csv": ".csv", "json": ".json", "jsonl": ".jsonl", "fsrs": ".csv", "anki": ".apkg"}
    assert file_suffix("parquet") == ".parquet"


def anki_creation_day(package: Path, workdir: Path) -> date:
    """The local day of the package's collection creation time (`col.crt`), Anki's day zero."""
    with zipfile.ZipFile(package) as archive:
        (workdir / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    with closing(sqlite3.connect(workdir / "collection.anki2")) as connection:
        created = connection.execute("SELECT crt FROM col").fetchone()[0]
    return datetime.fromtimestamp(created).date()


def test_anki_day_zero_is_the_day_before_the_study_day_given(store: Store, tmp_path: Path) -> None:
    """Not the calendar's today: a clock-free export of the same history gives the same package dates."""
    store.record_review(ReviewInput("nn.softmax", 4), date(2026, 3, 1), datetime(2026, 3, 1, 9).astimezone())
    package = tmp_path / "r.apkg"
    export_reviews(store, "anki", ExportFilter(), package, today=date(2026, 3, 1))
    assert anki_creation_day(package, tmp_path) == date(2026, 2, 28)


def test_anki_day_zero_follows_the_study_day_at_1_am(recall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 01:30 on 5 March the study day (day starts at 4:00) is still 4 March, so day zero is 3 March;
    the calendar date of that moment would make it 4 March. Both the CLI (its `today`) and a caller
    passing no `today` (the default) take the study day."""
    one_thirty = datetime(2026, 3, 5, 1, 30).astimezone()
    monkeypatch.setattr("recall.cli.base.utc_now", lambda: one_thirty)
    monkeypatch.setattr("recall.clock.utc_now", lambda: one_thirty)
    package = tmp_path / "r.apkg"
    result = recall("export", "--format", "anki", "--output", package)
    assert result.exit_code == 0, result.output
    assert anki_creation_day(package, tmp_path) == date(2026, 3, 3)
    (tmp_path / "other").mkdir()
    with Store(tmp_path / "r.db") as store:
        export_reviews(store, "anki", ExportFilter(), package)
    assert anki_creation_day(package, tmp_path / "other") == date(2026, 3, 5) - timedelta(days=2)
