"""SM-2 (SuperMemo, Wozniak 1990), read exactly as DESIGN.md states it.

Easiness is held in hundredths as an integer: every change SM-2 makes is a multiple of 0.02, and a float
easiness makes `ceil(interval * easiness)` land a day late (2.8 * 5 -> 15 instead of 14).
Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

INITIAL_EASINESS_CENTI = 250
MIN_EASINESS_CENTI = 130
PASSING_QUALITY = 3


def easiness_change_centi(quality: int) -> int:
    """EF' - EF in hundredths: 0.1 - (5-q)(0.08 + (5-q)0.02), i.e. 10 - d(8 + 2d) for d = 5-q."""
    shortfall = 5 - quality
    return 10 - shortfall * (8 + 2 * shortfall)


@dataclass(frozen=True)
class Sm2State:
    """A card's SM-2 state. `easiness_centi` is the exact value; `easiness` is for display."""

    easiness_centi: int = INITIAL_EASINESS_CENTI
    repetitions: int = 0
    interval: int = 0

    @property
    def easiness(self) -> float:
        return self.easiness_centi / 100


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def review(state: Sm2State, quality: int) -> Sm2State:
    """The state after one scheduled review graded `quality` (0..5)."""
    if not isinstance(quality, int) or isinstance(quality, bool) or not 0 <= quality <= 5:
        raise ValueError(f"quality must be an integer from 0 to 5, not {quality!r}")
    if quality >= PASSING_QUALITY:
        if state.repetitions == 0:
            interval = 1
        elif state.repetitions == 1:
            interval = 6
        else:
            interval = _ceil_div(state.interval * state.easiness_centi, 100)
        repetitions = state.repetitions + 1
    else:
        interval, repetitions = 1, 0
    easiness_centi = max(MIN_EASINESS_CENTI, state.easiness_centi + easiness_change_centi(quality))
    return Sm2State(easiness_centi=easiness_centi, repetitions=repetitions, interval=interval)
