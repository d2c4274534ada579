"""Every QAction, built from the command registry and the keymap, and where each appears.

This is the one place keys are set: widgets never call setShortcut themselves, they
trigger these actions. Each command id maps to exactly one handler, so a key, a
menu item, a toolbar or decision-bar button and the command palette all run the
same code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenuBar,
    QPushButton,
    QSizePolicy,
    QSlider,
    QToolBar,
    QToolButton,
    QWidget,
)

from vetline.core.commands import COMMANDS, Command
from vetline.core.leash import Level
from vetline.ui.status import ACCEPTED, REJECTED

Handler = Callable[[], object]  # what a handler returns is ignored


class MissingHandlerError(ValueError):
    """A command has no handler, or a handler names no command: a programming error."""


def key_sequence(key: str) -> QKeySequence:
    """One key in Qt's portable text form ("Ctrl+Y"); Ctrl becomes Cmd on macOS."""
    return QKeySequence.fromString(key, QKeySequence.SequenceFormat.PortableText)


def keys_text(keys: Sequence[str]) -> str:
    """Keys as this platform writes them, e.g. "Ctrl+Y" or "⌘Y", joined by " or "."""
    native = QKeySequence.SequenceFormat.NativeText
    return " or ".join(key_sequence(key).toString(native) for key in keys)


def build_actions(
    parent: QWidget,
    keymap: Mapping[str, Sequence[str]],
    handlers: Mapping[str, Handler],
    commands: Sequence[Command] = COMMANDS,
) -> dict[str, QAction]:
    """One QAction per command, parented to (and shortcut-scoped to) `parent`'s window.

    `commands` is every command for the window; a view shown on its own (the image view
    in a test or a benchmark) gets the actions of its context only.
    """
    wanted = {command.id for command in commands}
    missing = [command.id for command in commands if command.id not in handlers]
    unknown = [command_id for command_id in handlers if command_id not in wanted]
    if missing or unknown:
        raise MissingHandlerError(f"no handler for {missing}; no command for {unknown}")
    actions: dict[str, QAction] = {}
    for command in commands:
        keys = tuple(keymap.get(command.id, ()))
        action = QAction(command.title, parent)
        action.setObjectName(command.id)
        action.setShortcuts([key_sequence(key) for key in keys])
        # The window's shortcuts stop at its dialogs: typing in one never runs a command.
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(action_tooltip(command, keys))
        action.setStatusTip(command.description or command.title)
        action.setData(keys)
        action.triggered.connect(_ignore_checked(handlers[command.id]))
        parent.addAction(action)
        actions[command.id] = action
    return actions


def action_tooltip(command: Command, keys: Sequence[str]) -> str:
    """Tooltip in plain words: title, what it does, its keys (all our own text)."""
    lines = [command.title.rstrip("…")]
    if command.description:
        lines.append(command.description)
    if keys:
        lines.append(f"Keys: {keys_text(keys)}")
    return "\n".join(lines)


def bound_keys(action: QAction) -> tuple[str, ...]:
    """The key strings an action was built with (as written in the keymap)."""
    data = action.data()
    return tuple(data) if data else ()


def _ignore_checked(handler: Handler) -> Callable[[bool], None]:
    # QAction.triggered passes `checked`; handlers take no arguments.
    def run(_checked: bool = False) -> None:
        handler()

    return run


# --- where the actions appear ---------------------------------------------------------

_MENUS = (
    ("&File", ("app.open", None, "app.quit")),
    (
        "&Review",
        (
            "review.accept_hunk",
            "review.reject_hunk",
            "review.reject_with_reason",
            "review.edit_hunk",
            "review.split_hunk",
            "review.accept_rest",
            None,
            "review.undo",
            None,
            "review.next_hunk",
            "review.previous_hunk",
        ),
    ),
    (
        "&View",
        (
            "view.toggle_layout",
            "view.expand_context",
        ),
    ),
    (
        "&Image",
        (
            "image.side_by_side",
            "image.swipe",
            "image.onion_skin",
            "image.difference",
            None,
            "image.zoom_to_fit",
            "image.zoom_actual",
            "image.zoom_in",
            "image.zoom_out",
            None,
            "image.pan_left",
            "image.pan_right",
            "image.pan_up",
            "image.pan_down",
            None,
            "image.swipe_left",
            "image.swipe_right",
            "image.opacity_up",
            "image.opacity_down",
            None,
            "image.next_region",
            "image.previous_region",
        ),
    ),
    ("&Leash", ("leash.level_up", "leash.level_down")),
    ("&Ask", ("ask.selection", "ask.file", "ask.files")),
    ("&Help", ("app.command_palette", "app.shortcuts", None, "app.stats")),
)


def add_menus(menu_bar: QMenuBar, actions: Mapping[str, QAction]) -> None:
    """The menu bar: every command, so each is reachable with Alt and the arrow keys."""
    menu_bar.setAccessibleName("Menu bar")
    for button in menu_bar.findChildren(QToolButton):  # Qt's "more menus" chevron
        button.setAccessibleName("More menus")
    for title, command_ids in _MENUS:
        menu = menu_bar.addMenu(title)
        for command_id in command_ids:
            if command_id is None:
                menu.addSeparator()
            else:
                menu.addAction(actions[command_id])


def build_toolbar(parent: QWidget, actions: Mapping[str, QAction], slider: QWidget) -> QToolBar:
    """Open; the rarer verdicts; the autonomy slider; layout; palette and shortcuts."""
    toolbar = QToolBar("Main toolbar", parent)
    toolbar.setObjectName("mainToolbar")
    toolbar.setAccessibleName("Main toolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    toolbar.addAction(actions["app.open"])
    toolbar.addSeparator()
    for command_id in ("review.edit_hunk", "review.split_hunk", "review.accept_rest"):
        toolbar.addAction(actions[command_id])
    toolbar.addSeparator()
    toolbar.addWidget(slider)
    toolbar.addSeparator()
    toolbar.addAction(actions["view.toggle_layout"])
    spacer = QWidget(toolbar)
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    toolbar.addWidget(spacer)
    toolbar.addAction(actions["app.command_palette"])
    toolbar.addAction(actions["app.shortcuts"])
    for button in toolbar.findChildren(QToolButton):
        action = button.defaultAction()
        button.setAccessibleName(action.text().rstrip("…") if action else "More tools")
    return toolbar


class AutonomySlider(QWidget):
    """Levels 1-4 (Suggest, Chunk, File, Repo); moving it re-checks the whole queue."""

    level_chosen = Signal(int)

    def __init__(self, level: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("autonomy")
        self.setAccessibleName("Autonomy")
        caption = QLabel("Autonomy", self)
        caption.setAccessibleName("Autonomy caption")
        caption.setTextFormat(Qt.TextFormat.PlainText)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("autonomySlider")
        self.slider.setAccessibleName("Autonomy level")
        self.slider.setRange(int(Level.SUGGEST), int(Level.REPO))
        self.slider.setPageStep(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(1)
        self.slider.setFixedWidth(self.fontMetrics().averageCharWidth() * 18)
        self.slider.setToolTip(
            "How much an agent may propose at once:\n"
            + "\n".join(f"{int(each)} {each.title}" for each in Level)
        )
        self.value_label = QLabel(self)
        self.value_label.setAccessibleName("Autonomy level name")
        self.value_label.setTextFormat(Qt.TextFormat.PlainText)
        self.value_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("4 · Suggest  "))
        caption.setBuddy(self.slider)
        layout = QHBoxLayout(self)
        gap = self.fontMetrics().averageCharWidth()
        layout.setContentsMargins(gap, 0, gap, 0)
        layout.setSpacing(gap)
        layout.addWidget(caption)
        layout.addWidget(self.slider)
        layout.addWidget(self.value_label)
        self.set_level(level)
        self.slider.valueChanged.connect(self._on_value)

    def set_level(self, level: int) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(level)
        self.slider.blockSignals(False)
        self._show(level)

    def step(self, step: int) -> None:
        self.slider.setValue(self.slider.value() + step)  # emits level_chosen via valueChanged

    def _on_value(self, level: int) -> None:
        self._show(level)
        self.level_chosen.emit(level)

    def _show(self, level: int) -> None:
        words = f"{level} · {Level(level).title}"
        self.value_label.setText(words)
        self.slider.setAccessibleDescription(f"Level {words}")


_BIG_BUTTONS = ("review.accept_hunk", "review.reject_hunk")


class DecisionBar(QWidget):
    """Big Accept and Reject buttons (colour, icon AND words), reject with reason, undo.

    The rarer verdicts (edit, split, accept rest) sit in the toolbar, so the bar fits
    beside the queue and the details on a 1280-pixel-wide screen.
    """

    _BUTTONS = (
        ("review.accept_hunk", "Accept", "acceptButton"),
        ("review.reject_hunk", "Reject", "rejectButton"),
        ("review.reject_with_reason", "Reject with reason…", "rejectReasonButton"),
        ("review.undo", "Undo", "undoButton"),
    )

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionBar")
        self.setAccessibleName("Decision buttons")
        self.buttons: dict[str, QPushButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(self.fontMetrics().averageCharWidth())
        for command_id, words, name in self._BUTTONS:
            action = actions[command_id]
            keys = action.shortcut().toString(action.shortcut().SequenceFormat.NativeText)
            big = command_id in _BIG_BUTTONS
            # Keys on the two big buttons; the rest keep theirs in the tooltip (and F1).
            button = QPushButton(f"{words}   {keys}" if keys and big else words, self)
            button.setObjectName(name)
            button.setAccessibleName(words.rstrip("…"))
            button.setToolTip(action.toolTip())
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(action.trigger)
            self.buttons[command_id] = button
            if command_id == "review.undo":
                layout.addStretch(1)
            layout.addWidget(button)
        self.busy_label = QLabel("Writing…", self)
        self.busy_label.setAccessibleName("Writing in progress")
        self.busy_label.setTextFormat(Qt.TextFormat.PlainText)
        self.busy_label.hide()
        layout.insertWidget(layout.count() - 1, self.busy_label)
        self._style_big_buttons()

    def _style_big_buttons(self) -> None:
        height = round(self.fontMetrics().height() * 2.2)
        icon_size = self.fontMetrics().height()
        for command_id, state, colour, pressed in (
            ("review.accept_hunk", ACCEPTED, "#2e7d32", "#1b5e20"),
            ("review.reject_hunk", REJECTED, "#c62828", "#8e0000"),
        ):
            button = self.buttons[command_id]
            button.setIcon(state.icon())
            button.setIconSize(
                button.iconSize().scaled(icon_size, icon_size, Qt.AspectRatioMode.KeepAspectRatio)
            )
            button.setMinimumHeight(height)
            button.setStyleSheet(
                f"QPushButton {{ background: {colour}; color: white; font-weight: 600;"
                f" border: 1px solid {pressed}; border-radius: 6px; padding: 0 1.2em; }}"
                f" QPushButton:hover {{ border: 2px solid white; }}"
                f" QPushButton:pressed {{ background: {pressed}; }}"
                " QPushButton:focus { border: 2px solid palette(highlight); }"
                " QPushButton:disabled { background: palette(mid); color: palette(window); }"
            )
        for command_id, button in self.buttons.items():
            if command_id not in _BIG_BUTTONS:
                button.setMinimumHeight(height)

    def refresh(self, has_current: bool = True) -> None:
        for command_id, button in self.buttons.items():
            button.setEnabled(has_current or command_id == "review.undo")

    def set_busy(self, busy: bool) -> None:
        self.busy_label.setVisible(busy)
