"""The review window's layout: its place on screen, its pages and panes, and their widths.

The queue, the diff and the details share the window's width; the diff's page gives
way to the image or citation view, or to the end of the queue's summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QMainWindow, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from vetline.ui.diff_rows import DiffLayout
from vetline.ui.loading_view import LoadingIndicator

if TYPE_CHECKING:
    from vetline.ui.main_window import MainWindow

SCREEN_SHARE = 0.8  # of the screen's available geometry, for the window's first size
LARGEST_DEFAULT_SIZE = QSize(1600, 1000)  # beyond it, lines are longer than read comfortably
FALLBACK_SIZE = QSize(1280, 800)  # no screen attached yet


def place_on_screen(window: QMainWindow) -> None:
    """Most of the screen (80%, at most 1600 × 1000), centred on it.

    The queue, the diff and the details share the width, so a window sized from the
    font (as it was) left the diff a narrow strip on a large screen.
    """
    screen: QScreen | None = window.screen()  # None when no screen is attached yet
    if screen is None:
        window.resize(FALLBACK_SIZE)
        return
    room = screen.availableGeometry()
    size = (room.size() * SCREEN_SHARE).boundedTo(LARGEST_DEFAULT_SIZE)
    frame = QRect(QPoint(0, 0), size)
    frame.moveCenter(room.center())
    window.resize(size)
    window.move(frame.topLeft())


class ReviewPanes:
    """The window's stacked pages and its three panes, built once into `window`."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        centre = QWidget(window)
        centre.setAccessibleName("Diff area")
        centre_layout = QVBoxLayout(centre)
        gap = window.fontMetrics().averageCharWidth()
        centre_layout.setContentsMargins(gap, gap, gap, gap)
        centre_layout.setSpacing(gap)
        centre_layout.addWidget(window.file_header)
        # The text diff, or the image view for an image change.
        self.view_pages = QStackedWidget(window)
        self.view_pages.setAccessibleName("Diff or image")
        self.view_pages.addWidget(window.diff)
        centre_layout.addWidget(self.view_pages, 1)
        # Edit, reject with a reason: beside the hunk.
        centre_layout.addWidget(window.prompts.panels)
        centre_layout.addWidget(window.decision_bar)
        window.prompts.panels.stand_in_for(window.decision_bar)
        # The diff, or the end of the queue's summary in its place.
        self.centre_pages = QStackedWidget(window)
        self.centre_pages.setAccessibleName("Diff or summary")
        self.centre_pages.addWidget(centre)
        self.centre_pages.addWidget(window.finished)
        splitter = self.splitter = QSplitter(Qt.Orientation.Horizontal, window)
        splitter.setAccessibleName("Review panes")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(window.queue)
        splitter.addWidget(self.centre_pages)
        splitter.addWidget(window.details)
        splitter.setCollapsible(2, True)  # the details give way to a side by side diff
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        window.queue.setMinimumWidth(window.fontMetrics().averageCharWidth() * 30)
        self.sized = False
        # The queue's and details' widths before a side by side diff took their room.
        self._folded: tuple[int, int] | None = None
        self.pages = QStackedWidget(window)
        self.pages.setAccessibleName("Review or welcome")
        self.pages.addWidget(window.empty_state)
        self.pages.addWidget(splitter)
        body = QWidget(window)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(0)
        body_layout.addWidget(window.banner)
        body_layout.addWidget(self.pages, 1)
        window.setCentralWidget(body)
        gap = window.fontMetrics().averageCharWidth() * 2
        window.workspace_label.setContentsMargins(gap, 0, gap, 0)
        self.loading = LoadingIndicator(window.command_actions["app.stop_loading"], window)
        window.statusBar().addPermanentWidget(self.loading)
        window.statusBar().addPermanentWidget(window.workspace_label)
        window.statusBar().addPermanentWidget(window.summary)
        window.statusBar().setAccessibleName("Status")

    def size_once(self) -> None:
        """Share the width once the panes are laid out (a hidden splitter ignores sizes)."""
        if self.sized or not self.splitter.isVisible():
            return
        width = self.splitter.width()
        char = self._window.fontMetrics().averageCharWidth()
        queue, details = max(char * 40, width * 3 // 10), max(char * 32, width // 5)
        self.splitter.setSizes([queue, width - queue - details, details])
        self.sized = True
        self.fit()

    def fit(self) -> None:
        """Side by side needs room for two columns of code: on a narrow window the details
        pane folds away (drag it back, or go unified, to see it again)."""
        if not self.sized:
            return
        sizes = self.splitter.sizes()
        char = self._window.fontMetrics().averageCharWidth()
        side_by_side = self._window.diff.diff_layout() is DiffLayout.SIDE_BY_SIDE
        if side_by_side and sizes[2] and sizes[1] < char * 150:
            self._folded = (sizes[0], sizes[2])
            self.splitter.setSizes([sizes[0], sizes[1] + sizes[2], 0])
        elif not side_by_side and not sizes[2] and self._folded is not None:
            queue, details = self._folded
            self.splitter.setSizes([queue, sum(sizes) - queue - details, details])
            self._folded = None
