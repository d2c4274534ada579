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

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
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

    def __init__(self, open_action: QAction, parent: QWidget | None = None) -> None:
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
        keys = (
            " or ".join(
                sequence.toString(QKeySequence.SequenceFormat.NativeText)
                for sequence in open_action.shortcuts()
            )
            or "the File menu"
        )
        steps = QLabel(
            "Add proposals in any of these ways:\n\n"
            "•  run  vetline review FILE  (a patch, a proposal JSON, SEARCH/REPLACE blocks)\n"
            "•  drag and drop a file onto this window\n"
            f"•  press {keys} to open a file\n\n"
            "Or try the bundled demo:  vetline demo",
            self,
        )
        steps.setAccessibleName("How to add proposals")
        steps.setTextFormat(Qt.TextFormat.PlainText)
        steps.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        button = QPushButton(open_action.text(), self)
        button.setAccessibleName("Open proposals")
        button.clicked.connect(open_action.trigger)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(self.fontMetrics().height())
        layout.addWidget(steps, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(self.fontMetrics().height())
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
