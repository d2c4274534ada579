"""Changed pixels between two same-size RGBA images, and the boxes that group them.

`changed_mask` marks every pixel whose RGBA value differs at all. `visible_count`
counts the ones that differ enough for the eye, by the YIQ distance visual-regression
tools use (pixelmatch's default threshold of 0.1, alpha blended onto white).

`find_regions` groups the mask with numpy alone: the image is cut into square tiles,
a tile with any changed pixel is marked and the marks grown by one tile (so groups a
few pixels apart merge), and the marked tiles are joined into components by row runs.
Each component's box is shrunk to the changed pixels inside it, and boxes that overlap
are merged until none do. So every changed pixel lies in exactly one box, which is
what lets any subset of boxes be accepted without ambiguity. (scipy.ndimage.label
would do the labelling, at 35 MB of installer; tiles and runs take milliseconds at 4K.)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

VISIBLE_THRESHOLD = 0.1  # pixelmatch's default
_MAX_YIQ_DELTA = 35215.0
# More boxes than this are not reviewable one by one: the tiles grow until they are fewer.
MAX_REGIONS = 100


class Box(NamedTuple):
    """A rectangle: x and y of its top-left pixel, its width and height."""

    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def union(self, other: Box) -> Box:
        x, y = min(self.x, other.x), min(self.y, other.y)
        return Box(x, y, max(self.right, other.right) - x, max(self.bottom, other.bottom) - y)


def changed_mask(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """(height, width) bool: True where the RGBA values differ at all."""
    if before.shape != after.shape:
        raise ValueError(f"images differ in shape: {before.shape} and {after.shape}")
    return np.asarray(_as_words(before) != _as_words(after))


def visible_count(before: np.ndarray, after: np.ndarray, mask: np.ndarray) -> int:
    """How many of the masked pixels differ beyond the perceptual threshold."""
    return int(np.count_nonzero(visible_among(before, after, mask)))


def visible_among(before: np.ndarray, after: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """For each masked pixel (in row order), whether it differs visibly."""
    where = np.flatnonzero(mask)  # then gather four bytes per pixel, not four masks' worth
    first = _as_words(before).ravel()[where].view(np.uint8).reshape(-1, 4)
    second = _as_words(after).ravel()[where].view(np.uint8).reshape(-1, 4)
    delta = _yiq_delta(first, second)
    limit: float = _MAX_YIQ_DELTA * VISIBLE_THRESHOLD * VISIBLE_THRESHOLD
    return np.asarray(delta > limit)


def find_regions(mask: np.ndarray) -> list[Box]:
    """Non-overlapping boxes, in reading order, that hold every True pixel of `mask`."""
    height, width = mask.shape
    if not mask.any():
        return []
    tile = _tile_size(width, height)
    while True:
        boxes = list(_component_boxes(mask, tile))
        if len(boxes) <= 4 * MAX_REGIONS:  # merging is quadratic: only for a few hundred
            boxes = _merge_overlapping(boxes)
            if len(boxes) <= MAX_REGIONS:
                return sorted(boxes, key=lambda box: (box.y, box.x))
        tile *= 2


def _tile_size(width: int, height: int) -> int:
    longest = max(width, height)
    if longest >= 1024:
        return 8
    if longest >= 256:
        return 4
    return 2


def _component_boxes(mask: np.ndarray, tile: int) -> Iterator[Box]:
    height, width = mask.shape
    rows, columns = -(-height // tile), -(-width // tile)
    padded = mask
    if rows * tile != height or columns * tile != width:
        padded = np.zeros((rows * tile, columns * tile), dtype=bool)
        padded[:height, :width] = mask
    tiles = _tiles_marked(np.ascontiguousarray(padded), rows, columns, tile)
    grown = _grow(tiles)
    for top, bottom, left, right in _components(grown):
        # The component's tiles as pixels, shrunk to the changed pixels inside them.
        y0, y1 = top * tile, min(bottom * tile, height)
        x0, x1 = left * tile, min(right * tile, width)
        window = mask[y0:y1, x0:x1]
        ys = np.flatnonzero(window.any(axis=1))
        xs = np.flatnonzero(window.any(axis=0))
        if ys.size == 0:
            continue  # only grown tiles: no changed pixel of its own
        yield Box(
            int(x0 + xs[0]), int(y0 + ys[0]), int(xs[-1] - xs[0] + 1), int(ys[-1] - ys[0] + 1)
        )


def _tiles_marked(mask: np.ndarray, rows: int, columns: int, tile: int) -> np.ndarray:
    """(rows, columns): whether each tile x tile block of `mask` has a True pixel.

    Across first, reading up to eight pixels as one integer (numpy's `any` over a short
    axis is twenty times slower at 4K), then down.
    """
    width = min(tile, 8)
    words = mask.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[width])
    across = words.reshape(rows * tile, columns, tile // width) != 0
    across = across.any(axis=2) if tile > width else across[..., 0]
    return np.asarray(across.reshape(rows, tile, columns).any(axis=1))


def _grow(tiles: np.ndarray) -> np.ndarray:
    """Mark every tile next to a marked one (eight neighbours)."""
    grown = tiles.copy()
    grown[1:, :] |= tiles[:-1, :]
    grown[:-1, :] |= tiles[1:, :]
    wide = grown.copy()
    wide[:, 1:] |= grown[:, :-1]
    wide[:, :-1] |= grown[:, 1:]
    return wide


def _components(grid: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(top, bottom, left, right), ends exclusive, of each 4-connected group of True cells."""
    padded = np.zeros((grid.shape[0], grid.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = grid
    steps = np.diff(padded, axis=1)
    starts = np.argwhere(steps == 1)  # row-major order: runs line up with their ends
    ends = np.argwhere(steps == -1)[:, 1]
    run_rows = starts[:, 0].tolist()
    run_starts = starts[:, 1].tolist()
    run_ends = ends.tolist()
    parent = list(range(len(run_rows)))

    def root(run: int) -> int:
        while parent[run] != run:
            parent[run] = parent[parent[run]]
            run = parent[run]
        return run

    # Join each run to the runs of the row above that it touches: both rows' runs are
    # sorted left to right, so one pass with two pointers visits each pair that overlaps.
    bounds = [*np.flatnonzero(np.diff(starts[:, 0], prepend=-1)).tolist(), len(run_rows)]
    previous: tuple[int, int] | None = None
    for first, last in itertools.pairwise(bounds):
        if previous is not None and run_rows[previous[0]] == run_rows[first] - 1:
            above, above_last = previous
            current = first
            while above < above_last and current < last:
                if run_starts[above] < run_ends[current] and run_starts[current] < run_ends[above]:
                    parent[root(above)] = root(current)
                if run_ends[above] <= run_ends[current]:
                    above += 1
                else:
                    current += 1
        previous = (first, last)
    extents: dict[int, list[int]] = {}
    for index, row in enumerate(run_rows):
        key = root(index)
        extent = extents.get(key)
        if extent is None:
            extents[key] = [row, row + 1, run_starts[index], run_ends[index]]
        else:
            extent[1] = row + 1
            extent[2] = min(extent[2], run_starts[index])
            extent[3] = max(extent[3], run_ends[index])
    return [(top, bottom, left, right) for top, bottom, left, right in extents.values()]


def _merge_overlapping(boxes: list[Box]) -> list[Box]:
    merged = True
    while merged:
        merged = False
        result: list[Box] = []
        for box in boxes:
            for index, kept in enumerate(result):
                if kept.overlaps(box):
                    result[index] = kept.union(box)
                    merged = True
                    break
            else:
                result.append(box)
        boxes = result
    return boxes


def box_mask(shape: tuple[int, int], boxes: list[Box]) -> np.ndarray:
    """(height, width) bool: True inside any of the boxes."""
    inside = np.zeros(shape, dtype=bool)
    for box in boxes:
        inside[box.y : box.bottom, box.x : box.right] = True
    return inside


def _as_words(pixels: np.ndarray) -> np.ndarray:
    """An RGBA array seen as one uint32 per pixel (one compare instead of four)."""
    contiguous = np.ascontiguousarray(pixels)
    return contiguous.view(np.uint32)[..., 0]


def _yiq_delta(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """pixelmatch's squared YIQ distance between (n, 4) RGBA pixels blended onto white."""
    first = _blend_on_white(before)
    second = _blend_on_white(after)
    difference = first - second
    y = difference @ np.array([0.29889531, 0.58662247, 0.11448223], dtype=np.float32)
    i = difference @ np.array([0.59597799, -0.27417610, -0.32180189], dtype=np.float32)
    q = difference @ np.array([0.21147017, -0.52261711, 0.31114694], dtype=np.float32)
    return np.asarray(0.5053 * y * y + 0.299 * i * i + 0.1957 * q * q)


def _blend_on_white(pixels: np.ndarray) -> np.ndarray:
    rgb = pixels[:, :3].astype(np.float32)
    alpha = pixels[:, 3:4].astype(np.float32) / 255.0
    return np.asarray(255.0 + (rgb - 255.0) * alpha)
