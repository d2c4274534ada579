"""The keymap as Qt sees it: every key parses, none is bound twice, overrides take effect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from helpers import REPO_ROOT
from helpers.review_window import Review, open_review
from vetline.adapters.config import load_settings
from vetline.adapters.decision_log import DecisionLog
from vetline.core.commands import COMMANDS, DEFAULT_KEYMAP, conflicts
from vetline.ui.actions import bound_keys, key_sequence
from vetline.ui.app import build_window

UI = REPO_ROOT / "app" / "vetline" / "ui"
OVERRIDES = """
[keys]
"review.accept_hunk" = ["Ctrl+Y", "A"]
"review.reject_hunk" = "X"
"view.toggle_layout" = []
"""


def test_no_key_is_bound_twice_in_one_context(review: Review) -> None:
    actions = review.window.command_actions
    built = {command_id: bound_keys(action) for command_id, action in actions.items()}
    assert built == dict(DEFAULT_KEYMAP)
    assert conflicts(built) == []
    # And as Qt will match them: one enabled action per key sequence in the window.
    owners: dict[str, str] = {}
    for command_id, action in review.window.command_actions.items():
        if not action.isEnabled():
            continue
        for sequence in action.shortcuts():
            text = sequence.toString(QKeySequence.SequenceFormat.PortableText)
            assert text not in owners, f"{text}: {owners[text]} and {command_id}"
            owners[text] = command_id


@pytest.mark.parametrize(
    "key", sorted({key for keys in DEFAULT_KEYMAP.values() for key in keys} | {"A", "X"})
)
def test_every_key_parses_to_one_non_empty_key_sequence(key: str) -> None:
    sequence = key_sequence(key)
    assert sequence.count() == 1
    assert sequence[0].key() not in (Qt.Key.Key_unknown, 0)
    assert not sequence.isEmpty()


def test_every_command_has_exactly_one_action(review: Review) -> None:
    assert sorted(review.window.command_actions) == sorted(command.id for command in COMMANDS)
    for command in COMMANDS:
        action = review.window.command_actions[command.id]
        assert action.objectName() == command.id
        assert action.text() == command.title


def test_widgets_never_set_shortcuts_themselves() -> None:
    """Keys are data: only ui/actions.py turns them into shortcuts."""
    offenders = [
        path.name
        for path in sorted(UI.glob("*.py"))
        if path.name != "actions.py"
        and re.search(r"\.setShortcuts?\(|QShortcut\(", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_user_overrides_from_the_settings_file_rebind_keys(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(OVERRIDES, encoding="utf-8")
    settings = load_settings(settings_file)
    assert conflicts(settings.keys) == []
    for review in open_review(qtbot, tmp_path, settings=settings):
        actions = review.window.command_actions
        assert bound_keys(actions["review.accept_hunk"]) == ("Ctrl+Y", "A")
        assert actions["view.toggle_layout"].shortcuts() == []
        review.press_and_wait(Qt.Key.Key_A)
        review.press_and_wait(Qt.Key.Key_X)
        assert [row["verdict"] for row in review.rows()] == ["accepted", "rejected"]
        review.press(Qt.Key.Key_V)  # unbound now: the layout stays
        assert review.window.diff.diff_layout().value == "unified"


def test_the_decision_buttons_show_the_keys_in_force(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(OVERRIDES, encoding="utf-8")
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        window = build_window(log, load_settings(settings_file))
        qtbot.addWidget(window)
        assert window.decision_bar.buttons["review.reject_hunk"].text().endswith("X")
        assert "Keys: Ctrl+Y or A" in window.command_actions["review.accept_hunk"].toolTip()
        window.controller.gateway.shutdown()
