"""Where the diff view's rows are on screen, when a row may be several visual lines tall.

The view scrolls by whole rows (the scroll bar's value is the top row). Unified, every
row is one line high and all of this is arithmetic; side by side, a long line wraps
into a taller row, so the rows on screen are laid out one by one from the top. Only
the rows on screen (and, for the scroll range, the last screenful) are ever measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Protocol

from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QScrollBar, QWidget

from vetline.ui.diff_paint import HunkButton
from vetline.ui.diff_rows import DiffRows, Pane, Row

WRAP_MAX_ROWS = 12  # a wrapped line taller than this is cut (a minified file's one line)
_Placed = tuple[int, int, int]  # row index, its top in the viewport, its visual lines


class HitKind(Enum):
    NONE = "none"
    HUNK = "hunk"  # a hunk's header or lines
    BUTTON = "button"  # an inline Accept or Reject
    FOLD = "fold"  # a separator of folded unchanged lines (index: its gap)


@dataclass(frozen=True, slots=True)
class Target:
    """What is under the pointer."""

    kind: HitKind = HitKind.NONE
    index: int = -1  # the hunk, or the gap of a fold
    button: HunkButton | None = None


class RowSource(Protocol):
    """What the placement needs of the view."""

    def rows(self) -> DiffRows: ...
    def row_lines(self, row: Row) -> int: ...
    def wraps_lines(self) -> bool: ...
    def row_height(self) -> int: ...
    def verticalScrollBar(self) -> QScrollBar: ...
    def viewport(self) -> QWidget: ...


def wrap_limit(full_rows: int) -> int:
    """Visual lines one row may take: never a whole screen, so scrolling by rows moves on."""
    return max(1, min(WRAP_MAX_ROWS, full_rows - 2))


@lru_cache(maxsize=16)  # asked for on every row measured, with the same few widths
def wrap_columns(panes: tuple[Pane, ...], char_width: float, wraps: bool) -> tuple[int | None, ...]:
    """Characters per visual row in each pane; None where lines do not wrap."""
    if not wraps:
        return (None,) * len(panes)
    room = [pane.right - pane.text_x - char_width for pane in panes]
    return tuple(max(8, int(width // char_width)) for width in room)


class Placement:
    """The rows on screen for the view's current scroll position and size (cached)."""

    def __init__(self, view: RowSource) -> None:
        self._view = view
        self._key: tuple[object, ...] = ()
        self._placed: list[_Placed] = []

    def placed(self) -> list[_Placed]:
        view = self._view
        rows, top, height = view.rows(), view.verticalScrollBar().value(), self._height()
        row_height, wraps = view.row_height(), view.wraps_lines()
        key = (rows, top, height, view.viewport().width(), row_height, wraps)
        if key == self._key:
            return self._placed
        if not wraps:
            stop = min(len(rows), top + math.ceil(height / row_height))
            placed = [(index, (index - top) * row_height, 1) for index in range(top, stop)]
        else:
            placed, y, index = [], 0, top
            while index < len(rows) and y < height:
                lines = view.row_lines(rows[index])
                placed.append((index, y, lines))
                y += lines * row_height
                index += 1
        self._key, self._placed = key, placed
        return placed

    def visible(self) -> range:
        top = self._view.verticalScrollBar().value()
        return range(top, top + len(self.placed()))

    def rect(self, row: int) -> QRectF:
        """A row's rectangle; off screen, as if every row were one line high."""
        view, width = self._view, self._view.viewport().width()
        row_height, placed = view.row_height(), self.placed()
        if placed and placed[0][0] <= row <= placed[-1][0]:
            _index, y, lines = placed[row - placed[0][0]]
            return QRectF(0, y, width, lines * row_height)
        top = view.verticalScrollBar().value()
        return QRectF(0, (row - top) * row_height, width, row_height)

    def row_at(self, y: float) -> int | None:
        row_height = self._view.row_height()
        for index, top, lines in self.placed():
            if top <= y < top + lines * row_height:
                return index
        return None

    def shows_whole(self, rows: range) -> bool:
        """True when every one of `rows` is on screen, none cut at the bottom."""
        placed = self.placed()
        if not rows or not placed or rows.start < placed[0][0] or rows.stop - 1 > placed[-1][0]:
            return False
        _index, y, lines = placed[rows.stop - 1 - placed[0][0]]
        return y + lines * self._view.row_height() <= self._height()

    def top_to_centre(self, rows: range) -> int:
        """The top row that centres `rows` on screen; a tall run shows its top instead."""
        view = self._view
        full = max(1, self._height() // view.row_height())
        if not view.wraps_lines():
            if len(rows) < full:
                return max(0, rows.start - (full - len(rows)) // 2)
            return max(0, rows.start - 1)  # a tall hunk: its top, with the row above
        all_rows = view.rows()
        taken = 0
        for index in rows:
            taken += view.row_lines(all_rows[index])
            if taken >= full:
                return max(0, rows.start - 1)
        spare, top = (full - taken) // 2, rows.start
        while top > 0 and spare >= view.row_lines(all_rows[top - 1]):
            spare -= view.row_lines(all_rows[top - 1])
            top -= 1
        return top

    def last_top(self) -> int:
        """The highest top row: the one from which the last row just fits."""
        view = self._view
        rows, full = view.rows(), max(1, self._height() // view.row_height())
        if not view.wraps_lines():
            return max(0, len(rows) - full)
        room, index = full, len(rows)
        while index > 0 and room >= view.row_lines(rows[index - 1]):
            room -= view.row_lines(rows[index - 1])
            index -= 1
        return min(index, max(0, len(rows) - 1))

    def _height(self) -> int:
        return self._view.viewport().height()


def hunk_span(
    hunk_rows: range, painted: list[tuple[int, int, int, Row]], row_height: int
) -> tuple[float, float, bool, bool] | None:
    """The painted part of a hunk: top, bottom, and whether it runs on above and below."""
    inside = [(index, y, lines) for index, y, lines, _row in painted if index in hunk_rows]
    if not inside:
        return None
    first, last = inside[0], inside[-1]
    bottom = last[1] + last[2] * row_height
    return first[1], bottom, first[0] > hunk_rows.start, last[0] < hunk_rows.stop - 1
