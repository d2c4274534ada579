"""Colouring ahead: while the reviewer reads, the lines the next and previous hunks would
show are lexed a slice at a time, so the key that moves there paints them without lexing."""

from __future__ import annotations

import time

from vetline.core.text import strip_ending
from vetline.ui.diff_frame import SYNTAX_CACHE, Frame
from vetline.ui.diff_geometry import Placement
from vetline.ui.diff_rows import Row, RowKind

# Time one slice of colouring ahead (the hunks next to the current one) may take, so a key
# that comes in meanwhile waits no longer than this.
AHEAD_BUDGET_SECONDS = 0.002


def colour_ahead(frame: Frame, placement: Placement, lexer: str) -> bool:
    """Colour one slice of the lines beside `frame`'s current hunk; True once all are."""
    deadline = time.perf_counter() + AHEAD_BUDGET_SECONDS
    for hunk in (frame.current + 1, frame.current - 1):
        for row in rows_shown_with(frame, placement, hunk):
            for pane in frame.panes:
                shown = frame.text.shown(pane, row)
                line = strip_ending(shown.raw) if shown is not None else ""
                if SYNTAX_CACHE.cached_or_in_time(lexer, line, deadline) is None:
                    return False  # the rest in the next slice
    return True


def rows_shown_with(frame: Frame, placement: Placement, hunk: int) -> list[Row]:
    """The text rows on screen once `hunk` is scrolled to (none for no such hunk)."""
    rows = frame.rows
    if not 0 <= hunk < len(frame.text.hunks) or not rows:
        return []
    top = min(placement.top_to_centre(rows.hunk_rows(hunk)), placement.last_top())
    full_rows = max(1, frame.height // frame.parts.row_height)
    shown = range(top, min(len(rows), top + full_rows + 1))
    return [
        row for row in rows[shown.start : shown.stop] if row.kind in (RowKind.LINE, RowKind.CONTEXT)
    ]
