"""The review's prompts: edit a hunk or reject it with a reason, beside it; confirmations.

Editing a hunk and rejecting one with a reason open as panels under the diff
(`PromptArea`), never over it, so the hunk asked about stays in sight. The other
questions are dialogs opened with `open()` (window-modal, no nested event loop: a
nested loop under qasync would run asyncio callbacks re-entrantly).
Untrusted text (paths, proposal titles, hunk text) is shown as plain text only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from vetline.core.hidden_text import escape_hidden
from vetline.core.hunk_edit import HunkEditError
from vetline.core.model import HunkKind, Proposal
from vetline.core.session import ReviewItem
from vetline.ui.controller import ReviewController
from vetline.ui.plain_text import name_buttons

if TYPE_CHECKING:
    from vetline.ui.edit_panel import EditPanel
    from vetline.ui.inline_panel import InlinePanel
    from vetline.ui.reason_panel import ReasonPanel

# Of the height the diff and the panel share, the most an open panel takes.
PANEL_SHARE = 0.45


def confirm_box(
    parent: QWidget,
    title: str,
    question: str,
    yes_text: str,
    name: str,
    *,
    enter_says_yes: bool = True,
) -> QMessageBox:
    """A window-modal yes/no question in plain text; the caller connects and opens it.
    Where yes is the risky answer (`enter_says_yes` false), Enter cancels: a reflex
    Enter after the key that asked must not confirm."""
    box = QMessageBox(parent)
    box.setObjectName(name)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setAccessibleName(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(question)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(yes if enter_says_yes else cancel)
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


class PromptArea(QWidget):
    """Where the edit and reason panels open: under the diff, in place of the decision bar.

    One panel at a time. `open_changed` is emitted once the panel has its room, so the
    window can keep the hunk in sight and hold its review commands while it is open.
    Each panel is made the first time it is asked for (`made` says so): its editor and
    highlighting cost more than the window's first paint should wait for.
    """

    open_changed = Signal(bool)
    made = Signal(object)  # a panel, just made

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("promptArea")
        self.setAccessibleName("Question about the current hunk")
        self._edit_panel: EditPanel | None = None
        self._reason_panel: ReasonPanel | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._focus_before: QWidget | None = None
        self._stands_in_for: QWidget | None = None
        self.hide()

    @property
    def edit_panel(self) -> EditPanel:
        if self._edit_panel is None:
            from vetline.ui.edit_panel import EditPanel

            self._edit_panel = EditPanel(self)
            self._add(self._edit_panel)
        return self._edit_panel

    @property
    def reason_panel(self) -> ReasonPanel:
        if self._reason_panel is None:
            from vetline.ui.reason_panel import ReasonPanel

            self._reason_panel = ReasonPanel(self)
            self._add(self._reason_panel)
        return self._reason_panel

    def is_edit_panel(self, panel: InlinePanel) -> bool:
        return panel is self._edit_panel  # asking never makes one

    def _add(self, panel: InlinePanel) -> None:
        self._layout.addWidget(panel)
        panel.hide()
        self.made.emit(panel)

    def stand_in_for(self, widget: QWidget) -> None:
        """Hide `widget` (the decision bar) while a panel is open: the panel has its own."""
        self._stands_in_for = widget

    def panels(self) -> tuple[InlinePanel, ...]:
        """The panels made so far."""
        return tuple(panel for panel in (self._edit_panel, self._reason_panel) if panel)

    def open_panel(self) -> InlinePanel | None:
        return next((panel for panel in self.panels() if not panel.isHidden()), None)

    def room_in_lines(self) -> int:
        """How many editor lines fit in the panel's share of the diff's column."""
        parent = self.parentWidget()
        shared = parent.height() if parent is not None else 0
        spare = shared * PANEL_SHARE - self.edit_panel.chrome_height()
        return max(1, int(spare // self.edit_panel.editor.fontMetrics().lineSpacing()))

    def show_panel(self, panel: EditPanel | ReasonPanel) -> None:
        if self.isHidden():
            self._focus_before = QApplication.focusWidget()
        for other in self.panels():
            other.setVisible(other is panel)
        if self._stands_in_for is not None:
            self._stands_in_for.hide()
        self.show()
        parent = self.parentWidget()
        layout = parent.layout() if parent is not None else None
        if layout is not None:
            layout.activate()  # the diff gives up its room now, not on a later pass
            if panel.fit_to_width():
                layout.activate()
        panel.focus_first()
        self.open_changed.emit(True)

    def close_panel(self) -> None:
        if self.isHidden():
            return
        for panel in self.panels():
            panel.hide()
        self.hide()
        if self._stands_in_for is not None:
            self._stands_in_for.show()
        focus, self._focus_before = self._focus_before, None
        if focus is not None and focus.isVisible():
            focus.setFocus()  # keys decide again where they did before
        self.open_changed.emit(False)


class ReviewPrompts:
    """Asks about the current hunk (beside it) or the queue, and hands answers to the controller.

    The hunk a panel was opened for must still be the current one when it is answered;
    when another hunk comes on screen meanwhile (the reviewer moved, or a repository
    file was re-read), the panel closes with nothing decided, and an edit in progress
    is put aside for that hunk until E is pressed on it again.
    """

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
        self.panels = PromptArea(window)
        self._asked_about: ReviewItem | None = None
        self._drafts: dict[str, list[list[str]]] = {}  # hunk id -> what was typed, put aside
        self.panels.made.connect(self._connect_panel)
        controller.cursor_moved.connect(self._close_if_moved)
        controller.queue_rebuilt.connect(self._close_if_moved)

    def _connect_panel(self, panel: InlinePanel) -> None:
        editing = self.panels.is_edit_panel(panel)
        panel.submitted.connect(self._apply_edit if editing else self._apply_reason)
        panel.dismissed.connect(self._cancel)

    @property
    def edit_panel(self) -> EditPanel:
        return self.panels.edit_panel

    @property
    def reason_panel(self) -> ReasonPanel:
        return self.panels.reason_panel

    def reject_with_reason(self) -> None:
        item = self._ready_item()
        if item is None:
            return
        revisable = self.reviser is not None and self.reviser.can_revise(item.proposal)
        if item.citation is not None:
            from vetline.ui.reason_panel import CITATION_REASONS

            self.reason_panel.open_for(
                f"Citation “{escape_hidden(item.citation.title or item.citation.locator)}”",
                revisable=revisable,
                presets=CITATION_REASONS,
            )
        else:
            self.reason_panel.open_for(escape_hidden(item.change.path), revisable=revisable)
        self._asked_about = item
        self.panels.show_panel(self.reason_panel)

    def edit_hunk(self) -> None:
        item = self._ready_item()
        if item is None:
            return
        if item.hunk.kind is not HunkKind.TEXT:
            self._show_problem("Only a text hunk can be edited; accept or reject this one.")
            return
        draft = self._drafts.get(item.hunk.id)
        self._asked_about = item
        self.edit_panel.open_for(item, draft, self.panels.room_in_lines())
        self.panels.show_panel(self.edit_panel)

    def _apply_reason(self) -> None:
        item, panel, reviser = self._asked_about, self.reason_panel, self.reviser
        if self._still_busy(panel):
            return
        reason, wants_revision = panel.reason(), panel.wants_revision
        self._close()
        if item is None or not self._still_on_screen(item):
            return
        if self._controller.reject(reason) and wants_revision and reviser is not None:
            reviser.revise(item.proposal, reason)

    def _apply_edit(self) -> None:
        item, panel = self._asked_about, self.edit_panel
        if self._still_busy(panel):
            return
        try:
            edited, changed = panel.edited_text(), panel.changed()
        except HunkEditError as error:
            self._close()
            self._show_problem(f"{error}; nothing was decided.")
            return
        self._close()
        if item is None or not self._still_on_screen(item):
            return
        self._drafts.pop(item.hunk.id, None)
        if changed:
            self._controller.edit(edited)
        else:
            self._controller.accept()  # nothing was changed: a plain accept

    def _still_busy(self, panel: InlinePanel) -> bool:
        """A write (or a repository re-read) in flight: the answer waits, nothing is lost."""
        if self._controller.busy:
            panel.say(
                "Still writing the last verdict: give your answer again in a moment.", warn=True
            )
        return self._controller.busy

    def _cancel(self) -> None:
        if self._asked_about is not None and self.panels.open_panel() is self.edit_panel:
            self._drafts.pop(self._asked_about.hunk.id, None)  # Escape means: not this edit
        self._close()

    def _close(self) -> None:
        self._asked_about = None
        self.panels.close_panel()

    def _close_if_moved(self) -> None:
        """Another hunk on screen: the open panel no longer asks about what is shown."""
        item = self._asked_about
        if item is None or self._controller.current is item:
            return
        was_editing = self.panels.open_panel() is self.edit_panel
        draft = self.edit_panel.draft() if was_editing else None
        if draft is not None:
            self._drafts[item.hunk.id] = draft
        self._close()
        if not any(each is item for each in self._controller.session.items):
            # A note, not the banner: the banner says the file was re-read, and shows it.
            self._show_note(
                f"{escape_hidden(item.change.path)} changed while you were answering: "
                "nothing decided"
            )
        elif draft is not None:
            self._show_note("Edit put aside: press E on that hunk to pick it up again")
        else:
            self._show_note("Closed: another hunk is on screen; nothing was decided")

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
        refusal = self._controller.session.citations_refusal(proposal)
        if refusal:
            self._show_problem(f"Accept rest refused: {refusal}.")
            return
        items = self._controller.queue_index.items_of_proposal(proposal)
        left = [each for each in items if not each.state.decided and each.citation is None]
        if not left:
            self._show_note("Every hunk of this proposal is decided; citations one by one")
            return
        count = f"{len(left)} undecided hunk" + ("" if len(left) == 1 else "s")
        box = confirm_box(
            self._window,
            "Accept the rest?",
            f"Accept the {count} left in “{escape_hidden(proposal.title or proposal.id)}”?",
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
        """The hunk a question was asked about is still the current one.

        A repository file re-read meanwhile replaces its hunks: the answer was given
        about one the reviewer no longer sees, so it decides nothing.
        """
        if self._controller.current is item:
            return True
        self._show_problem(
            f"{escape_hidden(item.change.path)} changed while you were answering; "
            "nothing was decided. Look at it again."
        )
        return False

    def _ready_item(self) -> ReviewItem | None:
        if self._controller.busy or self.panels.open_panel() is not None:
            return None
        item = self._controller.current
        if item is None:
            self._show_note("The queue is empty: open proposals with Ctrl+O")
        return item
