"""Every test here needs Qt (marked `gui`): a qasync loop inside pytest-qt, the demo window."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_S
from helpers.review_window import Review, open_review
from vetline.ui.event_loop import window_loop


def close_dropped_async_generators(qapp: QApplication, loop: asyncio.AbstractEventLoop) -> None:
    """Close, on the loop, the async generators a test left unfinished (a stream cut off)
    before the loop goes, as asyncio.run does: collected later, outside any task, their
    clean-up would fail in whichever test the collector happened to run."""
    closed = loop.create_task(loop.shutdown_asyncgens())
    give_up = time.monotonic() + HANG_GUARD_S  # a hang guard, not a budget
    while not closed.done() and time.monotonic() < give_up:
        qapp.processEvents()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests of this folder `gui` (`-m "not gui"` runs the rest without Qt)."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def qt_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """The window's loop on pytest-qt's running app (qtbot.waitSignal drives it)."""
    previous_hooks = sys.get_asyncgen_hooks()
    loop = window_loop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    close_dropped_async_generators(qapp, loop)
    sys.set_asyncgen_hooks(*previous_hooks)
    # Not loop.stop(): it calls QApplication.exit(), after which Qt refuses to run any
    # event loop again (pytest-qt's waits would return at once in later tests).
    qapp.aboutToQuit.disconnect(loop._after_run_forever)
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    loop._after_run_forever()
    asyncio.events._set_running_loop(None)
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def review(qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop) -> Iterator[Review]:
    """The demo queue in a real window, level 2, default keys."""
    yield from open_review(qtbot, tmp_path)
