"""`recall export` and `recall import` on the command line: options wired to the export and import code."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from recall.cli import cli
from recall.export import EXPORT_COLUMNS, FORMATS

DATA = Path(__file__).parent / "data"


@pytest.fixture
def recall(tmp_path: Path, small_deck: Path):
    """Runs recall on a database with two recorded reviews of the small deck."""

    def run(*args: str):
        return CliRunner().invoke(cli, ["--db", str(tmp_path / "r.db"), "--cards", str(small_deck), *args])

    for card_id, answer in (("nn.saturation", "=cmd|' /C calc'!A0"), ("nn.softmax", "exp over sum\nof exps")):
        assert run("explain", card_id, "--answer", answer, "--record", "--quality", "3").exit_code == 0
    return run


def test_csv_to_stdout_has_the_exact_header_and_neutralised_cells(recall):
    result = recall("export")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert [row[1] for row in rows[1:]] == ["nn.saturation", "nn.softmax"]
    assert rows[1][EXPORT_COLUMNS.index("answer")] == "'=cmd|' /C calc'!A0"


def test_json_file_with_filters_round_trips_the_text(recall, tmp_path):
    output = tmp_path / "out.json"
    result = recall("export", "--format", "json", "--output", str(output), "--card", "nn.softmax")
    assert result.exit_code == 0, result.output
    [review] = json.loads(output.read_text(encoding="utf-8"))
    assert review["answer"] == "exp over sum\nof exps" and list(review) == list(EXPORT_COLUMNS)
    assert "exported 1 review(s)" in result.stderr


@pytest.mark.parametrize("args, message", [
    (("--format", "anki"), "needs an output file"),
    (("--card", "nn.saturaton"), "did you mean nn.saturation"),
    (("--since", "2026-02-30"), "--since"),
])
def test_export_errors_are_one_line(recall, args, message):
    result = recall("export", *args)
    assert result.exit_code != 0
    [line] = result.stderr.strip().splitlines()
    assert message in line


def test_import_writes_a_deck_that_loads_and_refuses_to_overwrite(recall, tmp_path):
    target = tmp_path / "imported.toml"
    first = recall("import", str(DATA / "anki_notes_tab.txt"), "--output", str(target))
    assert first.exit_code == 0, first.output
    assert "skipped line" in first.stderr and "imported 3 card(s)" in first.stdout
    checked = CliRunner().invoke(cli, ["check", "--cards", str(target)])
    assert checked.exit_code == 0 and checked.stdout.startswith("OK: 3 cards")
    before = target.read_bytes()
    again = recall("import", str(DATA / "anki_notes_tab.txt"), "--output", str(target))
    assert again.exit_code == 1 and "already exists" in again.stderr and target.read_bytes() == before


def test_imported_decks_are_studied_by_default(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "r.db"), "import", str(DATA / "anki_notes_tab.txt")])
    assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(cli, ["--db", str(tmp_path / "r.db"), "cards", "--json"])
    decks = {card["deck"] for card in json.loads(listed.stdout)}
    assert len(decks) >= 2  # the bundled deck(s) and the imported one


def test_the_format_option_offers_exactly_the_export_formats():
    [option] = [p for p in cli.commands["export"].params if p.name == "fmt"]
    assert tuple(option.type.choices) == FORMATS
