"""The image view's drawing surface: two images in four modes, with zoom and pan shared.

One zoom and one centre (in image pixels) serve every mode and both panes of side by
side, so the two sides stay locked together. Each picture is drawn by image_layers
from its right-sized copy, only where it shows, so panning a 4K image costs a screen's
worth of pixels per frame. Region and annotation boxes are drawn over it here.
"""

from __future__ import annotations

import math
from enum import IntEnum

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QWidget

from vetline.adapters.images.regions import Box
from vetline.ui.image_layers import LayerPainter, draw_label
from vetline.ui.image_prepare import PreparedPair, Pyramid


class ImageMode(IntEnum):
    SIDE_BY_SIDE = 1
    SWIPE = 2
    ONION_SKIN = 3
    DIFFERENCE = 4

    @property
    def title(self) -> str:
        return {1: "Side by side", 2: "Swipe", 3: "Onion skin", 4: "Difference"}[self.value]


ZOOM_STEP = 2 ** (1 / 4)  # four steps double the size
MAX_ZOOM = 64.0
PANE_GAP = 8  # between the two panes of side by side
DIVIDER_GRAB = 8  # how near the swipe divider a press must be to drag it
WHEEL_REST_MS = 150  # no wheel step for this long: the picture is smoothed again
# The difference mode: the after-image faded to this opacity over white, changes on top.
FADED_OPACITY = 0.3
REGION_COLOUR = QColor(255, 170, 0)
CURRENT_COLOUR = QColor(255, 230, 0)
ANNOTATION_COLOUR = QColor(0, 200, 120)


class ImageCanvas(QWidget):
    """Paints a PreparedPair; the view around it owns the labels, slider and loading."""

    painted = Signal()  # at the end of every paint (benchmarks and tests wait on it)
    view_changed = Signal()  # zoom, pan, mode, divider or opacity moved
    hovered = Signal(object)  # (x, y) image pixel under the pointer, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageCanvas")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(120, 90)
        self.pair: PreparedPair | None = None
        self.message = "No image"
        self.mode = ImageMode.DIFFERENCE
        self.zoom = 1.0
        self.centre = QPointF(0, 0)
        self.fitting = True  # follow the window's size until the reviewer zooms or pans
        self.swipe = 0.5  # the divider, as a share of the image's width
        self.opacity = 0.5  # of the after-image over the before, in onion skin
        self.current_region: int | None = None
        self.annotations: list[tuple[str, Box]] = []
        self.current_annotation: int | None = None
        self._layers = LayerPainter()
        self._settle = QTimer(self)  # the wheel at rest: paint smoothly again
        self._settle.setSingleShot(True)
        self._settle.setInterval(WHEEL_REST_MS)
        self._settle.timeout.connect(self._settled)
        self._drag: str | None = None  # "pan" or "divider"
        self._drag_from = QPointF()

    # ---- what is shown --------------------------------------------------------------

    def set_pair(self, pair: PreparedPair | None, message: str = "") -> None:
        """Show a new pair, zoomed to fit (None: show `message` instead)."""
        self.pair = pair
        self.message = message
        self._forget_images()
        self.current_region = None
        self.fitting = True
        self.zoom_to_fit()

    def refine(self, pair: PreparedPair) -> None:
        """Swap in the refined copies of the pair on screen, keeping the view as it is."""
        self.pair = pair
        self._forget_images()
        self.update()

    def set_mode(self, mode: ImageMode) -> None:
        self.mode = ImageMode(mode)
        if self.fitting:
            self.zoom_to_fit()
        self.view_changed.emit()
        self.update()

    def image_size(self) -> tuple[int, int]:
        """The larger of the two sides' widths and heights (0, 0 with nothing shown)."""
        pyramids = self._pyramids()
        if not pyramids:
            return (0, 0)
        return (max(p.width for p in pyramids), max(p.height for p in pyramids))

    # ---- zoom and pan ---------------------------------------------------------------

    def zoom_to_fit(self) -> None:
        width, height = self.image_size()
        pane = self.panes()[0]
        self.fitting = True
        if width and height and pane.width() > 0 and pane.height() > 0:
            self.zoom = min(pane.width() / width, pane.height() / height, MAX_ZOOM)
            self.centre = QPointF(width / 2, height / 2)
        self._changed()

    def zoom_actual(self, around: QPointF | None = None) -> None:
        """One image pixel per screen pixel (1:1), keeping `around` (view point) in place."""
        self.set_zoom(1.0, around)

    def zoom_in(self, around: QPointF | None = None) -> None:
        self.set_zoom(self.zoom * ZOOM_STEP, around)

    def zoom_out(self, around: QPointF | None = None) -> None:
        self.set_zoom(self.zoom / ZOOM_STEP, around)

    def set_zoom(self, zoom: float, around: QPointF | None = None) -> None:
        width, height = self.image_size()
        smallest = min(1.0, 16 / max(width, height, 1))
        zoom = min(max(zoom, smallest), MAX_ZOOM)
        pane = self._pane_at(around) if around is not None else self.panes()[0]
        anchor = around if around is not None else pane.center()
        fixed = self.to_image(anchor, pane)
        self.zoom = zoom
        self.centre = fixed - (anchor - pane.center()) / zoom
        self.fitting = False
        self._changed()

    def pan(self, dx: float, dy: float) -> None:
        """Move the picture by (dx, dy) screen pixels."""
        self.centre -= QPointF(dx, dy) / self.zoom
        self.fitting = False
        self._changed()

    def show_box(self, box: Box) -> None:
        """Bring a box into view: pan to it, and zoom out if it does not fit."""
        if self.fitting:  # the whole picture is in sight, and stays so as the window resizes
            self._changed()
            return
        pane = self.panes()[0]
        margin = 24
        if box.width * self.zoom > pane.width() - margin or box.height * self.zoom > (
            pane.height() - margin
        ):
            self.zoom = max(
                min((pane.width() - margin) / box.width, (pane.height() - margin) / box.height),
                1e-3,
            )
        rect = self.box_rect(box, pane)
        if not pane.adjusted(margin / 2, margin / 2, -margin / 2, -margin / 2).contains(rect):
            self.centre = QPointF(box.x + box.width / 2, box.y + box.height / 2)
        self._changed()

    # ---- the divider and the opacity ---------------------------------------------------

    def set_swipe(self, share: float) -> None:
        self.swipe = min(max(share, 0.0), 1.0)
        self._changed()

    def set_opacity(self, share: float) -> None:
        self.opacity = min(max(share, 0.0), 1.0)
        self._changed()

    def divider_x(self) -> float:
        """Where the swipe divider is, in view coordinates."""
        width, _ = self.image_size()
        pane = self.panes()[0]
        return self.to_view(QPointF(self.swipe * width, 0), pane).x()

    # ---- geometry ---------------------------------------------------------------------

    def panes(self) -> list[QRectF]:
        whole = QRectF(self.rect())
        if self.mode is not ImageMode.SIDE_BY_SIDE:
            return [whole]
        half = (whole.width() - PANE_GAP) / 2
        return [
            QRectF(whole.left(), whole.top(), half, whole.height()),
            QRectF(whole.left() + half + PANE_GAP, whole.top(), half, whole.height()),
        ]

    def to_view(self, point: QPointF, pane: QRectF) -> QPointF:
        return pane.center() + (point - self.centre) * self.zoom

    def to_image(self, point: QPointF, pane: QRectF) -> QPointF:
        return self.centre + (point - pane.center()) / self.zoom

    def box_rect(self, box: Box, pane: QRectF) -> QRectF:
        top_left = self.to_view(QPointF(box.x, box.y), pane)
        return QRectF(top_left.x(), top_left.y(), box.width * self.zoom, box.height * self.zoom)

    def pixel_at(self, point: QPointF) -> tuple[int, int] | None:
        """The image pixel under a view point, if it is on the image."""
        width, height = self.image_size()
        spot = self.to_image(point, self._pane_at(point))
        x, y = math.floor(spot.x()), math.floor(spot.y())
        return (x, y) if 0 <= x < width and 0 <= y < height else None

    def _pane_at(self, point: QPointF) -> QRectF:
        panes = self.panes()
        return next((pane for pane in panes if pane.contains(point)), panes[0])

    # ---- events -------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fitting:
            self.zoom_to_fit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() is not Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        point = event.position()
        near_divider = abs(point.x() - self.divider_x()) <= DIVIDER_GRAB
        self._drag = "divider" if self.mode is ImageMode.SWIPE and near_divider else "pan"
        self._drag_from = point
        if self._drag == "divider":
            self._move_divider(point)
        else:
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position()
        if self._drag == "divider":
            self._move_divider(point)
        elif self._drag == "pan":
            delta = point - self._drag_from
            self._drag_from = point
            self.pan(delta.x(), delta.y())
        self.hovered.emit(self.pixel_at(point))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag = None
        self.unsetCursor()
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self.fitting:
            self.zoom_actual(event.position())
        else:
            self.zoom_to_fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        steps = event.angleDelta().y() / 120
        if steps:
            self.wheel_zoom(steps, event.position())
        event.accept()

    def wheel_zoom(self, steps: float, around: QPointF) -> None:
        """Zoom by wheel steps about a point; quick drafts until the wheel rests."""
        self._layers.draft = True
        self._settle.start()
        self.set_zoom(self.zoom * ZOOM_STEP**steps, around)

    @property
    def drafting(self) -> bool:
        """Painting quick drafts while the wheel turns."""
        return self._layers.draft

    def _settled(self) -> None:
        self._layers.draft = False
        self.update()

    def leaveEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        self.hovered.emit(None)

    def _move_divider(self, point: QPointF) -> None:
        width, _ = self.image_size()
        if width:
            self.set_swipe(self.to_image(point, self.panes()[0]).x() / width)

    def _changed(self) -> None:
        self.view_changed.emit()
        self.update()

    # ---- painting -----------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Dark))
            pair = self.pair
            if pair is None or pair.problem:
                self._paint_message(painter, pair.problem if pair else self.message)
            elif self.mode is ImageMode.SIDE_BY_SIDE:
                before_pane, after_pane = self.panes()
                self._paint_layer(painter, pair.before, before_pane, "before")
                self._paint_layer(painter, pair.after, after_pane, "after")
                self._paint_boxes(painter, before_pane, numbered=False)
                self._paint_boxes(painter, after_pane, numbered=False)
            elif self.mode is ImageMode.SWIPE:
                self._paint_swipe(painter, pair)
            elif self.mode is ImageMode.ONION_SKIN:
                pane = self.panes()[0]
                self._paint_layer(painter, pair.before, pane, "before")
                painter.setOpacity(self.opacity)
                self._paint_layer(painter, pair.after, pane, "after", checkers=False)
                painter.setOpacity(1.0)
                self._paint_boxes(painter, pane, numbered=False)
            else:
                self._paint_difference(painter, pair)
        finally:
            painter.end()
        self.painted.emit()

    def _paint_difference(self, painter: QPainter, pair: PreparedPair) -> None:
        pane = self.panes()[0]
        picture = pair.after or pair.before
        if picture is not None:
            placed = QRectF(
                self.to_view(QPointF(0, 0), pane),
                self.to_view(QPointF(picture.width, picture.height), pane),
            )
            painter.fillRect(placed.intersected(pane), QColor("white"))
        painter.setOpacity(FADED_OPACITY)
        self._paint_layer(painter, picture, pane, "after", checkers=False)
        painter.setOpacity(1.0)
        if pair.changes is not None:
            self._paint_layer(painter, pair.changes, pane, "changes", checkers=False)
        self._paint_boxes(painter, pane, numbered=True)

    def _paint_swipe(self, painter: QPainter, pair: PreparedPair) -> None:
        pane = self.panes()[0]
        divider = self.divider_x()
        left = QRectF(pane.left(), pane.top(), max(divider - pane.left(), 0), pane.height())
        right = QRectF(divider, pane.top(), max(pane.right() - divider, 0), pane.height())
        painter.save()
        painter.setClipRect(left)
        self._paint_layer(painter, pair.before, pane, "before")
        painter.setClipRect(right)
        self._paint_layer(painter, pair.after, pane, "after")
        painter.restore()
        self._paint_boxes(painter, pane, numbered=False)
        painter.setPen(QPen(QColor(255, 255, 255), 2))
        painter.drawLine(QPointF(divider, pane.top()), QPointF(divider, pane.bottom()))
        handle = QRectF(divider - 7, pane.center().y() - 18, 14, 36)
        painter.setBrush(QColor(255, 255, 255))
        painter.setPen(QPen(QColor(0, 0, 0), 1))
        painter.drawRoundedRect(handle, 4, 4)

    def _paint_layer(
        self,
        painter: QPainter,
        pyramid: Pyramid | None,
        pane: QRectF,
        name: str,
        *,
        checkers: bool = True,
    ) -> None:
        if pyramid is None:
            label = "no image before (new file)" if name == "before" else "no image (deleted)"
            painter.setPen(self.palette().color(QPalette.ColorRole.BrightText))
            painter.drawText(pane, Qt.AlignmentFlag.AlignCenter, label)
            return
        target = QRectF(
            self.to_view(QPointF(0, 0), pane),
            self.to_view(QPointF(pyramid.width, pyramid.height), pane),
        )
        self._layers.paint(
            painter, pyramid, target, pane, self.zoom, changes=name == "changes", checkers=checkers
        )

    def _paint_boxes(self, painter: QPainter, pane: QRectF, *, numbered: bool) -> None:
        pair = self.pair
        if pair is None:
            return
        painter.save()
        painter.setClipRect(pane)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        font = QFont(painter.font())
        font.setBold(True)
        painter.setFont(font)
        for index, box in enumerate(pair.regions):
            current = index == self.current_region
            if not numbered and not current:
                continue
            rect = self.box_rect(box, pane).adjusted(-1, -1, 1, 1)
            colour = CURRENT_COLOUR if current else REGION_COLOUR
            if current:  # a dark rim keeps the outline visible on light pictures too
                painter.setPen(QPen(QColor(0, 0, 0), 5))
                painter.drawRect(rect.adjusted(-2, -2, 2, 2))
            painter.setPen(QPen(colour, 3 if current else 1.5))
            painter.drawRect(rect)
            if numbered:
                draw_label(painter, rect.topLeft(), str(index + 1), colour)
        for index, (text, box) in enumerate(self.annotations):
            current = index == self.current_annotation
            rect = self.box_rect(box, pane)
            colour = CURRENT_COLOUR if current else ANNOTATION_COLOUR
            painter.setPen(QPen(colour, 3 if current else 2))
            painter.drawRect(rect)
            draw_label(painter, rect.topLeft(), text, ANNOTATION_COLOUR)
        painter.restore()

    def _paint_message(self, painter: QPainter, text: str) -> None:
        painter.setPen(self.palette().color(QPalette.ColorRole.BrightText))
        area = QRectF(self.rect()).adjusted(24, 24, -24, -24)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)

    def _forget_images(self) -> None:
        self._layers.forget()

    def _pyramids(self) -> list[Pyramid]:
        pair = self.pair
        if pair is None:
            return []
        return [pyramid for pyramid in (pair.before, pair.after) if pyramid is not None]
