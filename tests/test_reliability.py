"""Reliability: a start reads only the deck files that changed; kills lose nothing that was reported;
two recalls share a database; damaged, newer, read-only and full files get one clear line and are left
byte for byte as they were.

Everything happens in tmp_path. Where the behaviour is about processes (kills, locks, exit codes, the
one line on stderr) recall runs as a real process; conftest's isolated_env has cleared RECALL_* and
ANTHROPIC_*, and every run passes --db, --cards and --config.
"""

from __future__ import annotations

import os
import random
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

import recall.deck_sync
from recall.deck import load_decks
from recall.deck_sync import DeckSync
from recall.schema import SCHEMA_VERSION
from recall.store import ReviewInput, Store

TODAY = date(2026, 3, 1)
DECK_CARDS = ["nn.saturation", "nn.softmax", "nn.overfitting"]  # the small deck, in order


# -- helpers ----------------------------------------------------------------------------------------


def recall_command(tmp_path: Path, db: Path, cards: Path, *args: str) -> list[str]:
    config = tmp_path / "config.toml"
    config.touch()
    return [sys.executable, "-m", "recall", "--db", str(db), "--cards", str(cards), "--config", str(config),
            *args]


def explain_command(tmp_path: Path, db: Path, cards: Path, card_id: str, answer: str, quality: int) -> list[str]:
    return recall_command(tmp_path, db, cards, "explain", card_id, "--answer", answer, "--record",
                          "--quality", str(quality), "--grader", "offline")


def run(command: list[str], **options: object) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, **options)


def assert_consistent(db: Path) -> list[tuple]:
    """The file passes SQLite's integrity check, and every card's history is whole: each review starts
    from the state the previous one left, the card's count matches its rows and its state is the last
    review's after-state. Returns the reviews as (card_id, answer, quality)."""
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        cards = conn.execute("SELECT id, reviews, easiness_centi, interval, repetitions, due FROM cards").fetchall()
        for card_id, count, *state in cards:
            history = conn.execute(
                "SELECT easiness_before, interval_before, repetitions_before, due_before, easiness_after, "
                "interval_after, repetitions_after, due_after FROM reviews WHERE card_id = ? ORDER BY id",
                [card_id]).fetchall()
            assert count == len(history), card_id
            after = [250, 0, 0, None]
            for review in history:
                assert list(review[:4]) == after, card_id
                after = list(review[4:])
            assert state == after, card_id
        return conn.execute("SELECT card_id, answer, quality FROM reviews ORDER BY id").fetchall()


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The failure's stderr, asserted to be exactly one line and a non-zero exit, never a traceback."""
    assert result.returncode != 0, result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("recall: error: "), lines[0]
    return lines[0]


def age(*paths: Path) -> None:
    """Date files a minute back, so their mtimes are trusted (see RACY_MTIME_NS)."""
    past = time.time_ns() - 60 * 10**9
    for path in paths:
        os.utime(path, ns=(past, past))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "recall.db"


@pytest.fixture
def decks(tmp_path: Path, small_deck: Path) -> Path:
    """The small deck's folder, its file dated in the past."""
    age(small_deck)
    return small_deck.parent


# -- the deck-file cache ----------------------------------------------------------------------------


@pytest.fixture
def sync(tmp_path: Path) -> Iterator[Callable[[Store, list[Path]], DeckSync]]:
    """`sync(store, paths)`: store.sync_decks(paths), checked against a twin database kept in step by
    parsing every file each time (`sync_cards(load_decks(paths, known=<the twin's holders>).cards)`):
    retired cards included, in the same order, the two must hold the same cards."""
    with Store(tmp_path / "twin.db") as twin:

        def synced(store: Store, paths: list[Path]) -> DeckSync:
            holders = {row.id: row.source for row in twin.cards() if row.source}
            result = store.sync_decks(paths)
            twin.sync_cards(load_decks(paths, known=holders).cards)
            assert store.cards(include_retired=True) == twin.cards(include_retired=True)
            return result

        yield synced


class TestDeckFileCache:
    def test_nothing_changed_means_nothing_parsed_and_nothing_written(self, sync, db, decks):
        with Store(db) as store:
            assert sync(store, [decks]).parsed_files == 1
            writes = store.conn.total_changes
            synced = sync(store, [decks])
            assert (synced.parsed_files, synced.report.unchanged, synced.problems) == (0, 3, [])
            assert store.conn.total_changes == writes

    def test_only_the_edited_file_is_parsed(self, sync, db, decks, write_deck):
        other = write_deck("other.toml", "x.one", "x.two")
        age(other)
        with Store(db) as store:
            sync(store, [decks])
            write_deck("other.toml", "x.one", {"id": "x.two", "prompt": "Reworded."})
            synced = sync(store, [decks])
            assert (synced.parsed_files, synced.report.updated) == (1, 1)

    def test_a_touched_file_is_hashed_not_parsed_and_its_cards_not_rewritten(self, sync, db, decks, small_deck):
        with Store(db) as store:
            sync(store, [decks])
            os.utime(small_deck)
            cards_before = store.conn.execute("SELECT * FROM cards").fetchall()
            assert sync(store, [decks]).parsed_files == 0
            assert store.conn.execute("SELECT * FROM cards").fetchall() == cards_before

    def test_a_deleted_file_retires_its_cards(self, sync, db, decks, write_deck):
        other = write_deck("other.toml", "x.one")
        with Store(db) as store:
            sync(store, [decks])
            other.unlink()
            assert sync(store, [decks]).report.retired == 1
            assert store.card("x.one").retired

    def test_a_new_file_reusing_an_id_of_an_unchanged_file_loses_only_that_card(self, sync, db, decks, write_deck):
        with Store(db) as store:
            sync(store, [decks])
            write_deck("z.toml", "x.new", DECK_CARDS[1])
            synced = sync(store, [decks])
            assert synced.parsed_files == 1
            assert [str(p) for p in synced.problems] == [str(p) for p in load_decks([decks]).problems]
            assert "z.toml: card 2 (nn.softmax): error: duplicate id 'nn.softmax': already defined in" in str(
                synced.problems[0])
            assert store.card("x.new") is not None and store.card("nn.softmax").source.endswith("small.toml")

    def test_an_edit_reusing_an_id_of_a_later_unchanged_file_loses_that_card_until_fixed(
            self, sync, db, decks, write_deck):
        with Store(db) as store:
            sync(store, [decks])
            write_deck("a.toml", "x.first", DECK_CARDS[0])  # sorts before small.toml, which is unchanged
            synced = sync(store, [decks])
            # small.toml keeps nn.saturation and its history; only a.toml's copy is left out.
            assert (synced.parsed_files, synced.report.retired) == (1, 0)
            assert "a.toml: card 2 (nn.saturation): error: duplicate id" in str(synced.problems[0])
            assert store.card(DECK_CARDS[0]).source.endswith("small.toml")
            write_deck("a.toml", "x.first")
            synced = sync(store, [decks])
            assert synced.problems == [] and synced.report.updated == 0

    def test_a_file_added_before_others_moves_their_cards_without_parsing_them(self, sync, db, decks, write_deck):
        with Store(db) as store:
            sync(store, [decks])
            write_deck("a.toml", "x.first")
            assert sync(store, [decks]).parsed_files == 1
            assert [card.id for card in store.cards()] == ["x.first", *DECK_CARDS]

    def test_files_given_in_another_order_keep_that_order(self, sync, db, small_deck, write_deck):
        other = write_deck("other.toml", "x.one")
        age(other)
        with Store(db) as store:
            sync(store, [small_deck, other])
            assert sync(store, [other, small_deck]).parsed_files == 0
            assert [card.id for card in store.cards()] == ["x.one", *DECK_CARDS]

    def test_a_rewrite_within_the_same_timestamp_tick_is_still_seen(self, sync, db, decks, small_deck):
        os.utime(small_deck)  # modified just now: the fingerprint is not trusted yet
        stat = small_deck.stat()
        with Store(db) as store:
            sync(store, [decks])
            small_deck.write_text(small_deck.read_text().replace("saturated", "SATURATED"))
            os.utime(small_deck, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
            assert sync(store, [decks]).parsed_files == 1
            assert store.card(DECK_CARDS[0]).prompt == "What is a SATURATED sigmoid neuron?"

    def test_another_parser_parses_everything_again(self, sync, db, decks, monkeypatch):
        with Store(db) as store:
            sync(store, [decks])
            monkeypatch.setattr(recall.deck_sync, "DECK_PARSER", "recall 99")
            assert sync(store, [decks]).parsed_files == 1

    def test_syncing_cards_from_elsewhere_forgets_the_cache(self, sync, db, decks):
        with Store(db) as store:
            sync(store, [decks])
            assert store.sync_cards(load_decks([decks]).cards).unchanged == 3  # the same cards: kept
            assert sync(store, [decks]).parsed_files == 0
            store.sync_cards(load_decks([decks]).cards[:1])
            assert sync(store, [decks]).parsed_files == 1
            assert [card.id for card in store.cards()] == DECK_CARDS

    def test_a_no_change_start_of_the_cli_does_not_read_the_decks(self, tmp_path, db, decks, small_deck):
        """Proof by sabotage: garbage of the same size and mtime goes unnoticed by `due`; `check`,
        the validator, still parses every file and reports it."""
        assert run(recall_command(tmp_path, db, decks, "due")).returncode == 0
        stat = small_deck.stat()
        small_deck.write_bytes(b"=" * stat.st_size)
        os.utime(small_deck, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        due = run(recall_command(tmp_path, db, decks, "due", "--json"))
        assert (due.returncode, due.stderr) == (0, "")
        assert DECK_CARDS[0] in due.stdout
        check = run(recall_command(tmp_path, db, decks, "check"))
        assert check.returncode == 1 and "TOML syntax error" in check.stderr


# -- kills ------------------------------------------------------------------------------------------


RECORDING_LOOP = textwrap.dedent("""
    import sys
    from datetime import date
    from recall.store import ReviewInput, Store

    with Store(sys.argv[1]) as store:
        cards = sys.argv[2:]
        for number in range(1_000_000):
            saved = store.record_review(ReviewInput(cards[number % len(cards)], number % 6,
                                                    answer=f"{sys.argv[1]} #{number}"), date(2026, 3, 1))
            print(saved.id, flush=True)
""")


def recording_process(db: Path, *card_ids: str) -> subprocess.Popen:
    """A process recording reviews as fast as it can, printing each id once its commit returned."""
    return subprocess.Popen([sys.executable, "-c", RECORDING_LOOP, str(db), *card_ids],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class TestKills:
    def test_killing_recall_explain_at_random_moments_loses_no_reported_review(self, tmp_path, db, decks):
        """Each `recall explain --record` is SIGKILLed at a random moment of its run, or not; every
        run that exited 0 has its review, and no review is half-written."""
        rng = random.Random(20261128)
        started = time.monotonic()
        assert run(explain_command(tmp_path, db, decks, DECK_CARDS[0], "warm-up", 4)).returncode == 0
        duration = time.monotonic() - started
        reported, killed = [], 0
        for attempt in range(16):
            answer = f"explanation {attempt}: the derivative is tiny, so learning is slow"
            process = subprocess.Popen(explain_command(tmp_path, db, decks, DECK_CARDS[attempt % 3], answer,
                                                       attempt % 6),
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                process.wait(timeout=rng.uniform(0.2, 1.2) * duration)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                killed += 1
            stdout, _stderr = process.communicate()
            if process.returncode == 0:
                assert "Recorded grade" in stdout
                reported.append(answer)
        assert killed and reported, "the kills should land both before and after some runs finished"
        answers = [answer for _card, answer, _quality in assert_consistent(db)]
        assert len(answers) == len(set(answers))
        assert set(reported) <= set(answers)

    def test_killing_a_busy_writer_leaves_every_acknowledged_review_whole(self, db, decks):
        """A process commits reviews back to back; SIGKILL lands mid-transaction most of the time."""
        with Store(db) as store:
            store.sync_decks([decks])
        rng = random.Random(7)
        acknowledged: list[int] = []
        for _round in range(4):
            process = recording_process(db, *DECK_CARDS)
            process.stdout.readline()  # it is running and has committed once
            time.sleep(rng.uniform(0.05, 0.4))
            process.send_signal(signal.SIGKILL)
            stdout, _stderr = process.communicate()
            acknowledged += [int(line) for line in stdout.split()]
        assert_consistent(db)
        with closing(sqlite3.connect(db)) as conn:
            present = {row[0] for row in conn.execute("SELECT id FROM reviews")}
        assert set(acknowledged) <= present

    def test_a_killed_study_session_keeps_its_grades_and_the_draft(self, db, decks):
        session = textwrap.dedent("""
            import sys, time
            from datetime import date
            from recall.store import Store
            from recall.study import StudySession

            store = Store(sys.argv[1])
            study = StudySession.start(store, date(2026, 3, 1), 10)
            study.grade(4, "tiny derivative, slow learning")
            study.grade(2, "exp over sum")
            store.save_draft(study.current.card.id, "memorises the training set")
            print("graded", flush=True)
            time.sleep(60)
        """)
        with Store(db) as store:
            store.sync_decks([decks])
        process = subprocess.Popen([sys.executable, "-c", session, str(db)], stdout=subprocess.PIPE, text=True)
        assert process.stdout.readline() == "graded\n"
        process.send_signal(signal.SIGKILL)
        process.wait()
        reviews = assert_consistent(db)
        assert [(card, quality) for card, _answer, quality in reviews] == [(DECK_CARDS[0], 4), (DECK_CARDS[1], 2)]
        with Store(db) as store:
            assert store.drafts() == {DECK_CARDS[2]: "memorises the training set"}

    @pytest.mark.slow
    def test_kill_9_in_the_study_app_keeps_the_grade_and_brings_the_draft_back(self, tmp_path, db, decks):
        pytest.importorskip("recall.tui.app", reason="the study app is not there yet")
        if not shutil.which("tmux"):
            pytest.skip("tmux is not installed")
        app = TmuxApp(tmp_path, recall_command(tmp_path, db, decks, "study"))
        try:
            app.wait_for("saturated sigmoid", EDITOR_READY)
            app.type("the derivative is tiny so the neuron learns slowly")
            app.keys("C-j")
            app.wait_for("0-5: your grade")
            app.keys("4")
            app.wait_for("softmax layer", EDITOR_READY)
            app.type("exponentials over their sum")
            wait_until(lambda: drafts(db) == [(DECK_CARDS[1], "exponentials over their sum")])
            os.kill(app.pid(), signal.SIGKILL)
        finally:
            app.stop()
        assert [(card, quality) for card, _answer, quality in assert_consistent(db)] == [(DECK_CARDS[0], 4)]
        reopened = TmuxApp(tmp_path, recall_command(tmp_path, db, decks, "study"))
        try:
            reopened.wait_for("exponentials over their sum")
            assert "softmax layer" in reopened.screen()
        finally:
            reopened.stop()


def drafts(db: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT card_id, text FROM drafts").fetchall()


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {condition}")
        time.sleep(0.05)


# The footer offers this once the explanation box has the focus, which the study screen gives it only
# after loading the card's draft: keys typed before that would be lost or taken as commands.
EDITOR_READY = "Leave box"


class TmuxApp:
    """The study app in a private tmux server, driven by keys and read from the screen."""

    def __init__(self, tmp_path: Path, command: list[str]) -> None:
        self.server = ["tmux", "-L", f"recall-test-{os.getpid()}-{time.perf_counter_ns()}", "-f", "/dev/null"]
        env = {**os.environ, "TEXTUAL_ANIMATIONS": "none", "TERM": "xterm-256color"}
        subprocess.run([*self.server, "new-session", "-d", "-x", "120", "-y", "40", shlex.join(command)],
                       env=env, check=True, cwd=tmp_path)

    def screen(self) -> str:
        return subprocess.run([*self.server, "capture-pane", "-p"], capture_output=True, text=True).stdout

    def wait_for(self, *texts: str) -> None:
        wait_until(lambda: all(text in self.screen() for text in texts))

    def type(self, text: str) -> None:
        subprocess.run([*self.server, "send-keys", "-l", text], check=True)

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.server, "send-keys", *keys], check=True)

    def pid(self) -> int:
        return int(subprocess.run([*self.server, "list-panes", "-F", "#{pane_pid}"], capture_output=True,
                                  text=True, check=True).stdout.split()[0])

    def stop(self) -> None:
        subprocess.run([*self.server, "kill-server"], capture_output=True)


# -- two processes ----------------------------------------------------------------------------------


class TestTwoProcesses:
    def test_two_recalls_recording_at_once_lose_nothing_and_never_say_locked(self, tmp_path, db, decks):
        """Both start on a database that does not exist yet, then record reviews in a loop."""
        results: dict[str, list[subprocess.CompletedProcess]] = {"a": [], "b": []}

        def record(name: str) -> None:
            for number in range(6):
                results[name].append(run(explain_command(tmp_path, db, decks, DECK_CARDS[number % 3],
                                                         f"{name} {number}", 4)))

        threads = [threading.Thread(target=record, args=(name,)) for name in results]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        finished = results["a"] + results["b"]
        assert [result.returncode for result in finished] == [0] * 12, [r.stderr for r in finished]
        assert not [result.stderr for result in finished if "locked" in result.stderr.lower()]
        answers = sorted(answer for _card, answer, _quality in assert_consistent(db))
        assert answers == sorted(f"{name} {number}" for name in "ab" for number in range(6))

    def test_two_processes_writing_back_to_back_lose_nothing(self, db, decks):
        with Store(db) as store:
            store.sync_decks([decks])
        writers = [recording_process(db, DECK_CARDS[0], DECK_CARDS[1]), recording_process(db, DECK_CARDS[2])]
        acknowledged = []
        for writer in writers:  # both write at once until each has committed ten reviews: no fixed sleep
            acknowledged += [int(writer.stdout.readline() or "-1") for _ in range(10)]
        for writer in writers:
            writer.send_signal(signal.SIGTERM)
            stdout, stderr = writer.communicate()
            assert "locked" not in stderr.lower()
            acknowledged += [int(line) for line in stdout.split()]
        assert len(acknowledged) >= 20 and -1 not in acknowledged  # -1: a writer stopped early
        with closing(sqlite3.connect(db)) as conn:
            assert {row[0] for row in conn.execute("SELECT id FROM reviews")} >= set(acknowledged)
        assert_consistent(db)

    @pytest.fixture
    def long_write(self, db, decks):
        """A process that holds the write lock (a transaction left open) until it is told to go on."""
        with Store(db) as store:
            store.sync_decks([decks])
        holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
            import sys
            from recall.store import Store
            store = Store(sys.argv[1])
            with store.transaction():
                store.conn.execute("UPDATE cards SET prompt = prompt || ' (edited)' WHERE id = 'nn.softmax'")
                print("holding", flush=True)
                sys.stdin.readline()
            print("committed", flush=True)
        """), str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline() == "holding\n"
        yield holder
        holder.kill()
        holder.wait()

    def test_a_reader_does_not_wait_for_a_long_write(self, tmp_path, db, decks, long_write):
        due = run(recall_command(tmp_path, db, decks, "due", "--json"))
        assert (due.returncode, due.stderr) == (0, "")
        assert long_write.poll() is None  # answered while the write was still open
        assert "(edited)" not in due.stdout

    def test_a_writer_waits_for_a_long_write_instead_of_failing(self, tmp_path, db, decks, long_write):
        writer = subprocess.Popen(explain_command(tmp_path, db, decks, DECK_CARDS[0], "while locked", 5),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        assert writer.poll() is None  # waiting for the lock
        long_write.stdin.write("go on\n")
        long_write.stdin.flush()
        assert long_write.stdout.readline() == "committed\n"
        _stdout, stderr = writer.communicate(timeout=30)
        assert (writer.returncode, "locked" in stderr) == (0, False)
        assert [answer for _card, answer, _quality in assert_consistent(db)] == ["while locked"]


# -- damaged, newer, read-only and full files -------------------------------------------------------


@pytest.fixture
def collection(tmp_path: Path, db: Path, decks: Path) -> Path:
    """A database with a few reviews, checkpointed so the whole state is in the file itself."""
    with Store(db) as store:
        store.sync_decks([decks])
        for number in range(30):
            store.record_review(ReviewInput(DECK_CARDS[number % 3], number % 6, answer="x" * 500), TODAY)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


RECORD = ("explain", DECK_CARDS[0], "--answer", "x", "--record", "--quality", "4", "--grader", "offline")


def assert_refused(tmp_path: Path, db: Path, decks: Path, message: str,
                   commands: tuple[tuple[str, ...], ...] = (("due",), RECORD), prefix: tuple[str, ...] = (),
                   **options: object) -> None:
    """Each command fails with one line containing `message` and leaves the file byte for byte."""
    before = db.read_bytes() if db.exists() else None
    for command in commands:
        line = one_line_error(run([*prefix, *recall_command(tmp_path, db, decks, *command)], **options))
        assert message in line
        assert (db.read_bytes() if db.exists() else None) == before


class TestDamagedFiles:
    def test_a_file_that_is_not_sqlite(self, tmp_path, db, decks):
        db.write_text("my notes, not a database\n")
        assert_refused(tmp_path, db, decks, "is not an SQLite database; recall left it untouched")

    @pytest.mark.parametrize("keep", [50, 100, 4096, 0.5, 0.9])
    def test_a_truncated_database(self, tmp_path, db, decks, collection, keep):
        size = db.stat().st_size
        db.write_bytes(db.read_bytes()[:keep if isinstance(keep, int) else int(size * keep)])
        assert_refused(tmp_path, db, decks, "is damaged (cut short")

    @pytest.mark.parametrize(("table", "commands"), [
        ("sqlite_master", (("due",), RECORD, ("stats",))),
        ("cards", (("due",), RECORD, ("cards",))),
        # Found only when read: a command that writes elsewhere first (explain saves a draft) gets that far.
        ("idx_reviews_study_day_progress", (("due",), ("stats",))),
    ])
    def test_a_corrupted_page(self, tmp_path, db, decks, collection, table, commands):
        with closing(sqlite3.connect(db)) as conn:
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
            page = 1 if table == "sqlite_master" else conn.execute(
                "SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        content = bytearray(db.read_bytes())
        start = (page - 1) * page_size + (100 if page == 1 else 0)
        content[start:page * page_size] = random.Random(page).randbytes(page * page_size - start)
        db.write_bytes(bytes(content))
        assert_refused(tmp_path, db, decks, "is damaged (", commands)

    def test_a_database_from_a_newer_recall(self, tmp_path, db, decks, collection):
        with closing(sqlite3.connect(db)) as conn:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        assert_refused(tmp_path, db, decks, f"was written by a newer recall (schema {SCHEMA_VERSION + 1}")

    @pytest.mark.parametrize("what", ["file", "folder"])
    def test_a_read_only_database_or_folder(self, tmp_path, db, decks, collection, what):
        target, message = (db, "is read-only") if what == "file" else (db.parent, "is read-only, and recall")
        mode = target.stat().st_mode
        target.chmod(0o555 if what == "folder" else 0o444)
        try:
            assert_refused(tmp_path, db, decks, message, prefix=as_unprivileged_user())
        finally:
            target.chmod(mode)

    def test_no_space_for_the_database_to_grow(self, tmp_path, db, decks, collection):
        """A file size limit of 0 (and SIGXFSZ ignored, so writes fail with EFBIG as on a full disk)."""

        def no_file_growth() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            import resource
            resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

        assert_refused(tmp_path, db, decks, "the disk is full or the file is too large", preexec_fn=no_file_growth)

    def test_a_full_disk(self, tmp_path, db, decks, collection):
        """A tiny tmpfs, filled up, in a private mount namespace (root inside a user namespace)."""
        if not can_unshare("-Urm", "mount -t tmpfs -o size=64k tmpfs /mnt"):
            pytest.skip("no user and mount namespaces here for a tiny tmpfs")
        script = textwrap.dedent(f"""
            set -u
            mount -t tmpfs -o size=1m tmpfs {shlex.quote(str(tmp_path))}/full
            cp {shlex.quote(str(db))} {shlex.quote(str(tmp_path))}/full/recall.db
            dd if=/dev/zero of={shlex.quote(str(tmp_path))}/full/filler bs=4k 2>/dev/null
            {shlex.join(explain_command(tmp_path, tmp_path / "full" / "recall.db", decks, DECK_CARDS[0], "x", 4))}
            echo "exit=$?"
            cmp -s {shlex.quote(str(db))} {shlex.quote(str(tmp_path))}/full/recall.db && echo identical
        """)
        (tmp_path / "full").mkdir()
        result = run(["unshare", "-Urm", "sh", "-c", script])
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and "the disk is full or the file is too large" in lines[0], result.stderr
        assert result.stdout.splitlines()[-2:] == ["exit=1", "identical"], result.stdout

    def test_a_disk_filling_up_mid_review_saves_nothing_of_it(self, tmp_path, db, decks, collection):
        """The limit is hit while the review's transaction is written: StoreError, and no trace of it."""
        script = textwrap.dedent("""
            import resource, signal, sys
            from datetime import date
            from pathlib import Path
            from recall.store import ReviewInput, Store, StoreError

            store = Store(sys.argv[1])
            used = max(p.stat().st_size for p in Path(sys.argv[1]).parent.glob("recall.db*"))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (used + 65536, resource.RLIM_INFINITY))
            try:
                store.record_review(ReviewInput("nn.softmax", 4, answer="y" * 2_000_000), date(2026, 3, 2))
            except StoreError as error:
                print(error)
        """)
        before = assert_consistent(db)
        result = run([sys.executable, "-c", script, str(db)])
        assert "the disk is full or the file is too large" in result.stdout, result.stdout + result.stderr
        assert "nothing was saved" in result.stdout
        assert assert_consistent(db) == before


def can_unshare(flags: str, command: str = "true") -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", flags, "sh", "-c", command], capture_output=True).returncode == 0


def as_unprivileged_user() -> tuple[str, ...]:
    """A command prefix under which permission bits apply. Root bypasses them, so as root recall runs
    in a new user namespace with no mapping: still uid 0 to the files, but without root's privileges."""
    if os.geteuid() != 0:
        return ()
    if not can_unshare("--user"):
        pytest.skip("running as root, and no user namespace to drop root's privileges in")
    return ("unshare", "--user")
