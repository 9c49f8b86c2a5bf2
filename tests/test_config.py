"""Settings: flags > environment > config.toml > defaults, with platformdirs defaults and clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recall.config import DEFAULT_MODEL, DEFAULT_NEW_PER_DAY, ConfigError, Settings, bundled_cards_dir, load_settings


@pytest.fixture
def config_file(tmp_path: Path):
    """Write a config.toml and return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "config.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_defaults_live_under_the_platformdirs_dirs(isolated_env):
    settings = load_settings({}, {})
    assert settings.db_path == isolated_env / ".local/share/recall/recall.db"
    assert settings.config_path == isolated_env / ".config/recall/config.toml"
    assert settings.card_paths == (bundled_cards_dir(),)
    assert (settings.grader, settings.model, settings.new_per_day, settings.day_starts_at) == (
        "auto", DEFAULT_MODEL, DEFAULT_NEW_PER_DAY, 4)
    assert settings.api_key is None and not settings.has_api_key


def test_the_default_config_file_is_read_when_present(isolated_env):
    default = isolated_env / ".config/recall/config.toml"
    default.parent.mkdir(parents=True)
    default.write_text("new_per_day = 3\n")
    assert load_settings({}, {}).new_per_day == 3


# (config.toml line, environment, flags, attribute, expected value for each layer winning)
LAYERS = [
    ('db = "/from/config.db"', {"RECALL_DB": "/from/env.db"}, {"db": "/from/flag.db"}, "db_path",
     (Path("/from/config.db"), Path("/from/env.db"), Path("/from/flag.db"))),
    ('cards = ["/config/deck"]', {"RECALL_CARDS": "/env/deck"}, {"cards": ["/flag/deck"]}, "card_paths",
     ((Path("/config/deck"),), (Path("/env/deck"),), (Path("/flag/deck"),))),
    ('model = "config-model"', {"RECALL_MODEL": "env-model"}, {"model": "flag-model"}, "model",
     ("config-model", "env-model", "flag-model")),
    ('grader = "claude"', {"RECALL_GRADER": "offline"}, {"grader": "auto"}, "grader",
     ("claude", "offline", "auto")),
    ("new_per_day = 3", {"RECALL_NEW_PER_DAY": "4"}, {"new_per_day": 5}, "new_per_day", (3, 4, 5)),
    ("day_starts_at = 0", {"RECALL_DAY_STARTS_AT": "6"}, {"day_starts_at": 23}, "day_starts_at", (0, 6, 23)),
    ('base_url = "http://config"', {"ANTHROPIC_BASE_URL": "http://env"}, {"base_url": "http://flag"},
     "base_url", ("http://config", "http://env", "http://flag")),
]


@pytest.mark.parametrize(("config_line", "env", "flags", "attribute", "expected"), LAYERS,
                         ids=[layer[3] for layer in LAYERS])
def test_each_layer_overrides_the_one_below(config_file, config_line, env, flags, attribute, expected):
    config = {"config": str(config_file(config_line + "\n"))}
    from_config, from_env, from_flag = expected
    assert getattr(load_settings(config, {}), attribute) == from_config
    assert getattr(load_settings(config, env), attribute) == from_env
    assert getattr(load_settings({**config, **flags}, env), attribute) == from_flag


def test_flags_that_were_not_given_do_not_override(config_file):
    config = str(config_file("new_per_day = 3\n"))
    flags = {"config": config, "db": None, "cards": (), "model": None}
    settings = load_settings(flags, {"RECALL_DB": "/env.db"})
    assert (settings.new_per_day, settings.db_path, settings.card_paths) == (3, Path("/env.db"),
                                                                            (bundled_cards_dir(),))


def test_recall_config_names_the_config_file(config_file):
    path = config_file("new_per_day = 2\n")
    settings = load_settings({}, {"RECALL_CONFIG": str(path)})
    assert (settings.config_path, settings.new_per_day) == (path, 2)


def test_recall_cards_is_split_on_the_path_separator():
    env = {"RECALL_CARDS": os.pathsep.join(["/one", "", "/two/deck.toml", "/three"])}
    assert load_settings({}, env).card_paths == (Path("/one"), Path("/two/deck.toml"), Path("/three"))


def test_recall_cards_with_only_separators_is_ignored():
    assert load_settings({}, {"RECALL_CARDS": os.pathsep * 2}).card_paths == (bundled_cards_dir(),)


def test_a_tilde_in_a_path_means_home(isolated_env):
    settings = load_settings({"db": "~/study.db", "cards": ["~/decks"]}, {})
    assert (settings.db_path, settings.card_paths) == (isolated_env / "study.db", (isolated_env / "decks",))


def test_the_api_key_comes_from_the_environment_and_is_never_shown():
    settings = load_settings({}, {"ANTHROPIC_API_KEY": "sk-secret"})
    assert settings.has_api_key
    assert "sk-secret" not in repr(settings)


def test_an_api_key_in_the_config_file_is_refused(config_file):
    path = config_file('api_key = "sk-secret"\n')
    with pytest.raises(ConfigError, match="do not put the API key in the config file") as raised:
        load_settings({"config": str(path)}, {})
    assert "sk-secret" not in str(raised.value)


@pytest.mark.parametrize(("text", "message"), [
    ("new_per_day = \n", "cannot read config file .*config.toml: "),
    ("colour = 'red'\n", "unknown setting `colour`"),
    ("new_per_day = '5'\n", "`new_per_day` must be a whole number"),
    ("new_per_day = true\n", "`new_per_day` must be a whole number"),
    ("cards = '/one/path'\n", "`cards` must be a list of paths"),
    ("cards = [1, 2]\n", "`cards` must be a list of paths"),
    ("grader = 'gpt'\n", "grader must be one of auto, claude, offline, not 'gpt'"),
    ("day_starts_at = 24\n", "`day_starts_at` must be an hour from 0 to 23, not 24"),
    ("new_per_day = -1\n", "`new_per_day` must be a whole number from 0 to 10000, not -1"),
    ("max_tokens = 10\n", "`max_tokens` must be a whole number from 256 to 1000000, not 10"),
])
def test_a_bad_config_file_is_one_clear_message(config_file, text, message):
    with pytest.raises(ConfigError, match=message):
        load_settings({"config": str(config_file(text))}, {})


def test_a_config_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"model = '\xff'\n")
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings({"config": str(path)}, {})


def test_a_named_config_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="config file .*missing.toml does not exist"):
        load_settings({"config": str(tmp_path / "missing.toml")}, {})


def test_a_non_numeric_environment_number_is_refused():
    with pytest.raises(ConfigError, match="RECALL_NEW_PER_DAY must be a whole number, not 'ten'"):
        load_settings({}, {"RECALL_NEW_PER_DAY": "ten"})


def test_settings_default_to_the_real_environment(monkeypatch):
    monkeypatch.setenv("RECALL_MODEL", "from-os-environ")
    assert load_settings().model == "from-os-environ"


def test_settings_are_immutable():
    with pytest.raises(AttributeError):
        Settings().grader = "claude"  # type: ignore[misc]


def test_an_empty_cards_list_in_the_config_is_refused(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("cards = []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="`cards` is empty"):
        load_settings({"config": config}, env={})


OUT_OF_RANGE = [
    ("new_per_day", "9223372036854775808", "a whole number from 0 to 10000"),
    ("new_per_day", "-1", "a whole number from 0 to 10000"),
    ("day_starts_at", "25", "an hour from 0 to 23"),
    ("day_starts_at", "-1", "an hour from 0 to 23"),
    ("max_tokens", "0", "a whole number from 256 to 1000000"),
    ("max_tokens", "9223372036854775808", "a whole number from 256 to 1000000"),
    ("timeout", "1e400", "a number of seconds from 1 to 3600"),
    ("timeout", "inf", "a number of seconds from 1 to 3600"),
    ("timeout", "-inf", "a number of seconds from 1 to 3600"),
    ("timeout", "nan", "a number of seconds from 1 to 3600"),
    ("timeout", "0.5", "a number of seconds from 1 to 3600"),
]


@pytest.mark.parametrize(("key", "value", "allowed"), OUT_OF_RANGE)
def test_an_out_of_range_number_in_the_config_file_names_the_key_and_the_range(config_file, key, value, allowed):
    with pytest.raises(ConfigError, match=f"config.toml: `{key}` must be {allowed}, not "):
        load_settings({"config": str(config_file(f"{key} = {value}\n"))}, {})


@pytest.mark.parametrize(("line", "message"), [
    ("new_per_day = true", "`new_per_day` must be a whole number"),
    ("day_starts_at = false", "`day_starts_at` must be a whole number"),
    ("max_tokens = 4096.0", "`max_tokens` must be a whole number"),
    ("timeout = true", "`timeout` must be a number"),
])
def test_a_bool_or_a_fraction_where_a_whole_number_is_expected_is_refused(config_file, line, message):
    with pytest.raises(ConfigError, match=message):
        load_settings({"config": str(config_file(line + "\n"))}, {})


@pytest.mark.parametrize(("variable", "value", "allowed"), [
    ("RECALL_NEW_PER_DAY", "9223372036854775808", "a whole number from 0 to 10000"),
    ("RECALL_NEW_PER_DAY", "-3", "a whole number from 0 to 10000"),
    ("RECALL_DAY_STARTS_AT", "25", "an hour from 0 to 23"),
    ("RECALL_DAY_STARTS_AT", "-1", "an hour from 0 to 23"),
])
def test_an_out_of_range_environment_number_names_the_variable_and_the_range(variable, value, allowed):
    with pytest.raises(ConfigError, match=f"^{variable} must be {allowed}, not {value}$"):
        load_settings({}, {variable: value})


@pytest.mark.parametrize("value", ["true", "1.5", "1e3", "inf"])
def test_an_environment_number_that_is_not_whole_is_refused(value):
    with pytest.raises(ConfigError, match=f"RECALL_DAY_STARTS_AT must be a whole number, not '{value}'"):
        load_settings({}, {"RECALL_DAY_STARTS_AT": value})


@pytest.mark.parametrize(("flags", "message"), [
    ({"new_per_day": True}, "new_per_day must be a whole number from 0 to 10000, not True"),
    ({"day_starts_at": 25}, "day_starts_at must be an hour from 0 to 23, not 25"),
    ({"max_tokens": 2**63}, "max_tokens must be a whole number from 256 to 1000000"),
    ({"timeout": float("nan")}, "timeout must be a number of seconds from 1 to 3600, not nan"),
])
def test_an_out_of_range_flag_names_the_setting_and_the_range(flags, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(flags, {})


def test_the_ends_of_each_range_are_allowed(config_file):
    low = load_settings({"config": str(config_file(
        "new_per_day = 0\nday_starts_at = 0\nmax_tokens = 256\ntimeout = 1\n"))}, {})
    assert (low.new_per_day, low.day_starts_at, low.max_tokens, low.timeout) == (0, 0, 256, 1)
    high = load_settings({"config": str(config_file(
        "new_per_day = 10_000\nday_starts_at = 23\nmax_tokens = 1_000_000\ntimeout = 3600.0\n"))}, {})
    assert (high.new_per_day, high.day_starts_at, high.max_tokens, high.timeout) == (10000, 23, 1_000_000, 3600.0)


def test_a_number_too_long_to_read_is_one_clear_message(config_file):
    with pytest.raises(ConfigError, match="cannot read config file .*config.toml: "):
        load_settings({"config": str(config_file(f"new_per_day = 1{'0' * 5000}\n"))}, {})


def test_an_empty_deck_path_is_refused_instead_of_loading_the_current_folder(tmp_path):
    with pytest.raises(ConfigError, match="an empty deck path .* would load every .toml under the current folder"):
        load_settings({"cards": [""]}, {})
    (tmp_path / "config.toml").write_text('cards = [" "]\n')
    with pytest.raises(ConfigError, match="an empty deck path"):
        load_settings({"config": str(tmp_path / "config.toml")}, {})


def test_a_config_path_that_is_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="is not a regular file"):
        load_settings({"config": str(fifo)}, {})
