"""Editing a hunk and rejecting it with a reason happen beside the hunk, never over it.

Driven by real key and mouse events on the demo window; the decision log is read back
through a fresh connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from helpers.proposals import proposal_of, text_change
from helpers.review_window import WAIT_MS, Review, new_window, reviewing, show
from vetline.ui.edit_panel import REFUSED, EditPanel
from vetline.ui.locked_lines_edit import LockedLinesEdit
from vetline.ui.syntax import SyntaxRole

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
PAGER_LINE = "    start = (page - 1) * page_size"  # the first pager hunk's one added line
NOTE = "demo-first-law-note"
BASE = "".join(f"line {n}\n" for n in range(1, 13))
# One hunk: a rewritten line, and three lines removed with nothing in their place.
REMOVING = BASE.replace("line 4\n", "line four\n").replace("line 6\nline 7\nline 8\n", "")


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def assert_beside_the_hunk(review: Review, panel: QWidget) -> None:
    """The panel is inside the window, and every row of the current hunk is fully on
    screen in the diff, none of them under the panel."""
    window, diff = review.window, review.window.diff
    assert panel.isVisible() and panel.window() is window
    assert diff.isVisible()
    viewport = diff.viewport()
    hunk_rows = diff.rows().hunk_rows(diff.current_hunk())
    assert len(hunk_rows) > 0
    panel_area = global_rect(panel)
    for row in hunk_rows:
        rect = diff.row_rect(row).toRect()
        assert rect.top() >= 0 and rect.bottom() < viewport.height(), f"row {row} off screen"
        on_screen = QRect(viewport.mapToGlobal(rect.topLeft()), rect.size())
        assert not on_screen.intersects(panel_area), f"row {row} is under the panel"
    assert not global_rect(viewport).intersects(panel_area)


def open_editor(review: Review) -> tuple[EditPanel, LockedLinesEdit]:
    review.press(Qt.Key.Key_E)
    panel = review.window.prompts.edit_panel
    review.qtbot.waitUntil(panel.isVisible, timeout=WAIT_MS)
    return panel, panel.editor


def go_to_line(review: Review, editor: LockedLinesEdit, text: str) -> None:
    """From the top, Down until the cursor's line is `text` (real keys)."""
    review.qtbot.keyClick(editor, Qt.Key.Key_Home, CTRL)
    for _ in range(editor.document().blockCount()):
        if editor.textCursor().block().text() == text:
            return
        review.qtbot.keyClick(editor, Qt.Key.Key_Down)
    raise AssertionError(f"no line {text!r}")


def foregrounds(editor: LockedLinesEdit, line: int) -> list[tuple[int, int, QColor]]:
    """The colours the highlighter gave a line: (start, length, colour)."""
    block = editor.document().findBlockByNumber(line)
    return [
        (each.start, each.length, each.format.foreground().color())
        for each in block.layout().formats()
    ]


def test_e_opens_the_editor_beside_the_hunk_with_numbers_colours_and_locked_context(
    review: Review,
) -> None:
    hunk = review.controller.current.hunk
    panel, editor = open_editor(review)
    assert QApplication.focusWidget() is editor
    assert not review.window.decision_bar.isVisible()  # the panel has its own buttons
    assert_beside_the_hunk(review, panel)

    lines = [editor.document().findBlockByNumber(n) for n in range(4)]
    assert [editor.line_number(block) for block in lines] == [19, 20, 21, 22]
    assert hunk.new_start == 19
    assert [editor.is_locked_at(block.position()) for block in lines] == [True] * 3 + [False]
    assert lines[3].text() == PAGER_LINE
    theme = editor.theme
    assert (0, len(lines[1].text()), theme.muted_text) in foregrounds(editor, 1)  # greyed
    number = theme.syntax[SyntaxRole.NUMBER]
    assert any(colour == number for _, _, colour in foregrounds(editor, 3))  # the "1"
    assert panel.accept_button.accessibleName() == "Accept as proposed"
    review.shot("30-edit-beside-the-hunk")
    review.shot("31-edit-panel", panel)


def test_a_taller_hunk_stays_in_sight_beside_its_editor(review: Review) -> None:
    review.go_to(NOTE)
    panel, editor = open_editor(review)
    assert editor.blockCount() == 14
    assert_beside_the_hunk(review, panel)
    assert editor.verticalScrollBar().maximum() == 0  # every line of it on screen, too
    review.shot("35-edit-a-taller-hunk")


def test_context_lines_refuse_every_edit(review: Review) -> None:
    panel, editor = open_editor(review)
    before = editor.toPlainText()
    qtbot = review.qtbot
    QApplication.clipboard().setText("pasted\ntext")

    go_to_line(review, editor, "    if page < 1:")  # a locked line
    review.type_text(editor, "xyz")
    for key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Return):
        qtbot.keyClick(editor, key)
    qtbot.keyClick(editor, Qt.Key.Key_V, CTRL)
    qtbot.keyClick(editor, Qt.Key.Key_End, SHIFT)
    qtbot.keyClick(editor, Qt.Key.Key_X, CTRL)
    assert editor.toPlainText() == before
    assert panel.message.text() == REFUSED

    go_to_line(review, editor, PAGER_LINE)  # editable, between two locked lines
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)  # would join it to the locked line above
    qtbot.keyClick(editor, Qt.Key.Key_End)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)  # would join the locked line below to it
    qtbot.keyClick(editor, Qt.Key.Key_Down, SHIFT)  # a selection reaching into context
    review.type_text(editor, "x")
    qtbot.keyClick(editor, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    assert editor.toPlainText() == before

    go_to_line(review, editor, PAGER_LINE)
    qtbot.keyClick(editor, Qt.Key.Key_End)
    review.type_text(editor, "  # from 0")
    assert editor.textCursor().block().text() == PAGER_LINE + "  # from 0"
    assert panel.accept_button.accessibleName() == "Accept edited"
    review.shot("32-edit-refused-context", panel)


def test_ctrl_enter_logs_edited_with_the_new_text(review: Review) -> None:
    hunk = review.controller.current.hunk
    panel, editor = open_editor(review)
    go_to_line(review, editor, PAGER_LINE)
    review.qtbot.keyClick(editor, Qt.Key.Key_End, SHIFT)
    review.type_text(editor, "    start = max(page - 1, 0) * page_size\n    assert start >= 0")
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=WAIT_MS):
        review.qtbot.keyClick(editor, Qt.Key.Key_Return, CTRL)

    expected = hunk.new_text.replace(
        PAGER_LINE + "\n",
        "    start = max(page - 1, 0) * page_size\n    assert start >= 0\n",
    )
    (row,) = review.rows()
    assert (row["verdict"], row["edited_text"]) == ("edited", expected)
    assert not panel.isVisible()
    assert review.window.decision_bar.isVisible()
    assert review.window.command_actions["review.accept_hunk"].isEnabled()
    assert review.controller.session.cursor == 1


def test_an_unedited_hunk_accepted_from_the_editor_is_a_plain_accept(review: Review) -> None:
    panel, _editor = open_editor(review)
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=WAIT_MS):
        review.qtbot.mouseClick(panel.accept_button, Qt.MouseButton.LeftButton)
    assert [(row["verdict"], row["edited_text"]) for row in review.rows()] == [("accepted", None)]


def test_escape_cancels_with_nothing_logged_and_keys_decide_again(review: Review) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    panel, editor = open_editor(review)
    go_to_line(review, editor, PAGER_LINE)
    review.type_text(editor, "changed my mind")
    review.qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert not panel.isVisible()
    assert review.window.decision_bar.isVisible()
    assert QApplication.focusWidget() is focused  # where the keys were before
    review.settle()
    assert review.rows() == []
    assert review.controller.session.cursor == 0

    review.press_and_wait(Qt.Key.Key_Y, CTRL)
    assert [row["verdict"] for row in review.rows()] == ["accepted"]
    _panel, editor = open_editor(review)  # the next hunk: nothing of the cancelled edit
    assert "changed my mind" not in editor.toPlainText()


def test_review_keys_decide_nothing_while_the_editor_is_open(review: Review) -> None:
    panel, editor = open_editor(review)
    before = editor.toPlainText()
    for key, modifiers in (
        (Qt.Key.Key_Y, CTRL),
        (Qt.Key.Key_N, CTRL),
        (Qt.Key.Key_N, CTRL | SHIFT),
        (Qt.Key.Key_Z, CTRL),
        (Qt.Key.Key_S, CTRL),
    ):
        review.qtbot.keyClick(editor, key, modifiers)
    assert editor.toPlainText() == before
    assert panel.isVisible() and not review.window.prompts.reason_panel.isVisible()

    review.window.diff.setFocus()  # the focus leaves the editor: still nothing decides
    for key, modifiers in ((Qt.Key.Key_Y, CTRL), (Qt.Key.Key_N, CTRL), (Qt.Key.Key_J, SHIFT)):
        review.qtbot.keyClick(review.window.diff, key, modifiers)
    review.qtbot.keyClick(review.window.diff, Qt.Key.Key_J)
    review.window.command_actions["review.accept_hunk"].trigger()  # as the menu would
    review.settle()
    assert review.rows() == []
    assert review.controller.session.cursor == 0
    assert panel.isVisible()


def test_moving_to_another_hunk_puts_the_edit_aside_and_e_picks_it_up(review: Review) -> None:
    first = review.controller.current
    _panel, editor = open_editor(review)
    go_to_line(review, editor, PAGER_LINE)
    review.qtbot.keyClick(editor, Qt.Key.Key_End)
    review.type_text(editor, "  # draft")

    queue = review.window.queue
    other = review.controller.session.items[2]
    row = queue.visualRect(queue.model().index_of(other)).center()
    review.qtbot.mouseClick(queue.viewport(), Qt.MouseButton.LeftButton, pos=row)
    assert review.controller.current is other
    assert not review.window.prompts.edit_panel.isVisible()
    assert "Edit put aside" in review.window.statusBar().currentMessage()
    review.settle()
    assert review.rows() == []

    review.go_to(first.proposal.id)
    assert review.controller.current is first
    _panel, editor = open_editor(review)
    assert PAGER_LINE + "  # draft" in editor.toPlainText().splitlines()


def test_reject_with_reason_asks_beside_the_hunk(review: Review) -> None:
    review.go_to(NOTE)
    review.press(Qt.Key.Key_N, CTRL | SHIFT)
    panel = review.window.prompts.reason_panel
    review.qtbot.waitUntil(panel.isVisible, timeout=WAIT_MS)
    assert QApplication.focusWidget() is panel.presets
    assert not panel.revise_button.isVisible()  # not a model's proposal
    assert_beside_the_hunk(review, panel)
    review.shot("33-reject-with-reason-beside-the-hunk")

    review.qtbot.keyClick(panel.presets, Qt.Key.Key_Y, CTRL)  # decides nothing here
    review.qtbot.keyClick(panel.presets, Qt.Key.Key_Down)  # "unsafe"
    panel.details.setFocus()
    review.type_text(panel.details, "flips the sign")
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=WAIT_MS):
        review.qtbot.keyClick(panel.details, Qt.Key.Key_Return)
    assert [(row["verdict"], row["reason"]) for row in review.rows()] == [
        ("rejected", "unsafe: flips the sign")
    ]
    assert not panel.isVisible()


def test_escape_closes_the_reason_panel_with_nothing_decided(review: Review) -> None:
    review.press(Qt.Key.Key_N, CTRL | SHIFT)
    panel = review.window.prompts.reason_panel
    review.qtbot.waitUntil(panel.isVisible, timeout=WAIT_MS)
    review.qtbot.keyClick(panel.presets, Qt.Key.Key_Escape)
    assert not panel.isVisible()
    review.settle()
    assert review.rows() == []
    review.press(Qt.Key.Key_N, CTRL | SHIFT)  # asked again: a fresh answer
    assert panel.presets.currentRow() == 0 and panel.details.text() == ""


def one_change(qtbot: QtBot, tmp_path: Path, path: str, base: str, new: str) -> Iterator[Review]:
    """A window on one proposal changing one file of a fresh workspace from `base` to `new`."""
    window, log = new_window(tmp_path)
    qtbot.addWidget(window)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / path).write_text(base, encoding="utf-8")
    change = text_change(path, base, new, pin_base=True)
    window.controller.open_proposals([proposal_of(change)], workspace)
    show(qtbot, window)
    yield from reviewing(Review(window, log, workspace, qtbot), handed_to_qtbot=True)


@pytest.fixture
def removing(qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop) -> Iterator[Review]:
    """One hunk that both rewrites and removes lines."""
    yield from one_change(qtbot, tmp_path, "f.txt", BASE, REMOVING)


@pytest.fixture
def long_hunk(qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop) -> Iterator[Review]:
    """One hunk adding 600 lines of Python, far more than fit on screen."""
    added = "".join(f"    total += {n}  # step {n}\n" for n in range(600))
    base = "def run():\n    total = 0\n    return total\n"
    new = base.replace("    return", added + "    return")
    yield from one_change(qtbot, tmp_path, "long.py", base, new)


def test_where_lines_were_only_removed_there_is_room_to_keep_some(removing: Review) -> None:
    review = removing
    _panel, editor = open_editor(review)
    blocks = [editor.document().findBlockByNumber(n) for n in range(editor.blockCount())]
    shown = [(block.text(), editor.line_number(block)) for block in blocks]
    assert shown == [
        ("line 1", 1),
        ("line 2", 2),
        ("line 3", 3),
        ("line four", 4),
        ("line 5", 5),
        ("", None),  # "3 lines removed here": no line of the new text, yet
        ("line 9", 6),
        ("line 10", 7),
        ("line 11", 8),
    ]
    review.shot("34-edit-room-where-lines-were-removed", review.window.prompts.edit_panel)
    go_to_line(review, editor, "")
    review.type_text(editor, "line 7, kept")
    assert editor.line_number(editor.textCursor().block()) == 6
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=WAIT_MS):
        review.qtbot.keyClick(editor, Qt.Key.Key_Return, CTRL)
    assert [row["verdict"] for row in review.rows()] == ["edited"]
    assert review.file("f.txt") == REMOVING.replace("line 5\n", "line 5\nline 7, kept\n")


def test_a_long_hunk_is_coloured_as_it_scrolls_into_view(long_hunk: Review) -> None:
    review = long_hunk
    _panel, editor = open_editor(review)
    number = editor.theme.syntax[SyntaxRole.NUMBER]
    last = editor.blockCount() - 2  # the last added line ("return total" is context)
    assert editor.document().findBlockByNumber(last).text() == "    total += 599  # step 599"
    assert any(colour == number for _, _, colour in foregrounds(editor, 2))  # on screen
    assert not foregrounds(editor, last)  # not lexed yet: it is far off screen
    review.qtbot.keyClick(editor, Qt.Key.Key_End, CTRL)
    review.qtbot.waitUntil(
        lambda: any(colour == number for _, _, colour in foregrounds(editor, last)),
        timeout=WAIT_MS,
    )


def test_an_answer_given_while_a_write_is_in_flight_waits_and_is_not_lost(review: Review) -> None:
    review.press(Qt.Key.Key_N, CTRL | SHIFT)
    panel = review.window.prompts.reason_panel
    review.qtbot.waitUntil(panel.isVisible, timeout=WAIT_MS)
    review.qtbot.keyClick(panel.presets, Qt.Key.Key_Down)  # "unsafe"
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=WAIT_MS):
        assert review.controller.undo()  # some other part of the app starts a write
        assert review.controller.busy
        review.qtbot.keyClick(panel.presets, Qt.Key.Key_Return)
        assert panel.isVisible()
        assert panel.message.text().startswith("Still writing the last verdict")
    assert review.rows() == []
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=WAIT_MS):
        review.qtbot.keyClick(panel.presets, Qt.Key.Key_Return)
    assert [(row["verdict"], row["reason"]) for row in review.rows()] == [("rejected", "unsafe")]
