"""Two small charts drawn with QPainter for the Stats view: columns, and rate bars.

Each chart has a title, labelled axes and its figures written on it, so it reads without
a legend. Colours come from the palette (and the verdict hues), so light and dark themes
both work; the numbers are always written too, so colour is never the only signal.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from vetline.ui.theme import blend


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # under the column, or left of the bar
    value: float
    note: str = ""  # written on or beside it (a count, a share)


def nice_top(value: float) -> float:
    """A round axis top at or above `value` (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power
    of ten), so the tallest column fills most of the chart and the half-way tick is round."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0):
        if value <= step * power:
            return step * power
    return 10.0 * power


class _Chart(QWidget):
    def __init__(self, title: str, colour: QColor, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.title = title
        self.colour = QColor(colour)
        self.bars: tuple[Bar, ...] = ()
        self.setAccessibleName(title)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: Sequence[Bar]) -> None:
        self.bars = tuple(bars)
        self.setAccessibleDescription(
            "; ".join(f"{bar.label}: {bar.note}" for bar in self.bars) or "nothing yet"
        )
        self.updateGeometry()
        self.update()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.sizeHint()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        raise NotImplementedError

    def _colours(self) -> tuple[QColor, QColor, QColor]:
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        return QColor(base), QColor(text), blend(base, text, 0.55)

    def _begin(self, painter: QPainter) -> tuple[QColor, QColor, float]:
        """Background and title; returns text colour, muted colour and the title's bottom."""
        base, text, muted = self._colours()
        painter.fillRect(self.rect(), base)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text)
        line = self.fontMetrics().lineSpacing()
        painter.drawText(
            QRectF(8, 4, self.width() - 16, line), Qt.AlignmentFlag.AlignLeft, self.title
        )
        painter.setFont(self.font())
        return text, muted, 4 + line * 1.4


class ColumnChart(_Chart):
    """Vertical columns over labelled categories, with a value axis on the left."""

    def __init__(
        self,
        title: str,
        x_title: str,
        y_title: str,
        colour: QColor,
        parent: QWidget | None = None,
        *,
        tick_text: Callable[[float], str] = lambda value: f"{value:g}",
    ) -> None:
        super().__init__(title, colour, parent)
        self.x_title = x_title
        self.y_title = y_title
        self.tick_text = tick_text

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().lineSpacing()
        return QSize(line * 24, line * 14)

    def _paint(self, painter: QPainter) -> None:
        text, muted, top = self._begin(painter)
        metrics = self.fontMetrics()
        line = metrics.lineSpacing()
        highest = nice_top(max((bar.value for bar in self.bars), default=0.0))
        ticks = [highest * share for share in (0.0, 0.5, 1.0)]
        tick_width = max(metrics.horizontalAdvance(self.tick_text(tick)) for tick in ticks)
        left = 8 + line + 6 + tick_width + 6  # the rotated axis title, then the tick labels
        plot = QRectF(left, top + line, self.width() - left - 12, self.height() - top - line * 4)
        # The value axis: ticks, grid lines, and its title turned on its side.
        for tick in ticks:
            y = plot.bottom() - plot.height() * (tick / highest)
            painter.setPen(blend(self._colours()[0], muted, 0.35))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(muted)
            painter.drawText(
                QRectF(left - tick_width - 6, y - line / 2, tick_width, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self.tick_text(tick),
            )
        painter.save()
        painter.translate(8, plot.center().y())
        painter.rotate(-90)
        painter.drawText(
            QRectF(-plot.height() / 2, 0, plot.height(), line),
            Qt.AlignmentFlag.AlignCenter,
            self.y_title,
        )
        painter.restore()
        painter.setPen(text)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawText(
            QRectF(plot.left(), self.height() - line * 1.3, plot.width(), line),
            Qt.AlignmentFlag.AlignCenter,
            self.x_title,
        )
        if not self.bars:
            painter.setPen(muted)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "nothing yet")
            return
        slot = plot.width() / len(self.bars)
        widest = max(metrics.horizontalAdvance(bar.label) for bar in self.bars) + 6
        every = max(1, math.ceil(widest / slot))  # label only as many columns as fit
        notes_fit = all(metrics.horizontalAdvance(bar.note) <= slot for bar in self.bars)
        for index, bar in enumerate(self.bars):
            height = plot.height() * (bar.value / highest)
            column = QRectF(
                plot.left() + slot * index + slot * 0.15,
                plot.bottom() - height,
                slot * 0.7,
                height,
            )
            painter.fillRect(column, self.colour)
            cell = QRectF(plot.left() + slot * index, 0, slot, line)
            if notes_fit and bar.note and bar.value > 0:
                painter.setPen(text)
                painter.drawText(
                    cell.translated(0, column.top() - line),
                    Qt.AlignmentFlag.AlignCenter,
                    bar.note,
                )
            if index % every == 0:
                painter.setPen(muted)
                painter.drawText(
                    QRectF(plot.left() + slot * index - slot, plot.bottom() + 2, slot * 3, line),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                    bar.label,
                )


class RateBars(_Chart):
    """One horizontal bar per name, for a share from 0 to 100 %, the figures beside it."""

    def __init__(
        self, title: str, x_title: str, colour: QColor, parent: QWidget | None = None
    ) -> None:
        super().__init__(title, colour, parent)
        self.x_title = x_title

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().lineSpacing()
        rows = max(1, len(self.bars))
        return QSize(line * 24, round(line * (4.6 + rows * 1.5)))

    def _paint(self, painter: QPainter) -> None:
        text, muted, top = self._begin(painter)
        metrics = self.fontMetrics()
        line = metrics.lineSpacing()
        # A few pixels spare: Qt elides a text given exactly its own advance.
        names = max((metrics.horizontalAdvance(bar.label) + 4 for bar in self.bars), default=0)
        names = min(names, self.width() // 3)
        notes = max((metrics.horizontalAdvance(bar.note) for bar in self.bars), default=0)
        left = 8 + names + 8
        plot = QRectF(left, top, self.width() - left - notes - 20, line * 1.5 * len(self.bars))
        if not self.bars:
            painter.setPen(muted)
            painter.drawText(
                QRectF(8, top, self.width() - 16, line * 1.5),
                Qt.AlignmentFlag.AlignCenter,
                "nothing yet",
            )
            return
        # The share axis: 0, 50 and 100 %, with faint guide lines through the bars.
        for share in (0.0, 0.5, 1.0):
            x = plot.left() + plot.width() * share
            painter.setPen(blend(self._colours()[0], muted, 0.35))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            painter.setPen(muted)
            painter.drawText(
                QRectF(x - 30, plot.bottom() + 2, 60, line),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                f"{share:.0%}",
            )
        painter.drawText(
            QRectF(8, plot.bottom() + line + 2, self.width() - 16, line),
            Qt.AlignmentFlag.AlignCenter,
            self.x_title,
        )
        for index, bar in enumerate(self.bars):
            row = QRectF(0, plot.top() + index * line * 1.5, 0, line * 1.5)
            painter.setPen(text)
            painter.drawText(
                QRectF(8, row.top(), names, row.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                metrics.elidedText(bar.label, Qt.TextElideMode.ElideMiddle, names),
            )
            painter.fillRect(
                QRectF(plot.left(), row.top() + line * 0.25, plot.width() * bar.value, line),
                self.colour,
            )
            painter.drawText(
                QRectF(
                    plot.left() + plot.width() * bar.value + 6, row.top(), notes + 8, row.height()
                ),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                bar.note,
            )
