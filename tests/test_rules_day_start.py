"""Rule: a study day starts at the configured `day_starts_at`, not at midnight and not at the default hour.

Every "today" honours it: the CLI's, the store's same-day drill decision (which uses the day it is given),
and the study app's. The clock is pinned in each test to a moment before the configured hour and after
the default one (05:00 local, day starting at 06:00), so the moment belongs to the previous study day
only if the setting is read: ignoring it (midnight, or the default 4 am) changes the result whatever the
real time is. Moments are built in local time, so the tests hold in any time zone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from recall.cli import cli
from recall.config import Settings
from recall.store import Store

DAY_STARTS_AT = 6  # not the default (4): reading the default instead of the setting must show
CALENDAR_DAY = date(2026, 11, 28)
STUDY_DAY_BEFORE = date(2026, 11, 27)
EVENING_BEFORE = datetime(2026, 11, 27, 20, 0).astimezone()  # the 27th's study day, however the day starts
BEFORE_THE_HOUR = datetime(2026, 11, 28, 5, 0).astimezone()  # still the 27th's study day when it starts at 6
AFTER_THE_HOUR = datetime(2026, 11, 28, 7, 0).astimezone()  # the 28th's study day, however the day starts
ANSWER = ("A neuron saturates when z is large in magnitude, so the derivative of the sigmoid is tiny. "
          "Then the weight updates are tiny and learning is slow.")


@dataclass
class PinnedRecall:
    """`recall` run in-process (CliRunner) on a tmp database, the small deck and a config file that sets
    day_starts_at, with the CLI's clock set by `at`."""

    db: Path
    deck: Path
    config: Path
    monkeypatch: pytest.MonkeyPatch

    def at(self, moment: datetime, *args: str) -> Result:
        self.monkeypatch.setattr("recall.cli.base.utc_now", lambda: moment)
        options = ["--db", str(self.db), "--cards", str(self.deck), "--config", str(self.config)]
        result = CliRunner().invoke(cli, [*options, *args], catch_exceptions=False, prog_name="recall")
        assert result.exit_code == 0, result.output
        return result

    def record(self, moment: datetime) -> Result:
        return self.at(moment, "explain", "nn.saturation", "--answer", ANSWER, "--grader", "offline",
                       "--record", "--quality", "4", "--json")

    def kinds(self) -> list[str]:
        """The kinds of nn.saturation's reviews, oldest first."""
        with Store(self.db) as store:
            return [review["kind"] for review in reversed(store.reviews_for_card("nn.saturation"))]


@pytest.fixture
def pinned(tmp_path: Path, small_deck: Path, monkeypatch: pytest.MonkeyPatch) -> PinnedRecall:
    config = tmp_path / "config.toml"
    config.write_text(f"day_starts_at = {DAY_STARTS_AT}\n")
    return PinnedRecall(tmp_path / "cli.db", small_deck, config, monkeypatch)


def test_the_cli_today_starts_at_the_configured_hour(pinned: PinnedRecall) -> None:
    assert json.loads(pinned.at(BEFORE_THE_HOUR, "stats", "--json").stdout)["today"] == STUDY_DAY_BEFORE.isoformat()
    assert json.loads(pinned.at(AFTER_THE_HOUR, "stats", "--json").stdout)["today"] == CALENDAR_DAY.isoformat()


def test_a_second_explain_record_the_same_study_day_is_a_drill(pinned: PinnedRecall) -> None:
    """20:00 on the 27th and 05:00 on the 28th are one study day when it starts at 06:00."""
    first = json.loads(pinned.record(EVENING_BEFORE).stdout)
    second = json.loads(pinned.record(BEFORE_THE_HOUR).stdout)
    assert pinned.kinds() == ["scheduled", "drill"]
    assert first["next_due"] == second["next_due"] == date(2026, 11, 28).isoformat()  # a drill changes nothing


def test_an_explain_record_the_next_study_day_is_scheduled(pinned: PinnedRecall) -> None:
    """05:00 and 07:00 on the 28th are two study days when the day starts at 06:00."""
    first = json.loads(pinned.record(BEFORE_THE_HOUR).stdout)
    second = json.loads(pinned.record(AFTER_THE_HOUR).stdout)
    assert pinned.kinds() == ["scheduled", "scheduled"]
    assert (first["next_due"], first["interval"]) == (CALENDAR_DAY.isoformat(), 1)
    assert (second["next_due"], second["interval"]) == (date(2026, 12, 4).isoformat(), 6)


@pytest.mark.parametrize(("moment", "today"), [(BEFORE_THE_HOUR, STUDY_DAY_BEFORE), (AFTER_THE_HOUR, CALENDAR_DAY)])
def test_the_app_today_starts_at_the_configured_hour(tmp_path: Path, small_deck: Path, moment: datetime,
                                                     today: date) -> None:
    from recall.tui.app import RecallApp

    settings = Settings(db_path=tmp_path / "recall.db", card_paths=(small_deck,), config_path=tmp_path / "config.toml",
                        grader="offline", day_starts_at=DAY_STARTS_AT)
    clock: Callable[[], datetime] = lambda: moment  # noqa: E731
    assert RecallApp(settings, clock=clock).today == today
