"""Time as recall counts it: UTC instants for timestamps, local study days for scheduling.

Dependency-free and read by every layer, so "today" has one definition. Only `utc_now` reads the clock;
everything else takes the moment it is given, so callers and tests pass their own.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds, e.g. 2026-11-28T01:32:24.123Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def study_day(moment: datetime, day_starts_at: int) -> date:
    """The local calendar day a moment belongs to when a new day starts at `day_starts_at` o'clock, so a
    review at 1 a.m. counts for the day the learner is still living."""
    local = moment.astimezone() if moment.tzinfo else moment
    return (local - timedelta(hours=day_starts_at)).date()
