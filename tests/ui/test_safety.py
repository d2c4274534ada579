"""Untrusted text stays plain everywhere, and every control has an accessible name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QStandardItemModel, Qt  # QtGui's Qt has mightBeRichText
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QWidget,
)
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS
from helpers.review_window import ARTIFACTS, WAIT_MS, Review
from helpers.widget_checks import assert_named, assert_plain
from vetline.adapters.decision_log import DecisionLog
from vetline.ui.app import build_window
from vetline.ui.command_palette import CommandPalette
from vetline.ui.main_window import MainWindow
from vetline.ui.shortcut_sheet import ShortcutSheet

HOSTILE = "<b>x</b><img src=x>"
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def hostile_proposal(folder: Path) -> Path:
    """A proposal whose every free-text field, and its path, holds markup."""
    target = f"src/{HOSTILE}.py"  # its "/"s make folders too: "src/<b>x<" and so on
    (folder / target).parent.mkdir(parents=True)
    (folder / target).write_text("a = 1\nb = 2\n", encoding="utf-8")
    document = {
        "vetline": 1,
        "proposals": [
            {
                "id": "hostile",
                "title": HOSTILE,
                "rationale": HOSTILE + " because " + HOSTILE,
                "task": HOSTILE,
                "agent": {"name": HOSTILE, "model": HOSTILE, "provider": HOSTILE},
                "changes": [{"path": target, "base": "a = 1\nb = 2\n", "new": "a = 1\nb = 3\n"}],
            }
        ],
    }
    source = folder / "hostile.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    return source


def model_tooltips(model: QStandardItemModel) -> Iterator[str]:
    def walk(parent: QModelIndex) -> Iterator[str]:
        for row in range(model.rowCount(parent)):
            for column in range(model.columnCount(parent)):
                index = model.index(row, column, parent)
                yield str(index.data(Qt.ItemDataRole.ToolTipRole) or "")
            yield from walk(model.index(row, 0, parent))

    yield from walk(QModelIndex())


@pytest.fixture
def hostile_window(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> Iterator[MainWindow]:
    source = hostile_proposal(tmp_path / "workspace")
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        window = build_window(log)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.controller.command_finished, timeout=WAIT_MS):
            window.controller.load_sources([str(source)], tmp_path / "workspace")
        window.show()
        qtbot.waitUntil(lambda: not window.controller.has_pending_work(), timeout=WAIT_MS)
        yield window
        window.close()
        window.controller.gateway.shutdown()


def test_markup_in_a_proposal_is_shown_as_text(hostile_window: MainWindow, qtbot: QtBot) -> None:
    window = hostile_window
    assert window.details.title.text() == HOSTILE  # the characters themselves, not bold
    assert HOSTILE in window.details.byline.text()
    assert window.file_header.text().startswith(f"src/{HOSTILE}.py")
    assert_plain(window)
    assert all(not Qt.mightBeRichText(tip) for tip in model_tooltips(window.queue.model()))
    tooltips = [action.toolTip() for action in window.command_actions.values()]
    assert all(not Qt.mightBeRichText(tip) for tip in tooltips)

    for command_id, panel in (
        ("review.reject_with_reason", window.prompts.reason_panel),
        ("review.edit_hunk", window.prompts.edit_panel),
    ):
        window.command_actions[command_id].trigger()
        assert panel.isVisible()
        assert_plain(panel)
        panel_text = "\n".join(label.text() for label in panel.findChildren(QLabel))
        assert f"src/{HOSTILE}.py" in panel_text  # the path itself, as characters
        qtbot.keyClick(panel, Qt.Key.Key_Escape)
        assert not panel.isVisible()
    assert "b = 3" in window.prompts.edit_panel.editor.toPlainText()  # the hunk, as text


def test_accept_rest_confirmation_shows_the_title_as_text(hostile_window: MainWindow) -> None:
    hostile_window.command_actions["review.accept_rest"].trigger()
    box = hostile_window.prompts.last_dialog
    assert box is not None
    assert_plain(box)
    assert any(HOSTILE in label.text() for label in box.findChildren(QLabel))
    box.reject()


def test_every_control_has_an_accessible_name(review: Review) -> None:
    assert_named(review.window)
    review.window.banner.show_problem("a problem")
    assert_named(review.window)
    for command_id, panel in (
        ("review.reject_with_reason", review.window.prompts.reason_panel),
        ("review.edit_hunk", review.window.prompts.edit_panel),
    ):
        review.window.command_actions[command_id].trigger()
        assert panel.isVisible()
        assert_named(panel)
        review.qtbot.keyClick(panel, Qt.Key.Key_Escape)
    dialogs: list[QDialog] = [
        CommandPalette(review.window.command_actions, review.window),
        ShortcutSheet(review.window.command_actions, review.window),
    ]
    for dialog in dialogs:
        assert_named(dialog)
        dialog.deleteLater()
    review.window.command_actions["review.accept_rest"].trigger()
    box = review.window.prompts.last_dialog
    assert box is not None
    assert_named(box)
    box.reject()


def test_the_main_controls_are_reachable_with_tab(review: Review) -> None:
    window = review.window
    for widget in (
        window.queue,
        window.diff,
        window.slider.slider,
        window.decision_bar.buttons["review.accept_hunk"],
        window.decision_bar.buttons["review.reject_hunk"],
    ):
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.accessibleName()
    # Every command is reachable from the keyboard: a key, or a menu entry (Alt, arrows).
    in_menus = {
        action.objectName()
        for menu in window.menuBar().findChildren(QWidget)
        for action in menu.actions()
    }
    for command_id, action in window.command_actions.items():
        assert action.shortcuts() or command_id in in_menus, command_id


def test_the_empty_state_is_named_and_plain(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        window = build_window(log)
        qtbot.addWidget(window)
        assert window.pages.currentWidget() is window.empty_state
        assert_named(window)
        assert_plain(window)
        window.controller.gateway.shutdown()


def test_opening_a_workspace_finishes_a_crashed_write_and_says_so(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    from vetline.adapters.demo import prepare_demo
    from vetline.adapters.files.workspace import JOURNAL_FOLDER
    from vetline.core.model import sha256_hex

    workspace, proposals = prepare_demo(tmp_path / "data")
    target = workspace / "README.md"
    old, new = target.read_bytes(), b"finished after the crash\n"
    (workspace / ".README.md.vetline-tmp-1").write_bytes(new)
    step = {
        "path": "README.md",
        "temp": ".README.md.vetline-tmp-1",
        "backup": None,
        "old_sha256": sha256_hex(old),
        "new_sha256": sha256_hex(new),
    }
    journals = tmp_path / JOURNAL_FOLDER
    journals.mkdir()
    (journals / "write-1.json").write_text(
        json.dumps({"format": 1, "root": str(workspace), "steps": [step]}), encoding="utf-8"
    )
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        window = build_window(log)
        qtbot.addWidget(window)
        with qtbot.waitExposed(window, timeout=HANG_GUARD_MS):
            window.show()
        window.controller.open_proposals(proposals, workspace, demo=True)
        assert target.read_bytes() == new
        assert window.banner.message() == ("Finished a write a crash had interrupted: README.md.")
        assert list(journals.iterdir()) == []
        ARTIFACTS.mkdir(exist_ok=True)
        window.grab().save(str(ARTIFACTS / "journal-finished-banner.png"))
        window.controller.gateway.shutdown()
