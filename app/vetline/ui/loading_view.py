"""What the window shows while a big source is parsed: its name and size, a busy bar, and
the Stop command (Esc) that ends the parsing at once."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QToolButton, QWidget

from vetline.ui.plain_text import plain_label


class LoadingIndicator(QWidget):
    """Hidden until `show_loading` gets words; the Stop action is enabled only meanwhile
    (so its key is free for other uses the rest of the time)."""

    def __init__(self, stop: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Loading")
        self.stop = stop
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = plain_label("", self, "What is loading")
        self.label.setWordWrap(False)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy: a parse has no known end
        self.bar.setAccessibleName("Loading progress")
        self.bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 16)
        self.button = QToolButton(self)
        self.button.setDefaultAction(stop)
        self.button.setAccessibleName("Stop loading")
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.button)
        # No taller than a line of the status bar's text: the status bar is as tall as its
        # tallest widget, hidden or not, and must not take room from the review.
        self.setMaximumHeight(self.fontMetrics().height())
        self.show_loading("")

    def show_loading(self, words: str) -> None:
        """`words` say what is loading; "" when nothing is."""
        self.label.setText(f"{words}…" if words else "")
        self.stop.setEnabled(bool(words))
        self.setVisible(bool(words))
