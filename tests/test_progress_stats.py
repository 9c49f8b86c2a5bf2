"""Progress statistics (issue 15, section 3): the numbers in recall.stats and how `recall stats` shows them."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from click.testing import CliRunner

from recall.cli import cli
from recall.deck import load_decks
from recall.cli.markdown import render_markdown, wrapped
from recall.cli.progress import bar_chart
from recall.progress_charts import BarSeries
from recall.clock import study_day
from recall.stats import (
    EASE_EDGES_CENTI, EASE_LABELS, INTERVAL_BOUNDS, INTERVAL_LABELS, bucketed, daily_activity, progress_stats,
    week_start, weekly_counts, weekly_retention,
)
from recall.store import ReviewInput, Store

TODAY = date(2026, 3, 18)  # a Wednesday


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9).astimezone()


def test_weeks_start_on_monday():
    assert week_start(TODAY) == date(2026, 3, 16)
    assert week_start(date(2026, 3, 16)) == date(2026, 3, 16)
    assert week_start(date(2026, 3, 22)) == date(2026, 3, 16)


def test_daily_activity_fills_days_without_reviews_and_turns_milliseconds_into_minutes():
    rows = [(TODAY, 3, 90_000), (TODAY - timedelta(days=2), 1, 30_000)]
    assert daily_activity(rows, TODAY, days=3) == [
        {"day": "2026-03-16", "reviews": 1, "minutes": 0.5},
        {"day": "2026-03-17", "reviews": 0, "minutes": 0.0},
        {"day": "2026-03-18", "reviews": 3, "minutes": 1.5}]


def test_weekly_retention_sums_the_days_of_each_week_and_has_none_for_a_week_without_due_reviews():
    rows = [(date(2026, 3, 16), 3, 4), (date(2026, 3, 18), 1, 4), (date(2026, 3, 2), 0, 2)]
    assert weekly_retention(rows, TODAY, weeks=3) == [
        {"week": "2026-03-02", "passed": 0, "reviews": 2, "retention": 0.0},
        {"week": "2026-03-09", "passed": 0, "reviews": 0, "retention": None},
        {"week": "2026-03-16", "passed": 4, "reviews": 8, "retention": 0.5}]


def test_weekly_counts():
    assert weekly_counts([(date(2026, 3, 10), 2), (date(2026, 3, 15), 5), (TODAY, 1)], TODAY, weeks=2) == [
        {"week": "2026-03-09", "cards": 7}, {"week": "2026-03-16", "cards": 1}]


def test_interval_buckets_hold_intervals_up_to_their_bound():
    counts = [(1, 1), (2, 2), (3, 4), (4, 8), (365, 16), (366, 32)]
    assert {row["bucket"]: row["cards"] for row in bucketed(counts, INTERVAL_BOUNDS, INTERVAL_LABELS, upper=True)
            if row["cards"]} == {"1d": 1, "2-3d": 6, "4-7d": 8, "6-12m": 16, ">1y": 32}


def test_easiness_buckets_hold_easiness_from_their_label_to_below_the_next():
    counts = [(130, 1), (148, 2), (150, 4), (250, 8), (268, 16), (270, 32), (350, 64)]
    assert {row["bucket"]: row["cards"] for row in bucketed(counts, EASE_EDGES_CENTI, EASE_LABELS, upper=False)
            if row["cards"]} == {"1.3": 3, "1.5": 4, "2.5": 24, "2.7+": 96}


def review(store: Store, card_id: str, quality: int, day: date, duration_ms: int = 0) -> None:
    store.record_review(ReviewInput(card_id, quality, duration_ms=duration_ms), day, at(day))


def test_progress_stats_from_a_store(store: Store):
    first = TODAY - timedelta(days=7)
    review(store, "nn.saturation", 4, first, 120_000)  # new: not a due review of a learned card
    review(store, "nn.softmax", 5, first, 60_000)
    review(store, "nn.saturation", 3, TODAY - timedelta(days=6))  # learned and due: passed (3 is the pass mark)
    review(store, "nn.softmax", 2, TODAY - timedelta(days=6))  # learned and due: failed, a lapse
    review(store, "nn.softmax", 1, TODAY - timedelta(days=6), 30_000)  # a drill: not counted
    progress = progress_stats(store, TODAY)
    by_day = {row["day"]: row for row in progress["per_day"]}
    assert by_day[first.isoformat()] == {"day": first.isoformat(), "reviews": 2, "minutes": 3.0}
    assert by_day[(TODAY - timedelta(days=6)).isoformat()]["reviews"] == 3
    assert len(progress["per_day"]) == 30 and progress["per_day"][-1]["day"] == TODAY.isoformat()
    weeks = {row["week"]: row for row in progress["retention_by_week"]}
    assert weeks["2026-03-09"] == {"week": "2026-03-09", "passed": 1, "reviews": 2, "retention": 0.5}
    assert len(progress["retention_by_week"]) == 12
    # saturation: 4 then 3 -> interval 6; softmax: 5 then 2 -> interval 1.
    assert {row["bucket"]: row["cards"] for row in progress["intervals"] if row["cards"]} == {"1d": 1, "4-7d": 1}
    # saturation: 2.5 + 0 - 0.14 = 2.36; softmax: 2.5 + 0.1 - 0.32 = 2.28.
    assert {row["bucket"]: row["cards"] for row in progress["easiness"] if row["cards"]} == {"2.1": 1, "2.3": 1}
    assert progress["hardest"] == [{"id": "nn.softmax", "deck": "Small", "prompt": "What does a softmax layer output?",
                                    "lapses": 1, "easiness": 2.28, "reviews": 3}]
    assert sum(row["cards"] for row in progress["added_per_week"]) == 0  # the cards were added today, not by TODAY


def test_a_bar_chart_has_axes_fits_its_width_and_has_no_colour_codes_when_plain():
    series = BarSeries("Reviews per day", tuple(f"{day:02d} Mar" for day in range(1, 31)), tuple(range(30)))
    chart = bar_chart(series, 80, color=False)
    lines = chart.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "\x1b" not in chart
    assert "Reviews per day" in lines[0]
    assert any("┤" in line for line in lines) and any("└" in line for line in lines)  # y and x axes
    assert "01 Mar" in chart and lines[2].startswith("29┤")  # a date tick and the largest value


def test_markdown_is_rendered_for_a_terminal_and_wrapped_for_a_pipe():
    rendered = render_markdown("**Hardest** `nn.softmax`", 40, color=False)
    assert rendered.strip() == "Hardest nn.softmax"
    long_item = "1. " + "word " * 30
    lines = wrapped(long_item.strip(), 40).splitlines()
    assert max(len(line) for line in lines) <= 40 and all(line.startswith("   ") for line in lines[1:])


def test_recall_stats_text_and_json(tmp_path, small_deck):
    db = tmp_path / "cli.db"
    with Store(db) as store:
        store.sync_cards(load_decks([small_deck]).cards)
        today = study_day(datetime.now().astimezone(), 4)
        review(store, "nn.softmax", 5, today - timedelta(days=2))
        review(store, "nn.softmax", 1, today - timedelta(days=1))
    config = tmp_path / "config.toml"
    config.write_text("")

    def run(*args: str):
        return CliRunner().invoke(cli, ["--db", str(db), "--cards", str(small_deck), "--config", str(config), *args],
                                  catch_exceptions=False)

    text = run("stats")
    assert text.exit_code == 0, text.output
    assert max(len(line) for line in text.stdout.splitlines()) <= 80
    for title in ("Reviews per day", "Minutes spent per day", "True retention per week", "by interval",
                  "by easiness", "Cards added per week", "Hardest cards"):
        assert title in text.stdout
    assert "What does a softmax layer output?" in text.stdout and "1 lapses" in text.stdout
    assert "\x1b" not in text.stdout
    summary = json.loads(run("stats", "--json").stdout)
    assert {"per_day", "retention_by_week", "intervals", "easiness", "hardest", "added_per_week",
            "due_forecast", "token_usage"} <= set(summary)
    assert summary["hardest"][0]["id"] == "nn.softmax"
