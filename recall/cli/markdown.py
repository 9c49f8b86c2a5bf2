"""Markdown for a person at a terminal: rendered by Rich and wrapped to the terminal's width; to a pipe
or a file the same text stays plain. Rich is imported only on a terminal (it costs every command ~40 ms).
Rich leaves colour out by itself when NO_COLOR is set."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO

import click

from recall.cli.output import terminal_width, visible

LIST_ITEM_START = re.compile(r"\s*(?:(?:[-*+]|\d+[.)])\s+)?")


def on_terminal() -> bool:
    return sys.stdout.isatty()


def colour_wanted() -> bool:
    """On a terminal, unless NO_COLOR is set (https://no-color.org)."""
    return on_terminal() and not os.environ.get("NO_COLOR")


def render_markdown(text: str, width: int, color: bool) -> str:
    """`text` rendered as Rich renders Markdown at `width` columns (with escape codes when `color`,
    unless NO_COLOR is set)."""
    from rich.console import Console
    from rich.markdown import Markdown

    buffer = StringIO()
    console = Console(file=buffer, width=width, force_terminal=color,
                      no_color=None if color else True, highlight=False)
    console.print(Markdown(visible(text)))
    return buffer.getvalue()


def show_markdown(text: str) -> None:
    """Print Markdown: rendered on a terminal; to a pipe as it is (control characters made visible), long
    lines wrapped under their list item."""
    if on_terminal():
        click.echo(render_markdown(text, terminal_width(), color=True), nl=False)
    else:
        click.echo(wrapped(visible(text), terminal_width()))


def wrapped(text: str, width: int) -> str:
    """Plain Markdown with each line longer than `width` wrapped, later lines indented past its list marker."""
    import textwrap

    lines = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        marker = LIST_ITEM_START.match(line).group(0)
        lines.append(textwrap.fill(line, width, subsequent_indent=" " * len(marker)))
    return "\n".join(lines)


@contextmanager
def streamed_markdown(quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A function to call with each chunk of a Markdown text as it arrives. On a terminal the text so far
    is shown rendered (cut at the screen's height while it streams, whole at the end); to a pipe each
    chunk is printed as it comes; `quiet` prints nothing (--json)."""
    if quiet:
        yield lambda _chunk: None
        return
    if not on_terminal():
        yield lambda chunk: click.echo(visible(chunk), nl=False)
        return
    from rich.console import Console
    from rich.live import Live
    from rich.markdown import Markdown

    received: list[str] = []
    console = Console(width=terminal_width(), highlight=False)
    with Live(console=console, auto_refresh=False) as live:
        def show(chunk: str) -> None:
            received.append(chunk)
            live.update(Markdown(visible("".join(received))), refresh=True)

        yield show
