"""A code editor whose locked lines cannot change, with line numbers and syntax colours.

Used to edit a hunk beside its diff: the hunk's context lines are locked (greyed, with
a padlock in the gutter) and refuse every edit — typing, deleting, cutting, pasting,
input methods; nothing can be dropped in — while the other lines edit as usual. Each
edit is checked before it is made, against the lines it would touch; `typed_pieces`
checks the whole structure again before anything is used. The text is untrusted and
shown as plain text only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from PySide6.QtCore import QEvent, QMimeData, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFontDatabase,
    QHelpEvent,
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextEdit, QToolTip, QWidget

from vetline.ui.editor_looks import (
    HINT,
    LOCKED,
    MARGIN_LINES,
    NOT_COLOURED,
    Gutter,
    LineColours,
    is_locked,
    shows_hint,
)
from vetline.ui.theme import DiffTheme, diff_theme

# Beyond this many lines nothing is coloured (locked lines keep their grey background and
# padlock): even a glance at each line's colours, once per line, would stall the window.
MAX_COLOURED_LINES = 20_000
LOCKED_TIP = "Unchanged context: it stays as it is"

_Move = QTextCursor.MoveOperation
_Keep = QTextCursor.MoveMode.KeepAnchor
_Key = QKeySequence.StandardKey
# Keys that delete from the cursor when nothing is selected, and how far they reach.
_DELETIONS: tuple[tuple[QKeySequence.StandardKey, _Move], ...] = (
    (_Key.DeleteStartOfWord, _Move.PreviousWord),
    (_Key.DeleteEndOfWord, _Move.NextWord),
    (_Key.DeleteEndOfLine, _Move.EndOfBlock),
    (_Key.DeleteCompleteLine, _Move.StartOfBlock),  # then to its end: the whole line
    (_Key.Backspace, _Move.PreviousCharacter),
    (_Key.Delete, _Move.NextCharacter),
)


class EditorPiece(NamedTuple):
    """Lines shown together: locked context, or lines to edit (`hint` shows while empty)."""

    locked: bool
    lines: Sequence[str]
    hint: str = ""


class LockedLinesEdit(QPlainTextEdit):
    """Plain text in a fixed font; Ctrl+Enter submits, Escape dismisses.

    Keys typed here never run the window's commands (Ctrl+Z undoes typing, not a verdict).
    """

    submitted = Signal()
    dismissed = Signal()
    refused = Signal()  # an edit would have changed a locked line, and was not made

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabChangesFocus(True)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)
        self.viewport().setMouseTracking(True)
        self._theme = diff_theme(self.palette())
        self._first_number = 1
        self._has_hints = False
        self._numbers: list[int | None] | None = None  # per block; None: not worked out yet
        self._locked_lines: list[list[str]] = []
        self._shown: list[list[str]] = []
        self._gutter = Gutter(self)
        self._colours = LineColours(self, self._near_screen)
        self._colouring = QTimer(self)
        self._colouring.setSingleShot(True)
        self._colouring.setInterval(0)
        self._colouring.timeout.connect(self._colour_visible)
        self.document().blockCountChanged.connect(self._fit_gutter)
        self.document().contentsChange.connect(self._forget_numbers)
        self.updateRequest.connect(self._scroll_gutter)
        self._fit_gutter()

    # --- content --------------------------------------------------------------------------

    def set_pieces(self, pieces: Sequence[EditorPiece], first_number: int, lexer: str) -> None:
        """Show `pieces` from line `first_number` on, coloured as `lexer` (pygments alias)."""
        document = self.document()
        self._colours.setDocument(None)  # coloured once, when every line is in
        document.setUndoRedoEnabled(False)  # nothing to undo before the reviewer types
        document.clear()
        cursor = QTextCursor(document)
        self._has_hints = any(piece.hint for piece in pieces)
        first_blocks: list[int] = []
        for number, (locked, lines, hint) in enumerate(pieces):
            block_format = QTextBlockFormat()
            block_format.setProperty(LOCKED, locked)
            block_format.setProperty(HINT, hint)
            if number == 0:
                cursor.setBlockFormat(block_format)
            else:
                cursor.insertBlock(block_format, QTextCharFormat())
            first_blocks.append(cursor.blockNumber())
            # One call per piece: its line breaks become lines with the piece's format.
            cursor.insertText("\n".join(lines))
        document.setUndoRedoEnabled(True)
        document.setModified(False)
        self._first_number = first_number
        self._numbers = None
        # Read back, not taken from `pieces`: what Qt holds is what typing is compared to.
        texts = _block_texts(document)
        ends = [*first_blocks[1:], len(texts)]
        shown = [
            (piece.locked, texts[start:end])
            for piece, start, end in zip(pieces, first_blocks, ends, strict=True)
        ]
        self._locked_lines = [lines for locked, lines in shown if locked]
        self._shown = [lines for locked, lines in shown if not locked]
        if document.blockCount() <= MAX_COLOURED_LINES:
            self._colours.attach(lexer)
        self._fit_gutter()
        opens = (at for at, piece in zip(first_blocks, pieces, strict=True) if not piece.locked)
        first_open = next(opens, 0)
        self.setTextCursor(QTextCursor(document.findBlockByNumber(first_open)))

    def shown_pieces(self) -> list[list[str]]:
        """The editable pieces as they were shown, before any typing."""
        return [list(lines) for lines in self._shown]

    def typed_pieces(self) -> list[list[str]] | None:
        """The editable pieces as they are now; None if the locked lines are not intact."""
        document = self.document()
        groups: list[tuple[bool, list[str]]] = []
        block = document.begin()
        for text in _block_texts(document):
            locked = is_locked(block)
            if groups and groups[-1][0] == locked:
                groups[-1][1].append(text)
            else:
                groups.append((locked, [text]))
            block = block.next()
        locked_lines = [lines for locked, lines in groups if locked]
        typed = [lines for locked, lines in groups if not locked]
        if locked_lines != self._locked_lines or len(typed) != len(self._shown):
            return None
        return typed

    def line_number(self, block: QTextBlock) -> int | None:
        """The block's line number in the edited text; None for an empty room to type in."""
        if not self._has_hints:
            return self._first_number + block.blockNumber()
        if self._numbers is None:
            self._numbers = _numbers(self.document(), self._first_number)
        return self._numbers[block.blockNumber()]

    def is_locked_at(self, position: int) -> bool:
        return is_locked(self.document().findBlock(position))

    # --- the edit guard -------------------------------------------------------------------

    def may_edit(self, start: int, end: int) -> bool:
        """Whether the text from `start` to `end` (a removal, or an insertion at start)
        touches only unlocked lines; removing a line break next to a locked line joins
        it to that line, so it counts as touching it."""
        document = self.document()
        block = document.findBlock(start)
        last = document.findBlock(end)
        if not last.isValid():
            last = document.lastBlock()
        while block.isValid():
            if is_locked(block):
                return False
            if block.blockNumber() >= last.blockNumber():
                return True
            block = block.next()
        return True

    def _may_replace_selection(self) -> bool:
        cursor = self.textCursor()
        return self.may_edit(cursor.selectionStart(), cursor.selectionEnd())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # Ctrl+Y, J, Ctrl+Z… are editing keys while typing here
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and modifiers & Qt.KeyboardModifier.ControlModifier:
            self.submitted.emit()
        elif key == Qt.Key.Key_Escape:
            self.dismissed.emit()
        elif key == Qt.Key.Key_Insert and not modifiers:
            pass  # no overwrite mode: typing at a line's end would never eat the line break
        elif enter or event.matches(_Key.InsertLineSeparator):
            self._insert("\n")  # a new line, never a break inside one (Shift+Enter)
        elif event.matches(_Key.Cut):
            if self.textCursor().hasSelection() and self._check(self._may_replace_selection()):
                self.cut()
        elif event.matches(_Key.Paste):
            self.paste()  # through insertFromMimeData, which checks
        elif (reach := _deletion_reach(event)) is not None:
            self._delete(reach)
        elif _types_text(event) and not self._check(self._may_replace_selection()):
            return
        else:
            super().keyPressEvent(event)  # typing, moving, selecting, copying, undo and redo

    def _check(self, allowed: bool) -> bool:
        if not allowed:
            self.refused.emit()
        return allowed

    def _insert(self, text: str) -> None:
        if self._check(self._may_replace_selection()):
            self.textCursor().insertText(text)
            self.ensureCursorVisible()

    def _delete(self, reach: _Move) -> None:
        """Delete the selection, or from the cursor as far as the key reaches."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            if reach is _Move.StartOfBlock:
                cursor.movePosition(_Move.StartOfBlock)
                reach = _Move.EndOfBlock
            elif reach is _Move.EndOfBlock and cursor.atBlockEnd():
                reach = _Move.NextCharacter  # at a line's end: the line break
            cursor.movePosition(reach, _Keep)
        if not cursor.hasSelection():
            return
        if self._check(self.may_edit(cursor.selectionStart(), cursor.selectionEnd())):
            cursor.removeSelectedText()
            self.setTextCursor(cursor)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        typing = bool(event.commitString() or event.preeditString())
        if typing and not self._check(self._may_replace_selection()):
            event.ignore()
            return
        super().inputMethodEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasText() and self._may_replace_selection()

    def insertFromMimeData(self, source: QMimeData) -> None:
        """Pasted text, as plain text with plain line breaks, where it may go."""
        if source.hasText():
            self._insert(_plain_lines(source.text()))

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu(event.pos())
        allowed = self._may_replace_selection()
        for action in menu.actions():
            if action.objectName() in ("edit-cut", "edit-paste", "edit-delete") and not allowed:
                action.setEnabled(False)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())

    # Nothing is dropped in: a drag inside the editor would move text out of locked lines.
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        event.ignore()

    # --- looks ------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._theme = diff_theme(self.palette())
            self._colours.rehighlight()
        super().changeEvent(event)

    @property
    def theme(self) -> DiffTheme:
        return self._theme

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        locked = self.is_locked_at(self.cursorForPosition(event.position().toPoint()).position())
        shape = Qt.CursorShape.ArrowCursor if locked else Qt.CursorShape.IBeamCursor
        self.viewport().setCursor(shape)
        super().mouseMoveEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            if self.is_locked_at(self.cursorForPosition(event.pos()).position()):
                QToolTip.showText(event.globalPos(), LOCKED_TIP, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Line backgrounds first (grey locked, tinted editable), then Qt's text, then hints."""
        painter = QPainter(self.viewport())
        width = self.viewport().width()
        hints: list[tuple[QRectF, str]] = []
        for block, rect in self.visible_blocks(event.rect()):
            locked = is_locked(block)
            colour = self._theme.filler if locked else self._theme.added_line
            painter.fillRect(QRectF(0, rect.top(), width, rect.height()), colour)
            if shows_hint(block):
                hints.append((rect, str(block.blockFormat().property(HINT))))
            if block.userState() == NOT_COLOURED:
                self._colouring.start()  # after this paint: never re-colour inside one
        painter.end()
        super().paintEvent(event)
        if hints:
            painter = QPainter(self.viewport())
            font = self.font()
            font.setItalic(True)
            painter.setFont(font)
            painter.setPen(self._theme.muted_text)
            left = self.document().documentMargin() + self.contentOffset().x()
            for rect, hint in hints:
                painter.drawText(rect.adjusted(left, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, hint)
            painter.end()

    def visible_blocks(self, area: QRect) -> list[tuple[QTextBlock, QRectF]]:
        """The blocks drawn within `area` (viewport coordinates), with their rectangles."""
        found: list[tuple[QTextBlock, QRectF]] = []
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        while block.isValid():
            rect = self.blockBoundingGeometry(block).translated(offset)
            if rect.top() > area.bottom():
                break
            if block.isVisible() and rect.bottom() >= area.top():
                found.append((block, rect))
            block = block.next()
        return found

    def _near_screen(self, block_number: int) -> bool:
        first = self.firstVisibleBlock().blockNumber()
        shown = self.viewport().height() // max(1, self.fontMetrics().lineSpacing()) + 1
        return first - MARGIN_LINES <= block_number <= first + shown + MARGIN_LINES

    def _colour_visible(self) -> None:
        for block, _rect in self.visible_blocks(self.viewport().rect()):
            if block.userState() == NOT_COLOURED:
                self._colours.rehighlightBlock(block)

    # --- the gutter ---------------------------------------------------------------------------

    def gutter_width(self) -> int:
        digits = len(str(self._first_number + self.document().blockCount()))
        char = self.fontMetrics().horizontalAdvance("9")
        return char * (digits + 4)

    def _fit_gutter(self, _count: int = 0) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _forget_numbers(self, _position: int, _removed: int, _added: int) -> None:
        self._numbers = None

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        inside = self.contentsRect()
        self._gutter.setGeometry(inside.left(), inside.top(), self.gutter_width(), inside.height())


def _block_texts(document: QTextDocument) -> list[str]:
    """Each line's text, in one call (walking the blocks costs microseconds a line)."""
    return document.toRawText().split("\u2029")


def _numbers(document: QTextDocument, first: int) -> list[int | None]:
    numbers: list[int | None] = []
    number = first
    block = document.begin()
    while block.isValid():
        if shows_hint(block):
            numbers.append(None)
        else:
            numbers.append(number)
            number += 1
        block = block.next()
    return numbers


def _deletion_reach(event: QKeyEvent) -> _Move | None:
    for standard_key, reach in _DELETIONS:
        if event.matches(standard_key):
            return reach
    if event.key() == Qt.Key.Key_Backspace and not event.modifiers() & ~(
        Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
    ):
        return _Move.PreviousCharacter
    return None


def _types_text(event: QKeyEvent) -> bool:
    text = event.text()
    return bool(text) and (text[0].isprintable() or text[0] == "\t")


def _plain_lines(text: str) -> str:
    for mark in ("\r\n", "\r", "\u2028", "\u2029"):
        text = text.replace(mark, "\n")
    return text
