"""What each command id does in the review window, and the commands that open things.

One handler per command id (ui.actions turns them into the window's actions). The
panels and dialogs a command opens are loaded when first opened: not for the first paint.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from vetline.core.leash import Level
from vetline.ui.actions import Handler
from vetline.ui.image_commands import image_handlers

if TYPE_CHECKING:
    from vetline.ui.main_window import MainWindow


def command_handlers(window: MainWindow) -> dict[str, Handler]:
    """The window's handler of every command. The actions are made before most of the
    window's widgets: a handler reaching one looks it up when run."""
    controller = window.controller
    prompts = window.prompts
    return {
        "review.accept_hunk": controller.accept,
        "review.reject_hunk": controller.reject,
        "review.reject_with_reason": prompts.reject_with_reason,
        "review.next_hunk": lambda: controller.move(+1),
        "review.previous_hunk": lambda: controller.move(-1),
        "review.undo": controller.undo,
        "review.edit_hunk": prompts.edit_hunk,
        "review.split_hunk": controller.split,
        "review.accept_rest": prompts.accept_rest,
        # The citation view is made after the actions (it needs the details pane).
        "sources.open_source": lambda: window.citation_view.open_source(),  # noqa: PLW0108
        "sources.fetch_urls": lambda: window.citation_view.fetch_urls(),  # noqa: PLW0108
        "view.toggle_layout": window.toggle_layout,
        "view.expand_context": lambda: toggle_folds(window),
        "leash.level_up": lambda: window.slider.step(+1),
        "leash.level_down": lambda: window.slider.step(-1),
        # The centre's views are made after the actions too.
        **image_handlers(lambda method: window.centre_views.run_image_command(method)),  # noqa: PLW0108
        "ask.selection": lambda: open_ask(window, Level.SUGGEST),
        "ask.file": lambda: open_ask(window, Level.CHUNK),
        "ask.files": lambda: open_ask(window, Level.FILE),
        "app.open": lambda: prompts.choose_files(lambda paths: open_paths(window, paths)),
        "app.stop_loading": controller.cancel_loading,
        "app.command_palette": lambda: show_command_palette(window),
        "app.shortcuts": lambda: show_shortcuts(window),
        "app.stats": lambda: open_stats(window),
        "app.quit": lambda: QTimer.singleShot(0, window.close),
    }


def toggle_folds(window: MainWindow) -> None:
    if not window.diff.toggle_folds_around_current():
        window.note("No hidden lines around this hunk can be shown")


def open_ask(window: MainWindow, level: Level) -> None:
    """The Ask panel on the hunk on screen (1), its file (2) or files to pick (3)."""
    from vetline.ui.ask_scope import ask_scope

    root = window.controller.write_root or Path.cwd()
    window.ask_panel.open_for(ask_scope(window.controller, level, root))


def open_paths(window: MainWindow, paths: list[str]) -> None:
    """Files chosen or dropped: loaded into the queue, written under the workspace in use."""
    workspace = window.controller.workspace
    root = workspace.root if workspace is not None else Path.cwd()
    window.controller.load_sources([str(Path(path).absolute()) for path in paths], root)


def open_stats(window: MainWindow) -> None:
    """The reviewer's numbers, in a window of their own (loaded when first opened)."""
    from vetline.ui.stats_view import open_stats as open_stats_window

    open_stats_window(window)


def show_command_palette(window: MainWindow) -> None:
    from vetline.ui.command_palette import CommandPalette  # on demand: not for the first paint

    window.prompts.open_dialog(CommandPalette(window.command_actions, window))


def show_shortcuts(window: MainWindow) -> None:
    from vetline.ui.shortcut_sheet import ShortcutSheet  # on demand, as the palette

    window.prompts.open_dialog(ShortcutSheet(window.command_actions, window))
