"""Review history export: every format, the filters, atomic writes, formula injection, exact round trips,
the FSRS log replayed by the `fsrs` package and the .apkg imported by the `anki` package."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from recall import export
from recall.deck import Card
from recall.export import (
    EXPORT_COLUMNS,
    FORMATS,
    FSRS_COLUMNS,
    ExportError,
    ExportFilter,
    ReviewPhase,
    export_reviews,
)
from recall.store import ReviewInput, Store

TRICKY_TEXTS = [
    "=HYPERLINK(\"http://example.invalid\",\"click\")",
    "+1+1", "-2", "@SUM(A1)", "\tindented", "\rcarriage",
    "line one\nline two\r\nline three",
    "quotes \" and 'single' and , commas; semicolons",
    "unicode: σ'(z) → 0, naïve, 日本語, 🧠, \u2028 line separator, \u2029 paragraph, \x85 next line",
    "",
]
FIRST_DAY = date(2026, 3, 1)


def moment(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


@pytest.fixture
def history(tmp_path: Path) -> Iterator[Store]:
    """Two decks. `alpha.one` has scheduled reviews graded 4, 4, 3, 2 three days apart, each weak grade
    followed by a drill; `beta.two` one review per tricky text; `beta.three` is never reviewed."""
    with Store(tmp_path / "r.db") as store:
        store.sync_cards([
            Card("alpha.one", "Alpha", "What is =1?", "An answer\nover two lines.", ("point one", "point two"),
                 ("ch1", "two words")),
            Card("beta.two", "=Beta deck", "Prompt two", "Answer two", ("only point",)),
            Card("beta.three", "=Beta deck", "Prompt three", "Answer three", ("never reviewed",)),
        ], now=moment(FIRST_DAY, 8))
        for step, quality in enumerate([4, 4, 3, 2]):
            day = FIRST_DAY + timedelta(days=3 * step)
            store.record_review(ReviewInput("alpha.one", quality, suggested_quality=quality, answer=f"try {step}",
                                            feedback="ok", duration_ms=20_000 + step, grader="offline"),
                                day, moment(day))
            if quality < 4:
                store.record_review(ReviewInput("alpha.one", 4, kind="drill", duration_ms=5_000), day,
                                    moment(day, 10))
        for offset, text in enumerate(TRICKY_TEXTS):
            day = FIRST_DAY + timedelta(days=offset)
            store.record_review(ReviewInput("beta.two", 5, answer=text, feedback=text, grader="claude",
                                            model="claude-haiku-5-5"), day, moment(day, 11))
        yield store


def export_text(store: Store, fmt: str, filters: ExportFilter = ExportFilter()) -> str:
    buffer = io.BytesIO()
    export_reviews(store, fmt, filters, stream=buffer)
    return buffer.getvalue().decode("utf-8")


def exported_ids(store: Store, filters: ExportFilter) -> list[int]:
    return [row["review_id"] for row in json.loads(export_text(store, "json", filters))]


# -- csv ----------------------------------------------------------------------------------------------


def test_csv_has_the_design_header_and_rfc4180_records(history: Store) -> None:
    text = export_text(history, "csv")
    assert text.startswith(",".join(EXPORT_COLUMNS) + "\r\n")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == history.review_count()
    first = rows[0]
    assert first == {
        "review_id": "1", "card_id": "alpha.one", "deck": "Alpha", "reviewed_at": "2026-03-01T09:00:00.000Z",
        "kind": "scheduled", "quality": "4", "suggested_quality": "4", "easiness": "2.5", "interval_days": "1",
        "repetitions": "1", "due": "2026-03-02", "duration_ms": "20000", "grader": "offline", "model": "",
        "answer": "try 0", "feedback": "ok",
    }
    drill = next(row for row in rows if row["kind"] == "drill")
    assert (drill["suggested_quality"], drill["easiness"]) == ("", "2.36")
    multiline = next(row for row in rows if row["answer"].startswith("line one"))
    assert multiline["answer"] == "line one\nline two\r\nline three"
    assert '"line one\nline two\r\nline three"' in text


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_neutralises_every_formula_trigger(history: Store, trigger: str) -> None:
    rows = list(csv.DictReader(io.StringIO(export_text(history, "csv"), newline="")))
    answers = [row["answer"] for row in rows if row["card_id"] == "beta.two"]
    originals = [text for text in TRICKY_TEXTS if text.startswith(trigger)]
    assert originals
    for original in originals:
        assert "'" + original in answers
        assert original not in answers


def test_csv_neutralises_any_text_column_and_leaves_safe_text_alone(history: Store) -> None:
    rows = list(csv.DictReader(io.StringIO(export_text(history, "csv"), newline="")))
    beta = [row for row in rows if row["card_id"] == "beta.two"]
    assert {row["deck"] for row in beta} == {"'=Beta deck"}
    assert {row["deck"] for row in rows if row["card_id"] == "alpha.one"} == {"Alpha"}
    assert "quotes \" and 'single' and , commas; semicolons" in [row["answer"] for row in beta]


# -- json / jsonl ---------------------------------------------------------------------------------------


def test_json_and_jsonl_round_trip_text_exactly(history: Store) -> None:
    array = json.loads(export_text(history, "json"))
    lines = export_text(history, "jsonl").splitlines()  # splitlines also splits on U+2028, U+2029, \x85
    objects = [json.loads(line) for line in lines]
    assert array == objects
    assert len(objects) == history.review_count()
    assert all(list(obj) == list(EXPORT_COLUMNS) for obj in objects)
    exported = [obj["answer"] for obj in objects if obj["card_id"] == "beta.two"]
    assert exported == TRICKY_TEXTS
    assert [obj["feedback"] for obj in objects if obj["card_id"] == "beta.two"] == TRICKY_TEXTS
    assert {obj["deck"] for obj in objects if obj["card_id"] == "beta.two"} == {"=Beta deck"}


def test_json_types(history: Store) -> None:
    first, drill = [row for row in json.loads(export_text(history, "json")) if row["review_id"] in (1, 4)]
    assert first["easiness"] == 2.5 and isinstance(first["quality"], int)
    assert drill["kind"] == "drill" and drill["suggested_quality"] is None and drill["easiness"] == 2.36
    assert first["model"] is None and first["due"] == "2026-03-02"


def test_empty_exports_are_valid(history: Store) -> None:
    nothing = ExportFilter(card_id="no.such.card")
    assert json.loads(export_text(history, "json", nothing)) == []
    assert export_text(history, "jsonl", nothing) == ""
    assert export_text(history, "csv", nothing) == ",".join(EXPORT_COLUMNS) + "\r\n"


# -- filters --------------------------------------------------------------------------------------------


def test_filters_by_card_deck_and_inclusive_study_days(history: Store) -> None:
    everything = exported_ids(history, ExportFilter())
    assert everything == sorted(everything) and len(everything) == history.review_count()
    alpha = exported_ids(history, ExportFilter(card_id="alpha.one"))
    assert alpha == [1, 2, 3, 4, 5, 6]
    assert exported_ids(history, ExportFilter(deck="=Beta deck")) == [i for i in everything if i not in alpha]
    # alpha.one is reviewed on days 0, 3, 6 (+ drill), 9 (+ drill); inclusive at both ends
    window = ExportFilter(since=FIRST_DAY + timedelta(days=3), until=FIRST_DAY + timedelta(days=6),
                          card_id="alpha.one")
    assert exported_ids(history, window) == [2, 3, 4]
    assert exported_ids(history, ExportFilter(deck="Alpha", until=FIRST_DAY)) == [1]


def test_days_are_study_days_not_utc_dates(tmp_path: Path) -> None:
    with Store(tmp_path / "r.db") as store:
        store.sync_cards([Card("late.night", "Night", "P", "A", ("k",))])
        # 02:30 UTC on 11 March, but before the day started for the learner: study day 10 March
        store.record_review(ReviewInput("late.night", 4), date(2026, 3, 10),
                            datetime(2026, 3, 11, 2, 30, tzinfo=timezone.utc))
        assert exported_ids(store, ExportFilter(until=date(2026, 3, 10))) == [1]
        assert exported_ids(store, ExportFilter(since=date(2026, 3, 11))) == []


def test_bad_requests_are_one_sentence_errors(history: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is after the end day"):
        export_reviews(history, "csv", ExportFilter(since=date(2026, 3, 5), until=date(2026, 3, 4)))
    with pytest.raises(ExportError, match="choose one of csv, json, jsonl, fsrs, anki"):
        export_reviews(history, "xlsx", ExportFilter())
    with pytest.raises(ExportError, match="needs an output file"):
        export_reviews(history, "anki", ExportFilter(), stream=io.BytesIO())
    with pytest.raises(ExportError, match="does not exist"):
        export_reviews(history, "csv", ExportFilter(), tmp_path / "missing" / "out.csv")


# -- files, atomicity, progress ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_writes_a_file_and_reports_progress(history: Store, tmp_path: Path, fmt: str) -> None:
    output = tmp_path / "out" / f"history.{fmt}"
    output.parent.mkdir()
    calls: list[tuple[int, int]] = []
    written = export_reviews(history, fmt, ExportFilter(), output,
                             progress=lambda done, total: calls.append((done, total)))
    assert written == history.review_count()
    assert calls[-1] == (written, written)
    assert output.stat().st_size > 0
    assert os.listdir(output.parent) == [output.name]
    umask = os.umask(0)
    os.umask(umask)
    assert output.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_failure_mid_export_leaves_no_file(history: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             fmt: str) -> None:
    monkeypatch.setattr(export, "FETCH_BATCH", 2)
    seen: list[int] = []

    def fail_after_four_rows(done: int, total: int) -> None:
        seen.append(done)
        if done >= 4:
            raise KeyboardInterrupt  # what Ctrl-C raises mid-write

    output = tmp_path / "out" / "history"
    output.parent.mkdir()
    with pytest.raises(KeyboardInterrupt):
        export_reviews(history, fmt, ExportFilter(), output, progress=fail_after_four_rows)
    assert seen == [2, 4]
    assert os.listdir(output.parent) == []


def test_a_failed_export_keeps_the_previous_file(history: Store, tmp_path: Path) -> None:
    output = tmp_path / "history.csv"
    output.write_text("the previous export\n")

    def fail(done: int, total: int) -> None:
        raise RuntimeError("disk unplugged")

    with pytest.raises(RuntimeError):
        export_reviews(history, "csv", ExportFilter(), output, progress=fail)
    assert output.read_text() == "the previous export\n"
    assert sorted(os.listdir(tmp_path)) == ["history.csv", "r.db", "r.db-shm", "r.db-wal"]


def test_text_streams_are_written_as_they_are(history: Store) -> None:
    text = io.StringIO(newline="")
    assert export_reviews(history, "jsonl", ExportFilter(card_id="alpha.one"), stream=text) == 6
    assert len(text.getvalue().splitlines()) == 6


def test_stdout_is_the_default(history: Store, capsys: pytest.CaptureFixture[str]) -> None:
    export_reviews(history, "jsonl", ExportFilter(card_id="alpha.one"))
    assert len(capsys.readouterr().out.splitlines()) == 6


# -- fsrs -----------------------------------------------------------------------------------------------


def read_fsrs(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == FSRS_COLUMNS
    return [{key: (value if key == "card_id" else int(value)) for key, value in row.items()} for row in reader]


def test_fsrs_log_maps_ratings_states_and_times(history: Store) -> None:
    rows = read_fsrs(export_text(history, "fsrs", ExportFilter(card_id="alpha.one")))
    # grades 4, 4, 3 (+ drill 4), 2 (+ drill 4)
    assert [row["review_rating"] for row in rows] == [3, 3, 2, 3, 1, 3]
    assert [ReviewPhase(row["review_state"]) for row in rows] == [
        ReviewPhase.NEW, ReviewPhase.REVIEW, ReviewPhase.REVIEW, ReviewPhase.RELEARNING, ReviewPhase.REVIEW,
        ReviewPhase.RELEARNING]
    assert rows[0]["review_time"] == int(moment(FIRST_DAY).timestamp()) * 1000
    assert [row["review_duration"] for row in rows] == [20_000, 20_001, 20_002, 5_000, 20_003, 5_000]


@pytest.mark.parametrize(("quality", "rating"), [(0, 1), (1, 1), (2, 1), (3, 2), (4, 3), (5, 4)])
def test_fsrs_rating_scale(quality: int, rating: int) -> None:
    assert export.four_point_rating(quality) == rating


def test_a_drill_on_a_first_day_is_learning(tmp_path: Path) -> None:
    with Store(tmp_path / "r.db") as store:
        store.sync_cards([Card("new.card", "D", "P", "A", ("k",))])
        store.record_review(ReviewInput("new.card", 1), FIRST_DAY, moment(FIRST_DAY))
        store.record_review(ReviewInput("new.card", 4, kind="drill"), FIRST_DAY, moment(FIRST_DAY, 10))
        rows = read_fsrs(export_text(store, "fsrs"))
    assert [(row["review_state"], row["review_rating"]) for row in rows] == [(0, 1), (1, 3)]


def test_fsrs_histories_start_at_each_cards_first_review(history: Store) -> None:
    """--since drops a card reviewed before it rather than cut its history (the optimizer's own
    revlog_start_date rule); the csv keeps every review in the window."""
    since = ExportFilter(since=FIRST_DAY + timedelta(days=1))
    assert {row["card_id"] for row in read_fsrs(export_text(history, "fsrs", since))} == set()
    assert "alpha.one" in {row["card_id"] for row in json.loads(export_text(history, "json", since))}
    until = read_fsrs(export_text(history, "fsrs", ExportFilter(until=FIRST_DAY + timedelta(days=3))))
    assert [row["review_state"] for row in until if row["card_id"] == "alpha.one"] == [0, 2]


def test_fsrs_package_replays_the_log(history: Store) -> None:
    from fsrs import Card as FsrsCard
    from fsrs import Rating, ReviewLog, Scheduler, State

    logs: dict[str, list[ReviewLog]] = {}
    for row in read_fsrs(export_text(history, "fsrs")):
        logs.setdefault(row["card_id"], []).append(ReviewLog(
            card_id=row["card_id"], rating=Rating(row["review_rating"]),
            review_datetime=datetime.fromtimestamp(row["review_time"] / 1000, timezone.utc),
            review_duration=row["review_duration"]))
    assert sorted(logs) == ["alpha.one", "beta.two"]
    scheduler = Scheduler(enable_fuzzing=False)
    replayed = {card_id: scheduler.reschedule_card(FsrsCard(card_id=card_id, due=card_logs[0].review_datetime),
                                                   card_logs)
                for card_id, card_logs in logs.items()}
    alpha = replayed["alpha.one"]
    assert alpha.last_review == logs["alpha.one"][-1].review_datetime
    assert alpha.state == State.Review and alpha.stability is not None and alpha.stability > 0
    assert replayed["beta.two"].stability > alpha.stability  # ten Easy answers beat a lapse


# -- anki -----------------------------------------------------------------------------------------------


def anki_today() -> date:
    """The day Anki counts as today: its day starts at 4:00 local time by default, as recall's does."""
    return (datetime.now().astimezone() - timedelta(hours=4)).date()


def test_anki_package_imports_with_notes_scheduling_and_revlog(history: Store, tmp_path: Path) -> None:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    history.record_review(ReviewInput("beta.two", 4), anki_today(), datetime.now(timezone.utc))
    package = tmp_path / "recall.apkg"
    written = export_reviews(history, "anki", ExportFilter(), package)
    assert written == history.review_count()

    collection = Collection(str(tmp_path / "collection.anki2"))
    try:
        collection.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True)))
        assert collection.note_count() == 3
        assert collection.card_count() == 3
        assert collection.db.scalar("SELECT COUNT(*) FROM revlog") == written
        assert {deck.name for deck in collection.decks.all_names_and_ids()} >= {"Alpha", "=Beta deck"}

        beta = history.card("beta.two")
        ivl, factor, due, card_type, queue = collection.db.first(
            "SELECT c.ivl, c.factor, c.due, c.type, c.queue FROM cards c JOIN notes n ON n.id = c.nid "
            "WHERE n.sfld = ?", "Prompt two")
        assert (ivl, factor) == (beta.interval, beta.easiness_centi * 10)
        assert (card_type, queue) == (2, 2)
        assert due - collection.sched.today == (beta.due - anki_today()).days

        alpha = collection.get_note(collection.find_notes('"Prompt:What is =1?"')[0])
        assert alpha["Answer"] == "An answer<br>over two lines."
        assert alpha.tags == ["ch1", "two_words"]
        never = collection.db.first("SELECT c.type, c.queue FROM cards c JOIN notes n ON n.id = c.nid "
                                    "WHERE n.sfld = 'Prompt three'")
        assert never == [0, 0]
        answers = collection.db.list("SELECT ease FROM revlog r JOIN cards c ON c.id = r.cid JOIN notes n "
                                     "ON n.id = c.nid WHERE n.sfld = 'What is =1?' ORDER BY r.id")
        assert answers == [3, 3, 2, 3, 1, 3]
    finally:
        collection.close()


def test_anki_package_follows_the_filters(history: Store, tmp_path: Path) -> None:
    package = tmp_path / "alpha.apkg"
    assert export_reviews(history, "anki", ExportFilter(deck="Alpha", since=FIRST_DAY + timedelta(days=3)),
                          package) == 5
    import sqlite3
    import zipfile

    with zipfile.ZipFile(package) as archive:
        (tmp_path / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    connection = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        assert connection.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 1
        assert connection.execute("SELECT COUNT(*) FROM revlog").fetchone()[0] == 5
    finally:
        connection.close()


def test_a_database_error_is_one_sentence_and_leaves_no_file(history: Store, tmp_path: Path) -> None:
    history.conn.close()
    with pytest.raises(ExportError, match="the export stopped on a database error"):
        export_reviews(history, "csv", ExportFilter(), tmp_path / "out.csv", progress=lambda done, total: None)
    assert not (tmp_path / "out.csv").exists()
