"""Settings: command-line flags > environment > config.toml > defaults. Paths come from platformdirs.

The API key is read from the environment only and is never written anywhere by recall.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

from recall.errors import RecallError
from recall.scheduler import DEFAULT_LEECH_LAPSES, SCHEDULER_NAMES

APP_NAME = "recall"
DEFAULT_MODEL = "claude-haiku-5-5"
GRADER_CHOICES = ("auto", "claude", "offline")
# Every new card is a written explanation, and comes back for another the next day and the day after
# that: 5 new a day settles near 15-20 explanations a day, about as many as a learner writes with care.
DEFAULT_NEW_PER_DAY = 5


class ConfigError(RecallError):
    """A setting that cannot be used; the message is one sentence for the user."""


def bundled_cards_dir() -> Path:
    """The starter deck: inside the package in a wheel, beside it in a source checkout."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "bundled_cards", package_dir.parent / "cards"):
        if candidate.is_dir():
            return candidate
    return package_dir / "bundled_cards"


def default_config_path() -> Path:
    return Path(user_config_dir(APP_NAME)) / "config.toml"


def user_decks_dir() -> Path:
    """Where `recall import` puts new decks; loaded by default beside the bundled deck."""
    return Path(user_data_dir(APP_NAME)) / "decks"


def default_card_paths() -> tuple[Path, ...]:
    imported = user_decks_dir()
    return (bundled_cards_dir(), imported) if imported.is_dir() else (bundled_cards_dir(),)


def default_db_path() -> Path:
    return Path(user_data_dir(APP_NAME)) / "recall.db"


@dataclass(frozen=True)
class Settings:
    db_path: Path = field(default_factory=default_db_path)
    card_paths: tuple[Path, ...] = field(default_factory=default_card_paths)
    config_path: Path = field(default_factory=default_config_path)
    grader: str = "auto"
    model: str = DEFAULT_MODEL
    new_per_day: int = DEFAULT_NEW_PER_DAY
    deck_new_per_day: dict[str, int] = field(default_factory=dict)  # [decks."NAME"] new_per_day
    scheduler: str = "sm2"
    desired_retention: float = 0.9
    leech_lapses: int = DEFAULT_LEECH_LAPSES
    day_starts_at: int = 4
    max_tokens: int = 4096
    timeout: float = 60.0
    theme: str = "textual-dark"
    keep_daily_backups: int = 7
    keep_weekly_backups: int = 4
    base_url: str | None = None
    demo_paths: tuple[Path, ...] = ()
    api_key: str | None = field(default=None, repr=False)

    @property
    def has_api_key(self) -> bool:
        return bool(self.api_key)


# Keys a config.toml may set, with the type each must have.
CONFIG_KEYS = {
    "db": str, "cards": list, "grader": str, "model": str, "new_per_day": int,
    "day_starts_at": int, "max_tokens": int, "timeout": (int, float), "theme": str, "base_url": str,
    "keep_daily_backups": int, "keep_weekly_backups": int,
    "scheduler": str, "desired_retention": float, "leech_lapses": int, "decks": dict,
    "demo_paths": list,
}
# What a [decks."NAME"] table may set.
DECK_KEYS = {"new_per_day": int}
TYPE_NAMES = {str: "a string", int: "a whole number", (int, float): "a number", float: "a decimal number",
              list: "a list of paths", dict: 'tables of deck settings ([decks."NAME"])'}
# The numeric settings: what each is, and the smallest and largest value it may take. The bounds keep
# absurd values (2**63, inf, nan) from reaching the scheduler, SQLite or the API.
RANGES = {
    "new_per_day": ("a whole number", 0, 10_000),
    "day_starts_at": ("an hour", 0, 23),
    "max_tokens": ("a whole number", 256, 1_000_000),
    "timeout": ("a number of seconds", 1, 3600),
    "keep_daily_backups": ("a whole number", 0, 366),
    "keep_weekly_backups": ("a whole number", 0, 520),
    "desired_retention": ("a fraction", 0.7, 0.99),
    "leech_lapses": ("a whole number", 1, 1000),
}
ENV_KEYS = {
    "RECALL_DB": "db", "RECALL_CARDS": "cards", "RECALL_GRADER": "grader", "RECALL_MODEL": "model",
    "RECALL_NEW_PER_DAY": "new_per_day", "RECALL_DAY_STARTS_AT": "day_starts_at",
    "RECALL_SCHEDULER": "scheduler",
    "ANTHROPIC_BASE_URL": "base_url",
}


def _read_config_file(path: Path, required: bool) -> dict:
    if not path.exists():
        if required:
            raise ConfigError(f"config file {path} does not exist")
        return {}
    if not path.is_file():  # a FIFO would block the read forever, a device never end
        raise ConfigError(f"config file {path} is not a regular file; pass a config.toml with --config")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # ValueError: TOMLDecodeError, UnicodeDecodeError, a 5000-digit number
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    if "api_key" in data:
        raise ConfigError(f"{path}: do not put the API key in the config file; "
                          "set ANTHROPIC_API_KEY in the environment instead")
    for key, value in data.items():
        expected = CONFIG_KEYS.get(key)
        if expected is None:
            raise ConfigError(f"{path}: unknown setting `{key}` (known: {', '.join(CONFIG_KEYS)})")
        if (not isinstance(value, expected) or isinstance(value, bool)
                or (expected is list and not all(isinstance(item, str) for item in value))):
            raise ConfigError(f"{path}: `{key}` must be {TYPE_NAMES[expected]}")
        problem = range_problem(key, value) if key in RANGES else None
        if problem:
            raise ConfigError(f"{path}: `{key}` {problem}")
    for deck, table in data.get("decks", {}).items():
        _check_deck_table(path, deck, table)
    if data.get("cards") == []:
        # No decks at all would retire every card at the next sync.
        raise ConfigError(f"{path}: `cards` is empty; list at least one deck file or directory, "
                          "or remove the setting to use the bundled deck")
    return data


def _check_deck_table(path: Path, deck: str, table: object) -> None:
    """One [decks."NAME"] table: only the settings a deck may override, each in range."""
    if not isinstance(table, dict):
        raise ConfigError(f'{path}: `decks.{deck}` must be a table ([decks."{deck}"])')
    for key, value in table.items():
        if key not in DECK_KEYS:
            raise ConfigError(f"{path}: unknown deck setting `{key}` in [decks.\"{deck}\"] "
                              f"(known: {', '.join(DECK_KEYS)})")
        problem = range_problem(key, value)
        if problem:
            raise ConfigError(f'{path}: `new_per_day` of [decks."{deck}"] {problem}')


def _from_environment(env: dict[str, str]) -> dict:
    values: dict = {}
    for variable, key in ENV_KEYS.items():
        raw = env.get(variable)
        if not raw:
            continue
        if key == "cards":
            # Only separators names no deck: treat it as unset rather than as "no decks" (which would
            # retire every card on the next sync).
            parts = [part for part in raw.split(os.pathsep) if part]
            if parts:
                values[key] = parts
        elif CONFIG_KEYS[key] is int:
            try:
                values[key] = int(raw)
            except ValueError:
                raise ConfigError(f"{variable} must be a whole number, not {raw!r}") from None
            problem = range_problem(key, values[key])
            if problem:
                raise ConfigError(f"{variable} {problem}")
        else:
            values[key] = raw
    return values


def load_settings(flags: dict | None = None, env: dict[str, str] | None = None) -> Settings:
    """Merge the layers. `flags` holds only the options the user actually passed (None = not given)."""
    env = dict(os.environ) if env is None else env
    flags = {k: v for k, v in (flags or {}).items() if v not in (None, (), [])}
    config_flag = flags.pop("config", None) or env.get("RECALL_CONFIG")
    config_path = Path(config_flag).expanduser() if config_flag else default_config_path()
    merged = _read_config_file(config_path, required=bool(config_flag))
    merged.update(_from_environment(env))
    merged.update(flags)
    settings = Settings(config_path=config_path, api_key=env.get("ANTHROPIC_API_KEY") or None)
    changes: dict = {}
    if "db" in merged:
        changes["db_path"] = Path(merged.pop("db")).expanduser()
    if "cards" in merged:
        if any(not str(p).strip() for p in merged["cards"]):
            raise ConfigError("an empty deck path (--cards \"\" or cards = [\"\"]) would load every .toml under the "
                              "current folder; name a deck file or folder")
        changes["card_paths"] = tuple(Path(p).expanduser() for p in merged.pop("cards"))
    if "decks" in merged:
        changes["deck_new_per_day"] = {deck: table["new_per_day"] for deck, table in merged.pop("decks").items()
                                       if "new_per_day" in table}
    if "demo_paths" in merged:
        changes["demo_paths"] = tuple(Path(p).expanduser() for p in merged.pop("demo_paths"))
    names = {f.name for f in fields(Settings)}
    changes.update({k: v for k, v in merged.items() if k in names})
    settings = replace(settings, **changes)
    _validate(settings)
    return settings


def range_problem(key: str, value: object) -> str | None:
    """What is wrong with a numeric setting's value ("must be an hour from 0 to 23, not 25"), or None.
    A bool is not a number here, and nan is in no range."""
    kind, low, high = RANGES[key]
    if isinstance(value, CONFIG_KEYS[key]) and not isinstance(value, bool) and low <= value <= high:
        return None
    return f"must be {kind} from {low} to {high}, not {value!r}"


def _validate(settings: Settings) -> None:
    """The final check of every layer merged; for flags, the only one (file and environment values are
    checked as they are read, so their messages name the file or the variable)."""
    if settings.grader not in GRADER_CHOICES:
        raise ConfigError(f"grader must be one of {', '.join(GRADER_CHOICES)}, not {settings.grader!r}")
    if settings.scheduler not in SCHEDULER_NAMES:
        raise ConfigError(f"scheduler must be one of {', '.join(SCHEDULER_NAMES)}, not {settings.scheduler!r}")
    for key in RANGES:
        problem = range_problem(key, getattr(settings, key))
        if problem:
            raise ConfigError(f"{key} {problem}")
