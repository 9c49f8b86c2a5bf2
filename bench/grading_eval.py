"""How well a grader agrees with human grades.

    python bench/grading_eval.py --grader offline|claude [--model M] [--labels FILE]
    python bench/grading_eval.py --grader offline --public PATH [--half dev|held|all]

By default it grades tests/data/grading_labels.toml: explanations of the bundled deck's cards, each with a
tutor's grade, a category and a reason (see that file's header). `--public PATH` grades the UNT Computer
Science Short Answer data set (Mohler and Mihalcea, version 2.0: 80 questions, 2,273 answers, each the mean
of two human grades on 0-5) from the folder where you unpacked it; each question becomes a card whose
answer is the instructor's answer and whose key points are that answer's clauses. Its questions are split
in two halves by position (`dev`: 1st, 3rd, ...; `held`: 2nd, 4th, ...): tune on dev, report held.

It prints exact agreement (within half a grade, for the public set's half-grade means), agreement within
one grade, pass/fail agreement (pass = the scheduler's PASS_MARK), Pearson r, RMSE and mean bias, the same
per category, a confusion matrix, the largest disagreements, and for Claude the tokens and an estimated
price. With `--grader claude` and no ANTHROPIC_API_KEY it prints one line and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from recall.config import bundled_cards_dir, load_settings
from recall.deck import Card, load_decks
from recall.errors import RecallError
from recall.grading import make_grader
from recall.grading.base import Grader, GradingError, Usage
from recall.grading.pricing import estimate_cost_usd
from recall.scheduler import PASS_MARK

LABELS = Path(__file__).resolve().parents[1] / "tests" / "data" / "grading_labels.toml"
GRADES = range(6)
WIDTH = 80


@dataclass(frozen=True)
class Item:
    """One explanation to grade: the card, the text, the human grade (a mean for the public set)."""

    card: Card
    text: str
    label: float
    category: str
    reason: str = ""


@dataclass(frozen=True)
class Graded:
    item: Item
    suggested: int
    confident: bool
    usage: Usage = Usage()

    @property
    def error(self) -> float:
        return self.suggested - self.item.label


@dataclass(frozen=True)
class Agreement:
    count: int
    exact: float
    within_one: float
    pass_fail: float
    pearson_r: float
    rmse: float
    bias: float
    mean_label: float


class EvalSetError(Exception):
    """An evaluation set that cannot be read; the message is one sentence for the user."""


def load_labels(path: Path = LABELS, cards: dict[str, Card] | None = None) -> list[Item]:
    """The labelled explanations of `path`, each joined to its card (by default from the bundled deck).
    A [[recap]] is one text graded against each card it lists."""
    cards = cards if cards is not None else {card.id: card for card in load_decks([bundled_cards_dir()]).cards}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise EvalSetError(f"cannot read the labelled set {path}: {error}") from error
    rows = [(entry, entry["text"]) for entry in document.get("explanation", [])]
    rows += [(grade, recap["text"]) for recap in document.get("recap", []) for grade in recap["grade"]]
    unknown = sorted({entry["card"] for entry, _ in rows} - cards.keys())
    if unknown:
        raise EvalSetError(f"the labelled set names cards the deck does not have: {', '.join(unknown)}")
    return [Item(cards[entry["card"]], text, float(entry["grade"]), entry["category"], entry.get("reason", ""))
            for entry, text in rows]


# The public set: `x.y text` per line; lines of docs/files starting with # are questions its authors
# left out (ordering and selection questions), and so do we.
NUMBERED_LINE = re.compile(r"^(\d+\.\d+)\s+(.*)$")
MARKUP = re.compile(r"<[^>]+>")


def _numbered_lines(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [(found[1], " ".join(MARKUP.sub(" ", found[2]).split()))
            for found in map(NUMBERED_LINE.match, lines) if found]


def reference_clauses(answer: str) -> tuple[str, ...]:
    """The key points a public question gets: its reference answer's sentences and clauses."""
    parts = re.split(r"(?<=[.!?;])\s+|,\s+(?=(?:and|but|whereas|while|or)\b)", answer)
    return tuple(part.strip() for part in parts if len(part.strip()) > 2) or (answer,)


def question_order(question_id: str) -> tuple[int, int]:
    assignment, number = question_id.split(".")
    return int(assignment), int(number)


def load_public(root: Path, half: str = "all") -> list[Item]:
    """The UNT short-answer set under `root` (the folder holding data/, or data/ itself)."""
    data = root / "data" if (root / "data" / "raw").is_dir() else root
    try:
        questions = dict(_numbered_lines(data / "raw" / "questions"))
        answers = dict(_numbered_lines(data / "raw" / "answers"))
        left_out = {line[1:].strip() for line in (data / "docs" / "files").read_text().splitlines()
                    if line.startswith("#")}
    except OSError as error:
        raise EvalSetError(f"{root} does not hold the UNT short-answer data set (data/raw/questions, "
                           f"data/raw/answers, data/docs/files): {error.strerror}") from error
    kept = sorted((q for q in questions if q not in left_out and q in answers), key=question_order)
    chosen = {"dev": kept[0::2], "held": kept[1::2], "all": kept}[half]
    items = []
    for question in chosen:
        card = Card(id=f"unt.{question}", deck="UNT short answers", prompt=questions[question],
                    answer=answers[question], key_points=reference_clauses(answers[question]))
        responses = [text for _, text in _numbered_lines(data / "raw" / question)]
        grades = [float(g) for g in (data / "scores" / question / "ave").read_text().split()]
        if len(responses) != len(grades):
            raise EvalSetError(f"question {question} has {len(responses)} answers but {len(grades)} grades")
        items += [Item(card, text, grade, "public") for text, grade in zip(responses, grades)]
    return items


async def grade_items(grader: Grader, items: Sequence[Item]) -> tuple[list[Graded], list[str]]:
    """Grade every item; a grading failure is noted and the item left out."""
    graded, failures = [], []
    for item in items:
        try:
            verdict = await grader.grade(item.card, item.text)
        except GradingError as error:
            failures.append(f"{item.card.id}: {error}")
            continue
        graded.append(Graded(item, verdict.suggested_quality, verdict.confident, verdict.usage))
    return graded, failures


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pearson's r, or nan when either side does not vary."""
    if len(xs) < 2 or np.std(xs) == 0 or np.std(ys) == 0:
        return math.nan
    return float(np.corrcoef(xs, ys)[0, 1])


def agreement(graded: Iterable[Graded]) -> Agreement:
    items = list(graded)
    count = len(items)
    if not count:
        return Agreement(0, *[math.nan] * 7)
    errors = np.array([g.error for g in items])
    labels = [g.item.label for g in items]
    passes = sum((g.suggested >= PASS_MARK) == (g.item.label >= PASS_MARK) for g in items)
    return Agreement(count, float(np.mean(np.abs(errors) < 0.5)), float(np.mean(np.abs(errors) <= 1)),
                     passes / count, pearson([g.suggested for g in items], labels),
                     float(np.sqrt(np.mean(errors ** 2))), float(errors.mean()), float(np.mean(labels)))


def by_category(graded: Sequence[Graded]) -> dict[str, Agreement]:
    categories = dict.fromkeys(g.item.category for g in graded)
    return {name: agreement(g for g in graded if g.item.category == name) for name in categories}


def confusion(graded: Iterable[Graded]) -> list[list[int]]:
    """counts[label rounded half up][suggested]."""
    counts = [[0 for _ in GRADES] for _ in GRADES]
    for g in graded:
        counts[int(g.item.label + 0.5)][g.suggested] += 1
    return counts


def _figure(value: float, form: str) -> str:
    return "-" if math.isnan(value) else format(value, form)


def agreement_row(name: str, a: Agreement) -> str:
    return (f"{name:<20} {a.count:>4} {_figure(a.exact, '.0%'):>6} {_figure(a.within_one, '.0%'):>6} "
            f"{_figure(a.pass_fail, '.0%'):>6} {_figure(a.pearson_r, '.2f'):>6} {_figure(a.rmse, '.2f'):>6} "
            f"{_figure(a.bias, '+.2f'):>6} {_figure(a.mean_label, '.2f'):>6}")


def cost_lines(graded: Sequence[Graded], model: str | None) -> list[str]:
    total = Usage(*(sum(getattr(g.usage, name) for g in graded) for name in Usage.__dataclass_fields__))
    if not any(vars(total).values()):
        return []
    price = estimate_cost_usd(model or "", total)
    estimate = f"about ${price:.4f}" if price is not None else "no price for this model"
    return [f"tokens: {total.input_tokens:,} in, {total.output_tokens:,} out, "
            f"{total.cache_read_input_tokens:,} cache read, {total.cache_creation_input_tokens:,} cache write",
            f"cost: {estimate} (list prices, recall/grading/pricing.py)"]


def report(graded: Sequence[Graded], model: str | None = None, worst: int = 8) -> str:
    header = (f"{'category':<20} {'n':>4} {'exact':>6} {'±1':>6} {'pass':>6} {'r':>6} {'rmse':>6} "
              f"{'bias':>6} {'label':>6}")
    lines = [header, *(agreement_row(name, a) for name, a in by_category(graded).items())]
    lines.append(agreement_row("overall", agreement(graded)))
    confident = [g for g in graded if g.confident]
    lines.append(agreement_row("confident only", agreement(confident)))
    lines += ["", "confusion (rows: human grade, columns: suggested grade)",
              "        " + " ".join(f"{q:>5}" for q in GRADES)]
    lines += [f"  {label:>3}   " + " ".join(f"{n:>5}" for n in counts)
              for label, counts in enumerate(confusion(graded))]
    lines += ["", "largest disagreements (error, human, suggested, card, category: text)"]
    for g in sorted(graded, key=lambda g: -abs(g.error))[:worst]:
        text = " ".join(g.item.text.split())
        lines.append(f"  {g.error:+.1f} {g.item.label:g} {g.suggested} {g.item.card.id} ({g.item.category}): "
                     f"{text}"[:WIDTH])
    return "\n".join([*lines, *(["", *cost_lines(graded, model)] if cost_lines(graded, model) else [])])


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Measure a grader against human grades.")
    parser.add_argument("--grader", choices=("offline", "claude"), default="offline")
    parser.add_argument("--model", help="the Claude model (default: recall's setting)")
    parser.add_argument("--labels", type=Path, default=LABELS, help="a labelled set (default: %(default)s)")
    parser.add_argument("--public", type=Path, metavar="PATH",
                        help="the unpacked UNT short-answer data set, graded instead of the labelled set")
    parser.add_argument("--half", choices=("dev", "held", "all"), default="all",
                        help="with --public: which half of its questions (default: all)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    if args.half != "all" and not args.public:
        print("--half chooses a half of the public set: give it with --public PATH", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
    except RecallError as error:
        print(error, file=sys.stderr)
        return 2
    if args.grader == "claude" and not settings.has_api_key:
        print("No ANTHROPIC_API_KEY is set, so the Claude run is skipped.")
        return 0
    if args.model:
        settings = replace(settings, model=args.model)
    try:
        items = load_public(args.public, args.half) if args.public else load_labels(args.labels)
    except EvalSetError as error:
        print(error, file=sys.stderr)
        return 2
    grader = make_grader(settings, args.grader)

    async def run() -> tuple[list[Graded], list[str]]:
        try:
            return await grade_items(grader, items)
        finally:
            await grader.aclose()

    graded, failures = asyncio.run(run())
    source = f"{args.public} ({args.half})" if args.public else str(args.labels)
    print(f"{grader.name} grader{f' ({grader.model})' if grader.model else ''} on {source}"[:WIDTH])
    print(report(graded, grader.model))
    for failure in failures:
        print(f"not graded: {failure}"[:WIDTH])
    return 1 if failures and not graded else 0


if __name__ == "__main__":
    sys.exit(main())
