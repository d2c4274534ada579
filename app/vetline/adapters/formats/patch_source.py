"""What every patch reader shares: decoding a source's bytes, ids, titles, where a patch starts."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from vetline.adapters.formats.mbox import MBOX_FROM
from vetline.core.errors import InputError
from vetline.core.text import TextDecodeError, decode, encode


def decode_patch(data: bytes, source_name: str) -> str:
    """Patch bytes as text: UTF-8 keeps every byte; a UTF-16 BOM (PowerShell's `>`) is honoured."""
    try:
        text, _ = decode(data)
    except TextDecodeError as error:
        raise InputError(f"{source_name}: {error}") from error
    text = text.removeprefix("\ufeff")
    refuse_nul(text, source_name)
    return text


def refuse_nul(text: str, where: str) -> None:
    index = text.find("\0")
    if index >= 0:
        line = text.count("\n", 0, index) + 1
        raise InputError(f"{where} line {line}: NUL byte: this is not a text patch")


def proposal_id(text: str) -> str:
    """Deterministic: the first 12 hex digits of the sha256 of the proposal's own bytes."""
    return hashlib.sha256(encode(text)).hexdigest()[:12]


def title_from_source(source_name: str, fallback: str) -> str:
    """A file's name; `fallback` for stdin and other sources without one ("<stdin>")."""
    if not source_name or source_name.startswith("<"):
        return fallback
    return PurePath(source_name).name or fallback


def starts_patch(line: str, next_line: str) -> bool:
    """Whether a patch starts at `line`: a git header, a format-patch mail, or '---'/'+++'."""
    return (
        line.startswith(("diff --git ", "diff --cc ", "diff --combined ", "@@ -"))
        or MBOX_FROM.match(line) is not None
        or (line.startswith("--- ") and next_line.startswith("+++ "))
    )
