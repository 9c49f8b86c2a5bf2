"""`recall import`: Anki's "Notes in Plain Text" export becomes a TOML deck that recall loads as it is."""

from __future__ import annotations

import csv
import os
import threading
from pathlib import Path

import pytest

from recall.deck import CARD_ID_PATTERN, Card, parse_deck
from recall.importer import AnkiImportError, ImportResult, html_to_text, import_anki_notes

DATA = Path(__file__).parent / "data"


def load(result: ImportResult, tmp_path: Path) -> list[Card]:
    """The deck as recall reads it; any problem (warnings included) fails the test."""
    path = tmp_path / "imported.toml"
    path.write_text(result.toml_text, encoding="utf-8")
    cards, problems = parse_deck(path)
    assert problems == []
    assert len(cards) == result.cards
    return cards


def test_a_modern_tab_export_with_every_column_header(tmp_path: Path) -> None:
    result = import_anki_notes(DATA / "anki_notes_tab.txt")
    perceptron, sigmoid, cost = load(result, tmp_path)
    assert {card.deck for card in (perceptron, sigmoid, cost)} == {"Nielsen::Chapter 1"}
    assert perceptron.prompt == "What is a **perceptron**?"
    assert perceptron.answer == "A unit that outputs 1 when w·x + b > 0,\nand 0 otherwise."
    assert perceptron.key_points == ("A unit that outputs 1 when w·x + b > 0, and 0 otherwise.",)
    assert perceptron.tags == ("ch1", "basics")
    assert sigmoid.answer == ("- small changes in weights give small changes in output\n"
                              "- so learning by gradient descent works")
    assert sigmoid.key_points == ("small changes in weights give small changes in output",
                                  "so learning by gradient descent works")
    assert cost.prompt == 'Name the cost:\nquadratic or "cross-entropy"?'  # a quoted field over two lines
    assert cost.answer == "Quadratic cost C = ½ ||y - a||²"
    assert result.skipped == [
        (11, "cloze note: recall cards need a prompt and a separate answer"),
        (12, "empty back field: there is nothing to check an explanation against"),
        (13, "duplicate of the note on line 7"),
        (14, "empty front field (images and sounds are not imported)"),
    ]


def test_ids_are_stable_and_valid(tmp_path: Path) -> None:
    first = import_anki_notes(DATA / "anki_notes_tab.txt")
    again = import_anki_notes(DATA / "anki_notes_tab.txt")
    assert first.toml_text == again.toml_text
    ids = [card.id for card in load(first, tmp_path)]
    assert all(CARD_ID_PATTERN.fullmatch(card_id) for card_id in ids)
    assert all(card_id.startswith("nielsen-chapter-1.") for card_id in ids)
    renamed = load(import_anki_notes(DATA / "anki_notes_tab.txt", deck_name="Perceptrons"), tmp_path)
    assert [card.id.split(".")[1] for card in renamed] == [card_id.split(".")[1] for card_id in ids]
    assert {card.deck for card in renamed} == {"Perceptrons"}


def test_a_comma_file_without_headers(tmp_path: Path) -> None:
    """A BOM, CRLF line ends, a blank line, a quoted field holding a comma and a line break, a third column
    of tags (Anki's own assumption for Basic notes), and a line with one field."""
    result = import_anki_notes(DATA / "anki_notes_plain.csv")
    backprop, rate = load(result, tmp_path)
    assert result.deck == "anki_notes_plain"
    assert backprop.answer == ("An algorithm that computes the gradient of the cost,\n"
                               "layer by layer from the output back.")
    assert backprop.tags == ("ch2",)
    assert rate.tags == ("ch2", "hyper")
    assert result.skipped == [(5, "only one field: a card needs a front and a back")]


def test_named_columns_global_tags_and_plain_text(tmp_path: Path) -> None:
    result = import_anki_notes(DATA / "anki_notes_semicolon.txt")
    relu, literal = load(result, tmp_path)
    assert result.deck == "Deep Learning"
    assert (relu.prompt, relu.answer) == ("What is ReLU?", "An activation function")  # #columns:Back;Front
    assert relu.tags == ("imported", "nielsen", "ch3")
    assert (literal.prompt, literal.answer) == ("What does <b> mean here?", "x <b> y: literally")  # #html:false
    assert result.skipped == [(6, "header '#if matches' is not used by recall (ignored)")]


@pytest.mark.parametrize(("header", "line"), [
    ("#separator:pipe", "front one|back one"),
    ("#separator:comma", "front one,back one"),
    ("#separator:space", '"front one" "back one"'),
    ("#separator:Tab", "front one\tback one"),
])
def test_separator_headers(tmp_path: Path, header: str, line: str) -> None:
    source = tmp_path / "notes.txt"
    source.write_text(f"{header}\n{line}\n", encoding="utf-8")
    (card,) = load(import_anki_notes(source), tmp_path)
    assert (card.prompt, card.answer) == ("front one", "back one")


@pytest.mark.parametrize("first_note", ["#define PI 3.14\tA macro for pi", "#1 rule?\tThe chain rule",
                                        "# Python comment\tStarts with a hash", "#tag\tA label"])
def test_a_note_whose_front_starts_with_a_hash_is_a_note_not_a_header(tmp_path: Path, first_note: str) -> None:
    source = tmp_path / "notes.txt"
    for text in (f"{first_note}\nSecond\tAnother\n", f"#separator:tab\n#html:false\n{first_note}\nSecond\tAnother\n"):
        source.write_text(text, encoding="utf-8")
        result = import_anki_notes(source)
        first, second = load(result, tmp_path)
        assert (first.prompt, first.answer) == tuple(first_note.split("\t"))
        assert (second.prompt, result.skipped) == ("Second", [])


@pytest.mark.parametrize("header", ["#separator:tab", "#html:true", "#tags:a b", "#columns:Front\tBack", "#deck:D",
                                    "#notetype:Basic", "#guid column:3", "#Deck Column:4", "#match scope:deck",
                                    "#if matches:update current", "#sort field column:5"])
def test_only_ankis_header_keys_are_headers(tmp_path: Path, header: str) -> None:
    source = tmp_path / "notes.txt"
    source.write_text(f"{header}\n#1 rule?\tThe chain rule\n", encoding="utf-8")
    result = import_anki_notes(source)
    assert [card.prompt for card in load(result, tmp_path)] == ["#1 rule?"]
    assert all(line == 1 for line, _reason in result.skipped)


def test_a_hash_line_that_is_not_a_note_is_reported_not_dropped(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("# my notes on C\n#define PI 3.14\tA macro for pi\n", encoding="utf-8")
    result = import_anki_notes(source)
    assert [card.prompt for card in load(result, tmp_path)] == ["#define PI 3.14"]
    assert result.skipped == [(1, "only one field: a card needs a front and a back")]


def test_a_field_over_128_kib_is_imported_and_the_csv_limit_left_as_it_was(tmp_path: Path) -> None:
    limit_before = csv.field_size_limit()
    long_back = "A sentence about gradients. " * 10_000  # 280 KB, well over csv's 128 KiB default
    source = tmp_path / "notes.txt"
    source.write_text(f'Long one\t"{long_back}"\nShort one\tA short back.\n', encoding="utf-8")
    result = import_anki_notes(source)
    assert result.skipped == [] and result.cards == 2
    assert len(result.toml_text) > len(long_back)
    assert csv.field_size_limit() == limit_before


def test_html_is_detected_per_field_when_the_file_does_not_say(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("a < b and b > c\tfirst<br>second &amp; third\n", encoding="utf-8")
    (card,) = load(import_anki_notes(source), tmp_path)
    assert card.prompt == "a < b and b > c"
    assert card.answer == "first\nsecond & third"


def test_key_points_are_list_items_or_sentences_at_most_eight(tmp_path: Path) -> None:
    sentences = " ".join(f"Fact number {n} holds." for n in range(1, 11))
    source = tmp_path / "notes.txt"
    source.write_text(f"Many facts\t{sentences}\n", encoding="utf-8")
    (card,) = load(import_anki_notes(source), tmp_path)
    assert card.key_points == tuple(f"Fact number {n} holds." for n in range(1, 9))
    assert card.answer == sentences


@pytest.mark.parametrize(("markup", "text"), [
    ("one<br>two<br/>three", "one\ntwo\nthree"),
    ("<div>para one</div><div>para two</div>", "para one\npara two"),  # Anki's editor: a <div> a line
    ("<div>above</div><div><br></div><div>below</div>", "above\n\nbelow"),
    ("<p>first</p><p>second</p>", "first\n\nsecond"),
    ("<b>bold</b>, <i>italic</i>, <code>x = 1</code>", "**bold**, *italic*, `x = 1`"),
    ("<ol><li>a</li><li>b</li></ol>", "- a\n- b"),
    ("&lt;tag&gt; &amp; &quot;q&quot; &#963; &#x3c3;&nbsp;!", '<tag> & "q" σ σ !'),
    ('<img src="x.png"><style>.card {}</style><span style="color:red">kept</span>', "kept"),
])
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def test_nothing_importable_gives_an_empty_deck_and_the_reasons(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("#notetype:Cloze\nThe {{c1::answer}}\textra\n", encoding="utf-8")
    result = import_anki_notes(source)
    assert (result.toml_text, result.cards) == ("", 0)
    assert result.skipped == [(2, "cloze note: recall cards need a prompt and a separate answer")]


def test_unreadable_files_are_one_sentence_errors(tmp_path: Path) -> None:
    with pytest.raises(AnkiImportError, match="does not exist"):
        import_anki_notes(tmp_path / "missing.txt")
    with pytest.raises(AnkiImportError, match="is a directory"):
        import_anki_notes(tmp_path)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9\tcoffee\n".encode("latin-1"))
    with pytest.raises(AnkiImportError, match="not UTF-8 text"):
        import_anki_notes(latin1)


def test_a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "notes.txt"
    os.mkfifo(fifo)
    outcome: list[BaseException | ImportResult] = []

    def import_it() -> None:
        try:
            outcome.append(import_anki_notes(fifo))
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=import_it, daemon=True)
    worker.start()
    worker.join(timeout=30)
    if worker.is_alive():  # a regression: release the blocked open() so the test fails instead of hanging
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=30)
        pytest.fail("importing a FIFO blocked waiting for a writer")
    [error] = outcome
    assert isinstance(error, AnkiImportError)
    assert str(error) == f"{fifo} is not a regular file (a pipe or a device); give the exported .txt file"


def test_a_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AnkiImportError, match="/dev/null is not a regular file"):
        import_anki_notes(Path("/dev/null"))
