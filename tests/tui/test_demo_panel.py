"""d runs the card's demo beside the session, streaming its output, while the session stays usable."""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Log, TextArea
from tui_helpers import study_screen, wait_until

from recall.tui.widgets.demo_panel import DemoPanel


def log_text(panel: DemoPanel) -> str:
    return "\n".join(panel.query_one(Log).lines)


async def test_a_demo_streams_into_the_side_panel_while_the_learner_types(make_app):
    app = make_app(start="study")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await study_screen(pilot, "nn.saturation")
        await pilot.press("escape", "d")
        panel = screen.query_one(DemoPanel)
        assert panel.display and screen.query_one("#side").display
        await pilot.press("i")  # back into the box, and typing works while the demo runs
        box = screen.query_one("#explanation", TextArea)
        await wait_until(pilot, lambda: box.has_focus, what="the box to take the focus")
        await pilot.press("o", "k")
        assert screen.query_one("#explanation", TextArea).text == "ok"
        await wait_until(pilot, lambda: panel.status == "finished", what="the demo to finish")
        assert "What this shows" in log_text(panel)
        assert str(panel.border_title).strip() == "Demo saturation: finished"
        await pilot.press("escape", "d")  # a finished demo's panel closes
        assert not panel.display and not screen.query_one("#side").display


async def test_the_demo_key_only_applies_to_cards_with_a_demo(make_app):
    app = make_app(start="study")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await study_screen(pilot, "nn.saturation")
        await pilot.press("escape", "s")
        screen = await study_screen(pilot, "nn.softmax")
        await pilot.press("escape", "d")
        assert not screen.query_one(DemoPanel).display
        assert "d" not in {key for key, active in screen.active_bindings.items() if active.enabled}


class DemoApp(App[None]):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def compose(self) -> ComposeResult:
        yield DemoPanel(timeout=self.timeout)


PROC = Path("/proc/self/stat").exists()


def demo_processes(name: str) -> set[int]:
    """This process's children running `python -m nn.NAME` (read from Linux's /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue  # it ended meanwhile
        if parent == os.getpid() and f"nn.{name}".encode() in command:
            found.add(int(stat.parent.name))
    return found


async def test_stopping_a_demo_kills_it_and_says_so():
    app = DemoApp(timeout=120)
    async with app.run_test() as pilot:
        panel = app.query_one(DemoPanel)
        panel.start("network")  # trains for seconds before it prints anything
        running: set[int] = set()
        if PROC:
            await wait_until(pilot, lambda: running.update(demo_processes("network")) or running,
                             what="the demo's process")
        else:
            await wait_until(pilot, lambda: log_text(panel).strip(), timeout=120, what="the demo's first line")
        panel.stop()
        assert panel.status == "stopped" and "(stopped)" in log_text(panel)
        # Once the worker that reads the demo's output has ended, nothing more can arrive.
        await wait_until(pilot, lambda: all(worker.is_finished for worker in app.workers), what="the worker")
        assert log_text(panel).endswith("(stopped)")
        if PROC:  # killed, not left to finish its training
            await wait_until(pilot, lambda: not demo_processes("network") & running, what="the process to end")


async def test_a_demo_past_its_timeout_is_stopped_with_a_message():
    app = DemoApp(timeout=0.01)
    async with app.run_test() as pilot:
        panel = app.query_one(DemoPanel)
        panel.start("network")
        await wait_until(pilot, lambda: panel.status == "failed", what="the timeout")
        assert "did not finish within" in log_text(panel)
