"""When regions can be accepted one by one, and exact composition in each colour mode."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from helpers.images import encode, picture, rgba
from vetline.adapters.images.analysis import image_diff
from vetline.adapters.images.compose import compose
from vetline.adapters.images.decode import ImageError
from vetline.adapters.images.regions import Box

BASE = picture(64, 48, seed=11)


def with_edits(pixels: np.ndarray) -> np.ndarray:
    after = pixels.copy()
    after[2:10, 2:12] = 255 - after[2:10, 2:12]
    after[30:40, 40:60] = 0
    return after


def save(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def first_region_only(before: bytes, after: bytes, name: str) -> tuple[bytes, np.ndarray]:
    facts = image_diff(name, before, after)
    assert facts.regions_are_items, facts.whole_reason
    assert len(facts.regions) == 2
    first = facts.regions[0]
    written = compose(before, after, [Box(*first.box)], name)
    expected = rgba(before).copy()
    x, y, width, height = first.box
    expected[y : y + height, x : x + width] = rgba(after)[y : y + height, x : x + width]
    return written, expected


@pytest.mark.parametrize("mode", ["L", "LA", "1", "RGB", "RGBA"])
def test_png_modes_are_composed_in_their_own_mode(mode: str) -> None:
    base = picture(64, 48, alpha=True, seed=11)

    def converted(pixels: np.ndarray) -> Image.Image:
        image = Image.fromarray(pixels)
        return image.convert(mode, dither=Image.Dither.NONE) if mode == "1" else image.convert(mode)

    before = save(converted(base), "PNG")
    after = save(converted(with_edits(base)), "PNG")
    written, expected = first_region_only(before, after, "a.png")
    assert np.array_equal(rgba(written), expected)
    assert Image.open(io.BytesIO(written)).mode == mode


def test_a_png_colour_key_is_kept() -> None:
    before = save(Image.fromarray(BASE), "PNG", transparency=(0, 0, 0))
    after = save(Image.fromarray(with_edits(BASE)), "PNG", transparency=(0, 0, 0))
    written, expected = first_region_only(before, after, "key.png")
    assert np.array_equal(rgba(written), expected)
    assert Image.open(io.BytesIO(written)).info["transparency"] == (0, 0, 0)


def test_a_palette_png_whose_colours_do_not_fit_becomes_rgb_exactly() -> None:
    noise = np.random.default_rng(3).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    before = save(Image.fromarray(noise).quantize(256), "PNG")
    other = noise.copy()
    other[2:10, 2:12] = 255 - other[2:10, 2:12]
    other[30:40, 40:60] = 7
    after = save(Image.fromarray(other).quantize(256), "PNG")
    facts = image_diff("p.png", before, after)
    assert facts.regions_are_items
    written = compose(before, after, [Box(*facts.regions[0].box)], "p.png")
    expected = rgba(before).copy()
    x, y, width, height = facts.regions[0].box
    expected[y : y + height, x : x + width] = rgba(after)[y : y + height, x : x + width]
    assert np.array_equal(rgba(written), expected)


def test_a_gif_whose_sides_need_more_than_256_colours_is_one_item() -> None:
    first = Image.fromarray(BASE).quantize(200)
    second = Image.fromarray(255 - BASE).quantize(200)
    facts = image_diff("a.gif", save(first, "GIF"), save(second, "GIF"))
    assert not facts.regions_are_items
    assert "colours together; a GIF holds 256" in facts.whole_reason


@pytest.mark.parametrize(
    ("before", "after", "reason"),
    [
        (encode(BASE, "PNG"), encode(with_edits(BASE), "WEBP", lossless=True), "format changes"),
        (encode(BASE, "JPEG"), encode(with_edits(BASE), "JPEG"), "JPEG cannot hold"),
        (encode(BASE, "WEBP"), encode(with_edits(BASE), "WEBP"), "lossy WebP cannot hold"),
        (encode(BASE, "PNG"), encode(picture(60, 48), "PNG"), "size changes (64×48 → 60×48)"),
    ],
)
def test_pairs_that_cannot_be_split_say_why(before: bytes, after: bytes, reason: str) -> None:
    facts = image_diff("x", before, after)
    assert not facts.regions_are_items
    assert reason in facts.whole_reason
    with pytest.raises(ImageError, match="cannot be accepted one by one"):
        compose(before, after, [Box(0, 0, 1, 1)], "x")


def test_new_bytes_with_the_same_pixels_are_one_item_and_compose_to_the_old_bytes() -> None:
    before, after = encode(BASE, "PNG"), encode(BASE, "PNG", compress_level=0)
    facts = image_diff("x.png", before, after)
    assert facts.changed_pixels == 0
    assert "no pixel changes" in facts.whole_reason
    assert compose(before, after, [Box(0, 0, 64, 48)], "x.png") == before


def test_an_animated_gif_is_one_item() -> None:
    frames = [Image.fromarray(BASE).convert("P"), Image.fromarray(255 - BASE).convert("P")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    edited = Image.fromarray(with_edits(BASE)).convert("P")
    facts = image_diff("a.gif", out.getvalue(), save(edited, "GIF"))
    assert "animated (2 frames)" in facts.whole_reason


def test_sixteen_bit_grey_is_one_item() -> None:
    wide = (np.arange(64 * 48, dtype=np.uint16).reshape(48, 64) * 20).astype(np.uint16)
    before = save(Image.fromarray(wide), "PNG")
    wide[0:4, 0:4] = 1
    after = save(Image.fromarray(wide), "PNG")
    facts = image_diff("deep.png", before, after)
    assert not facts.regions_are_items
    assert "is not written by Vetline" in facts.whole_reason


def test_no_region_gives_the_before_bytes_and_every_region_the_after_bytes() -> None:
    before, after = encode(BASE, "BMP"), encode(with_edits(BASE), "BMP")
    boxes = [Box(*region.box) for region in image_diff("a.bmp", before, after).regions]
    assert compose(before, after, [], "a.bmp") == before
    assert compose(before, after, boxes, "a.bmp") == after
    # A box with no changed pixels in it changes nothing either.
    assert compose(before, after, [Box(20, 20, 5, 5)], "a.bmp") == before
