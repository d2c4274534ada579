"""The diff view: a file's hunks painted row by row, only the rows on screen.

Virtualised on purpose: QPlainTextEdit with extra selections costs ~26 ms per scroll at
100k lines, and highlighting a whole document costs seconds. Here a paint touches only
the visible rows (ui.diff_frame); syntax colours and word highlights are computed for
those rows and cached. Every string is drawn with QPainter.drawText, which never
interprets markup: the text is untrusted.

Each hunk has a header row with its verdict (decided hunks are also dimmed) and, on the
current or hovered pending hunk, Accept and Reject buttons. Folded unchanged lines open
on a click. Side by side, long lines wrap within their pane; unified, they scroll.
What the pointer is on (and its tooltip) is ui.diff_pointer's; colouring the hunks
beside the current one ahead of a key press is ui.diff_ahead's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QFontDatabase,
    QFontMetricsF,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QMenu, QToolTip, QWidget

from vetline.core.model import Change, Hunk
from vetline.core.session import HunkState
from vetline.core.worddiff import LineSpans
from vetline.ui.command_menu import DIFF_MENU_COMMANDS, build_command_menu
from vetline.ui.diff_ahead import colour_ahead
from vetline.ui.diff_frame import SYNTAX_CACHE, Frame, FramePainter, buttons_shown
from vetline.ui.diff_geometry import HitKind, Placement, Target, wrap_columns, wrap_limit
from vetline.ui.diff_paint import HunkButton, RowPainter
from vetline.ui.diff_pointer import header_rect, pointer_words, target_at
from vetline.ui.diff_rows import (
    DiffLayout,
    DiffRows,
    Pane,
    Row,
    RowKind,
    base_line_count,
    describe_hunk,
    layout_panes,
)
from vetline.ui.diff_text import FileText
from vetline.ui.hunk_badges import state_of
from vetline.ui.theme import diff_theme


class DiffView(QAbstractScrollArea):
    """Shows one file's hunks, unified or side by side, with the current hunk marked."""

    current_hunk_clicked = Signal(int)
    accept_clicked = Signal(int)  # the inline Accept of a hunk
    reject_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Diff")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # We paint every pixel ourselves, so Qt need not clear the viewport first.
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.viewport().setMouseTracking(True)  # buttons show on the hunk under the pointer
        # A scroll bar that came and went with the file would resize (and repaint) the
        # view right after its first paint.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self._text = FileText(None, ())
        self._states: Sequence[HunkState] = ()
        self._busy = False
        self._layout = DiffLayout.UNIFIED
        self._rows = DiffRows((), self._layout)
        self._current = -1
        self._hover = Target()
        self._pressed: Target | None = None
        self._actions: Mapping[str, QAction] = {}
        self.context_menu: QMenu | None = None  # the last one shown (tests read it)
        self._colouring_pending = False
        self._colour_timer = QTimer(self, singleShot=True, interval=0)
        self._colour_timer.timeout.connect(self._colour_pending_lines)
        # While the reviewer reads, the lines the next and previous hunk would show are
        # coloured, so the key that moves there paints them without lexing.
        self._ahead_timer = QTimer(self, singleShot=True, interval=0)
        self._ahead_timer.timeout.connect(self._colour_ahead)
        self._coloured_ahead: tuple[DiffRows, int] | None = None  # (rows, current) done
        self._theme = diff_theme(self.palette())
        self._placement = Placement(self)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._update_metrics()  # setFont sends no FontChange if the font was already this one

    # --- public API ---------------------------------------------------------------------

    def set_file(self, change: Change | None, hunks: Sequence[Hunk]) -> None:
        """Show `hunks` of `change` (None: the empty state); the first hunk becomes current.

        Every hunk shows as pending until set_hunk_states says otherwise.
        """
        self._text, self._states, self._hover = FileText(change, hunks), (), Target()
        self._rebuild_rows(frozenset())
        self.verticalScrollBar().setValue(0)
        self.horizontalScrollBar().setValue(0)
        self.set_current_hunk(0)

    def set_hunk_states(self, states: Sequence[HunkState]) -> None:
        """Each hunk's verdict, in the order of set_file's hunks: decided ones are marked."""
        if list(states) != list(self._states):
            self._states = tuple(states)
            self._describe_current()
            self.viewport().update()

    def hunk_state(self, index: int) -> HunkState:
        return state_of(self._states, index)

    def is_dimmed(self, index: int) -> bool:
        """Decided hunks are drawn faded, so the pending ones stand out."""
        return self.hunk_state(index).decided

    def hunk_marks(self, index: int) -> tuple[str, ...]:
        """The words of the badges in a hunk's header: its verdict, then its facts."""
        return tuple(badge.text for badge in self._text.badges(index, self.hunk_state(index)))

    def set_busy(self, busy: bool) -> None:
        """While a write runs, the inline buttons are greyed and a click on them does nothing."""
        self._busy = busy
        self.viewport().update()

    def set_command_actions(self, actions: Mapping[str, QAction]) -> None:
        """The window's actions, which the right-click menu offers (never copies of them)."""
        self._actions = actions

    def button_rect(self, index: int, button: HunkButton) -> QRectF | None:
        """Where a hunk's inline button is drawn (viewport coordinates); None if not shown."""
        count = len(self._text.hunks)
        if not buttons_shown(index, self._current, self._hover, self._states, count):
            return None
        header = self._rows.hunk_rows(index).start
        if header not in self.visible_rows():
            return None
        return self._parts.button_rects(self._header_rect(header))[button]

    def set_layout(self, layout: DiffLayout) -> None:
        if layout is self._layout:
            return
        top_hunk = self._rows[self.verticalScrollBar().value()].hunk if self._rows else -1
        self._layout = layout
        self._rebuild_rows(self._rows.opened)
        keep = self._current if self._current >= 0 else top_hunk
        if keep >= 0:
            self._scroll_to_hunk(keep, centre=True)
        self.viewport().update()

    def diff_layout(self) -> DiffLayout:
        return self._layout

    def wraps_lines(self) -> bool:
        """Side by side each pane is half as wide: long lines wrap there instead of scrolling."""
        return self._layout is DiffLayout.SIDE_BY_SIDE

    def rows(self) -> DiffRows:
        return self._rows

    def current_hunk(self) -> int:
        return self._current

    def set_current_hunk(self, index: int) -> None:
        """Emphasise a hunk and scroll it into view (centred when it was off screen)."""
        self._current = index if 0 <= index < len(self._text.hunks) and self._rows else -1
        if self._current >= 0:
            self._scroll_to_hunk(self._current)
        self._describe_current()
        self.viewport().update()

    def can_open_folds(self) -> bool:
        """Folded lines can be shown only when the change carries its base text."""
        return self._text.can_open_folds

    def folds_around_current(self) -> tuple[int, ...]:
        """The gaps above and below the current hunk that hold lines to show."""
        if self._current < 0 or not self.can_open_folds():
            return ()
        gaps = (self._current, self._current + 1)
        return tuple(gap for gap in gaps if self._rows.hidden_lines(gap))

    def toggle_folds_around_current(self) -> bool:
        """Open the folds around the current hunk, or fold them again if all are open."""
        gaps = self.folds_around_current()
        if not gaps:
            return False
        opened = self._rows.opened
        wanted = opened.difference(gaps) if opened.issuperset(gaps) else opened.union(gaps)
        self._open_folds(wanted, anchor=self._current)
        return True

    def toggle_fold(self, gap: int) -> bool:
        """Open (or close) one fold; False when its lines are not known."""
        if not self.can_open_folds() or not self._rows.hidden_lines(gap):
            return False
        self._open_folds(self._rows.opened ^ {gap}, anchor=-1)
        return True

    def visible_rows(self) -> range:
        """Rows at least partly on screen."""
        return self._placement.visible()

    def row_rect(self, row: int) -> QRectF:
        """Where a row is (or would be) drawn, in viewport coordinates."""
        return self._placement.rect(row)

    def row_height(self) -> int:
        """Pixels of one visual line; a wrapped row is a few of them."""
        return self._row_height

    def row_lines(self, row: Row) -> int:
        """Visual lines a row takes: more than one for a wrapped long line."""
        if not self.wraps_lines() or row.kind not in (RowKind.LINE, RowKind.CONTEXT):
            return 1
        columns, most = self._wrap_columns(), wrap_limit(self._full_rows())
        panes = self._panes()
        return max(
            len(self._text.segments(pane, row, columns[i], most)) for i, pane in enumerate(panes)
        )

    def text_left(self) -> float:
        """Where the text of the first (or only) pane starts, before horizontal scrolling."""
        return self._panes()[0].text_x

    def is_colouring_pending(self) -> bool:
        """True while some lines on screen still wait for their syntax colours."""
        return self._colouring_pending or self._colour_timer.isActive()

    def is_colouring_ahead(self) -> bool:
        """True while the lines of the hunks next to the current one are being coloured."""
        return self._ahead_timer.isActive()

    def word_spans(self, hunk_index: int, line: int) -> LineSpans:
        """Changed character spans of one line of a hunk (empty for context and rewrites)."""
        return self._text.word_spans(hunk_index, line)

    # --- Qt events ----------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._theme = diff_theme(self.palette())
            self._update_metrics()
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
        elif event.key() == Qt.Key.Key_Menu and self._rows:
            self._show_menu(None)
        else:
            super().keyPressEvent(event)  # arrows and page keys scroll

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()  # a right click goes on to the context menu
            return
        target = self._pressed = self._target_at(event.position())
        if target.kind is HitKind.HUNK:
            self.current_hunk_clicked.emit(target.index)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        pressed, self._pressed = self._pressed, None
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        event.accept()  # the press was ours, so is the release
        target = self._target_at(event.position())
        if pressed != target:
            return  # pressed on one thing, released on another: no click
        if target.kind is HitKind.BUTTON and not self._busy:
            accept = target.button is HunkButton.ACCEPT
            (self.accept_clicked if accept else self.reject_clicked).emit(target.index)
        elif target.kind is HitKind.FOLD:
            self.toggle_fold(target.index)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._set_hover(self._target_at(event.position()))
        super().mouseMoveEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._set_hover(Target())
        elif isinstance(event, QHelpEvent) and event.type() == QEvent.Type.ToolTip:
            self._show_tooltip(event)
            return True
        return super().viewportEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        keyboard = event.reason() == QContextMenuEvent.Reason.Keyboard
        self._show_menu(None if keyboard else QPointF(event.pos()))
        event.accept()

    def _show_menu(self, position: QPointF | None) -> None:
        """Every command that applies, for the hunk under the pointer (made current first);
        from the keyboard (None), for the current hunk, at its header."""
        if position is None:
            current = max(self._current, 0)
            position = self._header_rect(self._rows.hunk_rows(current).start).center()
        target = self._target_at(position)
        if target.kind in (HitKind.HUNK, HitKind.BUTTON):
            self.current_hunk_clicked.emit(target.index)
        menu = build_command_menu(self, self._actions, DIFF_MENU_COMMANDS, self._command_applies)
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        self.context_menu = menu
        if menu.actions():
            menu.popup(self.viewport().mapToGlobal(position.toPoint()))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        try:
            painter.fillRect(event.rect(), self._theme.base)
            frame = FramePainter(painter, self._frame())
            if not self._rows:
                frame.message()
                return
            # Only the rows the paint event asks for: after a scroll, the strip scrolled in.
            wanted_top, wanted_bottom = event.rect().top(), event.rect().bottom() + 1
            frame.paint(
                [
                    (index, y, lines, self._rows[index])
                    for index, y, lines in self._placement.placed()
                    if y < wanted_bottom and y + lines * self._row_height > wanted_top
                ]
            )
        finally:
            painter.end()
        self._colouring_pending = frame.colouring_pending
        if frame.colouring_pending:
            self._colour_timer.start()
        elif self._coloured_ahead != (self._rows, self._current):
            self._ahead_timer.start()
        if frame.widest_text > self._text.longest_line and not self.wraps_lines():
            # Expanded tabs and markers made a line wider than its raw length promised.
            self._text.longest_line = frame.widest_text
            QTimer.singleShot(0, self, self._update_scroll_ranges)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        # A vertical scroll moves whole rows, so the pixels on screen can be moved and only
        # the rows scrolled in painted (when every row is one line high). A horizontal one
        # moves text but not the gutter.
        if dy and not dx and not self.wraps_lines() and abs(dy) < self._full_rows():
            self.viewport().scroll(0, dy * self._row_height)
        else:
            self.viewport().update()

    def _colour_pending_lines(self) -> None:
        if self._text.lexer:
            SYNTAX_CACHE.load_lexer(self._text.lexer)
        self.viewport().update()  # the next paint colours what its budget allows

    def _colour_ahead(self) -> None:
        """Colour the lines the hunks next to the current one would show, a slice at a time."""
        lexer = self._text.lexer if self._text.lexer_known else ""
        wanted = (self._rows, self._current)
        if not lexer or not SYNTAX_CACHE.is_loaded(lexer) or self._coloured_ahead == wanted:
            return
        if colour_ahead(self._frame(), self._placement, lexer):
            self._coloured_ahead = wanted
        else:
            self._ahead_timer.start()

    # --- geometry -------------------------------------------------------------------------

    def _update_metrics(self) -> None:
        metrics = QFontMetricsF(self.font())
        padding = max(1.0, round(metrics.height() * 0.15))
        self._row_height = math.ceil(metrics.height() + 2 * padding)
        self._char_width = metrics.horizontalAdvance("0")
        self._bar_width = max(3.0, round(self._char_width * 0.5))
        self._parts = RowPainter(self._theme, metrics, self._row_height, padding + metrics.ascent())
        self.verticalScrollBar().setSingleStep(1)  # one step is one row
        self.horizontalScrollBar().setSingleStep(max(1, round(self._char_width * 4)))

    def _panes(self) -> tuple[Pane, ...]:
        number_width = (self._text.number_digits + 2) * self._char_width
        return layout_panes(
            self._layout,
            self._bar_width,
            self.viewport().width(),
            number_width,
            sign_width=2 * self._char_width,
        )

    def _wrap_columns(self) -> tuple[int | None, ...]:
        """Characters per visual row in each pane; None where lines do not wrap."""
        return wrap_columns(self._panes(), self._char_width, self.wraps_lines())

    def _frame(self) -> Frame:
        return Frame(
            rows=self._rows,
            text=self._text,
            panes=self._panes(),
            parts=self._parts,
            states=self._states,
            current=self._current,
            hover=self._hover,
            busy=self._busy,
            width=self.viewport().width(),
            height=self.viewport().height(),
            bar_width=self._bar_width,
            scroll_x=self.horizontalScrollBar().value(),
            wrap_columns=self._wrap_columns(),
            wrap_most=wrap_limit(self._full_rows()),
        )

    def _rebuild_rows(self, opened: frozenset[int]) -> None:
        change = self._text.change
        binary = change is not None and change.is_binary
        hunks = () if binary else self._text.hunks
        self._rows = DiffRows(hunks, self._layout, base_line_count(change), opened)
        self._coloured_ahead = None  # and the old rows (maybe a huge file's) let go
        self._update_scroll_ranges()

    def _full_rows(self) -> int:
        return max(1, self.viewport().height() // self._row_height)

    def _update_scroll_ranges(self) -> None:
        vertical = self.verticalScrollBar()
        vertical.setPageStep(self._full_rows())
        vertical.setRange(0, self._placement.last_top())
        pane = self._panes()[0]
        text_width = pane.right - pane.text_x
        longest = 0 if self.wraps_lines() else self._text.longest_line + 4
        horizontal = self.horizontalScrollBar()
        horizontal.setPageStep(max(1, int(text_width)))
        horizontal.setRange(0, max(0, math.ceil(longest * self._char_width - text_width)))

    def _scroll_to_hunk(self, index: int, centre: bool = False) -> None:
        rows = self._rows.hunk_rows(index)
        if centre or not self._placement.shows_whole(rows):
            self.verticalScrollBar().setValue(self._placement.top_to_centre(rows))

    def _open_folds(self, opened: frozenset[int], anchor: int) -> None:
        """Show the lines of the `opened` gaps; hunk `anchor` (if any) stays where it is."""
        bar = self.verticalScrollBar()
        offset = self._rows.hunk_rows(anchor).start - bar.value() if anchor >= 0 else 0
        self._rebuild_rows(opened)
        if anchor >= 0:
            bar.setValue(self._rows.hunk_rows(anchor).start - offset)
        self.viewport().update()

    def _header_rect(self, row: int) -> QRectF:
        return header_rect(self.row_rect(row), self._bar_width)

    def _target_at(self, position: QPointF) -> Target:
        rows, states = self._rows, self._states
        return target_at(rows, self._placement, self._parts, self._bar_width, states, position)

    # --- what the pointer and assistive technology are told -----------------------------

    def _describe_current(self) -> None:
        badges = self._text.badges(self._current, self.hunk_state(self._current))
        marks = [badge.text.lstrip("✓✗✎⚠ ").lower() for badge in badges]
        hunks = self._text.hunks
        self.setAccessibleDescription(describe_hunk(self._text.change, hunks, self._current, marks))

    def _set_hover(self, target: Target) -> None:
        if target != self._hover:
            self._hover = target
            pointing = target.kind is HitKind.FOLD and self.can_open_folds()
            pointing |= target.kind is HitKind.BUTTON and not self._busy
            shape = Qt.CursorShape.PointingHandCursor if pointing else Qt.CursorShape.ArrowCursor
            self.viewport().setCursor(shape)
            self.viewport().update()

    def _show_tooltip(self, event: QHelpEvent) -> None:
        frame, position = self._frame(), QPointF(event.pos())
        folds = self.can_open_folds()
        words = pointer_words(frame, self._placement, self._actions, folds, position)
        if words:
            QToolTip.showText(event.globalPos(), words, self.viewport())
        else:
            QToolTip.hideText()

    def _command_applies(self, command_id: str) -> bool:
        """Leaves out what would only say "cannot" for the hunk the menu is about."""
        if command_id == "view.expand_context":
            return bool(self.folds_around_current())
        if command_id == "review.split_hunk":  # only an undecided hunk with a gap splits
            current = self._current
            return self._text.can_split(current) and not self.hunk_state(current).decided
        return True
