"""Hidden characters in the item on screen: said once per hunk, confirmed before an accept."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from vetline.core.hidden_text import escape_hidden, hidden_warning
from vetline.core.session import ReviewItem
from vetline.ui.dialogs import confirm_box

if TYPE_CHECKING:
    from vetline.ui.controller import ReviewController
    from vetline.ui.dialogs import ReviewPrompts


class HiddenFlags:
    """Says in the banner what an item hides, and asks before a hunk that hides is accepted."""

    def __init__(
        self,
        window: QWidget,
        controller: ReviewController,
        prompts: ReviewPrompts,
        show_problem: Callable[[str], None],
    ) -> None:
        self._window = window  # the question's parent
        self._controller = controller
        self._prompts = prompts
        self._show_problem = show_problem
        self._flagged_hunk = ""  # the hunk whose hidden characters were last said

    def flag(self, item: ReviewItem) -> None:
        """Say once per hunk when it, its file's name, its proposal's text or its cited
        quote hides characters, before the reviewer decides it."""
        if self._flagged_hunk == item.hunk.id:
            return
        self._flagged_hunk = item.hunk.id
        citation = item.citation
        hidden = "" if citation is not None else self._controller.hidden_in(item)
        if hidden is None:  # still being looked at: said when hidden_scanned comes
            self._flagged_hunk = ""
            return
        around = self._controller.hidden_scans.around(item)
        warning = hidden_warning(hidden, around, asks_again=citation is None)
        if warning:
            self._show_problem(warning)

    def flag_current(self) -> None:
        current = self._controller.current
        if current is not None:
            self.flag(current)

    def confirm(self, item: ReviewItem, hidden: str) -> None:
        box = confirm_box(
            self._window,
            "Accept a hunk that hides characters?",
            f"{escape_hidden(item.change.path)}: this hunk adds characters that hide what it "
            f"does:\n\n{hidden}\n\nAccept it anyway? The log records that it was flagged "
            "and that you confirmed.",
            "Accept anyway",
            "confirmHidden",
            enter_says_yes=False,
        )
        controller = self._controller

        def accept() -> None:
            if controller.current is item:  # still the hunk the question was about
                controller.accept(confirmed_hidden=hidden)

        box.accepted.connect(accept)
        self._prompts.open_dialog(box)
