"""The queue: proposals → files → hunks, each with its state as an icon and in words.

The rows come from `ui.queue_model`, a model over the session's own objects, so
clicking a hunk shows it and a verdict repaints only the rows it touches. Item views
draw their text as plain text, so untrusted titles and paths cannot inject markup here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTreeView, QWidget

from vetline.ui.command_menu import QUEUE_MENU_COMMANDS, build_command_menu
from vetline.ui.controller import ReviewController
from vetline.ui.queue_model import NAME, STATE, QueueModel
from vetline.ui.status import NOT_WRITTEN, OVER_LEASH, STALE


class QueueView(QTreeView):
    """Selecting a row makes its (first) hunk current; the current hunk is always selected."""

    item_chosen = Signal(object)  # ReviewItem

    def __init__(self, controller: ReviewController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queue")
        self.setAccessibleName("Queue of proposals, files and hunks")
        self.header().setAccessibleName("Queue columns")
        self._controller = controller
        self._model = QueueModel(controller)
        self._model.setParent(self)
        self.setModel(self._model)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setExpandsOnDoubleClick(False)
        self.setIndentation(self.fontMetrics().averageCharWidth() * 2)
        # A narrow queue shortens names in the middle: a hunk's line number, at the end,
        # and a path's file name stay readable.
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        # Not ResizeToContents: that measures the words of every row, thousands for a big
        # file, before the queue can be shown. Each rebuild makes room for the longest
        # words a state of this queue can have instead.
        header.setSectionResizeMode(STATE, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(STATE, self._state_width(0))
        self._syncing = False
        self._actions: Mapping[str, QAction] = {}
        self.context_menu: QMenu | None = None  # the last one shown (tests look at it)
        self.selectionModel().currentRowChanged.connect(self._on_current_row)
        controller.queue_rebuilt.connect(self.rebuild)
        controller.states_changed.connect(self.refresh_states)
        controller.cursor_moved.connect(self.follow_cursor)

    # --- building ----------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Rows from the session's items, in queue order; expansion is kept per proposal."""
        model = self._model
        shown = [model.index(row, NAME) for row in range(model.rowCount())]
        was_expanded = {model.proposal_id(index): self.isExpanded(index) for index in shown}
        self._syncing = True
        model.rebuild()
        self._syncing = False
        self.header().resizeSection(STATE, self._state_width(len(self._controller.session.items)))
        # One expandAll (in C++) rather than one expand per row: a queue may have thousands.
        self.expandAll()
        if was_expanded:  # not the first build: new and collapsed proposals stay collapsed
            for row in range(model.rowCount()):
                index = model.index(row, NAME)
                if not was_expanded.get(model.proposal_id(index), False):
                    self.collapse(index)
        self.follow_cursor()

    def refresh_states(self, proposal_ids: Collection[str] | None = None) -> None:
        """Icons, words and counts of the given proposals' rows (None: every row)."""
        self._model.refresh_states(proposal_ids)

    def follow_cursor(self) -> None:
        """Select the current hunk's row without echoing it back as a choice."""
        current = self._controller.current
        index = self._model.index_of(current) if current is not None else QModelIndex()
        if not index.isValid():
            return
        self._syncing = True
        self.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self._syncing = False
        self.scrollTo(index)

    # --- helpers -----------------------------------------------------------------------------

    def _state_width(self, hunks: int) -> int:
        """Room for the longest state words of a queue of `hunks`: "12/34 · over the leash"."""
        metrics = self.fontMetrics()
        count = "9" * len(str(hunks))  # no file or proposal has more hunks than the queue
        longest = max(
            (f"{count}/{count} · {state.words}" for state in (OVER_LEASH, STALE, NOT_WRITTEN)),
            key=metrics.horizontalAdvance,
        )
        return metrics.horizontalAdvance(longest) + metrics.averageCharWidth() * 2

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        first = self._model.first_item(current.siblingAtColumn(NAME))
        if first is not None:
            self.item_chosen.emit(first)

    def set_command_actions(self, actions: Mapping[str, QAction]) -> None:
        """The window's actions, for the right-click menu (the same code as keys run)."""
        self._actions = actions
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_menu)

    def _show_menu(self, position: QPoint) -> None:
        """Every command that applies, for the row under the pointer (made current first)."""
        index = self.indexAt(position)
        if index.isValid():
            first = self._model.first_item(index.siblingAtColumn(NAME))
            if first is not None:
                self.item_chosen.emit(first)
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        self.context_menu = build_command_menu(self, self._actions, QUEUE_MENU_COMMANDS)
        if self.context_menu.actions():
            self.context_menu.popup(self.viewport().mapToGlobal(position))

    def state_words(self) -> list[tuple[str, str]]:
        """(name, state) of every row, depth first: what a screen reader would hear."""
        model = self._model
        found: list[tuple[str, str]] = []

        def walk(parent: QModelIndex) -> None:
            for row in range(model.rowCount(parent)):
                name = model.index(row, NAME, parent)
                found.append((str(name.data()), str(model.index(row, STATE, parent).data())))
                walk(name)

        walk(QModelIndex())
        return found
