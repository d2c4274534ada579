"""Untrusted text shown plainly: labels and buttons that never read it as rich text (and
name themselves), and messages with their hidden characters escaped."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox, QLabel, QMessageBox, QWidget

from vetline.core.hidden_text import escape_hidden


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


def as_sentence(message: str) -> str:
    """An outcome's message for the window: it may name the agent's paths, so hidden
    characters and look-alike letters in it are shown escaped, as everywhere else."""
    message = escape_hidden(message)
    return message[:1].upper() + message[1:] if message else message
