"""The command palette: every command with its keys; type to filter, Enter runs it."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLineEdit,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vetline.core.commands import COMMANDS
from vetline.ui.actions import bound_keys, keys_text

_COMMAND_ID = Qt.ItemDataRole.UserRole
_TITLE, _KEYS = 0, 1


class CommandPalette(QDialog):
    """A filter box over the list of commands; Up/Down pick, Enter runs, Escape closes."""

    def __init__(self, actions: Mapping[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("commandPalette")
        self.setWindowTitle("Command palette")
        self.setAccessibleName("Command palette")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._actions = actions
        self.filter = QLineEdit(self)
        self.filter.setAccessibleName("Filter commands")
        self.filter.setPlaceholderText("Type to filter commands…")
        self.filter.setClearButtonEnabled(True)
        for button in self.filter.findChildren(QToolButton):  # the clear button Qt adds
            button.setAccessibleName("Clear filter")
        self.list = QTreeWidget(self)
        self.list.setAccessibleName("Commands")
        self.list.header().setAccessibleName("Command columns")
        self.list.setColumnCount(2)
        self.list.setHeaderHidden(True)
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.header().setSectionResizeMode(_TITLE, QHeaderView.ResizeMode.Stretch)
        self.list.header().setSectionResizeMode(_KEYS, QHeaderView.ResizeMode.ResizeToContents)
        self.list.header().setStretchLastSection(False)
        for command in COMMANDS:
            action = actions[command.id]
            item = QTreeWidgetItem(self.list, [command.title, keys_text(bound_keys(action))])
            item.setData(_TITLE, _COMMAND_ID, command.id)
            item.setToolTip(_TITLE, command.description or command.title)
            item.setTextAlignment(
                _KEYS, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
            if not action.isEnabled():
                item.setDisabled(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 72, metrics.lineSpacing() * 26)
        self.filter.textChanged.connect(self.apply_filter)
        self.filter.installEventFilter(self)
        self.filter.returnPressed.connect(self.run_selected)
        self.list.itemActivated.connect(lambda _item, _column: self.run_selected())
        self.apply_filter("")
        self.filter.setFocus()

    def items(self) -> list[QTreeWidgetItem]:
        found = (self.list.topLevelItem(row) for row in range(self.list.topLevelItemCount()))
        return [item for item in found if item is not None]

    def apply_filter(self, text: str) -> None:
        """Show the commands whose title or id holds every typed word, in any order."""
        words = text.lower().split()
        first_visible: QTreeWidgetItem | None = None
        for item in self.items():
            haystack = f"{item.text(_TITLE)} {item.data(_TITLE, _COMMAND_ID)}".lower()
            hidden = not all(word in haystack for word in words)
            item.setHidden(hidden)
            if not hidden and not item.isDisabled() and first_visible is None:
                first_visible = item
        if first_visible is not None:
            self.list.setCurrentItem(first_visible)
        else:
            self.list.clearSelection()
            self.list.setCurrentIndex(self.list.rootIndex())

    def selected_command(self) -> str | None:
        item = self.list.currentItem()
        if item is None or item.isHidden() or item.isDisabled():
            return None
        command_id: str = item.data(_TITLE, _COMMAND_ID)
        return command_id

    def run_selected(self) -> None:
        command_id = self.selected_command()
        if command_id is None:
            return
        self.accept()
        # After the palette has closed, so the command's own dialogs open on the window.
        QTimer.singleShot(0, self._actions[command_id].trigger)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down in the filter box move through the list, so hands stay on the keys."""
        if watched is self.filter and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self._step(-1 if event.key() == Qt.Key.Key_Up else 1)
                return True
        return super().eventFilter(watched, event)

    def _step(self, step: int) -> None:
        items = self.items()
        current = self.list.currentItem()
        row = items.index(current) if current in items else -1
        for _ in items:
            row = (row + step) % len(items)
            if not items[row].isHidden() and not items[row].isDisabled():
                self.list.setCurrentItem(items[row])
                return
