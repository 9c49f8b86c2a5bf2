"""Rules of the export, one test each: the atomic writer fsyncs the file before it gets its name, csv
neutralises formulas in every text column (the grader and model too) while json keeps them exact, and a
review's FSRS/Anki phase follows from when it happened (every boundary of `review_phase`)."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
import zipfile
from contextlib import closing
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from recall import atomic_file, export
from recall import json_text as json_text_module
from recall.deck import load_decks
from recall.export import ExportError, ExportFilter, ReviewPhase, export_reviews, review_phase
from recall.store import ReviewInput, Store

FORMULA_MODEL = '=HYPERLINK("http://example.invalid","click")'
FORMULA_GRADER = "@grader"
DAY = date(2026, 3, 1)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour).astimezone()


def exported(store: Store, fmt: str, filters: ExportFilter = ExportFilter()) -> str:
    out = io.StringIO(newline="")
    export_reviews(store, fmt, filters, stream=out, today=DAY)
    return out.getvalue()


def test_the_atomic_writer_fsyncs_the_file_before_it_gets_its_name(store: Store, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A rename can reach the disk before the data it names: without the file's fsync first, a power cut
    can leave the export's name on an empty or partial file."""
    store.record_review(ReviewInput("nn.softmax", 4, answer="exported"), DAY, at(DAY))
    target = tmp_path / "history.csv"
    synced: list[tuple[int, bool]] = []  # (inode, whether the target already had that inode) per regular file
    real_fsync = os.fsync

    def recording_fsync(descriptor: int) -> None:
        status = os.fstat(descriptor)
        if stat.S_ISREG(status.st_mode):
            named = target.exists() and os.stat(target).st_ino == status.st_ino
            synced.append((status.st_ino, named))
        real_fsync(descriptor)

    monkeypatch.setattr(atomic_file.os, "fsync", recording_fsync)
    export_reviews(store, "csv", ExportFilter(), target, today=DAY)
    assert (os.stat(target).st_ino, False) in synced, "the exported file was not fsynced before its rename"
    assert "exported" in target.read_text(encoding="utf-8")


def test_csv_neutralises_formulas_in_the_grader_and_model_columns_and_json_keeps_them(store: Store) -> None:
    store.record_review(ReviewInput("nn.softmax", 4, grader=FORMULA_GRADER, model=FORMULA_MODEL), DAY, at(DAY))
    [row] = csv.DictReader(io.StringIO(exported(store, "csv"), newline=""))
    assert (row["grader"], row["model"]) == ("'" + FORMULA_GRADER, "'" + FORMULA_MODEL)
    [item] = json.loads(exported(store, "json"))
    assert (item["grader"], item["model"]) == (FORMULA_GRADER, FORMULA_MODEL)


@pytest.mark.parametrize(("kind", "was_new", "repetitions_before", "lapses_before", "phase"), [
    ("scheduled", 1, 0, 0, ReviewPhase.NEW),          # a card's first review
    ("scheduled", 0, 0, 0, ReviewPhase.REVIEW),       # any later scheduled one, after a fail too
    ("scheduled", 0, 0, 1, ReviewPhase.REVIEW),
    ("scheduled", 0, 5, 2, ReviewPhase.REVIEW),
    ("drill", 0, 0, 0, ReviewPhase.LEARNING),         # a drill on the first steps: never lapsed, at most one
    ("drill", 0, 1, 0, ReviewPhase.LEARNING),         # successful repetition
    ("drill", 0, 2, 0, ReviewPhase.RELEARNING),       # a drill of a card already learnt
    ("drill", 0, 0, 1, ReviewPhase.RELEARNING),       # a drill of a lapsed card
    ("drill", 0, 1, 1, ReviewPhase.RELEARNING),
])
def test_the_review_phase_follows_from_when_the_review_happened(kind: str, was_new: int, repetitions_before: int,
                                                                lapses_before: int, phase: ReviewPhase) -> None:
    assert review_phase(kind, was_new, repetitions_before, lapses_before) is phase


def test_the_review_phase_numbers_are_fsrs_review_states_and_anki_revlog_types() -> None:
    assert [(int(phase), phase.anki_revlog_type) for phase in ReviewPhase] == [(0, 0), (1, 0), (2, 1), (3, 2)]
    assert [phase.name for phase in ReviewPhase] == ["NEW", "LEARNING", "REVIEW", "RELEARNING"]


def test_the_fsrs_log_states_first_review_0_later_review_2_learning_drill_1_relearning_drill_3(store: Store) -> None:
    """nn.saturation: new (2: fail), its drill, next day 4 and 4, then a lapse (1) and its drill.
    nn.softmax: new (3: a pass, one repetition), its drill."""
    grades = [("nn.saturation", 2, "scheduled", 0), ("nn.saturation", 4, "drill", 0),
              ("nn.saturation", 4, "scheduled", 1), ("nn.saturation", 4, "scheduled", 2),
              ("nn.saturation", 1, "scheduled", 8), ("nn.saturation", 4, "drill", 8),
              ("nn.softmax", 3, "scheduled", 0), ("nn.softmax", 4, "drill", 0)]
    for card_id, quality, kind, days in grades:
        store.record_review(ReviewInput(card_id, quality, kind=kind), DAY + timedelta(days=days),
                            at(DAY + timedelta(days=days), 9 + len(kind)))
    states = {}
    for row in csv.DictReader(io.StringIO(exported(store, "fsrs"), newline="")):
        states.setdefault(row["card_id"], []).append(int(row["review_state"]))
    assert states == {"nn.saturation": [0, 1, 2, 2, 2, 3], "nn.softmax": [0, 1]}


# -- found by mutation testing (bench/mutation.py export) -------------------------------------------------


def anki_collection(package: Path, workdir: Path) -> sqlite3.Connection:
    """The package's collection, opened read-only from a copy."""
    with zipfile.ZipFile(package) as archive:
        assert [(item.filename, item.compress_type) for item in archive.infolist()] == [
            ("collection.anki2", zipfile.ZIP_DEFLATED), ("media", zipfile.ZIP_DEFLATED)]
        assert archive.read("media") == b"{}"
        (workdir / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(workdir / "collection.anki2")


def test_the_anki_package_keeps_each_cards_state_and_every_review_in_time_order(store: Store, tmp_path: Path,
                                                                                 small_deck: Path) -> None:
    """Never studied: new, in deck order. Retired: suspended. The revlog is in time order, keyed by epoch
    ms (a review in the same millisecond as the one before gets the next one), with ease = easiness x 10."""
    late, early = at(DAY, 10), at(DAY, 9)
    store.record_review(ReviewInput("nn.softmax", 4), DAY, late)       # recorded first, happened later
    store.record_review(ReviewInput("nn.overfitting", 5), DAY, early)
    store.record_review(ReviewInput("nn.overfitting", 4, kind="drill"), DAY, early)  # the same millisecond
    store.sync_cards([card for card in load_decks([small_deck]).cards if card.id != "nn.overfitting"])  # retired
    package = tmp_path / "r.apkg"
    export_reviews(store, "anki", ExportFilter(), package, today=DAY + timedelta(days=1))
    with closing(anki_collection(package, tmp_path)) as anki:
        fields = dict(anki.execute("SELECT n.sfld, c.type || ' ' || c.queue || ' ' || c.ivl || ' ' || c.factor "
                                   "FROM cards c JOIN notes n ON n.id = c.nid"))
        revlog = anki.execute("SELECT id, ease, factor, type FROM revlog ORDER BY id").fetchall()
        models = json.loads(anki.execute("SELECT models FROM col").fetchone()[0])
    prompts = {card.id: card.prompt for card in store.cards(include_retired=True)}
    assert fields == {prompts["nn.saturation"]: "0 0 0 0", prompts["nn.softmax"]: "2 2 1 2500",
                      prompts["nn.overfitting"]: "2 -1 1 2600"}
    ms = [int(moment.timestamp() * 1000) for moment in (early, late)]
    assert revlog == [(ms[0], 4, 2600, 0), (ms[0] + 1, 3, 2600, 0), (ms[1], 3, 2500, 0)]
    [model] = models.values()
    assert [field["name"] for field in model["flds"]] == ["Prompt", "Answer", "Key points"]
    assert (model["tmpls"][0]["qfmt"], model["tmpls"][0]["afmt"]) == (
        "{{Prompt}}", "{{FrontSide}}<hr id=answer>{{Answer}}<br><br><b>Key points</b><br>{{Key points}}")


def test_anki_deck_ids_are_stable_and_in_the_range_genanki_recommends() -> None:
    ids = [export._anki_id(name) for name in ("Small", "Nielsen 1", "=Beta deck", "", "日本語")]
    assert all(1 << 30 <= deck_id < 1 << 31 for deck_id in ids) and len(set(ids)) == len(ids)
    assert ids == [export._anki_id(name) for name in ("Small", "Nielsen 1", "=Beta deck", "", "日本語")]


def test_since_and_until_are_inclusive_so_one_day_exports_that_day(store: Store) -> None:
    store.record_review(ReviewInput("nn.softmax", 4), DAY, at(DAY))
    one_day = ExportFilter(since=DAY, until=DAY)
    assert [row["card_id"] for row in json.loads(exported(store, "json", one_day))] == ["nn.softmax"]


def test_the_progress_of_an_fsrs_export_ends_at_its_total(store: Store) -> None:
    """The fsrs log leaves out a card reviewed before --since: the total it reports must leave it out too."""
    store.record_review(ReviewInput("nn.softmax", 4), DAY, at(DAY))
    later = DAY + timedelta(days=1)
    for card_id in ("nn.softmax", "nn.overfitting"):
        store.record_review(ReviewInput(card_id, 4), later, at(later))
    reports: list[tuple[int, int]] = []
    export_reviews(store, "fsrs", ExportFilter(since=later), stream=io.StringIO(),
                   progress=lambda *done: reports.append(done), today=later)
    assert reports[-1] == (1, 1)


def test_export_refuses_the_database_by_any_name_with_one_sentence(store: Store, tmp_path: Path) -> None:
    linked = tmp_path / "linked.db"
    os.link(store.path, linked)  # another name for the same file, which resolving symlinks does not reveal
    for target, what in ((store.path, "the database recall is using"), (linked, "the database recall is using"),
                         (Path(f"{store.path}-wal"), "the wal file of recall's database")):
        with pytest.raises(ExportError) as refused:
            export_reviews(store, "csv", ExportFilter(), target, today=DAY)
        assert str(refused.value) == (f"will not export to {target}: it is {what} ({store.path}); choose another "
                                      "--output (nothing was changed)")
    other = tmp_path / "other.db"
    Store(other).close()
    with pytest.raises(ExportError) as refused:
        export_reviews(store, "csv", ExportFilter(), other, today=DAY)
    assert str(refused.value) == (f"will not export to {other}: it is an SQLite database file, which the export "
                                  "would replace; choose another --output (nothing was changed)")
    with pytest.raises(ExportError) as refused:
        export_reviews(store, "anki", ExportFilter(), today=DAY)
    assert str(refused.value) == "the anki format writes an .apkg package, so it needs an output file"
    with pytest.raises(ExportError) as refused:
        export_reviews(store, "csv", ExportFilter(since=DAY, until=DAY - timedelta(days=1)), today=DAY)
    assert str(refused.value) == (f"the start day {DAY} is after the end day {DAY - timedelta(days=1)}, "
                                  "so nothing would match")


def test_cards_never_studied_arrive_in_anki_as_new_in_deck_order(store: Store, tmp_path: Path) -> None:
    package = tmp_path / "r.apkg"
    export_reviews(store, "anki", ExportFilter(), package, today=DAY)
    with closing(anki_collection(package, tmp_path)) as anki:
        new = anki.execute("SELECT n.sfld, c.due FROM cards c JOIN notes n ON n.id = c.nid "
                           "WHERE c.type = 0 AND c.queue = 0 ORDER BY c.id").fetchall()
    assert new == [(card.prompt, position) for position, card in enumerate(store.cards())]  # due: the new position


def test_the_anki_note_type_and_its_card_and_key_points_read_as_recalls_and_ids_are_creation_times(
        store: Store, tmp_path: Path) -> None:
    """Anki reads a note's id as the time it was added: ids count up from the collection's creation (noon
    of the day before `today`), in epoch milliseconds like `crt` in seconds."""
    package = tmp_path / "r.apkg"
    export_reviews(store, "anki", ExportFilter(), package, today=DAY)
    created = datetime.combine(DAY - timedelta(days=1), time(12)).astimezone().timestamp()
    with closing(anki_collection(package, tmp_path)) as anki:
        [model] = json.loads(anki.execute("SELECT models FROM col").fetchone()[0]).values()
        note_ids, fields = zip(*anki.execute("SELECT id, flds FROM notes ORDER BY id"))
        crt = anki.execute("SELECT crt FROM col").fetchone()[0]
    assert (model["name"], [template["name"] for template in model["tmpls"]]) == (
        "recall (prompt, answer, key points)", ["Explain"])
    assert (crt, min(note_ids)) == (int(created), int(created * 1000))
    assert fields[2].split("\x1f")[2] == ("&bull; training accuracy keeps improving while test accuracy stalls<br>"
                                          "&bull; the network memorises the training data instead of generalising")


def test_anki_deck_ids_are_the_same_in_every_version_so_a_newer_export_updates_the_same_deck() -> None:
    assert [export._anki_id(name) for name in ("Small", "Neural nets")] == [1127036240, 1094051426]


def test_a_recap_entry_is_a_cram_review_in_ankis_revlog_and_other_reviews_follow_their_phase() -> None:
    assert export.anki_revlog_type("recap", 0, 3, 1) == export.ANKI_CRAM == 3
    assert [export.anki_revlog_type("scheduled", 1, 0, 0), export.anki_revlog_type("scheduled", 0, 3, 1),
            export.anki_revlog_type("drill", 0, 1, 0), export.anki_revlog_type("drill", 0, 3, 1)] == [0, 1, 0, 2]


def test_a_json_export_of_many_batches_is_one_array(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "FETCH_BATCH", 2)
    for offset in range(5):
        day = DAY + timedelta(days=offset)
        store.record_review(ReviewInput("nn.softmax", 4, kind="scheduled" if offset == 0 else "drill"), day, at(day))
    text = exported(store, "json")
    assert [row["review_id"] for row in json.loads(text)] == [1, 2, 3, 4, 5]
    assert text.count("\n") == 7  # "[", five objects, "]"


@pytest.mark.parametrize("c_encoder", ["accelerated", "pure Python"])
def test_json_rows_are_written_as_json_dumps_writes_them_unescaped(c_encoder: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if c_encoder == "pure Python":
        monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    row = {"card_id": "nn.softmax", "answer": 'déjà "vu"\n\\ 日本', "quality": 4, "easiness": 2.36,
           "model": None, "was_new": True}
    assert json_text_module._object_encoder()(row) == json.dumps(row, ensure_ascii=False)


def test_an_in_memory_database_has_no_file_so_no_output_path_is_refused_as_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Store(":memory:") as memory:
        assert export_reviews(memory, "csv", ExportFilter(), Path(":memory:"), today=DAY) == 0
    assert (tmp_path / ":memory:").read_text(encoding="utf-8").startswith("review_id,card_id,")
