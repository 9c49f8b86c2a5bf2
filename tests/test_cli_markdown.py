"""`recall explain` and `recall stats` (issue 15, section 3): Markdown rendered on a terminal, plain to a pipe,
and the offline check's notice said once."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from test_cli import SATURATION_ANSWER, recall  # noqa: F401 - the fixture


def test_the_offline_notice_is_said_once(recall):
    result = recall("explain", "nn.saturation", "--answer", SATURATION_ANSWER, "--grader", "offline")
    assert result.exit_code == 0, result.output
    assert result.output.count("Offline check: coverage of the key points") == 1
    assert result.stderr == ""
    assert "### Key points" in result.stdout  # a pipe gets the Markdown as it is


def test_on_a_terminal_the_feedback_is_rendered_and_fits_its_width(recall):
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "60", "LINES": "40", "NO_COLOR": "1"}
    command = [sys.executable, "-P", "-m", "recall", "--db", str(recall.db), "--cards", str(recall.deck),
               "--config", str(recall.config), "explain", "nn.saturation", "--answer", SATURATION_ANSWER,
               "--grader", "offline"]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed: the process is done
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=120) == 0
    text = output.decode()
    assert "### Key points" not in text and "Key points" in text  # the heading rendered, not its markup
    assert "Reference answer" in text
    whole_lines = [line for line in text.replace("\r", "").split("\n") if "\x1b" not in line]
    assert whole_lines and max(len(line.rstrip()) for line in whole_lines) <= 60


def test_no_color_keeps_colour_out_of_the_charts_on_a_terminal(monkeypatch):
    from recall.cli import markdown

    monkeypatch.setattr(markdown, "on_terminal", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not markdown.colour_wanted()
    monkeypatch.delenv("NO_COLOR")
    assert markdown.colour_wanted()
