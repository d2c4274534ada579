"""Which files are images: by the name's extension or the first bytes (no decoding, no Pillow)."""

from __future__ import annotations

from pathlib import PurePosixPath

EXTENSIONS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jpe": "JPEG",
    ".webp": "WEBP",
    ".gif": "GIF",
    ".bmp": "BMP",
    ".dib": "BMP",
}
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
# A BMP starts with "BM" and, 14 bytes in, the size of one of the known DIB headers.
_BMP_HEADER_SIZES = (12, 40, 52, 56, 64, 108, 124)


def sniff_format(data: bytes) -> str | None:
    """The image format the bytes start with, or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    if data[:2] == b"BM" and int.from_bytes(data[14:18], "little") in _BMP_HEADER_SIZES:
        return "BMP"
    return None


def format_of_name(path: str) -> str | None:
    """The image format a file name promises, or None."""
    return EXTENSIONS.get(PurePosixPath(path).suffix.lower())


def is_image(path: str, data: bytes | None) -> bool:
    """Whether a binary file should be reviewed as an image: by its name or its bytes."""
    return format_of_name(path) is not None or (data is not None and sniff_format(data) is not None)


def extension_problem(path: str, actual_format: str) -> str:
    """Words for a file whose name promises another format than its bytes hold, or ""."""
    named = format_of_name(path)
    if named is None or named == actual_format:
        return ""
    return f"{path} is named as {named} but holds {actual_format} data"
