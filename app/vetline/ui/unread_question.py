"""Asking "accept without reading?" before a too-fast accept of a big hunk, when set to.

Off by default (review.ask_unread_above_lines = 0). When the reviewer says yes, the accept
is logged as a rubber stamp whatever the time on screen grew to while they were asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vetline.core.hidden_text import escape_hidden
from vetline.core.session import ReviewItem
from vetline.ui.dialogs import confirm_box

if TYPE_CHECKING:
    from vetline.ui.main_window import MainWindow


def ask_before_unread_accepts(window: MainWindow) -> None:
    """Answer the controller's confirm_unread with a question over `window`."""
    controller = window.controller

    def ask(item: ReviewItem) -> None:
        lines = item.hunk.added + item.hunk.removed
        seconds = controller.session.reading.needed_ms(lines) / 1000
        box = confirm_box(
            window,
            "Accept without reading?",
            f"{escape_hidden(item.change.path)}: this hunk changes {lines} lines; reading it"
            f" takes about {seconds:.0f} s, and it has not been on screen that long.\n\n"
            "Accept it without reading? The decision log marks it as a rubber stamp.",
            "Accept without reading",
            "confirmUnread",
            enter_says_yes=False,
        )

        def accept() -> None:
            if controller.current is item:  # still the hunk the question was about
                controller.accept(
                    confirmed_hidden=controller.hidden_in(item), confirmed_unread=True
                )

        box.accepted.connect(accept)
        window.prompts.open_dialog(box)

    controller.confirm_unread.connect(ask)
