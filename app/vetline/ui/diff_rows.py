"""A file's hunks as display rows (unified or side by side), hidden lines folded or open.

No Qt here: rows are named tuples built per hunk on first use, so a 100k-line diff costs
one pass over its hunks (not its lines) before the first paint. Each hunk has a header
row (its verdict, its buttons); the unchanged lines between hunks are one separator row,
or, once opened, one row per line of the change's base text.
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple, overload

from vetline.core.hidden_text import escape_hidden
from vetline.core.model import Change, Hunk, HunkKind

EMPTY_MESSAGE = "No file selected"
NO_CHANGES_MESSAGE = "No changes in this file"
BINARY_MESSAGE = "Binary file — shown as one item; accept or reject the whole file"
WHITESPACE_BADGE = "whitespace only"


class DiffLayout(StrEnum):
    UNIFIED = "unified"
    SIDE_BY_SIDE = "side-by-side"


class RowKind(IntEnum):
    LINE = 0
    SEPARATOR = 1  # "⋯ N unchanged lines" between hunks
    NOTE = 2  # a hunk with no lines (rename, mode change, empty file): one sentence
    HEADER = 3  # above each hunk: its number, what it does, its verdict and buttons
    CONTEXT = 4  # an unchanged line the reviewer opened, read from the base text


class Row(NamedTuple):
    """One painted row. Line indexes point into `hunk.texts`; -1 means that side is blank.

    In the unified layout a row shows one line (context rows set both indexes to it);
    side by side, the old index is drawn on the left and the new one on the right.
    Separator and opened context rows belong to the gap above hunk `hunk` (-1: the gap
    after the last hunk); a context row's text is line `old_number` of the base text.
    """

    kind: RowKind
    hunk: int  # index of the hunk the row belongs to; -1 for the trailing gap
    old_line: int
    new_line: int
    old_number: int  # 1-based line number in the base; 0 when the old side is blank
    new_number: int
    hidden_lines: int = 0  # separators only


class DiffRows(Sequence[Row]):
    """The rows of a file in one layout; a hunk's rows are made when first asked for.

    Gap `i` is the run of unchanged lines above hunk `i`; gap `len(hunks)` follows the
    last hunk (known only when the base text's length is). A gap is one separator row;
    the gaps in `opened` show their lines below it.
    """

    _CACHED_HUNKS = 4096
    # A hunk with more lines than this has its rows made one at a time, as they are
    # painted (unified, or side by side when no removed line pairs with an added one): a
    # million-line new file comes on screen without first making a million rows.
    LAZY_ABOVE = 4096

    def __init__(
        self,
        hunks: Sequence[Hunk],
        layout: DiffLayout,
        base_line_count: int | None = None,
        opened: frozenset[int] = frozenset(),
    ) -> None:
        self._hunks = hunks
        self._layout = layout
        self._opened = opened
        self._gaps: list[int] = []  # unchanged lines hidden above each hunk, then after the last
        self._gap_first: list[int] = []  # base line number of each gap's first line
        self._gap_shift: list[int] = []  # its new-side number minus its base number
        counts: list[int] = []
        old_end = new_end = 1  # the first line after the previous text hunk, on each side
        for hunk in hunks:
            if hunk.kind is not HunkKind.TEXT:
                self._add_gap(0, old_end, new_end)
                counts.append(2)  # header and note
                continue
            old_first = hunk.old_start if hunk.old_lines else hunk.old_start + 1
            new_first = hunk.new_start if hunk.new_lines else hunk.new_start + 1
            self._add_gap(old_first - old_end, old_end, new_end)
            old_end, new_end = old_first + hunk.old_lines, new_first + hunk.new_lines
            counts.append(1 + _row_count(hunk.kinds, layout))
        trailing = base_line_count - old_end + 1 if base_line_count else 0
        self._add_gap(trailing, old_end, new_end)
        sizes = [self._gap_size(i) + count for i, count in enumerate(counts)]
        self._starts = [0, *accumulate(sizes)]  # one more than hunks: the trailing gap
        self._length = self._starts[-1] + self._gap_size(len(hunks))
        self._built: dict[int, Sequence[Row]] = {}

    def _add_gap(self, hidden: int, old_first: int, new_first: int) -> None:
        self._gaps.append(max(0, hidden))
        self._gap_first.append(old_first)
        self._gap_shift.append(new_first - old_first)

    def _gap_size(self, gap: int) -> int:
        hidden = self._gaps[gap]
        return min(hidden, 1) + (hidden if gap in self._opened else 0)

    @property
    def layout(self) -> DiffLayout:
        return self._layout

    @property
    def opened(self) -> frozenset[int]:
        return self._opened

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, row: int) -> Row: ...
    @overload
    def __getitem__(self, row: slice) -> list[Row]: ...
    def __getitem__(self, row: int | slice) -> Row | list[Row]:
        if isinstance(row, slice):  # builds only the rows in the slice
            return [self[index] for index in range(self._length)[row]]
        if not 0 <= row < self._length:
            raise IndexError(row)
        index = bisect_right(self._starts, row) - 1
        offset = row - self._starts[index]
        gap_rows = self._gap_size(index)
        if offset < gap_rows:
            owner = index if index < len(self._hunks) else -1
            if offset == 0:  # the fold itself, which stays to fold the lines again
                return Row(RowKind.SEPARATOR, owner, -1, -1, 0, 0, self._gaps[index])
            old = self._gap_first[index] + offset - 1
            return Row(RowKind.CONTEXT, owner, -1, -1, old, old + self._gap_shift[index])
        offset -= gap_rows
        if offset == 0:
            return Row(RowKind.HEADER, index, -1, -1, 0, 0)
        return self._rows_of(index)[offset - 1]

    def hunk_rows(self, index: int) -> range:
        """The rows of one hunk, its header first, without the gap above it."""
        return range(self._starts[index] + self._gap_size(index), self._starts[index + 1])

    def hidden_lines(self, gap: int) -> int:
        """Unchanged lines in a gap (0 for none; also counted when the gap is open)."""
        return self._gaps[gap] if 0 <= gap < len(self._gaps) else 0

    def gap_of(self, row: Row) -> int:
        """The gap a separator or opened context row belongs to."""
        return row.hunk if row.hunk >= 0 else len(self._hunks)

    def gap_rows(self, gap: int) -> range:
        """The rows of a gap: its separator, and its lines once opened."""
        start = self._starts[gap]
        return range(start, start + self._gap_size(gap))

    def _rows_of(self, index: int) -> Sequence[Row]:
        rows = self._built.get(index)
        if rows is None:
            if len(self._built) >= self._CACHED_HUNKS:
                self._built.clear()
            hunk = self._hunks[index]
            if hunk.kind is not HunkKind.TEXT:
                rows = [Row(RowKind.NOTE, index, -1, -1, 0, 0)]
            elif len(hunk.kinds) > self.LAZY_ABOVE and (
                self._layout is DiffLayout.UNIFIED or "-+" not in hunk.kinds
            ):
                rows = _LineRows(index, hunk)
            elif self._layout is DiffLayout.UNIFIED:
                rows = _unified_rows(index, hunk)
            else:
                rows = _side_by_side_rows(index, hunk)
            self._built[index] = rows
        return rows


_PAIRED_RUNS = re.compile(r"(-+)(\++)")


def _row_count(kinds: str, layout: DiffLayout) -> int:
    if layout is DiffLayout.UNIFIED or "-+" not in kinds:
        return len(kinds)
    # Side by side, each removed line paired with an added one shares its row (as in
    # core.worddiff.line_pairs, counted without making the pairs).
    paired = sum(min(len(removed), len(added)) for removed, added in _PAIRED_RUNS.findall(kinds))
    return len(kinds) - paired


class _LineRows(Sequence[Row]):
    """One row per line of a big hunk, each made when asked for.

    A row's line numbers are counted from the nearest checkpoint below it: the numbers
    at every `_CHECKPOINT`th line are counted in C (str.count) from the nearest one
    already known, when a row near it is first asked for. Showing the top of a
    million-line hunk counts nothing; a jump to its end counts once.
    """

    _CHECKPOINT = 1024

    def __init__(self, index: int, hunk: Hunk) -> None:
        self._index, self._kinds = index, hunk.kinds
        self._counted = [0]  # checkpoints whose numbers are known, in order
        self._numbers = {0: (hunk.old_start, hunk.new_start)}  # checkpoint -> (old, new)

    def _numbers_at(self, checkpoint: int) -> tuple[int, int]:
        numbers = self._numbers.get(checkpoint)
        if numbers is None:
            below = self._counted[bisect_right(self._counted, checkpoint) - 1]
            old, new = self._numbers[below]
            start, end = below * self._CHECKPOINT, checkpoint * self._CHECKPOINT
            old += end - start - self._kinds.count("+", start, end)
            new += end - start - self._kinds.count("-", start, end)
            numbers = self._numbers[checkpoint] = (old, new)
            insort(self._counted, checkpoint)
        return numbers

    def __len__(self) -> int:
        return len(self._kinds)

    @overload
    def __getitem__(self, line: int) -> Row: ...
    @overload
    def __getitem__(self, line: slice) -> list[Row]: ...
    def __getitem__(self, line: int | slice) -> Row | list[Row]:
        if isinstance(line, slice):
            return [self[each] for each in range(len(self._kinds))[line]]
        if not 0 <= line < len(self._kinds):
            raise IndexError(line)
        checkpoint = line // self._CHECKPOINT
        start = checkpoint * self._CHECKPOINT
        old_at, new_at = self._numbers_at(checkpoint)
        old_number = old_at + line - start - self._kinds.count("+", start, line)
        new_number = new_at + line - start - self._kinds.count("-", start, line)
        kind = self._kinds[line]
        if kind == " ":
            return Row(RowKind.LINE, self._index, line, line, old_number, new_number)
        if kind == "-":
            return Row(RowKind.LINE, self._index, line, -1, old_number, 0)
        return Row(RowKind.LINE, self._index, -1, line, 0, new_number)


def _unified_rows(index: int, hunk: Hunk) -> list[Row]:
    rows = []
    old_number, new_number = hunk.old_start, hunk.new_start
    for line, kind in enumerate(hunk.kinds):
        if kind == " ":
            rows.append(Row(RowKind.LINE, index, line, line, old_number, new_number))
            old_number += 1
            new_number += 1
        elif kind == "-":
            rows.append(Row(RowKind.LINE, index, line, -1, old_number, 0))
            old_number += 1
        else:
            rows.append(Row(RowKind.LINE, index, -1, line, 0, new_number))
            new_number += 1
    return rows


def _side_by_side_rows(index: int, hunk: Hunk) -> list[Row]:
    rows = []
    kinds = hunk.kinds
    old_number, new_number = hunk.old_start, hunk.new_start
    line = 0
    while line < len(kinds):
        if kinds[line] == " ":
            rows.append(Row(RowKind.LINE, index, line, line, old_number, new_number))
            old_number += 1
            new_number += 1
            line += 1
            continue
        removed_start = line
        while line < len(kinds) and kinds[line] == "-":
            line += 1
        added_start = line
        while line < len(kinds) and kinds[line] == "+":
            line += 1
        removed = range(removed_start, added_start)
        added = range(added_start, line)
        for pair in range(max(len(removed), len(added))):
            has_old, has_new = pair < len(removed), pair < len(added)
            rows.append(
                Row(
                    RowKind.LINE,
                    index,
                    removed[pair] if has_old else -1,
                    added[pair] if has_new else -1,
                    old_number if has_old else 0,
                    new_number if has_new else 0,
                )
            )
            old_number += has_old
            new_number += has_new
    return rows


@dataclass(frozen=True, slots=True)
class Pane:
    """Where one column of text sits, in logical pixels: unified has one, side by side two."""

    side: str  # "both" (unified), "old" (left) or "new" (right)
    left: float
    right: float
    number_columns: tuple[float, ...]  # the x of each line-number column
    sign_x: float
    text_x: float

    def line_of(self, row: Row) -> int:
        """The index (into the hunk's texts) this pane shows for a row; -1 for blank."""
        if self.side == "old":
            return row.old_line
        if self.side == "new":
            return row.new_line
        return row.old_line if row.old_line >= 0 else row.new_line

    def numbers_of(self, row: Row) -> tuple[int, ...]:
        if self.side == "old":
            return (row.old_number,)
        if self.side == "new":
            return (row.new_number,)
        return (row.old_number, row.new_number)


@lru_cache(maxsize=64)  # asked for on every row measured, with the same few widths
def layout_panes(
    layout: DiffLayout, left: float, right: float, number_width: float, sign_width: float
) -> tuple[Pane, ...]:
    """Unified: old and new numbers, sign, text. Side by side: number, sign, text, twice."""
    if layout is DiffLayout.UNIFIED:
        sign_x = left + 2 * number_width
        numbers = (left, left + number_width)
        return (Pane("both", left, right, numbers, sign_x, sign_x + sign_width),)
    middle = left + (right - left) / 2
    return tuple(
        Pane(side, start, end, (start,), start + number_width, start + number_width + sign_width)
        for side, start, end in (("old", left, middle), ("new", middle, right))
    )


def base_line_count(change: Change | None) -> int | None:
    """Lines in the base text, when the change carries it (for the last separator)."""
    if change is None or change.base_text is None:
        return None
    text = change.base_text
    unterminated_last_line = 1 if text and not text.endswith("\n") else 0
    return text.count("\n") + unterminated_last_line


def note_text(hunk: Hunk, change: Change | None) -> str:
    """The one sentence that stands for a hunk without lines."""
    if hunk.kind is HunkKind.RENAME:
        old = change.old_path if change and change.old_path else "?"
        return f"Renamed: {old} → {hunk.path}"
    if hunk.kind is HunkKind.COPY:
        source = change.old_path if change and change.old_path else "?"
        return f"Copied: {source} → {hunk.path} (which stays)"
    if hunk.kind is HunkKind.MODE:
        old_mode = change.old_mode if change else None
        new_mode = change.new_mode if change else None
        return f"File mode: {old_mode or '?'} → {new_mode or '?'}"
    if hunk.kind is HunkKind.CREATE_EMPTY:
        return "New empty file"
    if hunk.kind is HunkKind.DELETE_EMPTY:
        return "Empty file deleted"
    if change is not None and not change.is_binary and (change.base_text or change.new_text):
        # A submodule or link in a repository: what `git diff` shows, never entered.
        before = (change.base_text or "").strip() or "nothing"
        after = (change.new_text or "").strip() or "nothing"
        return f"Listed only: {before} → {after}"
    return BINARY_MESSAGE


def describe_hunk(
    change: Change | None,
    hunks: Sequence[Hunk],
    index: int,
    marks: Sequence[str] = (),
) -> str:
    """For screen readers, e.g. "src/app.py, hunk 2 of 3: 4 lines removed, 5 added; accepted".

    `marks` are the words of the hunk's badges (its verdict, "whitespace only"...).
    """
    if change is None:
        return EMPTY_MESSAGE
    if change.is_binary:
        return f"{escape_hidden(change.path)}: {BINARY_MESSAGE}"
    if index < 0:
        return f"{escape_hidden(change.path)}: {NO_CHANGES_MESSAGE}"
    hunk = hunks[index]
    plural = "s" if hunk.removed != 1 else ""
    summary = f"{hunk.removed} line{plural} removed, {hunk.added} added"
    if marks:
        summary += "; " + ", ".join(marks)
    return f"{escape_hidden(change.path)}, hunk {index + 1} of {len(hunks)}: {summary}"


def separator_text(hidden_lines: int, can_open: bool = True, is_open: bool = False) -> str:
    """A fold's words; without the base text its lines are unknown, and it says so."""
    lines = f"{hidden_lines} unchanged line{'s' if hidden_lines != 1 else ''}"
    if is_open:
        return f"⌃ {lines} shown — click to fold"
    return f"⋯ {lines}" if can_open else f"⋯ {lines} (not in the patch, cannot be shown)"
