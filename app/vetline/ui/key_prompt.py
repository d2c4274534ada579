"""The Ask panel's key row: a password field for a provider's key that is nowhere to be found.

Shown when neither the OS keyring nor the provider's environment variable (nor a key
saved before) has the key. What is typed is hidden, kept in memory only for as long as
the window is open, and said so in words; saving it for next time is a box the reviewer
must tick, next to a statement of where and how it would be kept.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from vetline.adapters.llm.shown import quoted
from vetline.adapters.llm.typed_keys import KeyStorage
from vetline.ui.plain_text import plain_label

IN_MEMORY_WORDS = (
    "The key you type is kept in memory only, for as long as this window is open, "
    "and is not written anywhere."
)


class KeyField(QLineEdit):
    """Hidden as it is typed; Enter gives it, Escape closes. Keys here never run commands."""

    dismissed = Signal()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # Ctrl+N, J… are text keys here, never a verdict
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.dismissed.emit()
        else:
            super().keyPressEvent(event)


class KeyPrompt(QWidget):
    """Asks for one provider's key; `given` hands it over (with the choice to save it)."""

    given = Signal(str, bool)  # the key, and whether the reviewer chose to save it
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("askKeyPrompt")
        self.setAccessibleName("API key needed")
        self.why = plain_label("", self, "Why a key is asked for", selectable=True)
        self.field = KeyField(self)
        self.field.setObjectName("askKeyField")
        self.field.setAccessibleName("API key")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText("API key (hidden as you type; Enter uses it)")
        self.field.returnPressed.connect(self._give)
        self.field.dismissed.connect(self.dismissed)
        self.use_button = QPushButton("Use key", self)
        self.use_button.setObjectName("askKeyUseButton")
        self.use_button.setAccessibleName("Use key")
        self.use_button.setToolTip("Use this key for this window's requests")
        self.use_button.clicked.connect(self._give)
        self.save_box = QCheckBox("Also save it for next time, in:", self)
        self.save_box.setObjectName("askKeySave")
        self.save_box.setAccessibleName("Also save the key for next time")
        self.save_box.setChecked(False)
        self.where = plain_label("", self, "Where a saved key is kept", selectable=True)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.why, 0, 0, 1, 2)
        grid.addWidget(self.field, 1, 0)
        grid.addWidget(self.use_button, 1, 1)
        grid.addWidget(self.save_box, 2, 0, 1, 2)
        grid.addWidget(self.where, 3, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self.hide()

    def ask_for(self, provider_name: str, why: str, storage: KeyStorage) -> None:
        """Show the row for `provider_name`, empty, with saving off, and put the cursor in it."""
        self.why.setText(
            f"Provider {quoted(provider_name)} needs an API key: {why}. {IN_MEMORY_WORDS}"
        )
        self.field.clear()
        self.field.setAccessibleName(f"API key for {provider_name}")
        self.save_box.setChecked(False)
        self.where.setText(storage.words)
        self.where.setAccessibleDescription(storage.words)
        self.show()
        self.field.setFocus()

    def close_prompt(self) -> None:
        self.field.clear()  # the key is not kept in the widget once given or dismissed
        self.hide()

    def _give(self) -> None:
        key = self.field.text().strip()
        if not key:
            return
        store = self.save_box.isChecked()
        self.close_prompt()
        self.given.emit(key, store)
