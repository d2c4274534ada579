"""Git's binary patches: base85 + zlib payloads, git deltas, blob ids, and a change's new bytes."""

from __future__ import annotations

import base64
import hashlib
import zlib

from vetline.core.errors import InputError, StaleBaseError
from vetline.core.model import Change


class BinaryPatchError(ValueError):
    """A payload that does not decode; the parser adds the file name and line number."""


def decode_base85_line(line: str) -> bytes:
    """The bytes of one payload line (without its line ending), as `git diff --binary` wrote it."""
    if not line:
        raise BinaryPatchError("empty line inside a binary payload")
    marker = line[0]
    if "A" <= marker <= "Z":
        length = ord(marker) - ord("A") + 1
    elif "a" <= marker <= "z":
        length = ord(marker) - ord("a") + 27
    else:
        raise BinaryPatchError(f"binary payload line starts with {marker!r}, not a length letter")
    encoded = line[1:]
    expected = (length + 3) // 4 * 5
    if len(encoded) != expected:
        raise BinaryPatchError(
            f"binary payload line has {len(encoded)} characters, its length letter says {expected}"
        )
    try:
        decoded = base64.b85decode(encoded)
    except ValueError as error:
        raise BinaryPatchError(f"binary payload line is not base85: {error}") from error
    return decoded[:length]


def inflate(payload: bytes, size: int) -> bytes:
    """zlib-inflate a payload that the patch says is `size` bytes, never producing more."""
    inflater = zlib.decompressobj()
    try:
        # One byte over the promise is enough to catch a lie without inflating a bomb.
        data = inflater.decompress(payload, size + 1)
    except zlib.error as error:
        raise BinaryPatchError(f"binary payload does not inflate: {error}") from error
    if len(data) != size:
        raise BinaryPatchError(f"binary payload inflates to {len(data)} bytes, not {size}")
    if not inflater.eof:
        raise BinaryPatchError("binary payload is truncated")
    return data


def git_blob_sha1(data: bytes) -> str:
    """The id git gives a file with these bytes (what `git hash-object` prints)."""
    header = b"blob %d\0" % len(data)
    return hashlib.sha1(header + data, usedforsecurity=False).hexdigest()


def _varint(delta: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = delta[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def delta_base_size(delta: bytes) -> int:
    """The size of the base a git delta was made against."""
    try:
        return _varint(delta, 0)[0]
    except IndexError as error:
        raise BinaryPatchError("git delta is truncated") from error


def apply_delta(base: bytes, delta: bytes) -> bytes:
    """Rebuild a file from `base` and a git delta (the format of pack files and binary patches)."""
    try:
        base_size, pos = _varint(delta, 0)
        result_size, pos = _varint(delta, pos)
        if base_size != len(base):
            raise BinaryPatchError(f"git delta expects a {base_size}-byte base, got {len(base)}")
        out = bytearray()
        while pos < len(delta):
            opcode = delta[pos]
            pos += 1
            if opcode & 0x80:
                # Copy from the base: bits 0-3 say which offset bytes follow, 4-6 which size bytes.
                offset = size = 0
                for bit in range(4):
                    if opcode & (1 << bit):
                        offset |= delta[pos] << (8 * bit)
                        pos += 1
                for bit in range(3):
                    if opcode & (0x10 << bit):
                        size |= delta[pos] << (8 * bit)
                        pos += 1
                size = size or 0x10000
                if offset + size > len(base):
                    raise BinaryPatchError("git delta copies past the end of its base")
                out += base[offset : offset + size]
            elif opcode:
                if pos + opcode > len(delta):
                    raise BinaryPatchError("git delta is truncated")
                out += delta[pos : pos + opcode]
                pos += opcode
            else:
                raise BinaryPatchError("git delta uses the reserved opcode 0")
            if len(out) > result_size:
                raise BinaryPatchError(f"git delta makes more than its {result_size} bytes")
    except IndexError as error:
        raise BinaryPatchError("git delta is truncated") from error
    if len(out) != result_size:
        raise BinaryPatchError(f"git delta makes {len(out)} bytes, not {result_size}")
    return bytes(out)


def binary_new_content(change: Change, base: bytes | None) -> bytes | None:
    """The bytes the binary `change` leaves at `change.path`; None means it deletes the file.

    `base` is the file's current content (None when it does not exist). It is checked
    against the patch's blob id when the patch has one, and a delta is applied to it.
    """
    if not change.is_binary:
        raise ValueError(f"{change.path}: not a binary change")
    new_side = change.binary_new
    if new_side is not None and new_side.data is None:
        raise InputError(
            f"{change.path}: the patch only says 'Binary files differ' and carries no content,"
            " so it cannot be accepted (make it with `git diff --binary`)"
        )
    _check_base(change, base)
    if new_side is None:
        return None
    assert new_side.data is not None  # checked above; mypy cannot follow the attribute
    if not new_side.is_delta:
        result = new_side.data
    else:
        assert base is not None  # _check_base refuses a missing base unless the file is created
        if delta_base_size(new_side.data) != len(base):
            raise StaleBaseError(
                f"{change.source_path}: the file on disk is not the base the patch was made"
                f" against ({len(base)} bytes, the patch expects {delta_base_size(new_side.data)})"
            )
        try:
            result = apply_delta(base, new_side.data)
        except BinaryPatchError as error:
            raise InputError(f"{change.path}: {error}") from error
    if change.new_blob_sha1 and not git_blob_sha1(result).startswith(change.new_blob_sha1.lower()):
        raise InputError(
            f"{change.path}: the patch's content does not match its own blob id"
            f" {change.new_blob_sha1}: the patch is corrupt"
        )
    return result


def _check_base(change: Change, base: bytes | None) -> None:
    where = change.source_path
    if change.binary_old is None:  # the patch creates the file
        if base is not None:
            raise StaleBaseError(f"{where}: the patch creates this file but it already exists")
        return
    if base is None:
        raise StaleBaseError(f"{where}: the patch changes this file but it does not exist")
    expected = change.base_blob_sha1
    if expected:
        actual = git_blob_sha1(base)
        if not actual.startswith(expected.lower()):
            raise StaleBaseError(
                f"{where}: the file on disk (blob {actual[: len(expected)]}) is not the base the"
                f" patch was made against (blob {expected})"
            )
