"""Fixtures shared by every test: an isolated environment, deck files written on demand, a store.

No test sees the user's RECALL_*/ANTHROPIC_* variables, home, config or data dirs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from recall.deck import load_decks
from recall.store import Store

# Three cards with real content, in deck order, for tests that study or grade.
SMALL_DECK = [
    {"id": "nn.saturation", "prompt": "What is a saturated sigmoid neuron?",
     "answer": "When the weighted input z is large in magnitude, sigma(z) sits on a flat tail and its "
               "derivative is tiny, so the neuron learns slowly under the quadratic cost.",
     "key_points": ["the derivative of the sigmoid is tiny when z is large in magnitude",
                    "a tiny derivative makes the weight updates tiny, so learning is slow"],
     "tags": ["ch3"], "demo": "saturation"},
    {"id": "nn.softmax", "prompt": "What does a softmax layer output?",
     "answer": "Softmax exponentiates each weighted input and divides by the sum of the exponentials, "
               "so the outputs are positive and sum to one: a probability distribution.",
     "key_points": ["each output is the exponential of its weighted input divided by the sum of exponentials",
                    "the outputs are positive and add up to one, like a probability distribution"]},
    {"id": "nn.overfitting", "prompt": "What is overfitting?",
     "answer": "A network overfits when it keeps improving on the training data while its accuracy on "
               "unseen test data stops improving: it memorises the training set instead of generalising.",
     "key_points": ["training accuracy keeps improving while test accuracy stalls",
                    "the network memorises the training data instead of generalising"]},
]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No RECALL_*/ANTHROPIC_* variables, and HOME and the XDG dirs in a temporary directory."""
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        if name.startswith(("RECALL_", "ANTHROPIC_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    for variable, folder in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                             ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
        monkeypatch.setenv(variable, str(home / folder))
    return home


def deck_toml(cards: list[dict], deck: str | None = None) -> str:
    """TOML for a deck. JSON strings, lists and integers are valid TOML values."""
    lines = [f"deck = {json.dumps(deck)}"] if deck is not None else []
    for card in cards:
        lines += ["", "[[card]]"]
        lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in card.items()]
    return "\n".join(lines) + "\n"


def complete_card(card: str | dict) -> dict:
    """A valid card from an id or a dict of overrides; an override of None leaves the field out."""
    overrides = {"id": card} if isinstance(card, str) else card
    fields = {"id": overrides["id"], "prompt": f"Explain {overrides['id']}.",
              "answer": f"The reference answer for {overrides['id']}.",
              "key_points": [f"the key point of {overrides['id']}"]}
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}


WriteDeck = Callable[..., Path]


@pytest.fixture
def write_deck(tmp_path: Path) -> WriteDeck:
    """write_deck("a.toml", "card.one", {"id": "card.two", "prompt": None}, deck="A") -> the file's path.

    Cards are ids or dicts of overrides (see `complete_card`); `text=` writes raw text instead."""

    def write(name: str, *cards: str | dict, deck: str | None = None, text: str | None = None) -> Path:
        path = tmp_path / "decks" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text is not None else deck_toml([complete_card(c) for c in cards], deck),
                        encoding="utf-8")
        return path

    return write


@pytest.fixture
def small_deck(write_deck: WriteDeck) -> Path:
    """SMALL_DECK as a file, deck name "Small"."""
    return write_deck("small.toml", *SMALL_DECK, deck="Small")


@pytest.fixture
def store(tmp_path: Path, small_deck: Path) -> Iterator[Store]:
    """A store in tmp_path holding the small deck's cards."""
    with Store(tmp_path / "recall.db") as opened:
        opened.sync_cards(load_decks([small_deck]).cards)
        yield opened


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: builds or installs things; seconds rather than milliseconds")
