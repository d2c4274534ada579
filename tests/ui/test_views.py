"""The shortcut sheet, the command palette, the layouts and themes — and their screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QTreeWidgetItemIterator
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS
from helpers.review_window import ARTIFACTS, Review
from vetline.adapters.decision_log import DecisionLog
from vetline.core.commands import COMMANDS
from vetline.ui.app import build_window
from vetline.ui.command_palette import CommandPalette
from vetline.ui.diff_rows import DiffLayout
from vetline.ui.shortcut_sheet import ShortcutSheet

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.mark.parametrize("key", [Qt.Key.Key_F1, Qt.Key.Key_Question])
def test_the_shortcut_sheet_lists_every_command_with_its_keys(review: Review, key: Qt.Key) -> None:
    review.press(key)
    sheet = review.dialog(ShortcutSheet)
    rows: dict[str, str] = {}
    iterator = QTreeWidgetItemIterator(sheet.table)
    while item := iterator.value():
        if item.parent() is not None:
            rows[item.text(0)] = item.text(1)
        iterator += 1
    assert set(rows) == {command.title for command in COMMANDS}
    assert rows["Accept hunk"] == "Ctrl+Y"
    assert rows["Next hunk"] == "J or Down"
    assert rows["Keyboard shortcuts"] == "F1 or ?"
    if key == Qt.Key.Key_F1:
        review.shot("09-shortcut-sheet", sheet)
    sheet.reject()


def test_the_command_palette_filters_as_you_type_and_enter_runs(review: Review) -> None:
    review.go_to("demo-first-law-note")
    review.press(Qt.Key.Key_P, CTRL | SHIFT)
    palette = review.dialog(CommandPalette)
    shown = palette.items()
    assert [item.text(0) for item in shown] == [command.title for command in COMMANDS]
    review.shot("10-command-palette", palette)
    review.qtbot.keyClicks(palette.filter, "split")
    visible = [(item.text(0), item.text(1)) for item in shown if not item.isHidden()]
    assert visible == [("Split hunk", "S")]
    review.qtbot.keyClick(palette.filter, Qt.Key.Key_Return)
    review.qtbot.waitUntil(lambda: len(review.controller.session.items) == 9, timeout=HANG_GUARD_MS)
    assert review.window.statusBar().currentMessage() == "Split into 2 hunks"


def test_disabled_commands_cannot_be_run_from_the_palette(review: Review) -> None:
    review.press(Qt.Key.Key_P, CTRL | SHIFT)
    palette = review.dialog(CommandPalette)
    review.qtbot.keyClicks(palette.filter, "image swipe")
    assert palette.selected_command() is None  # no image in this queue
    palette.reject()


def test_v_toggles_side_by_side(review: Review) -> None:
    review.press(Qt.Key.Key_V)
    assert review.window.diff.diff_layout() is DiffLayout.SIDE_BY_SIDE
    review.shot("07-side-by-side")
    review.press(Qt.Key.Key_V)
    assert review.window.diff.diff_layout() is DiffLayout.UNIFIED


def test_level_keys_move_the_slider_and_recheck_the_queue(review: Review) -> None:
    review.press(Qt.Key.Key_BracketRight)
    review.press(Qt.Key.Key_BracketRight)
    assert review.window.slider.slider.value() == 4
    assert review.window.slider.value_label.text() == "4 · Repo"
    assert not any("over the leash" in state for _, state in review.window.queue.state_words())
    review.press(Qt.Key.Key_BracketLeft)
    review.press(Qt.Key.Key_BracketLeft)
    review.press(Qt.Key.Key_BracketLeft)
    assert review.controller.session.level == 1
    states = dict(review.window.queue.state_words())
    assert states["Fix the off-by-one in paginate() and a crash on missing entries"] == (
        "0/2 · over the leash"
    )


@pytest.fixture
def dark_palette(qapp: QApplication) -> Iterator[None]:
    saved = qapp.palette()
    dark = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#25272b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1d1f22"),
        (QPalette.ColorRole.AlternateBase, "#26292d"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.Button, "#313439"),
        (QPalette.ColorRole.ButtonText, "#e6e6e6"),
        (QPalette.ColorRole.Highlight, "#3d7bd9"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.Mid, "#55595f"),
        (QPalette.ColorRole.ToolTipBase, "#313439"),
        (QPalette.ColorRole.ToolTipText, "#e6e6e6"),
        (QPalette.ColorRole.PlaceholderText, "#8a8f98"),
    ):
        dark.setColor(role, QColor(colour))
    qapp.setPalette(dark)
    yield
    qapp.setPalette(saved)


def test_the_queue_model_answers_both_of_qts_parent_questions(review: Review) -> None:
    """With no index: the view that owns it. With one: the row above it."""
    queue = review.window.queue
    model = queue.model()
    assert model.parent() is queue
    proposal = model.index(0, 0)
    file = model.index(0, 0, proposal)
    hunk = model.index(0, 0, file)
    assert hunk.isValid()
    assert model.parent(hunk) == file
    assert model.parent(file) == proposal
    assert not model.parent(proposal).isValid()


def test_the_window_follows_a_dark_palette(review: Review, dark_palette: None) -> None:
    review.go_to("demo-first-law-note")
    review.press_and_wait(Qt.Key.Key_Y, CTRL)  # a verdict, so the queue shows a state
    review.go_to("demo-retry-downloads")
    review.press_and_wait(Qt.Key.Key_Y, CTRL)  # and a banner
    review.shot("08-dark-palette")
    base = review.window.queue.palette().color(QPalette.ColorRole.Base)
    assert base.lightness() < 80  # no hard-coded white background


def test_the_empty_state_says_how_to_add_proposals(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        window = build_window(log)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        with qtbot.waitExposed(window, timeout=HANG_GUARD_MS):
            window.show()
        words = " ".join(
            label.text() for label in window.empty_state.findChildren(type(window.summary))
        )
        assert "vetline review FILE" in words
        assert "drag and drop" in words
        assert "Ctrl+O" in words
        ARTIFACTS.mkdir(exist_ok=True)
        qtbot.wait(50)
        window.grab().save(str(ARTIFACTS / "11-empty-state.png"))
        window.close()
        window.controller.gateway.shutdown()
