"""A file's hunks as display rows (unified or side by side), and line text made safe to draw.

No Qt here: rows are named tuples built per hunk on first use, so a 100k-line diff costs
one pass over its hunks (not its lines) before the first paint.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple, overload

from vetline.core.model import Change, Hunk, HunkKind
from vetline.core.text import line_ending
from vetline.ui.syntax import RoleSpan, SyntaxRole

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


class Row(NamedTuple):
    """One painted row. Line indexes point into `hunk.texts`; -1 means that side is blank.

    In the unified layout a row shows one line (context rows set both indexes to it);
    side by side, the old index is drawn on the left and the new one on the right.
    """

    kind: RowKind
    hunk: int  # index of the hunk the row belongs to; -1 for the trailing separator
    old_line: int
    new_line: int
    old_number: int  # 1-based line number in the base; 0 when the old side is blank
    new_number: int
    hidden_lines: int = 0  # separators only


class DiffRows(Sequence[Row]):
    """The rows of a file in one layout; a hunk's rows are made when first asked for."""

    _CACHED_HUNKS = 4096

    def __init__(
        self, hunks: Sequence[Hunk], layout: DiffLayout, base_line_count: int | None = None
    ) -> None:
        self._hunks = hunks
        self._layout = layout
        self._gaps: list[int] = []  # unchanged lines hidden before each hunk (0: no separator)
        counts: list[int] = []
        line_end = 1  # the first base line after the previous text hunk
        for hunk in hunks:
            if hunk.kind is not HunkKind.TEXT:
                self._gaps.append(0)
                counts.append(1)
                continue
            first = hunk.old_start if hunk.old_lines else hunk.old_start + 1
            self._gaps.append(max(0, first - line_end))
            line_end = first + hunk.old_lines
            counts.append(_row_count(hunk.kinds, layout))
        self._trailing_gap = max(0, base_line_count - line_end + 1) if base_line_count else 0
        sizes = [count + (gap > 0) for count, gap in zip(counts, self._gaps, strict=True)]
        self._starts = [0, *accumulate(sizes)]  # one more than hunks: the end of the last
        self._length = self._starts[-1] + (self._trailing_gap > 0)
        self._built: dict[int, list[Row]] = {}

    @property
    def layout(self) -> DiffLayout:
        return self._layout

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
        if row >= self._starts[-1]:
            return Row(RowKind.SEPARATOR, -1, -1, -1, 0, 0, self._trailing_gap)
        index = bisect_right(self._starts, row) - 1
        offset = row - self._starts[index]
        if self._gaps[index]:
            if offset == 0:
                return Row(RowKind.SEPARATOR, index, -1, -1, 0, 0, self._gaps[index])
            offset -= 1
        return self._rows_of(index)[offset]

    def hunk_rows(self, index: int) -> range:
        """The rows of one hunk, without the separator above it."""
        start = self._starts[index] + (self._gaps[index] > 0)
        return range(start, self._starts[index + 1])

    def _rows_of(self, index: int) -> list[Row]:
        rows = self._built.get(index)
        if rows is None:
            if len(self._built) >= self._CACHED_HUNKS:
                self._built.clear()
            hunk = self._hunks[index]
            if hunk.kind is not HunkKind.TEXT:
                rows = [Row(RowKind.NOTE, index, -1, -1, 0, 0)]
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
    is_whitespace_only: Callable[[int], bool],
) -> str:
    """For screen readers, e.g. "src/app.py, hunk 2 of 3: 4 lines removed, 5 added"."""
    if change is None:
        return EMPTY_MESSAGE
    if change.is_binary:
        return f"{change.path}: {BINARY_MESSAGE}"
    if index < 0:
        return f"{change.path}: {NO_CHANGES_MESSAGE}"
    hunk = hunks[index]
    plural = "s" if hunk.removed != 1 else ""
    summary = f"{hunk.removed} line{plural} removed, {hunk.added} added"
    if is_whitespace_only(index):
        summary += f" ({WHITESPACE_BADGE})"
    return f"{change.path}, hunk {index + 1} of {len(hunks)}: {summary}"


def separator_text(hidden_lines: int) -> str:
    return f"⋯ {hidden_lines} unchanged line{'s' if hidden_lines != 1 else ''}"


# --- Line text made safe to draw -------------------------------------------------------

TAB_WIDTH = 4
# Longer lines are cut when drawn: a minified megabyte on one line must not stall a paint.
MAX_DRAWN_CHARS = 10_000

# Characters that draw as nothing (or move other text) and so could hide what a line does:
# C0/C1 controls, bidi overrides (Trojan Source), zero-width and invisible formatting
# characters, Unicode tag characters (used to smuggle hidden instructions to models), and
# lone surrogates (undecodable bytes kept by surrogateescape).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)
_TAB_OR_INVISIBLE = re.compile(f"\t|{_INVISIBLE.pattern}")
_TAB_OR_INVISIBLE_OR_SPACE = re.compile(f"\t|{_INVISIBLE.pattern}| ")
# Control Pictures (␀ ␛) would be the obvious symbols, but DejaVu Sans Mono, the usual
# Linux monospace font, has none of them and draws a box; ASCII names in a marker read
# the same in every font.
_CONTROL_NAMES = (
    *("NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL"),
    *("BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI"),
    *("DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB"),
    *("CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"),
)
_SHOWN_ENDINGS = {"\r\n": "⟨CR⟩↵", "\n": "↵", "": ""}


class DisplayText(NamedTuple):
    """A line as drawn, with where each character of the original line ended up."""

    text: str
    positions: tuple[int, ...] | None  # display offset of each raw offset; None: the same
    markers: tuple[tuple[int, int], ...] = ()  # display spans standing for invisible chars

    def at(self, raw_offset: int) -> int:
        if self.positions is None:
            return min(raw_offset, len(self.text))
        return self.positions[min(raw_offset, len(self.positions) - 1)]

    def pieces(
        self, role_spans: Sequence[RoleSpan]
    ) -> Iterator[tuple[int, int, SyntaxRole | None]]:
        """The drawn text cut where its colour changes; None is plain text between spans."""
        position = 0
        for raw_start, raw_end, role in role_spans:
            start, end = self.at(raw_start), self.at(raw_end)
            if start > position:
                yield position, start, None
            yield start, end, role
            position = end
        if position < len(self.text):
            yield position, len(self.text), None


@lru_cache(maxsize=8192)
def display_text(raw_line: str, show_whitespace: bool = False) -> DisplayText:
    """The line without its ending, tabs expanded, invisible characters made visible.

    The result is drawn as plain text, never as markup. With `show_whitespace` (for
    whitespace-only hunks) spaces show as '·', tabs as '→' and the ending as ↵ (⟨CR⟩↵ for CRLF).
    """
    ending = line_ending(raw_line)
    line = raw_line[: len(raw_line) - len(ending)]
    cut = len(line) - MAX_DRAWN_CHARS
    if cut > 0:
        line = line[:MAX_DRAWN_CHARS]
    special = _TAB_OR_INVISIBLE_OR_SPACE if show_whitespace else _TAB_OR_INVISIBLE
    tail = (_SHOWN_ENDINGS[ending] if show_whitespace else "") + (
        f"  ⋯ {cut} more characters" if cut > 0 else ""
    )
    if not special.search(line):
        return DisplayText(line + tail, None)

    pieces: list[str] = []
    positions: list[int] = []
    markers: list[tuple[int, int]] = []
    column = 0
    for char in line:
        positions.append(column)
        shown = _shown_char(char, column, show_whitespace) if special.match(char) else char
        if shown != char and char not in " \t":
            markers.append((column, column + len(shown)))
        pieces.append(shown)
        column += len(shown)
    positions.append(column)
    return DisplayText("".join(pieces) + tail, tuple(positions), tuple(markers))


def _shown_char(char: str, column: int, show_whitespace: bool) -> str:
    code = ord(char)
    if char == "\t":
        width = TAB_WIDTH - column % TAB_WIDTH
        return ("→" + " " * (width - 1)) if show_whitespace else " " * width
    if char == " ":
        return "·" if show_whitespace else " "
    if code < 0x20:
        return f"⟨{_CONTROL_NAMES[code]}⟩"
    if code == 0x7F:
        return "⟨DEL⟩"
    if 0xDC80 <= code <= 0xDCFF:
        return f"⟨x{code - 0xDC00:02X}⟩"  # a byte that was not valid UTF-8
    return f"⟨U+{code:04X}⟩"
