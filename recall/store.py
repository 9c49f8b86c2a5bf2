"""SQLite storage through sqlite-utils: schema and migrations, card sync, reviews, drafts, queries.

Every write is one explicit `BEGIN IMMEDIATE` transaction (recording a review and updating its card's
state commit together or not at all). WAL and a busy timeout let two recall processes share a file.
Dates passed in (`today`) are local study days; timestamps are UTC. No clock is read here except
`utc_now()` as a default, so tests pass their own times.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import sqlite_utils

from recall.deck import Card
from recall.sm2 import INITIAL_EASINESS_CENTI, PASSING_QUALITY, Sm2State, review

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000
REVIEW_KINDS = ("scheduled", "drill")


class StoreError(Exception):
    """A database problem the user can act on; the message is one sentence."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds, e.g. 2026-11-28T01:32:24.123Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class CardRow:
    """A card as stored: its text plus its scheduling state."""

    id: str
    deck: str
    prompt: str
    answer: str
    key_points: tuple[str, ...]
    tags: tuple[str, ...]
    demo: str | None
    source: str | None
    retired: bool
    easiness_centi: int
    repetitions: int
    interval: int
    due: date | None
    lapses: int
    reviews: int

    @property
    def state(self) -> Sm2State:
        return Sm2State(self.easiness_centi, self.repetitions, self.interval)

    @property
    def is_new(self) -> bool:
        return self.reviews == 0

    def to_card(self) -> Card:
        return Card(self.id, self.deck, self.prompt, self.answer, self.key_points, self.tags, self.demo,
                    Path(self.source) if self.source else None)


@dataclass(frozen=True)
class ReviewRecord:
    id: int
    card_id: str
    kind: str
    quality: int
    easiness_centi: int
    interval: int
    repetitions: int
    due: date | None


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int
    retired: int
    unchanged: int


@dataclass(frozen=True)
class ReviewInput:
    """What a front end knows about a review; the store adds the scheduling."""

    card_id: str
    quality: int
    kind: str = "scheduled"
    suggested_quality: int | None = None
    answer: str = ""
    feedback: str = ""
    duration_ms: int = 0
    grader: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_tokens: int = 0
    cache_read_tokens: int = 0


CARD_COLUMNS = ("id, deck, prompt, answer, key_points, tags, demo, source, retired, easiness_centi, "
                "repetitions, interval, due, lapses, reviews")


def _card_row(row: dict) -> CardRow:
    return CardRow(
        id=row["id"], deck=row["deck"], prompt=row["prompt"], answer=row["answer"],
        key_points=tuple(json.loads(row["key_points"])), tags=tuple(json.loads(row["tags"])),
        demo=row["demo"], source=row["source"], retired=bool(row["retired"]),
        easiness_centi=row["easiness_centi"], repetitions=row["repetitions"], interval=row["interval"],
        due=date.fromisoformat(row["due"]) if row["due"] else None, lapses=row["lapses"],
        reviews=row["reviews"],
    )


def _schema_v1(db: sqlite_utils.Database) -> None:
    db["cards"].create({
        "id": str, "deck": str, "prompt": str, "answer": str, "key_points": str, "tags": str,
        "demo": str, "source": str, "position": int, "content_hash": str, "retired": int,
        "added_at": str, "easiness_centi": int, "repetitions": int, "interval": int, "due": str,
        "lapses": int, "reviews": int, "last_reviewed_at": str,
    }, pk="id", not_null={"deck", "prompt", "answer", "key_points", "tags", "content_hash"},
        defaults={"retired": 0, "easiness_centi": INITIAL_EASINESS_CENTI, "repetitions": 0,
                  "interval": 0, "lapses": 0, "reviews": 0, "tags": "[]", "position": 0})
    db["reviews"].create({
        "id": int, "card_id": str, "reviewed_at": str, "study_day": str, "kind": str,
        "quality": int, "suggested_quality": int, "was_new": int,
        "easiness_before": int, "easiness_after": int, "interval_before": int, "interval_after": int,
        "repetitions_before": int, "repetitions_after": int, "due_before": str, "due_after": str,
        "lapses_before": int, "last_reviewed_before": str, "duration_ms": int,
        "grader": str, "model": str, "prompt_version": str, "input_tokens": int, "output_tokens": int,
        "cache_creation_tokens": int, "cache_read_tokens": int, "answer": str, "feedback": str,
    }, pk="id", foreign_keys=[("card_id", "cards", "id")],
        not_null={"card_id", "reviewed_at", "study_day", "kind", "quality"},
        defaults={"input_tokens": 0, "output_tokens": 0, "cache_creation_tokens": 0,
                  "cache_read_tokens": 0, "duration_ms": 0, "answer": "", "feedback": "", "was_new": 0})
    db["drafts"].create({"card_id": str, "text": str, "updated_at": str}, pk="card_id")
    db["cards"].create_index(["retired", "due"])
    db["reviews"].create_index(["card_id", "id"])
    db["reviews"].create_index(["study_day"])
    db["reviews"].create_index(["reviewed_at"])


# Forward migrations: MIGRATIONS[n] takes a database at version n to version n + 1.
MIGRATIONS = [_schema_v1]
SCHEMA_VERSION = len(MIGRATIONS)


def check_is_sqlite(path: Path) -> None:
    """Refuse, without touching it, a file that is not an SQLite database."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise StoreError(f"{path} is a directory, not a database file; pass a file path with --db") from None
    except OSError as exc:
        raise StoreError(f"cannot read database {path}: {exc.strerror}") from None
    if header and header != SQLITE_MAGIC:
        raise StoreError(f"{path} is not an SQLite database; recall left it untouched "
                         "(point --db or RECALL_DB at another file)")


def _describe(exc: sqlite3.Error, path: Path) -> str:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        return f"database {path} is read-only; make it writable or use another file with --db"
    if "locked" in text or "busy" in text:
        return f"database {path} stayed locked by another recall for {BUSY_TIMEOUT_MS // 1000} s; try again"
    if "disk is full" in text or "full" in text:
        return f"the disk holding {path} is full; free some space and try again (nothing was saved)"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return f"database {path} is damaged ({exc}); restore a backup or move it aside"
    if "unable to open" in text:
        return f"cannot open database {path}; check that its directory exists and is writable"
    return f"database {path}: {exc}"


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.in_memory = str(path) == ":memory:"
        self.migration_backup: Path | None = None
        if not self.in_memory:
            check_is_sqlite(self.path)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the data directory {self.path.parent}: {exc.strerror}") from None
        try:
            conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                                   check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
            if not self.in_memory:
                self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, self.path)) from None

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(f"database {self.path} was written by a newer recall (schema {version}, this one "
                             f"knows {SCHEMA_VERSION}); upgrade recall, nothing was changed")
        if version == SCHEMA_VERSION:
            return
        if version > 0 and not self.in_memory:
            backup = self.path.with_name(f"{self.path.name}.v{version}.bak")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copy2(self.path, backup)
            self.migration_backup = backup
        with self.transaction():
            for step in MIGRATIONS[version:]:
                step(self.db)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, taken up front so two processes queue instead of deadlocking."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, self.path)) from None
        try:
            yield
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self.db.conn.rollback()
            raise StoreError(_describe(exc, self.path)) from None
        except BaseException:
            self.db.conn.rollback()
            raise

    # -- cards ----------------------------------------------------------------------------------

    def sync_cards(self, cards: Iterable[Card], now: datetime | None = None) -> SyncReport:
        """Make the cards table match the decks: insert new cards, rewrite only edited ones (by content
        hash), retire cards gone from the files. History and scheduling state are never touched."""
        stamp = iso_utc(now or utc_now())
        known = {row[0]: (row[1], row[2], row[3]) for row in
                 self.db.execute("SELECT id, content_hash, retired, position FROM cards")}
        inserts, updates, seen = [], [], set()
        for position, card in enumerate(cards):
            seen.add(card.id)
            values = (card.deck, card.prompt, card.answer, json.dumps(card.key_points, ensure_ascii=False),
                      json.dumps(card.tags, ensure_ascii=False), card.demo,
                      str(card.source) if card.source else None, position, card.content_hash)
            previous = known.get(card.id)
            if previous is None:
                inserts.append((card.id, *values, stamp))
            elif previous != (card.content_hash, 0, position):
                updates.append((*values, card.id))
        retiring = [(card_id,) for card_id, (_h, retired, _p) in known.items()
                    if card_id not in seen and not retired]
        if inserts or updates or retiring:
            with self.transaction():
                self.db.conn.executemany(
                    "INSERT INTO cards (id, deck, prompt, answer, key_points, tags, demo, source, position, "
                    "content_hash, added_at, retired) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", inserts)
                self.db.conn.executemany(
                    "UPDATE cards SET deck = ?, prompt = ?, answer = ?, key_points = ?, tags = ?, demo = ?, "
                    "source = ?, position = ?, content_hash = ?, retired = 0 WHERE id = ?", updates)
                self.db.conn.executemany("UPDATE cards SET retired = 1 WHERE id = ?", retiring)
        unchanged = len(seen) - len(inserts) - len(updates)
        return SyncReport(len(inserts), len(updates), len(retiring), unchanged)

    def card(self, card_id: str) -> CardRow | None:
        row = self.db.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE id = ?", [card_id]).fetchone()
        return _card_row(dict(zip(CARD_COLUMNS.split(", "), row))) if row else None

    def cards(self, include_retired: bool = False) -> list[CardRow]:
        where = "" if include_retired else "WHERE retired = 0"
        return [_card_row(row) for row in
                self.db.query(f"SELECT {CARD_COLUMNS} FROM cards {where} ORDER BY position, id")]

    def active_card_ids(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT id FROM cards WHERE retired = 0 ORDER BY id")]

    def due_cards(self, today: date) -> list[CardRow]:
        """Reviews due on or before `today`, most overdue first."""
        return [_card_row(row) for row in self.db.query(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE retired = 0 AND due IS NOT NULL AND due <= ? "
            "ORDER BY due, position, id", [today.isoformat()])]

    def new_cards(self, limit: int) -> list[CardRow]:
        """Never-reviewed cards in deck order."""
        return [_card_row(row) for row in self.db.query(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE retired = 0 AND due IS NULL AND reviews = 0 "
            "ORDER BY position, id LIMIT ?", [max(limit, 0)])]

    def new_introduced_on(self, today: date) -> int:
        return self.db.execute(
            "SELECT COUNT(DISTINCT card_id) FROM reviews WHERE study_day = ? AND was_new = 1",
            [today.isoformat()]).fetchone()[0]

    # -- reviews --------------------------------------------------------------------------------

    def record_review(self, entry: ReviewInput, today: date, now: datetime | None = None) -> ReviewRecord:
        """Store one review and the card's new state in a single transaction, and clear its draft.

        A `scheduled` review runs SM-2; a `drill` (step 7's same-day repeat) changes nothing but history.
        """
        if entry.kind not in REVIEW_KINDS:
            raise ValueError(f"review kind must be one of {REVIEW_KINDS}, not {entry.kind!r}")
        if not isinstance(entry.quality, int) or not 0 <= entry.quality <= 5:
            raise ValueError(f"quality must be an integer from 0 to 5, not {entry.quality!r}")
        stamp = iso_utc(now or utc_now())
        with self.transaction():
            row = self.db.execute(
                "SELECT easiness_centi, repetitions, interval, due, lapses, reviews, last_reviewed_at "
                "FROM cards WHERE id = ?", [entry.card_id]).fetchone()
            if row is None:
                raise StoreError(f"no card with id {entry.card_id!r} in the database")
            easiness, repetitions, interval, due, lapses, reviews, last_reviewed = row
            before = Sm2State(easiness, repetitions, interval)
            if entry.kind == "scheduled":
                after = review(before, entry.quality)
                due_after = (today + timedelta(days=after.interval)).isoformat()
                lapses_after = lapses + (1 if entry.quality < PASSING_QUALITY and repetitions > 0 else 0)
            else:
                after, due_after, lapses_after = before, due, lapses
            cursor = self.db.execute(
                "INSERT INTO reviews (card_id, reviewed_at, study_day, kind, quality, suggested_quality, "
                "was_new, easiness_before, easiness_after, interval_before, interval_after, "
                "repetitions_before, repetitions_after, due_before, due_after, lapses_before, "
                "last_reviewed_before, duration_ms, grader, model, prompt_version, input_tokens, "
                "output_tokens, cache_creation_tokens, cache_read_tokens, answer, feedback) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [entry.card_id, stamp, today.isoformat(), entry.kind, entry.quality, entry.suggested_quality,
                 int(reviews == 0 and entry.kind == "scheduled"), easiness, after.easiness_centi, interval,
                 after.interval, repetitions, after.repetitions, due, due_after, lapses, last_reviewed,
                 max(0, entry.duration_ms), entry.grader, entry.model, entry.prompt_version,
                 entry.input_tokens, entry.output_tokens, entry.cache_creation_tokens,
                 entry.cache_read_tokens, entry.answer, entry.feedback])
            self.db.execute(
                "UPDATE cards SET easiness_centi = ?, repetitions = ?, interval = ?, due = ?, lapses = ?, "
                "reviews = reviews + 1, last_reviewed_at = ? WHERE id = ?",
                [after.easiness_centi, after.repetitions, after.interval, due_after, lapses_after, stamp,
                 entry.card_id])
            self.db.execute("DELETE FROM drafts WHERE card_id = ?", [entry.card_id])
        return ReviewRecord(cursor.lastrowid, entry.card_id, entry.kind, entry.quality, after.easiness_centi,
                            after.interval, after.repetitions,
                            date.fromisoformat(due_after) if due_after else None)

    def undo_last_review(self, now: datetime | None = None) -> ReviewRecord | None:
        """Delete the newest review and restore its card exactly as it was before it; the explanation
        goes back into the card's draft so it can be graded again."""
        with self.transaction():
            row = self.db.execute(
                "SELECT id, card_id, kind, quality, easiness_before, interval_before, repetitions_before, "
                "due_before, lapses_before, last_reviewed_before, answer FROM reviews "
                "ORDER BY id DESC LIMIT 1").fetchone()
            if row is None:
                return None
            (review_id, card_id, kind, quality, easiness, interval, repetitions, due, lapses,
             last_reviewed, answer) = row
            self.db.execute(
                "UPDATE cards SET easiness_centi = ?, interval = ?, repetitions = ?, due = ?, lapses = ?, "
                "reviews = reviews - 1, last_reviewed_at = ? WHERE id = ?",
                [easiness, interval, repetitions, due, lapses, last_reviewed, card_id])
            self.db.execute("DELETE FROM reviews WHERE id = ?", [review_id])
            if answer:
                self._put_draft(card_id, answer, now)
        return ReviewRecord(review_id, card_id, kind, quality, easiness, interval, repetitions,
                            date.fromisoformat(due) if due else None)

    def reviews_for_card(self, card_id: str) -> list[dict]:
        return list(self.db.query(
            "SELECT id, reviewed_at, kind, quality, suggested_quality, grader, model, answer, feedback, "
            "interval_after, easiness_after FROM reviews WHERE card_id = ? ORDER BY id DESC", [card_id]))

    def review_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]

    # -- drafts ---------------------------------------------------------------------------------

    def _put_draft(self, card_id: str, text: str, now: datetime | None) -> None:
        self.db.execute(
            "INSERT INTO drafts (card_id, text, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(card_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
            [card_id, text, iso_utc(now or utc_now())])

    def save_draft(self, card_id: str, text: str, now: datetime | None = None) -> None:
        """Keep a typed explanation; an empty text removes the draft."""
        with self.transaction():
            if text.strip():
                self._put_draft(card_id, text, now)
            else:
                self.db.execute("DELETE FROM drafts WHERE card_id = ?", [card_id])

    def draft(self, card_id: str) -> str | None:
        row = self.db.execute("SELECT text FROM drafts WHERE card_id = ?", [card_id]).fetchone()
        return row[0] if row else None

    def drafts(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT card_id, text FROM drafts").fetchall())

    # -- statistics -----------------------------------------------------------------------------

    def card_counts(self, today: date) -> dict[str, int]:
        row = self.db.execute(
            "SELECT COUNT(*) FILTER (WHERE retired = 0), "
            "COUNT(*) FILTER (WHERE retired = 0 AND reviews = 0), "
            "COUNT(*) FILTER (WHERE retired = 0 AND due IS NOT NULL AND due <= ?), "
            "COUNT(*) FILTER (WHERE retired = 1) FROM cards", [today.isoformat()]).fetchone()
        return {"active": row[0], "new": row[1], "due": row[2], "retired": row[3]}

    def deck_counts(self, today: date) -> list[dict]:
        return list(self.db.query(
            "SELECT deck, COUNT(*) AS cards, SUM(reviews = 0) AS new, "
            "SUM(due IS NOT NULL AND due <= ?) AS due FROM cards WHERE retired = 0 "
            "GROUP BY deck ORDER BY MIN(position)", [today.isoformat()]))

    def reviews_per_day(self, since: date) -> dict[date, tuple[int, float]]:
        """Per study day since `since`: (number of reviews, average grade)."""
        return {date.fromisoformat(day): (count, average) for day, count, average in self.db.execute(
            "SELECT study_day, COUNT(*), AVG(quality) FROM reviews WHERE study_day >= ? "
            "GROUP BY study_day", [since.isoformat()])}

    def study_days(self) -> list[date]:
        """Every day with at least one review, newest first (the index on study_day makes this cheap)."""
        return [date.fromisoformat(row[0]) for row in
                self.db.execute("SELECT DISTINCT study_day FROM reviews ORDER BY study_day DESC")]

    def retention(self, since: date) -> tuple[int, int]:
        """(passed, total) scheduled reviews since `since` of cards that had already been learned."""
        row = self.db.execute(
            "SELECT COUNT(*) FILTER (WHERE quality >= 3), COUNT(*) FROM reviews "
            "WHERE kind = 'scheduled' AND repetitions_before > 0 AND study_day >= ?",
            [since.isoformat()]).fetchone()
        return row[0], row[1]

    def due_forecast(self, today: date, days: int) -> list[int]:
        """Cards falling due on each of the next `days` days; overdue cards count on day 0."""
        last = today + timedelta(days=days - 1)
        counts = [0] * days
        for due, count in self.db.execute(
                "SELECT due, COUNT(*) FROM cards WHERE retired = 0 AND due IS NOT NULL AND due <= ? "
                "GROUP BY due", [last.isoformat()]):
            counts[max(0, (date.fromisoformat(due) - today).days)] += count
        return counts

    def token_usage(self) -> list[dict]:
        """Token totals per grader and model, for cost estimates."""
        return list(self.db.query(
            "SELECT grader, model, COUNT(*) AS reviews, SUM(input_tokens) AS input_tokens, "
            "SUM(output_tokens) AS output_tokens, SUM(cache_creation_tokens) AS cache_creation_tokens, "
            "SUM(cache_read_tokens) AS cache_read_tokens FROM reviews WHERE model IS NOT NULL "
            "GROUP BY grader, model ORDER BY reviews DESC"))
