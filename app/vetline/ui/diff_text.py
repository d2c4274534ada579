"""The text a diff view draws for one file: hunk lines, opened base lines, and their caches.

No Qt here. A row and a pane name a line; this says what is drawn there (made safe by
ui.line_text), how it wraps, and which of its words changed.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from typing import NamedTuple

from vetline.core.model import Change, Hunk
from vetline.core.session import HunkState
from vetline.core.text import split_lines
from vetline.core.worddiff import HunkWordSpans, LineSpans
from vetline.ui.diff_rows import Pane, Row, RowKind
from vetline.ui.hunk_badges import Badge, header_badges, verdict_badge
from vetline.ui.line_text import DisplayText, display_text, wrap_segments
from vetline.ui.syntax import lexer_name_for

_SHOWN_ROWS = 4096  # rows whose drawn text is remembered: a few screens' worth
_MEASURED_LINES = 20_000  # of a hunk, for the first horizontal scroll range (FileText)
_WORD_SPAN_HUNKS = 2048  # hunks whose word highlights are remembered, by hunk id
# Shared by every view: a hunk's id is a hash of its content, so a hunk seen once is warm.
_WORD_SPANS: OrderedDict[str, HunkWordSpans] = OrderedDict()

_SPLIT_POINT = re.compile(r"[-+] +[-+]")  # in a hunk's kinds: changes, context, changes
Segments = tuple[tuple[int, int], ...]  # a line's drawn text cut into visual rows


class ShownLine(NamedTuple):
    display: DisplayText  # as drawn
    raw: str  # as written, with its line ending
    kind: str  # " ", "-" or "+"


class FileText:
    """One file's hunks (and base text, for opened folds) as the view shows them."""

    def __init__(self, change: Change | None, hunks: Sequence[Hunk]) -> None:
        self.change = change
        self.hunks = hunks
        self._path = change.path if change else (hunks[0].path if hunks else "")
        self._lexer: str | None = None  # looked up when colours are first wanted
        # Measured on a hunk's first lines only when it has very many: painting widens it
        # when a longer line comes on screen (DiffView.paintEvent).
        self.longest_line = max(
            (max(map(len, h.texts[:_MEASURED_LINES]), default=0) for h in hunks), default=0
        )
        last_number = max(
            (max(h.old_start + h.old_lines, h.new_start + h.new_lines) for h in hunks), default=1
        )
        self.number_digits = len(str(last_number))
        self._base_lines: list[str] | None = None  # split on the first opened fold
        self._hunk_ids: dict[int, str] = {}
        self._whitespace_only: dict[int, bool] = {}
        # A paint asks for a row's line several times (to measure, frame, then draw it).
        self._shown: dict[tuple[Row, str], ShownLine | None] = {}

    @property
    def lexer(self) -> str:
        """The file's pygments alias, "" for plain text. Looked up when first asked (it
        loads pygments' index of lexers): a first paint draws plain text, and asks only
        `lexer_known`."""
        if self._lexer is None:
            self._lexer = lexer_name_for(self._path) if self._path else ""
        return self._lexer

    @property
    def lexer_known(self) -> bool:
        return self._lexer is not None

    @property
    def can_open_folds(self) -> bool:
        """Folded lines can be shown only when the change carries its base text."""
        return self.change is not None and self.change.base_text is not None

    def shown(self, pane: Pane, row: Row) -> ShownLine | None:
        """What one pane draws for a row: None for a blank side (or a row without text)."""
        key = (row, pane.side)
        try:
            return self._shown[key]
        except KeyError:
            pass
        if len(self._shown) >= _SHOWN_ROWS:
            self._shown.clear()
        shown = self._shown[key] = self._make_shown(pane, row)
        return shown

    def _make_shown(self, pane: Pane, row: Row) -> ShownLine | None:
        if row.kind is RowKind.CONTEXT:
            if self._base_lines is None:
                self._base_lines = split_lines(self.change.base_text or "") if self.change else []
            lines = self._base_lines
            raw = lines[row.old_number - 1] if 0 < row.old_number <= len(lines) else ""
            return ShownLine(display_text(raw), raw, " ")
        line = pane.line_of(row) if row.kind is RowKind.LINE else -1
        if line < 0:
            return None
        hunk = self.hunks[row.hunk]
        raw = hunk.texts[line]
        shown = display_text(raw, self.is_whitespace_only(row.hunk))
        return ShownLine(shown, raw, hunk.kinds[line])

    def segments(self, pane: Pane, row: Row, columns: int | None, most: int) -> Segments:
        """The visual rows of a pane's line: one unless `columns` says to wrap."""
        shown = self.shown(pane, row)
        text = shown.display.text if shown is not None else ""
        if columns is None:
            return ((0, len(text)),)
        return wrap_segments(text, columns, most)

    def word_spans(self, hunk_index: int, line: int) -> LineSpans:
        """Changed character spans of one line of a hunk (empty for context and rewrites)."""
        hunk_id = self._hunk_ids.get(hunk_index)
        if hunk_id is None:
            hunk_id = self._hunk_ids[hunk_index] = self.hunks[hunk_index].id
        spans = _WORD_SPANS.get(hunk_id)
        if spans is None:
            spans = _WORD_SPANS[hunk_id] = HunkWordSpans(self.hunks[hunk_index])
            if len(_WORD_SPANS) > _WORD_SPAN_HUNKS:
                _WORD_SPANS.popitem(last=False)
        return spans.of(line)

    def is_whitespace_only(self, hunk_index: int) -> bool:
        known = self._whitespace_only.get(hunk_index)
        if known is None:
            known = self.hunks[hunk_index].is_whitespace_only
            self._whitespace_only[hunk_index] = known
        return known

    def can_split(self, index: int) -> bool:
        """Unchanged lines between two runs of changes: the hunk breaks there (core.hunks)."""
        if not 0 <= index < len(self.hunks):
            return False
        return _SPLIT_POINT.search(self.hunks[index].kinds) is not None

    def badges(self, index: int, state: HunkState) -> list[Badge]:
        """A hunk's badges: its verdict first (if any), then facts such as "new file"."""
        if not 0 <= index < len(self.hunks):
            return []
        verdict = verdict_badge(state)
        whitespace = self.is_whitespace_only(index)
        facts = header_badges(self.change, self.hunks[index], whitespace_only=whitespace)
        return [*([verdict] if verdict else []), *facts]
