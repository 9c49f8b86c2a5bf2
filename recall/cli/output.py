"""Text for a person at a terminal: control characters made visible, lines fitted to its width."""

from __future__ import annotations

import json
import re
import sys

import click

# Control characters in text from decks, imported notes or a grader's reply, as a terminal should show
# them: an escape sequence could retitle the window or clear the screen. Newlines and tabs stay.
VISIBLE_CONTROLS = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\n\t"}
VISIBLE_CONTROLS |= {0x7F: "\u2421"} | {code: f"\\x{code:02x}" for code in range(0x80, 0xA0)}
_HAS_CONTROLS = re.compile(f"[{''.join(map(chr, VISIBLE_CONTROLS))}]").search


def visible(text: str) -> str:
    """`text` with every control character but newline and tab replaced by a visible stand-in. Searched
    first: translating through the table costs a card's prompt, which has none, 2.5x the search, and
    `recall due` passes each of its 1,340 cards through here twice at 100k cards."""
    return text.translate(VISIBLE_CONTROLS) if _HAS_CONTROLS(text) else text


def terminal_width() -> int:
    """The terminal's columns (COLUMNS wins; 80 when piped)."""
    import shutil  # imported on use: bz2 and lzma come with it

    return shutil.get_terminal_size((80, 24)).columns


def say(text: str, *, err: bool = False, nl: bool = True, hang: int | None = None) -> None:
    """Print text for a person: control characters made visible (files and --json keep text exact); with
    `hang`, wrapped to the terminal's width (80 when piped) with later lines indented by `hang`."""
    text = visible(text)
    if hang is not None:
        import textwrap  # only for the few wrapped lines: it costs every command 2 ms

        # ids, paths and commands stay whole, so they can be copied from the terminal
        text = textwrap.fill(text, width=terminal_width(), subsequent_indent=" " * hang,
                             break_long_words=False, break_on_hyphens=False)
    click.echo(text, err=err, nl=nl)


def tell(message: str, hang: int = len("recall: ")) -> None:
    """A message for the person on stderr ("recall: error: ..."): at a terminal, wrapped to its width with
    later lines indented by `hang`; redirected, one line, so a log or a script reads a line per message."""
    say(message, err=True, hang=hang if sys.stderr.isatty() else None)


def fitted(columns: str, rest: str, width: int | None = None) -> str:
    """A table line: `columns`, then as much of `rest` as the terminal's width (or `width`, for a table
    measured once) leaves (80 when piped)."""
    columns, rest = visible(columns), visible(rest)
    room = (width or terminal_width()) - len(columns) - 1
    return f"{columns} {rest if len(rest) <= room else rest[:max(room - 1, 0)] + '…'}"



def emit_json(value: object) -> None:
    # Indented for a person at a terminal; compact for programs (json's indenting encoder is ~5x slower).
    indent = 2 if sys.stdout.isatty() else None
    click.echo(json.dumps(value, ensure_ascii=False, indent=indent, default=str))


def emit_json_text(text: str) -> None:
    """Print JSON that is already text (built by SQLite), indented as `emit_json` would at a terminal."""
    if sys.stdout.isatty():
        emit_json(json.loads(text))
    else:
        click.echo(text)
