"""Deciding in the diff itself, through the real window: inline buttons, the right-click
menu, folds that open by click and by key, and verdicts marked on their hunks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS
from helpers.proposals import proposal_of, text_change
from helpers.review_window import WAIT_MS, Review, open_proposals_review
from vetline.core.session import HunkState
from vetline.core.settings import settings_from_document
from vetline.ui.diff_paint import HunkButton
from vetline.ui.diff_rows import RowKind
from vetline.ui.diff_view import DiffView

CTRL = Qt.KeyboardModifier.ControlModifier
LEDGER = "src/ledger.py"


def ledger_texts() -> tuple[str, str]:
    """A 70-line module and an agent's edit of it in four places, far enough apart to fold."""
    lines = ['"""Ledger entries and their totals."""\n', "\n", "from decimal import Decimal\n"]
    for n in range(1, 68):
        lines.append(f"RATE_{n} = Decimal('{n}.00')  # the rate for band {n}\n")
    new = list(lines)
    new[5] = "RATE_3 = Decimal('3.50')  # the rate for band 3, raised in May\n"
    new[22] = "RATE_20 = Decimal('20.00')  # the rate for band 20 (checked)\n"
    new[40:41] = ["RATE_38 = Decimal('38.00')\n", "RATE_38B = Decimal('38.50')  # a new band\n"]
    del new[61]
    return "".join(lines), "".join(new)


@pytest.fixture
def ledger(qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop) -> Iterator[Review]:
    """One file with four hunks, at level 4 so the leash lets it through whole."""
    base, new = ledger_texts()
    workspace = tmp_path / "workspace"
    (workspace / "src").mkdir(parents=True)
    (workspace / LEDGER).write_text(base, encoding="utf-8")
    proposal = proposal_of(text_change(LEDGER, base, new), title="Adjust ledger rates")
    settings = settings_from_document({"review": {"level": 4}})
    yield from open_proposals_review(qtbot, tmp_path, [proposal], workspace, settings)


def diff_of(review: Review) -> DiffView:
    return review.window.diff


def header_centre(view: DiffView, hunk: int) -> QPoint:
    row = view.rows().hunk_rows(hunk).start
    if row not in view.visible_rows():
        view.verticalScrollBar().setValue(max(0, row - 2))
    return view.row_rect(row).center().toPoint()


def click_inline(review: Review, hunk: int, button: HunkButton) -> None:
    """Point at the hunk's header (its buttons appear), then click one of them."""
    view = diff_of(review)
    review.qtbot.mouseMove(view.viewport(), header_centre(view, hunk))
    review.qtbot.waitUntil(
        lambda: view.button_rect(hunk, button) is not None, timeout=HANG_GUARD_MS
    )
    rect = view.button_rect(hunk, button)
    assert rect is not None
    review.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center().toPoint())


def right_click(review: Review, widget_point: QPoint) -> None:
    """A right click through the window system, as a mouse sends it (so Qt makes the
    context-menu event itself)."""
    view = diff_of(review)
    window = view.window()
    handle = window.windowHandle()
    assert handle is not None
    at = view.viewport().mapTo(window, widget_point)
    QTest.mouseClick(handle, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, at)


def verdicts(review: Review) -> list[tuple[str, str]]:
    return [(str(row["hunk_id"]), str(row["verdict"])) for row in review.rows()]


def test_the_inline_accept_decides_the_hunk_it_sits_on(ledger: Review) -> None:
    view = diff_of(ledger)
    items = ledger.controller.session.items
    assert view.current_hunk() == 0
    with ledger.qtbot.waitSignal(ledger.controller.command_finished, timeout=WAIT_MS):
        click_inline(ledger, 2, HunkButton.ACCEPT)
    assert verdicts(ledger) == [(items[2].hunk.id, "accepted")]
    assert view.hunk_state(2) is HunkState.ACCEPTED
    assert view.hunk_marks(2)[0] == "✓ Accepted" and view.is_dimmed(2)
    assert not view.is_dimmed(0) and view.hunk_marks(0) == ()

    with ledger.qtbot.waitSignal(ledger.controller.command_finished, timeout=WAIT_MS):
        click_inline(ledger, 1, HunkButton.REJECT)
    assert verdicts(ledger)[-1] == (items[1].hunk.id, "rejected")
    assert view.hunk_marks(1)[0] == "✗ Rejected" and view.is_dimmed(1)
    assert view.current_hunk() == 3  # on to the one still undecided


def test_a_decided_hunk_offers_no_inline_buttons(ledger: Review) -> None:
    view = diff_of(ledger)
    ledger.press_and_wait(Qt.Key.Key_Y, CTRL)
    assert view.current_hunk() == 1  # moved on
    ledger.qtbot.mouseMove(view.viewport(), header_centre(view, 0))
    ledger.qtbot.waitUntil(
        lambda: view.button_rect(1, HunkButton.ACCEPT) is not None, timeout=HANG_GUARD_MS
    )
    assert view.button_rect(0, HunkButton.ACCEPT) is None  # accepted: its badge instead


def test_an_inline_click_while_a_write_runs_does_nothing(ledger: Review) -> None:
    view, controller = diff_of(ledger), ledger.controller
    gate = threading.Event()
    controller.start(controller.exclusive(gate.wait))  # holds the I/O lane, as a write does
    ledger.qtbot.waitUntil(lambda: controller.busy, timeout=HANG_GUARD_MS)
    try:
        click_inline(ledger, 2, HunkButton.ACCEPT)
        click_inline(ledger, 3, HunkButton.REJECT)
        ledger.shot("diff-inline-buttons-while-writing", view)
    finally:
        gate.set()
    ledger.qtbot.waitUntil(lambda: not controller.busy, timeout=WAIT_MS)
    ledger.settle()
    assert verdicts(ledger) == []
    assert [view.hunk_state(i) for i in range(4)] == [HunkState.PENDING] * 4
    assert controller.session.cursor == 0


def test_the_context_menu_lists_the_window_commands_for_the_hunk_clicked(
    ledger: Review,
) -> None:
    view, actions = diff_of(ledger), ledger.window.command_actions
    rows = view.rows().hunk_rows(1)
    right_click(ledger, view.row_rect(rows.start + 2).center().toPoint())
    menu = view.context_menu
    assert menu is not None
    ledger.qtbot.waitUntil(menu.isVisible, timeout=HANG_GUARD_MS)
    assert ledger.controller.session.cursor == 1  # the hunk under the pointer is current
    shown = [action for action in menu.actions() if not action.isSeparator()]
    assert all(action is actions[action.objectName()] for action in shown)  # the same actions
    titles = [action.text() for action in shown]
    for title in ("Accept hunk", "Reject hunk", "Reject with reason…", "Edit hunk…"):
        assert title in titles
    assert "Show / hide unchanged lines" in titles  # there are folds around hunk 2
    assert "Split hunk" not in titles  # one run of changes: nothing to split at
    assert not any(title.startswith("Image") for title in titles)  # disabled: not offered
    ledger.shot("diff-context-menu")
    ledger.shot("diff-context-menu-open", menu)  # a popup is a window of its own

    reject = actions["review.reject_hunk"]
    with ledger.qtbot.waitSignal(ledger.controller.command_finished, timeout=WAIT_MS):
        ledger.qtbot.mouseClick(
            menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(reject).center()
        )
    assert verdicts(ledger) == [(ledger.controller.session.items[1].hunk.id, "rejected")]


def test_a_fold_opens_on_click_and_shows_the_base_lines(ledger: Review) -> None:
    view = diff_of(ledger)
    base = ledger_texts()[0].splitlines(keepends=True)
    gap_row = view.rows().hunk_rows(1).start - 1
    fold = view.rows()[gap_row]
    assert fold.kind is RowKind.SEPARATOR and fold.hidden_lines > 0
    centre = view.row_rect(gap_row).center().toPoint()
    ledger.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert view.rows().opened == {1}
    fold_row, *opened = [view.rows()[row] for row in view.rows().gap_rows(1)]
    assert fold_row.kind is RowKind.SEPARATOR  # stays, to fold the lines again
    assert len(opened) == fold.hidden_lines
    assert all(row.kind is RowKind.CONTEXT for row in opened)
    first_hunk = ledger.controller.session.items[0].hunk
    assert opened[0].old_number == first_hunk.old_start + first_hunk.old_lines
    assert base[opened[0].old_number - 1].startswith("RATE_")
    ledger.shot("diff-fold-opened", view)

    ledger.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert view.rows().opened == set()  # a second click folds them again


def test_c_opens_and_folds_the_lines_around_the_current_hunk(ledger: Review) -> None:
    view = diff_of(ledger)
    ledger.press(Qt.Key.Key_J)
    assert view.current_hunk() == 1
    folded = len(view.rows())
    ledger.press(Qt.Key.Key_C)
    assert view.rows().opened == {1, 2}
    hidden = view.rows().hidden_lines(1) + view.rows().hidden_lines(2)
    assert len(view.rows()) == folded + hidden
    header = view.rows().hunk_rows(1).start
    assert header in view.visible_rows()  # the hunk stayed in sight
    ledger.press(Qt.Key.Key_C)
    assert view.rows().opened == set()


def test_verdicts_are_marked_on_their_hunks(ledger: Review) -> None:
    """Accepted, rejected, edited and pending side by side in one file, for the eye."""
    view = diff_of(ledger)
    ledger.press_and_wait(Qt.Key.Key_Y, CTRL)  # hunk 1 accepted
    ledger.press_and_wait(Qt.Key.Key_N, CTRL)  # hunk 2 rejected
    ledger.press(Qt.Key.Key_E)  # hunk 3 edited
    editor = ledger.window.prompts.edit_panel.editor
    ledger.qtbot.waitUntil(editor.isVisible, timeout=HANG_GUARD_MS)
    ledger.select_in_line(editor, "38.50")
    ledger.type_text(editor, "38.75")
    with ledger.qtbot.waitSignal(ledger.controller.command_finished, timeout=WAIT_MS):
        ledger.qtbot.keyClick(editor, Qt.Key.Key_Enter, CTRL)
    assert [view.hunk_state(i) for i in range(4)] == [
        HunkState.ACCEPTED,
        HunkState.REJECTED,
        HunkState.EDITED,
        HunkState.PENDING,
    ]
    assert [view.hunk_marks(i)[:1] for i in range(4)] == [
        ("✓ Accepted",),
        ("✗ Rejected",),
        ("✎ Edited",),
        (),
    ]
    assert [view.is_dimmed(i) for i in range(4)] == [True, True, True, False]
    view.verticalScrollBar().setValue(0)
    ledger.window.diff.setFocus()
    ledger.qtbot.mouseMove(view.viewport(), QPointF(10, 10).toPoint())
    ledger.shot("diff-verdicts-unified")
    ledger.press(Qt.Key.Key_V)
    view.verticalScrollBar().setValue(0)
    ledger.shot("diff-verdicts-side-by-side")
