"""The store on a thread of its own, so the UI thread never waits on SQLite.

Every call runs on one worker thread, in the order it was made: the connection is only ever used by
the thread that opened it, a draft saved before a grade is written before it, and screens simply
`await` results. Opening the store (and importing sqlite-utils) happens there too, off the path to
the first frame. The store's errors come through as they are: each is a `recall.errors.RecallError`
(which costs nothing to import), and its message is the sentence to show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from recall.collection import OpenReport
    from recall.config import Settings
    from recall.store import Store

Result = TypeVar("Result")


class StoreThread:
    """Runs store work on a single background thread and hands the results back to the event loop."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recall-store")
        self._store: asyncio.Future[Store] | None = None

    def _opened(self) -> asyncio.Future[Store]:
        if self._store is None:
            self._store = asyncio.get_running_loop().create_future()
        return self._store

    async def open(self, settings: Settings) -> OpenReport:
        """Open the store; every `query` waits for this and fails with its error if it failed."""
        from recall.collection import open_collection

        opened = self._opened()
        try:
            store, report = await self.run(open_collection, settings)
        except Exception as error:
            opened.set_exception(error)
            opened.exception()  # marks it retrieved: the caller reports the error
            raise
        opened.set_result(store)
        return report

    async def ready(self) -> None:
        """Wait until the store is open (raises what opening it raised)."""
        await asyncio.shield(self._opened())

    async def query(self, work: Callable[..., Result], *args: object) -> Result:
        """`work(store, *args)` on the store's thread, once the store is open."""
        store = await asyncio.shield(self._opened())
        return await self.run(work, store, *args)

    async def run(self, work: Callable[..., Result], *args: object) -> Result:
        """`work(*args)` on the store's thread, for objects that hold the store (a StudySession)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: work(*args))

    async def draft(self, card_id: str) -> str | None:
        """The explanation last saved for a card and not graded yet."""
        return await self.query(lambda store: store.draft(card_id))

    async def save_draft(self, card_id: str, text: str) -> None:
        await self.query(lambda store: store.save_draft(card_id, text))

    async def close(self) -> None:
        """Close the connection on its own thread, then let the thread go."""
        opened = self._store
        if opened is not None and opened.done() and opened.exception() is None:
            await self.run(opened.result().close)
        self._executor.shutdown(wait=False)
