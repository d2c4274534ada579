"""The review's dialogs (reject with a reason, edit a hunk, accept the rest) and their prompts.

All are opened with `open()` (window-modal, no nested event loop: a nested loop under
qasync would run asyncio callbacks re-entrantly) and report through `accepted`.
Untrusted text (paths, proposal titles, hunk text) is shown as plain text only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFontDatabase, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from vetline.core.model import HunkKind, Proposal
from vetline.core.session import ReviewItem
from vetline.ui.controller import ReviewController

REASON_PRESETS: tuple[str, ...] = ("wrong", "unsafe", "too big", "style", "out of scope")
OTHER_REASON = "other (say why below)"


def plain_label(text: str, parent: QWidget, name: str, *, selectable: bool = False) -> QLabel:
    """A wrapping label that never reads its (untrusted) text as rich text."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName(name)
    label.setWordWrap(True)
    if selectable:
        # Mouse-selectable only: keyboard selection would add a Tab stop per label.
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setText(text)
    return label


def name_buttons(box: QDialogButtonBox | QMessageBox) -> None:
    """Give Qt-made buttons an accessible name (their visible words, without the '&')."""
    for button in box.findChildren(QAbstractButton):
        if not button.accessibleName():
            button.setAccessibleName(button.text().replace("&", "") or "Button")


class RejectReasonDialog(QDialog):
    """Pick a preset reason or write one; Enter rejects with it.

    For a proposal a model made (`revisable`), "Reject and revise" also sends the
    reason back to the model, which answers with a revised proposal.
    """

    def __init__(
        self, subject: str, parent: QWidget | None = None, *, revisable: bool = False
    ) -> None:
        super().__init__(parent)
        self.wants_revision = False
        self.setObjectName("rejectReasonDialog")
        self.setWindowTitle("Reject with a reason")
        self.setAccessibleName("Reject with a reason")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        intro = plain_label(f"Why reject this hunk of {subject}?", self, "Question")
        self.presets = QListWidget(self)
        self.presets.setAccessibleName("Reason")
        self.presets.addItems([*REASON_PRESETS, OTHER_REASON])
        self.presets.setCurrentRow(0)
        rows = len(REASON_PRESETS) + 1
        self.presets.setMinimumHeight(self.presets.sizeHintForRow(0) * rows + 8)
        self.details = QLineEdit(self)
        self.details.setAccessibleName("Details")
        self.details.setPlaceholderText("Details (optional)")
        buttons = QDialogButtonBox(self)
        reject_button = buttons.addButton("Reject", QDialogButtonBox.ButtonRole.AcceptRole)
        reject_button.setDefault(True)
        self.revise_button: QAbstractButton | None = None
        if revisable:
            self.revise_button = buttons.addButton(
                "Reject and revise", QDialogButtonBox.ButtonRole.ActionRole
            )
            self.revise_button.setObjectName("reviseButton")
            self.revise_button.setToolTip("Reject, and send the reason back to the model")
            self.revise_button.clicked.connect(self._revise)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        name_buttons(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.presets.itemActivated.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.presets)
        layout.addWidget(self.details)
        layout.addWidget(buttons)
        self.presets.setFocus()

    def _revise(self) -> None:
        self.wants_revision = True
        self.accept()

    def reason(self) -> str:
        """ "unsafe", "unsafe: deletes the cache", or the free text for "other"."""
        item = self.presets.currentItem()
        preset = item.text() if item is not None else ""
        details = " ".join(self.details.text().split())
        if preset in ("", OTHER_REASON):
            return details or "other"
        return f"{preset}: {details}" if details else preset


class EditHunkDialog(QDialog):
    """The hunk's new side in a plain-text editor; OK accepts the hunk as edited."""

    def __init__(self, path: str, new_side: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editHunkDialog")
        self.setWindowTitle("Edit hunk before accepting")
        self.setAccessibleName("Edit hunk")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._original = new_side
        intro = plain_label(
            f"{path}: change the new text below; OK (or Ctrl+Enter) accepts it as edited.",
            self,
            "What to do",
        )
        self.editor = QPlainTextEdit(self)
        self.editor.setAccessibleName("New text of the hunk")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setTabChangesFocus(True)
        self.editor.installEventFilter(self)
        self.editor.setPlainText(_for_editing(new_side))
        metrics = self.editor.fontMetrics()
        self.editor.setMinimumSize(metrics.averageCharWidth() * 88, metrics.lineSpacing() * 18)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        name_buttons(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)
        self.editor.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+Enter in the editor means OK (a plain Enter is a new line)."""
        if watched is self.editor and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.accept()
                return True
        return super().eventFilter(watched, event)

    def edited_text(self) -> str:
        """What the reviewer wrote, with the hunk's own line endings put back."""
        return _from_editing(self.editor.toPlainText(), self._original)

    def changed(self) -> bool:
        return self.edited_text() != self._original


def _for_editing(text: str) -> str:
    # The editor shows lines, not endings; a final newline would look like an empty line.
    shown = text.replace("\r\n", "\n")
    return shown.removesuffix("\n")


def _from_editing(text: str, original: str) -> str:
    ending = "\r\n" if "\r\n" in original else "\n"
    lines = text.split("\n")
    result = ending.join(lines)
    if original.endswith("\n") and result:
        result += ending
    return result


def confirm_box(
    parent: QWidget, title: str, question: str, yes_text: str, name: str
) -> QMessageBox:
    """A window-modal yes/no question in plain text; the caller connects and opens it."""
    box = QMessageBox(parent)
    box.setObjectName(name)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setAccessibleName(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(question)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(yes)
    name_buttons(box)
    for label in box.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)
        if not label.accessibleName():
            label.setAccessibleName("Message")
    return box


class Reviser(Protocol):
    """Sends a rejection reason back to the model that made a proposal."""

    def can_revise(self, proposal: Proposal) -> bool: ...

    def revise(self, proposal: Proposal, reason: str) -> bool: ...


class ReviewPrompts:
    """Opens the review's dialogs over the window and hands the answers to the controller."""

    def __init__(
        self,
        window: QWidget,
        controller: ReviewController,
        show_problem: Callable[[str], None],
        show_note: Callable[[str], None],
    ) -> None:
        self._window = window
        self._controller = controller
        self._show_problem = show_problem
        self._show_note = show_note
        self.last_dialog: QDialog | None = None
        self.reviser: Reviser | None = None

    def reject_with_reason(self) -> None:
        item = self._ready_item()
        if item is None:
            return
        proposal, reviser = item.proposal, self.reviser
        revisable = reviser is not None and reviser.can_revise(proposal)
        dialog = RejectReasonDialog(item.change.path, self._window, revisable=revisable)

        def reject() -> None:
            if not self._still_on_screen(item):
                return
            reason = dialog.reason()
            if self._controller.reject(reason) and dialog.wants_revision and reviser is not None:
                reviser.revise(proposal, reason)

        dialog.accepted.connect(reject)
        self.open_dialog(dialog)

    def edit_hunk(self) -> None:
        item = self._ready_item()
        if item is None:
            return
        if item.hunk.kind is not HunkKind.TEXT:
            self._show_problem("Only a text hunk can be edited; accept or reject this one.")
            return
        dialog = EditHunkDialog(item.change.path, item.hunk.new_text, self._window)

        def apply_edit() -> None:
            if not self._still_on_screen(item):
                return
            if dialog.changed():
                self._controller.edit(dialog.edited_text())
            else:
                self._controller.accept()  # nothing was changed: a plain accept

        dialog.accepted.connect(apply_edit)
        self.open_dialog(dialog)

    def accept_rest(self) -> None:
        """Refused (in the banner) over the leash; otherwise asks before accepting."""
        item = self._ready_item()
        if item is None:
            return
        proposal = item.proposal
        violations = self._controller.violations(proposal)
        if violations:
            reasons = "; ".join(violation.message for violation in violations)
            self._show_problem(
                f"Accept rest refused: this proposal is over the leash ({reasons}). "
                "Review it hunk by hunk, or raise the autonomy level."
            )
            return
        items = self._controller.queue_index.items_of_proposal(proposal)
        left = [each for each in items if not each.state.decided]
        if not left:
            self._show_note("Every hunk of this proposal is decided")
            return
        count = f"{len(left)} undecided hunk" + ("" if len(left) == 1 else "s")
        box = confirm_box(
            self._window,
            "Accept the rest?",
            f"Accept the {count} left in “{proposal.title or proposal.id}”?",
            "Accept rest",
            "confirmAcceptRest",
        )
        box.accepted.connect(lambda: self._still_on_screen(item) and self._controller.accept_rest())
        self.open_dialog(box)

    def choose_files(self, on_chosen: Callable[[list[str]], None]) -> None:
        dialog = QFileDialog(self._window, "Open proposals")
        dialog.setObjectName("openDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters(["Proposals (*.json *.diff *.patch *.txt *.md)", "All files (*)"])
        dialog.filesSelected.connect(on_chosen)
        self.open_dialog(dialog)

    def open_dialog(self, dialog: QDialog) -> None:
        """Open without a nested event loop; the dialog deletes itself when closed."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog = dialog
        dialog.open()

    def _still_on_screen(self, item: ReviewItem) -> bool:
        """The hunk a dialog was opened for is still the current one.

        A repository file re-read while the dialog was open replaces its hunks: the
        answer was given about one the reviewer no longer sees, so it decides nothing.
        """
        if self._controller.current is item:
            return True
        self._show_problem(
            f"{item.change.path} changed while the dialog was open; nothing was decided."
            " Look at it again."
        )
        return False

    def _ready_item(self) -> ReviewItem | None:
        if self._controller.busy:
            return None
        item = self._controller.current
        if item is None:
            self._show_note("The queue is empty: open proposals with Ctrl+O")
        return item
