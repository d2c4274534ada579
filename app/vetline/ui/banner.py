"""Message surfaces: the non-modal problem banner, and the empty-queue welcome page.

The banner never blocks the window (no dialog, no focus grab), so the reviewer can
read the reason and keep going with the keyboard. Messages are untrusted text (they
quote file names and reasons) and are shown as plain text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vetline.ui.status import Shape, state_icon


class Banner(QFrame):
    """Shows the newest problem until its close button is pressed or another replaces it."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemBanner")
        self.setAccessibleName("Problem")
        self._icon = QLabel(self)
        self._icon.setAccessibleName("Problem icon")
        self._icon.setTextFormat(Qt.TextFormat.PlainText)
        self._message = QLabel(self)
        self._message.setObjectName("problemBannerText")
        self._message.setAccessibleName("Problem message")
        self._message.setTextFormat(Qt.TextFormat.PlainText)
        self._message.setWordWrap(True)
        self._message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._close = QToolButton(self)
        self._close.setText("✕")
        self._close.setAutoRaise(True)
        self._close.setAccessibleName("Close message")
        self._close.setToolTip("Close this message")
        self._close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        spacing = self.fontMetrics().averageCharWidth()
        layout.setContentsMargins(spacing * 2, spacing, spacing, spacing)
        layout.setSpacing(spacing * 2)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self._message, 1)
        layout.addWidget(self._close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_problem(self, message: str) -> None:
        size = self.fontMetrics().height() + 4
        self._icon.setPixmap(state_icon(Shape.TRIANGLE, "#b26a00").pixmap(size, size))
        self._message.setText(message)
        self.setAccessibleDescription(message)
        self.show()

    def message(self) -> str:
        return self._message.text() if self.isVisible() else ""

    def dismiss(self) -> None:
        if self.isVisible():
            self.hide()
            self.closed.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        """A warm tint of the current palette, so it reads in light and dark themes alike."""
        base = self.palette().color(QPalette.ColorRole.Window)
        tint = _mix(base, QColor("#f0a020"), 0.22 if base.lightness() > 128 else 0.35)
        painter = QPainter(self)
        painter.fillRect(self.rect(), tint)
        painter.setPen(_mix(base, QColor("#f0a020"), 0.7))
        painter.drawLine(self.rect().bottomLeft(), self.rect().bottomRight())
        painter.end()


def _mix(first: QColor, second: QColor, share: float) -> QColor:
    return QColor(
        round(first.red() * (1 - share) + second.red() * share),
        round(first.green() * (1 - share) + second.green() * share),
        round(first.blue() * (1 - share) + second.blue() * share),
    )


class EmptyState(QWidget):
    """What an empty queue says: how to add proposals, with a button for the keyboard-shy."""

    def __init__(
        self,
        open_action: QAction,
        parent: QWidget | None = None,
        ask_action: QAction | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.setAccessibleName("No proposals yet")
        title = QLabel("No proposals to review yet", self)
        title.setAccessibleName("Empty queue")
        title.setTextFormat(Qt.TextFormat.PlainText)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        keys = _keys_of(open_action) or "the File menu"
        ask_keys = _keys_of(ask_action) if ask_action is not None else ""
        asking = (
            f"•  press {ask_keys} to ask a model about files in the workspace\n" if ask_keys else ""
        )
        steps = QLabel(
            "Add proposals in any of these ways:\n\n"
            "•  run  vetline review FILE  (a patch, a proposal JSON, SEARCH/REPLACE blocks)\n"
            "•  run  vetline review REPOSITORY  (an agent's uncommitted changes)\n"
            "•  run  vetline review --watch FOLDER  (an inbox agents drop proposals into)\n"
            "•  drag and drop a file onto this window\n"
            f"•  press {keys} to open a file\n"
            f"{asking}\n"
            "Or try the bundled demo:  vetline demo",
            self,
        )
        steps.setAccessibleName("How to add proposals")
        steps.setTextFormat(Qt.TextFormat.PlainText)
        steps.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        button = QPushButton(open_action.text(), self)
        button.setAccessibleName("Open proposals")
        button.clicked.connect(open_action.trigger)
        self.watching = QLabel(self)
        self.watching.setObjectName("watchingNote")
        self.watching.setAccessibleName("What is being watched")
        self.watching.setTextFormat(Qt.TextFormat.PlainText)
        self.watching.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.watching.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        watching_font = self.watching.font()
        watching_font.setItalic(True)
        self.watching.setFont(watching_font)
        self.watching.hide()
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(self.fontMetrics().height() // 2)
        layout.addWidget(self.watching, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(self.fontMetrics().height())
        layout.addWidget(steps, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(self.fontMetrics().height())
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)

    def set_watching(self, words: str) -> None:
        """E.g. "Watching the inbox …: new proposal files appear here"; "" hides it."""
        self.watching.setText(words)
        self.watching.setVisible(bool(words))


def _keys_of(action: QAction) -> str:
    return " or ".join(
        sequence.toString(QKeySequence.SequenceFormat.NativeText) for sequence in action.shortcuts()
    )
