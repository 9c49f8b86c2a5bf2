"""The progress charts, once for both front ends: which series `recall.stats.progress_stats` yields, and
how each is drawn as a bar chart with axes through a plotext-like object (the `plotext` module in the
CLI, a `PlotextPlot`'s `plt` in the app). Bars are plain blocks, so no colour is needed to read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

Y_AXIS_WIDTH = 8  # columns the y axis and the frame take from a chart's width


@dataclass(frozen=True)
class BarSeries:
    """One chart: a title, a label and a value per bar (None: no bar), and the top of the y axis (None:
    the largest value)."""

    title: str
    labels: tuple[str, ...]
    values: tuple[float | None, ...]
    top: float | None = None


def short_day(iso_day: str) -> str:
    return f"{date.fromisoformat(iso_day):%d %b}"


def progress_series(progress: dict) -> dict[str, BarSeries]:
    """Every chart of `progress` (as `progress_stats` returns it), by name, in the order shown."""
    days = tuple(short_day(row["day"]) for row in progress["per_day"])
    weeks = tuple(short_day(row["week"]) for row in progress["retention_by_week"])
    return {
        "reviews": BarSeries("Reviews per day", days, tuple(row["reviews"] for row in progress["per_day"])),
        "minutes": BarSeries("Minutes spent per day", days, tuple(row["minutes"] for row in progress["per_day"])),
        "retention": BarSeries(
            "True retention per week: % of due reviews passed", weeks,
            tuple(None if row["retention"] is None else round(row["retention"] * 100)
                  for row in progress["retention_by_week"]), top=100),
        "intervals": BarSeries("Learned cards by interval", tuple(row["bucket"] for row in progress["intervals"]),
                               tuple(row["cards"] for row in progress["intervals"])),
        "easiness": BarSeries("Learned cards by easiness", tuple(row["bucket"] for row in progress["easiness"]),
                              tuple(row["cards"] for row in progress["easiness"])),
        "added": BarSeries("Cards added per week", tuple(short_day(row["week"]) for row in progress["added_per_week"]),
                           tuple(row["cards"] for row in progress["added_per_week"])),
    }


def label_step(labels: tuple[str, ...], width: int) -> int:
    """Show every n-th label so that the labels shown fit under a chart `width` columns wide."""
    room = max(width - Y_AXIS_WIDTH, 1)
    return max(1, -(-len(labels) * (max(map(len, labels), default=0) + 2) // room))  # a gap of two at least


def y_ticks(series: BarSeries) -> list[float]:
    """Whole-number ticks at 0, half-way and the top."""
    highest = series.top or max((value for value in series.values if value is not None), default=0) or 1
    return sorted({0, round(highest / 2), round(highest)}) if highest >= 2 else [0, highest]


def draw_bars(plt: Any, series: BarSeries, width: int, color: str | None = None) -> None:  # noqa: ANN401 - plotext
    """Put `series` on `plt` as a bar chart (its size, theme and clearing are the caller's)."""
    shown = [(index, value) for index, value in enumerate(series.values) if value is not None]
    if shown:
        plt.bar([index for index, _ in shown], [value for _, value in shown], width=0.6, color=color)
    step = label_step(series.labels, width)
    plt.xticks(list(range(0, len(series.labels), step)), list(series.labels[::step]))
    ticks = y_ticks(series)
    plt.yticks(ticks, [f"{tick:g}" for tick in ticks])
    plt.xlim(-0.7, len(series.labels) - 0.3)
    plt.ylim(0, ticks[-1])
    plt.title(series.title)
