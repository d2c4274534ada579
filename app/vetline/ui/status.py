"""How review progress is shown: each hunk's state as icon AND words, and the status summary.

Colour is never the only signal: every state has a distinct icon shape and a word,
so the queue reads the same in greyscale, to a screen reader, and to the colour-blind.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from vetline.core.session import HunkState, ReviewItem


class Shape(Enum):
    RING = "ring"
    CHECK = "check"
    CROSS = "cross"
    PENCIL = "pencil"
    ARROW = "arrow"
    TRIANGLE = "triangle"
    SQUARE = "square"


@dataclass(frozen=True, slots=True)
class ShownState:
    """What the reviewer sees for one hunk: a word, an icon shape and its colour."""

    key: str
    words: str
    shape: Shape
    colour: str

    def icon(self) -> QIcon:
        return state_icon(self.shape, self.colour)


PENDING = ShownState("pending", "pending", Shape.RING, "#8a8f98")
ACCEPTED = ShownState("accepted", "accepted", Shape.CHECK, "#2e7d32")
REJECTED = ShownState("rejected", "rejected", Shape.CROSS, "#c62828")
EDITED = ShownState("edited", "edited", Shape.PENCIL, "#1565c0")
SKIPPED = ShownState("skipped", "skipped", Shape.ARROW, "#6d6d6d")
STALE = ShownState("stale", "stale base", Shape.TRIANGLE, "#b26a00")
OVER_LEASH = ShownState("over-leash", "over the leash", Shape.SQUARE, "#8e24aa")
NOT_WRITTEN = ShownState("not-written", "not written", Shape.TRIANGLE, "#c62828")
DONE = ShownState("done", "all decided", Shape.CHECK, "#6d6d6d")  # a file or proposal
SUPPORTED = ShownState("supported", "source supports it", Shape.CHECK, "#2e7d32")
NOT_SUPPORTED = ShownState("not-supported", "not supported", Shape.CROSS, "#c62828")

_DECIDED = {
    HunkState.ACCEPTED: ACCEPTED,
    HunkState.REJECTED: REJECTED,
    HunkState.EDITED: EDITED,
    HunkState.SKIPPED: SKIPPED,
}


def shown_state(item: ReviewItem, *, stale: bool, over_leash: bool) -> ShownState:
    """The one state a hunk shows; a problem with its write outranks the verdict."""
    if item.citation is not None:  # nothing is written for it, and the leash counts lines
        if item.state is HunkState.ACCEPTED:
            return SUPPORTED
        return NOT_SUPPORTED if item.state is HunkState.REJECTED else PENDING
    if item.problem:
        return STALE if stale else NOT_WRITTEN
    if item.state in _DECIDED and item.state is not HunkState.SKIPPED:
        return _DECIDED[item.state]
    if stale:
        return STALE
    if over_leash:
        return OVER_LEASH
    return _DECIDED.get(item.state, PENDING)


def progress_words(decided: int, total: int) -> str:
    return f"{decided}/{total} decided"


def summary_text(decided: int, total: int, seconds: float, median: float | None) -> str:
    """The status bar: progress, time in this session, median time per decision."""
    parts = [
        f"{decided} / {total} decided",
        f"{duration_words(seconds)} in this session",
        "no decisions yet" if median is None else f"median {median:.1f} s per decision",
    ]
    return "  ·  ".join(parts)


def duration_words(seconds: float) -> str:
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


# --- icons, drawn rather than shipped so they are crisp at any scale ---------------

_CANVAS = 64.0  # drawn at 64 px; QIcon scales down smoothly for 16-32 px at any DPI


@cache
def state_icon(shape: Shape, colour: str, foreground: str = "#ffffff") -> QIcon:
    pixmap = QPixmap(int(_CANVAS), int(_CANVAS))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = QColor(colour)
    mark = QPen(QColor(foreground), 8.0)
    mark.setCapStyle(Qt.PenCapStyle.RoundCap)
    mark.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    disc = QRectF(4, 4, 56, 56)
    if shape is Shape.RING:
        painter.setPen(QPen(fill, 7.0))
        painter.drawEllipse(QRectF(8, 8, 48, 48))
    elif shape is Shape.TRIANGLE:
        _fill_path(painter, fill, _polygon((32, 4), (62, 58), (2, 58)))
        _exclamation(painter, mark, top=22, bottom=40, dot=50)
    elif shape is Shape.SQUARE:
        path = QPainterPath()
        path.addRoundedRect(disc, 10, 10)
        _fill_path(painter, fill, path)
        _exclamation(painter, mark, top=16, bottom=36, dot=48)
    else:
        path = QPainterPath()
        path.addEllipse(disc)
        _fill_path(painter, fill, path)
        painter.setPen(mark)
        _draw_mark(painter, shape)
    painter.end()
    return QIcon(pixmap)


def _draw_mark(painter: QPainter, shape: Shape) -> None:
    if shape is Shape.CHECK:
        painter.drawPolyline(_polygon((18, 33), (28, 43), (46, 22)))
    elif shape is Shape.CROSS:
        painter.drawLine(QPointF(22, 22), QPointF(42, 42))
        painter.drawLine(QPointF(42, 22), QPointF(22, 42))
    elif shape is Shape.PENCIL:
        painter.drawLine(QPointF(22, 42), QPointF(42, 22))
        painter.drawLine(QPointF(20, 46), QPointF(26, 46))
    elif shape is Shape.ARROW:
        painter.drawLine(QPointF(18, 32), QPointF(44, 32))
        painter.drawPolyline(_polygon((34, 22), (44, 32), (34, 42)))


def _exclamation(painter: QPainter, pen: QPen, *, top: float, bottom: float, dot: float) -> None:
    painter.setPen(pen)
    painter.drawLine(QPointF(32, top), QPointF(32, bottom))
    painter.drawPoint(QPointF(32, dot))


def _fill_path(painter: QPainter, colour: QColor, path: QPainterPath | QPolygonF) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    if isinstance(path, QPolygonF):
        painter.drawPolygon(path)
    else:
        painter.drawPath(path)


def _polygon(*points: tuple[float, float]) -> QPolygonF:
    return QPolygonF([QPointF(x, y) for x, y in points])
