"""A partly accepted image: the after-side's pixels in accepted regions, the before's elsewhere.

Written in the same format, and checked: the written bytes are decoded again and must
give exactly the expected RGBA pixels, or nothing is written. Accepting no region gives
the before bytes and accepting every changed pixel the after bytes, untouched.

When both sides share a colour mode the pixels are composed in that mode (grey stays
grey, a PNG's colour key stays); a palette image is composed in RGBA and given back a
palette built from the colours it uses. `composition_refusal` says in advance when a
pair cannot be written exactly this way, so such a pair is offered as one item instead.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image

from vetline.adapters.images.decode import Decoded, ImageError, decode
from vetline.adapters.images.regions import Box, box_mask, changed_mask
from vetline.core.image_items import format_name

# Modes each format is written in exactly as decoded (others go through RGBA).
_NATIVE_MODES = {
    "PNG": ("1", "L", "LA", "RGB", "RGBA"),
    "BMP": ("1", "L", "RGB"),
    "WEBP": ("RGB", "RGBA"),
    "GIF": (),
}
_PALETTE_MODES = ("P", "PA")
_PALETTE_SIZE = 256


def composition_refusal(before: Decoded, after: Decoded) -> str:
    """Why regions of this pair cannot be accepted apart and written exactly ("" if they can)."""
    first, second = before.side, after.side
    if first.format != second.format:
        return f"the format changes ({format_name(first.format)} → {format_name(second.format)})"
    if first.size != second.size:
        return f"the size changes ({first.width}×{first.height} → {second.width}×{second.height})"
    fmt = first.format
    if not (first.lossless and second.lossless):
        kind = "JPEG" if fmt == "JPEG" else f"lossy {format_name(fmt)}"
        return f"{kind} cannot hold a partly accepted image exactly"
    if first.frames > 1 or second.frames > 1:
        frames = max(first.frames, second.frames)
        return f"the image is animated ({frames} frames); only the first frame is compared"
    if _native(before, after):
        return ""
    for side in (before, after):
        if side.image.mode not in (*_PALETTE_MODES, *_NATIVE_MODES["PNG"]):
            return f"{format_name(fmt)} in colour mode {side.image.mode} is not written by Vetline"
    if fmt in ("PNG", "WEBP"):
        return ""  # RGBA (or a palette, for a PNG whose colours fit): exact either way
    return _palette_refusal(fmt, _colours(before.rgba, after.rgba))


def compose(before: bytes, after: bytes, accepted: Sequence[Box], name: str) -> bytes:
    """The image with the after-side's changed pixels inside `accepted` boxes only."""
    first = decode(before, f"{name} (before)")
    second = decode(after, f"{name} (after)")
    refusal = composition_refusal(first, second)
    if refusal:
        raise ImageError(f"{name}: regions cannot be accepted one by one: {refusal}")
    mask = changed_mask(first.rgba, second.rgba)
    take = mask & box_mask(mask.shape, list(accepted))
    if not take.any():
        return before
    if not (mask & ~take).any():
        return after
    expected = np.where(take[..., None], second.rgba, first.rgba)
    image = _composed_image(first, second, take, expected)
    data = _encode(image, first)
    written = decode(data, f"{name} (composed)")
    if not np.array_equal(written.rgba, expected):
        raise ImageError(f"{name}: the composed image did not come back exact; nothing written")
    return data


def _native(before: Decoded, after: Decoded) -> bool:
    mode = before.image.mode
    return (
        mode == after.image.mode
        and mode in _NATIVE_MODES[before.side.format]
        and before.image.info.get("transparency") == after.image.info.get("transparency")
    )


def _composed_image(
    before: Decoded, after: Decoded, take: np.ndarray, expected: np.ndarray
) -> Image.Image:
    if _native(before, after):
        mode = before.image.mode
        working = "L" if mode == "1" else mode  # "1" arrays are bits; compose as 0/255 grey
        first = np.asarray(before.image.convert(working) if mode == "1" else before.image)
        second = np.asarray(after.image.convert(working) if mode == "1" else after.image)
        chosen = take if first.ndim == 2 else take[..., None]
        pixels = np.ascontiguousarray(np.where(chosen, second, first))
        image = Image.frombytes(working, before.image.size, pixels.tobytes())
        if mode == "1":
            image = image.convert("1", dither=Image.Dither.NONE)
        transparency = before.image.info.get("transparency")
        if transparency is not None:
            image.info["transparency"] = transparency
        return image
    fmt = before.side.format
    if fmt != "WEBP":
        colours = _colours(expected)
        fits = before.image.mode in _PALETTE_MODES and len(colours) <= _PALETTE_SIZE
        if fmt == "GIF" or fits:
            return _palette_image(expected, colours)
    opaque = bool((expected[..., 3] == 255).all())
    pixels = np.ascontiguousarray(expected[..., :3] if opaque else expected)
    return Image.frombytes("RGB" if opaque else "RGBA", before.image.size, pixels.tobytes())


def _palette_image(expected: np.ndarray, colours: np.ndarray) -> Image.Image:
    """A "P" image with exactly these RGBA colours; alpha goes in info["transparency"]."""
    height, width = expected.shape[:2]
    words = np.ascontiguousarray(expected).view(np.uint32)[..., 0]
    indices = np.searchsorted(colours, words).astype(np.uint8)
    image = Image.frombytes("P", (width, height), indices.tobytes())
    entries = colours.view(np.uint8).reshape(-1, 4)
    image.putpalette(np.ascontiguousarray(entries[:, :3]).tobytes(), "RGB")
    alphas = entries[:, 3]
    if (alphas < 255).any():
        image.info["transparency"] = alphas.tobytes()
    return image


def _encode(image: Image.Image, template: Decoded) -> bytes:
    fmt = template.side.format
    info = template.image.info
    options: dict[str, object] = {}
    if info.get("icc_profile"):
        options["icc_profile"] = info["icc_profile"]
    transparency = image.info.get("transparency")
    if fmt == "PNG":
        if "dpi" in info:
            options["dpi"] = info["dpi"]
        if transparency is not None:
            options["transparency"] = transparency
    elif fmt == "WEBP":
        options.update(lossless=True, exact=True, quality=100)
    elif fmt == "GIF" and isinstance(transparency, bytes):
        transparent = [index for index, alpha in enumerate(transparency) if alpha == 0]
        if transparent:
            options["transparency"] = transparent[0]
    out = io.BytesIO()
    try:
        image.save(out, fmt, **options)
    except (OSError, ValueError) as error:
        raise ImageError(f"cannot write the composed {format_name(fmt)}: {error}") from error
    return out.getvalue()


def _colours(*images: np.ndarray) -> np.ndarray:
    """The sorted distinct RGBA values (as uint32 words) of the images together."""
    words = [np.ascontiguousarray(image).view(np.uint32)[..., 0].ravel() for image in images]
    return np.unique(np.concatenate(words))


def _palette_refusal(fmt: str, colours: np.ndarray) -> str:
    """GIF and BMP: whether every mix of the two sides' colours fits the format."""
    alphas = colours.view(np.uint8).reshape(-1, 4)[:, 3]
    if fmt == "BMP":
        return "Vetline writes no BMP with transparency" if (alphas < 255).any() else ""
    if len(colours) > _PALETTE_SIZE:
        return f"the two sides use {len(colours)} colours together; a GIF holds 256"
    if fmt == "GIF":
        see_through = alphas < 255
        if (alphas[see_through] != 0).any() or int(see_through.sum()) > 1:
            return "a GIF has one fully transparent colour, and the sides need more"
    return ""
