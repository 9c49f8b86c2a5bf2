"""One progress chart (a `recall.progress_charts.BarSeries`) drawn with textual-plotext, redrawn at its
own width so the day labels under it never crowd."""

from __future__ import annotations

from textual.events import Resize
from textual_plotext import PlotextPlot

from recall.progress_charts import BarSeries, draw_bars


class ProgressChart(PlotextPlot):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, classes=classes)
        self.series: BarSeries | None = None

    def show(self, series: BarSeries) -> None:
        self.series = series
        self._draw()

    def on_resize(self, _event: Resize) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.series is None:
            return
        self.plt.clear_figure()
        draw_bars(self.plt, self.series, self.size.width)
        self.refresh()
