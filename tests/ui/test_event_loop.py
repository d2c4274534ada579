"""The window's loop closes a dropped async generator as a task on itself, as asyncio does."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator

import qasync
from pytestqt.qtbot import QtBot

from helpers.review_window import WAIT_MS


def test_a_generator_dropped_half_way_is_closed_on_the_loop(
    qtbot: QtBot, qt_loop: qasync.QEventLoop
) -> None:
    """A stream cut off (a cancelled answer) leaves its generators half-way: the collector
    must not close them outside a task, where an HTTP stream's clean-up cannot run."""
    closed_in: list[asyncio.Task[object] | None] = []

    async def chunks() -> AsyncIterator[int]:
        try:
            for number in range(10):
                yield number
                await asyncio.sleep(0)
        finally:
            closed_in.append(asyncio.current_task())

    async def read_one() -> int:
        stream = chunks()
        first = await anext(stream)
        # Dropped half-way, as a cancelled answer drops its stream, and (as there) held in
        # a reference cycle: only the collector frees it, later, outside this task.
        holder: dict[str, object] = {"stream": stream}
        holder["itself"] = holder
        return first

    task = qt_loop.create_task(read_one())
    qtbot.waitUntil(task.done, timeout=WAIT_MS)
    assert task.result() == 0
    del task
    gc.collect()

    qtbot.waitUntil(lambda: bool(closed_in), timeout=WAIT_MS)
    assert isinstance(closed_in[0], asyncio.Task)  # closed by the loop, inside a task
