"""Drawing one picture of the image view at any zoom: the right-sized copy, only what shows.

Zoomed out, a picture small enough is scaled once for the zoom and then copied as it is,
so panning costs a copy of what is visible, not a rescale. Larger ones (zoomed out a
little on a big picture) are smoothed from the nearest larger copy each frame. Zoomed in,
pixels are drawn as blocks, never smoothed: the reviewer is looking for single pixels.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter

from vetline.ui.image_prepare import Pyramid

# The difference mode's changes layer, one colour per value of image_prepare's layer.
VISIBLE_COLOUR = (225, 0, 110)  # changed enough to see
INVISIBLE_COLOUR = (0, 120, 255)  # changed, but not enough for the eye
_CHANGE_COLOURS = [
    QColor(0, 0, 0, 0).rgba(),  # UNCHANGED: transparent
    QColor(*INVISIBLE_COLOUR).rgba(),  # CHANGED
    QColor(*VISIBLE_COLOUR).rgba(),  # VISIBLE
]


class LayerPainter:
    """Paints pyramids, keeping their QImage wrappers and zoomed-out copies between frames."""

    def __init__(self) -> None:
        self.zoom = 1.0
        # While the wheel turns, pictures are scaled fast (not smoothly) and not kept:
        # each step is a new zoom, and the canvas repaints smoothly once it stops.
        self.draft = False
        self._wrapped: dict[tuple[int, int], tuple[QImage, np.ndarray]] = {}
        self._scaled_images: dict[tuple[int, bool], QImage] = {}
        self._scaled_zoom = 0.0
        self._checkers = _checkerboard()

    def forget(self) -> None:
        """Drop every kept image (the pair on screen changed)."""
        self._wrapped.clear()
        self._scaled_images.clear()

    def paint(
        self,
        painter: QPainter,
        pyramid: Pyramid,
        target: QRectF,
        pane: QRectF,
        zoom: float,
        *,
        changes: bool = False,
        checkers: bool = True,
    ) -> None:
        """Draw `pyramid` so that the whole picture would fill `target`, clipped to `pane`.

        `zoom` is screen pixels per image pixel (target's width over the picture's).
        """
        self.zoom = zoom
        if self.zoom < 1.0 and target.width() * target.height() <= 2 * pane.width() * pane.height():
            # Zoomed out: the whole picture scaled once for this zoom, then copied as is,
            # so panning costs a copy of what is visible, not a rescale.
            image = self._scaled(pyramid, changes=changes)
            left, top = round(target.left()), round(target.top())
            placed = QRect(left, top, image.width(), image.height())
            visible_rect = placed.intersected(pane.toAlignedRect())
            if visible_rect.isEmpty():
                return
            if checkers:
                painter.fillRect(visible_rect, self._checkers)
            painter.drawImage(visible_rect.topLeft(), image, visible_rect.translated(-left, -top))
            return
        visible = target.intersected(pane)
        if visible.isEmpty():
            return
        if checkers:
            painter.fillRect(visible, self._checkers)
        # Zoomed in: blocks, never smoothed. Between 1/2 and 1 (a big picture's part, too
        # large to keep scaled): smoothed from the nearest larger copy, each frame.
        level = self._level(pyramid, changes=changes)
        image = self._qimage(pyramid, level, changes=changes)
        scale = 0.5**level  # copy pixels per image pixel
        source = QRectF(
            (visible.left() - target.left()) / self.zoom * scale,
            (visible.top() - target.top()) / self.zoom * scale,
            visible.width() / self.zoom * scale,
            visible.height() / self.zoom * scale,
        )
        smooth = self.zoom < scale and not changes and not self.draft
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        painter.drawImage(visible, image, source)

    def _scaled(self, pyramid: Pyramid, *, changes: bool) -> QImage:
        """The picture at the current zoom (< 1), made from the nearest smaller copy.

        A picture is scaled smoothly from the copy with at least one pixel per screen
        pixel. The changes layer is enlarged from the copy with at most one pixel per
        screen pixel, without smoothing, so no changed block falls between pixels.
        """
        if self._scaled_zoom != self.zoom:
            self._scaled_images.clear()
            self._scaled_zoom = self.zoom
        key = (id(pyramid), changes)
        found = None if self.draft else self._scaled_images.get(key)
        if found is not None:
            return found
        level = self._level(pyramid, changes=changes)
        width = max(1, round(pyramid.width * self.zoom))
        height = max(1, round(pyramid.height * self.zoom))
        mode = (
            Qt.TransformationMode.FastTransformation
            if changes or self.draft
            else Qt.TransformationMode.SmoothTransformation
        )
        source = self._qimage(pyramid, level, changes=changes)
        scaled = source.scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio, mode)
        found = scaled.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
        if not self.draft:
            self._scaled_images[key] = found
        return found

    def _level(self, pyramid: Pyramid, *, changes: bool) -> int:
        """Which copy to draw from: for a picture, the smallest with at least a pixel per
        screen pixel; for the changes layer, the largest with at most one, so it is only
        ever enlarged (without smoothing) and no changed block falls between pixels."""
        if not changes:
            return pyramid.level_for(self.zoom)
        if self.zoom >= 1.0:
            return 0
        return min(math.ceil(math.log2(1 / self.zoom) - 1e-9), len(pyramid.levels) - 1)

    def _qimage(self, pyramid: Pyramid, level: int, *, changes: bool = False) -> QImage:
        """The level wrapped as a QImage (no copy: the array is kept alongside it)."""
        key = (id(pyramid), level)
        found = self._wrapped.get(key)
        if found is None:
            pixels = pyramid.pixels(level)
            height = pixels.shape[0]
            if changes:  # one byte per pixel, rows padded; the true width from the level
                width = -(-pyramid.width // 2**level)
                image = QImage(
                    pixels.data, width, height, pixels.shape[1], QImage.Format.Format_Indexed8
                )
                image.setColorTable(_CHANGE_COLOURS)
            else:
                width = pixels.shape[1]
                kind = (
                    QImage.Format.Format_ARGB32_Premultiplied
                    if pyramid.premultiplied
                    else QImage.Format.Format_RGBA8888
                )
                image = QImage(pixels.data, width, height, width * 4, kind)
            found = (image, pixels)
            self._wrapped[key] = found
        return found[0]


def draw_label(painter: QPainter, corner: QPointF, text: str, colour: QColor) -> None:
    """A small filled tag with `text`, above `corner` (below it at the top edge)."""
    metrics = painter.fontMetrics()
    width = metrics.horizontalAdvance(text) + 8
    height = metrics.height() + 2
    top = corner.y() - height if corner.y() - height >= 0 else corner.y()
    rect = QRectF(corner.x(), top, width, height)
    painter.fillRect(rect, colour)
    painter.setPen(QColor(0, 0, 0))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def _checkerboard() -> QBrush:
    """Grey squares shown through transparent pixels."""
    tile = QImage(16, 16, QImage.Format.Format_RGB32)
    tile.fill(QColor(204, 204, 204))
    painter = QPainter(tile)
    painter.fillRect(0, 0, 8, 8, QColor(153, 153, 153))
    painter.fillRect(8, 8, 8, 8, QColor(153, 153, 153))
    painter.end()
    return QBrush(tile)
