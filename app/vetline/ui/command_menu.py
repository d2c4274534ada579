"""Context menus made of the window's command actions, so a right click runs the same code.

The menus hold the QActions built by ui.actions (with their titles and keys), never
copies: a command does the same from a key, a button, the palette or a menu.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

# The diff's right-click menu; None draws a separator line.
DIFF_MENU_COMMANDS: tuple[str | None, ...] = (
    "review.accept_hunk",
    "review.reject_hunk",
    "review.reject_with_reason",
    "review.edit_hunk",
    "review.split_hunk",
    None,
    "review.accept_rest",
    "review.undo",
    None,
    "view.expand_context",
    "view.toggle_layout",
    None,
    "ask.selection",
    "ask.file",
)


# The queue's right-click menu: the row clicked is made current first.
QUEUE_MENU_COMMANDS: tuple[str | None, ...] = (
    "review.accept_hunk",
    "review.reject_hunk",
    "review.reject_with_reason",
    "review.edit_hunk",
    "review.split_hunk",
    None,
    "review.accept_rest",
    "review.undo",
    None,
    "ask.file",
    "app.open",
)


def build_command_menu(
    parent: QWidget,
    actions: Mapping[str, QAction],
    command_ids: Sequence[str | None],
    applies: Callable[[str], bool] | None = None,
) -> QMenu:
    """A menu of the commands that apply now: enabled, known, and not refused by `applies`.

    Separators are kept only between two groups that both have an entry.
    """
    menu = QMenu(parent)
    menu.setAccessibleName("Commands")
    pending_separator = False
    for command_id in command_ids:
        if command_id is None:
            pending_separator = bool(menu.actions())
            continue
        action = actions.get(command_id)
        if action is None or not action.isEnabled():
            continue
        if applies is not None and not applies(command_id):
            continue
        if pending_separator:
            menu.addSeparator()
            pending_separator = False
        menu.addAction(action)
    return menu
