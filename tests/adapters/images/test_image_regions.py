"""Regions of changed pixels, and any subset of them composed exactly (hypothesis properties)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from helpers.images import encode, rgba
from vetline.adapters.images.analysis import compare, image_diff
from vetline.adapters.images.compose import compose
from vetline.adapters.images.regions import (
    MAX_REGIONS,
    Box,
    box_mask,
    changed_mask,
    find_regions,
    visible_count,
)

PALETTE = np.array(
    [[r, g, b] for r in (0, 90, 200) for g in (10, 160) for b in (40, 250)], dtype=np.uint8
)


def test_one_level_changes_count_as_changed_but_not_visible() -> None:
    before = np.full((10, 10, 4), 120, dtype=np.uint8)
    after = before.copy()
    after[0, 0, 0] = 121  # invisible to the eye, real all the same
    after[5:7, 5:7, :3] = [255, 0, 0]  # plainly visible
    mask = changed_mask(before, after)
    assert int(mask.sum()) == 5
    assert visible_count(before, after, mask) == 4


def test_a_change_only_in_alpha_is_a_change() -> None:
    before = np.zeros((4, 4, 4), dtype=np.uint8)
    after = before.copy()
    after[1, 1, 3] = 255
    assert changed_mask(before, after)[1, 1]
    assert changed_mask(before, after).sum() == 1


def test_distant_groups_get_their_own_boxes_and_nearby_ones_merge() -> None:
    mask = np.zeros((300, 400), dtype=bool)
    mask[10:20, 10:20] = True
    mask[10:20, 22:25] = True  # two pixels away: the same region
    mask[200:210, 300:340] = True
    assert find_regions(mask) == [Box(10, 10, 15, 10), Box(300, 200, 40, 10)]


def test_too_many_groups_are_grouped_coarser_until_they_can_be_reviewed() -> None:
    mask = np.zeros((1200, 1600), dtype=bool)
    mask[::30, ::30] = True  # 2,160 specks, far enough apart for a box each at first
    boxes = find_regions(mask)
    assert 1 <= len(boxes) <= MAX_REGIONS
    assert not (mask & ~box_mask(mask.shape, boxes)).any()


@st.composite
def edited_pairs(draw: st.DrawFn, palette_only: bool) -> tuple[np.ndarray, np.ndarray]:
    width = draw(st.integers(8, 48))
    height = draw(st.integers(8, 48))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if palette_only:
        before = PALETTE[rng.integers(0, len(PALETTE), (height, width))]
    else:
        before = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    after = before.copy()
    for _ in range(draw(st.integers(1, 6))):
        x0, x1 = sorted(draw(st.integers(0, width)) for _ in range(2))
        y0, y1 = sorted(draw(st.integers(0, height)) for _ in range(2))
        shape = after[y0:y1, x0:x1].shape[:2]
        if palette_only:
            after[y0:y1, x0:x1] = PALETTE[rng.integers(0, len(PALETTE), shape)]
        elif draw(st.booleans()):
            after[y0:y1, x0:x1] = rng.integers(0, 256, (*shape, 4), dtype=np.uint8)
        else:  # a one-level nudge of one channel: real, but invisible
            after[y0:y1, x0:x1, draw(st.integers(0, 3))] ^= 1
    return before, after


def _check_subsets(before: bytes, after: bytes, chosen: list[bool], name: str) -> None:
    pair = compare(before, after, name)
    assert pair.mask is not None and pair.before is not None and pair.after is not None
    mask = pair.mask
    boxes = list(pair.regions)
    # Every changed pixel lies in exactly one box.
    coverage = np.zeros(mask.shape, dtype=np.int32)
    for box in boxes:
        coverage[box.y : box.bottom, box.x : box.right] += 1
    assert (coverage[mask] == 1).all()
    assert (coverage <= 1).all()
    picked = [box for box, keep in zip(boxes, chosen, strict=False) if keep]
    written = compose(before, after, picked, name)
    take = mask & box_mask(mask.shape, picked)
    expected = np.where(take[..., None], pair.after.rgba, pair.before.rgba)
    assert np.array_equal(rgba(written), expected)
    assert Image.open(io.BytesIO(written)).format == pair.before.side.format
    if not take.any():
        assert written == before
    if not (mask & ~take).any():
        assert written == after


FULL_COLOUR = [
    ("PNG", "RGBA", {}),
    ("PNG", "RGB", {}),
    ("WEBP", "RGBA", {"lossless": True, "exact": True}),
    ("BMP", "RGB", {}),
]


@pytest.mark.parametrize(("fmt", "mode", "options"), FULL_COLOUR)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=edited_pairs(palette_only=False), chosen=st.lists(st.booleans(), max_size=40))
def test_every_changed_pixel_is_in_a_region_and_any_subset_composes_exactly(
    fmt: str,
    mode: str,
    options: dict[str, object],
    pair: tuple[np.ndarray, np.ndarray],
    chosen: list[bool],
) -> None:
    before, after = (np.asarray(Image.fromarray(side).convert(mode)) for side in pair)
    first, second = encode(before, fmt, **options), encode(after, fmt, **options)
    if first == second:
        return
    _check_subsets(first, second, chosen, f"pic.{fmt.lower()}")


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "BMP"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=edited_pairs(palette_only=True), chosen=st.lists(st.booleans(), max_size=40))
def test_palette_images_compose_exactly_too(
    fmt: str, pair: tuple[np.ndarray, np.ndarray], chosen: list[bool]
) -> None:
    palette = Image.new("P", (1, 1))
    palette.putpalette(PALETTE.tobytes())
    sides = []
    for side in pair:
        image = Image.fromarray(side).quantize(palette=palette, dither=Image.Dither.NONE)
        out = io.BytesIO()
        image.save(out, fmt)
        sides.append(out.getvalue())
    if sides[0] == sides[1]:
        return
    assert image_diff("pic", sides[0], sides[1]).regions_are_items
    _check_subsets(sides[0], sides[1], chosen, "pic")
