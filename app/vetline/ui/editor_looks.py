"""How the hunk editor looks: which lines are locked, their colours, and the gutter.

A line's lock is a property of its block format, so it moves with the line as lines
are added above it and is restored by undo. Syntax colours are worked out only for
the lines on screen (and a few around them): pygments takes ~0.7 ms a line, so
colouring a long hunk up front would hold up the panel; the others are coloured as
they scroll into view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QSyntaxHighlighter, QTextBlock
from PySide6.QtGui import QTextFormat as _Format
from PySide6.QtWidgets import QWidget

from vetline.ui.syntax import SyntaxColourCache

if TYPE_CHECKING:
    from vetline.ui.locked_lines_edit import LockedLinesEdit

LOCKED = _Format.Property.UserProperty  # block property: this line cannot change
HINT = _Format.Property.UserProperty + 1  # block property: words shown while it is empty
NOT_COLOURED = 1  # block state: syntax colours left for when the line is on screen
MARGIN_LINES = 20  # lines above and below the screen coloured ahead of scrolling


def is_locked(block: QTextBlock) -> bool:
    return block.isValid() and bool(block.blockFormat().property(LOCKED))


def shows_hint(block: QTextBlock) -> bool:
    """An editable piece left as one empty line shows its hint (it holds no lines)."""
    if is_locked(block) or block.text() or not block.blockFormat().property(HINT):
        return False
    before, after = block.previous(), block.next()
    return (not before.isValid() or is_locked(before)) and (not after.isValid() or is_locked(after))


class LineColours(QSyntaxHighlighter):
    """Syntax colours on editable lines near the screen; locked lines in the muted colour."""

    def __init__(self, editor: LockedLinesEdit, near_screen: Callable[[int], bool]) -> None:
        super().__init__(editor)
        self._editor = editor
        self._near_screen = near_screen
        self._lexer = ""
        self._cache = SyntaxColourCache(capacity=4_096)

    def attach(self, lexer: str) -> None:
        """Colour the editor's document as `lexer` (a pygments alias; "" for plain text)."""
        self._lexer = lexer
        self.setDocument(self._editor.document())
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        theme = self._editor.theme
        block = self.currentBlock()
        self.setCurrentBlockState(-1)
        if is_locked(block):
            self.setFormat(0, len(text), theme.muted_text)
            return
        if not self._lexer:
            return
        spans = self._cache.cached(self._lexer, text)
        if spans is None:
            if not self._near_screen(block.blockNumber()):
                self.setCurrentBlockState(NOT_COLOURED)
                return
            spans = self._cache.colour(self._lexer, text)
        for start, end, role in spans:
            self.setFormat(start, end - start, theme.syntax[role])


class Gutter(QWidget):
    """Line numbers, a padlock on each locked line, a green bar beside each editable one."""

    def __init__(self, editor: LockedLinesEdit) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        editor = self._editor
        theme = editor.theme
        painter = QPainter(self)
        painter.fillRect(event.rect(), theme.gutter)
        char = editor.fontMetrics().horizontalAdvance("9")
        numbers_right = self.width() - char * 3
        align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for block, rect in editor.visible_blocks(event.rect()):
            locked = is_locked(block)
            if not locked:
                bar = QRectF(self.width() - char // 2 - 2, rect.top(), 3, rect.height())
                painter.fillRect(bar, theme.added_sign)
            number = editor.line_number(block)
            painter.setPen(theme.muted_text if locked else theme.text)
            if number is not None:
                box = QRectF(0, rect.top(), numbers_right, rect.height())
                painter.drawText(box, int(align), str(number))
            if locked:
                centre = QPointF(numbers_right + char * 1.2, rect.center().y())
                draw_padlock(painter, centre, char)
        painter.end()


def draw_padlock(painter: QPainter, centre: QPointF, size: int) -> None:
    """A small padlock in the pen's colour: colour is not the only sign of a locked line."""
    colour = QColor(painter.pen().color())
    body = QRectF(centre.x() - size * 0.4, centre.y() - size * 0.05, size * 0.8, size * 0.6)
    shackle = QRectF(centre.x() - size * 0.25, centre.y() - size * 0.45, size * 0.5, size * 0.7)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(colour, max(1.0, size / 7)))
    painter.drawArc(shackle, 0, 180 * 16)
    painter.fillRect(body, colour)
    painter.restore()
