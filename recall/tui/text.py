"""Small wordings shared by several screens."""

from __future__ import annotations

from datetime import datetime


def plural(count: int, word: str) -> str:
    """`1 day`, `2 days`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def local_time(iso_utc: str) -> str:
    """A stored UTC timestamp as the learner's local date and time, to the minute."""
    return datetime.fromisoformat(iso_utc.replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M")
