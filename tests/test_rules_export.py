"""Rules of the export, one test each: the atomic writer fsyncs the file before it gets its name, csv
neutralises formulas in every text column (the grader and model too) while json keeps them exact, and a
review's FSRS/Anki phase follows from when it happened (every boundary of `review_phase`)."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from recall import atomic_file
from recall.export import ExportFilter, ReviewPhase, export_reviews, review_phase
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
