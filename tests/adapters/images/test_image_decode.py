"""Reading images safely: formats and facts from real files, bombs, truncation, wrong names."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from helpers.images import encode, picture
from vetline.adapters.images.decode import MAX_PIXELS, ImageError, decode, probe
from vetline.adapters.images.kinds import extension_problem, is_image, sniff_format
from vetline.core.errors import InputError


@pytest.mark.parametrize(
    ("fmt", "mode", "options", "alpha", "lossless"),
    [
        ("PNG", "RGB", {}, False, True),
        ("PNG", "RGBA", {}, True, True),
        ("PNG", "P", {}, False, True),
        ("PNG", "L", {}, False, True),
        ("JPEG", "RGB", {"quality": 90}, False, False),
        ("WEBP", "RGB", {"lossless": True}, False, True),
        ("WEBP", "RGBA", {"lossless": True}, True, True),
        ("WEBP", "RGB", {"quality": 80}, False, False),
        ("WEBP", "RGBA", {"quality": 80}, True, False),
        ("GIF", "P", {}, False, True),
        ("BMP", "RGB", {}, False, True),
    ],
)
def test_each_format_is_read_with_its_facts(
    fmt: str, mode: str, options: dict[str, object], alpha: bool, lossless: bool
) -> None:
    data = encode(picture(40, 30, alpha=alpha), fmt, mode, **options)
    decoded = decode(data, f"pic.{fmt.lower()}")
    assert decoded.side.format == fmt
    assert decoded.side.size == (40, 30)
    assert decoded.side.has_alpha is alpha
    assert decoded.side.lossless is lossless
    assert decoded.rgba.shape == (30, 40, 4)
    assert decoded.rgba.dtype == np.uint8
    assert sniff_format(data) == fmt


def test_lossless_pixels_come_back_exactly() -> None:
    pixels = picture(33, 17, alpha=True)
    for fmt, options in (("PNG", {}), ("WEBP", {"lossless": True, "exact": True})):
        assert np.array_equal(decode(encode(pixels, fmt, **options), "x").rgba, pixels)


def test_a_gif_is_read_by_its_first_frame_and_says_how_many_it_has() -> None:
    from PIL import Image

    frames = [Image.fromarray(picture(20, 10, seed=seed)).convert("P") for seed in (1, 2, 3)]
    import io

    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    decoded = decode(out.getvalue(), "anim.gif")
    assert decoded.side.frames == 3
    assert np.array_equal(decoded.rgba, np.asarray(frames[0].convert("RGBA")))


def _png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR claiming this size, then a tiny (wrong) IDAT."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_header_claiming_fifty_thousand_squared_pixels_is_refused_before_decoding() -> None:
    data = _png_header(50_000, 50_000)
    with pytest.raises(ImageError, match="too large") as caught:
        probe(data, "bomb.png")
    assert isinstance(caught.value, InputError)  # bad input: exit code 2
    with pytest.raises(ImageError, match="bomb.png"):
        decode(data, "bomb.png")


def test_the_limit_is_checked_from_the_header_at_its_exact_edge() -> None:
    side = 8192
    assert side * side == MAX_PIXELS
    with pytest.raises(ImageError, match=r"big\.png: the image is too large .* 67,108,864"):
        probe(_png_header(side + 1, side), "big.png")
    # At the limit the header is accepted (the pixels are then wrong, and that is said).
    assert probe(_png_header(side, side), "edge.png").size == (side, side)
    with pytest.raises(ImageError, match="corrupt|truncated"):
        decode(_png_header(side, side), "edge.png")


def test_a_gif_whose_screen_is_huge_is_refused() -> None:
    small = encode(picture(4, 4), "GIF", "P")
    huge = small[:6] + struct.pack("<HH", 60_000, 60_000) + small[10:]
    with pytest.raises(ImageError, match="too large|at most"):
        decode(huge, "huge.gif")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF", "BMP"])
def test_a_truncated_file_is_a_clear_error(fmt: str) -> None:
    data = encode(picture(64, 48, seed=4), fmt, "P" if fmt == "GIF" else None)
    with pytest.raises(ImageError, match=r"cut\.img: .*(truncated|corrupt|not an image)"):
        decode(data[: len(data) // 2], "cut.img")


def test_bytes_that_are_no_image_are_a_clear_error() -> None:
    with pytest.raises(ImageError, match="bad.png: the image is corrupt"):
        decode(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "bad.png")
    with pytest.raises(ImageError, match="not an image Vetline reads"):
        decode(b"just some text", "notes.png")
    with pytest.raises(ImageError, match="not an image Vetline reads"):
        decode(b"%!PS-Adobe-3.0 EPSF-3.0\n", "evil.eps")  # never handed to Ghostscript


def test_a_wrong_extension_is_said_and_the_content_decides_the_format() -> None:
    data = encode(picture(8, 8), "JPEG")
    assert decode(data, "photo.png").side.format == "JPEG"
    assert extension_problem("photo.png", "JPEG") == "photo.png is named as PNG but holds JPEG data"
    assert extension_problem("photo.jpeg", "JPEG") == ""
    assert extension_problem("photo.dat", "JPEG") == ""


def test_images_are_known_by_name_or_by_content() -> None:
    assert is_image("a/b.PNG", None)
    assert is_image("blob.bin", encode(picture(4, 4), "BMP"))
    assert not is_image("blob.bin", b"BM but not a bitmap header at all")
    assert not is_image("notes.txt", b"hello")
