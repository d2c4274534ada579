"""Asking "accept without reading?" (off by default): the answer decides, the log says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from helpers.review_window import WAIT_MS, Review, open_review
from vetline.core.settings import settings_from_document

CTRL = Qt.KeyboardModifier.ControlModifier


# Every hunk counts as unread for ten minutes, however slow the machine running the test.
SLOW_READER = {"reading_floor_ms": 600_000}


@pytest.fixture
def asking(qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop) -> Iterator[Review]:
    """Asks about every hunk over one changed line."""
    settings = settings_from_document({"review": {**SLOW_READER, "ask_unread_above_lines": 1}})
    yield from open_review(qtbot, tmp_path, settings)


@pytest.fixture
def not_asking(qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop) -> Iterator[Review]:
    yield from open_review(qtbot, tmp_path, settings_from_document({"review": SLOW_READER}))


def test_a_too_fast_accept_asks_and_a_yes_is_logged_as_a_rubber_stamp(asking: Review) -> None:
    asking.press(Qt.Key.Key_Y, CTRL)
    box = asking.window.prompts.last_dialog
    assert box is not None and box.objectName() == "confirmUnread"
    assert "Accept it without reading?" in box.text()
    asking.shot("stats-accept-without-reading", box)
    assert asking.rows() == []  # nothing decided on the first press
    with asking.qtbot.waitSignal(asking.controller.command_finished, timeout=WAIT_MS):
        asking.click_yes(box)
    (row,) = asking.rows()
    assert (row["verdict"], row["rubber_stamp"]) == ("accepted", 1)


def test_cancelling_the_question_decides_nothing(asking: Review) -> None:
    asking.press(Qt.Key.Key_Y, CTRL)
    box = asking.window.prompts.last_dialog
    assert box is not None and box.objectName() == "confirmUnread"
    asking.qtbot.keyClick(box, Qt.Key.Key_Escape)
    asking.qtbot.waitUntil(lambda: not box.isVisible(), timeout=WAIT_MS)
    assert asking.rows() == []
    assert asking.controller.current.state.value == "pending"


def test_by_default_nothing_asks_and_a_quick_accept_is_flagged(not_asking: Review) -> None:
    not_asking.press_and_wait(Qt.Key.Key_Y, CTRL)
    assert not_asking.window.prompts.last_dialog is None
    (row,) = not_asking.rows()
    assert (row["verdict"], row["rubber_stamp"]) == ("accepted", 1)
