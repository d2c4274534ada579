"""The window's coroutines on the Qt loop: each kept until done, a failure said in words.

asyncio keeps only a weak reference to a task, so a coroutine started and forgotten
could be collected half-way; and closing the window waits for every one to end.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine

_log = logging.getLogger(__name__)


class WindowTasks:
    """The coroutines started for the window; `report` says a failure (for the banner)."""

    def __init__(self, report: Callable[[str], None]) -> None:
        self._report = report
        self._tasks: set[asyncio.Future[None]] = set()
        self._waiters: set[asyncio.Future[None]] = set()

    def start(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Future[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            _log.error("background task failed", exc_info=error)
            self._report(f"Something went wrong: {error}")

    @property
    def pending(self) -> bool:
        return bool(self._tasks)

    def call_when_idle(self, callback: Callable[[], None]) -> None:
        """Run `callback` once every task started so far (and any they start) is done."""

        async def wait_then_call() -> None:
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
            callback()

        waiter = asyncio.ensure_future(wait_then_call())
        self._waiters.add(waiter)  # asyncio keeps only a weak reference to a task
        waiter.add_done_callback(self._waiters.discard)
