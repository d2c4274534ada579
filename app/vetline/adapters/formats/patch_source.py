"""What every patch reader shares: decoding a source's bytes, ids, titles, where a patch starts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import PurePath

from vetline.adapters.formats.mbox import MBOX_FROM
from vetline.core.errors import InputError
from vetline.core.model import Change, DiffLine, Hunk, Proposal
from vetline.core.text import TextDecodeError, decode, encode

# Placing edits in a file costs about (its edits × its lines) line comparisons: past this
# many, a source is refused with the reason rather than keep the machine busy for hours.
MAX_LINES_MATCHED = 20_000_000


def refuse_endless_matching(where: str, path: str, edits: int, lines: int) -> None:
    """Refuses `edits` blocks or sections for a file of `lines` lines when placing them
    all would take more than MAX_LINES_MATCHED line comparisons."""
    if edits * lines > MAX_LINES_MATCHED:
        raise InputError(
            f"{where}: {edits:,} edits of {path}, a file of {lines:,} lines, are more than"
            f" Vetline places in one file ({MAX_LINES_MATCHED:,} line comparisons); split"
            " them into smaller proposals"
        )


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


def whole_source_proposal(
    text: str, source_name: str, fallback_title: str, changes: Iterable[Change]
) -> list[Proposal]:
    """The one proposal a source of edits makes: its id from the text, its title from the
    source's name."""
    return [
        Proposal(
            id=proposal_id(text),
            title=title_from_source(source_name, fallback_title),
            changes=tuple(changes),
        )
    ]


def starts_patch(line: str, next_line: str) -> bool:
    """Whether a patch starts at `line`: a git header, a format-patch mail, or '---'/'+++'."""
    return (
        line.startswith(("diff --git ", "diff --cc ", "diff --combined ", "@@ -"))
        or MBOX_FROM.match(line) is not None
        or (line.startswith("--- ") and next_line.startswith("+++ "))
    )


def unread_hunk(path: str, lines: Iterable[tuple[str, str]]) -> Hunk:
    """A hunk as an edit states it, placed nowhere: its (" ", "-" or "+", text) lines, each
    ending in a newline. What a refused edit is logged as when its file was never read."""
    pairs = [DiffLine(kind, text if text.endswith("\n") else text + "\n") for kind, text in lines]
    old = sum(line.kind != "+" for line in pairs)
    new = sum(line.kind != "-" for line in pairs)
    return Hunk.from_lines(path, 0, old, 0, new, pairs)
