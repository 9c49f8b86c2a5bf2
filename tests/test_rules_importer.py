"""Rules of the Anki importer (recall/importer.py), one test each, found by mutation testing
(bench/mutation.py importer): header lines, separators, columns, the deck's name and file name, stable ids,
HTML to text, and the one-sentence errors."""

from __future__ import annotations

import os
import signal
import tomllib
from pathlib import Path

import pytest

from recall.importer import AnkiImportError, ImportResult, html_to_text, import_anki_notes


def imported(tmp_path: Path, text: str, name: str = "notes.txt") -> ImportResult:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return import_anki_notes(path)


def cards(result: ImportResult) -> list[dict]:
    return tomllib.loads(result.toml_text).get("card", [])


def prompts_and_answers(result: ImportResult) -> list[tuple[str, str]]:
    return [(card["prompt"], card["answer"]) for card in cards(result)]


def test_the_deck_file_name_is_a_slug_of_at_most_32_characters_without_edge_dashes() -> None:
    assert ImportResult("", 0, deck="!" + "a" * 40).file_name == "a" * 32 + ".toml"
    assert ImportResult("", 0, deck="a" * 31 + " b").file_name == "a" * 31 + ".toml"  # cut at a dash
    assert ImportResult("", 0, deck="Deep Learning: Ch. 3").file_name == "deep-learning-ch-3.toml"
    assert ImportResult("", 0, deck="日本語").file_name == "anki.toml"  # nothing left: a name all the same


def test_card_ids_are_the_deck_slug_and_a_12_digit_hash_of_the_front_stable_across_versions(tmp_path: Path) -> None:
    """Reviews are keyed by card id: importing the same file again, with any later recall, must give the
    same ids, or the history of every imported card would be orphaned."""
    notes = "What is a perceptron?\tA unit with a step output.\nWhat is a sigmoid?\tA smooth step.\n"
    result = imported(tmp_path, notes, name="My Deck.txt")
    assert [card["id"] for card in cards(result)] == ["my-deck.6909db028942", "my-deck.5c97cb52ac59"]


def test_the_old_tags_first_line_tags_every_note_and_is_not_a_note(tmp_path: Path) -> None:
    result = imported(tmp_path, "tags:old style\nFront one\tBack one.\n")
    assert [(card["prompt"], card["tags"]) for card in cards(result)] == [("Front one", ["old", "style"])]
    assert result.skipped == []


def test_a_header_value_keeps_its_colons_and_its_last_letter(tmp_path: Path) -> None:
    result = imported(tmp_path, "#separator:tab\n#deck:Papers: LaTeX\nFront\tBack.\n")
    assert result.deck == "Papers: LaTeX"


@pytest.mark.parametrize(("header", "line"), [("#separator: \n", "Front Back"), ("#separator:|\n", "Front|Back"),
                                              ("#separator:;\r\n", "Front;Back")])
def test_a_one_character_separator_header_is_used_as_it_is(tmp_path: Path, header: str, line: str) -> None:
    assert prompts_and_answers(imported(tmp_path, header + line + "\n")) == [("Front", "Back")]


def test_an_unknown_separator_name_falls_back_to_guessing(tmp_path: Path) -> None:
    result = imported(tmp_path, "#separator:bogus\nFront\tBack\n")
    assert prompts_and_answers(result) == [("Front", "Back")]


def test_a_hash_line_with_a_colon_but_no_anki_key_is_a_note(tmp_path: Path) -> None:
    result = imported(tmp_path, "#1 rule: be kind\tBe kind to people.\n")
    assert prompts_and_answers(result) == [("#1 rule: be kind", "Be kind to people.")]
    assert result.skipped == []


def test_a_column_header_recall_does_not_know_is_reported_even_with_a_number(tmp_path: Path) -> None:
    result = imported(tmp_path, "#separator:tab\n#source column:3\nFront\tBack\n")
    assert result.skipped == [(2, "header '#source column' is not used by recall (ignored)")]
    assert prompts_and_answers(result) == [("Front", "Back")]


def test_html_true_converts_every_field_even_one_that_does_not_look_like_html(tmp_path: Path) -> None:
    result = imported(tmp_path, "#separator:tab\n#html:true\nIs 1 &lt 2?\tYes.\n")
    assert prompts_and_answers(result) == [("Is 1 < 2?", "Yes.")]


def test_a_cloze_notetype_header_leaves_every_note_out(tmp_path: Path) -> None:
    result = imported(tmp_path, "#separator:tab\n#notetype:Cloze\nThe capital of France\tParis\n")
    assert result.skipped == [(3, "cloze note: recall cards need a prompt and a separate answer")]


def test_a_tab_counts_only_within_the_first_8_kib_of_the_notes(tmp_path: Path) -> None:
    inside = "x" * 8191 + "\tBack\n"  # the tab is the 8192nd character
    assert imported(tmp_path, inside, "inside.txt").cards == 1
    first_line = "Front," + "a" * 5000 + "\n"
    beyond = first_line + "Second," + "b" * 4000 + "\tc\n"  # a tab, but past the first 8 KiB
    assert prompts_and_answers(imported(tmp_path, beyond, "beyond.txt"))[0] == ("Front", "a" * 5000)


def test_a_note_of_only_its_guid_is_left_out_as_one_field(tmp_path: Path) -> None:
    result = imported(tmp_path, "#separator:tab\n#guid column:1\nabc123\n")
    assert result.skipped == [(3, "only one field: a card needs a front and a back")]


def test_a_named_tags_column_is_read_wherever_it_is(tmp_path: Path) -> None:
    result = imported(tmp_path, "#separator:tab\n#columns:Tags\tFront\tBack\nmaths\tFront\tBack words\n")
    assert [(card["prompt"], card["tags"]) for card in cards(result)] == [("Front", ["maths"])]


def test_a_two_column_note_has_no_tags(tmp_path: Path) -> None:
    assert "tags" not in cards(imported(tmp_path, "Front\tBack words\n"))[0]


@pytest.mark.parametrize(("text", "deck"), [
    ("#separator:tab\n#deck column:1\nMaths\tFront\tBack\n", "Maths"),
    ("#separator:tab\n#deck column:3\nFront\tBack\tMaths\n", "Maths"),
    ("#separator:tab\nFront\tBack\tmaths\n", "notes"),  # no deck column: the file's stem, not the last column
])
def test_the_deck_column_names_the_deck_wherever_it_is(tmp_path: Path, text: str, deck: str) -> None:
    assert imported(tmp_path, text).deck == deck


def test_a_file_with_nothing_importable_still_names_its_deck(tmp_path: Path) -> None:
    result = imported(tmp_path, "only one field\n", name="biology.txt")
    assert (result.cards, result.deck, result.file_name) == (0, "biology", "biology.toml")


def test_a_multi_line_back_is_written_as_a_readable_multi_line_string(tmp_path: Path) -> None:
    result = imported(tmp_path, '#separator:tab\nFront\t"- one\n- two"\n')
    assert 'answer = """\n- one\n- two"""' in result.toml_text


def test_a_fifo_is_refused_without_blocking_the_calling_thread(tmp_path: Path) -> None:
    """In the calling thread (a worker thread would hide the call from mutation testing); an alarm ends a
    blocked open() so a regression fails instead of hanging."""
    fifo = tmp_path / "notes.txt"
    os.mkfifo(fifo)

    def blocked(_signal: int, _frame: object) -> None:
        raise TimeoutError("importing a FIFO blocked waiting for a writer")

    previous = signal.signal(signal.SIGALRM, blocked)
    signal.alarm(30)
    try:
        with pytest.raises(AnkiImportError) as refused:
            import_anki_notes(fifo)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert str(refused.value) == f"{fifo} is not a regular file (a pipe or a device); give the exported .txt file"


def test_an_unreadable_path_is_one_sentence_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / ("x" * 300)
    with pytest.raises(AnkiImportError) as error:
        import_anki_notes(path)
    assert str(error.value) == f"cannot read {path}: File name too long"


def test_a_file_that_is_not_utf8_says_how_to_export_it_again(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\xe9\tcoffee\n".encode("latin-1"))
    with pytest.raises(AnkiImportError) as error:
        import_anki_notes(path)
    assert str(error.value) == (f"{path} is not UTF-8 text (bad byte at offset 3); export it from Anki again as "
                                "Notes in Plain Text")


@pytest.mark.parametrize(("markup", "text"), [
    ("a<p>b</p>c", "a\nb\n\nc"),                  # a paragraph starts a line and ends with a blank one
    ("a  <br>b", "a\nb"),                          # trailing spaces go
    ("<p>a</p><br><br><br><br>b", "a\n\nb"),       # at most one blank line
    ("a</style><style>x</style>b", "ab"),          # a stray closing tag does not stop hiding the next style
])
def test_html_becomes_lines_without_trailing_spaces_or_runs_of_blank_lines(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def test_the_deck_file_says_where_it_was_imported_from_and_how(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("What is a perceptron?\tA unit that fires on a weighted sum.\n", encoding="utf-8")
    assert import_anki_notes(path).toml_text.splitlines()[0] == (
        "# Imported from notes.txt (Anki notes in plain text) by `recall import`.")
