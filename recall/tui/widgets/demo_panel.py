"""A side panel that runs a card's NumPy demo and streams its output line by line.

The demo runs as a subprocess (`recall.demos.stream_demo`, with its timeout) inside a worker, so the
rest of the screen stays usable; stopping the worker kills the process.
"""

from __future__ import annotations

from contextlib import aclosing

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Log
from textual.worker import get_current_worker

from recall.demos import DemoError, stream_demo


class DemoPanel(Vertical):
    """`start(name)` runs a demo, `stop()` ends it; `status` is idle, running, finished, stopped or failed."""

    DEFAULT_CSS = """
    DemoPanel { height: 1fr; }
    DemoPanel > Log { height: 1fr; }
    """

    status: reactive[str] = reactive("idle")

    def __init__(self, timeout: float | None = None, **options: object) -> None:
        super().__init__(**options)
        self.timeout = timeout
        self.demo_name = ""

    def compose(self) -> ComposeResult:
        yield Log(id="demo-output", max_lines=2000)

    @property
    def running(self) -> bool:
        return self.status == "running"

    def watch_status(self, status: str) -> None:
        self.border_title = f"Demo {self.demo_name}: {status}" if self.demo_name else "Demo"
        self.border_subtitle = "d: stop" if status == "running" else "d: close"

    def start(self, name: str) -> None:
        self.demo_name = name
        log = self.query_one(Log)
        log.clear()
        self.status = "running"
        self._run(name)

    def toggle(self, name: str) -> None:
        """d's three steps: show and run the demo; stop it while it runs; hide the panel after."""
        if self.running:
            self.stop()
        elif self.display:
            self.display = False
        else:
            self.display = True
            self.start(name)

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
        worker = get_current_worker()
        try:
            async with aclosing(stream_demo(name, **options)) as lines:
                async for line in lines:
                    if worker.is_cancelled:  # a cancel can be lost in a readline that just completed
                        return
                    log.write_line(line)
        except DemoError as error:
            log.write_line(f"\n{error}")
            self.status = "failed"
        except OSError as error:
            log.write_line(f"\nCannot start the demo: {error.strerror or error}")
            self.status = "failed"
        else:
            self.status = "finished"
