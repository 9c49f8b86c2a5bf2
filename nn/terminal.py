"""Small helpers every demo shares: argument parsing, sparklines, bars, and the closing summary."""

import argparse
import textwrap

import numpy as np

SPARK_LEVELS = "▁▂▃▄▅▆▇█"


def demo_parser(description):
    """An argparse parser with the --seed option every demo takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    return parser


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


def what_this_shows(text):
    print()
    print(textwrap.fill("What this shows: " + text, width=100))
