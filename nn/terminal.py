"""Small helpers every demo shares: argument parsing, charts, sparklines, bars, and the closing summary.

Every line a demo prints fits in `WIDTH` columns, counted with len() (each Unicode glyph used here is one
column wide). Charts have fixed scales chosen by the demo, never fitted to the data: an accuracy chart
always runs from 0% to 100%, so a rise from 6% to 11% looks as small as it is.
"""

import argparse
import math
import sys
import textwrap
from pathlib import Path

import numpy as np

WIDTH = 80
SPARK_LEVELS = "▁▂▃▄▅▆▇█"
BOTH = "◉"  # a chart cell where two series meet
MARK = "┊"  # the vertical line through a marked x (the best epoch)


def demo_parser(description, epilog=None):
    """An argparse parser with the --seed option every demo takes; `epilog` is shown by --help.

    Usage lines read `python -m nn.NAME` when run that way (sys.argv[0] is then the module's file).
    """
    script = Path(sys.argv[0])
    prog = f"python -m nn.{script.stem}" if script.suffix == ".py" and script.parent.name == "nn" else None
    parser = argparse.ArgumentParser(prog=prog, description=textwrap.fill(description, WIDTH - 2), epilog=epilog,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    return parser


def int_range(low, high):
    """argparse type: an int from `low` to `high`, so a card cannot ask a demo for hours of work."""

    def parse(text):
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, not {value}")
        return value

    parse.__name__ = "integer"
    return parse


def float_range(low, high, include_low=True):
    """argparse type: a finite float from `low` (excluded unless include_low) to `high`."""

    def parse(text):
        value = float(text)
        if not (math.isfinite(value) and (low <= value if include_low else low < value) and value <= high):
            interval = f"{'[' if include_low else '('}{low:g}, {high:g}]"
            raise argparse.ArgumentTypeError(f"must be in {interval}, not {text}")
        return value

    parse.__name__ = "number"
    return parse


def sparkline(values, low=None, high=None):
    """A one-line Unicode plot of a curve; low/high fix the scale so several lines compare."""
    values = np.asarray(values, dtype=float)
    low = values.min() if low is None else low
    high = values.max() if high is None else high
    span = high - low if high > low else 1.0
    levels = np.clip(((values - low) / span * (len(SPARK_LEVELS) - 1)).round(), 0, len(SPARK_LEVELS) - 1)
    return "".join(SPARK_LEVELS[int(level)] for level in levels)


def sample(values, points=60):
    """At most `points` evenly spaced values, so a long curve still fits on one terminal line."""
    values = np.asarray(values, dtype=float)
    return values[np.linspace(0, len(values) - 1, min(points, len(values))).round().astype(int)]


def bar(value, maximum, width=40):
    """A horizontal bar of full blocks, `width` long at `maximum`."""
    return "█" * max(1, round(width * value / maximum)) if maximum > 0 else ""


def percent(value):
    return f"{value:.0%}"


def _nice_step(span, most):
    """The smallest of 1, 2, 5 times a power of ten that cuts `span` into at most `most` steps."""
    for power in range(-6, 10):
        for factor in (1, 2, 5):
            step = factor * 10.0 ** power
            if span / step <= most:
                return step
    return span


def _x_labels(x_low, x_high, columns, column_of):
    """The x axis's tick columns and a line of their labels, at round values, none overlapping."""
    step = _nice_step(x_high - x_low, max(2, columns // 10))
    ticks = [x_low] + [v for v in np.arange(math.ceil(x_low / step) * step, x_high + step / 2, step)
                       if v > x_low + step / 3]
    line, columns_used = [" "] * (columns + 4), []
    for value in ticks:
        text = f"{value:g}"
        column = column_of(value)
        start = min(max(0, column - len(text) // 2), columns + 4 - len(text))
        if all(start > end + 1 for end in columns_used[-1:]):  # else it would touch the previous label
            line[start:start + len(text)] = text
            columns_used.append(start + len(text) - 1)
    return [column_of(value) for value in ticks], "".join(line).rstrip()


def chart(series, low, high, x=None, *, height=11, width=WIDTH - 2, y_ticks=None, y_format=percent, log=False,
          x_label="epoch", mark=None):
    """Lines of a line chart with axes on a fixed scale, at most `width` columns wide, labels included.

    series: (glyph, values) pairs, one glyph per series, drawn in order; where two meet the cell shows
    BOTH. The y axis runs from `low` to `high` whatever the data (values beyond are drawn at the edge),
    on a log10 scale if `log`, with a labelled tick at each of `y_ticks`. x: the x value of each point
    (default 1, 2, ..., as epochs); the line is sampled at every column. mark: an x value (or several)
    to draw a vertical line through and flag on the axis with ▲ (the best epoch, say).
    """
    series = [(glyph, np.asarray(values, dtype=float)) for glyph, values in series]
    x = np.arange(1, len(series[0][1]) + 1) if x is None else np.asarray(x, dtype=float)
    x_low, x_high = float(x[0]), float(x[-1])
    y_ticks = [low, high] if y_ticks is None else y_ticks
    label_width = max(len(y_format(tick)) for tick in y_ticks)
    columns = width - label_width - 2 - len(x_label) - 4  # room for the last tick's label, then the x label

    def scale(values):
        return np.log10(values) if log else np.asarray(values, dtype=float)

    bottom, top = scale(low), scale(high)

    def row_of(values):
        fraction = (scale(np.clip(values, low, high)) - bottom) / (top - bottom)
        return np.rint(fraction * (height - 1)).astype(int)

    def column_of(value):
        return int(round((value - x_low) / (x_high - x_low) * (columns - 1))) if x_high > x_low else 0

    grid = [[" "] * columns for _ in range(height)]
    column_x = np.linspace(x_low, x_high, columns)
    for glyph, values in series:
        rows = row_of(np.interp(column_x, x, values))
        for column, row in enumerate(rows):
            cell = grid[height - 1 - row][column]
            grid[height - 1 - row][column] = glyph if cell in (" ", glyph) else BOTH
    marks = [] if mark is None else [float(value) for value in np.atleast_1d(mark)]
    for value in marks:
        for line in grid:
            if line[column_of(value)] == " ":
                line[column_of(value)] = MARK
    labels = {int(row_of(np.array([tick]))[0]): y_format(tick) for tick in y_ticks}
    lines = []
    for index, line in enumerate(grid):
        row = height - 1 - index
        edge = "┤" if row in labels else "│"
        lines.append(f"{labels.get(row, ''):>{label_width}} {edge}{''.join(line)}".rstrip())
    tick_columns, tick_labels = _x_labels(x_low, x_high, columns, column_of)
    axis = ["─"] * columns
    for column in tick_columns:
        axis[column] = "┬"
    for value in marks:
        axis[column_of(value)] = "▲"
    lines.append(" " * label_width + " └" + "".join(axis))
    lines.append(" " * (label_width + 2) + tick_labels + f"  {x_label}")
    return lines


def legend(*entries):
    """`glyph meaning` pairs on one line, for under a chart."""
    return "  ".join(f"{glyph} {meaning}" for glyph, meaning in entries)


def print_lines(lines, indent=2):
    for line in lines:
        print(" " * indent + line if line else "")


def what_this_shows(text):
    print()
    print(textwrap.fill("What this shows: " + text, width=WIDTH))
