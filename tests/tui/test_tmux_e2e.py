"""The real `recall` in a real terminal (tmux): type an explanation, submit it with ctrl+j, grade it; and
hand the terminal to $EDITOR and back. Offline grading (no API key in the environment)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from recall.store import Store

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

WAIT_S = 60.0  # a ceiling, for a loaded machine: every wait ends as soon as the screen shows what it waits for
EXPLANATION = ("When the weighted input z is large the sigmoid is flat, so its derivative is tiny and the "
               "weight updates are tiny: the neuron learns slowly.")


class Terminal:
    """A private tmux server running one command in a fixed-size window."""

    def __init__(self, name: str, command: list[str], width: int = 100, height: int = 30) -> None:
        self.name = name
        # The pane's shell can export COLUMNS/LINES of 80x24, which Textual would prefer to the pane's size.
        self._tmux("-f", "/dev/null", "new-session", "-d", "-s", "recall", "-x", str(width), "-y", str(height),
                   "-e", "TEXTUAL_ANIMATIONS=none", shlex.join(["env", "-u", "COLUMNS", "-u", "LINES", *command]))

    def _tmux(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.name, *arguments], capture_output=True, text=True, timeout=10)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", "recall", "-l", text)

    def press(self, *keys: str) -> None:
        """Send keys. After an Escape, wait for the screen to show its effect before the next key, or the
        two would be read as one escape sequence (alt+key)."""
        for key in keys:
            self._tmux("send-keys", "-t", "recall", key)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "recall").stdout

    def wait_for(self, text: str, timeout: float = WAIT_S) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} did not appear within {timeout} s; the screen:\n{self.screen()}")

    def wait_for_exit(self, timeout: float = WAIT_S) -> None:
        deadline = time.monotonic() + timeout
        while self._tmux("has-session", "-t", "recall").returncode == 0:
            if time.monotonic() > deadline:
                raise AssertionError(f"recall did not exit; the screen:\n{self.screen()}")
            time.sleep(0.05)

    def close(self) -> None:
        self._tmux("kill-server")  # this test's own server only: its name is unique


def server_name() -> str:
    """Unique to this process and this terminal, so that two copies of the suite never share a server
    (nor kill each other's)."""
    return f"recall-test-{os.getpid()}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def terminal():
    """Starts `recall ARGS...` in tmux; the server is killed afterwards whatever happened."""
    opened: list[Terminal] = []

    def start(*arguments: str) -> Terminal:
        opened.append(Terminal(server_name(), [sys.executable, "-m", "recall", *arguments]))
        return opened[-1]

    yield start
    for each in opened:
        each.close()


def test_type_an_explanation_submit_it_with_ctrl_j_and_grade_it(terminal, tmp_path, small_deck):
    db = tmp_path / "recall.db"
    term = terminal("study", "--db", str(db), "--cards", str(small_deck))
    term.wait_for("Card 1 of 3")
    term.wait_for("esc: leave the box")  # the hint shows once the card is ready
    term.type(EXPLANATION)
    term.wait_for("weight updates are tiny")
    term.press("C-j")
    term.wait_for("suggested 5")
    term.wait_for("Offline check")  # the feedback Markdown renders a moment after the grade bar
    term.press("Enter")
    term.wait_for("Card 2 of 3")
    term.press("C-q")
    term.wait_for_exit()
    with Store(db) as store:
        [review] = store.reviews_for_card("nn.saturation")
    assert (review["quality"], review["suggested_quality"], review["grader"]) == (5, 5, "offline")
    assert review["answer"] == EXPLANATION


EDITOR_SCRIPT = """\
import sys
from pathlib import Path
deck = Path(sys.argv[1])
deck.write_text(deck.read_text().replace("What is a saturated sigmoid neuron?", "What is saturation? (edited)"))
"""


def test_e_hands_the_terminal_to_the_editor_and_reloads_the_deck(terminal, tmp_path, small_deck, monkeypatch):
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR_SCRIPT)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    term = terminal("study", "--db", str(tmp_path / "recall.db"), "--cards", str(small_deck))
    term.wait_for("esc: leave the box")  # the hint shows once the card is ready
    term.press("Escape")
    term.wait_for("esc Back")  # out of the box; a quick "e" after esc would read as alt+e
    term.press("e")
    term.wait_for("What is saturation? (edited)")
    assert "What is saturation? (edited)" in small_deck.read_text()
    term.press("C-q")
    term.wait_for_exit()
