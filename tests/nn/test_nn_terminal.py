"""The chart helper: fixed scales (6% -> 11% stays near the bottom of an accuracy chart), labelled axes,
a marked epoch, log scales, and every line within 80 columns."""

import numpy as np
import pytest

from nn.terminal import BOTH, MARK, WIDTH, chart, float_range, int_range, sparkline

PERCENT_TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def plotted_rows(lines, glyph):
    """Row index from the top of every cell holding `glyph` (the axis and labels are two more lines)."""
    return [index for index, line in enumerate(lines[:-2]) for character in line if character == glyph]


def test_an_accuracy_chart_keeps_its_0_to_100_scale_whatever_the_data():
    lines = chart([("●", [0.06, 0.08, 0.11])], 0.0, 1.0, y_ticks=PERCENT_TICKS)
    assert len(lines) == 11 + 2
    assert lines[0].startswith("100% ┤") and lines[10].startswith("  0% ┤")
    rows = plotted_rows(lines, "●")
    assert min(rows) >= 9  # 6% to 11%: the bottom two rows of eleven, not the whole height


def test_the_y_ticks_are_labelled_at_their_values_and_the_x_axis_in_epochs():
    lines = chart([("●", np.linspace(0, 1, 30))], 0.0, 1.0, y_ticks=PERCENT_TICKS)
    labelled = [line.split("┤")[0].strip() for line in lines[:-2] if "┤" in line]
    assert labelled == ["100%", "80%", "60%", "40%", "20%", "0%"]
    assert lines[-2].lstrip().startswith("└┬") and lines[-1].split()[0] == "1"
    assert lines[-1].split()[-2:] == ["30", "epoch"]


def test_a_marked_epoch_gets_a_line_and_a_flag_on_the_axis():
    lines = chart([("●", [0.5, 0.9, 0.7, 0.6])], 0.0, 1.0, mark=2)
    axis = lines[-2]
    flag = axis.index("▲")
    assert all(line[flag] in (MARK, "●") for line in lines[:-2])
    assert sum(line[flag] == MARK for line in lines[:-2]) >= 9


def test_two_series_in_one_cell_show_both():
    lines = chart([("●", [0.5, 0.5]), ("○", [0.5, 0.5])], 0.0, 1.0)
    assert plotted_rows(lines, BOTH) and not plotted_rows(lines, "●") and not plotted_rows(lines, "○")


def test_a_log_scale_puts_each_decade_the_same_distance_apart():
    values = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    lines = chart([("●", values)], 1e-4, 1.0, np.arange(5), height=9, log=True, y_ticks=values,
                  y_format="{:g}".format)
    labelled = [index for index, line in enumerate(lines[:-2]) if "┤" in line]
    assert labelled == [0, 2, 4, 6, 8]


def test_values_beyond_the_scale_are_drawn_at_its_edge():
    lines = chart([("●", [-5.0, 5.0])], 0.0, 1.0, height=5)
    rows = plotted_rows(lines, "●")
    assert min(rows) == 0 and max(rows) == 4


@pytest.mark.parametrize("points", [2, 10, 61, 300, 5000])
def test_every_chart_line_fits_in_80_columns(points):
    x = np.arange(points)
    for x_label, y_format in (("epoch", "{:.0%}".format), ("x", "{:.2f}".format), ("epoch", "{:g}".format)):
        lines = chart([("●", np.sin(x)), ("○", np.cos(x))], -1.0, 1.0, x, x_label=x_label, y_format=y_format,
                      y_ticks=(-1.0, 0.0, 1.0), mark=points // 2)
        assert max(len(line) for line in lines) + 2 <= WIDTH  # demos print charts indented by 2


def test_sparkline_uses_a_fixed_scale_when_given_one():
    assert sparkline([0.06, 0.11], 0.0, 1.0) == "▁▂"
    assert sparkline([0.06, 0.11]) == "▁█"


def test_bounded_argument_types_refuse_values_out_of_range():
    import argparse

    assert int_range(1, 10)("10") == 10 and float_range(0, 1, include_low=False)("0.5") == 0.5
    for parse, text in ((int_range(1, 10), "0"), (int_range(1, 10), "11"), (float_range(0, 1), "inf"),
                        (float_range(0, 1, include_low=False), "0"), (float_range(0, 1), "nan")):
        with pytest.raises(argparse.ArgumentTypeError):
            parse(text)
