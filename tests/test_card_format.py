"""A card's optional `core` and `misconceptions`: from the deck file through `recall check` and the deck
sync to the stored card and back."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from recall.cli import cli
from recall.deck import KNOWN_CARD_FIELDS
from recall.store import Store

POINTS = ["the derivative is tiny on the flat tails", "the update carries that derivative as a factor",
          "a neuron saturated at the wrong answer learns slowest"]


def marked(core: int | None = 2, misconceptions: list[str] | None = None) -> dict:
    card = {"id": "nn.saturation", "key_points": POINTS, "core": core,
            "misconceptions": misconceptions or ["a saturated neuron is already right"]}
    return {key: value for key, value in card.items() if value is not None}


def check(*paths: Path, tmp_path: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "check.db"), "--config", str(tmp_path / "none.toml"),
                                      *[option for path in paths for option in ("--cards", str(path))], "check"],
                                catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_both_fields_are_known_card_fields():
    assert {"core", "misconceptions"} <= KNOWN_CARD_FIELDS


def test_recall_check_passes_a_card_that_uses_both_fields(write_deck, tmp_path):
    (tmp_path / "none.toml").write_text("")
    assert check(write_deck("d.toml", marked(), "other.card"), tmp_path=tmp_path) == (
        0, "OK: 2 cards in 1 deck(s) from 1 file(s)\n", "")


def test_recall_check_names_file_and_card_for_each_bad_field(write_deck, tmp_path):
    (tmp_path / "none.toml").write_text("")
    path = write_deck("d.toml", marked(core=4), {**marked(), "id": "second", "misconceptions": []}, "fine")
    code, _out, err = check(path, tmp_path=tmp_path)
    assert code == 1
    assert err.splitlines()[:2] == [
        f"{path}: card 1 (nn.saturation): error: `core` is 4, but the card has 3 key points: use 1 to 3",
        f"{path}: card 2 (second): error: `misconceptions` is empty or has an empty entry (1 to 6 are allowed; "
        "leave the field out for none)",
    ]


def test_editing_either_field_in_a_deck_file_resyncs_the_card_and_keeps_its_history(write_deck, tmp_path):
    path = write_deck("d.toml", marked())
    with Store(tmp_path / "recall.db") as store:
        assert store.sync_decks([path]).report.added == 1
        assert (store.card("nn.saturation").core, store.card("nn.saturation").misconceptions) == (
            2, ("a saturated neuron is already right",))
        for edit, expected in ((marked(core=3), (3, ("a saturated neuron is already right",))),
                               (marked(core=3, misconceptions=["σ′ is exactly zero", "the bias saturates"]),
                                (3, ("σ′ is exactly zero", "the bias saturates"))),
                               (marked(core=None), (None, ("a saturated neuron is already right",)))):
            write_deck("d.toml", edit)
            synced = store.sync_decks([path])
            assert (synced.parsed_files, synced.report.updated, synced.problems) == (1, 1, [])
            row = store.card("nn.saturation")
            assert (row.core, row.misconceptions) == expected
            assert (row.to_card().core, row.to_card().misconceptions) == expected


def test_a_card_whose_core_goes_bad_is_left_out_and_retired_until_fixed(write_deck, tmp_path):
    path = write_deck("d.toml", marked(), "other.card")
    with Store(tmp_path / "recall.db") as store:
        store.sync_decks([path])
        write_deck("d.toml", marked(core=9), "other.card")
        synced = store.sync_decks([path])
        assert [problem.message for problem in synced.problems] == [
            "`core` is 9, but the card has 3 key points: use 1 to 3"]
        assert synced.report.retired == 1 and store.card("nn.saturation").retired
        write_deck("d.toml", marked(core=1), "other.card")
        assert store.sync_decks([path]).report.retired == 0  # (other.card moves back to second place)
        assert (store.card("nn.saturation").retired, store.card("nn.saturation").core) == (False, 1)
