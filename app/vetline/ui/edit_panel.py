"""The edit panel: a hunk's new side edited beside its diff, with its context locked.

It opens under the diff, where the decision buttons were, so the hunk being edited
stays in sight. The changed lines are edited; the context lines are shown greyed with
a padlock and cannot change. Ctrl+Enter (or "Accept edited") accepts the hunk as
edited — as proposed if nothing was changed — and Escape (or Cancel) closes the panel
with nothing decided.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from vetline.core.hidden_text import escape_hidden
from vetline.core.hunk_edit import EditPiece, HunkEditError, edit_pieces, edited_new_text
from vetline.core.model import Hunk
from vetline.core.session import ReviewItem
from vetline.ui.inline_panel import ACCEPT_COLOURS, InlinePanel, colour_button, native_keys
from vetline.ui.locked_lines_edit import EditorPiece, LockedLinesEdit
from vetline.ui.plain_text import plain_label
from vetline.ui.syntax import lexer_name_for

HOW_TO = "Edit the green lines; the grey ones with a padlock are context and stay as they are."
REFUSED = "Context lines stay as they are: only the green lines can be edited."
DRAFT = "Picked up where you left it. Esc drops this edit."
MIN_EDITOR_LINES = 4


class EditPanel(InlinePanel):
    """The hunk's new side in a LockedLinesEdit, with Accept edited and Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("editPanel", "Edit hunk", parent)
        self._hunk: Hunk | None = None
        self._lines = MIN_EDITOR_LINES  # editor lines shown without scrolling
        self._shown: list[list[str]] = []
        self.title = plain_label("", self, "Hunk being edited")
        title_font = self.title.font()
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.editor = LockedLinesEdit(self)
        self.editor.setObjectName("hunkEditor")
        self.editor.setAccessibleName("New text of the hunk")
        self.editor.setAccessibleDescription(HOW_TO)
        self.message = plain_label(HOW_TO, self, "How to edit")
        self.message.setWordWrap(False)  # one line: the panel keeps its height as you type
        self.message.setMinimumWidth(1)
        self.accept_button = QPushButton(self)
        self.accept_button.setObjectName("acceptEditedButton")
        colour_button(self.accept_button, ACCEPT_COLOURS)
        self.cancel_button = QPushButton(f"Cancel   {native_keys('Esc')}", self)
        self.cancel_button.setObjectName("cancelEditButton")
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setToolTip("Close the editor; nothing is decided")
        for button in (self.accept_button, self.cancel_button):
            button.setMinimumHeight(self.button_height())
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.accept_button.clicked.connect(self.submitted)
        self.cancel_button.clicked.connect(self.dismissed)
        self.editor.submitted.connect(self.submitted)
        self.editor.dismissed.connect(self.dismissed)
        self.editor.refused.connect(lambda: self.say(REFUSED, warn=True))
        self.editor.document().modificationChanged.connect(self._show_modified)
        self._layout()
        self._show_modified(False)
        self.keep_keys_inside()

    def _layout(self) -> None:
        gap = self.fontMetrics().averageCharWidth()
        buttons = QHBoxLayout()
        buttons.setSpacing(gap)
        buttons.addWidget(self.accept_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = self._column = QVBoxLayout(self)
        layout.setContentsMargins(gap * 2, gap, gap * 2, gap)
        layout.setSpacing(gap)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(self.editor)
        layout.addLayout(buttons)

    # --- opening and reading ------------------------------------------------------------------

    def open_for(
        self, item: ReviewItem, draft: Sequence[Sequence[str]] | None = None, room: int = 12
    ) -> None:
        """Show `item`'s hunk (or a draft put aside earlier) in at most `room` lines."""
        hunk = self._hunk = item.hunk
        pieces = edit_pieces(hunk)
        lexer = lexer_name_for(item.change.path)
        self.editor.set_pieces(_shown_pieces(pieces), hunk.new_start, lexer)
        self._shown = self.editor.shown_pieces()
        if draft is not None:
            self.editor.set_pieces(_shown_pieces(pieces, draft), hunk.new_start, lexer)
            self.editor.document().setModified(True)
        last = hunk.new_start + max(hunk.new_lines, 1) - 1
        self.title.setText(
            f"Edit before accepting · {escape_hidden(item.change.path)} · "
            f"lines {hunk.new_start}–{last}"
        )
        self.say(DRAFT if draft is not None else HOW_TO)
        self._lines = max(MIN_EDITOR_LINES, min(self.editor.document().blockCount(), room))
        self.editor.setFixedHeight(self._editor_height(self._lines))

    def fit_to_width(self) -> bool:
        """Room for the horizontal scroll bar when a line is wider than the editor."""
        editor = self.editor
        height = self._editor_height(self._lines)
        margins = 2 * editor.document().documentMargin() + editor.cursorWidth()
        if _widest_line(editor) + margins > editor.viewport().width():
            height += editor.horizontalScrollBar().sizeHint().height()
        if height == editor.height():
            return False
        editor.setFixedHeight(height)
        return True

    def focus_first(self) -> None:
        self.editor.setFocus()

    def _editor_height(self, lines: int) -> int:
        editor = self.editor
        line = editor.blockBoundingRect(editor.document().firstBlock()).height()
        margins = editor.contentsMargins()
        frame = margins.top() + margins.bottom() + 2 * editor.document().documentMargin()
        return math.ceil(lines * line + frame) + 2  # Qt wants a spare pixel or it scrolls

    def chrome_height(self) -> int:
        """The panel's height without its editor (title, help line, buttons, margins)."""
        layout = self._column
        margins = layout.contentsMargins()
        parts = (self.title, self.message, self.accept_button)
        return (
            margins.top()
            + margins.bottom()
            + 3 * layout.spacing()
            + sum(max(part.sizeHint().height(), part.minimumHeight()) for part in parts)
        )

    def edited_text(self) -> str:
        """The hunk's new side as edited; HunkEditError if the editor lost its structure."""
        assert self._hunk is not None, "open_for first"
        typed = self.editor.typed_pieces()
        if typed is None:
            raise HunkEditError(f"{self._hunk.path}: the context lines were changed")
        return edited_new_text(self._hunk, typed, self._shown)

    def changed(self) -> bool:
        return self._hunk is not None and self.edited_text() != self._hunk.new_text

    def draft(self) -> list[list[str]] | None:
        """What was typed, to pick up later; None when nothing was."""
        if not self.editor.document().isModified():
            return None
        return self.editor.typed_pieces()

    def _show_modified(self, modified: bool) -> None:
        keys = native_keys("Ctrl+Enter")
        words = "Accept edited" if modified else "Accept as proposed"
        self.accept_button.setText(f"{words}   {keys}")
        self.accept_button.setAccessibleName(words)
        self.accept_button.setToolTip(
            "Accept the hunk with your edits" if modified else "Nothing is edited yet"
        )


def _shown_pieces(
    pieces: Sequence[EditPiece], typed: Sequence[Sequence[str]] | None = None
) -> list[EditorPiece]:
    """The editor's pieces: context locked, each changed run editable (typed, if given)."""
    typed_runs = iter(typed or ())
    shown: list[EditorPiece] = []
    for piece in pieces:
        if piece.locked:
            shown.append(EditorPiece(True, piece.lines))
            continue
        lines = next(typed_runs, None) if typed is not None else None
        hint = ""
        if not piece.texts:
            removed = f"{piece.removed} line" + ("" if piece.removed == 1 else "s")
            hint = f"{removed} removed here: type to keep some text"
        shown.append(EditorPiece(False, lines if lines is not None else piece.lines, hint))
    return shown


def _widest_line(editor: LockedLinesEdit, lines: int = 2_000) -> int:
    """How wide the first `lines` lines are drawn, in pixels (enough to size the panel)."""
    metrics = editor.fontMetrics()
    document = editor.document()
    count = min(lines, document.blockCount())
    texts = (document.findBlockByNumber(number).text() for number in range(count))
    return max((metrics.horizontalAdvance(text) for text in texts), default=0)
