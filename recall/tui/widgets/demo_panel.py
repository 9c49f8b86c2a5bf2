"""A side panel that runs a card's NumPy demo and streams its output line by line.

The demo runs as a subprocess (`recall.demos.stream_demo`, with its timeout) inside a worker, so the
rest of the screen stays usable; stopping the worker kills the process.

A demo prints lines of up to `DEMO_COLUMNS` columns (charts among them, so they are never wrapped). The
screens put the panel beside the rest when the terminal has room for that (`fits_beside`), and otherwise
across the whole width, over or under the rest (the class `-full-width`). The output scrolls: the panel
takes the focus when it opens (up/down/pgup/pgdn/home/end), and its subtitle says which lines show.
"""

from __future__ import annotations

from contextlib import aclosing

from textual import events, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Log
from textual.worker import get_current_worker

from recall.demos import DemoError, stream_demo

DEMO_COLUMNS = 80  # the widest line a demo prints (nn.terminal.WIDTH; not imported: it loads NumPy)
BESIDE_WIDTH = DEMO_COLUMNS + 3  # the panel beside the rest: two borders and a scrollbar around the lines
BESIDE_FROM = 160  # terminal columns from which the panel goes beside the rest, which keeps 77 or more


def fits_beside(terminal_width: int) -> bool:
    """Whether a terminal this wide has room for the demo's whole lines beside the rest of the screen
    (the panel at least `BESIDE_WIDTH` cells); if not, the panel takes the whole width."""
    return terminal_width >= BESIDE_FROM


class DemoPanel(Vertical):
    """`start(name)` runs a demo, `stop()` ends it; `status` is idle, running, finished, stopped or failed."""

    DEFAULT_CSS = """
    DemoPanel { height: 1fr; }
    DemoPanel > Log { height: 1fr; overflow-x: auto; overflow-y: scroll; scrollbar-size-vertical: 1; }
    """

    status: reactive[str] = reactive("idle")

    def __init__(self, timeout: float | None = None, **options: object) -> None:
        super().__init__(**options)
        self.timeout = timeout
        self.demo_name = ""
        self._focused_before: Widget | None = None
        self._following = True  # the output's end stays in view until the learner scrolls up

    def compose(self) -> ComposeResult:
        yield Log(id="demo-output", max_lines=2000)

    def on_mount(self) -> None:
        log = self.query_one(Log)
        self.watch(log, "scroll_y", self._on_scroll, init=False)
        for layout in ("virtual_size", "show_horizontal_scrollbar"):
            self.watch(log, layout, self._keep_following, init=False)

    def _on_scroll(self, before: float, after: float) -> None:
        """At the end, the output is followed; scrolled up from there, it is left where the learner put it."""
        if after >= self.query_one(Log).max_scroll_y:
            self._following = True
        elif after < before:
            self._following = False
        self._show_labels()

    def _keep_following(self) -> None:
        """Log follows new lines only when its view is at the end as they come, but its scroll range also
        grows without a new line: a horizontal scrollbar takes a line, and the log measures its widest
        line in a thread, after the line shows. Brought back to the end after such a change, the demo's
        last lines (its conclusion) stay in view."""
        if self._following:
            log = self.query_one(Log)
            self.call_after_refresh(log.scroll_end, animate=False, immediate=True, x_axis=False)

    @property
    def running(self) -> bool:
        return self.status == "running"

    def watch_status(self) -> None:
        self._show_labels()

    def _show_labels(self) -> None:
        """The title: the demo and its status; the subtitle: d's next step and, when the output does not
        fit, which of its lines show. Full width, the panel has no side borders, whose corners would
        otherwise space the labels out."""
        pad = " " if self.has_class("-full-width") else ""
        title = f"Demo {self.demo_name}: {self.status}" if self.demo_name else "Demo"
        keys = "d: stop" if self.status == "running" else "d: close"
        log = self.query_one(Log)
        shown, total = log.scrollable_content_region.height, log.line_count
        if 0 < shown < total:
            top = min(round(log.scroll_y), total - shown)
            keys = f"lines {top + 1}-{top + shown} of {total} · {keys}"
        self.border_title, self.border_subtitle = f"{pad}{title}{pad}", f"{pad}{keys}{pad}"

    def on_resize(self, event: events.Resize) -> None:
        """A panel exactly as wide as the demo's lines has no room for a vertical scrollbar beside them
        (at 80 columns, full width): the subtitle alone then says where the view is."""
        log = self.query_one(Log)
        log.styles.scrollbar_size_vertical = 0 if self.content_size.width == DEMO_COLUMNS else 1
        self.call_after_refresh(self._show_labels)

    def start(self, name: str) -> None:
        self.demo_name = name
        log = self.query_one(Log)
        log.clear()
        self.status = "running"
        self._run(name)

    def toggle(self, name: str) -> None:
        """d's three steps: show and run the demo; stop it while it runs; hide the panel after. The
        output takes the focus while the panel shows, so the arrow and page keys scroll it."""
        if self.running:
            self.stop()
        elif self.display:
            focused = self.screen.focused
            self.display = False
            before, self._focused_before = self._focused_before, None
            if focused is not None and self in focused.ancestors_with_self and before and before.is_attached:
                before.focus()  # back where the learner was
        else:
            self._focused_before = self.screen.focused
            self.display = True
            self.start(name)
            self.query_one(Log).focus()

    def stop(self) -> None:
        """Cancel the worker, which kills the process (stream_demo's own cleanup)."""
        if self.running:
            self.workers.cancel_group(self, "demo")
            self.query_one(Log).write_line("\n(stopped)")
            self.status = "stopped"

    @work(exclusive=True, group="demo")
    async def _run(self, name: str) -> None:
        log = self.query_one(Log)
        options = {} if self.timeout is None else {"timeout": self.timeout}
        options["folders"] = getattr(getattr(self.app, "settings", None), "demo_paths", ())  # the learner's demos
        worker = get_current_worker()
        try:
            async with aclosing(stream_demo(name, **options)) as lines:
                async for line in lines:
                    if worker.is_cancelled:  # a cancel can be lost in a readline that just completed
                        return
                    log.write_line(line or " ")  # Log.write_line("") writes nothing: keep the blank lines
                    self._show_labels()
        except DemoError as error:
            log.write_line(f"\n{error}")
            self.status = "failed"
        except OSError as error:
            log.write_line(f"\nCannot start the demo: {error.strerror or error}")
            self.status = "failed"
        else:
            self.status = "finished"
