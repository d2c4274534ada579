"""One paint of the diff view: the rows on screen, from a snapshot of what the view shows.

The view gathers what a paint needs into a Frame and this module draws it: row
backgrounds, numbers and signs, hunk headers, syntax-coloured text, verdict marks and
the current hunk's frame. Only the rows passed in are touched.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter

from vetline.core.session import HunkState
from vetline.core.text import strip_ending
from vetline.ui.diff_geometry import HitKind, Target, hunk_span
from vetline.ui.diff_paint import Background, ButtonLook, RowPainter
from vetline.ui.diff_rows import (
    BINARY_MESSAGE,
    EMPTY_MESSAGE,
    NO_CHANGES_MESSAGE,
    DiffRows,
    Pane,
    Row,
    RowKind,
    note_text,
    separator_text,
)
from vetline.ui.diff_text import FileText
from vetline.ui.hunk_badges import header_title, state_of, verdict_badge
from vetline.ui.line_text import display_text, hanging_indent
from vetline.ui.syntax import SyntaxColourCache

_SIGNS = {"+": "+", "-": "−", " ": " "}
_CONTINUED = "↪"  # in the sign column of a wrapped line's further rows
# Time one paint may spend lexing lines it has not seen before; the rest are coloured a
# moment later, so a keystroke never waits on pygments.
SYNTAX_BUDGET_SECONDS = 0.004
SYNTAX_CACHE = SyntaxColourCache()  # shared: a file seen in one view is warm in the next
PaintedRow = tuple[int, int, int, Row]  # row index, its top, its visual rows, the row


def buttons_shown(
    index: int, current: int, hover: Target, states: Sequence[HunkState], count: int
) -> bool:
    """Accept and Reject show on the current or hovered hunk while it awaits a verdict."""
    hovered = hover.index if hover.kind in (HitKind.HUNK, HitKind.BUTTON) else -1
    on = 0 <= index < count and index in (current, hovered)
    return on and not state_of(states, index).decided


@dataclass(frozen=True, slots=True)
class Frame:
    """What one paint of the view shows."""

    rows: DiffRows
    text: FileText
    panes: tuple[Pane, ...]
    parts: RowPainter
    states: Sequence[HunkState]
    current: int
    hover: Target
    busy: bool
    width: int
    height: int
    bar_width: float
    scroll_x: int
    wrap_columns: tuple[int | None, ...]  # per pane; None: no wrapping
    wrap_most: int

    def segments(self, pane_index: int, row: Row) -> tuple[tuple[int, int], ...]:
        pane = self.panes[pane_index]
        return self.text.segments(pane, row, self.wrap_columns[pane_index], self.wrap_most)


class FramePainter:
    """Paints a Frame; says afterwards whether some lines still wait for their colours."""

    def __init__(self, painter: QPainter, frame: Frame) -> None:
        self.painter = painter
        self.frame = frame
        self.colouring_pending = False
        self.widest_text = 0  # characters of the widest line drawn (unwrapped)
        parts = frame.parts
        self._row_height, self._baseline = parts.row_height, parts.baseline
        self._char_width = parts.char_width

    def paint(self, rows: list[PaintedRow]) -> None:
        for _index, y, lines, row in rows:
            self._row_frame(row, y, lines)
        self._texts(rows)
        self._verdict_marks(rows)
        self._current_hunk(rows)

    def message(self) -> None:
        """The empty, binary or no-changes state, with a binary file's verdict."""
        frame, painter = self.frame, self.painter
        change = frame.text.change
        if change is None:
            words = EMPTY_MESSAGE
        else:
            reason = BINARY_MESSAGE if change.is_binary else NO_CHANGES_MESSAGE
            # Paths come from the agent too: hidden characters in them are shown.
            words = f"{display_text(change.path).text}\n\n{reason}"
            marks = frame.text.badges(0, state_of(frame.states, 0)) if change.is_binary else []
            if marks:
                words += "\n\n" + "  ·  ".join(badge.text for badge in marks)
        painter.setPen(frame.parts.theme.muted_text)
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        room = QRectF(0, 0, frame.width, frame.height).adjusted(16, 16, -16, -16)
        painter.drawText(room, flags, words)

    def _row_frame(self, row: Row, y: int, lines: int) -> None:
        """Backgrounds, line numbers and signs; the text comes later, clipped per pane."""
        frame, painter = self.frame, self.painter
        theme, height, baseline = frame.parts.theme, self._row_height, y + self._baseline
        full = QRectF(frame.bar_width, y, frame.width - frame.bar_width, height)
        text_x = frame.panes[0].sign_x
        if row.kind is RowKind.SEPARATOR:
            can_open, gap = frame.text.can_open_folds, frame.rows.gap_of(row)
            hovered = can_open and frame.hover == Target(HitKind.FOLD, gap)
            words = separator_text(row.hidden_lines, can_open, gap in frame.rows.opened)
            frame.parts.separator(painter, full, text_x, words, hovered)
        elif row.kind is RowKind.HEADER:
            self._header(row.hunk, full)
        elif row.kind is RowKind.NOTE:
            painter.fillRect(full, theme.gutter)
            painter.setPen(theme.text)
            label = note_text(frame.text.hunks[row.hunk], frame.text.change)
            painter.drawText(QPointF(text_x, baseline), display_text(label).text)
        else:
            for pane_index in range(len(frame.panes)):
                self._pane_frame(pane_index, row, y, lines)
            if len(frame.panes) == 2:
                divider = QRectF(frame.panes[1].left - 0.5, y, 1.0, height * lines)
                painter.fillRect(divider, theme.divider)

    def _pane_frame(self, pane_index: int, row: Row, y: int, lines: int) -> None:
        frame, painter = self.frame, self.painter
        pane, theme, height = frame.panes[pane_index], frame.parts.theme, self._row_height
        shown = frame.text.shown(pane, row)
        whole = QRectF(pane.left, y, pane.right - pane.left, height * lines)
        if shown is None:
            painter.fillRect(whole, theme.filler)
            return
        line_colour, gutter_colour, sign_colour = theme.line_colours(shown.kind)
        if line_colour is not None:
            painter.fillRect(whole, line_colour)
        painter.fillRect(
            QRectF(pane.left, y, pane.text_x - pane.left, height * lines), gutter_colour
        )
        painter.setPen(theme.muted_text)
        baseline = y + self._baseline
        number_right = (frame.text.number_digits + 1) * self._char_width
        advance = frame.parts.metrics.horizontalAdvance
        for x, number in zip(pane.number_columns, pane.numbers_of(row), strict=True):
            if number:
                words = str(number)
                painter.drawText(QPointF(x + number_right - advance(words), baseline), words)
        sign_x = pane.sign_x + self._char_width * 0.5
        painter.setPen(sign_colour)
        painter.drawText(QPointF(sign_x, baseline), _SIGNS[shown.kind])
        if lines > 1:
            painter.setPen(theme.muted_text)
            for more in range(1, len(frame.segments(pane_index, row))):
                painter.drawText(QPointF(sign_x, baseline + more * height), _CONTINUED)

    def _header(self, index: int, rect: QRectF) -> None:
        frame = self.frame
        text, state = frame.text, state_of(frame.states, index)
        title = display_text(header_title(text.hunks[index], index, len(text.hunks))).text
        verdict = verdict_badge(state)
        badges = text.badges(index, state)
        facts = badges[1:] if verdict else badges
        look = None
        if buttons_shown(index, frame.current, frame.hover, frame.states, len(text.hunks)):
            hover = frame.hover
            hovered = (
                hover.button if hover.kind is HitKind.BUTTON and hover.index == index else None
            )
            look = ButtonLook(hovered=hovered, enabled=not frame.busy)
        frame.parts.header(self.painter, rect, frame.panes[0].sign_x, title, facts, verdict, look)

    def _texts(self, rows: list[PaintedRow]) -> None:
        frame, painter = self.frame, self.painter
        deadline = time.perf_counter() + SYNTAX_BUDGET_SECONDS
        for pane_index, pane in enumerate(frame.panes):
            painter.setClipRect(QRectF(pane.text_x, 0, pane.right - pane.text_x, frame.height))
            # A little air after the sign.
            x = pane.text_x + self._char_width * 0.5 - frame.scroll_x
            for _index, y, _lines, row in rows:
                if row.kind in (RowKind.LINE, RowKind.CONTEXT):
                    self._line_text(pane_index, x, y, row, deadline)
        painter.setClipping(False)

    def _line_text(self, pane_index: int, x: float, y: int, row: Row, deadline: float) -> None:
        """One line's word highlights, invisible-character markers and syntax-coloured text."""
        frame = self.frame
        pane, theme = frame.panes[pane_index], frame.parts.theme
        shown = frame.text.shown(pane, row)
        if shown is None:
            return
        display = shown.display
        self.widest_text = max(self.widest_text, len(display.text))
        backgrounds: list[Background] = []
        if shown.kind != " " and row.kind is RowKind.LINE:
            colour = theme.added_word if shown.kind == "+" else theme.removed_word
            backgrounds += [
                ((display.at(start), display.at(end)), colour)
                for start, end in frame.text.word_spans(row.hunk, pane.line_of(row))
            ]
        # Last, so a hidden character's mark stays distinct inside a changed word.
        backgrounds += [(marker, theme.badge) for marker in display.markers]
        text = frame.text
        spans = (  # None: to be coloured by a later paint, once the lexer is known and loaded
            SYNTAX_CACHE.cached_or_in_time(text.lexer, strip_ending(shown.raw), deadline)
            if text.lexer_known
            else None
        )
        if spans is None:
            self.colouring_pending = True
        segments = frame.segments(pane_index, row)
        columns = frame.wrap_columns[pane_index]
        hang = hanging_indent(display.text, columns) if columns is not None else 0
        frame.parts.line_text(
            self.painter, x, y, display, spans or (), backgrounds, segments, pane.right, hang
        )

    def _verdict_marks(self, rows: list[PaintedRow]) -> None:
        """Decided hunks: their lines faded, their margin in the verdict's colour."""
        frame, painter = self.frame, self.painter
        for _index, y, lines, row in rows:
            if row.hunk < 0 or row.kind in (RowKind.SEPARATOR, RowKind.CONTEXT):
                continue
            badge = verdict_badge(state_of(frame.states, row.hunk))
            if badge is None:
                continue
            height = lines * self._row_height
            if row.kind is not RowKind.HEADER:
                dimmed = QRectF(frame.bar_width, y, frame.width, height)
                painter.fillRect(dimmed, frame.parts.theme.dim)
            colour = frame.parts.tone_colour(badge.tone)
            painter.fillRect(QRectF(0, y, frame.bar_width, height), colour)

    def _current_hunk(self, rows: list[PaintedRow]) -> None:
        """A bar in the margin and a thin frame; the frame stays open where the hunk runs on."""
        frame, painter = self.frame, self.painter
        if frame.current < 0:
            return
        span = hunk_span(frame.rows.hunk_rows(frame.current), rows, self._row_height)
        if span is None:
            return
        top, bottom, opens_top, opens_bottom = span
        theme = frame.parts.theme
        painter.fillRect(QRectF(0, top, frame.bar_width, bottom - top), theme.current_bar)
        painter.setPen(theme.current_frame)
        left, right = frame.bar_width + 0.5, frame.width - 0.5
        if not opens_top:
            painter.drawLine(QPointF(left, top + 0.5), QPointF(right, top + 0.5))
        if not opens_bottom:
            painter.drawLine(QPointF(left, bottom - 0.5), QPointF(right, bottom - 0.5))
        painter.drawLine(QPointF(right, top), QPointF(right, bottom))
