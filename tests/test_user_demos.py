"""The learner's own demos: found in their demo folders, run with only that folder and installed packages on
the import path, checked by `recall check`; a deck can still never make recall run anything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from recall.cli import cli
from recall.demos import DemoError, demo_process, user_demos

DEMO = '''"""Attention scores: scaling by sqrt(d_k) keeps the softmax spread out."""
import sys


def run():
    return [p for p in sys.path if p]


def main():
    path = run()
    print("first on the path:", path[0])
    print("What this shows: scaled scores stay spread out.")


if __name__ == "__main__":
    main()
'''


@pytest.fixture
def demos(tmp_path: Path) -> Path:
    folder = tmp_path / "study" / "demos"
    folder.mkdir(parents=True)
    (folder / "attention_scores.py").write_text(DEMO)
    (folder / "half_done.py").write_text('"""Not finished."""\nprint("hi")\n')
    (folder / "_helpers.py").write_text("X = 1\n")
    (folder / "saturation.py").write_text("print('shadowing nn')\n")
    return folder


@pytest.fixture
def recall(tmp_path: Path, write_deck):
    def run(*args: str, cards: Path | None = None):
        deck = cards or write_deck("d.toml", {"id": "c.attention", "demo": "attention_scores"})
        return CliRunner().invoke(cli, ["--db", str(tmp_path / "r.db"), "--cards", str(deck), *args])

    return run


def test_a_folders_demos_are_its_plain_named_files_and_nn_keeps_its_names(demos):
    assert list(user_demos([demos])) == ["attention_scores", "half_done"]


def test_a_demo_runs_with_its_folder_first_and_not_the_working_directory(recall, demos, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = recall("demo", "c.attention", "--demo-path", str(demos))
    assert result.exit_code == 0, result.output
    assert f"first on the path: {demos.resolve()}" in result.stdout
    assert "What this shows: scaled scores stay spread out." in result.stdout


def test_demo_paths_in_the_config_file_are_read(recall, demos, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f"demo_paths = [{str(demos)!r}]\n".replace("'", '"'))
    result = recall("--config", str(config), "demo", "--list")
    assert result.exit_code == 0, result.output
    assert "attention_scores     c.attention" in result.stdout and "half_done" in result.stdout


def test_check_finds_a_missing_demo_and_a_demo_missing_its_contract(recall, demos, write_deck):
    deck = write_deck("e.toml", {"id": "c.a", "demo": "attention_scores"}, {"id": "c.b", "demo": "half_done"},
                      {"id": "c.c", "demo": "not_written_yet"})
    result = recall("check", "--demo-path", str(demos), cards=deck)
    assert result.exit_code == 1
    assert "card 3 (c.c): error: demo 'not_written_yet' is neither in nn/ nor in your demo folders" in result.stderr
    assert "card 2 (c.b): warning: demo 'half_done'" in result.stdout
    assert "lacks def run, def main, What this shows, __main__" in result.stdout
    assert "1 error(s), 1 warning(s)" in result.stderr


@pytest.mark.parametrize("spec", ["../attention_scores", "attention_scores.py", "os.path", "/tmp/x"])
def test_a_demo_name_cannot_leave_its_folder(demos, spec):
    with pytest.raises(DemoError, match="is not a demo"):
        demo_process(spec, [demos])


def test_a_learners_demo_takes_no_options_and_must_exist(demos):
    with pytest.raises(DemoError, match="is one of yours: a card cannot pass it options"):
        demo_process("attention_scores --eta 1", [demos])
    with pytest.raises(DemoError, match="neither in nn/ nor in your demo folders"):
        demo_process("attention_scores", [])
