"""What is under the pointer in the diff view: a hunk, its inline button or a fold, and
the escaped character (⟨U+0430⟩, ⟨ESC⟩) a tooltip explains."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QAction

from vetline.core.hidden_text import explain_char
from vetline.core.session import HunkState
from vetline.core.text import strip_ending
from vetline.ui.diff_frame import Frame
from vetline.ui.diff_geometry import HitKind, Placement, Target
from vetline.ui.diff_paint import HunkButton, RowPainter
from vetline.ui.diff_rows import DiffRows, RowKind
from vetline.ui.hunk_badges import state_of
from vetline.ui.line_text import hanging_indent

BUTTON_COMMANDS = {
    HunkButton.ACCEPT: "review.accept_hunk",
    HunkButton.REJECT: "review.reject_hunk",
}


def header_rect(row_rect: QRectF, bar_width: float) -> QRectF:
    """A hunk header row's rectangle, right of the current hunk's bar."""
    return QRectF(bar_width, row_rect.top(), row_rect.width() - bar_width, row_rect.height())


def target_at(
    rows: DiffRows,
    placement: Placement,
    parts: RowPainter,
    bar_width: float,
    states: Sequence[HunkState],
    position: QPointF,
) -> Target:
    index = placement.row_at(position.y())
    if index is None:
        return Target()
    row = rows[index]
    if row.kind is RowKind.SEPARATOR:
        return Target(HitKind.FOLD, rows.gap_of(row))
    if row.kind is RowKind.CONTEXT or row.hunk < 0:
        return Target()
    # The pointer is on this hunk, so its buttons are there (if it awaits a verdict).
    if row.kind is RowKind.HEADER and not state_of(states, row.hunk).decided:
        header = header_rect(placement.rect(index), bar_width)
        for button, rect in parts.button_rects(header).items():
            if rect.contains(position):
                return Target(HitKind.BUTTON, row.hunk, button)
    return Target(HitKind.HUNK, row.hunk)


def pointer_words(
    frame: Frame,
    placement: Placement,
    actions: Mapping[str, QAction],
    can_open_folds: bool,
    position: QPointF,
) -> str:
    """The tooltip at `position`: a button's command and key, what a click on a fold does,
    or what an escaped character is; "" for none."""
    target = target_at(frame.rows, placement, frame.parts, frame.bar_width, frame.states, position)
    if target.kind is HitKind.BUTTON and target.button is not None:
        action = actions.get(BUTTON_COMMANDS[target.button])
        return action.toolTip() if action is not None else ""
    if target.kind is HitKind.FOLD and can_open_folds:
        return "Click to show these lines (again to fold them)"
    return marked_char_at(frame, placement, position)


def marked_char_at(frame: Frame, placement: Placement, position: QPointF) -> str:
    """What the escaped character under the pointer (⟨U+0430⟩, ⟨ESC⟩) is, or ""."""
    index = placement.row_at(position.y())
    if index is None or frame.rows[index].kind not in (RowKind.LINE, RowKind.CONTEXT):
        return ""
    row = frame.rows[index]
    panes, columns = frame.panes, frame.wrap_columns
    number = next((i for i, p in enumerate(panes) if p.text_x <= position.x() < p.right), -1)
    shown = frame.text.shown(panes[number], row) if number >= 0 else None
    if shown is None:
        return ""
    text, advance = shown.display.text, frame.parts.metrics.horizontalAdvance
    visual = int((position.y() - placement.rect(index).top()) // frame.parts.row_height)
    segments = frame.segments(number, row)
    start, end = segments[min(visual, len(segments) - 1)]
    x = panes[number].text_x + frame.parts.char_width * 0.5 - frame.scroll_x
    if visual and columns[number] is not None:
        x += advance(text[: hanging_indent(text, columns[number] or 0)])
    column = start
    while column < end and x + advance(text[start : column + 1]) <= position.x():
        column += 1
    raw = shown.display.marked_at(column)
    return explain_char(strip_ending(shown.raw)[raw]) if raw is not None else ""
