"""Real image files for tests: pictures as numpy arrays, encoded by Pillow in any format."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image


def picture(width: int, height: int, *, alpha: bool = False, seed: int = 0) -> np.ndarray:
    """An RGB(A) uint8 array with gradients and a few blocks, so regions are not trivial."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.zeros((height, width, 4), dtype=np.uint8)
    pixels[..., 0] = (x * 255 // max(width - 1, 1)).astype(np.uint8)
    pixels[..., 1] = (y * 255 // max(height - 1, 1)).astype(np.uint8)
    pixels[..., 2] = 128
    pixels[..., 3] = 255
    for _ in range(4):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        colour = rng.integers(0, 256, 3, dtype=np.uint8)
        pixels[y0 : y0 + height // 5, x0 : x0 + width // 5, :3] = colour
    if alpha:
        pixels[..., 3] = (255 - (x * 200 // max(width - 1, 1))).astype(np.uint8)
        return pixels
    return pixels[..., :3].copy()


def encode(pixels: np.ndarray, fmt: str, mode: str | None = None, **options: object) -> bytes:
    """The array as a file of `fmt` ("PNG", "JPEG", "WEBP", "GIF", "BMP") in Pillow's `mode`."""
    image = Image.fromarray(pixels)
    if mode == "P":
        image = image.convert("RGB").quantize(colors=64, dither=Image.Dither.NONE)
    elif mode is not None:
        image = image.convert(mode)
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def rgba(data: bytes) -> np.ndarray:
    """The first frame of an image file as an RGBA array."""
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGBA"))


def git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git in `root` with no user or system configuration; fail the test if it fails."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Ann Agent",
        "GIT_AUTHOR_EMAIL": "ann@example.com",
        "GIT_COMMITTER_NAME": "Carl Committer",
        "GIT_COMMITTER_EMAIL": "carl@example.com",
        "LC_ALL": "C",
    }
    result = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false", *args],
        cwd=root,
        input=stdin,
        capture_output=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr.decode()}"
    return result.stdout
