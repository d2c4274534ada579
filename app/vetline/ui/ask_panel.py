"""The Ask panel: write an instruction for a model about a hunk, a file or several files.

Ctrl+K, Ctrl+L and Ctrl+I open it on the autonomy levels 1, 2 and 3: the hunk on
screen, its file, or files picked from the queue or the workspace. The panel shows
the request as it streams (tokens so far, time), a rate-limit countdown, failures,
and an incomplete answer (which cannot be accepted) with Retry. What the model sends
is untrusted: it is shown as plain text only. A key found nowhere is asked for in a
password field (ui/key_prompt.py) before anything is sent.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDockWidget,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vetline.adapters.llm.prompt import limit_statement
from vetline.core.hidden_text import escape_hidden
from vetline.core.leash import Level
from vetline.core.model import Proposal
from vetline.ui.ask_scope import AskScope
from vetline.ui.asking import AskRunner, KeyNeeded
from vetline.ui.controller import ReviewController
from vetline.ui.key_prompt import KeyPrompt
from vetline.ui.plain_text import plain_label

if TYPE_CHECKING:  # imported when the first request runs (see ui.asking): openai is heavy
    from vetline.adapters.llm.ask import AskResult, RateLimitWait
    from vetline.adapters.llm.client import StreamProgress

_TICK_MS = 250  # the elapsed time moves on between tokens too


class InstructionEdit(QPlainTextEdit):
    """Plain text; Ctrl+Enter asks, Escape closes. Keys typed here never run commands."""

    submitted = Signal()
    dismissed = Signal()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # Ctrl+Y, J, Ctrl+Enter… are text-editing keys while typing here
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.submitted.emit()
        elif event.key() == Qt.Key.Key_Escape:
            self.dismissed.emit()
        else:
            super().keyPressEvent(event)


class AskPanel(QDockWidget):
    """A dock under the diff; follows the AskRunner's signals."""

    def __init__(
        self,
        controller: ReviewController,
        runner: AskRunner,
        open_dialog: Callable[[QDialog], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Ask a model", parent)
        self.setObjectName("askPanel")
        self.setAccessibleName("Ask a model")
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self._controller = controller
        self._runner = runner
        self._open_dialog = open_dialog
        self.scope: AskScope | None = None
        self._started_at = 0.0
        self._last_progress: StreamProgress | None = None
        # Set once the answer (or failure) is shown: progress the stream's thread sent
        # just before it ended may still arrive, and must not cover the final word.
        self._settled = False
        self._wait: RateLimitWait | None = None
        self._wait_received = 0.0
        self._what = ""
        self._tick = QTimer(self)
        self._tick.setInterval(_TICK_MS)
        self._tick.timeout.connect(self._show_running)
        self._build()
        runner.started.connect(self._on_started)
        runner.progress.connect(self._on_progress)
        runner.waiting.connect(self._on_waiting)
        runner.answered.connect(self._on_answered)
        runner.failed.connect(self._on_failed)
        runner.cancelled.connect(self._on_cancelled)
        runner.running_changed.connect(self._on_running)
        runner.key_needed.connect(self._on_key_needed)
        runner.key_kept.connect(self._on_key_kept)
        self.key_prompt.given.connect(self._give_key)
        self.key_prompt.dismissed.connect(self._drop_key)
        self._on_running(False)

    def _build(self) -> None:
        body = QWidget(self)
        body.setAccessibleName("Ask panel")
        self.scope_label = plain_label("", body, "What is asked about", selectable=True)
        font = self.scope_label.font()
        font.setBold(True)
        self.scope_label.setFont(font)
        self.files = QListWidget(body)
        self.files.setObjectName("askFiles")
        self.files.setAccessibleName("Files sent to the model")
        self.files.setToolTip("Ticked files are sent, with the instruction and the leash")
        self.add_files_button = _button("Add files…", "Add files from the workspace", body)
        self.add_files_button.clicked.connect(self.choose_files)
        self.instruction = InstructionEdit(body)
        self.instruction.setObjectName("askInstruction")
        self.instruction.setAccessibleName("Instruction")
        self.instruction.setTabChangesFocus(True)
        self.instruction.setPlaceholderText(
            "Say exactly what to change, e.g. “return an empty page when page_size is 0”."
            "  Ctrl+Enter asks; Escape closes."
        )
        self.instruction.submitted.connect(self.ask)
        self.instruction.dismissed.connect(self.close)
        self.ask_button = _button("Ask", "Ask the model (Ctrl+Enter in the instruction)", body)
        self.ask_button.setObjectName("askButton")
        self.ask_button.clicked.connect(self.ask)
        self.cancel_button = _button("Cancel", "Stop the request at once", body)
        self.cancel_button.setObjectName("askCancelButton")
        self.cancel_button.clicked.connect(self._runner.cancel)
        self.retry_button = _button("Retry", "Ask the same request again", body)
        self.retry_button.setObjectName("askRetryButton")
        self.retry_button.clicked.connect(self._runner.retry)
        self.retry_button.hide()
        self.busy_bar = QProgressBar(body)
        self.busy_bar.setAccessibleName("Asking in progress")
        self.busy_bar.setRange(0, 0)  # no percentage to show: only that work goes on
        self.busy_bar.setTextVisible(False)
        self.status = plain_label("", body, "Ask status", selectable=True)
        self.answer = QPlainTextEdit(body)
        self.answer.setObjectName("askIncompleteAnswer")
        self.answer.setAccessibleName("Incomplete answer (cannot be accepted)")
        self.answer.setReadOnly(True)
        self.answer.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.answer.hide()
        self.key_prompt = KeyPrompt(body)
        # What became of a typed key, in words, for as long as the panel is open.
        self.key_kept = plain_label("", body, "The key typed in", selectable=True)
        self.key_kept.hide()
        char, line = self.fontMetrics().averageCharWidth(), self.fontMetrics().lineSpacing()
        self.files.setFixedWidth(char * 36)
        for box in (self.files, self.instruction):
            box.setFixedHeight(line * 5)
        self.answer.setFixedHeight(line * 5)
        self.busy_bar.setFixedSize(char * 14, line // 2 + 2)
        buttons = QVBoxLayout()
        buttons.setSpacing(char // 2)
        for button in (self.ask_button, self.cancel_button, self.retry_button):
            button.setMinimumWidth(char * 12)
            buttons.addWidget(button)
        buttons.addStretch(1)
        status_row = QHBoxLayout()
        status_row.setSpacing(char)
        status_row.addWidget(self.busy_bar, 0, Qt.AlignmentFlag.AlignVCenter)
        status_row.addWidget(self.status, 1)
        grid = QGridLayout(body)
        grid.setContentsMargins(char, 0, char, char // 2)
        grid.setVerticalSpacing(char // 2)
        grid.addWidget(self.scope_label, 0, 0, 1, 3)
        grid.addWidget(self.files, 1, 0)
        grid.addWidget(self.instruction, 1, 1)
        grid.addLayout(buttons, 1, 2)
        grid.addWidget(self.add_files_button, 2, 0)
        grid.addLayout(status_row, 2, 1, 1, 2)
        grid.addWidget(self.key_prompt, 3, 0, 1, 3)
        grid.addWidget(self.key_kept, 4, 0, 1, 3)
        grid.addWidget(self.answer, 5, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(6, 1)
        self.setWidget(body)
        dock_buttons = {
            "qt_dockwidget_closebutton": "Close the Ask panel",
            "qt_dockwidget_floatbutton": "Detach the Ask panel",  # hidden: not floatable
        }
        for dock_button in self.findChildren(QAbstractButton):
            if not dock_button.accessibleName():
                dock_button.setAccessibleName(dock_buttons.get(dock_button.objectName(), "Button"))

    # --- opening -----------------------------------------------------------------------------

    def open_for(self, scope: AskScope) -> None:
        """Show the panel on `scope`, ready to type (a running request keeps going)."""
        self.scope = scope
        limits = self._controller.settings.leash().limits[scope.level]
        about = scope.region or (scope.chosen[0] if len(scope.chosen) == 1 else "the ticked files")
        self.scope_label.setText(
            f"Level {int(scope.level)} · {scope.level.title} — {about}: {limit_statement(limits)}"
        )
        self.files.clear()
        for path in dict.fromkeys((*scope.chosen, *scope.offered)):
            self._add_file(path, checked=path in scope.chosen)
        self.add_files_button.setVisible(scope.level is Level.FILE or not scope.chosen)
        self.add_files_button.setToolTip(f"Add files from the workspace\n{scope.workspace}")
        self.files.setToolTip(f"Ticked files are sent to the model, from\n{scope.workspace}")
        if not scope.offered and not scope.chosen:
            self._say("Choose the files to send with Add files… (from the workspace).")
        self._runner.warm_up()  # while the instruction is typed
        self.show()
        self.raise_()
        self.instruction.setFocus()

    def chosen_files(self) -> list[str]:
        return [
            item.text()
            for item in (self.files.item(row) for row in range(self.files.count()))
            if item is not None and item.checkState() == Qt.CheckState.Checked
        ]

    def choose_files(self) -> None:
        """A file dialog in the workspace; files outside it are refused."""
        if self.scope is None:
            return
        dialog = QFileDialog(self, "Files to send to the model", str(self.scope.workspace))
        dialog.setObjectName("askFilesDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(self.add_files)
        self._open_dialog(dialog)

    def add_files(self, paths: Sequence[str]) -> None:
        if self.scope is None:
            return
        root = self.scope.workspace.resolve()
        outside = []
        for given in paths:
            path = Path(given).resolve()
            if not path.is_relative_to(root) or not path.is_file():
                outside.append(given)
                continue
            relative = path.relative_to(root).as_posix()
            if relative not in self.chosen_files() + self._listed():
                self._add_file(relative, checked=True)
            else:
                self._tick_file(relative)
        if outside:
            self._say(f"Not sent (only files inside {root} can be): " + ", ".join(outside))

    # --- asking ------------------------------------------------------------------------------

    def ask(self) -> None:
        if self.scope is None or self._runner.running:
            return
        instruction = " ".join(self.instruction.toPlainText().split())
        paths = self.chosen_files()
        if not instruction:
            self._say("Write what the model should do first.")
            return
        if not paths:
            self._say("Tick at least one file to send.")
            return
        if self.scope.region:
            instruction = f"In {self.scope.region}: {instruction}"
        self._runner.ask(instruction, paths, self.scope.level, self.scope.workspace)

    def _on_started(self, what: str) -> None:
        self._started_at = time.monotonic()
        self._last_progress = None
        self._settled = False
        self._wait = None
        self.answer.hide()
        self.retry_button.hide()
        self.key_prompt.close_prompt()
        self._what = what
        self._show_running()
        self.show()

    def _on_progress(self, progress: StreamProgress) -> None:
        self._last_progress = progress
        self._wait = None
        self._show_running()

    def _on_waiting(self, wait: RateLimitWait) -> None:
        self._wait = wait
        self._wait_received = time.monotonic()
        self._show_running()

    def _show_running(self) -> None:
        if not self._runner.running or self._settled:
            return
        elapsed = time.monotonic() - self._started_at
        if self._wait is not None:
            waited = time.monotonic() - self._wait_received
            left = max(0.0, self._wait.seconds_left - waited)
            self._say(
                f"{self._wait.provider} is busy (rate limited): asking again in"
                f" {math.ceil(left)} s."
                "  Cancel stops waiting."
            )
            return
        progress = self._last_progress
        if progress is None:
            self._say(f"{self._what}… waiting for the first token · {elapsed:.1f} s")
        else:
            self._say(f"{self._what}… {progress.chunks} tokens so far · {elapsed:.1f} s")

    def _on_answered(self, result: AskResult) -> None:
        from vetline.adapters.llm.ask import AskStatus  # loaded: it sent the answer

        self._settled = True
        answer = result.answer
        if isinstance(answer, Proposal) and result.status is AskStatus.OVER_LEASH:
            reasons = "; ".join(violation.message for violation in result.violations)
            self._say(
                f"Added “{escape_hidden(answer.title)}” to the queue, OVER THE LEASH after "
                f"{result.sent_back} send-back(s) ({reasons}): review it hunk by hunk."
            )
        elif isinstance(answer, Proposal):
            hunks = len(answer.hunks)
            self._say(
                f"Added “{escape_hidden(answer.title)}” to the queue: {hunks} hunk"
                f"{'' if hunks == 1 else 's'}. Accept or reject it there."
            )
            self.instruction.clear()
        else:
            # "Incomplete answer" or "Answer out of scope": either way never acceptable.
            self._say(
                f"{escape_hidden(answer.title)}: {answer.reason}. "
                "It cannot be accepted; Retry asks again."
            )
            self.answer.setPlainText(answer.raw_text)
            self.answer.show()
            self.retry_button.show()

    def _on_key_needed(self, needed: KeyNeeded) -> None:
        self._settled = True
        self._say("Nothing was sent yet: the model server needs a key (below). Escape: do not ask.")
        self.key_prompt.ask_for(needed.provider.name, needed.why, needed.storage)
        self.show()

    def _give_key(self, key: str, store: bool) -> None:
        if not self._runner.give_key(key, store=store):
            self._say("Nothing was sent: no request waits for a key any more.")

    def _on_key_kept(self, words: str) -> None:
        self.key_kept.setText(words[:1].upper() + words[1:] + ".")
        self.key_kept.show()
        self._controller.note.emit(words)

    def _drop_key(self) -> None:
        self._runner.drop_key_request()
        self.key_prompt.close_prompt()
        self._say("Nothing was sent: no key was given.")
        self.instruction.setFocus()

    def _on_cancelled(self) -> None:
        self._settled = True
        self._say("Cancelled: nothing was added.")

    def _on_failed(self, message: str) -> None:
        self._settled = True
        self._say(f"No answer: {message}")
        self.retry_button.setVisible(self._runner.last_request is not None)

    def _on_running(self, running: bool) -> None:
        self.ask_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.busy_bar.setVisible(running)
        self.retry_button.setEnabled(not running)
        if running:
            self._tick.start()
        else:
            self._tick.stop()

    # --- helpers -----------------------------------------------------------------------------

    def _say(self, words: str) -> None:
        self.status.setText(words)
        self.status.setAccessibleDescription(words)

    def _listed(self) -> list[str]:
        return [item.text() for item in map(self.files.item, range(self.files.count())) if item]

    def _add_file(self, path: str, *, checked: bool) -> None:
        item = QListWidgetItem(path)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        item.setToolTip(f"File\n{path}")  # a trusted first line: never read as markup
        self.files.addItem(item)

    def _tick_file(self, path: str) -> None:
        for row in range(self.files.count()):
            item = self.files.item(row)
            if item is not None and item.text() == path:
                item.setCheckState(Qt.CheckState.Checked)


def _button(words: str, tooltip: str, parent: QWidget) -> QPushButton:
    button = QPushButton(words, parent)
    button.setAccessibleName(words.rstrip("…"))
    button.setToolTip(tooltip)
    return button
