"""Painting pieces of the diff view: hunk headers with badges and buttons, folds, line text.

The view decides what goes where; these functions only draw it, with QPainter.drawText,
which never interprets markup (the text is untrusted). Header geometry lives here too,
so what is painted and what a click hits are computed by one function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from vetline.ui.hunk_badges import ACCEPT_BUTTON, REJECT_BUTTON, Badge, Tone
from vetline.ui.line_text import DisplayText
from vetline.ui.syntax import RoleSpan
from vetline.ui.theme import DiffTheme, blend

Background = tuple[tuple[int, int], QColor]  # a span of the drawn text and its colour


class HunkButton(Enum):
    ACCEPT = "accept"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class ButtonLook:
    """How the inline buttons of one header are drawn."""

    hovered: HunkButton | None = None
    enabled: bool = True  # False while a write is running: a click does nothing


class RowPainter:
    """Draws the parts of rows for one theme and font; the view makes a new one on change."""

    def __init__(
        self, theme: DiffTheme, metrics: QFontMetricsF, row_height: int, baseline: float
    ) -> None:
        self.theme = theme
        self.metrics = metrics
        self.row_height = row_height
        self.baseline = baseline
        self.char_width = metrics.horizontalAdvance("0")

    # --- header rows ----------------------------------------------------------------------

    def button_rects(self, row: QRectF) -> dict[HunkButton, QRectF]:
        """Where Accept and Reject sit in a header row: at its right end."""
        gap, height = self.char_width, row.height() - 2
        right = row.right() - gap
        rects = {}
        for button, words in (
            (HunkButton.REJECT, REJECT_BUTTON),
            (HunkButton.ACCEPT, ACCEPT_BUTTON),
        ):
            width = self.metrics.horizontalAdvance(words) + 2 * gap
            rects[button] = QRectF(right - width, row.top() + 1, width, height)
            right -= width + gap
        return rects

    def header(
        self,
        painter: QPainter,
        row: QRectF,
        text_x: float,
        title: str,
        badges: Sequence[Badge],
        verdict: Badge | None,
        buttons: ButtonLook | None,
    ) -> None:
        """Title and facts on the left; the verdict, or the buttons, at the right end."""
        theme = self.theme
        painter.fillRect(row, theme.header)
        right = row.right() - self.char_width
        if buttons is not None:
            rects = self.button_rects(row)
            for button, words in (
                (HunkButton.ACCEPT, ACCEPT_BUTTON),
                (HunkButton.REJECT, REJECT_BUTTON),
            ):
                self._button(painter, rects[button], words, button, buttons)
            right = rects[HunkButton.ACCEPT].left() - self.char_width
        elif verdict is not None:
            width = self.metrics.horizontalAdvance(verdict.text) + 2 * self.char_width
            box = QRectF(right - width, row.top() + 1, width, row.height() - 2)
            self.pill(painter, box, verdict.text, self.tone_colour(verdict.tone), strong=True)
            right = box.left() - self.char_width
        x = text_x
        for badge in badges:
            width = self.metrics.horizontalAdvance(badge.text) + self.char_width
            box = QRectF(x, row.top() + 2, width, row.height() - 4)
            if box.right() > right:
                break
            strong = badge.tone is Tone.WARNING
            self.pill(painter, box, badge.text, self.tone_colour(badge.tone), strong=strong)
            x = box.right() + self.char_width
        painter.setPen(theme.text)
        room = max(0.0, right - x)
        shown = self.metrics.elidedText(title, Qt.TextElideMode.ElideRight, room)
        painter.drawText(QPointF(x, row.top() + self.baseline), shown)

    def _button(
        self, painter: QPainter, box: QRectF, words: str, button: HunkButton, look: ButtonLook
    ) -> None:
        theme = self.theme
        colour = theme.accepted if button is HunkButton.ACCEPT else theme.rejected
        if not look.enabled:
            colour = blend(theme.base, theme.text, 0.35)
        hovered = look.enabled and look.hovered is button
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(colour, 1.0))
        painter.setBrush(colour if hovered else blend(theme.base, colour, 0.12))
        painter.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(theme.on_strong if hovered else colour)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, words)

    def pill(
        self, painter: QPainter, box: QRectF, words: str, colour: QColor, strong: bool
    ) -> None:
        """A rounded label: filled with `colour` when strong, tinted with it otherwise."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(colour, 1.0))
        painter.setBrush(colour if strong else blend(self.theme.base, colour, 0.15))
        painter.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(self.theme.on_strong if strong else self.theme.text)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, words)

    def tone_colour(self, tone: Tone) -> QColor:
        theme = self.theme
        return {
            Tone.ACCEPTED: theme.accepted,
            Tone.REJECTED: theme.rejected,
            Tone.EDITED: theme.edited,
            Tone.WARNING: theme.warning,
            Tone.NOTICE: theme.notice,
        }[tone]

    # --- folds ------------------------------------------------------------------------------

    def separator(
        self, painter: QPainter, row: QRectF, text_x: float, words: str, hovered: bool
    ) -> None:
        theme = self.theme
        painter.fillRect(row, theme.separator_hover if hovered else theme.separator)
        painter.setPen(theme.text if hovered else theme.muted_text)
        painter.drawText(QPointF(text_x, row.top() + self.baseline), words)

    # --- line text ----------------------------------------------------------------------------

    def line_text(
        self,
        painter: QPainter,
        x: float,
        top: float,
        shown: DisplayText,
        role_spans: Sequence[RoleSpan],
        backgrounds: Sequence[Background],
        segments: Sequence[tuple[int, int]],
        right: float,
        hang: int = 0,
    ) -> None:
        """Highlights, then the syntax-coloured text, each segment on its own visual row;
        rows after the first start `hang` characters in (the text's leading spaces)."""
        text, theme, advance = shown.text, self.theme, self.metrics.horizontalAdvance
        pieces = list(shown.pieces(role_spans))
        for number, (segment_start, segment_end) in enumerate(segments):
            y = top + number * self.row_height
            if number == 1:  # further rows hang under the line's own indentation
                x += advance(text[:hang])
            for (span_start, span_end), colour in backgrounds:
                start, end = max(span_start, segment_start), min(span_end, segment_end)
                if start < end:
                    left = x + advance(text[segment_start:start])
                    width = advance(text[start:end])
                    painter.fillRect(QRectF(left, y, width, self.row_height), colour)
            pen_x, baseline = x, y + self.baseline
            for piece_start, piece_end, role in pieces:
                start, end = max(piece_start, segment_start), min(piece_end, segment_end)
                if start >= end:
                    continue
                if pen_x > right:
                    break
                piece = text[start:end]
                painter.setPen(theme.text if role is None else theme.syntax[role])
                painter.drawText(QPointF(pen_x, baseline), piece)
                pen_x += advance(piece)
