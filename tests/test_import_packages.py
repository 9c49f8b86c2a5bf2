"""`recall import FILE.apkg|.colpkg` (issue 15, section 5): Anki's own packages read through the `anki`
package, with the rules of the plain-text import; one sentence when it is not installed."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import genanki
import pytest
from click.testing import CliRunner

from recall.cli import cli
from recall.importer import AnkiImportError, import_anki_package

BASIC = genanki.Model(1607392319, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
                      templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])
CLOZE = genanki.Model(998877661, "Cloze", fields=[{"name": "Text"}, {"name": "Extra"}],
                      templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}"}],
                      model_type=genanki.Model.CLOZE)


def write_apkg(path: Path) -> Path:
    deck = genanki.Deck(2059400110, "Neural nets")
    deck.add_note(genanki.Note(BASIC, ["What is a <b>sigmoid</b>?", "<ul><li>smooth</li><li>0 to 1</li></ul>"],
                               tags=["ch1"], guid="guid-one"))
    deck.add_note(genanki.Note(BASIC, ["What is softmax?", "Exponentials divided by their sum."], guid="guid-two"))
    deck.add_note(genanki.Note(CLOZE, ["{{c1::Backprop}} computes gradients", ""], guid="guid-three"))
    genanki.Package(deck).write_to_file(str(path))
    return path


def test_an_apkg_becomes_a_deck_with_the_plain_text_rules(tmp_path: Path):
    result = import_anki_package(write_apkg(tmp_path / "nets.apkg"))
    deck = tomllib.loads(result.toml_text)
    assert (deck["deck"], result.cards) == ("Neural nets", 2)
    first, second = deck["card"]
    assert first["prompt"] == "What is a **sigmoid**?" and first["key_points"] == ["smooth", "0 to 1"]
    assert first["tags"] == ["ch1"] and first["id"].startswith("neural-nets.")
    assert second["answer"] == "Exponentials divided by their sum."
    assert result.skipped == [(3, "cloze note: recall cards need a prompt and a separate answer")]
    assert import_anki_package(tmp_path / "nets.apkg").toml_text == result.toml_text  # same ids again


def test_a_colpkg_is_read_too(tmp_path: Path):
    from anki.collection import Collection

    (tmp_path / "source").mkdir()
    collection = Collection(str(tmp_path / "source" / "collection.anki2"))
    note = collection.new_note(collection.models.by_name("Basic"))
    note.fields[0], note.fields[1] = "What is overfitting?", "Memorising the training set."
    collection.add_note(note, collection.decks.id("Default"))
    collection.export_collection_package(str(tmp_path / "all.colpkg"), include_media=False, legacy=True)
    collection.close()
    result = import_anki_package(tmp_path / "all.colpkg", "Mine")
    deck = tomllib.loads(result.toml_text)
    assert deck["deck"] == "Mine"
    assert [card["prompt"] for card in deck["card"]] == ["What is overfitting?"]


def test_recall_import_writes_the_deck(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text("")
    output = tmp_path / "nets.toml"
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "r.db"), "--config", str(config), "import",
                                      str(write_apkg(tmp_path / "nets.apkg")), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "imported 2 card(s)" in result.stdout and "skipped note 3: cloze note" in result.stderr
    assert tomllib.loads(output.read_text())["deck"] == "Neural nets"


def test_not_a_package_is_one_sentence(tmp_path: Path):
    bad = tmp_path / "bad.apkg"
    bad.write_text("not a zip")
    with pytest.raises(AnkiImportError, match="is not an Anki package Anki can read"):
        import_anki_package(bad)


def test_without_the_anki_package_one_clear_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "anki.collection", None)  # as if it were not installed
    with pytest.raises(AnkiImportError) as caught:
        import_anki_package(write_apkg(tmp_path / "nets.apkg"))
    assert str(caught.value) == ('reading nets.apkg needs the anki package: pip install "recall[anki]" (or export '
                                 "the notes from Anki as Notes in Plain Text)")


def test_a_package_note_with_one_field_is_skipped_and_a_one_field_cloze_is_skipped_as_a_cloze(tmp_path: Path):
    front_only = genanki.Model(1607392320, "Front only", fields=[{"name": "Front"}],
                               templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Front}}"}])
    cloze_only = genanki.Model(998877662, "Cloze one field", fields=[{"name": "Text"}],
                               templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}"}],
                               model_type=genanki.Model.CLOZE)
    deck = genanki.Deck(2059400111, "Odd notes")
    deck.add_note(genanki.Note(front_only, ["What is a perceptron?"], guid="guid-front"))
    deck.add_note(genanki.Note(cloze_only, ["{{c1::Backprop}} computes gradients"], guid="guid-cloze"))
    deck.add_note(genanki.Note(BASIC, ["What is softmax?", "Exponentials divided by their sum."], guid="guid-two"))
    genanki.Package(deck).write_to_file(str(tmp_path / "odd.apkg"))
    result = import_anki_package(tmp_path / "odd.apkg")
    assert result.cards == 1
    assert result.skipped == [(1, "only one field: a card needs a front and a back"),
                              (2, "cloze note: recall cards need a prompt and a separate answer")]


def test_a_package_cards_id_comes_from_its_notes_guid_so_an_edited_front_keeps_it(tmp_path: Path):
    ids = []
    for front in ("What is softmax?", "What does softmax compute?"):
        deck = genanki.Deck(2059400112, "Nets")
        deck.add_note(genanki.Note(BASIC, [front, "Exponentials divided by their sum."], guid="guid-two"))
        genanki.Package(deck).write_to_file(str(tmp_path / "nets.apkg"))
        ids.append(tomllib.loads(import_anki_package(tmp_path / "nets.apkg").toml_text)["card"][0]["id"])
    assert ids[0] == ids[1]
