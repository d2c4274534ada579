"""SEARCH/REPLACE edit blocks (Aider, Cline and Roo markers) applied to the files they name."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from vetline.adapters.formats.patch_source import (
    refuse_endless_matching,
    unread_hunk,
    whole_source_proposal,
)
from vetline.core.errors import ContextMismatchError, InputError
from vetline.core.hunks import hunks_from_texts
from vetline.core.model import Change, FileStatus, Hunk, HunkKind, Proposal, sha256_hex
from vetline.core.text import (
    TextDecodeError,
    decode,
    is_binary,
    line_ending,
    split_lines,
    strip_ending,
)

ReadFile = Callable[[str], bytes | None]
"""Returns a workspace file's bytes by relative path, or None when it does not exist."""

# Aider and Roo write "<<<<<<< SEARCH" ... ">>>>>>> REPLACE"; Cline "------- SEARCH" ...
# "+++++++ REPLACE". Aider accepts 5 to 9 marker characters, so do we.
_SEARCH = re.compile(r"(?:<{5,9}|-{3,}) SEARCH>?\s*")
_DIVIDER = re.compile(r"={5,9}\s*")
_REPLACE = re.compile(r"(?:>{5,9}|\+{3,}) REPLACE>?\s*")
_ROO_LINE = re.compile(r":(start|end)_line:\s*(\d{1,18})\s*")
_ROO_SEPARATOR = re.compile(r"-{3,}\s*")
_XML_PATH = re.compile(r"\s*<path>(.*)</path>\s*")
_FENCES = ("```", "~~~")
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class EditBlock:
    """One SEARCH/REPLACE block as written; `number` counts from 1 in the source."""

    number: int
    line: int  # 1-based line of its SEARCH marker
    path: str
    search: str
    replace: str
    start_line: int | None = None  # Roo's ":start_line:" hint


def parse_search_replace(text: str, source_name: str, read_file: ReadFile) -> list[Proposal]:
    """One proposal with a change for every file the blocks edit, in first-mention order."""
    blocks = read_blocks(text, source_name)
    if not blocks:
        raise InputError(f"{source_name}: no SEARCH/REPLACE blocks found")
    by_path: dict[str, list[EditBlock]] = {}
    for block in blocks:
        by_path.setdefault(block.path, []).append(block)
    changes = [
        change
        for path, file_blocks in by_path.items()
        if (change := _edit_file(path, file_blocks, read_file, source_name)) is not None
    ]
    if not changes:
        raise InputError(f"{source_name}: no changes found (every REPLACE equals its SEARCH)")
    return whole_source_proposal(text, source_name, "Edits", changes)


def search_replace_as_written(text: str, source_name: str) -> list[Proposal]:
    """The blocks as they state their edits, with no file read: what the log records when
    they are refused before review (a file name no file should have)."""
    by_path: dict[str, dict[str, Hunk]] = {}
    for block in read_blocks(text, source_name):
        lines = [("-", line) for line in split_lines(block.search)]
        lines += [("+", line) for line in split_lines(block.replace)]
        hunk = unread_hunk(block.path, lines)
        by_path.setdefault(block.path, {})[hunk.id] = hunk  # a block twice is one item
    changes = [
        Change(
            path,
            FileStatus.MODIFIED
            if any(hunk.old_lines for hunk in hunks.values())
            else FileStatus.ADDED,
            tuple(hunks.values()),
        )
        for path, hunks in by_path.items()
    ]
    return whole_source_proposal(text, source_name, "Edits", changes)


def starts_block(line: str) -> bool:
    """Whether `line` opens a SEARCH/REPLACE block (any of the three marker styles)."""
    return _SEARCH.fullmatch(strip_ending(line)) is not None


def read_blocks(text: str, source_name: str) -> list[EditBlock]:
    """The blocks in order; a block without a file name of its own edits the previous one's file."""
    lines = split_lines(text)
    blocks: list[EditBlock] = []
    path: str | None = None  # the file named last, by a <path> tag or a name line
    after_previous = 0  # a name line is looked for only after the previous block
    index = 0
    while index < len(lines):
        line = strip_ending(lines[index])
        if tag := _XML_PATH.fullmatch(line):
            path = tag.group(1).strip()
        elif _SEARCH.fullmatch(line):
            number = len(blocks) + 1
            path = _name_before(lines, index, after_previous) or path
            if not path:
                raise InputError(f"{source_name} line {index + 1}: block {number} names no file")
            block, index = _read_block(lines, index, number, path, source_name)
            blocks.append(block)
            after_previous = index + 1
        index += 1
    return blocks


def _read_block(
    lines: list[str], index: int, number: int, path: str, source: str
) -> tuple[EditBlock, int]:
    """The block whose SEARCH marker is lines[index], and the index of its REPLACE marker."""
    start = index
    where = f"{source} line {start + 1}: block {number} ({path})"
    index += 1
    hints: dict[str, int] = {}
    while index < len(lines) and (hint := _ROO_LINE.fullmatch(strip_ending(lines[index]))):
        hints[hint.group(1)] = int(hint.group(2))
        index += 1
    if hints and index < len(lines) and _ROO_SEPARATOR.fullmatch(strip_ending(lines[index])):
        index += 1
    parts: list[list[str]] = [[], []]
    for part, closing, name in ((0, _DIVIDER, "'======='"), (1, _REPLACE, "REPLACE marker")):
        while True:
            if index >= len(lines):
                raise InputError(f"{where}: the text ends before its {name}")
            line = strip_ending(lines[index])
            if _SEARCH.fullmatch(line):
                raise InputError(
                    f"{where}: a new SEARCH starts at line {index + 1} before its {name}"
                )
            if closing.fullmatch(line):
                break
            parts[part].append(lines[index])
            index += 1
        index += 1
    block = EditBlock(
        number, start + 1, path, "".join(parts[0]), "".join(parts[1]), hints.get("start")
    )
    return block, index - 1


def _name_before(lines: list[str], index: int, floor: int) -> str | None:
    """Aider's file name line: just above the block, or above its opening fence."""
    for candidate in reversed(lines[max(floor, index - 3) : index]):
        line = strip_ending(candidate).strip()
        if line.startswith(_FENCES):
            continue
        if line.startswith("<") and line.endswith(">"):
            return None  # Cline/Roo XML: the <path> tag names the file
        name = line.rstrip(":").lstrip("#").strip().strip("`*").strip()
        # Prose just above a block ("Change it like this:") is not a file name.
        return name if name and not any(char.isspace() for char in name) else None
    return None


def _edit_file(
    path: str, blocks: list[EditBlock], read_file: ReadFile, source: str
) -> Change | None:
    raw = read_file(path)
    base, encoding = "", "utf-8"
    if raw is not None:
        if is_binary(raw):
            raise InputError(f"{source}: {path} is a binary file; SEARCH/REPLACE cannot edit it")
        try:
            base, encoding = decode(raw)
        except TextDecodeError as error:
            raise InputError(f"{source}: {path}: {error}") from error
    refuse_endless_matching(source, path, len(blocks), len(split_lines(base)))
    text = base
    shift = 0  # lines added by earlier blocks, to move Roo's start_line hints along
    for block in blocks:
        text, grown = _apply_block(text, block, raw is not None, shift, source)
        shift += grown
    if raw is not None and text == base:
        return None
    hunks: tuple[Hunk, ...] = hunks_from_texts(path, base, text)
    if raw is None:
        hunks = hunks or (Hunk(path, 0, 0, 0, 0, kind=HunkKind.CREATE_EMPTY),)
        return Change(path, FileStatus.ADDED, hunks, base_text="", new_text=text)
    return Change(
        path,
        FileStatus.MODIFIED,
        hunks,
        base_text=base,
        new_text=text,
        base_sha256=sha256_hex(raw),
        encoding=encoding,
    )


def _apply_block(
    text: str, block: EditBlock, exists: bool, shift: int, source: str
) -> tuple[str, int]:
    """The text with the block's SEARCH replaced, and how many lines that added."""
    where = f"{source} line {block.line}: block {block.number} ({block.path})"
    if not block.search:
        if text:
            raise ContextMismatchError(
                f"{where}: SEARCH is empty but the file is not: say what to replace"
            )
        return block.replace, len(split_lines(block.replace))
    if not exists and not text:
        raise ContextMismatchError(f"{where}: the file does not exist")
    # The agent never sees a byte-order mark, so it is kept aside while matching.
    bom = _BOM if text.startswith(_BOM) else ""
    body = text[len(bom) :]
    ending = _dominant_ending(body)
    # A last line without a newline still matches a SEARCH line that has one.
    padded = bool(body) and not body.endswith("\n")
    lines = split_lines(body + ending if padded else body)
    search, replace = split_lines(block.search), split_lines(block.replace)
    found = _find(lines, search)
    if not found and line_ending(search[-1]) not in ("", ending):
        # An LF block for a CRLF file (or the other way round): match in the file's endings.
        search = [_with_ending(line, ending) for line in search]
        replace = [_with_ending(line, ending) for line in replace]
        found = _find(lines, search)
    if not found:
        raise ContextMismatchError(f"{where}: the SEARCH text is not in the file")
    if len(found) > 1:
        hinted = [start for start in found if block.start_line == start + 1 - shift]
        if len(hinted) != 1:
            places = ", ".join(str(start + 1) for start in found[:5])
            raise ContextMismatchError(
                f"{where}: the SEARCH text is in the file {len(found)} times (lines {places});"
                " add lines around it to make it unique"
            )
        found = hinted
    start = found[0]
    new_text = "".join([*lines[:start], *replace, *lines[start + len(search) :]])
    if padded and new_text.endswith(ending):
        new_text = new_text[: -len(ending)]
    return bom + new_text, len(replace) - len(search)


def _find(lines: list[str], wanted: list[str]) -> list[int]:
    first, count = wanted[0], len(wanted)
    return [
        start
        for start in range(len(lines) - count + 1)
        if lines[start] == first and lines[start : start + count] == wanted
    ]


def _dominant_ending(text: str) -> str:
    """The ending of the file's first line that has one; "\\n" when none does."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _with_ending(line: str, ending: str) -> str:
    current = line_ending(line)
    return line[: len(line) - len(current)] + ending if current else line
