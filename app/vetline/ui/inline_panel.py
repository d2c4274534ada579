"""What the panels that open under the diff share: their frame, button colours, and keys.

While such a panel is open it is a mode: every key typed in it stays in it (Ctrl+Y,
J or Ctrl+Z never reach the window's commands), Escape closes it and Ctrl+Enter
gives its answer.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QSizePolicy, QWidget

from vetline.ui.theme import diff_theme

ACCEPT_COLOURS = ("#2e7d32", "#1b5e20")  # as the decision bar's Accept and Reject
REJECT_COLOURS = ("#c62828", "#8e0000")


def native_keys(portable: str) -> str:
    """ "Ctrl+Return" as this platform writes it (⌘↩ on macOS)."""
    sequence = QKeySequence.fromString(portable, QKeySequence.SequenceFormat.PortableText)
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def colour_button(button: QPushButton, colours: tuple[str, str]) -> None:
    colour, pressed = colours
    button.setStyleSheet(
        f"QPushButton {{ background: {colour}; color: white; font-weight: 600;"
        f" border: 1px solid {pressed}; border-radius: 6px; padding: 0 1.2em; }}"
        " QPushButton:hover { border: 2px solid white; }"
        f" QPushButton:pressed {{ background: {pressed}; }}"
        " QPushButton:focus { border: 2px solid palette(highlight); }"
    )


class InlinePanel(QFrame):
    """A framed panel under the diff; keys typed anywhere in it stay in it."""

    submitted = Signal()  # Ctrl+Enter, or the panel's main button
    dismissed = Signal()  # Escape, or Cancel: nothing is decided

    message: QLabel  # one line under the title: how to answer, or why a key did nothing

    def __init__(self, name: str, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # Never taller than its contents: any height to spare stays with the diff.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setStyleSheet(
            f"QFrame#{name} {{ border: 1px solid palette(mid); border-radius: 6px;"
            " background: palette(window); }"
        )

    def say(self, words: str, *, warn: bool = False) -> None:
        """Show `words` in the panel's message line; a warning in the removed-lines red."""
        message = self.message
        palette = message.palette()
        role = QPalette.ColorRole.WindowText
        colour = diff_theme(self.palette()).removed_sign if warn else self.palette().color(role)
        palette.setColor(role, colour)
        message.setPalette(palette)
        message.setText(words)

    def fit_to_width(self) -> bool:
        """Adjust to the width the panel was just given; True if its height changed."""
        return False

    def keep_keys_inside(self) -> None:
        """Call once the panel's widgets exist: their keys never run window commands."""
        for widget in self.findChildren(QWidget):
            widget.installEventFilter(self)

    def button_height(self) -> int:
        return round(self.fontMetrics().height() * 2.0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # the key goes to the widget, never to a window shortcut
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Keys the focused widget did not use: Escape closes, Ctrl+Enter answers."""
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if event.key() == Qt.Key.Key_Escape:
            self.dismissed.emit()
        elif enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.submitted.emit()
        else:
            super().keyPressEvent(event)
