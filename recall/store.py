"""SQLite storage of cards, reviews and drafts: opening the file, transactions, and the queries of studying.

Every write is one explicit `BEGIN IMMEDIATE` transaction (recording a review and updating its card's
state commit together or not at all), and a commit is on disk before it returns (synchronous=FULL), so a
review the user was told about survives a kill or a power cut. WAL and a busy timeout let several recall
processes share a file. Every database error reaches the caller as a one-sentence `StoreError`.

Beside it: `database_file` (what recall refuses to open, what an error means), `schema` (migrations),
`deck_sync` (cards from deck files, through a cache), `review_query` (review filters as SQL); `recall.stats`
keeps the progress counts' queries.
sqlite-utils is imported only to migrate and for callers of `Store.db`: with numpy it costs about 0.2 s,
more than a whole no-change start. Dates passed in (`today`) are local study days; timestamps are UTC.
No clock is read here except `utc_now()` as a default, so tests pass their own times.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import groupby
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from recall import review_query
from recall.clock import iso_utc, utc_now
from recall.database_file import BUSY_TIMEOUT_MS, StoreError, check_database_file, describe
from recall.deck import Card
from recall.deck_sync import CardSync, DeckSync, SyncReport
from recall.review_query import ReviewFilter, ReviewOrder
from recall.scheduler import (
    DEFAULT_LEECH_LAPSES, DRILL_PASS_MARK, REVIEW_KINDS, CardState, Grade, ReviewKind, Scheduler, replay,
    review_kind, scheduler_named,
)
from recall.schema import migrate

if TYPE_CHECKING:
    import sqlite_utils

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
    core: int | None = None  # the number of the key point that carries the mechanism (see deck.Card)
    misconceptions: tuple[str, ...] = ()
    stability: float | None = None
    difficulty: float | None = None
    suspended: bool = False  # kept out of sessions by the learner; its history stays

    @property
    def state(self) -> CardState:
        return CardState(self.easiness_centi, self.repetitions, self.interval, self.due, self.lapses,
                         self.stability, self.difficulty)

    @property
    def is_new(self) -> bool:
        return self.reviews == 0

    def to_card(self) -> Card:
        return Card(self.id, self.deck, self.prompt, self.answer, self.key_points, self.tags, self.demo,
                    Path(self.source) if self.source else None, core=self.core,
                    misconceptions=self.misconceptions)


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
                "repetitions, interval, due, lapses, reviews, core, misconceptions, stability, difficulty, suspended")
STATE_COLUMNS = "easiness_centi, repetitions, interval, due, lapses, stability, difficulty"
# The cards a session may ask: active and not suspended.
STUDIED = "retired = 0 AND suspended = 0"


def _card_row(row: Sequence) -> CardRow:
    """A CardRow from a row selected as CARD_COLUMNS."""
    (card_id, deck, prompt, answer, key_points, tags, demo, source, retired, easiness_centi, repetitions,
     interval, due, lapses, reviews, core, misconceptions, stability, difficulty, suspended) = row
    return CardRow(card_id, deck, prompt, answer, tuple(json.loads(key_points)), tuple(json.loads(tags)),
                   demo, source, bool(retired), easiness_centi, repetitions, interval,
                   date.fromisoformat(due) if due else None, lapses, reviews, core,
                   tuple(json.loads(misconceptions)), stability, difficulty, bool(suspended))


def _scope(deck: str | None, tag: str | None) -> tuple[str, list[str]]:
    """The SQL condition (to follow a WHERE clause on `cards`) for one deck and/or one tag, and its
    parameters."""
    conditions, params = [], []
    if deck is not None:
        conditions.append("AND cards.deck = ?")
        params.append(deck)
    if tag is not None:
        conditions.append("AND EXISTS (SELECT 1 FROM json_each(cards.tags) WHERE value = ?)")
        params.append(tag)
    return " ".join(conditions), params


def _prefixed_columns(alias: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in CARD_COLUMNS.split(", "))


def _state_values(state: CardState) -> tuple:
    """A state as the cards table's STATE_COLUMNS hold it."""
    return (state.easiness_centi, state.repetitions, state.interval, state.due.isoformat() if state.due else None,
            state.lapses, state.stability, state.difficulty)


class Store:
    def __init__(self, path: Path | str, scheduler: Scheduler | None = None) -> None:
        """Open (creating or migrating) the database at `path`; `scheduler` turns reviews into card
        states. A scheduler given is adopted: if another computed the stored states, every card's log is
        replayed through it first. None means SM-2 without that check (for a look at the cards alone)."""
        self.path = Path(path)
        self.scheduler = scheduler or scheduler_named()
        self.in_memory = str(path) == ":memory:"
        self.migration_backup: Path | None = None
        if not self.in_memory:
            check_database_file(self.path)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the data directory {self.path.parent}: {exc.strerror}") from None
        try:
            # the busy timeout is the PRAGMA's below: connecting takes no lock
            self.conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(describe(exc, self.path)) from None
        try:
            for pragma in (f"busy_timeout = {BUSY_TIMEOUT_MS}", "foreign_keys = ON", "synchronous = FULL"):
                self.conn.execute(f"PRAGMA {pragma}")
            self.migration_backup = migrate(self)
            if scheduler is not None:
                self._adopt_scheduler()
        except sqlite3.Error as exc:
            self.close()
            raise StoreError(describe(exc, self.path)) from None
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils on the same connection, for migrations and for callers that want its helpers."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @contextmanager
    def _errors_described(self) -> Iterator[None]:
        """A database error (a damaged page, say) inside becomes a StoreError."""
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(describe(exc, self.path)) from None

    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """Every row of a query."""
        with self._errors_described():
            return self.conn.execute(sql, params).fetchall()

    def read(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """Every row of a read-only query, for a core module that keeps its own queries (`recall.stats`)."""
        return self._rows(sql, params)

    def read_dicts(self, sql: str, params: Sequence = ()) -> list[dict]:
        """Every row of a read-only query as a dict by column name."""
        with self._errors_described():
            cursor = self.conn.execute(sql, params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    @property
    def schema_version(self) -> int:
        return self._rows("PRAGMA user_version")[0][0]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, taken up front so two processes queue instead of deadlocking."""
        with self._errors_described():
            self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._roll_back()
            raise StoreError(describe(exc, self.path)) from None
        except BaseException:
            self._roll_back()
            raise

    def _roll_back(self) -> None:
        """Undo the open transaction; SQLite has already undone it after some errors (a full disk)."""
        with suppress(sqlite3.Error):
            self.conn.rollback()

    # -- the scheduler that computed the stored states ------------------------------------------

    def _adopt_scheduler(self) -> None:
        """When the configured scheduler (or one of its settings) is not the one that computed the stored
        states, recompute every card's state by replaying its log through it: switching back and forth
        loses nothing, since the log is the truth."""
        if self._stored_scheduler() == self.scheduler.identity:
            return
        with self.transaction():
            if self._stored_scheduler() == self.scheduler.identity:  # another recall did it meanwhile
                return
            states = [(card_id, replay(self.scheduler, log)) for card_id, log in self.card_logs()]
            self.conn.executemany(f"UPDATE cards SET ({STATE_COLUMNS}) = (?, ?, ?, ?, ?, ?, ?) WHERE id = ?",
                                  [(*_state_values(state), card_id) for card_id, state in states])
            self.conn.execute("INSERT INTO meta (key, value) VALUES ('scheduler', ?) "
                              "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [self.scheduler.identity])

    def _stored_scheduler(self) -> str | None:
        row = self._rows("SELECT value FROM meta WHERE key = 'scheduler'")
        return row[0][0] if row else None

    def card_logs(self) -> Iterator[tuple[str, list[tuple[int, ReviewKind, date]]]]:
        """Each reviewed card's id and its log (grade, kind, study day), oldest first, by card id: one
        card's log in memory at a time."""
        for card_id, rows in groupby(self.review_log(), key=lambda row: row[0]):
            yield card_id, [row[1:] for row in rows]

    # -- cards ----------------------------------------------------------------------------------

    def sync_cards(self, cards: Iterable[Card], now: datetime | None = None) -> SyncReport:
        """Make the cards table match `cards` (every deck, in order); see `CardSync.sync_cards`."""
        with self._errors_described():
            return CardSync(self.conn, self.transaction).sync_cards(cards, iso_utc(now or utc_now()))

    def sync_decks(self, paths: Iterable[Path], now: datetime | None = None) -> DeckSync:
        """Make the cards match the deck files under `paths`, parsing only the files that changed; see
        `CardSync.sync_decks`."""
        with self._errors_described():
            return CardSync(self.conn, self.transaction).sync_decks(paths, iso_utc(now or utc_now()))

    def card(self, card_id: str) -> CardRow | None:
        rows = self._rows(f"SELECT {CARD_COLUMNS} FROM cards WHERE id = ?", [card_id])
        return _card_row(rows[0]) if rows else None

    def cards(self, include_retired: bool = False) -> list[CardRow]:
        where = "" if include_retired else "WHERE retired = 0"
        return [_card_row(row) for row in
                self._rows(f"SELECT {CARD_COLUMNS} FROM cards {where} ORDER BY position, id")]

    def card_summaries_json(self, leech_lapses: int = DEFAULT_LEECH_LAPSES, leeches_only: bool = False) -> str:
        """The active cards (only the leeches, if asked), in deck order, as one JSON array of {id, deck,
        prompt, tags, demo, due, interval, repetitions, easiness, lapses, reviews, stability, difficulty,
        suspended, leech}: SQLite writes each object, so a hundred thousand cards cost a fifth of what
        reading them as CardRows and encoding those in Python does. `leech` is `scheduler.is_leech` in SQL."""
        with self._errors_described():
            objects = self.conn.execute(
                "SELECT json_object('id', id, 'deck', deck, 'prompt', prompt, 'tags', json(tags), 'demo', demo, "
                "'due', due, 'interval', interval, 'repetitions', repetitions, 'easiness', easiness_centi / 100.0, "
                "'lapses', lapses, 'reviews', reviews, 'stability', stability, 'difficulty', difficulty, "
                "'suspended', json(iif(suspended, 'true', 'false')), 'leech', json(iif(lapses >= ?, 'true', 'false'))) "
                "FROM cards WHERE retired = 0 AND (? = 0 OR lapses >= ?) ORDER BY position, id",
                [leech_lapses, int(leeches_only), leech_lapses])
            return f"[{', '.join(row[0] for row in objects)}]"

    def card_sources(self) -> dict[str, str]:
        """Each active card's id and the deck file it comes from: who holds an id another file reuses."""
        return dict(self._rows("SELECT id, source FROM cards WHERE retired = 0 AND source IS NOT NULL"))

    def active_card_ids(self) -> list[str]:
        return [row[0] for row in self._rows("SELECT id FROM cards WHERE retired = 0 ORDER BY id")]

    def due_cards(self, today: date, deck: str | None = None, tag: str | None = None) -> list[CardRow]:
        """Reviews due on or before `today` (of one deck or tag if given), most overdue first; suspended
        cards are left out."""
        scope, params = _scope(deck, tag)
        return [_card_row(row) for row in self._rows(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE {STUDIED} AND due IS NOT NULL AND due <= ? {scope} "
            "ORDER BY due, position, id", [today.isoformat(), *params])]

    def due_ahead(self, today: date, days: int, deck: str | None = None, tag: str | None = None) -> list[CardRow]:
        """Cards due in the `days` days after `today` and not scheduled today, soonest first: reviewing ahead."""
        scope, params = _scope(deck, tag)
        return [_card_row(row) for row in self._rows(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE {STUDIED} AND due > ? AND due <= ? {scope} "
            "AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.card_id = cards.id AND r.study_day = ? "
            "AND r.kind = 'scheduled') ORDER BY due, position, id",
            [today.isoformat(), (today + timedelta(days=days)).isoformat(), *params, today.isoformat()])]

    def new_cards(self, limit: int, deck: str | None = None, tag: str | None = None) -> list[CardRow]:
        """Never-reviewed cards (of one deck or tag if given) in deck order; suspended ones are left out."""
        scope, params = _scope(deck, tag)
        return [_card_row(row) for row in self._rows(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE {STUDIED} AND due IS NULL AND reviews = 0 {scope} "
            "ORDER BY position, id LIMIT ?", [*params, max(limit, 0)])]

    def new_introduced_on(self, today: date, deck: str | None = None) -> int:
        """New cards first reviewed on study day `today` (in one deck if given)."""
        if deck is None:
            return self._rows("SELECT COUNT(DISTINCT card_id) FROM reviews WHERE study_day = ? AND was_new = 1",
                              [today.isoformat()])[0][0]
        return self._rows("SELECT COUNT(DISTINCT r.card_id) FROM reviews r JOIN cards c ON c.id = r.card_id "
                          "WHERE r.study_day = ? AND r.was_new = 1 AND c.deck = ?", [today.isoformat(), deck])[0][0]

    def deck_names(self) -> list[str]:
        """The active decks, in deck order."""
        return [row[0] for row in self._rows("SELECT deck FROM cards WHERE retired = 0 GROUP BY deck "
                                             "ORDER BY MIN(position)")]

    def tag_names(self) -> list[str]:
        """Every tag of an active card, sorted."""
        return [row[0] for row in self._rows("SELECT DISTINCT t.value FROM cards, json_each(cards.tags) t "
                                             "WHERE cards.retired = 0 ORDER BY t.value")]

    def set_suspended(self, card_id: str, suspended: bool) -> bool:
        """Suspend a card (no session asks it; its history and state stay) or bring it back; returns
        whether anything changed."""
        with self.transaction():
            return self.conn.execute("UPDATE cards SET suspended = ? WHERE id = ? AND suspended != ?",
                                     [int(suspended), card_id, int(suspended)]).rowcount > 0

    # -- reviews --------------------------------------------------------------------------------

    def record_review(self, entry: ReviewInput, today: date, now: datetime | None = None) -> ReviewRecord:
        """Store one review and the card's new state in a single transaction, and clear its draft.

        The scheduler computes the new state; whether the review is scheduled or a drill (a card already
        scheduled on study day `today`) is decided inside the transaction, so two recalls grading the same
        card at once cannot both schedule it.
        """
        if entry.kind not in REVIEW_KINDS:
            raise ValueError(f"review kind must be one of {REVIEW_KINDS}, not {entry.kind!r}")
        grade = Grade.parse(entry.quality)
        stamp = iso_utc(now or utc_now())
        with self.transaction():
            row = self.conn.execute(
                "SELECT easiness_centi, repetitions, interval, due, lapses, reviews, last_reviewed_at, stability, "
                "difficulty FROM cards WHERE id = ?", [entry.card_id]).fetchone()
            if row is None:
                raise StoreError(f"no card with id {entry.card_id!r} in the database")
            easiness, repetitions, interval, due, lapses, reviews, last_reviewed, stability, difficulty = row
            before = CardState(easiness, repetitions, interval, date.fromisoformat(due) if due else None, lapses,
                               stability, difficulty)
            kind = review_kind(entry.kind, self._last_scheduled_day(entry.card_id), today)
            after, _log = self.scheduler.review_card(before, grade, kind, today)
            due_after = after.due.isoformat() if after.due else None
            cursor = self.conn.execute(
                "INSERT INTO reviews (card_id, reviewed_at, study_day, kind, quality, suggested_quality, "
                "was_new, easiness_before, easiness_after, interval_before, interval_after, "
                "repetitions_before, repetitions_after, due_before, due_after, lapses_before, "
                "last_reviewed_before, duration_ms, grader, model, prompt_version, input_tokens, "
                "output_tokens, cache_creation_tokens, cache_read_tokens, answer, feedback) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [entry.card_id, stamp, today.isoformat(), kind, grade, entry.suggested_quality,
                 int(reviews == 0 and kind == "scheduled"), easiness, after.easiness_centi, interval,
                 after.interval, repetitions, after.repetitions, due, due_after, lapses, last_reviewed,
                 max(0, entry.duration_ms), entry.grader, entry.model, entry.prompt_version,
                 entry.input_tokens, entry.output_tokens, entry.cache_creation_tokens,
                 entry.cache_read_tokens, entry.answer, entry.feedback])
            self.conn.execute(
                f"UPDATE cards SET ({STATE_COLUMNS}) = (?, ?, ?, ?, ?, ?, ?), reviews = reviews + 1, "
                "last_reviewed_at = ? WHERE id = ?", [*_state_values(after), stamp, entry.card_id])
            self.conn.execute("DELETE FROM drafts WHERE card_id = ?", [entry.card_id])
        return ReviewRecord(cursor.lastrowid, entry.card_id, kind, int(grade), after.easiness_centi,
                            after.interval, after.repetitions, after.due)

    def _last_scheduled_day(self, card_id: str) -> date | None:
        row = self.conn.execute("SELECT study_day FROM reviews WHERE card_id = ? AND kind = 'scheduled' "
                                "ORDER BY id DESC LIMIT 1", [card_id]).fetchone()
        return date.fromisoformat(row[0]) if row else None

    def undo_review(self, review_id: int, now: datetime | None = None) -> ReviewRecord:
        """Delete review `review_id` and restore its card exactly as it was before it; the explanation goes
        back into the card's draft so it can be graded again. Checked inside the transaction: the review
        must still exist and be its card's newest, or nothing changes and a StoreError says why. The card's
        state is its remaining log replayed (the review's `before` columns may be another scheduler's)."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT id, card_id, kind, quality, easiness_before, interval_before, repetitions_before, "
                "due_before, lapses_before, last_reviewed_before, answer FROM reviews WHERE id = ?",
                [review_id]).fetchone()
            if row is None:
                raise StoreError("that review is no longer in the database (another recall took it back); "
                                 "nothing was undone")
            (review_id, card_id, kind, quality, _easiness, _interval, _repetitions, _due, _lapses,
             last_reviewed, answer) = row
            later = self.conn.execute("SELECT 1 FROM reviews WHERE card_id = ? AND id > ? LIMIT 1",
                                      [card_id, review_id]).fetchone()
            if later:
                raise StoreError(f"{card_id} was reviewed again since (by another recall); nothing was undone")
            self.conn.execute("DELETE FROM reviews WHERE id = ?", [review_id])
            state = replay(self.scheduler, [(grade, logged_kind, date.fromisoformat(day)) for grade, logged_kind, day
                                            in self.conn.execute("SELECT quality, kind, study_day FROM reviews "
                                                                 "WHERE card_id = ? ORDER BY id", [card_id])])
            self.conn.execute(
                f"UPDATE cards SET ({STATE_COLUMNS}) = (?, ?, ?, ?, ?, ?, ?), reviews = reviews - 1, "
                "last_reviewed_at = ? WHERE id = ?", [*_state_values(state), last_reviewed, card_id])
            if answer:
                self._put_draft(card_id, answer, now)
        return ReviewRecord(review_id, card_id, kind, quality, state.easiness_centi, state.interval,
                            state.repetitions, state.due)

    def owed_drills(self, today: date) -> list[CardRow]:
        """Active cards whose latest review on study day `today` is below the drill pass mark (SM-2 step
        7), in the order they were last graded: read from the log, so a quit or a crash loses none. A recap
        entry owes no drill (a failing one makes the card due instead)."""
        # Each card's latest review of the day found in one pass over the day's reviews: a subquery per
        # review would search the day's reviews again for each (0.26 s at a thousand reviews a day).
        return [_card_row(row) for row in self._rows(
            f"SELECT {_prefixed_columns('c')} FROM (SELECT card_id, MAX(id) AS last_id FROM reviews "
            "WHERE study_day = ? AND kind != 'recap' GROUP BY card_id) latest "
            "JOIN reviews r ON r.id = latest.last_id JOIN cards c ON c.id = latest.card_id "
            "WHERE c.retired = 0 AND c.suspended = 0 AND r.quality < ? ORDER BY r.id",
            [today.isoformat(), int(DRILL_PASS_MARK)])]

    def review_log(self) -> Iterator[tuple[str, int, ReviewKind, date]]:
        """Every review as (card id, grade, kind, study day), card by card and oldest first within a card:
        what a replay through the scheduler reads."""
        days: dict[str, date] = {}  # a few thousand study days among a million reviews: parse each once
        with self._errors_described():
            cursor = self.conn.execute("SELECT card_id, quality, kind, study_day FROM reviews ORDER BY card_id, id")
            for card_id, quality, kind, day in cursor:
                parsed = days.get(day)
                if parsed is None:
                    parsed = days[day] = date.fromisoformat(day)
                yield card_id, quality, kind, parsed

    def card_states(self) -> Iterator[tuple[str, CardState, int]]:
        """Every card (retired ones too) as (id, stored state, number of reviews), by id."""
        for card_id, easiness, repetitions, interval, due, lapses, stability, difficulty, reviews in self._rows(
                f"SELECT id, {STATE_COLUMNS}, reviews FROM cards ORDER BY id"):
            yield card_id, CardState(easiness, repetitions, interval, date.fromisoformat(due) if due else None,
                                     lapses, stability, difficulty), reviews

    def reviews_for_card(self, card_id: str) -> list[dict]:
        return self.read_dicts(
            "SELECT id, reviewed_at, kind, quality, suggested_quality, grader, model, answer, feedback, "
            "interval_after, easiness_after FROM reviews WHERE card_id = ? ORDER BY id DESC", [card_id])

    def recent_reviews(self, limit: int) -> list[dict]:
        """The newest `limit` reviews of every card (retired ones too), newest first, with card and deck."""
        return self.read_dicts(
            "SELECT r.id, r.card_id, c.deck, r.reviewed_at, r.kind, r.quality, r.suggested_quality, r.grader, "
            "r.model, r.answer, r.feedback, r.interval_after, r.easiness_after "
            "FROM reviews r JOIN cards c ON c.id = r.card_id ORDER BY r.id DESC LIMIT ?", [limit])

    def review_count(self) -> int:
        return self._rows("SELECT COUNT(*) FROM reviews")[0][0]

    # -- filtered reviews, a batch at a time (exports) -------------------------------------------

    def review_batches(self, filters: ReviewFilter, columns: Sequence[str], *, whole_histories: bool = False,
                       order: ReviewOrder = "id", formula_prefix: Sequence[str] = (),
                       batch_size: int = 2_000) -> Iterator[list[tuple]]:
        """The filtered reviews' `columns` (named as in `review_query.REVIEW_COLUMNS`), `batch_size` rows
        at a time from one cursor, so a million reviews take the memory of one batch. In review-id order,
        or time order (`order="time"`); `whole_histories` leaves out a card reviewed before `since`;
        `formula_prefix`: see `review_query.column_expressions`."""
        sql, params = review_query.select_reviews(filters, columns, whole_histories=whole_histories, order=order,
                                                  formula_prefix=formula_prefix)
        with self._errors_described():
            cursor = self.conn.execute(sql, params)
            while batch := cursor.fetchmany(batch_size):
                yield batch

    def count_reviews(self, filters: ReviewFilter, whole_histories: bool = False) -> int:
        """How many reviews `review_batches` with the same arguments yields."""
        return self._rows(*review_query.count_reviews(filters, whole_histories))[0][0]

    def filtered_cards(self, filters: ReviewFilter) -> list[CardRow]:
        """The cards matching the card and deck filters, in deck order: active ones, and retired ones with
        a review in the filtered days."""
        where, params = review_query.card_conditions(filters)
        return [_card_row(row) for row in self._rows(
            f"SELECT {_prefixed_columns('c')} FROM cards c {where} ORDER BY c.position, c.id", params)]

    # -- drafts ---------------------------------------------------------------------------------

    def _put_draft(self, card_id: str, text: str, now: datetime | None) -> None:
        self.conn.execute(
            "INSERT INTO drafts (card_id, text, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(card_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
            [card_id, text, iso_utc(now or utc_now())])

    def save_draft(self, card_id: str, text: str, now: datetime | None = None) -> None:
        """Keep a typed explanation; an empty text removes the draft."""
        with self.transaction():
            if text.strip():
                self._put_draft(card_id, text, now)
            else:
                self.conn.execute("DELETE FROM drafts WHERE card_id = ?", [card_id])

    def keep_draft(self, card_id: str, text: str, now: datetime | None = None) -> bool:
        """Save a practice explanation as the draft only if the card has none (one the learner is writing
        in the app is never replaced); returns whether the draft now holds `text`."""
        with self.transaction():
            self.conn.execute("INSERT INTO drafts (card_id, text, updated_at) VALUES (?, ?, ?) "
                              "ON CONFLICT(card_id) DO NOTHING", [card_id, text, iso_utc(now or utc_now())])
            return self.conn.execute("SELECT text FROM drafts WHERE card_id = ?", [card_id]).fetchone()[0] == text

    def draft(self, card_id: str) -> str | None:
        """The card's draft, unless it is older than the card's last review (a review never opens
        pre-filled with an attempt from before it). Also a recap's draft, kept under a key that is no
        card's id (see `recap.draft_key`)."""
        rows = self._rows("SELECT d.text FROM drafts d LEFT JOIN cards c ON c.id = d.card_id WHERE d.card_id = ? "
                          "AND (c.last_reviewed_at IS NULL OR d.updated_at >= c.last_reviewed_at)", [card_id])
        return rows[0][0] if rows else None

    def drafts(self) -> dict[str, str]:
        return dict(self._rows("SELECT card_id, text FROM drafts"))
