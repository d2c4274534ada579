"""The window on `vetline OLD NEW`: the two files' diff, verdicts logged, nothing written."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from helpers.review_window import Review, new_window, reviewing, show
from vetline.adapters.compare import compare_files

CTRL = Qt.KeyboardModifier.ControlModifier
OLD = "def page(lines):\n    return lines[:10]\n\n\ndef title():\n    return 'Pager'\n"
NEW = "def page(lines):\n    return lines[:20]\n\n\ndef title():\n    return 'Pager'\n"


@pytest.fixture
def sides(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "pager.py.orig", tmp_path / "pager.py"
    old.write_text(OLD)
    new.write_text(NEW)
    return old, new


@pytest.fixture
def compared(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop, sides: tuple[Path, Path]
) -> Iterator[Review]:
    window, log = new_window(tmp_path)
    qtbot.addWidget(window)
    comparison = compare_files(str(sides[0]), str(sides[1]))
    assert comparison is not None
    window.controller.open_proposals([comparison], None)
    show(qtbot, window)
    yield from reviewing(Review(window, log, tmp_path, qtbot), handed_to_qtbot=True)


def test_a_comparison_is_reviewed_and_nothing_is_written(
    compared: Review, sides: tuple[Path, Path]
) -> None:
    [item] = compared.controller.session.items
    assert item.change.path == "pager.py"
    assert compared.controller.write_root is None  # read-only: no workspace
    compared.shot("compare-two-files")
    compared.press_and_wait(Qt.Key.Key_Y, CTRL)
    [row] = compared.rows()
    assert row["verdict"] == "accepted"
    assert sides[0].read_text() == OLD and sides[1].read_text() == NEW


def test_a_new_file_against_dev_null(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop, sides: tuple[Path, Path]
) -> None:
    window, log = new_window(tmp_path)
    qtbot.addWidget(window)
    comparison = compare_files(os.devnull, str(sides[1]))
    assert comparison is not None
    window.controller.open_proposals([comparison], None)
    show(qtbot, window)
    for review in reviewing(Review(window, log, tmp_path, qtbot), handed_to_qtbot=True):
        [item] = review.controller.session.items
        assert item.hunk.added == NEW.count("\n") and item.hunk.removed == 0
        review.shot("compare-new-file")
