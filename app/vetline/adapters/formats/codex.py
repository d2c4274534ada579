"""Codex `*** Begin Patch` files: add, delete, update and move files, one hunk per @@ section."""

from __future__ import annotations

from dataclasses import dataclass, field

from vetline.adapters.formats.patch_source import (
    refuse_endless_matching,
    unread_hunk,
    whole_source_proposal,
)
from vetline.adapters.formats.search_replace import ReadFile
from vetline.core.errors import ContextMismatchError, InputError
from vetline.core.hunks import HunkMismatchError, apply_hunks, hunks_from_texts
from vetline.core.model import (
    Change,
    DiffLine,
    FileStatus,
    Hunk,
    HunkKind,
    Proposal,
    sha256_hex,
)
from vetline.core.text import (
    TextDecodeError,
    decode,
    is_binary,
    line_ending,
    split_lines,
    strip_ending,
)

_BEGIN, _END = "*** Begin Patch", "*** End Patch"
_ADD, _DELETE, _UPDATE = "*** Add File: ", "*** Delete File: ", "*** Update File: "
_MOVE, _END_OF_FILE = "*** Move to: ", "*** End of File"
_BOM = "\ufeff"


@dataclass
class _Section:
    """One @@ section: where to look (anchors) and its lines without endings."""

    line: int  # 1-based patch line where it starts
    anchors: list[str] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (" ", "-" or "+", text)
    at_end_of_file: bool = False

    @property
    def old_lines(self) -> list[str]:
        return [text for kind, text in self.lines if kind != "+"]


@dataclass
class _FileOp:
    line: int
    action: str  # "add", "delete" or "update"
    path: str
    move_to: str | None = None
    added_lines: list[str] = field(default_factory=list)
    sections: list[_Section] = field(default_factory=list)


def parse_codex(text: str, source_name: str, read_file: ReadFile) -> list[Proposal]:
    """One proposal for the patch, a change per file operation, in the patch's order."""
    operations = _read_operations(split_lines(text), source_name)
    seen: set[str] = set()
    changes = []
    for operation in operations:
        where = f"{source_name} line {operation.line}"
        for path in {operation.path, operation.move_to or operation.path}:
            if path in seen:
                raise InputError(f"{where}: {path} is changed twice in one patch")
            seen.add(path)
        changes.append(_change(operation, read_file, where))
    if not changes:
        raise InputError(f"{source_name}: no changes found")
    return whole_source_proposal(text, source_name, "Codex patch", changes)


def codex_as_written(text: str, source_name: str) -> list[Proposal]:
    """The patch's changes as it states them, with no file read: what the log records
    when the patch is refused before review (a file name no file should have)."""
    changes = [
        _as_written(operation) for operation in _read_operations(split_lines(text), source_name)
    ]
    return whole_source_proposal(text, source_name, "Codex patch", changes)


def _as_written(operation: _FileOp) -> Change:
    path = operation.path
    if operation.action == "add":
        return _added(operation)
    if operation.action == "delete":  # what the file holds was never read
        return Change(path, FileStatus.DELETED, (_zero_line_hunk(path, HunkKind.DELETE_EMPTY),))
    target = operation.move_to or path
    renamed = target != path
    items = [_zero_line_hunk(target, HunkKind.RENAME)] if renamed else []
    items += [unread_hunk(target, section.lines) for section in operation.sections]
    return Change(
        target,
        FileStatus.RENAMED if renamed else FileStatus.MODIFIED,
        tuple({hunk.id: hunk for hunk in items}.values()),  # a section twice is one item
        old_path=path if renamed else None,
    )


# ---- reading the patch ---------------------------------------------------------------------


def _read_operations(raw_lines: list[str], source: str) -> list[_FileOp]:
    """The file operations between the markers, read as the Codex tool reads them: a
    marker or an operation's first line may be indented or padded (it is compared
    trimmed), and the last '*** End Patch' ends the patch, so an indented one is not
    taken for a section's line (an earlier one can only be a line of text)."""
    every = [strip_ending(line) for line in raw_lines]
    begin = next((i for i, line in enumerate(every) if line.strip() == _BEGIN), None)
    if begin is None:
        raise InputError(f"{source}: no '{_BEGIN}' line")
    end = next((i for i in range(len(every) - 1, begin, -1) if every[i].strip() == _END), None)
    if end is None:
        raise InputError(f"{source}: no '{_END}' line: the patch is truncated")
    lines = every[:end]
    operations: list[_FileOp] = []
    index = begin + 1
    while index < end:
        header = lines[index].strip() + " "  # "*** Add File:" with no name is still one
        number = index + 1
        if header.startswith(_ADD):
            operation = _FileOp(number, "add", header[len(_ADD) :].strip())
            index += 1
            while index < end and lines[index].startswith("+"):
                operation.added_lines.append(lines[index][1:])
                index += 1
            if index < end and not lines[index].strip().startswith("*** "):
                raise InputError(
                    f"{source} line {index + 1}: lines of an added file must start with '+'"
                )
        elif header.startswith(_DELETE):
            operation = _FileOp(number, "delete", header[len(_DELETE) :].strip())
            index += 1
        elif header.startswith(_UPDATE):
            operation = _FileOp(number, "update", header[len(_UPDATE) :].strip())
            index += 1
            if index < end and (lines[index].strip() + " ").startswith(_MOVE):
                operation.move_to = lines[index].strip()[len(_MOVE) :].strip()
                if not operation.move_to:
                    raise InputError(f"{source} line {index + 1}: no file name to move to")
                index += 1
            index = _read_sections(lines, index, operation, source)
        elif not header.strip():
            index += 1
            continue
        else:
            raise InputError(
                f"{source} line {number}: expected '*** Add File:', '*** Delete File:',"
                f" '*** Update File:' or '{_END}'"
            )
        if not operation.path:
            raise InputError(f"{source} line {number}: no file name")
        operations.append(operation)
    return operations


def _read_sections(lines: list[str], index: int, operation: _FileOp, source: str) -> int:
    """Reads @@ sections up to the next '*** ' line; returns its index."""
    sections = operation.sections
    while index < len(lines):
        line = lines[index]
        if line.strip() == _END_OF_FILE:
            if not sections or not sections[-1].lines:
                raise InputError(f"{source} line {index + 1}: '{_END_OF_FILE}' ends no section")
            sections[-1].at_end_of_file = True
        elif line.startswith("*** "):
            break
        elif line.startswith("@@"):
            anchor = line[3:] if line.startswith("@@ ") else line[2:]
            if not sections or sections[-1].lines or sections[-1].at_end_of_file:
                sections.append(_Section(index + 1))
            if anchor.strip():
                # Stacked "@@ class A" / "@@ def f" lines narrow the search step by step.
                sections[-1].anchors.append(anchor)
        elif line[:1] in (" ", "-", "+") or not line:
            if not sections or sections[-1].at_end_of_file:
                sections.append(_Section(index + 1))  # the first section may omit its @@
            # Codex reads an empty line inside a section as an empty context line.
            sections[-1].lines.append((line[:1] or " ", line[1:]))
        else:
            raise InputError(
                f"{source} line {index + 1}: a section line must start with ' ', '-', '+' or '@@'"
            )
        index += 1
    for section in sections:
        if not section.lines:
            raise InputError(f"{source} line {section.line}: '@@' section with no lines")
        if all(kind == " " for kind, _ in section.lines):
            raise InputError(f"{source} line {section.line}: section changes nothing")
    return index


# ---- applying it to the files ----------------------------------------------------------------


def _change(operation: _FileOp, read_file: ReadFile, where: str) -> Change:
    path = operation.path
    raw = read_file(path)
    if operation.action == "add":
        if raw is not None:
            raise ContextMismatchError(f"{where}: {path} already exists (the patch adds it)")
        return _added(operation)
    if raw is None:
        raise ContextMismatchError(f"{where}: {path} does not exist")
    base, encoding = _decode(raw, path, where)
    if operation.action == "delete":
        hunks = hunks_from_texts(path, base, "") or (_zero_line_hunk(path, HunkKind.DELETE_EMPTY),)
        return Change(
            path,
            FileStatus.DELETED,
            hunks,
            base_text=base,
            base_sha256=sha256_hex(raw),
            encoding=encoding,
        )
    target = operation.move_to or path
    renamed = target != path
    if renamed and read_file(target) is not None:
        raise ContextMismatchError(
            f"{where}: cannot move {path} to {target}: {target} already exists"
        )
    if not operation.sections and not renamed:
        raise InputError(f"{where}: the update of {path} has no sections")
    text_hunks = _section_hunks(target, base, operation.sections, where)
    try:
        new = apply_hunks(base, text_hunks)
    except HunkMismatchError as error:  # our own hunks must fit the text they came from
        raise InputError(f"{where}: {error}") from error
    rename = (_zero_line_hunk(target, HunkKind.RENAME),) if renamed else ()
    return Change(
        target,
        FileStatus.RENAMED if renamed else FileStatus.MODIFIED,
        (*rename, *text_hunks),
        old_path=path if renamed else None,
        base_text=base,
        new_text=new,
        base_sha256=sha256_hex(raw),
        encoding=encoding,
    )


def _added(operation: _FileOp) -> Change:
    path = operation.path
    new = "".join(line + "\n" for line in operation.added_lines)
    hunks = hunks_from_texts(path, "", new) or (_zero_line_hunk(path, HunkKind.CREATE_EMPTY),)
    return Change(path, FileStatus.ADDED, hunks, base_text="", new_text=new)


def _decode(raw: bytes, path: str, where: str) -> tuple[str, str]:
    if is_binary(raw):
        raise InputError(f"{where}: {path} is a binary file; a Codex patch cannot edit it")
    try:
        return decode(raw)
    except TextDecodeError as error:
        raise InputError(f"{where}: {path}: {error}") from error


def _section_hunks(path: str, base: str, sections: list[_Section], where: str) -> list[Hunk]:
    lines = split_lines(base)
    refuse_endless_matching(where, path, len(sections), len(lines))
    # Compare without line endings (and without a BOM), as Codex does.
    keys = [line.rstrip("\r\n") for line in lines]
    if keys:
        keys[0] = keys[0].removeprefix(_BOM)
    cursor = 0
    placed: list[tuple[int, _Section]] = []
    for section in sections:
        start, cursor = _locate(keys, section, cursor, path, where)
        placed.append((start, section))
    placed.sort(key=lambda item: item[0])
    ending = next((line_ending(line) for line in lines if line_ending(line)), "\n")
    hunks: list[Hunk] = []
    shift = 0  # how many lines the earlier sections added
    previous_end = 0
    for start, section in placed:
        if start < previous_end:
            raise InputError(f"{where}: the section at patch line {section.line} overlaps another")
        first, hunk_lines = _hunk_lines(lines, start, section, ending)
        old_count = sum(kind != "+" for kind, _ in hunk_lines)
        new_count = sum(kind != "-" for kind, _ in hunk_lines)
        hunks.append(
            Hunk.from_lines(
                path,
                first + 1 if old_count else first,
                old_count,
                first + shift + 1 if new_count else first + shift,
                new_count,
                (DiffLine(kind, text) for kind, text in hunk_lines),
                section=section.anchors[-1] if section.anchors else "",
            )
        )
        shift += new_count - old_count
        previous_end = first + old_count
    return hunks


def _locate(
    keys: list[str], section: _Section, cursor: int, path: str, where: str
) -> tuple[int, int]:
    """Where the section's old lines start, and where the search for the next one resumes."""
    for anchor in section.anchors:
        # An anchor only says where to start looking, so its indentation may differ (agents
        # write "@@ def run(self):" for an indented method); the section's lines may not.
        wanted = anchor.strip()
        found = next((i for i in range(cursor, len(keys)) if keys[i].strip() == wanted), None)
        if found is None:
            raise ContextMismatchError(
                f"{where}: the @@ line {anchor!r} (patch line {section.line}) is not in {path}"
            )
        cursor = found + 1
    old = section.old_lines
    if not old:
        return len(keys), len(keys)  # Codex appends a section with no old lines at the end
    matches = [
        start
        for start in range(cursor, len(keys) - len(old) + 1)
        if keys[start] == old[0] and keys[start : start + len(old)] == old
    ]
    if section.at_end_of_file:
        matches = [start for start in matches if start + len(old) == len(keys)]
    after = f" after line {cursor}" if cursor else ""
    if not matches:
        raise ContextMismatchError(
            f"{where}: the section at patch line {section.line} does not match {path}{after}"
        )
    if len(matches) > 1:
        places = ", ".join(str(start + 1) for start in matches[:5])
        raise ContextMismatchError(
            f"{where}: the section at patch line {section.line} matches {path}{after}"
            f" in {len(matches)} places (lines {places}); add context or an @@ line"
        )
    return matches[0], matches[0] + len(old)


def _hunk_lines(
    lines: list[str], start: int, section: _Section, ending: str
) -> tuple[int, list[tuple[str, str]]]:
    """The section's first base line and its lines: the file's own text for old lines, the
    file's line ending on new ones.

    A file whose last line has no newline keeps it that way when a section adds lines
    at its end.
    """
    out: list[tuple[str, str]] = []
    no_final_newline = bool(lines) and not lines[-1].endswith("\n")
    if not section.old_lines and no_final_newline:
        # Appending after a last line without a newline: that line gains one.
        start -= 1
        out += [("-", lines[start]), ("+", lines[start] + ending)]
    index = start + len(out) // 2
    for kind, text in section.lines:
        if kind == "+":
            out.append(("+", text + ending))
        else:
            out.append((kind, lines[index]))
            index += 1
    if no_final_newline and index == len(lines) and out[-1][0] == "+":
        out[-1] = ("+", out[-1][1][: -len(ending)])
    if start == 0 and lines and lines[0].startswith(_BOM):
        out = _keep_bom(out)
    return start, out


def _keep_bom(out: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """When the first line is replaced, its byte-order mark moves to the new first line."""
    first_new = next((i for i, (kind, _) in enumerate(out) if kind != "-"), None)
    if first_new is None or out[first_new][0] != "+" or out[first_new][1].startswith(_BOM):
        return out
    return [*out[:first_new], ("+", _BOM + out[first_new][1]), *out[first_new + 1 :]]


def _zero_line_hunk(path: str, kind: HunkKind) -> Hunk:
    return Hunk(path, 0, 0, 0, 0, kind=kind)
