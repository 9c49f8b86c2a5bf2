"""How recall starts and answers on a large collection: a table of medians, printed as Markdown.

    python bench/bench_scale.py                      # 100k cards, 1M reviews (builds them, ~30 s)
    python bench/bench_scale.py --cards 20000 --reviews 200000 --runs 3

Builds the collection with make_collection.py in a temporary folder, then times real `recall` processes
(wall clock, from spawning to exit) against it, each after a warm-up run: `recall --version` as the floor,
the first sync of the decks into an empty database, a start with nothing changed (`recall due`), a start
after one deck file was edited, `recall stats` and `recall cards --json`, and the study app's first frame
and loaded dashboard (in tmux, when the app and tmux are there). Python may write bytecode caches, as it
does for a user; RECALL_* and ANTHROPIC_* variables are cleared. Every figure is also printed as a ratio
to `recall --version` measured in the same run, beside the goal of issue 16.

What dominated, profiled with cProfile, `python -X importtime` and EXPLAIN QUERY PLAN at 100k cards / 1M
reviews (issue 16):
- No-change start: importing the store, deck-sync and study modules (about half of what `due` adds to
  `--version`); then owed drills, whose correlated subquery searched the day's reviews once per review
  of the day (0.26 s at 1,000 reviews a day; now one GROUP BY pass, 0.03 s); the queue's CardRows (three
  json.loads each for some 750 cards); and printing a line at a time (a terminal-size query and a flush
  per line; now one write). The deck-file check itself is one stat per file and one small query.
- Start after editing one file: reading every card's id, hash and position (100k rows) and applying the
  id rule to all of them. Now the edited file is synced in place: only its block of positions and the ids
  it defines are read. What is left is parsing that file (550 KB), hashing its cards and the commit.
- First sync: TOML parsing (about 70% with the stdlib tomllib), then checking each card (20%) and the
  inserts. tomli's compiled wheel parses 3-4x faster with the same grammar and messages; files are
  parsed in worker processes when there are more than 8 MB of them.
- `recall cards --json`: a CardRow per card (three json.loads each), a dict per card and json.dumps. Now
  SQLite writes each card's JSON object.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RECALL = Path(sys.executable).with_name("recall")
TUI_TIMEOUT_S = 60.0
TUI_POLL_S = 0.01


def clean_environment(home: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("RECALL_", "ANTHROPIC_")) and name != "PYTHONDONTWRITEBYTECODE"}
    env.update(HOME=str(home), TEXTUAL_ANIMATIONS="none", TERM="xterm-256color")
    return env


class Bench:
    def __init__(self, workdir: Path, runs: int) -> None:
        self.workdir = workdir
        self.runs = runs
        self.env = clean_environment(workdir / "home")
        self.config = workdir / "config.toml"
        self.config.write_text("", encoding="utf-8")
        self.decks = workdir / "decks"
        self.db = workdir / "recall.db"
        self.first_sync_db = workdir / "first-sync.db"
        self.results: list[tuple[str, float, float]] = []  # label, median seconds, its `--version` median
        self.edited_deck: str | None = None
        self.edits = 0
        self.tui_runs = 0

    def recall(self, *args: str, db: Path | None = None) -> list[str]:
        return [str(RECALL), "--db", str(db or self.db), "--cards", str(self.decks), "--config", str(self.config),
                *args]

    def run(self, command: list[str]) -> float:
        started = time.perf_counter()
        subprocess.run(command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return time.perf_counter() - started

    def measure(self, label: str, timed: Callable[[], float], prepare: Callable[[], None] = lambda: None,
                runs: int | None = None, warm_up: bool = True) -> float:
        """The median of `runs` timings, each after `prepare`, following one untimed warm-up; each
        timing is followed by one of `recall --version`, whose median is this row's anchor, so a machine
        that gets busier or quieter during the run moves both alike."""
        if warm_up:
            prepare()
            timed()
        samples, anchors = [], []
        for _ in range(runs or self.runs):
            prepare()
            samples.append(timed())
            anchors.append(self.run(self.recall("--version")))
        median, anchor = statistics.median(samples), statistics.median(anchors)
        self.results.append((label, median, anchor))
        print(f"  {label}: {median:.3f} s, `recall --version` {anchor:.3f} s", file=sys.stderr)
        return median / anchor

    def remove_first_sync_db(self) -> None:
        for stale in self.workdir.glob(f"{self.first_sync_db.name}*"):
            stale.unlink()

    def edit_one_deck(self) -> None:
        """Reword the first prompt of the middle deck file, differently each time."""
        files = sorted(self.decks.glob("*.toml"))
        path = files[len(files) // 2]
        if self.edited_deck is None:
            self.edited_deck = path.read_text(encoding="utf-8")
        self.edits += 1
        path.write_text(self.edited_deck.replace('prompt = "', f'prompt = "Edit {self.edits}: ', 1),
                        encoding="utf-8")

    def measure_tui(self) -> None:
        """The study app's first frame and its loaded dashboard: medians after a warm-up."""
        self.tui_times()
        samples = [self.tui_times() for _ in range(self.runs)]
        anchor = statistics.median(self.run(self.recall("--version")) for _ in range(self.runs))
        for label, index in (("study app (`recall`): first frame", 0), ("study app: dashboard numbers shown", 1)):
            self.results.append((label, statistics.median(sample[index] for sample in samples), anchor))
            print(f"  {label}: {self.results[-1][1]:.3f} s", file=sys.stderr)

    def tui_times(self) -> tuple[float, float]:
        """Seconds from `recall` starting to its first frame (the dashboard's tiles drawn) and to the
        dashboard showing its numbers, read from a private tmux server."""
        self.tui_runs += 1
        server = ["tmux", "-L", f"recall-bench-{os.getpid()}-{self.tui_runs}", "-f", "/dev/null"]
        command = shlex.join(self.recall())
        started = time.perf_counter()
        subprocess.run([*server, "new-session", "-d", "-x", "120", "-y", "40", command], env=self.env, check=True)
        first_frame = loaded = None
        try:
            while loaded is None and time.perf_counter() - started < TUI_TIMEOUT_S:
                screen = subprocess.run([*server, "capture-pane", "-p"], capture_output=True, text=True).stdout
                lines = screen.splitlines()
                tile_row = next((i for i, line in enumerate(lines) if "Due today" in line), None)
                if tile_row is not None:
                    first_frame = first_frame or time.perf_counter() - started
                    if tile_row + 1 < len(lines) and "…" not in lines[tile_row + 1]:
                        loaded = time.perf_counter() - started
                time.sleep(TUI_POLL_S)
        finally:
            subprocess.run([*server, "kill-server"], capture_output=True)
        if first_frame is None or loaded is None:
            raise SystemExit(f"the study app did not show its dashboard within {TUI_TIMEOUT_S:.0f} s")
        return first_frame, loaded


def tui_missing() -> str | None:
    """Why the study app cannot be timed here, if it cannot."""
    if not shutil.which("tmux"):
        return "tmux is not installed"
    try:
        from recall.tui.app import RecallApp  # noqa: F401
    except ImportError:
        return "recall.tui.app is not there"
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per row (the first sync: at most 3)")
    parser.add_argument("--workdir", type=Path, help="keep the collection here (default: a temporary folder)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="recall-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    bench = Bench(workdir, args.runs)
    try:
        if not bench.db.exists():
            subprocess.run([sys.executable, str(BENCH_DIR / "make_collection.py"), "--cards", str(args.cards),
                            "--reviews", str(args.reviews), "--db", str(bench.db), "--decks", str(bench.decks)],
                           check=True)
        print(f"timing recall on {args.cards} cards and {args.reviews} reviews in {workdir}", file=sys.stderr)
        bench.measure(f"first sync of {args.cards:,} cards (`recall due`, empty database)",
                      lambda: bench.run(bench.recall("due", db=bench.first_sync_db)),
                      prepare=bench.remove_first_sync_db, runs=min(3, args.runs), warm_up=False)
        bench.run(bench.recall("due"))  # the collection's first start remembers its deck files
        due = bench.measure("no-change start: `recall due`", lambda: bench.run(bench.recall("due")))
        edited = bench.measure("start after editing one deck file: `recall due`",
                               lambda: bench.run(bench.recall("due")), prepare=bench.edit_one_deck)
        bench.measure("`recall stats`", lambda: bench.run(bench.recall("stats")))
        bench.measure("`recall cards --json`", lambda: bench.run(bench.recall("cards", "--json")))
        tui_problem = tui_missing()
        if tui_problem is None:
            bench.measure_tui()
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n{args.cards:,} cards, {args.reviews:,} reviews; median of {args.runs} runs after a warm-up "
          f"(first sync: {min(3, args.runs)} runs); Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, SQLite {sqlite3.sqlite_version}\n")
    print("| what | median | `recall --version` beside it | ratio |\n|---|---:|---:|---:|")
    for label, seconds, anchor in bench.results:
        print(f"| {label} | {seconds:.2f} s | {anchor:.2f} s | {seconds / anchor:.2f} |")
    if tui_problem:
        print(f"| study app | not measured: {tui_problem} | |")
    seconds = {label: median for label, median, _anchor in bench.results}
    print("\nagainst the goals of issue 16:")
    print(f"  no-change `recall due` / `recall --version`: {due:.2f} (goal: at most 1.25)")
    print(f"  start after editing one file / `recall --version`: {edited:.2f} (goal: at most 2)")
    first_sync = next(median for label, median in seconds.items() if label.startswith("first sync"))
    print(f"  first sync: {first_sync:.1f} s (goal: at most 6 s)")
    print(f"  `recall cards --json`: {seconds['`recall cards --json`']:.2f} s (goal: at most 1 s)")


if __name__ == "__main__":
    main()
