"""What the CLI prints to a person is safe and fits: control characters from decks, imported notes or a
grader are made visible, lines fit 80 columns, and text that is not UTF-8 never breaks a command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from recall.cli import cli
from recall.cli.output import visible
from recall.store import Store

HOSTILE = "Why \x1b]0;pwned\x07\x1b[2J\x9b31m saturate?"  # retitles the window, clears the screen, CSI


@pytest.fixture
def hostile(tmp_path, write_deck):
    deck = write_deck("hostile.toml", {"id": "evil.card", "prompt": HOSTILE, "answer": f"An answer. {HOSTILE}"},
                      {"id": "long.card", "prompt": "Explain " + "a very long prompt " * 20}, deck=f"Deck {HOSTILE}")
    config = tmp_path / "config.toml"
    config.touch()

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(cli, ["--db", str(tmp_path / "r.db"), "--cards", str(deck), "--config",
                                        str(config), *args], input=input, prog_name="recall")
    return run


def test_control_characters_are_shown_not_obeyed():
    assert visible("a\x1b[2Jb\x07\r\x7f\x9b") == "a\u241b[2Jb\u2407\u240d\u2421\\x9b"
    assert visible("line one\n\tindented") == "line one\n\tindented"


@pytest.mark.parametrize("command", [("due",), ("cards",), ("stats",),
                                     ("explain", "evil.card", "--answer", "saturation means a flat sigmoid")])
def test_no_escape_sequence_from_a_deck_reaches_the_terminal(hostile, command):
    result = hostile(*command)
    assert result.exit_code == 0, result.output
    assert not any(character in result.output for character in "\x1b\x07\x9b")
    assert "\u241b]0;pwned" in result.output


def test_json_output_keeps_the_text_exact(hostile):
    listed = json.loads(hostile("cards", "--json").stdout)
    assert listed[0]["prompt"] == HOSTILE


@pytest.mark.parametrize("command", [("due",), ("cards",), ("stats",)])
def test_every_printed_line_fits_80_columns(hostile, command):
    result = hostile(*command)
    assert result.exit_code == 0
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_a_wider_terminal_gets_more_of_the_prompt(hostile, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    widest = max(len(line) for line in hostile("due").stdout.splitlines())
    assert 80 < widest <= 160


def recall_bytes(tmp_path: Path, deck: Path, *args: bytes, stdin: bytes = b"") -> subprocess.CompletedProcess:
    """A real process, so arguments and stdin arrive as bytes the way a shell passes them."""
    config = tmp_path / "config.toml"
    config.touch()
    command = [sys.executable, "-m", "recall", "--db", str(tmp_path / "r.db"), "--cards", str(deck),
               "--config", str(config), *args]
    return subprocess.run(command, input=stdin, capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_an_answer_that_is_not_utf8_is_recorded_with_replacement_characters(tmp_path, small_deck):
    result = recall_bytes(tmp_path, small_deck, b"explain", b"nn.saturation", b"--record", b"--quality", b"3",
                          b"--answer", b"flat tails \xff\xfe of the sigmoid")
    assert result.returncode == 0, result.stderr
    with Store(tmp_path / "r.db") as store:
        assert store.reviews_for_card("nn.saturation")[0]["answer"] == "flat tails \ufffd\ufffd of the sigmoid"


def test_stdin_that_is_not_utf8_is_read_with_replacement_characters(tmp_path, small_deck):
    result = recall_bytes(tmp_path, small_deck, b"explain", b"nn.softmax", b"--json",
                          stdin=b"exponentials \xc3\x28 over their sum, a distribution")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["card_id"] == "nn.softmax"


@pytest.mark.parametrize("args", [(b"explain", b"nn.\xffbad", b"--answer", b"x"),
                                  (b"export", b"--card", b"nn.\xffbad"), (b"demo", b"\xff")])
def test_a_card_id_or_name_that_is_not_utf8_is_one_sentence(tmp_path, small_deck, args):
    result = recall_bytes(tmp_path, small_deck, *args)
    stderr = result.stderr.decode()
    assert result.returncode == 1 and stderr.startswith("recall: error: ") and "\ufffd" in stderr
    assert "Traceback" not in stderr and stderr.count("\n") == 1


def test_a_deck_name_that_is_not_utf8_exports_nothing_without_an_error(tmp_path, small_deck):
    result = recall_bytes(tmp_path, small_deck, b"export", b"--deck", b"Sm\xffall")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith("review_id,")


def test_an_empty_cards_flag_is_one_sentence_not_every_toml_here(tmp_path, small_deck, monkeypatch):
    monkeypatch.chdir(small_deck.parent)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "r.db"), "--cards", "", "due"], prog_name="recall")
    assert result.exit_code == 1 and "an empty deck path" in result.stderr
    assert not (tmp_path / "r.db").exists()


def run_at_a_terminal(tmp_path: Path, deck: Path, *args: str, columns: int = 80) -> list[str]:
    """recall with its stderr on a pseudo-terminal `columns` wide: the lines a person sees."""
    import pty

    config = tmp_path / "config.toml"
    config.touch()
    controller, terminal = pty.openpty()
    try:
        subprocess.run([sys.executable, "-m", "recall", "--db", str(tmp_path / "r.db"), "--cards", str(deck),
                        "--config", str(config), *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=terminal, timeout=120, env={**os.environ, "COLUMNS": str(columns)})
        os.close(terminal)
        seen = b""
        while chunk := _read_or_nothing(controller):
            seen += chunk
    finally:
        os.close(controller)
    return seen.decode("utf-8").splitlines()


def _read_or_nothing(descriptor: int) -> bytes:
    try:
        return os.read(descriptor, 65536)
    except OSError:  # the terminal side is closed: everything has been read
        return b""


def test_an_error_at_a_terminal_wraps_to_its_width_and_keeps_names_whole(tmp_path, write_deck):
    names = [f"Deck number {number} about gradients" for number in range(8)]
    for number, name in enumerate(names):
        decks = write_deck(f"d{number}.toml", f"d{number}.card", deck=name).parent
    lines = run_at_a_terminal(tmp_path, decks, "due", "--deck", "nope")
    assert lines[0].startswith("recall: error: no deck named 'nope'") and len(lines) > 2
    assert all(len(line) <= 80 for line in lines)
    assert all(line.startswith(" " * len("recall: ")) for line in lines[1:])
    assert " ".join(" ".join(lines).split()).endswith(", ".join(sorted(names)))


def test_a_redirected_error_stays_one_line_for_logs_and_scripts(tmp_path, small_deck):
    result = recall_bytes(tmp_path, small_deck, b"due", b"--tag", b"no-such-tag-" + b"x" * 80)
    assert result.returncode != 0 and result.stderr.decode().count("\n") == 1
