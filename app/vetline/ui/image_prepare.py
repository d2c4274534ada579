"""The image view's work off the GUI thread: decode both sides, compare, build what is painted.

Only numpy and Pillow run here, and both release the GIL while they decode, scale and
compare, so a thread keeps the window answering keys (Qt's own decoders hold the GIL
through PySide). The two sides decode in parallel. Each picture comes with smaller
copies (halves, quarters...) so a 4K image zoomed to fit paints a screen's worth of
pixels, not eight million.

The difference mode paints the after-image faded, then `changes` over it: one byte per
pixel, 0 unchanged (transparent), CHANGED, or VISIBLE, coloured by the canvas. Its
smaller copies keep every changed pixel: a block with a changed pixel is marked, so one
changed pixel in a 4K image still shows when zoomed out.

The work comes in two steps so the first paint is not kept waiting: `prepare_pair`
makes the smaller copies by taking every other pixel (milliseconds), which is what a
first look at fit zoom needs; `refine_pair` then makes box-filtered copies, and the
view swaps them in.

No Qt is imported here: the arrays are wrapped as QImages by the canvas.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image

from vetline.adapters.images.analysis import compare_decoded
from vetline.adapters.images.decode import Decoded, ImageError, decode
from vetline.adapters.images.regions import Box
from vetline.core.image_items import describe_sides
from vetline.core.model import ImageSide

# Smaller copies stop once the longer side is this short (a quarter of a small screen).
SMALLEST_LEVEL = 256
# The values of the `changes` layer.
UNCHANGED, CHANGED, VISIBLE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Pyramid:
    """A picture at full size (level 0) and at 1/2, 1/4... of it, each ceil(size / 2**level).

    Levels are RGBA arrays, or for the `changes` layer one byte per pixel with each row
    padded to a multiple of four bytes (Qt's rule for one-byte images).
    """

    width: int
    height: int
    levels: tuple[np.ndarray, ...]
    premultiplied: bool = False  # levels are Qt's ARGB32_Premultiplied (B, G, R, A bytes)

    def level_for(self, zoom: float) -> int:
        """The smallest copy that still has at least one pixel per screen pixel."""
        level = 0
        while level + 1 < len(self.levels) and zoom <= 0.5 ** (level + 1):
            level += 1
        return level

    def pixels(self, level: int) -> np.ndarray:
        return self.levels[level]


@dataclass(frozen=True, slots=True)
class PreparedPair:
    """Everything the view paints for one pair; `problem` is set when a side is unreadable."""

    name: str
    before_side: ImageSide | None
    after_side: ImageSide | None
    before: Pyramid | None
    after: Pyramid | None
    changes: Pyramid | None  # None when the sizes differ or a side is missing
    before_rgba: np.ndarray | None  # full size, for reading pixel values
    after_rgba: np.ndarray | None
    regions: tuple[Box, ...]
    changed_pixels: int
    visible_pixels: int
    words: str  # size, format and colour changes in words ("" when none)
    problem: str = ""
    seconds: float = 0.0  # how long the preparation took
    # The longer of its two threads' CPU times: what `seconds` would be on idle cores.
    cpu_seconds: float = 0.0
    refined: bool = False  # the box-filtered copies are in

    @property
    def same_size(self) -> bool:
        return self.changes is not None


def prepare_pair(before: bytes | None, after: bytes | None, name: str) -> PreparedPair:
    """Decode, compare and scale quickly; never raises for a bad image (see `problem`)."""
    started = time.perf_counter()
    cpu_started = time.thread_time()
    sides: dict[str, _Side | ImageError | None] = {}
    helper_cpu: list[float] = []

    def read_before() -> None:
        begun = time.thread_time()
        sides["before"] = _read(before, f"{name} (before)")
        helper_cpu.append(time.thread_time() - begun)

    helper = threading.Thread(target=read_before, name="vetline-image-decode")
    helper.start()
    sides["after"] = _read(after, f"{name} (after)")
    helper.join()
    first, second = sides["before"], sides["after"]
    errors = [str(side) for side in (first, second) if isinstance(side, ImageError)]
    if errors:
        problem = "; ".join(errors)
        return PreparedPair(name, None, None, None, None, None, None, None, (), 0, 0, "", problem)
    assert not isinstance(first, ImageError) and not isinstance(second, ImageError)
    pair = compare_decoded(first.decoded if first else None, second.decoded if second else None)
    changes = None
    if pair.mask is not None and pair.visible is not None and second is not None:
        changes = _changes_pyramid(pair.mask, pair.visible, len(second.pyramid.levels))
    before_side = first.decoded.side if first else None
    after_side = second.decoded.side if second else None
    return PreparedPair(
        name=name,
        before_side=before_side,
        after_side=after_side,
        before=first.pyramid if first else None,
        after=second.pyramid if second else None,
        changes=changes,
        before_rgba=first.decoded.rgba if first else None,
        after_rgba=second.decoded.rgba if second else None,
        regions=pair.regions,
        changed_pixels=pair.changed_pixels,
        visible_pixels=pair.visible_pixels,
        words=describe_sides(before_side, after_side),
        seconds=time.perf_counter() - started,
        cpu_seconds=(max(time.thread_time() - cpu_started, *helper_cpu)),
    )


def refine_pair(prepared: PreparedPair) -> PreparedPair:
    """Box-filtered smaller copies, premultiplied as Qt paints fastest, for a pair
    `prepare_pair` made (the full-size RGBA stays for reading pixel values)."""
    before = _filtered_pyramid(prepared.before) if prepared.before else None
    after = _filtered_pyramid(prepared.after) if prepared.after else None
    return dataclasses.replace(prepared, before=before, after=after, refined=True)


@dataclass(frozen=True, slots=True)
class _Side:
    decoded: Decoded
    pyramid: Pyramid


def _read(data: bytes | None, name: str) -> _Side | ImageError | None:
    """One side decoded and scaled (in the calling thread: each side has its own)."""
    if data is None:
        return None
    try:
        decoded = decode(data, name)
    except ImageError as error:
        return error
    return _Side(decoded, _sampled_pyramid(decoded.rgba))


def _sampled_pyramid(pixels: np.ndarray) -> Pyramid:
    """Halvings by taking every other pixel: fast, a little rough until refined."""
    height, width = pixels.shape[:2]
    levels = [np.ascontiguousarray(pixels)]
    words = levels[0].view(np.uint32)[..., 0]  # one 4-byte gather per pixel, not four
    step = 2
    while _level_count_wanted(width, height, step):
        sampled = np.ascontiguousarray(words[::step, ::step])
        levels.append(sampled.view(np.uint8).reshape(*sampled.shape, 4))
        step *= 2
    return Pyramid(width, height, tuple(levels))


def _level_count_wanted(width: int, height: int, step: int) -> bool:
    """Whether another halving (to 1/step) is still larger than SMALLEST_LEVEL / 2."""
    return max(-(-width // step), -(-height // step)) * 2 > SMALLEST_LEVEL and step <= min(
        width, height
    )


def _filtered_pyramid(sampled: Pyramid) -> Pyramid:
    """The same levels, each the box-filtered halving of the one above, premultiplied."""
    full = sampled.pixels(0)
    levels = [_premultiplied(full)]
    image = Image.fromarray(full, "RGBA")
    for _ in sampled.levels[1:]:
        image = image.reduce(2)
        levels.append(_premultiplied(np.asarray(image)))
    return Pyramid(sampled.width, sampled.height, tuple(levels), premultiplied=True)


def _premultiplied(rgba: np.ndarray) -> np.ndarray:
    """RGBA as Qt's ARGB32_Premultiplied bytes (B, G, R, A), which it draws without converting."""
    out = np.empty_like(rgba)
    alpha = rgba[..., 3]
    out[..., 3] = alpha
    if int(alpha.min(initial=255)) == 255:
        out[..., 0], out[..., 1], out[..., 2] = rgba[..., 2], rgba[..., 1], rgba[..., 0]
        return out
    weight = alpha.astype(np.uint16)
    for source, target in ((0, 2), (1, 1), (2, 0)):
        out[..., target] = ((rgba[..., source] * weight + 127) // 255).astype(np.uint8)
    return out


def _changes_pyramid(mask: np.ndarray, visible: np.ndarray, count: int) -> Pyramid:
    """The `changes` layer at each of `count` levels, rows padded to four bytes (for Qt)."""
    height, width = mask.shape
    layer = mask.view(np.uint8) + visible.view(np.uint8)  # UNCHANGED, CHANGED or VISIBLE
    levels = []
    for level in range(count):
        if level:
            layer = _halved(layer)
        levels.append(_padded_rows(layer))
    return Pyramid(width, height, tuple(levels))


def _halved(layer: np.ndarray) -> np.ndarray:
    """`layer` at half size, rounding up: each cell the largest of its four pixels."""
    height, width = layer.shape
    if height % 2 or width % 2:
        even = np.zeros((height + height % 2, width + width % 2), dtype=layer.dtype)
        even[:height, :width] = layer
        layer = even
    top = np.maximum(layer[0::2, 0::2], layer[0::2, 1::2])
    halved: np.ndarray = np.maximum(top, np.maximum(layer[1::2, 0::2], layer[1::2, 1::2]))
    return halved


def _padded_rows(layer: np.ndarray) -> np.ndarray:
    columns = layer.shape[1]
    if columns % 4 == 0:
        return np.ascontiguousarray(layer)
    padded = np.zeros((layer.shape[0], -(-columns // 4) * 4), dtype=np.uint8)
    padded[:, :columns] = layer
    return padded
