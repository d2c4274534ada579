"""The shortcut sheet (F1 or ?): every command and its keys, grouped by where they work."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vetline.core.commands import APP, COMMANDS, IMAGE, REVIEW
from vetline.ui.actions import bound_keys, keys_text
from vetline.ui.plain_text import name_buttons

_CONTEXT_TITLES = {
    REVIEW: "Reviewing hunks",
    IMAGE: "Image changes",
    APP: "Anywhere in the window",
}


class ShortcutSheet(QDialog):
    """A read-only table of commands and keys; Escape or Close hides it."""

    def __init__(self, actions: Mapping[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutSheet")
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.table = QTreeWidget(self)
        self.table.setAccessibleName("Shortcuts")
        self.table.setColumnCount(3)
        self.table.setHeaderLabels(["Command", "Keys", "What it does"])
        self.table.header().setAccessibleName("Shortcut columns")
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setUniformRowHeights(True)
        for context in (REVIEW, IMAGE, APP):
            group = QTreeWidgetItem(self.table, [_CONTEXT_TITLES[context], "", ""])
            group.setFirstColumnSpanned(True)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for command in COMMANDS:
                if command.context != context:
                    continue
                keys = bound_keys(actions[command.id])
                QTreeWidgetItem(
                    group,
                    [command.title, keys_text(keys) or "(no key)", command.description],
                )
            group.setExpanded(True)
        header = self.table.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        name_buttons(buttons)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        metrics = self.fontMetrics()
        # Every row in sight: a command, its group headings, the column header.
        row = max(self.table.sizeHintForRow(0), metrics.lineSpacing())
        rows = len(COMMANDS) + 3 + 1
        self.resize(metrics.averageCharWidth() * 112, row * rows + metrics.lineSpacing() * 5)
        self.table.setFocus()
