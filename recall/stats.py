"""Collection statistics for `recall stats` and the dashboard: pure summaries over store queries."""

from __future__ import annotations

from datetime import date, timedelta

from recall.grading.base import Usage
from recall.grading.pricing import estimate_cost_usd
from recall.store import Store

RETENTION_WINDOW_DAYS = 30
FORECAST_DAYS = 30


def streak(study_days: list[date], today: date) -> int:
    """Consecutive days with reviews, ending today (or yesterday, when today has none yet)."""
    days = set(study_days)
    start = today if today in days else today - timedelta(days=1)
    count = 0
    while start - timedelta(days=count) in days:
        count += 1
    return count


def collection_stats(store: Store, today: date) -> dict:
    counts = store.card_counts(today)
    passed, retention_total = store.retention(today - timedelta(days=RETENTION_WINDOW_DAYS))
    per_day = store.reviews_per_day(today)
    usage = []
    for row in store.token_usage():
        tokens = Usage(row["input_tokens"] or 0, row["output_tokens"] or 0,
                       row["cache_creation_tokens"] or 0, row["cache_read_tokens"] or 0)
        usage.append({**row, "estimated_cost_usd": estimate_cost_usd(row["model"], tokens)})
    return {
        "today": today.isoformat(),
        "cards": counts["active"],
        "new": counts["new"],
        "due_today": counts["due"],
        "retired": counts["retired"],
        "reviews": store.review_count(),
        "reviewed_today": per_day.get(today, (0, 0.0))[0],
        "streak_days": streak(store.study_days(), today),
        "retention_30d": round(passed / retention_total, 4) if retention_total else None,
        "retention_reviews_30d": retention_total,
        "due_forecast": store.due_forecast(today, FORECAST_DAYS),
        "decks": store.deck_counts(today),
        "token_usage": usage,
    }
