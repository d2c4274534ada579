"""The real demo window for the window tests, and the Review that drives it with keys.

Real parts throughout: the real decision log (SQLite under tmp_path), the real demo
workspace made by prepare_demo, the real background-work gateway. Keys are real key
events sent to the window, so the shortcuts built by ui.actions are what runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS, REPO_ROOT
from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.demo import prepare_demo
from vetline.core.model import Proposal
from vetline.core.settings import Settings
from vetline.ui.app import build_window
from vetline.ui.main_window import MainWindow
from vetline.ui.tasks import BackgroundWork

ARTIFACTS = REPO_ROOT / "test-artifacts"
WAIT_MS = HANG_GUARD_MS


@dataclass
class Review:
    """The demo window and the real things behind it."""

    window: MainWindow
    log: DecisionLog
    workspace: Path
    qtbot: QtBot

    @property
    def controller(self):  # type: ignore[no-untyped-def]
        return self.window.controller

    def rows(self) -> list[dict[str, object]]:
        """The decision log as another reader sees it: a fresh connection."""
        with DecisionLog(self.log.path) as reader:
            return list(reader.rows())

    def press(
        self, key: Qt.Key | str, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        """A real key event to the window, as the reviewer's keyboard would send it."""
        self.activate()
        self.qtbot.keyClick(self.window, key, modifiers)

    def activate(self) -> None:
        # The offscreen platform does not hand activation back when a dialog closes.
        if QApplication.activeWindow() is not self.window:
            self.window.activateWindow()
            self.qtbot.waitUntil(
                lambda: QApplication.activeWindow() is self.window, timeout=HANG_GUARD_MS
            )

    def press_and_wait(
        self, key: Qt.Key | str, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        """Press a key that starts a write, and wait for it to be logged (and written)."""
        with self.qtbot.waitSignal(self.controller.command_finished, timeout=WAIT_MS):
            self.press(key, modifiers)

    def settle(self) -> None:
        self.qtbot.waitUntil(lambda: not self.controller.has_pending_work(), timeout=WAIT_MS)

    def go_to(self, proposal_id: str, hunk_number: int = 1) -> None:
        """Move with J / K (real keys) to a proposal's n-th hunk."""
        items = self.controller.session.items
        target = [i for i, item in enumerate(items) if item.proposal.id == proposal_id][
            hunk_number - 1
        ]
        while self.controller.session.cursor < target:
            self.press(Qt.Key.Key_J)
        while self.controller.session.cursor > target:
            self.press(Qt.Key.Key_K)
        assert self.controller.session.cursor == target

    def select_in_line(self, editor: QPlainTextEdit, words: str) -> None:
        """Select `words` with real keys: Down to the line holding them, Right, Shift+Right."""
        shift = Qt.KeyboardModifier.ShiftModifier
        self.qtbot.keyClick(editor, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
        while words not in editor.textCursor().block().text():
            assert editor.textCursor().block().next().isValid(), f"no line with {words!r}"
            self.qtbot.keyClick(editor, Qt.Key.Key_Down)
        self.qtbot.keyClick(editor, Qt.Key.Key_Home)
        for _ in range(editor.textCursor().block().text().index(words)):
            self.qtbot.keyClick(editor, Qt.Key.Key_Right)
        for _ in words:
            self.qtbot.keyClick(editor, Qt.Key.Key_Right, shift)
        assert editor.textCursor().selectedText() == words

    def type_text(self, widget: QWidget, text: str) -> None:
        """Real key events that type `text` into `widget`, one character at a time.

        QTest types only Latin-1 characters; others ("₂") go as the key event a keyboard
        layout that has them would send: no key code, the character as its text.
        """
        for char in text:
            if char == "\n":
                self.qtbot.keyClick(widget, Qt.Key.Key_Return)
            elif ord(char) < 0x100:
                self.qtbot.keyClick(widget, char)
            else:
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    event = QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char)
                    QApplication.sendEvent(widget, event)

    def dialog(self, kind: type[QDialog]) -> QDialog:
        self.qtbot.waitUntil(lambda: _open_dialog(self.window, kind) is not None, timeout=WAIT_MS)
        found = _open_dialog(self.window, kind)
        assert found is not None
        return found

    def file(self, rel: str) -> str:
        return (self.workspace / rel).read_text(encoding="utf-8")

    def click_yes(self, box: QMessageBox) -> None:
        """Confirm a question with a real click on its yes button: where yes is the risky
        answer, Enter cancels."""
        (yes,) = (
            b for b in box.buttons() if box.buttonRole(b) is QMessageBox.ButtonRole.AcceptRole
        )
        self.qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)

    def shot(self, name: str, widget: QWidget | None = None) -> Path:
        """Save a screenshot under test-artifacts/ (looked at by people, not asserted on)."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.qtbot.wait(50)  # let posted layout requests settle, as a running app would
        (widget or self.window).grab().save(str(path))
        return path


def _open_dialog(window: QWidget, kind: type[QDialog]) -> QDialog | None:
    for child in window.findChildren(kind):
        if child.isVisible():
            return child
    return None


def new_window(tmp_path: Path, settings: Settings | None = None) -> tuple[MainWindow, DecisionLog]:
    """A window over a fresh decision log in tmp_path, with its own background work; not shown."""
    log = DecisionLog(tmp_path / "decisions.sqlite3")
    return build_window(log, settings, gateway=BackgroundWork()), log


def show(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1280, 800)
    with qtbot.waitExposed(window, timeout=WAIT_MS):
        window.show()


def reviewing(review: Review, *, handed_to_qtbot: bool) -> Iterator[Review]:
    """`review` settled and ready for keys; afterwards its work is ended and the window closed.

    A window handed to qtbot.addWidget is deleted by pytest-qt; any other is deleted here
    (close_and_delete).
    """
    window = review.window
    gateway = window.controller.gateway
    review.activate()
    review.settle()
    try:
        yield review
    finally:
        window.asker.cancel()
        review.qtbot.waitUntil(lambda: not window.asker.running, timeout=WAIT_MS)
        review.settle()
        if handed_to_qtbot:
            # pytest-qt may have deleted it already (its teardown runs first, and the
            # waits above let the deletion happen).
            if shiboken6.isValid(window):
                window.close()
        else:
            close_and_delete(review.qtbot, window)
        gateway.shutdown()
        review.log.close()


def open_review(
    qtbot: QtBot,
    tmp_path: Path,
    settings: Settings | None = None,
    *,
    handed_to_qtbot: bool = True,
) -> Iterator[Review]:
    """The demo queue in a real window, level 2 unless `settings` say otherwise.

    handed_to_qtbot=False keeps the window from qtbot.addWidget, for tests whose work may
    still be in flight when they end (an answer streaming): see close_and_delete.
    """
    window, log = new_window(tmp_path, settings)
    if handed_to_qtbot:
        qtbot.addWidget(window)
    workspace, proposals = prepare_demo(tmp_path / "data")
    window.controller.open_proposals(proposals, workspace, demo=True)
    show(qtbot, window)
    yield from reviewing(Review(window, log, workspace, qtbot), handed_to_qtbot=handed_to_qtbot)


def open_repository(
    qtbot: QtBot, tmp_path: Path, root: Path, *, refused: bool = False
) -> Iterator[Review]:
    """A git working tree in a real window, after the repository follower's first look.

    refused=True is for a repository the window turns down: no look ever happens, so
    this waits for the refusal instead.
    """
    window, log = new_window(tmp_path)
    show(qtbot, window)
    follower = window.repository_follower
    opened = window.controller.command_finished if refused else follower.looked
    with qtbot.waitSignal(opened, timeout=WAIT_MS):
        window.controller.load_sources([str(root)], None)
    yield from reviewing(Review(window, log, root, qtbot), handed_to_qtbot=False)


def close_and_delete(qtbot: QtBot, window: MainWindow) -> None:
    """Close the window, then delete it here on the GUI thread.

    These windows are not handed to qtbot.addWidget, which would close and delete them
    before the fixture's teardown has let the work in flight end. Left to the garbage
    collector, a window could be deleted from a worker thread, where Qt cannot stop
    its timers.
    """
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    controller = window.controller
    shiboken6.delete(window)
    shiboken6.delete(controller)


def open_proposals_review(
    qtbot: QtBot,
    tmp_path: Path,
    proposals: list[Proposal],
    workspace: Path,
    settings: Settings | None = None,
) -> Iterator[Review]:
    """Given proposals in a real window, written to `workspace` (their base files there)."""
    window, log = new_window(tmp_path, settings)
    qtbot.addWidget(window)
    window.controller.open_proposals(proposals, workspace)
    show(qtbot, window)
    yield from reviewing(Review(window, log, workspace, qtbot), handed_to_qtbot=True)
