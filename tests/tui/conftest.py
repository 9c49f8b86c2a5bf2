"""Fixtures for the study app's tests: an app on a temporary database and the small deck (tests/conftest.py
writes it and clears every RECALL_*/ANTHROPIC_* variable), a pinned day and clock, UTC as the local time
zone, and the fake Messages API for Claude grading.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_messages_api import FakeMessagesAPI
from tui_helpers import TODAY, ticking_clock

from recall.config import Settings
from recall.tui.app import RecallApp


@pytest.fixture(autouse=True)
def utc_local_time() -> Iterator[None]:
    """Local times on screen are the same on every machine."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if previous is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = previous
    time.tzset()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "recall.db"


@pytest.fixture
def settings_for(db_path: Path, small_deck: Path, tmp_path: Path) -> Callable[..., Settings]:
    """Settings on the temporary database and the small deck; offline grading unless overridden."""

    def make(**overrides: object) -> Settings:
        values: dict = {"db_path": db_path, "card_paths": (small_deck,), "config_path": tmp_path / "config.toml",
                        "grader": "offline", **overrides}
        return Settings(**values)

    return make


@pytest.fixture
def make_app(settings_for: Callable[..., Settings]) -> Callable[..., RecallApp]:
    def make(start: str = "dashboard", **overrides: object) -> RecallApp:
        return RecallApp(settings_for(**overrides), start=start, today=TODAY, clock=ticking_clock())

    return make


@pytest.fixture
def api() -> Iterator[FakeMessagesAPI]:
    with FakeMessagesAPI() as server:
        yield server


@pytest.fixture
def claude_settings(api: FakeMessagesAPI) -> dict:
    """Overrides that make the app grade with Claude on the fake server."""
    return {"grader": "claude", "api_key": "test-key", "base_url": api.base_url}
