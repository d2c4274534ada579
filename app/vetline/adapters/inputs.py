"""The one way in for every command: a source spec (a file, or "-" for stdin) as proposals.

Each format's parser (and git, for a repository) is imported when a source of that
format comes in: the window's first paint reads proposal JSON at most.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from vetline.adapters.files.safety import (
    NotRegularFileError,
    device_kind,
    link_refusal,
    read_regular_file,
)
from vetline.core.errors import InputError, UnsafePathError
from vetline.core.hidden_text import quoted_name
from vetline.core.leash import escape_refusal
from vetline.core.model import Proposal
from vetline.core.text import TextDecodeError, decode, split_lines, strip_ending

if TYPE_CHECKING:
    from vetline.adapters.formats.search_replace import ReadFile
    from vetline.adapters.git.tree import GitTree

STDIN_NAME = "<stdin>"
# The default of the input.max_source_mb setting: a bigger source is refused unread.
MAX_SOURCE_BYTES = 256 << 20
_CODEX_BEGIN = "*** Begin Patch"


class SourceFormat(StrEnum):
    JSON = "proposal JSON"
    UNIFIED = "unified diff"
    SEARCH_REPLACE = "SEARCH/REPLACE blocks"
    CODEX = "Codex patch"


@dataclass(frozen=True, slots=True)
class OpenedSource:
    """What a source spec gave: its proposals, and the repository when it was one."""

    proposals: list[Proposal]
    git_tree: GitTree | None = None


def open_source(
    spec: str,
    workspace: Path | None,
    stdin: BinaryIO | None = None,
    max_bytes: int = MAX_SOURCE_BYTES,
) -> OpenedSource:
    """Like `load_source`, but a folder is a git working tree whose changes are reviewed."""
    if spec != "-" and Path(spec).is_dir():
        from vetline.adapters.git.tree import load_worktree

        tree = load_worktree(Path(spec))
        return OpenedSource(list(tree.proposals), tree)
    return OpenedSource(load_source(spec, workspace, stdin, max_bytes))


def load_source(
    spec: str,
    workspace: Path | None,
    stdin: BinaryIO | None = None,
    max_bytes: int = MAX_SOURCE_BYTES,
) -> list[Proposal]:
    """The proposals in `spec`; SEARCH/REPLACE and Codex edits read files from `workspace`.

    A source over `max_bytes` is refused before it is parsed, and never read whole.
    (A FIFO is a fine source: `<(git diff)` gives one.)
    """
    if spec == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        return load_bytes(_read_at_most(stream, max_bytes, STDIN_NAME), STDIN_NAME, workspace)
    path = Path(spec)
    if path.is_dir():
        raise InputError(f"{spec} is a folder, not a proposal file")
    kind = device_kind(path)
    if kind is not None:
        raise InputError(f"{spec}: it is {kind}, not a proposal file; nothing was read")
    try:
        with path.open("rb") as file:
            data = _read_at_most(file, max_bytes, spec)
    except FileNotFoundError as error:
        raise InputError(f"{spec}: no such file") from error
    except OSError as error:
        raise InputError(f"{spec}: cannot read it: {error.strerror}") from error
    return load_bytes(data, spec, workspace)


def _read_at_most(stream: BinaryIO, max_bytes: int, name: str) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(
            f"{name}: larger than {max_bytes // (1 << 20) or max_bytes} "
            f"{'MB' if max_bytes >= 1 << 20 else 'bytes'}, the most Vetline reads from one"
            " source (setting input.max_source_mb); it was not parsed"
        )
    return data


def load_bytes(data: bytes, source_name: str, workspace: Path | None) -> list[Proposal]:
    """The proposals in one source's bytes, whatever its format."""
    source_format = detect_format(data)
    if source_format is None:
        raise InputError(
            f"{source_name}: not a recognised format (expected a Vetline proposal JSON, a unified"
            " diff or git format-patch, SEARCH/REPLACE blocks, or a Codex '*** Begin Patch')"
        )
    if source_format is SourceFormat.JSON:
        from vetline.adapters.formats.json_reader import parse_json

        proposals = parse_json(data, source_name)
    elif source_format is SourceFormat.UNIFIED:
        from vetline.adapters.formats.unified import parse_unified

        proposals = parse_unified(data, source_name)
    else:
        if workspace is None:
            raise InputError(
                f"{source_name}: {source_format} need --workspace, the folder their file names"
                " are relative to"
            )
        proposals = _read_edits(data, source_name, source_format, workspace)
    _refuse_unsafe_paths(proposals, source_name)
    if any(change.is_binary or change.image is not None for p in proposals for change in p.changes):
        from vetline.adapters.images.changes import add_image_facts

        reader = workspace_reader(workspace) if workspace is not None else None
        proposals = add_image_facts(proposals, reader)
    return proposals


def _read_edits(
    data: bytes, source_name: str, source_format: SourceFormat, workspace: Path
) -> list[Proposal]:
    """Codex or SEARCH/REPLACE edits, applied to the workspace's files. A file name no file
    should have is refused before any file is read; that refusal, or one while reading (a
    link out of the workspace, a FIFO), carries the edits as written, for the log."""
    from vetline.adapters.formats.codex import codex_as_written, parse_codex
    from vetline.adapters.formats.patch_source import decode_patch
    from vetline.adapters.formats.search_replace import (
        parse_search_replace,
        search_replace_as_written,
    )

    text = decode_patch(data, source_name)
    if source_format is SourceFormat.CODEX:
        parse, as_written = parse_codex, codex_as_written
    else:
        parse, as_written = parse_search_replace, search_replace_as_written
    try:
        written = as_written(text, source_name)
    except InputError:
        written = []  # malformed: parsing it says why
    _refuse_unsafe_paths(written, source_name)
    try:
        return parse(text, source_name, workspace_reader(workspace))
    except UnsafeSourceError:
        raise
    except UnsafePathError as error:
        raise UnsafeSourceError(f"{source_name}: {error}", written) from error


def detect_format(data: bytes) -> SourceFormat | None:
    """The format, from the content: JSON by its first character, the others by whichever
    marker line comes first (a diff may well contain SEARCH markers, and the other way round)."""
    try:
        text, _ = decode(data)
    except TextDecodeError:
        return None
    text = text.removeprefix("\ufeff")
    if text.lstrip().startswith("{"):
        return SourceFormat.JSON
    from vetline.adapters.formats.patch_source import starts_patch
    from vetline.adapters.formats.search_replace import starts_block

    lines = split_lines(text)
    for index, line in enumerate(lines):
        if strip_ending(line).strip() == _CODEX_BEGIN:
            return SourceFormat.CODEX
        if starts_block(line):
            return SourceFormat.SEARCH_REPLACE
        if starts_patch(line, lines[index + 1] if index + 1 < len(lines) else ""):
            return SourceFormat.UNIFIED
    return None


def workspace_reader(workspace: Path) -> ReadFile:
    """Reads files by relative path inside `workspace`, and nowhere else."""
    if not workspace.is_dir():
        raise InputError(f"the workspace folder does not exist: {workspace}")
    root = workspace.resolve()

    def read(path: str) -> bytes | None:
        target = root / path
        reason = unsafe_path_reason(path) or link_refusal(target, root)
        if reason:
            raise UnsafePathError(f"refusing to read {path!r}: {reason}")
        try:
            return read_regular_file(target)
        except NotRegularFileError as error:
            raise UnsafePathError(f"refusing to read {path!r}: {error.strerror}") from error
        except FileNotFoundError:
            return None
        except IsADirectoryError as error:
            raise InputError(f"{path} is a directory, not a file") from error
        except OSError as error:
            raise InputError(f"cannot read {path}: {error.strerror}") from error

    return read


def unsafe_path_reason(path: str) -> str | None:
    """Why a path named by a proposal could reach outside the workspace, or None.

    Only escapes are bad input here; `.git/` and denied paths are the leash's to judge,
    so the reviewer sees them as violations rather than an unreadable source.
    """
    return escape_refusal(path)


class UnsafeSourceError(UnsafePathError):
    """A source read whole, but refused for a path no file should have. It carries the
    proposals, so that a command can log the refusal against their hunks."""

    def __init__(self, message: str, proposals: list[Proposal]) -> None:
        super().__init__(message)
        self.proposals = proposals


def _refuse_unsafe_paths(proposals: list[Proposal], source_name: str) -> None:
    for proposal in proposals:
        for change in proposal.changes:
            for path in (change.path, change.source_path):
                reason = unsafe_path_reason(path)
                if reason:
                    raise UnsafeSourceError(
                        f"{source_name}: refusing the path {quoted_name(path)}: {reason}", proposals
                    )
