"""Reading image files safely: the header first (format, size, a pixel limit), then the pixels.

Only PNG, JPEG, WebP, GIF and BMP are tried (Pillow's other plugins, some of which run
external programs, never see the bytes). The size in the header is checked before a
single pixel is decoded, so a file claiming 50,000×50,000 pixels costs nothing; Pillow's
own decompression-bomb warning is an error here too. Truncated and corrupt files raise
ImageError with the file's name and what is wrong.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from vetline.core.errors import InputError
from vetline.core.model import ImageSide

# 8192×8192: an RGBA copy of each side is 256 MiB at most, and a review needs two sides
# plus masks. Larger images are refused with their size named.
MAX_PIXELS = 8192 * 8192
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
LOSSLESS_FORMATS = ("PNG", "BMP", "GIF")  # and WebP when its bitstream is VP8L
# What Pillow raises for bytes that are not what they claim (besides its own errors).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, zlib.error)

# Pillow warns past this and refuses at twice it; it agrees with the check below.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class ImageError(InputError):
    """An image that cannot be read: not an image, corrupt, truncated, or too large."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """One side's facts, its first frame as loaded by Pillow, and that frame as RGBA."""

    side: ImageSide
    image: Image.Image
    rgba: np.ndarray  # (height, width, 4) uint8


def open_image(data: bytes, name: str) -> Image.Image:
    """The image with its header read and nothing decoded; too large is refused here."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_large(name) from error
        except UnidentifiedImageError as error:
            raise ImageError(
                f"{name}: not an image Vetline reads (PNG, JPEG, WebP, GIF or BMP)"
            ) from error
        except _DECODE_ERRORS as error:
            raise ImageError(f"{name}: the image is corrupt: {_reason(error)}") from error
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageError(f"{name}: the image header says it is {width}×{height} pixels")
    if width * height > MAX_PIXELS:
        raise _too_large(name, f"{width:,}×{height:,}")
    return image


def probe(data: bytes, name: str) -> ImageSide:
    """A side's facts from its header alone."""
    return side_of(open_image(data, name), data)


def side_of(image: Image.Image, data: bytes) -> ImageSide:
    fmt = image.format or ""
    bands = image.getbands()
    has_alpha = "A" in bands or "a" in bands or "transparency" in image.info
    lossless = webp_is_lossless(data) if fmt == "WEBP" else fmt in LOSSLESS_FORMATS
    width, height = image.size
    frames = int(getattr(image, "n_frames", 1))
    return ImageSide(fmt, width, height, image.mode, has_alpha, lossless, frames)


def decode(data: bytes, name: str) -> Decoded:
    """The first frame, decoded, with its RGBA pixels (ImageError if it cannot be)."""
    image = open_image(data, name)
    side = side_of(image, data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image.seek(0)
            image.load()
            rgba = rgba_pixels(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_large(name) from error
        except _DECODE_ERRORS as error:
            raise ImageError(f"{name}: the image is corrupt: {_reason(error)}") from error
    return Decoded(side, image, rgba)


def rgba_pixels(image: Image.Image) -> np.ndarray:
    """The loaded image as an (height, width, 4) uint8 array."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit greyscale: shown by its top 8 bits (regions are never items for it).
        wide = np.asarray(image).astype(np.uint32)
        grey = (wide >> 8 if wide.max(initial=0) > 255 else wide).astype(np.uint8)
        image = Image.fromarray(grey, "L")
    elif image.mode == "F":
        image = image.convert("L")
    converted = image if image.mode == "RGBA" else image.convert("RGBA")
    return np.asarray(converted)


def webp_is_lossless(data: bytes) -> bool:
    """Whether a WebP file's (first) image is a VP8L, lossless, bitstream."""
    chunk = data[12:16]
    if chunk == b"VP8L":
        return True
    if chunk != b"VP8X":
        return False
    position = 12
    while position + 8 <= len(data):
        fourcc = data[position : position + 4]
        (size,) = struct.unpack("<I", data[position + 4 : position + 8])
        if fourcc == b"VP8L":
            return True
        if fourcc in (b"VP8 ", b"ANMF"):
            return False
        position += 8 + size + (size & 1)
    return False


def _too_large(name: str, size: str = "") -> ImageError:
    claimed = f"{size} pixels" if size else f"more than {MAX_PIXELS:,} pixels"
    return ImageError(
        f"{name}: the image is too large to review: its header claims {claimed}, and Vetline"
        f" decodes at most {MAX_PIXELS:,} (8192×8192)"
    )


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if "truncated" in text or isinstance(error, EOFError):
        return f"it is truncated ({text})"
    return text
