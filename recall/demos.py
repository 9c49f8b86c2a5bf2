"""Find and run the NumPy demos in `nn/`.

Only names in `nn.DEMOS` are ever run, as `python -P -m nn.<name>` in a subprocess with a timeout: a deck
file names a demo but can never make recall run anything else.

The demo must be the `nn` this process imported, never one planted in the current directory or on an
inherited PYTHONPATH: `-P` keeps the current directory off `sys.path` (plain `-m` puts it first), and the
directory `nn` was imported from goes first on the child's PYTHONPATH, with relative and empty entries (an
empty one means the current directory) dropped. Not `-I`: it would also drop the user site-packages (a
`pip install --user`) and ignore that PYTHONPATH, which a checkout run without installing relies on.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import nn
from nn import DEMOS, split_demo

from recall.errors import RecallError

DEMO_TIMEOUT_S = 60.0


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


async def stream_demo(name: str, timeout: float = DEMO_TIMEOUT_S) -> AsyncIterator[str]:
    """Yield the demo's output line by line. Cancelling the iteration kills the process; so does the
    timeout, which then raises `DemoError`."""
    process = await asyncio.create_subprocess_exec(
        *demo_command(name), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL, env=demo_environment())
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
