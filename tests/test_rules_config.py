"""Rules of the settings (recall/config.py), one test each, found by mutation testing (bench/mutation.py
config): where the bundled and the imported decks are found, and the whole sentence of each config-file
error (what is wrong and the way on)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import recall.config
from recall.config import ConfigError, bundled_cards_dir, default_card_paths, load_settings, user_decks_dir


def test_the_bundled_deck_is_inside_the_package_when_installed_and_beside_it_in_a_checkout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = Path(recall.config.__file__).resolve().parent.parent
    assert bundled_cards_dir() == checkout / "cards" and any((checkout / "cards").glob("*.toml"))
    package = tmp_path / "site-packages" / "recall"
    package.mkdir(parents=True)
    monkeypatch.setattr(recall.config, "__file__", str(package / "config.py"))
    assert bundled_cards_dir() == package / "bundled_cards"  # neither there: where a wheel puts it
    (tmp_path / "site-packages" / "cards").mkdir()
    assert bundled_cards_dir() == tmp_path / "site-packages" / "cards"
    (package / "bundled_cards").mkdir()
    assert bundled_cards_dir() == package / "bundled_cards"  # the installed copy wins


def test_imported_decks_live_in_the_user_data_dir_and_load_by_default_once_there(isolated_env: Path) -> None:
    """conftest points XDG_DATA_HOME at <tmp home>/.local/share."""
    decks = isolated_env / ".local" / "share" / "recall" / "decks"
    assert user_decks_dir() == decks
    assert default_card_paths() == (bundled_cards_dir(),)
    decks.mkdir(parents=True)
    assert default_card_paths() == (bundled_cards_dir(), decks)
    assert load_settings({}, {}).card_paths == (bundled_cards_dir(), decks)


@pytest.mark.parametrize(("text", "sentence"), [
    ('api_key = "sk-secret"\n',
     "do not put the API key in the config file; set ANTHROPIC_API_KEY in the environment instead"),
    ("colour = 'red'\n",
     "unknown setting `colour` (known: db, cards, grader, model, new_per_day, day_starts_at, max_tokens, timeout, "
     "theme, base_url, keep_daily_backups, keep_weekly_backups, scheduler, desired_retention, leech_lapses, "
     "decks, demo_paths)"),
    ("cards = []\n",
     "`cards` is empty; list at least one deck file or directory, or remove the setting to use the bundled deck"),
    ("[decks]\nCalculus = 3\n", '`decks.Calculus` must be a table ([decks."Calculus"])'),
    ("[decks.Calculus]\nnew_per_week = 3\n", 'unknown deck setting `new_per_week` in [decks."Calculus"] '
                                             "(known: new_per_day)"),
    ("[decks.Calculus]\nnew_per_day = 10001\n",
     '`new_per_day` of [decks."Calculus"] must be a whole number from 0 to 10000, not 10001'),
    ("[decks.Calculus]\nnew_per_day = true\n",
     '`new_per_day` of [decks."Calculus"] must be a whole number from 0 to 10000, not True'),
])
def test_a_config_file_error_names_the_file_and_says_what_to_do(tmp_path: Path, text: str, sentence: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings({"config": str(path)}, {})
    assert str(caught.value) == f"{path}: {sentence}"
    assert "sk-secret" not in str(caught.value)


def test_the_config_file_is_read_as_utf_8_whatever_the_locale(tmp_path: Path) -> None:
    """TOML is UTF-8. Under an ASCII locale (C, with neither UTF-8 mode nor locale coercion), reading it
    with the locale's encoding would refuse a model name with an accent."""
    path = tmp_path / "config.toml"
    path.write_text('model = "modèle-ü"\n', encoding="utf-8")
    assert load_settings({"config": str(path)}, {}).model == "modèle-ü"  # here, and under an ASCII locale:
    code = ("import sys; from recall.config import load_settings; "
            "print(ascii(load_settings({'config': sys.argv[1]}, {}).model))")
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
           "PYTHONIOENCODING": "ascii"}
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env,
                            timeout=60)
    assert (result.returncode, result.stdout.strip()) == (0, ascii("modèle-ü")), result.stderr


def test_a_deck_table_sets_that_decks_new_cards_a_day_and_a_table_without_it_sets_nothing(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[decks."Neural nets"]\nnew_per_day = 2\n\n[decks.Calculus]\n', encoding="utf-8")
    assert load_settings({"config": str(path)}, {}).deck_new_per_day == {"Neural nets": 2}


def test_demo_paths_from_the_config_file_are_paths_with_the_tilde_expanded(tmp_path: Path, isolated_env: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'demo_paths = ["~/study/demos", "{tmp_path / "more"}"]\n', encoding="utf-8")
    assert load_settings({"config": str(path)}, {}).demo_paths == (isolated_env / "study" / "demos", tmp_path / "more")


def test_an_unknown_scheduler_is_refused_naming_the_choices() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"scheduler": "anki"}, {})
    assert str(caught.value) == "scheduler must be one of sm2, fsrs, not 'anki'"
