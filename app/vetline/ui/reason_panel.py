"""Reject with a reason, beside the hunk: pick a preset reason or write one; Enter rejects.

It opens under the diff, as the edit panel does, so the hunk the question is about
stays in sight. For a proposal a model made, "Reject and revise" also sends the reason
back to the model, which answers with a revised proposal.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QWidget,
)

from vetline.ui.inline_panel import REJECT_COLOURS, InlinePanel, colour_button, native_keys
from vetline.ui.plain_text import plain_label

REASON_PRESETS: tuple[str, ...] = ("wrong", "unsafe", "too big", "style", "out of scope")
# Why a cited source does not support its claim.
CITATION_REASONS: tuple[str, ...] = (
    "not in source",
    "misquoted",
    "does not support",
    "source unreliable",
)
OTHER_REASON = "other (say why below)"
HOW_TO = "↑ ↓ choose a reason · Enter rejects · Esc closes with nothing decided."


class ReasonPanel(InlinePanel):
    """Presets on the left; the question, details and buttons on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("reasonPanel", "Reject with a reason", parent)
        self.wants_revision = False
        self.question = plain_label("", self, "Question")
        font = self.question.font()
        font.setBold(True)
        self.question.setFont(font)
        self.presets = QListWidget(self)
        self.presets.setObjectName("reasonPresets")
        self.presets.setAccessibleName("Reason")
        self.presets.addItems([*REASON_PRESETS, OTHER_REASON])
        self.presets.setCurrentRow(0)
        self.presets.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.presets.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = self.presets.count()
        frame = 2 * self.presets.frameWidth()
        self.presets.setFixedHeight(self.presets.sizeHintForRow(0) * rows + frame)
        self.presets.setFixedWidth(self.presets.sizeHintForColumn(0) + frame + 24)
        self.details = QLineEdit(self)
        self.details.setObjectName("reasonDetails")
        self.details.setAccessibleName("Details")
        self.details.setPlaceholderText("Details (optional), e.g. “drops the cache on every call”")
        self.message = plain_label(HOW_TO, self, "How to answer")
        self.reject_button = QPushButton(f"Reject   {native_keys('Enter')}", self)
        self.reject_button.setObjectName("rejectWithReasonButton")
        self.reject_button.setAccessibleName("Reject")
        colour_button(self.reject_button, REJECT_COLOURS)
        self.revise_button = QPushButton("Reject and revise", self)
        self.revise_button.setObjectName("reviseButton")
        self.revise_button.setAccessibleName("Reject and revise")
        self.revise_button.setToolTip("Reject, and send the reason back to the model")
        self.cancel_button = QPushButton(f"Cancel   {native_keys('Esc')}", self)
        self.cancel_button.setObjectName("cancelReasonButton")
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setToolTip("Close; nothing is decided")
        for button in (self.reject_button, self.revise_button, self.cancel_button):
            button.setMinimumHeight(self.button_height())
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.reject_button.clicked.connect(self.submitted)
        self.revise_button.clicked.connect(self._revise)
        self.cancel_button.clicked.connect(self.dismissed)
        self.presets.itemActivated.connect(lambda _item: self.submitted.emit())
        self.details.returnPressed.connect(self.submitted)
        self._layout()
        self.keep_keys_inside()

    def _layout(self) -> None:
        gap = self.fontMetrics().averageCharWidth()
        buttons = QHBoxLayout()
        buttons.setSpacing(gap)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.revise_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        grid = QGridLayout(self)
        grid.setContentsMargins(gap * 2, gap, gap * 2, gap)
        grid.setHorizontalSpacing(gap * 2)
        grid.setVerticalSpacing(gap)
        grid.addWidget(self.question, 0, 0, 1, 2)
        grid.addWidget(self.presets, 1, 0, 4, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.details, 1, 1)
        grid.addWidget(self.message, 2, 1)
        grid.setRowStretch(3, 1)
        grid.addLayout(buttons, 4, 1)
        grid.setColumnStretch(1, 1)

    def open_for(
        self, subject: str, *, revisable: bool, presets: tuple[str, ...] = REASON_PRESETS
    ) -> None:
        """Ask about a hunk of `subject` (a path), or about a citation when `presets` are
        CITATION_REASONS; a fresh answer each time."""
        self.wants_revision = False
        if presets is CITATION_REASONS:
            self.question.setText(f"{subject}: the source does not support the claim. Why?")
        else:
            self.question.setText(f"Reject this hunk of {subject}: why?")
        if [self.presets.item(row).text() for row in range(self.presets.count())] != [
            *presets,
            OTHER_REASON,
        ]:
            self.presets.clear()
            self.presets.addItems([*presets, OTHER_REASON])
        self.presets.setCurrentRow(0)
        self.details.clear()
        self.revise_button.setVisible(revisable)
        self.say(HOW_TO)

    def focus_first(self) -> None:
        self.presets.setFocus()

    def _revise(self) -> None:
        self.wants_revision = True
        self.submitted.emit()

    def reason(self) -> str:
        """ "unsafe", "unsafe: deletes the cache", or the free text for "other"."""
        item = self.presets.currentItem()
        preset = item.text() if item is not None else ""
        details = " ".join(self.details.text().split())
        if preset in ("", OTHER_REASON):
            return details or "other"
        return f"{preset}: {details}" if details else preset
