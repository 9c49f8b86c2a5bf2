"""Estimated cost of grading, from token counts.

The figures are estimates: list prices in USD per million tokens from Anthropic's pricing page
(platform.claude.com/docs/en/about-claude/pricing, as of November 2026) for the current model of each
family, with 5-minute cache writes. They ignore batch and long-prompt (over 100k tokens) rates, and taxes.
A model outside the table (a local one, say) has no estimate.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol


class Rates(NamedTuple):
    input: float
    output: float
    cache_write: float
    cache_read: float


class TokenCounts(Protocol):
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int


# First match wins, so an older generation priced differently comes before its family.
USD_PER_MILLION_TOKENS: tuple[tuple[str, Rates], ...] = (
    ("haiku-4", Rates(1.00, 5.00, 1.25, 0.10)),
    ("haiku", Rates(0.10, 0.50, 0.125, 0.01)),
    ("sonnet", Rates(2.00, 10.00, 2.50, 0.10)),
    ("opus", Rates(4.00, 20.00, 5.00, 0.20)),
)


def estimate_cost_usd(model: str, usage: TokenCounts) -> float | None:
    rates = next((rates for family, rates in USD_PER_MILLION_TOKENS if family in model.lower()), None)
    if rates is None:
        return None
    return (usage.input_tokens * rates.input + usage.output_tokens * rates.output
            + usage.cache_creation_input_tokens * rates.cache_write
            + usage.cache_read_input_tokens * rates.cache_read) / 1_000_000
