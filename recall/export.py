"""Review history export: csv, json, jsonl, the FSRS optimizer's review log, and an Anki package.

Every format streams: the store hands over the filtered reviews in batches (`Store.review_batches`) and
they are written as they arrive, so a million reviews take the memory of one batch. This module only
formats: which reviews and columns is asked of the store by name, never in SQL. A file is written
atomically (`recall.atomic_file`): an interrupted or killed export leaves no file, never half a file,
and an earlier file at that path stays as it was. The database itself, the files SQLite keeps beside
it, and any other SQLite file are never written over. The CLI and the TUI's History screen both call
`export_reviews`.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import html
import io
import itertools
import json
import os
import sqlite3
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta, timezone
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from recall.atomic_file import FileWriteError, resolve_target, write_atomically
from recall.database_file import SIDE_FILE_SUFFIXES, StoreError, is_sqlite_file
from recall.errors import RecallError
from recall.json_text import json_text
from recall.review_query import ReviewFilter
from recall.scheduler import four_point_rating

if TYPE_CHECKING:
    from recall.store import CardRow, Store

FORMATS = ("csv", "json", "jsonl", "fsrs", "anki")
EXPORT_COLUMNS = (
    "review_id", "card_id", "deck", "reviewed_at", "kind", "quality", "suggested_quality", "easiness",
    "interval_days", "repetitions", "due", "duration_ms", "grader", "model", "answer", "feedback",
)
FSRS_COLUMNS = ("card_id", "review_time", "review_rating", "review_state", "review_duration")
# What the FSRS and Anki writers need to classify a review (see `review_phase`), named as the store names them.
PHASE_COLUMNS = ("kind", "was_new", "repetitions_before", "lapses_before")
# One home for a format's file name suffix (the TUI proposes file names with it).
FILE_SUFFIXES = {"csv": ".csv", "json": ".json", "jsonl": ".jsonl", "fsrs": ".csv", "anki": ".apkg"}

# A spreadsheet runs a cell beginning with one of these as a formula (OWASP "CSV injection"); the csv
# format asks the store for text cells starting with one with a leading apostrophe, shown as text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# JSON allows these raw inside strings, but str.splitlines() and JavaScript line readers split on them;
# escaping them keeps one jsonl object per line for every reader and decodes to the same text.
LINE_BREAKING_ESCAPES = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})
LINE_BREAKERS = tuple(map(chr, LINE_BREAKING_ESCAPES))

FETCH_BATCH = 2_000  # rows per fetch, and per progress report
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class ExportError(RecallError):
    """An export the user asked for cannot be made; the message is one sentence."""


# Which reviews to export: `since`/`until` are inclusive study days; see `ReviewFilter`.
ExportFilter = ReviewFilter


def file_suffix(fmt: str) -> str:
    """The file name suffix for an export format: .apkg for anki, .csv for fsrs, else `.<fmt>`."""
    return FILE_SUFFIXES.get(fmt, f".{fmt}")


class ReviewPhase(IntEnum):
    """A review's learning phase, numbered as the FSRS optimizer's `review_state` column."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3

    @property
    def anki_revlog_type(self) -> int:
        """Anki's revlog.type: 0 learn, 1 review, 2 relearn."""
        return ANKI_REVLOG_TYPES[self]


ANKI_REVLOG_TYPES = {ReviewPhase.NEW: 0, ReviewPhase.LEARNING: 0, ReviewPhase.REVIEW: 1, ReviewPhase.RELEARNING: 2}
ANKI_CRAM = 3  # Anki's revlog.type of a review outside the schedule (a filtered deck): what a recap entry is


def anki_revlog_type(kind: str, was_new: int, repetitions_before: int, lapses_before: int) -> int:
    """Anki's revlog.type for a review: its phase's, except that a recap entry, which leaves the schedule
    alone (or only brings the card forward), is a cram review."""
    if kind == "recap":
        return ANKI_CRAM
    return review_phase(kind, was_new, repetitions_before, lapses_before).anki_revlog_type


def review_phase(kind: str, was_new: int, repetitions_before: int, lapses_before: int) -> ReviewPhase:
    """SM-2 has no learning steps, so the phase follows from when a review happens:

    - NEW: a card's first scheduled review;
    - REVIEW: any later scheduled review (each comes a day or more after the card's previous one);
    - LEARNING: a drill (step 7's same-day repeat) of a card still on its first steps (never lapsed, at
      most one successful repetition), as Anki's learning steps are;
    - RELEARNING: any other drill, a same-day repeat after a weak recall of a card already learnt.

    A recap entry (a card a chapter recap covered before it was due) is a REVIEW: a real recall attempt
    a day or more after the card's previous review.
    """
    if kind == "drill":
        if lapses_before == 0 and repetitions_before <= 1:
            return ReviewPhase.LEARNING
        return ReviewPhase.RELEARNING
    return ReviewPhase.NEW if was_new else ReviewPhase.REVIEW


def epoch_ms(reviewed_at: str) -> int:
    """The stored ISO UTC timestamp as integer epoch milliseconds, without float rounding."""
    return (datetime.fromisoformat(reviewed_at) - UNIX_EPOCH) // timedelta(milliseconds=1)


class _Progress:
    """Counts rows as batches of them are written, and reports (done, total) after each batch."""

    def __init__(self, total: int, report: Callable[[int, int], None] | None) -> None:
        self.total = total
        self.report = report
        self.done = 0

    def batches(self, batches: Iterable[list[tuple]]) -> Iterator[list[tuple]]:
        for batch in batches:
            yield batch
            self.done += len(batch)
            if self.report is not None:
                self.report(self.done, self.total)

    def rows(self, batches: Iterable[list[tuple]]) -> Iterator[tuple]:
        return itertools.chain.from_iterable(self.batches(batches))


# -- text formats -----------------------------------------------------------------------------------


def _write_csv_rows(out: TextIO, rows: Iterable[tuple]) -> None:
    """Rows as RFC 4180 CSV (CRLF line ends, quotes doubled, fields quoted only when needed), written to
    `out` in one piece: the writer's row-at-a-time writes to an encoding stream cost more than its work."""
    batch = io.StringIO(newline="")
    csv.writer(batch).writerows(rows)
    out.write(batch.getvalue())


def _write_csv(store: Store, filters: ExportFilter, out: TextIO, progress: _Progress) -> None:
    _write_csv_rows(out, [EXPORT_COLUMNS])
    batches = store.review_batches(filters, EXPORT_COLUMNS, formula_prefix=FORMULA_TRIGGERS, batch_size=FETCH_BATCH)
    for batch in progress.batches(batches):
        _write_csv_rows(out, batch)


def _json_objects(batch: list[tuple], separator: str) -> str:
    """The rows as JSON objects, one a line, joined by `separator`. The line breakers can only be inside
    strings, so escaping them in the joined text is escaping them in each object; looking for them first
    is far quicker than translating text that has none."""
    text = separator.join([json_text(dict(zip(EXPORT_COLUMNS, row))) for row in batch])
    if any(breaker in text for breaker in LINE_BREAKERS):
        return text.translate(LINE_BREAKING_ESCAPES)
    return text


def _write_json(store: Store, filters: ExportFilter, out: TextIO, progress: _Progress) -> None:
    """One array, written a batch of elements at a time."""
    separator = "[\n"
    for batch in progress.batches(store.review_batches(filters, EXPORT_COLUMNS, batch_size=FETCH_BATCH)):
        out.write(separator + _json_objects(batch, ",\n"))
        separator = ",\n"
    out.write("[]\n" if separator == "[\n" else "\n]\n")


def _write_jsonl(store: Store, filters: ExportFilter, out: TextIO, progress: _Progress) -> None:
    for batch in progress.batches(store.review_batches(filters, EXPORT_COLUMNS, batch_size=FETCH_BATCH)):
        out.write(_json_objects(batch, "\n") + "\n")


def _write_fsrs(store: Store, filters: ExportFilter, out: TextIO, progress: _Progress) -> None:
    """The FSRS optimizer's review log. Drills are included: they are real recall attempts, FSRS-5 and
    later learn short-term memory from same-day reviews, and older optimizers drop same-day repeats
    themselves."""
    _write_csv_rows(out, [FSRS_COLUMNS])
    columns = ("card_id", "reviewed_at", "quality", "duration_ms", *PHASE_COLUMNS)
    batches = store.review_batches(filters, columns, whole_histories=True, batch_size=FETCH_BATCH)
    for batch in progress.batches(batches):
        _write_csv_rows(out, ((card_id, epoch_ms(reviewed_at), four_point_rating(quality), int(review_phase(*phase)),
                               duration_ms) for card_id, reviewed_at, quality, duration_ms, *phase in batch))


TEXT_WRITERS: dict[str, Callable[[Store, ExportFilter, TextIO, _Progress], None]] = {
    "csv": _write_csv, "json": _write_json, "jsonl": _write_jsonl, "fsrs": _write_fsrs,
}


# -- anki -------------------------------------------------------------------------------------------

ANKI_MODEL_ID = 1_607_392_101  # fixed, so re-importing a newer export updates the same note type
ANKI_CREATION_HOUR = 12  # the collection's creation time of day: far from any day start


def _anki_id(name: str) -> int:
    """A stable Anki deck id for a deck name, in the range genanki recommends."""
    return (1 << 30) + int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest()) % (1 << 30)


def _anki_field(text: str) -> str:
    """Anki fields are HTML: our Markdown is shown as text with its line breaks."""
    return html.escape(text).replace("\n", "<br>")


def _anki_model():  # noqa: ANN202 - genanki.Model, imported lazily (genanki is only needed here)
    import genanki

    return genanki.Model(
        ANKI_MODEL_ID, "recall (prompt, answer, key points)",
        fields=[{"name": "Prompt"}, {"name": "Answer"}, {"name": "Key points"}],
        templates=[{"name": "Explain", "qfmt": "{{Prompt}}",
                    "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}<br><br><b>Key points</b><br>{{Key points}}"}])


def _anki_day_zero(cards: list[CardRow], today: date) -> date:
    """The collection's creation day: the study day before `today` (so it is in the past and Anki's
    count of days since creation is never negative), or an earlier due date (so no day number is)."""
    return min([today - timedelta(days=1), *(card.due for card in cards if card.due)])


def _build_anki_collection(store: Store, filters: ExportFilter, database: Path, progress: _Progress,
                           today: date) -> None:
    """genanki writes the notes, one per card and one Anki deck per deck; then each card gets its SM-2
    state and the revlog gets the history, straight into genanki's SQLite."""
    import genanki

    cards = store.filtered_cards(filters)
    model = _anki_model()
    decks: dict[str, genanki.Deck] = {}
    for position, card in enumerate(cards):
        points = "<br>".join(f"&bull; {_anki_field(point)}" for point in card.key_points)
        note = genanki.Note(model, [_anki_field(card.prompt), _anki_field(card.answer), points],
                            tags=["_".join(tag.split()) for tag in card.tags],
                            guid=genanki.guid_for(card.id), due=position)
        decks.setdefault(card.deck, genanki.Deck(_anki_id(card.deck), card.deck)).add_note(note)
    day_zero = _anki_day_zero(cards, today)
    created = datetime.combine(day_zero, time(ANKI_CREATION_HOUR)).astimezone().timestamp()
    connection = sqlite3.connect(database)
    try:
        cursor = connection.cursor()
        genanki.Package(list(decks.values())).write_to_db(cursor, created, itertools.count(int(created * 1000)))
        # Anki reads a collection without schedVer as the v1 scheduler's and, upgrading it on import,
        # renumbers the answer buttons of learning entries (Good would become Easy).
        config = json.loads(cursor.execute("SELECT conf FROM col").fetchone()[0]) | {"schedVer": 2}
        cursor.execute("UPDATE col SET crt = ?, conf = ?", [int(created), json.dumps(config)])
        anki_ids = dict(cursor.execute("SELECT n.guid, c.id FROM cards c JOIN notes n ON n.id = c.nid"))
        card_ids = {card.id: anki_ids[genanki.guid_for(card.id)] for card in cards}
        cursor.executemany(
            "UPDATE cards SET type = ?, queue = ?, due = COALESCE(?, due), ivl = ?, factor = ?, reps = ?, "
            "lapses = ? WHERE id = ?", (_anki_card_state(card, day_zero) + (card_ids[card.id],) for card in cards))
        cursor.executemany("INSERT INTO revlog VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
                           _anki_revlog(store, filters, card_ids, progress))
        connection.commit()
    finally:
        connection.close()


def _anki_card_state(card: CardRow, day_zero: date) -> tuple[int | None, ...]:
    """(type, queue, due, ivl, factor, reps, lapses). A card never scheduled stays new (due None keeps
    the place in deck order genanki gave it); a scheduled one is a review card due `day` days after the
    collection's creation, with ease = easiness x 1000. A retired card is suspended, so its history
    travels without it being studied."""
    if card.due is None:
        card_type, due, interval, factor = 0, None, 0, 0
    else:
        card_type, due = 2, (card.due - day_zero).days
        interval, factor = card.interval, card.easiness_centi * 10
    queue = -1 if card.retired else card_type
    return card_type, queue, due, interval, factor, card.reviews, card.lapses


def _anki_revlog(store: Store, filters: ExportFilter, card_ids: dict[str, int],
                 progress: _Progress) -> Iterator[tuple]:
    """(id, cid, ease, ivl, lastIvl, factor, time, type) per review. Anki keys the revlog by epoch ms:
    taken in time order, two reviews in the same millisecond are stored a millisecond apart."""
    previous_id = 0
    columns = ("card_id", "reviewed_at", "quality", "interval_after", "interval_before", "easiness_after",
               "duration_ms", *PHASE_COLUMNS)
    batches = store.review_batches(filters, columns, order="time", batch_size=FETCH_BATCH)
    for row in progress.rows(batches):
        card_id, reviewed_at, quality, interval, last_interval, easiness, duration, *phase = row
        previous_id = max(epoch_ms(reviewed_at), previous_id + 1)
        yield (previous_id, card_ids[card_id], four_point_rating(quality), interval, last_interval,
               easiness * 10, duration, anki_revlog_type(*phase))


def _write_anki(store: Store, filters: ExportFilter, out: BinaryIO, progress: _Progress, today: date) -> None:
    """An .apkg: a zip holding the collection (Anki's schema 11, which every Anki imports) and an empty
    media map."""
    with tempfile.TemporaryDirectory(prefix="recall-anki-") as workdir:
        database = Path(workdir) / "collection.anki2"
        _build_anki_collection(store, filters, database, progress, today)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            package.write(database, "collection.anki2")
            package.writestr("media", "{}")


# -- writing ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _text_stream(stream: TextIO | BinaryIO) -> Iterator[TextIO]:
    """A text stream as it is; a binary one wrapped as UTF-8 with no newline translation (CSV writes its
    own CRLF), handed back unclosed."""
    if hasattr(stream, "encoding"):
        yield stream
        return
    wrapper = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    try:
        yield wrapper
    finally:
        wrapper.flush()
        wrapper.detach()


def refuse_database_target(output: Path, database: Path | None) -> None:
    """Refuse to export over the database (`database`, None for an in-memory one), a file SQLite keeps
    beside it, or any other SQLite file: `--output` pointed at the collection by mistake would replace
    it with a csv."""
    target = resolve_target(output)
    if database is not None:
        live = resolve_target(database)
        for suffix in ("", *SIDE_FILE_SUFFIXES):
            candidate = live.with_name(live.name + suffix)
            same = target == candidate
            with contextlib.suppress(OSError):
                same = same or os.path.samefile(target, candidate)
            if same:
                what = "the database recall is using" if not suffix else f"the {suffix[1:]} file of recall's database"
                raise ExportError(f"will not export to {output}: it is {what} ({database}); choose another "
                                  "--output (nothing was changed)")
    if is_sqlite_file(target):
        raise ExportError(f"will not export to {output}: it is an SQLite database file, which the export would "
                          "replace; choose another --output (nothing was changed)")


def default_today() -> date:
    """Today's study day with the default day start, for callers that do not say which day it is."""
    from recall.clock import study_day, utc_now
    from recall.config import Settings

    return study_day(utc_now(), Settings.day_starts_at)


def export_reviews(store: Store, fmt: str, filters: ExportFilter = ExportFilter(), output: Path | None = None, *,
                   stream: TextIO | BinaryIO | None = None, progress: Callable[[int, int], None] | None = None,
                   today: date | None = None) -> int:
    """Export the filtered review history in `fmt` to `output` (atomically) or to `stream` (default
    stdout), calling `progress(done, total)` now and then. `today` is the learner's study day (the Anki
    package counts days from the one before it); by default today's with the default day start.
    Returns the number of reviews written."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "anki" and output is None:
        raise ExportError("the anki format writes an .apkg package, so it needs an output file")
    if filters.since and filters.until and filters.since > filters.until:
        raise ExportError(f"the start day {filters.since} is after the end day {filters.until}, "
                          "so nothing would match")
    if output is not None:
        refuse_database_target(output, None if store.in_memory else store.path)
    today = today or default_today()
    tracker = _Progress(0, progress)

    def write(target: TextIO | BinaryIO) -> None:
        if fmt == "anki":
            _write_anki(store, filters, target, tracker, today)
        else:
            with _text_stream(target) as text:
                TEXT_WRITERS[fmt](store, filters, text, tracker)

    try:
        if progress is not None:
            tracker.total = store.count_reviews(filters, whole_histories=fmt == "fsrs")
        if output is None:
            write(stream or sys.stdout)
        else:
            write_atomically(output, write)
    except (StoreError, sqlite3.Error) as exc:
        raise ExportError(f"the export stopped on a database error: {exc}") from None
    except FileWriteError as exc:
        raise ExportError(str(exc)) from None
    return tracker.done
