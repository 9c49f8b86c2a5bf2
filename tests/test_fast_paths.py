"""The fast paths of issue 16 give what the plain ones gave: `recall cards --json` built by SQLite holds
the same values as the summaries built from CardRows."""

from __future__ import annotations

import json
from datetime import date

from recall.deck import load_decks
from recall.scheduler import is_leech
from recall.store import ReviewInput, Store
from recall import stats

TODAY = date(2026, 3, 1)


def summary(row) -> dict:  # noqa: ANN001 - CardRow
    """A card's summary as `recall cards --json` printed it before SQLite wrote it (with issue 15's fields)."""
    return {"id": row.id, "deck": row.deck, "prompt": row.prompt, "tags": list(row.tags), "demo": row.demo,
            "due": row.due.isoformat() if row.due else None, "interval": row.interval,
            "repetitions": row.repetitions, "easiness": row.easiness_centi / 100, "lapses": row.lapses,
            "reviews": row.reviews, "stability": row.stability, "difficulty": row.difficulty,
            "suspended": row.suspended, "leech": is_leech(row.lapses)}


def test_the_card_summaries_sqlite_writes_are_the_ones_python_wrote(tmp_path, write_deck):
    deck = write_deck("a.toml", "a.one", {"id": "a.two", "prompt": "Ünïcode \"quoted\"\n\x1b[2J?", "tags": ["x", "ü"]},
                      {"id": "a.three", "demo": "saturation"}, "a.four", deck="Déck")
    with Store(tmp_path / "recall.db") as store:
        store.sync_cards(load_decks([deck]).cards)
        for quality in (5, 2, 4):
            store.record_review(ReviewInput("a.one", quality), TODAY)
        store.record_review(ReviewInput("a.two", 3), TODAY)
        store.set_suspended("a.three", True)
        assert json.loads(store.card_summaries_json()) == [summary(row) for row in store.cards()]
        assert len(store.cards()) == 4
        store.sync_cards([])
        assert store.card_summaries_json() == "[]"


def test_exports_written_a_batch_at_a_time_are_the_bytes_a_row_at_a_time_gave(tmp_path, write_deck, monkeypatch):
    import csv
    import io

    from recall import export
    from recall.export import EXPORT_COLUMNS, FORMULA_TRIGGERS, LINE_BREAKING_ESCAPES, ExportFilter, export_reviews

    deck = write_deck("a.toml", "a.one", "a.two", "a.three")
    answers = ["=SUM(A1) \"quoted\", with\r\nbreaks", "line\u2028separator and \x85 next line", "plain ü ✓", ""]
    with Store(tmp_path / "recall.db") as store:
        store.sync_cards(load_decks([deck]).cards)
        for number in range(7):  # more reviews than a batch, so batches join
            store.record_review(ReviewInput(f"a.{('one', 'two', 'three')[number % 3]}", number % 6,
                                            answer=answers[number % 4], feedback=answers[(number + 1) % 4]), TODAY)
        monkeypatch.setattr(export, "FETCH_BATCH", 3)
        rows = [row for batch in store.review_batches(ExportFilter(), EXPORT_COLUMNS) for row in batch]
        prefixed = [row for batch in store.review_batches(ExportFilter(), EXPORT_COLUMNS,
                                                          formula_prefix=FORMULA_TRIGGERS) for row in batch]
        expected_csv = io.StringIO(newline="")
        csv.writer(expected_csv).writerows([EXPORT_COLUMNS, *prefixed])
        objects = [json.dumps(dict(zip(EXPORT_COLUMNS, row)), ensure_ascii=False).translate(LINE_BREAKING_ESCAPES)
                   for row in rows]
        expected = {"csv": expected_csv.getvalue().encode(),
                    "json": ("[\n" + ",\n".join(objects) + "\n]\n").encode(),
                    "jsonl": "".join(f"{text}\n" for text in objects).encode()}
        for fmt, content in expected.items():
            assert export_reviews(store, fmt, ExportFilter(), tmp_path / f"out.{fmt}") == 7
            assert (tmp_path / f"out.{fmt}").read_bytes() == content, fmt


def test_each_cost_gives_the_same_output_delta_from_the_activation_the_forward_pass_computed():
    import numpy as np

    from nn.costs import COSTS

    rng = np.random.default_rng(0)
    z = np.concatenate([rng.normal(0, 5, (20, 10)), np.full((1, 10), 40.0), np.full((1, 10), -40.0)])
    y = np.eye(10)[rng.integers(0, 10, len(z))]
    for cost in COSTS.values():
        assert np.array_equal(cost.output_delta(z, cost.activation(z), y), cost.delta(z, y)), cost.name


def test_the_card_counts_read_an_index_not_every_card(tmp_path):
    with Store(tmp_path / "recall.db") as store:
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)  # each statement as run, its parameters filled in
        stats.card_counts(store, TODAY)
        stats.deck_counts(store, TODAY)
        store.conn.set_trace_callback(None)
        for statement in statements:
            plan = [row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {statement}")]
            assert any("USING COVERING INDEX" in step for step in plan), (statement, plan)
