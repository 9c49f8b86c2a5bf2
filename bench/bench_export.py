"""Export benchmark: every format over a large review history, time and peak memory, next to the floor of
`sqlite3 -csv` running the same query on the same database in the same run.

    /work/venv/bin/python bench/bench_export.py                   # 1M reviews over 20k cards
    /work/venv/bin/python bench/bench_export.py --reviews 100000  # compare: memory must not grow with rows

Each measurement runs in its own process, so its peak resident memory (getrusage ru_maxrss) is its own;
"baseline" is that process's peak after importing recall and opening the database, before exporting.
The formats and the floor take turns, `--runs` rounds of them; each figure is the median, and its ratio
to the floor's median.

What dominated (cProfile, issue 16): for csv, the csv writer's row-at-a-time writes into the UTF-8 stream
and turning SQLite rows into Python objects (fetchmany); for json and jsonl, json.dumps building a new C
encoder and a circular-reference table for every object, translating every object to escape U+2028,
U+2029 and U+0085 although almost none holds one, and two writes per row. Now each batch is formatted
by the C encoder built once, searched for those characters before translating, and written at once;
csv goes through a buffer per batch. The query itself (the join, in review order) is about half of
`sqlite3 -csv`'s time, and the floor does not prefix formula cells as the csv export does.
Second pass (issue 16, CPU seconds for 300k reviews in one process): `sqlite3 -csv` 1.8 s with the plain
query, 2.4 s with the export's formula-prefixed one; fetching the prefixed rows into Python 2.6 s; the
export was 7.9 s, 6.7 of it in `csv.writer.writerows`, which examines each character through a call
of its own (6 us for a 150-character answer). A hand-written field formatter (str methods and one regex
search, the same bytes) brought it to 5.1 s, and was reverted: recall keeps Python's csv module rather
than a second CSV writer. Above the floor is Python itself: a tuple and a str per field from the cursor,
and csv.writer's per-character work. Closing the gap would take SQLite writing each CSV line (as `cards
--json` has it write each JSON object), which the store's column API does not offer.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import statistics
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recall.clock import iso_utc  # noqa: E402
from recall.export import EXPORT_COLUMNS, FORMATS, ExportFilter, export_reviews  # noqa: E402
from recall.review_query import select_reviews  # noqa: E402
from recall.store import Store  # noqa: E402

DECKS = 20
FIRST_DAY = date(2024, 1, 1)
ANSWER = ("Saturation: when |z| is large, sigma'(z) is tiny, so the gradient through the neuron is tiny "
          "and it learns slowly (card {card}, try {step}).")
FEEDBACK = ("- You named the flat tails of the sigmoid.\n- Say why the quadratic cost's gradient carries "
            "sigma'(z): that is the cause.\n- Cross-entropy cancels it. Review {step}.")


def build_database(path: Path, reviews: int, cards: int) -> None:
    """The real schema (created by Store), filled with executemany: each card gets reviews/cards reviews
    on successive days, every tenth one a drill."""
    per_card = reviews // cards
    with Store(path) as store:
        connection = store.conn
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO cards (id, deck, prompt, answer, key_points, tags, content_hash, position, added_at, "
            "easiness_centi, repetitions, interval, due, reviews) "
            "VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, 250, ?, 6, ?, ?)",
            ((f"card.{n:06d}", f"Deck {n % DECKS}", f"Prompt {n}?", f"Answer {n}.", '["a key point"]', '["bench"]',
              n, "2024-01-01T00:00:00.000Z", per_card, (FIRST_DAY + timedelta(days=per_card + 6)).isoformat(),
              per_card) for n in range(cards)))
        connection.executemany(
            "INSERT INTO reviews (card_id, reviewed_at, study_day, kind, quality, suggested_quality, was_new, "
            "easiness_before, easiness_after, interval_before, interval_after, repetitions_before, "
            "repetitions_after, due_before, due_after, lapses_before, duration_ms, grader, model, answer, "
            "feedback) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 250, 250, 6, 6, ?, ?, ?, ?, 0, ?, 'offline', NULL, ?, ?)",
            _review_rows(per_card, cards))
        connection.execute("COMMIT")


def _review_rows(per_card: int, cards: int):  # noqa: ANN202 - a generator of tuples
    start = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, 9, tzinfo=timezone.utc)
    for step in range(per_card):
        day = FIRST_DAY + timedelta(days=step)
        for n in range(cards):
            moment = start + timedelta(days=step, milliseconds=n * 997)
            yield (f"card.{n:06d}", iso_utc(moment), day.isoformat(), "drill" if step % 10 == 9 else "scheduled",
                   3 + (n + step) % 3, 4, int(step == 0), step, step + 1, day.isoformat(),
                   (day + timedelta(days=6)).isoformat(), 30_000 + n % 5_000,
                   ANSWER.format(card=n, step=step), FEEDBACK.format(step=step))


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def measure_export(fmt: str, database: Path, output: Path) -> dict:
    """In a child process: export one format to a file."""
    with Store(database) as store:
        baseline = peak_rss_mb()
        started = time.perf_counter()
        rows = export_reviews(store, fmt, ExportFilter(), output)
        seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "peak_mb": peak_rss_mb(), "baseline_mb": baseline}


def measure_sqlite_cli(database: Path, output: Path) -> dict:
    """In a child process: the sqlite3 shell writing the csv export's query as CSV, the floor."""
    query, _params = select_reviews(ExportFilter(), EXPORT_COLUMNS)  # the store's own query, unfiltered
    started = time.perf_counter()
    with output.open("wb") as handle:
        subprocess.run(["sqlite3", "-csv", "-header", str(database), query], stdout=handle, check=True)
    seconds = time.perf_counter() - started
    with output.open(newline="", encoding="utf-8") as written:
        rows = sum(1 for _ in csv.reader(written)) - 1  # records, not lines: feedback spans lines
    return {"rows": rows, "seconds": seconds, "peak_mb": peak_rss_mb(resource.RUSAGE_CHILDREN), "baseline_mb": 0.0}


def run_child(kind: str, database: Path, output: Path) -> dict:
    completed = subprocess.run([sys.executable, __file__, "--child", kind, str(database), str(output)],
                               capture_output=True, text=True, check=True)
    return json.loads(completed.stdout) | {"bytes": output.stat().st_size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--cards", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5, help="rounds of every format and the floor; medians count")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "DATABASE", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, database, output = args.child[0], Path(args.child[1]), Path(args.child[2])
        measure = measure_sqlite_cli if kind == "sqlite3" else partial(measure_export, kind)
        result = measure(database, output)
        print(json.dumps(result))
        return
    if shutil.which("sqlite3") is None:
        sys.exit("the sqlite3 shell is needed for the floor: apt-get install -y sqlite3")
    with tempfile.TemporaryDirectory(prefix="recall-bench-") as workdir:
        database = Path(workdir) / "bench.db"
        started = time.perf_counter()
        build_database(database, args.reviews, args.cards)
        print(f"built {args.reviews:,} reviews over {args.cards:,} cards in {time.perf_counter() - started:.1f} s "
              f"({database.stat().st_size / 2**20:.0f} MiB database)\n")
        print(f"{'format':<10}{'rows':>10}{'seconds':>9}{'x sqlite3':>11}{'rows/s':>11}{'peak MiB':>10}"
              f"{'baseline':>10}{'output MiB':>12}")
        kinds = ("sqlite3", *FORMATS)
        rounds = [{kind: run_child(kind, database, Path(workdir) / f"out.{kind}") for kind in kinds}
                  for _ in range(args.runs)]
        floor = statistics.median(results["sqlite3"]["seconds"] for results in rounds)
        for kind in kinds:
            result = rounds[-1][kind] | {"seconds": statistics.median(results[kind]["seconds"] for results in rounds),
                                         "peak_mb": max(results[kind]["peak_mb"] for results in rounds)}
            print(f"{kind:<10}{result['rows']:>10,}{result['seconds']:>9.2f}{result['seconds'] / floor:>11.2f}"
                  f"{result['rows'] / result['seconds']:>11,.0f}{result['peak_mb']:>10.0f}"
                  f"{result['baseline_mb']:>10.0f}"
                  f"{result['bytes'] / 2**20:>12.0f}")


if __name__ == "__main__":
    main()
