"""How long `recall stats` takes next to `recall --version`, on an existing large collection.

    python bench/make_collection.py --cards 100000 --reviews 1000000 --db /tmp/big/recall.db --decks /tmp/big/decks
    python bench/bench_stats.py --db /tmp/big/recall.db --decks /tmp/big/decks [--runs 7]

Both commands run as fresh processes (stdout to a pipe, so the charts are drawn as a pipe gets them),
alternately, after one discarded warm-up run of each (which also makes the day's backup and any
migration, and writes the bytecode caches a user's install has). Prints the median wall time of each,
the `--json` variant's, and the ratio to the goal.

What dominated at 100k cards / 1M reviews (cProfile, and each query timed alone, issue 16):
- Token totals summed some 700k review index entries (0.5-0.7 s). Since schema v8 triggers keep them
  per grader and model in `review_token_totals`; reading them is a few rows.
- What is left is reading the collection: the card counts and the per-deck counts each go through the
  100k entries of one covering index (about 30 and 50 ms), the learned cards' interval and easiness
  spread 76k cards (about 38 ms: its partial index is not covering, as SQLite 3.40 does not see that
  `reviews > 0` holds in it), the daily activity 107k reviews of the last twelve weeks (40 ms),
  `COUNT(*)` a million review index entries (15-20 ms), the cards added per week every card added
  then (67 ms when all 100k were added at once, as here); then plotext: its import (60 ms) and
  drawing six charts (70 ms).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_scale import clean_environment

GOAL_RATIO = 1.5


def seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--decks", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.toml"
        config.touch()
        env = clean_environment(Path(folder) / "home")
        recall = [sys.executable, "-P", "-m", "recall", "--db", str(args.db), "--cards", str(args.decks),
                  "--config", str(config)]
        commands = {"version": [*recall, "--version"], "stats": [*recall, "stats"],
                    "stats --json": [*recall, "stats", "--json"]}
        timings: dict[str, list[float]] = {name: [] for name in commands}
        for name, command in commands.items():
            seconds(command, env)
        for _ in range(args.runs):
            for name, command in commands.items():
                timings[name].append(seconds(command, env))
    medians = {name: statistics.median(values) for name, values in timings.items()}
    for name, median in medians.items():
        print(f"{name:<14} median {median * 1000:7.0f} ms over {args.runs} runs")
    ratio = medians["stats"] / medians["version"]
    print(f"stats / version = {ratio:.2f} (goal <= {GOAL_RATIO})")


if __name__ == "__main__":
    main()
