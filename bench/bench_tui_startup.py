"""Time from launching `recall` to its first dashboard frame, with 10k cards and 100k reviews in the
database, next to a minimal Textual app (header, one line, footer) measured the same way in the same run.

    /work/venv/bin/python bench/bench_tui_startup.py [--runs 15] [--cards 10000] [--reviews 100000]

The collection is built by bench/make_collection.py (deck files plus a database with review histories).
Each launch gets its own pseudo-terminal (80x24). The clock starts just before the process is spawned and
stops when the terminal output holds a marker: for recall, its dashboard's first frame (the "Due today"
tile, drawn at once with placeholders) and, as a second figure, the dashboard with the store's numbers in
it (the header's "N cards"); for the minimal app, its one line. The two apps are launched alternately, so
any drift hits both alike, after one discarded warm-up launch each. Goal: recall's first frame within 1.3x
the minimal app's.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO = 1.15  # issue 16: the first frame within 1.15x the minimal app
SIZE = (24, 80)  # rows, columns
TIMEOUT_S = 60.0
MINIMAL_APP = '''\
from textual.app import App
from textual.widgets import Footer, Header, Static


class Minimal(App):
    def compose(self):
        yield Header()
        yield Static("minimal app ready")
        yield Footer()


Minimal().run()
'''


def time_until(command: list[str], markers: list[bytes], env: dict[str, str]) -> list[float]:
    """Seconds from spawning `command` in a fresh pseudo-terminal until each marker has been written."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", *SIZE, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env,
                               start_new_session=True, cwd=ROOT)
    os.close(follower)
    seen = b""
    found: list[float] = []
    try:
        while len(found) < len(markers):
            if time.perf_counter() - started > TIMEOUT_S:
                raise RuntimeError(f"{command[0]}: no {markers[len(found)]!r} within {TIMEOUT_S:.0f} s; "
                                   f"output ended with {seen[-300:]!r}")
            readable, _, _ = select.select([leader], [], [], 0.5)
            if not readable:
                continue
            try:
                seen += os.read(leader, 65536)
            except OSError:  # the app exited
                raise RuntimeError(f"{command[0]} exited early; output ended with {seen[-300:]!r}") from None
            while len(found) < len(markers) and markers[len(found)] in seen:
                found.append(time.perf_counter() - started)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(leader)
    return found


def isolated_environment(home: Path) -> dict[str, str]:
    """No RECALL_*/ANTHROPIC_* settings and no user config: only what the command line says counts. Python
    may write bytecode caches, as a user's install has them: with PYTHONDONTWRITEBYTECODE (set in some
    shells) every launch compiled recall's modules from source, while the minimal app's are all cached."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("RECALL_", "ANTHROPIC_")) and key != "PYTHONDONTWRITEBYTECODE"}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               TERM="xterm-256color", COLUMNS=str(SIZE[1]), LINES=str(SIZE[0]))
    return env


def recall_command(db: Path, decks: Path) -> list[str]:
    """The installed `recall` script beside this Python, as a user launches it."""
    script = Path(sys.executable).with_name("recall")
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "recall"]
    return [*launcher, "--db", str(db), "--cards", str(decks)]


def summary(label: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    return (f"{label:<34} median {statistics.median(ordered) * 1000:6.0f} ms   "
            f"min {ordered[0] * 1000:6.0f}   max {ordered[-1] * 1000:6.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="launches of each app (after one warm-up)")
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--reviews", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="recall-tui-bench-") as scratch:
        work = Path(scratch)
        db, decks = work / "recall.db", work / "decks"
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_collection.py"), "--cards", str(args.cards),
                        "--reviews", str(args.reviews), "--db", str(db), "--decks", str(decks)], check=True)
        minimal_app = work / "minimal_app.py"
        minimal_app.write_text(MINIMAL_APP)
        env = isolated_environment(work / "home")
        recall = recall_command(db, decks)
        minimal = [sys.executable, str(minimal_app)]
        first_frame, loaded = b"Due today", f"{args.cards} cards".encode()
        # Warm-up: the OS caches and .pyc files, and recall's first sync of the deck files.
        time_until(recall, [first_frame, loaded], env)
        time_until(minimal, [b"minimal app ready"], env)
        recall_first, recall_loaded, minimal_first = [], [], []
        for _ in range(args.runs):
            first, with_data = time_until(recall, [first_frame, loaded], env)
            recall_first.append(first)
            recall_loaded.append(with_data)
            minimal_first.extend(time_until(minimal, [b"minimal app ready"], env))
    ratio = statistics.median(recall_first) / statistics.median(minimal_first)
    print(f"{args.cards} cards, {args.reviews} reviews; {args.runs} launches each, {SIZE[1]}x{SIZE[0]} pty, "
          f"Python {sys.version.split()[0]}")
    print(summary("minimal Textual app, first frame", minimal_first))
    print(summary("recall, first dashboard frame", recall_first))
    print(summary("recall, dashboard with its numbers", recall_loaded))
    verdict = "within" if ratio <= GOAL_RATIO else "OVER"
    print(f"ratio of the first frames: {ratio:.2f} ({verdict} the {GOAL_RATIO}x goal)")


if __name__ == "__main__":
    main()
