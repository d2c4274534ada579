"""Bytes to text and back without losing a byte; lines split exactly as git splits them."""

from __future__ import annotations

from collections.abc import Sequence

from vetline.core.errors import VetlineError

# Byte-order marks of the encodings we round-trip besides UTF-8 (longest first).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

# How far git looks for a NUL byte before it calls a file binary.
_BINARY_PROBE = 8000


class TextDecodeError(VetlineError, ValueError):
    """Raised when bytes declare an encoding they do not follow."""

    exit_code = 2


def detect_encoding(data: bytes) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return "utf-8"


def is_binary(data: bytes) -> bool:
    """A NUL byte near the start makes a file binary, unless a BOM says it is UTF-16/32
    (text an agent's edit can still be matched in)."""
    return detect_encoding(data) == "utf-8" and looks_binary_to_git(data)


def looks_binary_to_git(data: bytes) -> bool:
    """git's own rule, BOM or not: a NUL byte in the first 8,000 bytes makes a file binary,
    so `git diff` shows it whole ("Binary files differ") and `git add -p` stages it whole."""
    return b"\0" in data[:_BINARY_PROBE]


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode so that `encode(text, encoding)` gives back exactly `data`.

    UTF-8 is decoded with surrogateescape, so Latin-1 or broken bytes survive; a UTF-8
    BOM stays in the text as U+FEFF. UTF-16/32 are recognised by their BOM.
    """
    name = encoding or detect_encoding(data)
    try:
        if name == "utf-8":
            return data.decode("utf-8", "surrogateescape"), name
        return data.decode(name), name
    except LookupError as error:
        raise TextDecodeError(f"unknown encoding {name!r}") from error
    except UnicodeDecodeError as error:
        raise TextDecodeError(f"not valid {name} at byte {error.start}") from error
    except UnicodeError as error:  # codecs such as idna or punycode fail without a position
        raise TextDecodeError(f"not valid {name}: {error}") from error


def encode(text: str, encoding: str = "utf-8") -> bytes:
    try:
        if encoding == "utf-8":
            return text.encode("utf-8", "surrogateescape")
        return text.encode(encoding)
    except LookupError as error:
        raise TextDecodeError(f"unknown encoding {encoding!r}") from error
    except UnicodeEncodeError as error:
        raise TextDecodeError(f"text cannot be written as {encoding}: {error.reason}") from error
    except UnicodeError as error:
        raise TextDecodeError(f"text cannot be written as {encoding}: {error}") from error


def split_lines(text: str) -> list[str]:
    """Split after each '\\n' only, keeping endings; '\\r\\n' stays with its line.

    Unlike str.splitlines this never splits at '\\r', form feeds or U+2028, because git
    and patch files do not.
    """
    if not text:
        return []
    parts = text.split("\n")
    last = parts.pop()
    lines = [part + "\n" for part in parts]
    if last:
        lines.append(last)
    return lines


def join_lines(lines: Sequence[str]) -> str:
    return "".join(lines)


def line_ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith("\n"):
        return "\n"
    return ""


def strip_ending(line: str) -> str:
    return line[: len(line) - len(line_ending(line))]
