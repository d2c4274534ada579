"""Two versions of an image compared: sizes and formats, changed pixels, regions, and why not.

`compare` decodes both sides and finds the changed pixels and their regions; the image
view and `image_diff` (the facts a Change carries) both use it, so the boxes drawn on
screen are the items reviewed. `whole_reason` says why a pair cannot be reviewed region
by region (and the writer refuses to compose such a pair).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from vetline.adapters.images.compose import composition_refusal
from vetline.adapters.images.decode import Decoded, ImageError, decode
from vetline.adapters.images.kinds import extension_problem
from vetline.adapters.images.regions import (
    Box,
    changed_mask,
    find_regions,
    visible_among,
)
from vetline.core.model import ImageDiff, ImageRegion


@dataclass(frozen=True, slots=True)
class ComparedPair:
    """Both sides decoded (None: no such side) and, when they are the same size, the diff.

    `mask` is True where RGBA differs; `visible` is True where it differs visibly
    (both None when the sizes differ or a side is missing).
    """

    before: Decoded | None
    after: Decoded | None
    mask: np.ndarray | None
    visible: np.ndarray | None
    regions: tuple[Box, ...]
    changed_pixels: int
    visible_pixels: int


def compare(before: bytes | None, after: bytes | None, name: str) -> ComparedPair:
    """Decode and compare; ImageError when a side cannot be read."""
    decoded_before = decode(before, f"{name} (before)") if before is not None else None
    decoded_after = decode(after, f"{name} (after)") if after is not None else None
    return compare_decoded(decoded_before, decoded_after)


def compare_decoded(decoded_before: Decoded | None, decoded_after: Decoded | None) -> ComparedPair:
    """The changed pixels and regions of two decoded sides (None: no such side)."""
    if (
        decoded_before is None
        or decoded_after is None
        or decoded_before.rgba.shape != decoded_after.rgba.shape
    ):
        return ComparedPair(decoded_before, decoded_after, None, None, (), 0, 0)
    mask = changed_mask(decoded_before.rgba, decoded_after.rgba)
    changed = int(np.count_nonzero(mask))
    visible = np.zeros(mask.shape, dtype=bool)
    if changed:
        visible[mask] = visible_among(decoded_before.rgba, decoded_after.rgba, mask)
    return ComparedPair(
        decoded_before,
        decoded_after,
        mask,
        visible,
        tuple(find_regions(mask)),
        changed,
        int(np.count_nonzero(visible)),
    )


def image_diff(
    path: str,
    before: bytes | None,
    after: bytes | None,
    *,
    renamed: bool = False,
) -> ImageDiff:
    """The facts of an image change; a side that cannot be read is a `problem`, not an error."""
    try:
        pair = compare(before, after, path)
    except ImageError as error:
        return ImageDiff(None, None, problem=str(error), before_data=before, after_data=after)
    sides = [side for side in (pair.before, pair.after) if side is not None]
    problem = next(
        (words for side in sides if (words := extension_problem(path, side.side.format))), ""
    )
    regions = tuple(_region(pair, box) for box in pair.regions)
    reason = whole_reason(pair, renamed=renamed)
    return ImageDiff(
        before=pair.before.side if pair.before else None,
        after=pair.after.side if pair.after else None,
        changed_pixels=pair.changed_pixels,
        visible_pixels=pair.visible_pixels,
        regions=regions,
        regions_are_items=not reason,
        whole_reason=reason,
        problem=problem,
        before_data=before,
        after_data=after,
    )


def whole_reason(pair: ComparedPair, *, renamed: bool = False) -> str:
    """Why the pair is one item rather than one per region ("" when regions can be items)."""
    before, after = pair.before, pair.after
    if before is None:
        return "the image is new"
    if after is None:
        return "the image is deleted"
    if renamed:
        return "the file is renamed as well"
    refusal = composition_refusal(before, after)
    if refusal:
        return refusal
    if pair.mask is None or not pair.changed_pixels:
        return "no pixel changes; only the file's bytes (metadata or compression) differ"
    return ""


def _region(pair: ComparedPair, box: Box) -> ImageRegion:
    assert pair.mask is not None and pair.before is not None and pair.after is not None
    rows, columns = slice(box.y, box.bottom), slice(box.x, box.right)
    digest = hashlib.sha256(f"{box.x},{box.y},{box.width},{box.height}".encode())
    digest.update(np.ascontiguousarray(pair.before.rgba[rows, columns]).tobytes())
    digest.update(np.ascontiguousarray(pair.after.rgba[rows, columns]).tobytes())
    return ImageRegion(
        box.x,
        box.y,
        box.width,
        box.height,
        changed_pixels=int(np.count_nonzero(pair.mask[rows, columns])),
        digest=digest.hexdigest(),
    )
