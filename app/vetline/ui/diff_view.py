"""The diff view: a file's hunks painted row by row, only the rows on screen.

Virtualised on purpose: QPlainTextEdit with extra selections costs ~26 ms per scroll at
100k lines, and highlighting a whole document costs seconds. Here a paint touches only
the visible rows; syntax colours and word highlights are computed for those rows and
cached. Every string is drawn with QPainter.drawText, which never interprets markup:
the text is untrusted.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFontDatabase,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

from vetline.core.model import Change, Hunk
from vetline.core.text import strip_ending
from vetline.core.worddiff import HunkWordSpans, LineSpans
from vetline.ui.diff_rows import (
    BINARY_MESSAGE,
    EMPTY_MESSAGE,
    NO_CHANGES_MESSAGE,
    WHITESPACE_BADGE,
    DiffLayout,
    DiffRows,
    Pane,
    Row,
    RowKind,
    base_line_count,
    describe_hunk,
    display_text,
    layout_panes,
    note_text,
    separator_text,
)
from vetline.ui.syntax import SyntaxColourCache, lexer_name_for
from vetline.ui.theme import diff_theme

_SIGNS = {"+": "+", "-": "−", " ": " "}
# Time one paint may spend lexing lines it has not seen before; the rest are coloured a
# moment later, so a keystroke never waits on pygments.
SYNTAX_BUDGET_SECONDS = 0.004
_SYNTAX_CACHE = SyntaxColourCache()  # shared: a file seen in one view is warm in the next
_WORD_SPAN_HUNKS = 2048  # hunks whose word highlights are remembered, by hunk id
_PaintedRow = tuple[int, int, Row]  # row index, its top in the viewport, the row


class DiffView(QAbstractScrollArea):
    """Shows one file's hunks, unified or side by side, with the current hunk marked."""

    current_hunk_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Diff")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # We paint every pixel ourselves, so Qt need not clear the viewport first.
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        # A scroll bar that came and went with the file would resize (and repaint) the
        # view right after its first paint.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self._change: Change | None = None
        self._hunks: Sequence[Hunk] = ()
        self._layout = DiffLayout.UNIFIED
        self._rows = DiffRows((), self._layout)
        self._current = -1
        self._lexer = ""
        self._longest_line = 0  # characters; sets the horizontal scroll range
        self._number_digits = 1
        self._hunk_ids: dict[int, str] = {}
        self._word_spans: OrderedDict[str, HunkWordSpans] = OrderedDict()
        self._whitespace_only: dict[int, bool] = {}
        self._syntax_deadline = 0.0
        self._colouring_pending = False
        self._colour_timer = QTimer(self, singleShot=True, interval=0)
        self._colour_timer.timeout.connect(self._colour_pending_lines)
        self._theme = diff_theme(self.palette())
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._update_metrics()  # setFont sends no FontChange if the font was already this one

    # --- public API ---------------------------------------------------------------------

    def set_file(self, change: Change | None, hunks: Sequence[Hunk]) -> None:
        """Show `hunks` of `change` (None: the empty state); the first hunk becomes current."""
        self._change, self._hunks = change, hunks
        self._hunk_ids.clear()
        self._whitespace_only.clear()
        path = change.path if change else (hunks[0].path if hunks else "")
        self._lexer = lexer_name_for(path) if path else ""
        self._longest_line = max((max(map(len, h.texts), default=0) for h in hunks), default=0)
        last_number = max(
            (max(h.old_start + h.old_lines, h.new_start + h.new_lines) for h in hunks), default=1
        )
        self._number_digits = len(str(last_number))
        self._rebuild_rows()
        self.verticalScrollBar().setValue(0)
        self.horizontalScrollBar().setValue(0)
        self.set_current_hunk(0)

    def set_layout(self, layout: DiffLayout) -> None:
        if layout is self._layout:
            return
        top_hunk = self._rows[self.verticalScrollBar().value()].hunk if self._rows else -1
        self._layout = layout
        self._rebuild_rows()
        keep = self._current if self._current >= 0 else top_hunk
        if keep >= 0:
            self._scroll_to_hunk(keep, centre=True)
        self.viewport().update()

    def diff_layout(self) -> DiffLayout:
        return self._layout

    def rows(self) -> DiffRows:
        return self._rows

    def current_hunk(self) -> int:
        return self._current

    def set_current_hunk(self, index: int) -> None:
        """Emphasise a hunk and scroll it into view (centred when it was off screen)."""
        self._current = index if 0 <= index < len(self._hunks) and self._rows else -1
        if self._current >= 0:
            self._scroll_to_hunk(self._current)
        self.setAccessibleDescription(
            describe_hunk(self._change, self._hunks, self._current, self._is_whitespace_only)
        )
        self.viewport().update()

    def visible_rows(self) -> range:
        """Rows at least partly on screen."""
        top = self.verticalScrollBar().value()
        shown = math.ceil(self.viewport().height() / self._row_height)
        return range(top, min(len(self._rows), top + shown))

    def row_rect(self, row: int) -> QRectF:
        """Where a row is (or would be) drawn, in viewport coordinates."""
        top = (row - self.verticalScrollBar().value()) * self._row_height
        return QRectF(0, top, self.viewport().width(), self._row_height)

    def text_left(self) -> float:
        """Where the text of the first (or only) pane starts, before horizontal scrolling."""
        return self._panes()[0].text_x

    def is_colouring_pending(self) -> bool:
        """True while some lines on screen still wait for their syntax colours."""
        return self._colouring_pending or self._colour_timer.isActive()

    def word_spans(self, hunk_index: int, line: int) -> LineSpans:
        """Changed character spans of one line of a hunk (empty for context and rewrites)."""
        hunk_id = self._hunk_ids.get(hunk_index)
        if hunk_id is None:
            hunk_id = self._hunk_ids[hunk_index] = self._hunks[hunk_index].id
        spans = self._word_spans.get(hunk_id)
        if spans is None:
            spans = self._word_spans[hunk_id] = HunkWordSpans(self._hunks[hunk_index])
            if len(self._word_spans) > _WORD_SPAN_HUNKS:
                self._word_spans.popitem(last=False)
        return spans.of(line)

    # --- Qt events ----------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._theme = diff_theme(self.palette())
            self.viewport().update()
        elif event.type() == QEvent.Type.FontChange:
            self._update_metrics()
            self._update_scroll_ranges()
            self.viewport().update()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scroll_ranges()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        bar = self.verticalScrollBar()
        if event.key() == Qt.Key.Key_Home:
            bar.setValue(bar.minimum())
        elif event.key() == Qt.Key.Key_End:
            bar.setValue(bar.maximum())
        else:
            super().keyPressEvent(event)  # arrows and page keys scroll

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.verticalScrollBar().value() + int(event.position().y() // self._row_height)
        if event.button() == Qt.MouseButton.LeftButton and index < len(self._rows):
            row = self._rows[index]
            if row.kind is not RowKind.SEPARATOR:
                self.current_hunk_clicked.emit(row.hunk)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        event.accept()  # the press was ours, so is the release

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        try:
            painter.fillRect(event.rect(), self._theme.base)
            if not self._rows:
                self._paint_message(painter)
                return
            # Only the rows the paint event asks for: after a scroll, the strip scrolled in.
            top, height = self.verticalScrollBar().value(), self._row_height
            visible = self.visible_rows()
            first = max(visible.start, top + event.rect().top() // height)
            last = min(visible.stop, top + math.ceil((event.rect().bottom() + 1) / height))
            rows = [(i, (i - top) * height, self._rows[i]) for i in range(first, last)]
            panes = self._panes()
            for _index, y, row in rows:
                self._paint_row_frame(painter, panes, row, y)
            self._paint_texts(painter, panes, rows)
            self._paint_current_hunk(painter, range(first, last))
            self._paint_whitespace_badges(painter, rows)
        finally:
            painter.end()
        if self._colouring_pending:
            self._colour_timer.start()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        # A vertical scroll moves whole rows, so the pixels on screen can be moved and only
        # the rows scrolled in painted. A horizontal one moves text but not the gutter.
        if dy and not dx and abs(dy) < self._full_rows():
            self.viewport().scroll(0, dy * self._row_height)
        else:
            self.viewport().update()

    def _colour_pending_lines(self) -> None:
        if self._lexer:
            _SYNTAX_CACHE.load_lexer(self._lexer)
        self.viewport().update()  # the next paint colours what its budget allows

    # --- geometry -------------------------------------------------------------------------

    def _update_metrics(self) -> None:
        metrics = QFontMetricsF(self.font())
        padding = max(1.0, round(metrics.height() * 0.15))
        self._font_metrics = metrics
        self._row_height = math.ceil(metrics.height() + 2 * padding)
        self._baseline = padding + metrics.ascent()
        self._char_width = metrics.horizontalAdvance("0")
        self._bar_width = max(3.0, round(self._char_width * 0.5))
        self.verticalScrollBar().setSingleStep(1)  # one step is one row
        self.horizontalScrollBar().setSingleStep(max(1, round(self._char_width * 4)))

    def _panes(self) -> tuple[Pane, ...]:
        number_width = (self._number_digits + 2) * self._char_width
        return layout_panes(
            self._layout,
            self._bar_width,
            self.viewport().width(),
            number_width,
            sign_width=2 * self._char_width,
        )

    def _rebuild_rows(self) -> None:
        binary = self._change is not None and self._change.is_binary
        hunks = () if binary else self._hunks
        self._rows = DiffRows(hunks, self._layout, base_line_count(self._change))
        self._update_scroll_ranges()

    def _full_rows(self) -> int:
        return max(1, self.viewport().height() // self._row_height)

    def _update_scroll_ranges(self) -> None:
        vertical = self.verticalScrollBar()
        vertical.setPageStep(self._full_rows())
        vertical.setRange(0, max(0, len(self._rows) - self._full_rows()))
        pane = self._panes()[0]
        text_width = pane.right - pane.text_x
        content = (self._longest_line + 4) * self._char_width
        horizontal = self.horizontalScrollBar()
        horizontal.setPageStep(max(1, int(text_width)))
        horizontal.setRange(0, max(0, math.ceil(content - text_width)))

    def _scroll_to_hunk(self, index: int, centre: bool = False) -> None:
        rows, bar = self._rows.hunk_rows(index), self.verticalScrollBar()
        full_rows = self._full_rows()
        if not centre and bar.value() <= rows.start and rows.stop <= bar.value() + full_rows:
            return
        if len(rows) < full_rows:
            bar.setValue(rows.start - (full_rows - len(rows)) // 2)
        else:
            bar.setValue(rows.start - 1)  # a tall hunk: its top, with the separator above

    # --- painting ---------------------------------------------------------------------

    def _paint_message(self, painter: QPainter) -> None:
        if self._change is None:
            message = EMPTY_MESSAGE
        else:
            reason = BINARY_MESSAGE if self._change.is_binary else NO_CHANGES_MESSAGE
            # Paths come from the agent too: hidden characters in them are shown.
            message = f"{display_text(self._change.path).text}\n\n{reason}"
        painter.setPen(self._theme.muted_text)
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        painter.drawText(QRectF(self.viewport().rect()).adjusted(16, 16, -16, -16), flags, message)

    def _paint_row_frame(
        self, painter: QPainter, panes: tuple[Pane, ...], row: Row, y: int
    ) -> None:
        """Backgrounds, line numbers and signs; the text comes later, clipped per pane."""
        theme, height, baseline = self._theme, self._row_height, y + self._baseline
        if row.kind is not RowKind.LINE:
            separator = row.kind is RowKind.SEPARATOR
            full = QRectF(self._bar_width, y, self.viewport().width(), height)
            painter.fillRect(full, theme.separator if separator else theme.gutter)
            painter.setPen(theme.muted_text if separator else theme.text)
            label = (
                separator_text(row.hidden_lines)
                if separator
                else note_text(self._hunks[row.hunk], self._change)
            )
            painter.drawText(QPointF(panes[0].sign_x, baseline), display_text(label).text)
            return
        kinds = self._hunks[row.hunk].kinds
        number_right = (self._number_digits + 1) * self._char_width
        for pane in panes:
            line = pane.line_of(row)
            whole = QRectF(pane.left, y, pane.right - pane.left, height)
            if line < 0:
                painter.fillRect(whole, theme.filler)
                continue
            line_colour, gutter_colour, sign_colour = theme.line_colours(kinds[line])
            if line_colour is not None:
                painter.fillRect(whole, line_colour)
            painter.fillRect(QRectF(pane.left, y, pane.text_x - pane.left, height), gutter_colour)
            painter.setPen(theme.muted_text)
            for x, number in zip(pane.number_columns, pane.numbers_of(row), strict=True):
                if number:
                    text = str(number)
                    advance = self._font_metrics.horizontalAdvance(text)
                    painter.drawText(QPointF(x + number_right - advance, baseline), text)
            painter.setPen(sign_colour)
            sign_x = pane.sign_x + self._char_width * 0.5
            painter.drawText(QPointF(sign_x, baseline), _SIGNS[kinds[line]])
        if len(panes) == 2:
            painter.fillRect(QRectF(panes[1].left - 0.5, y, 1.0, height), theme.divider)

    def _paint_texts(
        self, painter: QPainter, panes: tuple[Pane, ...], rows: list[_PaintedRow]
    ) -> None:
        scroll_x = self.horizontalScrollBar().value()
        height = self.viewport().height()
        self._colouring_pending = False
        self._syntax_deadline = time.perf_counter() + SYNTAX_BUDGET_SECONDS
        for pane in panes:
            painter.setClipRect(QRectF(pane.text_x, 0, pane.right - pane.text_x, height))
            x = pane.text_x + self._char_width * 0.5 - scroll_x  # a little air after the sign
            for _index, y, row in rows:
                line = pane.line_of(row) if row.kind is RowKind.LINE else -1
                if line >= 0:
                    self._paint_line_text(painter, x, y, row.hunk, line, pane.right)
        painter.setClipping(False)

    def _paint_line_text(
        self, painter: QPainter, x: float, y: float, hunk_index: int, line: int, right: float
    ) -> None:
        """One line's word highlights, invisible-character markers and syntax-coloured text."""
        hunk = self._hunks[hunk_index]
        raw, kind = hunk.texts[line], hunk.kinds[line]
        shown = display_text(raw, self._is_whitespace_only(hunk_index))
        text, theme, advance = shown.text, self._theme, self._font_metrics.horizontalAdvance
        if len(text) > self._longest_line:
            # Expanded tabs and markers made it wider than the raw length promised.
            self._longest_line = len(text)
            QTimer.singleShot(0, self, self._update_scroll_ranges)

        backgrounds = [(marker, theme.badge) for marker in shown.markers]
        if kind != " ":
            word_colour = theme.added_word if kind == "+" else theme.removed_word
            backgrounds += [
                ((shown.at(start), shown.at(end)), word_colour)
                for start, end in self.word_spans(hunk_index, line)
            ]
        for (start, end), colour in backgrounds:
            left = x + advance(text[:start])
            painter.fillRect(QRectF(left, y, advance(text[start:end]), self._row_height), colour)

        spans = _SYNTAX_CACHE.cached_or_in_time(
            self._lexer, strip_ending(raw), self._syntax_deadline
        )
        if spans is None:
            self._colouring_pending = True
        baseline = y + self._baseline
        for start, end, role in shown.pieces(spans or ()):
            if x > right:
                break
            piece = text[start:end]
            painter.setPen(theme.text if role is None else theme.syntax[role])
            painter.drawText(QPointF(x, baseline), piece)
            x += advance(piece)

    def _paint_current_hunk(self, painter: QPainter, painted: range) -> None:
        """A bar in the margin and a thin frame; the frame stays open where the hunk runs on."""
        if self._current < 0:
            return
        top = self.verticalScrollBar().value()
        rows = self._rows.hunk_rows(self._current)
        first, last = max(rows.start, painted.start), min(rows.stop, painted.stop)
        if first >= last:
            return
        y0, height = (first - top) * self._row_height, (last - first) * self._row_height
        painter.fillRect(QRectF(0, y0, self._bar_width, height), self._theme.current_bar)
        painter.setPen(self._theme.current_frame)
        left, right = self._bar_width + 0.5, self.viewport().width() - 0.5
        if first == rows.start:
            painter.drawLine(QPointF(left, y0 + 0.5), QPointF(right, y0 + 0.5))
        if last == rows.stop:
            painter.drawLine(QPointF(left, y0 + height - 0.5), QPointF(right, y0 + height - 0.5))
        painter.drawLine(QPointF(right, y0), QPointF(right, y0 + height))

    def _paint_whitespace_badges(self, painter: QPainter, rows: list[_PaintedRow]) -> None:
        width = self._font_metrics.horizontalAdvance(WHITESPACE_BADGE) + self._char_width * 2
        for index, y, row in rows:
            if row.kind is not RowKind.LINE or not self._is_whitespace_only(row.hunk):
                continue
            if self._rows.hunk_rows(row.hunk).start == index:
                box = QRectF(
                    self.viewport().width() - width - 6, y + 1, width, self._row_height - 2
                )
                painter.fillRect(box, self._theme.badge)
                painter.setPen(self._theme.badge_text)
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, WHITESPACE_BADGE)

    # --- per-hunk facts -----------------------------------------------------------------

    def _is_whitespace_only(self, hunk_index: int) -> bool:
        known = self._whitespace_only.get(hunk_index)
        if known is None:
            known = self._whitespace_only[hunk_index] = self._hunks[hunk_index].is_whitespace_only
        return known


def measure_first_paint(view: DiffView, change: Change | None, hunks: Sequence[Hunk]) -> float:
    """Milliseconds from set_file to the first frame painted (the view must be exposed).

    Includes QApplication.processEvents, so a colouring pass deferred by the first paint
    (see SYNTAX_BUDGET_SECONDS) is counted when it runs within it.
    """
    start = time.perf_counter()
    view.set_file(change, hunks)
    view.viewport().repaint()
    QApplication.processEvents()
    return (time.perf_counter() - start) * 1000


def measure_scroll_paint(view: DiffView, rows: int) -> float:
    """Milliseconds to scroll the shown view by `rows` and paint what scrolled in."""
    start = time.perf_counter()
    bar = view.verticalScrollBar()
    bar.setValue(bar.value() + rows)
    QApplication.processEvents()
    return (time.perf_counter() - start) * 1000
