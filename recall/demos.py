"""Find and run the NumPy demos in `nn/`, and the learner's own demos in their demo folders.

Only names in `nn.DEMOS` are ever run from nn/, as `python -P -m nn.<name>` in a subprocess with a timeout,
and from the demo folders the learner configured (`demo_paths`, `--demo-path`) only a file `<name>.py`
directly in one of them, whose name is a plain identifier (no dots, no slashes: it cannot leave its
folder), as `python -P -m <name>` with that folder and the installed `nn` as its only extra path. A deck
file names a demo but can never make recall run anything else.

The demo must be the `nn` this process imported, never one planted in the current directory or on an
inherited PYTHONPATH: `-P` keeps the current directory off `sys.path` (plain `-m` puts it first), and the
directory `nn` was imported from goes first on the child's PYTHONPATH, with relative and empty entries (an
empty one means the current directory) dropped. Not `-I`: it would also drop the user site-packages (a
`pip install --user`) and ignore that PYTHONPATH, which a checkout run without installing relies on.
"""

from __future__ import annotations

import ast
import asyncio
import os
import sys
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path

import nn
from nn import DEMOS, split_demo

from recall.deck import USER_DEMO_NAME, Card, Problem
from recall.errors import RecallError

DEMO_TIMEOUT_S = 60.0
CONTRACT = ("def run(", "def main(", "What this shows", "__main__")


class DemoError(RecallError):
    """A demo that cannot be run or did not finish; the message is one sentence."""


def demo_command(spec: str) -> list[str]:
    """The command for a demo name, or a card's "NAME --option VALUE" (only options the demo lists in
    `nn.CARD_OPTIONS`, so a deck cannot make a demo read files or run for hours)."""
    try:
        name, arguments = split_demo(spec)
    except ValueError as error:
        raise DemoError(f"{error}; `recall demo --list` shows the {len(DEMOS)} demos") from None
    return [sys.executable, "-P", "-m", f"nn.{name}", *arguments]


def user_demos(folders: Iterable[Path]) -> dict[str, Path]:
    """The learner's demos: each `<name>.py` directly in a demo folder (the first folder wins a name; a
    name nn/ already has stays nn's; names starting with "_" are helpers, not demos)."""
    found: dict[str, Path] = {}
    for folder in folders:
        root = Path(folder).expanduser()
        try:
            files = sorted(root.glob("*.py"))
        except OSError:
            continue
        for file in files:
            name = file.stem
            if (USER_DEMO_NAME.fullmatch(name) and not name.startswith("_") and name not in DEMOS
                    and name not in found and file.is_file()):
                found[name] = file
    return found


def demo_process(spec: str, folders: Sequence[Path] = ()) -> tuple[list[str], dict[str, str]]:
    """The command and environment for a demo of nn/ (with a card's options) or of the demo folders."""
    name = spec.split(" ", 1)[0]
    if name in DEMOS or not USER_DEMO_NAME.fullmatch(name):
        return demo_command(spec), demo_environment()
    file = user_demos(folders).get(name)
    if file is None:
        raise DemoError(f"demo {name!r} is neither in nn/ nor in your demo folders (demo_paths in config.toml "
                        "or --demo-path); `recall demo --list` shows them")
    if spec.strip() != name:
        raise DemoError(f"demo {name!r} is one of yours: a card cannot pass it options")
    nn_root = demo_python_path(None)
    return ([sys.executable, "-P", "-m", name],
            {**demo_environment(), "PYTHONPATH": os.pathsep.join([str(file.parent.resolve()), nn_root])})


def demo_summary(file: Path) -> str:
    """The first line of a demo file's docstring (what it shows), read without running it."""
    try:
        docstring = ast.get_docstring(ast.parse(file.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError, ValueError):
        return ""
    return docstring.strip().split("\n", 1)[0]


def demo_summaries(folders: Sequence[Path]) -> dict[str, str]:
    """Every demo that can be linked, nn/'s then the learner's, with what it shows."""
    nn_folder = Path(nn.__file__).resolve().parent
    summaries = {name: demo_summary(nn_folder / f"{name}.py") for name in DEMOS}
    return summaries | {name: demo_summary(file) for name, file in user_demos(folders).items()}


def contract_gaps(file: Path) -> list[str]:
    """What the demo file lacks of nn/'s contract: `run()`, `main()`, a "What this shows" line, and
    running as a module."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"cannot be read ({exc})"]
    return [part.strip("(") for part in CONTRACT if part not in text]


def demo_link_problems(cards: Iterable[Card], folders: Sequence[Path]) -> list[Problem]:
    """For `recall check`: each card linking a demo found neither in nn/ nor in the demo folders (an
    error), and each linked demo of the folders missing part of the contract (a warning)."""
    available = user_demos(folders)
    problems = []
    for card in cards:
        name = card.demo.split(" ", 1)[0] if card.demo else None
        if name is None or name in DEMOS:
            continue
        where = card.source or Path("?")
        if name not in available:
            problems.append(Problem(where, f"demo {name!r} is neither in nn/ nor in your demo folders "
                                           "(demo_paths, --demo-path)", card_index=card.index, card_id=card.id))
            continue
        gaps = contract_gaps(available[name])
        if gaps:
            problems.append(Problem(where, f"demo {name!r} ({available[name]}) lacks {', '.join(gaps)}", "warning",
                                    card.index, card.id))
    return problems


def demo_python_path(inherited: str | None) -> str:
    """The directory this process imported `nn` from, then the inherited entries that name a directory
    wherever the demo starts (absolute ones)."""
    nn_root = str(Path(nn.__file__).resolve().parent.parent)
    kept = [entry for entry in (inherited or "").split(os.pathsep) if os.path.isabs(entry)]
    return os.pathsep.join([nn_root, *kept])


def demo_environment() -> dict[str, str]:
    """The installed `nn` first on the path; unbuffered, so output streams line by line; and plain, so it
    reads well in a panel."""
    return {**os.environ, "PYTHONPATH": demo_python_path(os.environ.get("PYTHONPATH")),
            "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}


async def stream_demo(name: str, timeout: float = DEMO_TIMEOUT_S, folders: Sequence[Path] = ()) -> AsyncIterator[str]:
    """Yield the demo's output line by line (`folders`: the learner's demo folders). Cancelling the
    iteration kills the process; so does the timeout, which then raises `DemoError`."""
    command, environment = demo_process(name, folders)
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL, env=environment)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        assert process.stdout is not None
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise DemoError(f"demo {name!r} did not finish within {timeout:.0f} s and was stopped")
            try:
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation, and a
                # stopped demo would keep printing.
                async with asyncio.timeout(remaining):
                    line = await process.stdout.readline()
            except TimeoutError:
                raise DemoError(f"demo {name!r} did not finish within {timeout:.0f} s and was stopped") from None
            if not line:
                break
            yield line.decode("utf-8", errors="replace").rstrip("\n")
        code = await process.wait()
        if code != 0:
            raise DemoError(f"demo {name!r} failed with exit code {code}")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
