"""Collection statistics for `recall stats`, the dashboard and the Stats screen: the store queries they
need, and small pure functions that turn rows into the numbers shown (no clock: `today` is passed in)."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from recall.grading.base import Usage
from recall.grading.pricing import estimate_cost_usd
from recall.scheduler import PASS_MARK
from recall.store import Store

RETENTION_WINDOW_DAYS = 30
FORECAST_DAYS = 30
PROGRESS_DAYS = 30  # reviews and time per day
PROGRESS_WEEKS = 12  # retention and cards added per week
HARDEST_CARDS = 10
# Interval buckets: each holds intervals up to its bound in days (the last, everything longer).
INTERVAL_BOUNDS = (1, 3, 7, 14, 30, 90, 180, 365)
INTERVAL_LABELS = ("1d", "2-3d", "4-7d", "1-2w", "2-4w", "1-3m", "3-6m", "6-12m", ">1y")
# Easiness buckets of 0.2 from SM-2's floor of 1.3: each holds easiness from its lower edge to below the next.
EASE_EDGES_CENTI = (130, 150, 170, 190, 210, 230, 250, 270)
EASE_LABELS = ("1.3", "1.5", "1.7", "1.9", "2.1", "2.3", "2.5", "2.7+")


def streak(study_days: list[date], today: date) -> int:
    """Consecutive days with reviews, ending today (or yesterday, when today has none yet)."""
    days = set(study_days)
    start = today if today in days else today - timedelta(days=1)
    count = 0
    while start - timedelta(days=count) in days:
        count += 1
    return count


def priced(rows: list[dict]) -> list[dict]:
    """Token totals with their estimated cost (None for a model without a price)."""
    return [{**row, "estimated_cost_usd": estimate_cost_usd(row["model"], Usage(
        row["input_tokens"] or 0, row["output_tokens"] or 0, row["cache_creation_tokens"] or 0,
        row["cache_read_tokens"] or 0))} for row in rows]


# -- counts: the store queries behind the numbers -------------------------------------------------------

def card_counts(store: Store, today: date) -> dict[str, int]:
    """Active, new, due today and retired cards (a suspended card is not due)."""
    row = store.read(
        "SELECT COUNT(*) FILTER (WHERE retired = 0), "
        "COUNT(*) FILTER (WHERE retired = 0 AND reviews = 0), "
        "COUNT(*) FILTER (WHERE retired = 0 AND suspended = 0 AND due IS NOT NULL AND due <= ?), "
        "COUNT(*) FILTER (WHERE retired = 1) FROM cards", [today.isoformat()])[0]
    return {"active": row[0], "new": row[1], "due": row[2], "retired": row[3]}


def deck_counts(store: Store, today: date) -> list[dict]:
    """Per deck, in deck order: its active cards, how many are new and how many are due."""
    return store.read_dicts(
        "SELECT deck, COUNT(*) AS cards, SUM(reviews = 0) AS new, "
        "SUM(suspended = 0 AND due IS NOT NULL AND due <= ?) AS due FROM cards WHERE retired = 0 "
        "GROUP BY deck ORDER BY MIN(position)", [today.isoformat()])


def reviews_per_day(store: Store, since: date) -> dict[date, tuple[int, float]]:
    """Per study day since `since`: (number of reviews, average grade)."""
    return {date.fromisoformat(day): (count, average) for day, count, average in store.read(
        "SELECT study_day, COUNT(*), AVG(quality) FROM reviews WHERE study_day >= ? "
        "GROUP BY study_day", [since.isoformat()])}


def study_days(store: Store) -> list[date]:
    """Every day with at least one review, newest first: one index seek per day, where DISTINCT
    would read every review (2 ms instead of 40 at a million reviews)."""
    return [date.fromisoformat(row[0]) for row in store.read(
        "WITH RECURSIVE days(day) AS (SELECT MAX(study_day) FROM reviews UNION ALL "
        "SELECT (SELECT MAX(study_day) FROM reviews WHERE study_day < days.day) FROM days "
        "WHERE days.day IS NOT NULL) SELECT day FROM days WHERE day IS NOT NULL")]


def retention(store: Store, since: date) -> tuple[int, int]:
    """(passed, total) scheduled reviews since `since` of cards that had already been learned."""
    row = store.read(
        "SELECT COUNT(*) FILTER (WHERE quality >= ?), COUNT(*) FROM reviews "
        "WHERE kind = 'scheduled' AND repetitions_before > 0 AND study_day >= ?",
        [int(PASS_MARK), since.isoformat()])[0]
    return row[0], row[1]


def due_forecast(store: Store, today: date, days: int) -> list[int]:
    """Cards falling due on each of the next `days` days; overdue cards count on day 0."""
    last = today + timedelta(days=days - 1)
    counts = [0] * days
    for due, count in store.read(
            "SELECT due, COUNT(*) FROM cards WHERE retired = 0 AND due IS NOT NULL AND due <= ? "
            "GROUP BY due", [last.isoformat()]):
        counts[max(0, (date.fromisoformat(due) - today).days)] += count
    return counts


def token_usage(store: Store) -> list[dict]:
    """Token totals per grader and model of the graded reviews, for cost estimates: kept by triggers on
    the reviews (schema v8), so reading them costs nothing at a million reviews."""
    return store.read_dicts(
        "SELECT grader, model, reviews, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens "
        "FROM review_token_totals ORDER BY reviews DESC, grader, model")


def drafting_usage(store: Store) -> list[dict]:
    """Token totals per purpose and model of the requests made outside grading (drafting)."""
    return store.read_dicts(
        "SELECT purpose, model, COUNT(*) AS requests, SUM(input_tokens) AS input_tokens, "
        "SUM(output_tokens) AS output_tokens, SUM(cache_creation_tokens) AS cache_creation_tokens, "
        "SUM(cache_read_tokens) AS cache_read_tokens FROM llm_usage GROUP BY purpose, model "
        "ORDER BY requests DESC")


def collection_stats(store: Store, today: date) -> dict:
    counts = card_counts(store, today)
    passed, retention_total = retention(store, today - timedelta(days=RETENTION_WINDOW_DAYS))
    per_day = reviews_per_day(store, today)
    return {
        "today": today.isoformat(),
        "cards": counts["active"],
        "new": counts["new"],
        "due_today": counts["due"],
        "retired": counts["retired"],
        "reviews": store.review_count(),
        "reviewed_today": per_day.get(today, (0, 0.0))[0],
        "streak_days": streak(study_days(store), today),
        "retention_30d": ratio(passed, retention_total),
        "retention_reviews_30d": retention_total,
        "due_forecast": due_forecast(store, today, FORECAST_DAYS),
        "decks": deck_counts(store, today),
        "token_usage": priced(token_usage(store)),
        "drafting_token_usage": priced(drafting_usage(store)),
    }


# -- progress: the charts of `recall stats` and the Stats screen ---------------------------------------

def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def week_start(day: date) -> date:
    """The Monday of `day`'s week: weeks are ISO weeks."""
    return day - timedelta(days=day.weekday())


def progress_since(today: date) -> date:
    """The first study day the progress charts read: enough for both the daily and the weekly ones."""
    return min(today - timedelta(days=PROGRESS_DAYS - 1), week_start(today) - timedelta(weeks=PROGRESS_WEEKS - 1))


def daily_activity(rows: Iterable[tuple[date, int, int]], today: date, days: int = PROGRESS_DAYS) -> list[dict]:
    """Reviews and minutes spent on each of the last `days` study days (oldest first, days without
    reviews included), from (day, reviews, milliseconds) rows."""
    by_day = {day: (reviews, milliseconds) for day, reviews, milliseconds in rows}
    result = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        reviews, milliseconds = by_day.get(day, (0, 0))
        result.append({"day": day.isoformat(), "reviews": reviews, "minutes": round(milliseconds / 60_000, 1)})
    return result


def weekly_retention(rows: Iterable[tuple[date, int, int]], today: date, weeks: int = PROGRESS_WEEKS) -> list[dict]:
    """True retention per week, oldest first: of the scheduled reviews of cards already learned (the
    reviews that were due), the share graded at the pass mark or above; None for a week without any.
    From (day, passed, due reviews) rows."""
    first = week_start(today) - timedelta(weeks=weeks - 1)
    passed: Counter[date] = Counter()
    due: Counter[date] = Counter()
    for day, day_passed, day_due in rows:
        week = week_start(day)
        passed[week] += day_passed
        due[week] += day_due
    result = []
    for index in range(weeks):
        week = first + timedelta(weeks=index)
        result.append({"week": week.isoformat(), "passed": passed[week], "reviews": due[week],
                       "retention": ratio(passed[week], due[week])})
    return result


def weekly_counts(rows: Iterable[tuple[date, int]], today: date, weeks: int = PROGRESS_WEEKS) -> list[dict]:
    """A count per week (cards added, say), oldest first, from (day, count) rows."""
    counts: Counter[date] = Counter()
    for day, count in rows:
        counts[week_start(day)] += count
    first = week_start(today) - timedelta(weeks=weeks - 1)
    return [{"week": (first + timedelta(weeks=index)).isoformat(), "cards": counts[first + timedelta(weeks=index)]}
            for index in range(weeks)]


def bucketed(counts: Iterable[tuple[int, int]], edges: tuple[int, ...], labels: tuple[str, ...],
             *, upper: bool) -> list[dict]:
    """(value, count) pairs summed into labelled buckets. With `upper`, `edges` are each bucket's
    largest value (the last bucket takes the rest); otherwise each bucket's smallest (the first takes
    anything below)."""
    totals = [0] * len(labels)
    for value, count in counts:
        index = (bisect_right(edges, value - 1) if upper else max(bisect_right(edges, value) - 1, 0))
        totals[index] += count
    return [{"bucket": label, "cards": total} for label, total in zip(labels, totals)]


def progress_stats(store: Store, today: date) -> dict:
    """What the progress charts draw: activity per day, retention and cards added per week, how the
    learned cards' intervals and easiness are spread, and the hardest cards."""
    since = progress_since(today)
    per_day = [(date.fromisoformat(day), *numbers) for day, *numbers in store.read(
        "SELECT study_day, COUNT(*), TOTAL(duration_ms), "
        "COUNT(*) FILTER (WHERE kind = 'scheduled' AND repetitions_before > 0 AND quality >= ?), "
        "COUNT(*) FILTER (WHERE kind = 'scheduled' AND repetitions_before > 0) "
        "FROM reviews WHERE study_day BETWEEN ? AND ? GROUP BY study_day",
        [int(PASS_MARK), since.isoformat(), today.isoformat()])]
    learned = store.read("SELECT interval, easiness_centi, COUNT(*) FROM cards WHERE retired = 0 AND reviews > 0 "
                         "GROUP BY interval, easiness_centi")
    intervals: Counter[int] = Counter()
    easiness: Counter[int] = Counter()
    for interval, easiness_centi, count in learned:
        intervals[interval] += count
        easiness[easiness_centi] += count
    # added_at is a UTC instant: its date stands for the study day (a week's total moves by a few hours at most).
    added = [(date.fromisoformat(day), count) for day, count in store.read(
        "SELECT substr(added_at, 1, 10), COUNT(*) FROM cards WHERE added_at >= ? GROUP BY 1",
        [since.isoformat()]) if day]
    hardest = [{"id": card_id, "deck": deck, "prompt": prompt, "lapses": lapses, "easiness": centi / 100,
                "reviews": reviews} for card_id, deck, prompt, lapses, centi, reviews in store.read(
        "SELECT id, deck, prompt, lapses, easiness_centi, reviews FROM cards WHERE retired = 0 AND lapses > 0 "
        "ORDER BY lapses DESC, easiness_centi, id LIMIT ?", [HARDEST_CARDS])]
    return {
        "per_day": daily_activity([(day, reviews, ms) for day, reviews, ms, _p, _d in per_day], today),
        "retention_by_week": weekly_retention([(day, p, d) for day, _r, _ms, p, d in per_day], today),
        "intervals": bucketed(sorted(intervals.items()), INTERVAL_BOUNDS, INTERVAL_LABELS, upper=True),
        "easiness": bucketed(sorted(easiness.items()), EASE_EDGES_CENTI, EASE_LABELS, upper=False),
        "hardest": hardest,
        "added_per_week": weekly_counts(added, today),
    }
