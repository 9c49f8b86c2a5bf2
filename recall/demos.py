"""Find and run the NumPy demos in `nn/`.

Only names in `nn.DEMOS` are ever run, as `python -m nn.<name>` in a subprocess with a timeout: a deck
file names a demo but can never make recall run anything else.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator

from nn import DEMOS

from recall.errors import RecallError

DEMO_TIMEOUT_S = 60.0


class DemoError(RecallError):
    """A demo that cannot be run or did not finish; the message is one sentence."""


def demo_command(name: str) -> list[str]:
    if name not in DEMOS:
        raise DemoError(f"no demo named {name!r}; `recall demo --list` shows the {len(DEMOS)} demos")
    return [sys.executable, "-m", f"nn.{name}"]


def demo_environment() -> dict[str, str]:
    """Unbuffered, so output streams line by line, and plain, so it reads well in a panel."""
    return {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}


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
