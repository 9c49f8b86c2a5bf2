"""Build a realistic recall collection quickly, for benchmarks and scale checks.

    python bench/make_collection.py --cards 100000 --reviews 1000000 --db /tmp/big.db --decks /tmp/decks

Writes the cards as TOML deck files (DECKS_PER_FILE cards a file, text about as long as the starter
deck's), syncs them into a database through `Store` itself, then adds the review histories: every
card is introduced in deck order over the last years (as many as it takes to hold the reviews asked
for) and reviewed by a learner who studies what is due, now and then late, with lapses likelier for
harder cards and longer intervals, step-7 drills after grades below 4, Claude or offline grading. Grades
go through recall's own `sm2.review`; reviews are stored in id order by time, and each card's state is
exactly what `Store.record_review` would have left. The last decks stay new. Bulk loading skips the journal and rebuilds the reviews indexes
at the end, which is what makes a million reviews take seconds.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nn import DEMOS
from recall.deck import Card, parse_deck
from recall.scheduler import PASS_MARK
from recall.sm2 import Sm2State, review
from recall.store import Store

CARDS_PER_FILE = 500
NEW_CARD_SHARE = 0.15  # cards never reviewed yet: the last decks, not introduced so far
MAX_SPAN_DAYS = 20 * 365  # the longest a collection's history may be stretched to hold the reviews asked for
CLAUDE_SHARE = 0.7  # reviews graded by Claude (the rest offline, with no model or tokens)
MODEL = "claude-haiku-5-5"
PASSING_WEIGHTS = (0, 0, 0, 25, 45, 30)  # grades of a remembered card
FAILING_WEIGHTS = (20, 35, 45, 0, 0, 0)  # grades of a forgotten one
DRILL_WEIGHTS = (3, 7, 15, 25, 32, 18)  # grades of a step-7 repeat the same day
WORDS = ("gradient weight bias neuron layer sigmoid softmax cost cross-entropy saturation learning rate "
         "backpropagation activation regularisation overfitting dropout momentum initialisation batch "
         "epoch error signal chain rule derivative output input hidden network training test "
         "validation accuracy vanishing exploding unstable tanh rectified linear unit").split()


class Text:
    """Plausible technical prose, fast: sentences drawn from a pool made once."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences = [self._sentence() for _ in range(5000)]

    def _sentence(self) -> str:
        text = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(8, 16)))
        return text[0].upper() + text[1:] + "."

    def sentence(self) -> str:
        return self.rng.choice(self.sentences)

    def paragraph(self, low: int, high: int) -> str:
        return " ".join(self.rng.choices(self.sentences, k=self.rng.randint(low, high)))


def make_card(text: Text, card_id: str, deck: str, source: Path) -> Card:
    rng = text.rng
    return Card(card_id, deck, text.sentence()[:-1] + "?", text.paragraph(4, 7),
                tuple(text.sentence() for _ in range(rng.randint(2, 5))),
                tuple(sorted({rng.choice(WORDS) for _ in range(rng.randint(1, 3))})),
                rng.choice(DEMOS) if rng.random() < 0.1 else None, source)


def deck_toml(cards: list[Card]) -> str:
    """A deck file holding `cards` (JSON strings and lists of strings are valid TOML values)."""
    lines = [f"deck = {json.dumps(cards[0].deck)}"]
    for card in cards:
        fields = {"id": card.id, "prompt": card.prompt, "answer": card.answer, "key_points": list(card.key_points),
                  "tags": list(card.tags), "demo": card.demo}
        lines += ["", "[[card]]"] + [f"{key} = {json.dumps(value)}" for key, value in fields.items() if value]
    return "\n".join(lines) + "\n"


def write_decks(decks: Path, count: int, text: Text) -> list[Card]:
    """Write `count` cards as deck files in `decks`; returns them as the deck parser would."""
    decks.mkdir(parents=True, exist_ok=True)
    cards: list[Card] = []
    for number, start in enumerate(range(0, count, CARDS_PER_FILE)):
        path = decks / f"deck-{number:04d}.toml"
        file_cards = [make_card(text, f"g{number:04d}.card-{index:03d}", f"Generated deck {number}", path)
                      for index in range(min(CARDS_PER_FILE, count - start))]
        path.write_text(deck_toml(file_cards), encoding="utf-8")
        cards += file_cards
    first = cards[:CARDS_PER_FILE]
    if parse_deck(first[0].source) != (first, []):
        raise SystemExit("the generated deck files do not parse into the cards generated; fix deck_toml")
    return cards


@dataclass
class CardHistory:
    """A card's state as the simulated reviews leave it (what record_review would have stored)."""

    state: Sm2State
    due: int | None = None
    lapses: int = 0
    reviews: int = 0
    last_reviewed_at: str | None = None


class Histories:
    """Simulated reviews of one card after another, as rows for the reviews table."""

    def __init__(self, rng: random.Random, today: int) -> None:
        self.rng = rng
        self.today = today
        self.days: dict[int, str] = {}
        text = Text(rng)
        self.answers = [text.paragraph(1, 3) for _ in range(500)]
        self.feedback = [text.paragraph(2, 5) for _ in range(500)]

    def day(self, ordinal: int | None) -> str | None:
        if ordinal is None:
            return None
        if ordinal not in self.days:
            self.days[ordinal] = date.fromordinal(ordinal).isoformat()
        return self.days[ordinal]

    def quality(self, state: Sm2State, hardness: float, overdue_days: int) -> int:
        """A grade: forgetting grows likelier with the card's hardness, the interval and lateness."""
        forget = min(0.9, hardness + (state.interval + overdue_days) / 5000)
        return self.rng.choices(range(6), FAILING_WEIGHTS if self.rng.random() < forget else PASSING_WEIGHTS)[0]

    def card(self, card_id: str, introduced: int, budget: int, rows: list[tuple]) -> CardHistory:
        """Append to `rows` the reviews of a card introduced on day `introduced`, by a learner who
        reviews what is due (now and then a few days late) up to yesterday, with step-7 drills after
        grades below 4; at most `budget` reviews. Returns the card's state."""
        rng = self.rng
        hardness = rng.betavariate(1.5, 24)
        card = CardHistory(Sm2State())
        day = introduced
        while day < self.today and card.reviews < budget:
            quality = self.quality(card.state, hardness, 0 if card.due is None else day - card.due)
            self._review(card_id, day, "scheduled", quality, card, rows)
            while quality < 4 and card.reviews < budget and rng.random() < 0.7:
                quality = rng.choices(range(6), DRILL_WEIGHTS)[0]
                self._review(card_id, day, "drill", quality, card, rows)
            day = card.due + (rng.randint(1, 4) if rng.random() < 0.3 else 0)
        return card

    def reviews_per_card(self, span_days: int, sample: int = 400) -> float:
        """The mean number of reviews of a card introduced at a random day of the last `span_days`."""
        rows: list[tuple] = []
        for _ in range(sample):
            self.card("sample", self.today - self.rng.randint(1, span_days), 10**9, rows)
        return len(rows) / sample

    def span_for(self, reviews_per_card: float) -> int:
        """How many days of history give cards `reviews_per_card` reviews on average (bisection)."""
        low, high = 1, MAX_SPAN_DAYS
        while high - low > 7:
            middle = (low + high) // 2
            low, high = (middle, high) if self.reviews_per_card(middle) < reviews_per_card else (low, middle)
        return high

    def _review(self, card_id: str, day: int, kind: str, quality: int, card: CardHistory,
                rows: list[tuple]) -> None:
        """One review row, and the card's state after it, as Store.record_review computes them."""
        rng = self.rng
        before, due_before, lapses_before, last_before = card.state, card.due, card.lapses, card.last_reviewed_at
        if kind == "scheduled":
            card.state = review(before, quality)
            card.due = day + card.state.interval
            card.lapses += quality < PASS_MARK and before.repetitions > 0
        seconds = rng.randint(6 * 3600, 22 * 3600)
        stamp = (f"{self.day(day)}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}."
                 f"{rng.randint(0, 999):03d}Z")
        claude = rng.random() < CLAUDE_SHARE
        suggested = max(0, min(5, quality + rng.choice((-1, 0, 0, 0, 1))))
        rows.append((
            card_id, stamp, self.day(day), kind, quality, suggested,
            int(card.reviews == 0 and kind == "scheduled"),
            before.easiness_centi, card.state.easiness_centi, before.interval, card.state.interval,
            before.repetitions, card.state.repetitions, self.day(due_before), self.day(card.due),
            lapses_before, last_before, rng.randint(20_000, 240_000),
            "claude" if claude else "offline", MODEL if claude else None, "v3" if claude else None,
            rng.randint(900, 1600) if claude else 0, rng.randint(200, 600) if claude else 0,
            0, rng.randint(700, 1200) if claude else 0,
            rng.choice(self.answers), rng.choice(self.feedback),
        ))
        card.reviews += 1
        card.last_reviewed_at = stamp


REVIEW_COLUMNS = ("card_id, reviewed_at, study_day, kind, quality, suggested_quality, was_new, easiness_before, "
                  "easiness_after, interval_before, interval_after, repetitions_before, repetitions_after, "
                  "due_before, due_after, lapses_before, last_reviewed_before, duration_ms, grader, model, "
                  "prompt_version, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, "
                  "answer, feedback")


def add_reviews(db_path: Path, reviews: int, seed: int, today: date) -> None:
    """Generate the histories and bulk-load them: journal off, reviews indexes rebuilt at the end."""
    rng = random.Random(seed + 1)
    conn = sqlite3.connect(str(db_path), isolation_level=None)
    card_ids = [row[0] for row in conn.execute("SELECT id FROM cards WHERE retired = 0 ORDER BY position")]
    histories = Histories(rng, today.toordinal())
    introduced_cards = round(len(card_ids) * (1 - NEW_CARD_SHARE))
    # A little more history than needed, so the budget runs out and the total is exactly `reviews`.
    span = histories.span_for(1.05 * reviews / max(1, introduced_cards))
    rows: list[tuple] = []
    states = []
    for position, card_id in enumerate(card_ids[:introduced_cards]):
        budget = reviews - len(rows)
        if not budget:
            break
        introduced = histories.today - span + position * span // introduced_cards
        card = histories.card(card_id, introduced, budget, rows)
        if card.reviews:
            states.append((card.state.easiness_centi, card.state.repetitions, card.state.interval,
                           histories.day(card.due), card.lapses, card.reviews, card.last_reviewed_at, card_id))
    rows.sort(key=lambda row: row[1])  # review ids in time order, as recording them would give
    indexes = [row[0] for row in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews' AND sql IS NOT NULL")]
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "foreign_keys = OFF", "cache_size = -262144"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("BEGIN")
    for name in [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews' AND sql IS NOT NULL")]:
        conn.execute(f'DROP INDEX "{name}"')
    conn.executemany(f"INSERT INTO reviews ({REVIEW_COLUMNS}) VALUES ({', '.join('?' * 27)})", rows)
    for sql in indexes:
        conn.execute(sql)
    conn.executemany("UPDATE cards SET easiness_centi = ?, repetitions = ?, interval = ?, due = ?, lapses = ?, "
                     "reviews = ?, last_reviewed_at = ? WHERE id = ?", states)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, required=True, help="database to create (must not exist)")
    parser.add_argument("--decks", type=Path, required=True, help="folder for the TOML deck files")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.db.exists():
        parser.error(f"{args.db} exists; pass a new path")
    started = time.perf_counter()
    cards = write_decks(args.decks, args.cards, Text(random.Random(args.seed)))
    written = time.perf_counter()
    with Store(args.db) as store:
        store.sync_cards(cards)  # exactly what syncing the files would store, without parsing them
    loaded = time.perf_counter()
    add_reviews(args.db, args.reviews, args.seed, date.today())
    done = time.perf_counter()
    print(f"{args.cards} cards in {args.decks} ({written - started:.1f} s), synced ({loaded - written:.1f} s), "
          f"{args.reviews} reviews in {args.db} ({done - loaded:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
