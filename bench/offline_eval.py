"""How often the offline grader agrees with hand-labelled grades.

    python bench/offline_eval.py [EVAL_SET.toml]

Prints exact and within-one agreement, overall and per category of explanation, the same for the verdicts
the grader is confident of (the only ones a script may record without the learner's grade), a confusion
matrix of hand label against suggested grade, and the largest disagreements. The default set is
tests/data/offline_eval.toml (cards in the deck format, each with [[card.explanation]] tables).
"""

from __future__ import annotations

import asyncio
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from recall.deck import parse_deck
from recall.grading.offline import OfflineGrader

EVAL_SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "offline_eval.toml"
GRADES = range(6)


@dataclass(frozen=True)
class Graded:
    card_id: str
    category: str
    label: int
    suggested: int
    text: str
    confident: bool = False

    @property
    def error(self) -> int:
        return self.suggested - self.label


@dataclass(frozen=True)
class Agreement:
    count: int
    exact: float
    within_one: float
    mean_label: float
    mean_suggested: float


async def grade_eval_set(path: Path = EVAL_SET) -> list[Graded]:
    """Grade every labelled explanation in `path` with the offline grader."""
    cards, problems = parse_deck(path)
    errors = [str(p) for p in problems if p.severity == "error"]
    if errors:
        raise ValueError(f"the evaluation set has deck errors: {errors}")
    raw_cards = tomllib.loads(path.read_text(encoding="utf-8"))["card"]
    grader = OfflineGrader()
    graded = []
    for card, raw in zip(cards, raw_cards, strict=True):
        for explanation in raw["explanation"]:
            verdict = await grader.grade(card, explanation["text"])
            graded.append(Graded(card.id, explanation["category"], explanation["grade"],
                                 verdict.suggested_quality, explanation["text"], verdict.confident))
    return graded


def agreement(graded: Iterable[Graded]) -> Agreement:
    items = list(graded)
    count = len(items)
    return Agreement(count, sum(g.error == 0 for g in items) / count, sum(abs(g.error) <= 1 for g in items) / count,
                     sum(g.label for g in items) / count, sum(g.suggested for g in items) / count)


def by_category(graded: list[Graded]) -> dict[str, Agreement]:
    categories = dict.fromkeys(g.category for g in graded)
    return {category: agreement(g for g in graded if g.category == category) for category in categories}


def confusion(graded: list[Graded]) -> list[list[int]]:
    """counts[label][suggested]."""
    counts = [[0 for _ in GRADES] for _ in GRADES]
    for g in graded:
        counts[g.label][g.suggested] += 1
    return counts


def report(graded: list[Graded], worst: int = 8) -> str:
    def row(name: str, a: Agreement) -> str:
        return (f"{name:<12} {a.count:>3}  {a.exact:>6.0%}  {a.within_one:>10.0%}  "
                f"{a.mean_label:>10.2f}  {a.mean_suggested:>14.2f}")

    lines = [f"{'category':<12} {'n':>3}  {'exact':>6}  {'within one':>10}  {'mean label':>10}  "
             f"{'mean suggested':>14}"]
    lines += [row(name, a) for name, a in by_category(graded).items()]
    lines += [row("overall", agreement(graded))]
    confident = [g for g in graded if g.confident]
    if confident:
        lines += [row("confident", agreement(confident)) + "   (kept without asking; per category: "
                  + ", ".join(f"{name} {sum(g.category == name for g in confident)}"
                              for name in by_category(graded)) + ")"]
    lines += ["", "confusion (rows: hand label, columns: suggested grade)",
              "       " + " ".join(f"{q:>3}" for q in GRADES)]
    lines += [f"  {label:>3}  " + " ".join(f"{n:>3}" for n in counts)
              for label, counts in enumerate(confusion(graded))]
    lines += ["", "largest disagreements"]
    for g in sorted(graded, key=lambda g: -abs(g.error))[:worst]:
        sure = "confident" if g.confident else "unsure"
        lines.append(f"  {g.error:+d}  label {g.label} suggested {g.suggested} {sure:<9}  {g.card_id} ({g.category}): "
                     f"{' '.join(g.text.split())[:70]}...")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    print(report(asyncio.run(grade_eval_set(Path(args[0]) if args else EVAL_SET))))


if __name__ == "__main__":
    main()
