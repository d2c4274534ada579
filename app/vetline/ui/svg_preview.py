"""SVG changes rendered to pixels, for a look: the text hunks stay what is accepted.

An SVG is text, so it is reviewed as text: its hunks are accepted and written exactly
like any other file's, and pixels are never written into an SVG. To see what the text
does, the image commands (1–4) show the file before and after the whole change,
rendered by Qt's own SVG plugin (already in the installer for the app's icon, so it
adds nothing to it). Rendering runs in the image view's worker thread; only the SVG
reader is asked, so no other format reaches a Qt decoder.
"""

from __future__ import annotations

import dataclasses
import io

import numpy as np
from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QImage, QImageReader

from vetline.adapters.images.decode import ImageError
from vetline.core.model import Change, ImageSide
from vetline.ui.image_prepare import PreparedPair, prepare_pair

SMALLEST_SIDE = 512  # an icon is drawn at least this large, so its shapes can be judged
LARGEST_SIDE = 2048  # and a poster at most this large
NOTE = "drawn from its text; the text hunks are what is accepted"


def svg_sides(change: Change) -> tuple[bytes | None, bytes | None]:
    """The file's text before and after the whole change, as bytes in its encoding."""
    encoding = change.encoding or "utf-8"
    before = change.base_text.encode(encoding) if change.base_text is not None else None
    after = change.new_text.encode(encoding) if change.new_text is not None else None
    return before, after


def render_svg(data: bytes | None, name: str) -> bytes | None:
    """The SVG drawn into a PNG, its longer side scaled into [SMALLEST_SIDE, LARGEST_SIDE].

    Raises ImageError naming the file when Qt cannot read it.
    """
    if data is None:
        return None
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer, b"svg")
    reader.setAutoDetectImageFormat(False)  # the SVG reader, and no other
    size = reader.size()
    if not size.isValid() or size.isEmpty():
        raise ImageError(f"{name}: not an SVG image that can be drawn")
    longer = max(size.width(), size.height())
    scale = min(max(longer, SMALLEST_SIDE), LARGEST_SIDE) / longer
    reader.setScaledSize(
        QSize(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)))
    )
    image = reader.read()
    if image.isNull():
        raise ImageError(f"{name}: the SVG cannot be drawn ({reader.errorString()})")
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4
    )
    pixels = np.ascontiguousarray(rows[:, : image.width()])
    out = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(out, "PNG", compress_level=1)
    return out.getvalue()


def prepare_svg_pair(before: bytes | None, after: bytes | None, name: str) -> PreparedPair:
    """Both sides drawn, then compared and scaled like any image pair (worker thread)."""
    pair = prepare_pair(
        render_svg(before, f"{name} (before)"), render_svg(after, f"{name} (after)"), name
    )
    return dataclasses.replace(
        pair, before_side=_as_svg(pair.before_side), after_side=_as_svg(pair.after_side)
    )


def _as_svg(side: ImageSide | None) -> ImageSide | None:
    return dataclasses.replace(side, format="SVG") if side is not None else None
